"""The one-text tokenizer of queries gives exactly bm25s.tokenize's tokens."""

import bm25s
import pytest

from service.retrieval.bm25 import _STEMMER, tokenize

TEXTS = ["", "a", "The the THE of", "What are the ADSE priority areas?", "isn't it's we're running runs ran",
         "Ünïcödé émoji 🚀 1,000 EUR 20.9 — x_y foo-bar CO2 μg/mL", "Allies pledged €40 billion in 2024-25.",
         "Debian Policy §3.5: Dependencies, Pre-Depends and Breaks"]


@pytest.mark.parametrize("text", TEXTS)
def test_a_query_gets_the_tokens_bm25s_gives_it(text):
    expected = bm25s.tokenize([text], stopwords="en", stemmer=_STEMMER, return_ids=False, show_progress=False)[0]
    assert tokenize([text]) == [expected]
