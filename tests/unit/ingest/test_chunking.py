import pytest

from service.ingest.chunking import ChunkSettings, chunk_id, split_document
from service.ingest.corpus import load_document
from service.core.errors import ConfigError


@pytest.fixture
def doc(corpus):
    return load_document(corpus / "nato-pa-defence-ministers-2024-10.txt", corpus)


@pytest.mark.parametrize("size,overlap", [(600, 80), (200, 50), (1200, 0)])
def test_every_chunk_is_its_documents_text_at_its_offsets(doc, size, overlap):
    chunks = split_document(doc, ChunkSettings(size, overlap))
    assert chunks
    for c in chunks:
        assert doc.text[c.start:c.end] == c.text
        assert len(c.text) <= size
        assert c.text == c.text.strip()


def test_chunks_cover_all_body_text(doc):
    chunks = split_document(doc, ChunkSettings(300, 0))
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    for word in ("Constanta", "Wiesbaden", "STARLIFT", "Umerov", "Southern Neighbourhood"):
        at = doc.text.index(word)
        assert at in covered, word


def test_chunks_never_straddle_a_heading_and_know_their_section(doc):
    for c in split_document(doc, ChunkSettings(600, 80)):
        assert c.section == doc.section_path_at(c.start)
        assert "\nII. SUPPORT FOR UKRAINE" not in c.text
    adse = next(c for c in split_document(doc, ChunkSettings()) if "four priority areas" in c.text)
    assert adse.section_label == "V. ADDITIONAL NOTES > Creation of an initiative to foster secure data sharing"


def test_ids_are_stable_and_depend_on_source_offset_and_text(doc):
    a = split_document(doc, ChunkSettings())
    b = split_document(doc, ChunkSettings())
    assert [c.chunk_id for c in a] == [c.chunk_id for c in b]
    assert len({c.chunk_id for c in a}) == len(a)
    assert chunk_id("x.txt", 0, "t") != chunk_id("y.txt", 0, "t") != chunk_id("x.txt", 1, "t")


def test_overlap_must_be_smaller_than_size():
    with pytest.raises(ConfigError, match="overlap"):
        ChunkSettings(100, 100)
