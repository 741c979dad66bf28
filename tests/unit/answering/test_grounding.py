"""The grounding check on generated text, with the deterministic fake embedder."""

from __future__ import annotations

from service.answering.grounding import GroundingSettings, check, new_facts, overlap, parse_claim, split_generated
from service.pipeline.llm import MarkerFilter
from service.core.records import Chunk, Hit

P1 = ("NATO Ministers of Defence convened in Brussels on 17-18 October. "
      "Allies pledged 40 billion euros of military aid to Ukraine for 2025.")
P2 = "The ADSE will focus on four priority areas, including undersea infrastructure and geospatial awareness."
HITS = (Hit(Chunk("c1", "d", 0, len(P1), P1, ("Meeting",)), 1.0),
        Hit(Chunk("c2", "d", 100, 100 + len(P2), P2, ("ADSE",)), 0.9))
SETTINGS = GroundingSettings(threshold=0.6)


def test_markers_after_the_full_stop_stay_with_their_sentence():
    assert split_generated("Ministers met in Brussels. [1] The ADSE has four areas.[2]\nDone [1].") == [
        "Ministers met in Brussels [1].", "The ADSE has four areas[2].", "Done [1]."]


def test_parse_claim_keeps_only_markers_in_range():
    claim = parse_claim("Ministers met in Brussels [1, 7][9].", k=2)
    assert claim.cited == (1,) and claim.had_invalid and claim.text == "Ministers met in Brussels."
    assert parse_claim("Nothing here [0].", k=2).cited == ()


def test_copied_sentences_are_kept_with_their_citation(fake):
    out = check("NATO Ministers of Defence convened in Brussels on 17-18 October [1]. "
                "The ADSE will focus on four priority areas [2].", HITS, fake, SETTINGS)
    assert [(k.citations, k.text) for k in out.kept] == [
        ((1,), "NATO Ministers of Defence convened in Brussels on 17-18 October."),
        ((2,), "The ADSE will focus on four priority areas.")]
    assert not out.dropped and all(k.score >= SETTINGS.threshold for k in out.kept)


def test_uncited_out_of_range_and_unsupported_sentences_are_dropped_with_reasons(fake):
    out = check("Ministers convened in Brussels. Ministers convened in Brussels [5]. "
                "The ADSE was created by the European Union in Paris [2]. "
                "Allies pledged 90 billion euros to Ukraine [1].", HITS, fake, SETTINGS)
    assert not out.kept
    reasons = [d.reason for d in out.dropped]
    assert reasons == ["no [n] citation", "cites no passage that exists", "not supported by the cited passage",
                       "not supported by the cited passage"]
    assert out.dropped[3].score == 0.0  # 90 is not in passage 1: never supported
    assert all("[" not in d.text for d in out.dropped)


def test_a_citation_that_does_not_support_the_sentence_is_removed(fake):
    out = check("The ADSE will focus on four priority areas [1][2].", HITS, fake, SETTINGS)
    assert [k.citations for k in out.kept] == [(2,)]


def test_a_repeated_sentence_is_kept_once(fake):
    out = check("The ADSE will focus on four priority areas [2]. The ADSE will focus on four priority areas [2].",
                HITS, fake, SETTINGS)
    assert len(out.kept) == 1 and [d.reason for d in out.dropped] == ["repeats an earlier sentence"]


def test_overlap_counts_stemmed_content_terms():
    assert overlap("ministers convening", P1) == 1.0
    assert overlap("ministers in Paris", P1) == 0.5


def test_marker_filter_removes_out_of_range_markers_split_across_pieces():
    f = MarkerFilter(3)
    pieces = ["Allies met [", "1", "]. They [4", "]agreed [2, 9]. A [note", "] [3"]
    assert "".join(f.feed(p) for p in pieces) + f.flush() == "Allies met [1]. They agreed [2]. A [note] [3"


def test_text_with_nothing_checkable_is_all_dropped(fake):
    out = check("I cannot answer that. It is [1].", HITS, fake, SETTINGS)
    assert not out.kept and [d.reason for d in out.dropped] == ["no [n] citation", "too short to check: fewer than 3 content words"]


def test_leading_markers_and_list_numbering():
    assert split_generated("[2] The ADSE has four areas. [1] Ministers met.\n\n1. [1] In Brussels.\n- [2] Undersea.") == [
        "[2] The ADSE has four areas.", "[1] Ministers met.", "[1] In Brussels.", "[2] Undersea."]


def test_a_name_or_number_the_passage_lacks_is_never_supported(fake):
    out = check("The ADSE will focus on four priority areas set by the United Nations [2]. "
                "NATO Ministers of Defence convened in Brussels on 17-18 October [1].", HITS, fake, SETTINGS)
    assert [k.text for k in out.kept] == ["NATO Ministers of Defence convened in Brussels on 17-18 October."]
    assert out.dropped[0].score == 0.0
    assert new_facts("Yes. The ADSE is run by the UN in 2025.", P2) == {"UN", "2025"}


def test_a_claim_stitched_from_two_sentences_or_adding_its_own_words_is_dropped(fake):
    out = check("NATO Ministers of Defence pledged 40 billion euros in Brussels [1]. "
                "Ministers of Defence convened, voted and signed treaties in Brussels on 17-18 October [1]. "
                "Ministers of Defence convened in Brussels on 17-18 October [1].", HITS, fake, SETTINGS)
    assert [k.text for k in out.kept] == ["Ministers of Defence convened in Brussels on 17-18 October."]
    assert [d.reason for d in out.dropped] == ["not supported by the cited passage"] * 2


def test_a_claim_that_rearranges_its_sentence_into_another_claim_is_dropped(fake):
    out = check("Geospatial awareness and undersea infrastructure will focus on four priority areas, including "
                "the ADSE [2]. The ADSE will focus on four priority areas, including undersea infrastructure [2].",
                HITS, fake, SETTINGS)
    assert [k.text for k in out.kept] == ["The ADSE will focus on four priority areas, including undersea infrastructure."]
    assert [d.reason for d in out.dropped] == ["not supported by the cited passage"]
