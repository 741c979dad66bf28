"""Helpers for tests of the document-change API: a private copy of the real index, uploads, waiting
for a job, and a snapshot of a folder tree (to show that a refused request changed nothing)."""

from __future__ import annotations

import hashlib
import shutil
import time
from pathlib import Path

import httpx

ADMIN_KEY = "docs-admin-key"
ADMIN = {"X-API-Key": ADMIN_KEY}


def private_copy(settings, base: Path, **update):
    """`settings`' corpus and index copied under `base`, so a test may change them."""
    shutil.copytree(settings.corpus_dir, base / "corpus")
    shutil.copytree(settings.index_dir, base / "index", ignore=shutil.ignore_patterns("beir"))
    return settings.model_copy(update={"corpus_dir": base / "corpus", "index_dir": base / "index", **update})


def upload(client, files: dict[str, bytes], replace: bool = False, headers=ADMIN) -> httpx.Response:
    parts = [("files", (name, data, "application/octet-stream")) for name, data in files.items()]
    return client.post("/v1/documents" + ("?replace=true" if replace else ""), files=parts, headers=headers)


def wait_job(client, job_id: str, timeout: float = 300.0, seen: list[dict] | None = None) -> dict:
    """Poll the job until it is published or failed; `seen` collects every state it was seen in."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}", headers=ADMIN).json()
        if seen is not None:
            seen.append(job)
        if job["status"] in ("published", "failed"):
            return job
        time.sleep(0.1)
    raise TimeoutError(f"job {job_id} did not finish in {timeout}s: {job}")


def tree(folder: Path) -> dict[str, str]:
    """relative path -> sha256 of every file under `folder`."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


UNIQUE_FACT = ("The Zorvathian Lighthouse Authority approved a maintenance budget of 77 million euros for 2031. "
               "The budget covers the northern beacon chain and the tidal observatory.")
UNIQUE_QUESTION = "what maintenance budget did the Zorvathian Lighthouse Authority approve"


def unique_text(title: str = "ZORVATHIAN LIGHTHOUSE AUTHORITY") -> str:
    return f"{title}\n\nBudget decisions\n\n{UNIQUE_FACT}\n"


def raw_upload(client, filename: bytes, data: bytes, headers=ADMIN) -> httpx.Response:
    """A multipart upload whose filename bytes go on the wire as given (httpx would escape control
    characters), as a hostile client would send them."""
    boundary = b"briefqa-test-boundary"
    body = (b"--" + boundary + b"\r\nContent-Disposition: form-data; name=\"files\"; filename=\"" + filename
            + b"\"\r\nContent-Type: application/octet-stream\r\n\r\n" + data + b"\r\n--" + boundary + b"--\r\n")
    return client.post("/v1/documents", content=body,
                       headers={**headers, "Content-Type": "multipart/form-data; boundary=" + boundary.decode()})


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")


def lighthouse_report(sections: int, fact: str = UNIQUE_FACT) -> str:
    """A report of `sections` sections of routine station logs, with `fact` in the last one:
    about two sections a page in the PDF writer's layout."""
    parts = ["ZORVATHIAN LIGHTHOUSE AUTHORITY ANNUAL REPORT", ""]
    for s in range(1, sections + 1):
        parts += [f"{s}. STATION LOGS OF DISTRICT {s}", ""]
        for i in range(4):
            n = s * 10 + i
            parts += [f"Station {n} logged {n * 3 % 97 + 4} maintenance visits in the {MONTHS[n % 10]} inspection "
                      f"cycle. Its keepers reported on the lamp housing, the fog signal, the landing stage and "
                      f"the {n % 7 + 2} supply deliveries, and recorded {n % 5} storm closures of the approach road.", ""]
    parts += [f"{sections + 1}. BUDGET DECISIONS", "", fact, ""]
    return "\n".join(parts)


def write_report_pdf(path: Path, sections: int, fact: str = UNIQUE_FACT) -> int:
    """Write the report as a PDF; returns the page where `fact` starts."""
    from tests.formats import write_pdf

    layout = write_pdf(lighthouse_report(sections, fact), path, title="Zorvathian Lighthouse Authority annual report")
    return next(page for word, page in layout.words if word.startswith("Zorvathian") and page > 1)
