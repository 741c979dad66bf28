from service.core.records import Document
from service.ingest.chunking import ChunkSettings, split_document
from service.text.sentences import split_sentences
from service.text.tables import is_row, parse_row, row_text, table_text

GRID = [["Country", "Year", "Share of GDP"], ["Germany", "2024", "2.1%"], ["Poland", "2024", "4.1%"]]


def test_a_row_names_its_headers_beside_its_cells():
    assert table_text(GRID) == "Country: Germany; Year: 2024; Share of GDP: 2.1%\nCountry: Poland; Year: 2024; Share of GDP: 4.1%"
    assert parse_row("Country: Germany; Year: 2024; Share of GDP: 2.1%") == (
        ("Country", "Germany"), ("Year", "2024"), ("Share of GDP", "2.1%"))


def test_separators_are_kept_out_of_headers_and_cells_and_blank_headers_are_numbered():
    line = row_text(["", "Note: a; b"], ["x", "1; depends: b=1"])
    assert line == "Column 1: x; Note a, b: 1, depends: b=1"
    assert parse_row(line) == (("Column 1", "x"), ("Note a, b", "1, depends: b=1"))


def test_a_row_with_one_cell_is_a_plain_line_and_tables_without_body_or_columns_write_nothing():
    assert row_text(["Country", "Share"], ["Europe", ""]) == "Europe"
    assert not is_row("Europe")
    assert table_text([["Country", "Share"]]) == "" and table_text([["a"], ["b"]]) == ""


def test_ordinary_lines_are_not_rows():
    for line in ("Original: English", "Note: this is a sentence; it goes on.", "Files: *", "- item: one; two"):
        assert not is_row(line)


def test_each_row_is_one_sentence_even_when_its_cells_hold_full_stops_or_lower_case():
    text = "The shares were as follows.\nally: Germany; note: Est. 2.1% of GDP. Rising\nally: Poland; note: up. Fast"
    sentences = split_sentences("d", text)
    assert [s.text for s in sentences] == ["The shares were as follows.", "ally: Germany; note: Est. 2.1% of GDP. Rising",
                                           "ally: Poland; note: up. Fast"]
    assert all(text[s.start:s.end] == s.text for s in sentences)


def test_the_chunker_never_cuts_a_row_even_one_longer_than_a_chunk():
    rows = [row_text(["Country", "Figures"], [f"Country {i}", "1.5 " * (i * 12)]) for i in range(1, 20)]
    text = "Intro sentence here.\n\n" + "\n".join(rows) + "\n\nAfter the table."
    doc = Document("d", "d", "d", text, "0")
    chunks = split_document(doc, ChunkSettings(size=200, overlap=40))
    assert all(text[c.start:c.end] == c.text for c in chunks)
    for row in rows:
        start = text.index(row)
        assert any(c.start <= start and start + len(row) <= c.end for c in chunks), row
    for c in chunks:  # a chunk starts and ends at a row's edge, never inside one
        for row in rows:
            s = text.index(row)
            assert not s < c.start < s + len(row) and not s < c.end < s + len(row)
