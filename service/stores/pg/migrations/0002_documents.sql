-- briefqa schema 3: the documents the API manages, and its index jobs, so that any machine that builds
-- can read every uploaded file and any replica can report any job.
CREATE TABLE briefqa_files (
    doc_id    text PRIMARY KEY,
    data      bytea NOT NULL,
    sha256    text NOT NULL,
    added_at  timestamptz NOT NULL DEFAULT now()
);

-- Removed, replaced and withdrawn (unreadable) copies, kept so a mistaken change can be undone by hand.
CREATE TABLE briefqa_kept_files (
    kept_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    doc_id    text NOT NULL,
    data      bytea NOT NULL,
    sha256    text NOT NULL,
    reason    text NOT NULL CHECK (reason IN ('removed', 'rejected')),
    kept_at   timestamptz NOT NULL DEFAULT now()
);

-- One row once the corpus folder of the first server has been copied in (or the API added a file).
CREATE TABLE briefqa_files_seeded (
    only_row   boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    seeded_at  timestamptz NOT NULL DEFAULT now(),
    source     text NOT NULL
);

CREATE TABLE briefqa_jobs (
    job_id      text PRIMARY KEY,
    runner      text NOT NULL,
    status      text NOT NULL,
    record      jsonb NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX briefqa_jobs_unfinished ON briefqa_jobs (status) WHERE status IN ('queued', 'running');
