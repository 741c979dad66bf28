"""`briefqa documents add|rm|list|jobs`: change a running server's documents over its HTTP API, so
scripts need no curl. Talks to BRIEFQA_SERVER_URL (or --url) with BRIEFQA_ADMIN_KEY (or --key)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from service.app.settings import Settings
from service.cli.output import emit_json
from service.core.errors import BriefqaError

FINISHED = ("published", "failed")


class ServerSaid(BriefqaError):
    """The server refused the request; the message is its `detail`."""


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("documents", help="add, remove or list a running server's documents, and follow its index jobs",
                       epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", help="server URL (BRIEFQA_SERVER_URL, default http://127.0.0.1:8000)")
    common.add_argument("--key", help="admin key (BRIEFQA_ADMIN_KEY); reading needs only an API key")
    common.add_argument("--json", action="store_true", help="print the server's JSON")
    ops = p.add_subparsers(dest="operation", required=True, metavar="OPERATION")
    a = ops.add_parser("add", help="upload files and index them", parents=[common])
    a.add_argument("files", nargs="+", metavar="FILE")
    a.add_argument("--replace", action="store_true", help="replace documents of the same name")
    a.add_argument("--no-wait", action="store_true", help="return once the job is queued")
    r = ops.add_parser("rm", help="remove a document (the server keeps a copy under index/removed/)", parents=[common])
    r.add_argument("doc_id", metavar="DOC_ID")
    r.add_argument("--no-wait", action="store_true", help="return once the job is queued")
    ops.add_parser("list", help="list the documents being served", parents=[common])
    j = ops.add_parser("jobs", help="list recent index jobs, or show one", parents=[common])
    j.add_argument("job_id", nargs="?", metavar="JOB_ID")


EXAMPLES = """examples:
  briefqa documents add brief.pdf annex.docx      upload, then follow the job until it is published
  briefqa documents add brief.pdf --replace
  briefqa documents rm brief.pdf
  briefqa documents jobs                           recent jobs; `jobs JOB_ID` for one
  briefqa documents list --url http://10.0.0.5:8000 --json"""


def _client(args: argparse.Namespace, settings: Settings) -> httpx.Client:
    key = args.key or (settings.admin_key or settings.api_key)
    raw = key.get_secret_value() if hasattr(key, "get_secret_value") else key
    headers = {"X-API-Key": raw} if raw else {}
    return httpx.Client(base_url=(args.url or settings.server_url).rstrip("/"), headers=headers, timeout=120)


def _check(r: httpx.Response) -> Any:
    try:
        body = r.json()
    except ValueError:
        body = None
    if r.status_code >= 400:
        detail = body.get("detail") if isinstance(body, dict) else None
        raise ServerSaid(f"the server answered {r.status_code}: {detail or r.text[:200]}")
    return body


def _line(job: dict[str, Any]) -> str:
    if job["status"] == "published":
        return f"job {job['job_id']}: published -> version {job['index_version']}"
    if job["status"] == "failed":
        return f"job {job['job_id']}: failed: {job['detail']}"
    counts = f" {job['done']}/{job['total']}" if job["total"] else ""
    eta = f" (about {job['eta_s']:.0f}s left)" if job.get("eta_s") is not None else ""
    return f"job {job['job_id']}: {job['status']}, {job['step']}{counts}{eta}"


def _follow(client: httpx.Client, job: dict[str, Any], quiet: bool) -> dict[str, Any]:
    shown = ""
    while True:
        line = _line(job)
        if line != shown and not quiet:
            print(line, file=sys.stderr)
            shown = line
        if job["status"] in FINISHED:
            return job
        time.sleep(0.5)
        job = _check(client.get(f"/v1/jobs/{job['job_id']}"))


def _submit(args: argparse.Namespace, client: httpx.Client) -> dict[str, Any]:
    if args.operation == "rm":
        return _check(client.delete("/v1/documents/" + args.doc_id))
    parts = []
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            raise BriefqaError(f"{name} is not a file")
        parts.append(("files", (path.name, path.read_bytes(), "application/octet-stream")))
    return _check(client.post("/v1/documents", files=parts, params={"replace": "true"} if args.replace else {}))


def _read(args: argparse.Namespace, client: httpx.Client) -> int:
    if args.operation == "list":
        body = _check(client.get("/v1/documents"))
        lines = [f"{d['doc_id']}\t{d.get('format') or ''}\t{d.get('pages') or ''}\t{d.get('passages')}\t{d['title']}"
                 for d in body["documents"]]
    elif args.job_id:
        body = _check(client.get(f"/v1/jobs/{args.job_id}"))
        lines = [_line(body)]
    else:
        body = _check(client.get("/v1/jobs"))
        lines = [_line(j) for j in body["jobs"]]
    if args.json:
        emit_json(body)
    else:
        print("\n".join(lines))
    return 0


def documents(args: argparse.Namespace, settings: Settings) -> int:
    try:
        with _client(args, settings) as client:
            if args.operation in ("list", "jobs"):
                return _read(args, client)
            job = _submit(args, client)
            if not args.no_wait:
                job = _follow(client, job, args.json)
    except httpx.TransportError as exc:
        raise BriefqaError(f"cannot reach the server at {args.url or settings.server_url} ({exc}); "
                           "is `briefqa serve` running there?") from exc
    if args.json:
        emit_json(job)
    elif args.no_wait:
        print(_line(job))
    return 1 if job["status"] == "failed" else 0
