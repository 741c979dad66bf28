-- briefqa index store, schema 1. Applied once by `briefqa index` (or `briefqa migrate`), recorded in
-- briefqa_schema. Each build's rows live in partitions named <table>_<build_id>, created LIKE the parent,
-- filled, indexed and attached in the build's one transaction, and dropped whole when pruned.
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE briefqa_builds (
    build_id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    version     text NOT NULL UNIQUE,
    manifest    jsonb NOT NULL,
    dimension   integer NOT NULL CHECK (dimension > 0),
    created_at  timestamptz NOT NULL DEFAULT now(),
    retired_at  timestamptz  -- when it stopped being current; NULL while current or never published
);

-- The current pointer: one row, replaced in one statement by a publish.
CREATE TABLE briefqa_current (
    only_row      boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    build_id      bigint NOT NULL REFERENCES briefqa_builds (build_id),
    published_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE briefqa_documents (
    build_id  bigint NOT NULL,
    doc_id    text NOT NULL,
    title     text NOT NULL,
    source    text NOT NULL,
    sha256    text NOT NULL,
    body      text NOT NULL,
    sections  jsonb NOT NULL,
    pages     jsonb NOT NULL,
    PRIMARY KEY (build_id, doc_id)
) PARTITION BY LIST (build_id);

-- A passage is exactly body[start_offset:end_offset) of its document; `passage` repeats that text so
-- a query needs no document.
CREATE TABLE briefqa_chunks (
    build_id       bigint NOT NULL,
    row_no         integer NOT NULL,
    chunk_id       text NOT NULL,
    doc_id         text NOT NULL,
    start_offset   integer NOT NULL,
    end_offset     integer NOT NULL,
    section        text[] NOT NULL,
    page           integer,
    passage        text NOT NULL,
    embed_key      text NOT NULL,
    sentence_rows  integer[] NOT NULL,
    embedding      vector NOT NULL,
    PRIMARY KEY (build_id, row_no)
) PARTITION BY LIST (build_id);

CREATE TABLE briefqa_sentences (
    build_id      bigint NOT NULL,
    row_no        integer NOT NULL,
    doc_id        text NOT NULL,
    start_offset  integer NOT NULL,
    end_offset    integer NOT NULL,
    sentence      text NOT NULL,
    embed_key     text NOT NULL,
    embedding     vector NOT NULL,
    PRIMARY KEY (build_id, row_no)
) PARTITION BY LIST (build_id);

-- BM25 held in the database: one row per (term, passage) with its Lucene BM25 weight
-- idf(term) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len / avglen)), so a query's score is a sum.
CREATE TABLE briefqa_postings (
    build_id  bigint NOT NULL,
    term      text NOT NULL,
    row_no    integer NOT NULL,
    weight    real NOT NULL,
    PRIMARY KEY (build_id, term, row_no) INCLUDE (weight)
) PARTITION BY LIST (build_id);
