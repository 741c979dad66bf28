from service.answering.table_rows import best_row

ROWS = ["Ally: Germany; Share of GDP 2014 (%): 1.19; Share of GDP 2023 (%): 1.57",
        "Ally: Poland; Share of GDP 2014 (%): 1.88; Share of GDP 2023 (%): 3.90",
        "Directory: boot; Description: Static files of the boot loader",
        "shareable: /opt; unshareable: /boot",
        "Germany spent 1.57% of GDP in 2023."]


def test_the_row_naming_the_asked_cell_answers():
    assert best_row("What share of GDP did Germany spend in 2023?", ROWS) == 0
    assert best_row("how much did poland spend?", ROWS) == 1


def test_of_rows_naming_the_same_cell_the_one_whose_headers_the_question_uses_wins():
    assert best_row("What is the /boot directory for?", ROWS) == 2


def test_no_row_when_none_is_named_or_on_a_tie_and_sentences_are_never_rows():
    assert best_row("What share of GDP did France spend?", ROWS) is None
    assert best_row("Compare Germany and Poland", ROWS[:2]) is None
    assert best_row("Germany", ROWS[4:]) is None


def test_the_asked_cell_is_the_one_under_the_header_the_question_uses():
    from service.answering.table_rows import asked_cell

    row = ROWS[0]
    a, b = asked_cell("What share of GDP did Germany spend in 2023?", row)
    assert row[a:b] == "1.57"
    a, b = asked_cell("How much of its GDP did Germany spend in 2014?", row)
    assert row[a:b] == "1.19"
    assert asked_cell("What share of GDP did Germany spend?", row) is None  # 2014 or 2023: a tie names none
