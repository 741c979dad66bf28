from service.text.sentences import clean, split_sentences


def test_offsets_are_exact_and_bullets_and_emphasis_handled():
    text = "- **First point.** Second sentence here.\n- Lloyd J. Austin III spoke at length today."
    sents = split_sentences("d", text, offset=100)
    assert [clean(s.text) for s in sents] == [
        "First point.", "Second sentence here.", "Lloyd J. Austin III spoke at length today."]
    for s in sents:
        assert text[s.start - 100:s.end - 100] == s.text


def test_a_line_starting_in_lower_case_continues_the_previous_one():
    text = "Discussions centred\n\non enhancing cyber defences.\nNext line is new."
    sents = split_sentences("d", text)
    assert clean(sents[0].text) == "Discussions centred on enhancing cyber defences."
    assert clean(sents[1].text) == "Next line is new."


def test_numbers_with_decimal_points_do_not_split():
    [s] = split_sentences("d", "Allies provided EUR 20.9 billion in the first half of 2024.")
    assert s.text.endswith("2024.")


def test_clean_removes_emphasis_and_collapses_space():
    assert clean("**Bold**  and\n\n__under__") == "Bold and under"


def test_a_hard_wrapped_paragraph_is_joined_before_splitting():
    text = ("   The Format field gives the version of this specification that the file\n"
            "   follows. A version number of the format is required in every file, and\n"
            "   Tools may refuse a file without one. It must come first.\n\n"
            "   * an item that runs on past the margin of the text and so it wraps to\n"
            "     the next line here.\n"
            "   * Second item.\n")
    sents = split_sentences("d", text, offset=7)
    assert [clean(s.text) for s in sents] == [
        "The Format field gives the version of this specification that the file follows.",
        "A version number of the format is required in every file, and Tools may refuse a file without one.",
        "It must come first.",
        "an item that runs on past the margin of the text and so it wraps to the next line here.",
        "Second item."]
    for s in sents:
        assert text[s.start - 7:s.end - 7] == s.text


def test_long_unwrapped_lines_are_not_joined():
    text = "Short title line\nA sentence on its own line that is long enough to pass.\nAnother line here."
    assert [clean(s.text) for s in split_sentences("d", text)] == [
        "Short title line", "A sentence on its own line that is long enough to pass.", "Another line here."]
