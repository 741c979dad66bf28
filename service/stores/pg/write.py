"""Writing one build into PostgreSQL: partitions created LIKE their parents, filled with binary COPY,
indexed (HNSW on the vectors), attached, and the build row inserted, all in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

from service.retrieval.bm25 import Bm25Index
from service.stores.base import IndexData

TABLES = ("documents", "chunks", "sentences", "postings")


def partition(table: str, build_id: int) -> sql.Identifier:
    return sql.Identifier(f"briefqa_{table}_{int(build_id)}")


def vector_expr(dimension: int) -> sql.Composable:
    """The typed expression the HNSW index is built on (the column itself holds any dimension)."""
    return sql.SQL("(embedding::vector({}))").format(sql.Literal(int(dimension)))


def _create(conn: psycopg.Connection, table: str, build_id: int) -> None:
    conn.execute(sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, CHECK (build_id = {}))")
                 .format(partition(table, build_id), sql.Identifier(f"briefqa_{table}"), sql.Literal(build_id)))


def _copy(conn: psycopg.Connection, table: str, build_id: int, columns: Sequence[str], types: Sequence[str],
          rows: Iterable[Sequence[Any]]) -> None:
    stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT BINARY)").format(
        partition(table, build_id), sql.SQL(", ").join(map(sql.Identifier, ["build_id", *columns])))
    with conn.cursor().copy(stmt) as copy:
        copy.set_types(["int8", *types])
        for row in rows:
            copy.write_row((build_id, *row))


def _documents(data: IndexData) -> Iterable[Sequence[Any]]:
    for d in data.documents:
        sections = [[s.title, s.level, s.start, s.end, list(s.path), s.body_start] for s in d.sections]
        yield (d.doc_id, d.title, d.source, d.sha256, d.text, Jsonb(sections), Jsonb(list(d.pages)),
               Jsonb([list(p) for p in d.ocr_pages]))


def _chunks(data: IndexData) -> Iterable[Sequence[Any]]:
    for i, (c, key, sents) in enumerate(zip(data.chunks, data.chunk_keys, data.chunk_sentences)):
        yield (i, c.chunk_id, c.doc_id, c.start, c.end, list(c.section), c.page, c.text, key, list(sents),
               np.asarray(data.vectors[i], dtype=np.float32))


def _sentences(data: IndexData) -> Iterable[Sequence[Any]]:
    for i, (s, key) in enumerate(zip(data.sentences, data.sentence_keys)):
        yield (i, s.doc_id, s.start, s.end, s.text, key, np.asarray(data.sentence_vectors[i], dtype=np.float32),
               Jsonb([list(e) for e in s.entities]))


def _postings(bm25: Bm25Index) -> Iterable[Sequence[Any]]:
    for term, rows, weights in bm25.postings():
        for row, weight in zip(rows.tolist(), weights.tolist()):
            yield (term, row, weight)


def write_rows(conn: psycopg.Connection, build_id: int, data: IndexData) -> None:
    for table in TABLES:
        _create(conn, table, build_id)
    _copy(conn, "documents", build_id, ["doc_id", "title", "source", "sha256", "body", "sections", "pages", "ocr_pages"],
          ["text"] * 5 + ["jsonb"] * 3, _documents(data))
    _copy(conn, "chunks", build_id, ["row_no", "chunk_id", "doc_id", "start_offset", "end_offset", "section", "page",
                                     "passage", "embed_key", "sentence_rows", "embedding"],
          ["int4", "text", "text", "int4", "int4", "text[]", "int4", "text", "text", "int4[]", "vector"], _chunks(data))
    _copy(conn, "sentences", build_id, ["row_no", "doc_id", "start_offset", "end_offset", "sentence", "embed_key",
                                        "embedding", "entities"],
          ["int4", "text", "int4", "int4", "text", "text", "vector", "jsonb"], _sentences(data))
    _copy(conn, "postings", build_id, ["term", "row_no", "weight"], ["text", "int4", "float4"], _postings(data.bm25))


def index_and_attach(conn: psycopg.Connection, build_id: int, dimension: int, hnsw_m: int, ef_construction: int) -> None:
    """Keys, the HNSW index and the postings index, then attach each partition to its parent
    (the CHECK constraint spares PostgreSQL a validation scan; readers are not blocked)."""
    keys = {"documents": "doc_id", "chunks": "row_no", "sentences": "row_no", "postings": "term, row_no"}
    for table, key in keys.items():
        include = " INCLUDE (weight)" if table == "postings" else ""
        conn.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (build_id, " + key + ")" + include)
                     .format(partition(table, build_id)))
    conn.execute(sql.SQL("CREATE INDEX ON {} USING hnsw ({} vector_ip_ops) WITH (m = {}, ef_construction = {})").format(
        partition("chunks", build_id), vector_expr(dimension), sql.Literal(hnsw_m), sql.Literal(ef_construction)))
    for table in TABLES:
        conn.execute(sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(
            sql.Identifier(f"briefqa_{table}"), partition(table, build_id), sql.Literal(build_id)))
        conn.execute(sql.SQL("ANALYZE {}").format(partition(table, build_id)))
