import numpy as np
import pytest

from service.core.errors import ConfigError
from service.retrieval.dense import build_dense, tune


@pytest.fixture(scope="module")
def vectors():
    rng = np.random.default_rng(0)
    centres = rng.standard_normal((20, 32)).astype(np.float32)
    v = centres[rng.integers(0, 20, 3000)] + 0.1 * rng.standard_normal((3000, 32)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_flat_is_exact_inner_product(vectors):
    index = build_dense(vectors, "Flat")
    scores, rows = index.search(vectors[:5], 1)
    assert list(rows[:, 0]) == [0, 1, 2, 3, 4]
    assert np.allclose(scores[:, 0], 1.0, atol=1e-5)


@pytest.mark.parametrize("factory,knobs", [("HNSW16", {"ef_search": 64}), ("IVF16,Flat", {"nprobe": 8})])
def test_approximate_indexes_find_what_exact_search_finds(vectors, factory, knobs):
    exact = build_dense(vectors, "Flat")
    approx = build_dense(vectors, factory)
    tune(approx, **knobs)
    queries = vectors[::100] + 0.01
    _, truth = exact.search(queries, 10)
    _, found = approx.search(queries, 10)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(truth, found)])
    assert recall >= 0.9


def test_bad_factory_string_is_a_config_error(vectors):
    with pytest.raises(ConfigError, match="factory string 'NoSuchIndex'"):
        build_dense(vectors, "NoSuchIndex")


def test_store_builds_the_configured_index_type(corpus, tmp_path, fake):
    import faiss

    from service.stores.disk import files as store
    from tests.conftest import fake_build

    fake_build(corpus, tmp_path / "index", fake, faiss_index="HNSW16")
    loaded = store.load_build(tmp_path / "index")
    assert isinstance(faiss.downcast_index(loaded.dense), faiss.IndexHNSWFlat)
    assert loaded.manifest["settings"]["faiss_index"] == "HNSW16"
    scores, rows = loaded.dense.search(loaded.data.vectors[:3], 1)
    assert list(rows[:, 0]) == [0, 1, 2]
