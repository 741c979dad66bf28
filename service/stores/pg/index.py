"""One published build in PostgreSQL, as the query side sees it (a ServedIndex). Every call is one
round trip on a pooled connection; only the build's document titles are kept in memory."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import psycopg
from psycopg import sql

from service.retrieval.bm25 import Bm25Index
from service.core.errors import IndexCorrupt
from service.core.records import Chunk, Document, Section, Sentence, entity_spans
from service.stores.memory import local_sentences
from service.stores.pg.db import Database, as_array
from service.stores.pg.write import partition, vector_expr


def _ocr_pages(raw: Sequence[Any] | None) -> tuple[tuple[int, float], ...]:
    return tuple((int(p), float(c)) for p, c in raw or ())


def _document(row: Sequence[Any]) -> Document:
    doc_id, title, source, sha256, body, sections, pages, ocr_pages = row
    return Document(doc_id, title, source, body, sha256,
                    tuple(Section(t, lv, a, b, tuple(p), bs) for t, lv, a, b, p, bs in sections), tuple(pages),
                    _ocr_pages(ocr_pages))


class PgIndex:
    def __init__(self, db: Database, build_id: int, version: str, manifest: dict[str, Any], dimension: int,
                 titles: dict[str, str], scans: dict[str, Document] | None = None) -> None:
        self.db = db
        self.build_id = build_id
        self.version = version
        self.manifest = manifest
        self.dimension = dimension
        self.titles = titles
        self.scans = scans or {}  # doc_id -> a Document holding only its pages and OCR pages, for OCR'd ones
        self._sql = {name: sql.SQL(text).format(
            chunks=partition("chunks", build_id), sentences=partition("sentences", build_id),
            postings=partition("postings", build_id), documents=partition("documents", build_id),
            vec=vector_expr(dimension), dim=sql.Literal(dimension)) for name, text in _QUERIES.items()}

    @classmethod
    def load(cls, db: Database, conn: psycopg.Connection, build_id: int, version: str, manifest: dict[str, Any] | str,
             dimension: int) -> "PgIndex":
        """Open a build, checking that its rows are all there (they are written in one transaction)."""
        manifest = json.loads(manifest) if isinstance(manifest, str) else manifest
        try:
            rows = conn.execute(sql.SQL("SELECT doc_id, title, pages, ocr_pages FROM {}")
                                .format(partition("documents", build_id))).fetchall()
            titles = {doc_id: title for doc_id, title, _, _ in rows}
            scans = {doc_id: Document(doc_id, title, doc_id, "", "", (), tuple(pages), _ocr_pages(ocr))
                     for doc_id, title, pages, ocr in rows if ocr}
            chunks = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(partition("chunks", build_id))).fetchone()[0]
        except psycopg.errors.UndefinedTable as exc:
            raise IndexCorrupt(f"index build {version} is missing its tables in {db.where}") from exc
        counts = manifest["counts"]
        if chunks != counts["chunks"] or len(titles) != counts["documents"]:
            raise IndexCorrupt(f"index build {version}: row counts in {db.where} disagree with its manifest")
        return cls(db, build_id, version, manifest, dimension, titles, scans)

    @property
    def chunk_count(self) -> int:
        return int(self.manifest["counts"]["chunks"])

    def _rows(self, name: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self.db.connection() as conn:
            return conn.execute(self._sql[name], params).fetchall()

    def dense_top(self, q_vec: np.ndarray, n: int) -> dict[int, float]:
        vec = np.asarray(q_vec, dtype=np.float32)
        return {int(r): float(s) for r, s in self._rows("dense", (vec, vec, n))}

    def keyword_top(self, query: str, n: int) -> dict[int, float]:
        terms, counts = query_terms(query)
        if not terms:
            return {}
        return {int(r): float(s) for r, s in self._rows("keyword", (terms, counts, n))}

    def chunks(self, rows: Sequence[int]) -> list[Chunk]:
        if not rows:
            return []
        found = {r[0]: self._chunk(r[1:]) for r in self._rows("chunks", (list(rows),))}
        return [found[r] for r in rows]

    def all_chunks(self) -> list[Chunk]:
        return [self._chunk(r[1:]) for r in self._rows("all_chunks", ())]

    def _chunk(self, row: Sequence[Any]) -> Chunk:
        chunk = _chunk(row)
        scan = self.scans.get(chunk.doc_id)
        return replace(chunk, ocr=scan.ocr_confidence(chunk.start, chunk.end)) if scan else chunk

    def sentences_of(self, rows: Sequence[int]) -> tuple[list[list[int]], list[Sentence], np.ndarray]:
        if not rows:
            return [], [], np.zeros((0, self.dimension), np.float32)
        lists = dict(self._rows("sentence_rows", (list(rows),)))
        per_chunk, srows = local_sentences(rows, lists)
        found = {r[0]: r[1:] for r in self._rows("sentences", (srows,))} if srows else {}
        sentences = [Sentence(*found[s][:4], entity_spans(found[s][5])) for s in srows]
        vectors = np.stack([as_array(found[s][4]) for s in srows]) if srows \
            else np.zeros((0, self.dimension), np.float32)
        return per_chunk, sentences, vectors

    def document_list(self) -> list[Document]:
        return [_document(r) for r in self._rows("documents", ())]

    def document(self, doc_id: str) -> Document | None:
        found = self._rows("document", (doc_id,))
        return _document(found[0]) if found else None

    def title(self, doc_id: str) -> str:
        return self.titles[doc_id]

    def check(self) -> None:
        with self.db.connection() as conn:
            conn.execute("SELECT 1")


def query_terms(query: str) -> tuple[list[str], list[int]]:
    """The query's BM25 terms and how often each occurs (bm25s sums a repeated term's weight)."""
    counts = Counter(Bm25Index.query_tokens(query))
    return list(counts), list(counts.values())


def _chunk(row: Sequence[Any]) -> Chunk:
    chunk_id, doc_id, start, end, section, page, text = row
    return Chunk(chunk_id, doc_id, start, end, text, tuple(section), page)


_CHUNK_COLUMNS = "row_no, chunk_id, doc_id, start_offset, end_offset, section, page, passage"
_QUERIES = {
    "dense": "SELECT row_no, -({vec} <#> %s::vector({dim})) FROM {chunks} ORDER BY {vec} <#> %s::vector({dim}) LIMIT %s",
    "keyword": "SELECT p.row_no, sum(p.weight * q.n) AS score FROM {postings} p"
               " JOIN unnest(%s::text[], %s::int[]) AS q(term, n) ON p.term = q.term"
               " GROUP BY p.row_no ORDER BY score DESC, p.row_no LIMIT %s",
    "chunks": f"SELECT {_CHUNK_COLUMNS} FROM {{chunks}} WHERE row_no = ANY(%s)",
    "all_chunks": f"SELECT {_CHUNK_COLUMNS} FROM {{chunks}} ORDER BY row_no",
    "sentence_rows": "SELECT row_no, sentence_rows FROM {chunks} WHERE row_no = ANY(%s)",
    "sentences": "SELECT row_no, doc_id, start_offset, end_offset, sentence, embedding, entities"
                 " FROM {sentences}"
                 " WHERE row_no = ANY(%s)",
    "documents": "SELECT doc_id, title, source, sha256, body, sections, pages, ocr_pages FROM {documents} ORDER BY doc_id",
    "document": "SELECT doc_id, title, source, sha256, body, sections, pages, ocr_pages FROM {documents} WHERE doc_id = %s",
}
