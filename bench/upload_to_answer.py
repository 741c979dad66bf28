"""Upload-to-answer time of a 20-page PDF, against the old way, in the same run on the same server.

Candidate: POST /v1/documents with the PDF, follow its job until `published`, ask a question only
that PDF answers: seconds from the POST to an answer citing it (and each job step's share).
Baseline: the way before this API: copy a PDF of the same size into corpus/, run `briefqa index`,
POST /v1/admin/reload, ask: seconds from the copy to the answer.

    python bench/upload_to_answer.py [--pages 20] [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.documents_api import ADMIN, ADMIN_KEY, upload, wait_job  # noqa: E402
from tests.formats import write_pdf  # noqa: E402
from tests.live_server import subprocess_server  # noqa: E402



def report(name: str, sections: int) -> tuple[str, str, str]:
    """A report of `sections` sections of station logs with one fact about `name`; (text, question, answer words)."""
    lines = [f"{name.upper()} PORT AUTHORITY ANNUAL REPORT", ""]
    for s in range(1, sections + 1):
        lines += [f"{s}. STATION LOGS OF DISTRICT {s}", ""]
        for i in range(4):
            n = s * 10 + i
            lines += [f"Station {n} logged {n * 3 % 97 + 4} visits in cycle {n % 10}. Its keepers reported on the lamp "
                      f"housing, the fog signal, the landing stage and {n % 7 + 2} supply deliveries.", ""]
    fact = f"{sections * 3 + 7} million euros"
    lines += [f"{sections + 1}. BUDGET DECISIONS", "",
              f"The {name} Port Authority approved a pier renewal budget of {fact} for 2033.", ""]
    return "\n".join(lines), f"what pier renewal budget did the {name} Port Authority approve", fact


def _seconds(a: str, b: str) -> float:
    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds()


def _answered(client: httpx.Client, question: str, fact: str, doc_id: str) -> bool:
    body = client.post("/v1/ask", json={"question": question}).json()
    return fact in body["answer"] and any(c["doc_id"] == doc_id for c in body["citations"])


def candidate(client: httpx.Client, pdf: Path, question: str, fact: str) -> dict:
    t0 = time.perf_counter()
    r = upload(client, {pdf.name: pdf.read_bytes()})
    seen: list[dict] = []
    job = wait_job(client, r.json()["job_id"], seen=seen)
    assert job["status"] == "published", job
    ok = _answered(client, question, fact, pdf.name)
    total = time.perf_counter() - t0
    return {"seconds": round(total, 2), "answered": ok, "job_s": round(_seconds(job["created_at"], job["finished_at"]), 2),
            "queued_s": round(_seconds(job["created_at"], job["started_at"]), 2),
            "steps_seen": sorted({s["step"] for s in seen})}


def baseline(client: httpx.Client, env: dict[str, str], corpus: Path, pdf: Path, question: str, fact: str) -> dict:
    t0 = time.perf_counter()
    shutil.copy(pdf, corpus / pdf.name)
    subprocess.run([sys.executable, "-m", "service", "index", "--quiet"], env={**os.environ, **env}, cwd=ROOT, check=True)
    client.post("/v1/admin/reload", headers=ADMIN).raise_for_status()
    ok = _answered(client, question, fact, pdf.name)
    return {"seconds": round(time.perf_counter() - t0, 2), "answered": ok}


def _write(pdf: Path, name: str, pages: int) -> tuple[int, str, str]:
    """The report as a PDF of exactly `pages` pages (sections added until it is); (pages, question, fact)."""
    sections = pages * 2
    while True:
        text, question, fact = report(name, sections)
        got = write_pdf(text, pdf, title=f"{name} Port Authority annual report").pages
        if got >= pages:
            return got, question, fact
        sections += 1


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="briefqa-upload-bench-"))
    corpus, index = work / "corpus", work / "index"
    shutil.copytree(ROOT / "corpus", corpus, ignore=shutil.ignore_patterns("README*"))
    env = {"BRIEFQA_CORPUS_DIR": str(corpus), "BRIEFQA_INDEX_DIR": str(index), "BRIEFQA_ADMIN_KEY": ADMIN_KEY}
    subprocess.run([sys.executable, "-m", "service", "index", "--quiet"], env={**os.environ, **env}, cwd=ROOT, check=True)
    names = ["Amberlee", "Corvent", "Dunmarsh", "Fellwick", "Gorsey", "Halvern"]
    results: dict[str, list[dict]] = {"candidate": [], "baseline": []}
    with subprocess_server(env, work / "serve.log") as (url, _proc), httpx.Client(base_url=url, timeout=300) as client:
        for run in range(args.runs):
            for kind in ("baseline", "candidate"):
                name = names.pop()
                pdf = work / f"{name.lower()}-report.pdf"
                pages, question, fact = _write(pdf, name, args.pages)
                out = (candidate(client, pdf, question, fact) if kind == "candidate"
                       else baseline(client, env, corpus, pdf, question, fact))
                results[kind].append({"pages": pages, "bytes": pdf.stat().st_size, **out})
    load = os.getloadavg()
    out = {"load_avg": [round(x, 2) for x in load], **results}
    print(json.dumps(out, indent=2))
    (ROOT / "bench" / "results").mkdir(exist_ok=True)
    (ROOT / "bench" / "results" / "upload_to_answer.json").write_text(json.dumps(out, indent=2) + "\n")
    best = {k: min(r["seconds"] for r in v) for k, v in results.items()}
    print(f"upload-to-answer, {args.pages}-page PDF: API upload {best['candidate']:.2f} s (best of {args.runs}); "
          f"copy + `briefqa index` + reload {best['baseline']:.2f} s; load average {load[0]:.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
