"""Clients asking while documents are uploaded and deleted one after another, and the checks on every
response: none failed, each came from a published version, and none sent after a delete's job
published cites the deleted document. Used on the disk store and on PostgreSQL replicas."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import httpx

from tests.documents_api import ADMIN, upload, wait_job

NAMES = ("Quarnel", "Brisvane", "Tolmark", "Essenvik", "Parduin")


def harbour_doc(name: str, n: int) -> bytes:
    return (f"{name.upper()} HARBOUR COMMISSION\n\nDredging decisions\n\nThe {name} Harbour Commission approved a "
            f"dredging budget of {n + 11} million euros for 2032. The work covers the outer channel.\n").encode()


def harbour_question(name: str) -> str:
    return f"what dredging budget did the {name} Harbour Commission approve"


@dataclass
class Seen:
    sent: float
    status: int
    version: str | None
    cited: frozenset[str]
    base: str
    error: str = ""


@dataclass
class AskLoad:
    bases: list[str]  # one or more servers; client i asks bases[i % len]
    clients: int = 16
    stop: threading.Event = field(default_factory=threading.Event)
    seen: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _client(self, i: int) -> None:
        base = self.bases[i % len(self.bases)]
        questions = [harbour_question(n) for n in NAMES] + ["what are the ADSE priority areas"]
        with httpx.Client(base_url=base, timeout=60) as http:
            n = 0
            while not self.stop.is_set():
                n += 1
                sent = time.monotonic()
                try:
                    r = http.post("/v1/ask", json={"question": questions[(i + n) % len(questions)]})
                    body = r.json() if r.status_code == 200 else {}
                    one = Seen(sent, r.status_code, body.get("index_version"),
                               frozenset(c["doc_id"] for c in body.get("citations", ())), base,
                               "" if r.status_code == 200 else r.text[:200])
                except httpx.HTTPError as exc:
                    one = Seen(sent, 0, None, frozenset(), base, f"{type(exc).__name__}: {exc}")
                with self.lock:
                    self.seen.append(one)

    def __enter__(self) -> "AskLoad":
        self.threads = [threading.Thread(target=self._client, args=(i,), daemon=True) for i in range(self.clients)]
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=120)


def change_documents(admin: httpx.Client, follow: list[str] | None = None, follow_timeout: float = 30.0,
                     lags: list[float] | None = None) -> tuple[dict[str, str], dict[str, float], set[str]]:
    """Upload the five harbour documents, then delete three, one after another, each waiting for its
    job to publish. With `follow` (other servers' URLs), also wait until each serves the new version.
    Returns doc_id -> version that deleted it, doc_id -> when that was live everywhere, and every
    version published. `lags` collects how long each other server took to switch."""
    lags = [] if lags is None else lags
    published: set[str] = set()
    deleted_in: dict[str, str] = {}
    deleted_at: dict[str, float] = {}
    for n, name in enumerate(NAMES):
        job = wait_job(admin, upload(admin, {f"{name.lower()}.txt": harbour_doc(name, n)}).json()["job_id"])
        assert job["status"] == "published", job
        published.add(job["index_version"])
        lags.extend(_followed(follow or [], job["index_version"], follow_timeout))
    for name in NAMES[:3]:
        doc_id = f"{name.lower()}.txt"
        r = admin.delete(f"/v1/documents/{doc_id}", headers=ADMIN)
        assert r.status_code == 202, r.text
        job = wait_job(admin, r.json()["job_id"])
        assert job["status"] == "published", job
        lags.extend(_followed(follow or [], job["index_version"], follow_timeout))
        published.add(job["index_version"])
        deleted_in[doc_id], deleted_at[doc_id] = job["index_version"], time.monotonic()
    return deleted_in, deleted_at, published


def _followed(bases: list[str], version: str, timeout: float) -> list[float]:
    """Seconds each of `bases` took to serve `version`, from now (its job just published)."""
    t0, lags = time.monotonic(), []
    for base in bases:
        deadline = t0 + timeout
        while httpx.get(base + "/readyz", timeout=10).json().get("index_version") != version:
            assert time.monotonic() < deadline, f"{base} did not switch to {version} within {timeout}s"
            time.sleep(0.02)
        lags.append(time.monotonic() - t0)
    return lags


def check(seen: list[Seen], published: set[str], deleted_at: dict[str, float],
          deleted_in: dict[str, str]) -> dict[str, int]:
    failed = [s for s in seen if s.status != 200]
    assert not failed, f"{len(failed)} failed requests, e.g. {failed[:3]}"
    unknown = {s.version for s in seen} - published
    assert not unknown, f"answers from versions never published: {unknown}"
    late = [(doc, s) for doc, t in deleted_at.items() for s in seen if s.sent > t and doc in s.cited]
    assert not late, f"answers sent after a delete published still cite the deleted document: {late[:3]}"
    # versions sort by time: no answer from the delete's version or a later one cites the document
    newer = [(doc, s) for doc, v in deleted_in.items() for s in seen if s.version and s.version >= v and doc in s.cited]
    assert not newer, f"answers from a version at or after a delete still cite the deleted document: {newer[:3]}"
    never = [doc for doc, t in deleted_at.items() if not any(doc in s.cited and s.sent < t for s in seen)]
    assert not never, f"the check could not fail: {never} were never cited before their delete"
    after = sum(1 for s in seen for t in deleted_at.values() if s.sent > t)
    return {"requests": len(seen), "checked_after_deletes": after}
