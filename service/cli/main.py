"""Command line: briefqa index | serve | mcp | ask | search | eval | migrate | documents."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from service import __version__
from service.core.errors import BriefqaError
from service.core.modes import MODES

EXAMPLES = """examples:
  briefqa index                         rebuild the index after changing corpus/
  briefqa ask "what are the ADSE priority areas"
  briefqa search "air defence" --top-k 3 --json
  briefqa eval                          score retrieval on the packaged test set
  briefqa serve --port 8000             HTTP API on http://127.0.0.1:8000 (MCP at /mcp)
  briefqa mcp                           MCP server on stdio, for desktop clients
  briefqa documents add brief.pdf       upload to a running server and follow its index job
settings come from BRIEFQA_* environment variables (see README); flags override them."""


EVAL_EXAMPLES = """examples:
  briefqa eval --beir ../shared/benchmarks/scifact                 SciFact test, every mode
  briefqa eval --beir ../shared/benchmarks/scifact --split train --sweep
  briefqa eval --beir ../shared/benchmarks/scifact --report docs  write docs/EVALUATION.md
  briefqa eval --answers                                           answer figures, every corpus and split
  briefqa eval --answers debian-policy --lists                     one corpus, and the list set"""


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="briefqa", description="Ask policy documents questions; get answers citing exact passages.",
                                epilog=EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-V", "--version", action="version", version=f"briefqa {__version__}")
    p.add_argument("--corpus-dir", help="folder of documents (BRIEFQA_CORPUS_DIR, default corpus)")
    p.add_argument("--index-dir", help="folder of index builds (BRIEFQA_INDEX_DIR, default index)")
    p.add_argument("--model", help="embedding model: local dir or name (BRIEFQA_MODEL)")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("index", help="build the index from the corpus (only changed passages are re-embedded)")
    s.add_argument("--force", action="store_true", help="rebuild even if the index is up to date")
    s.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    s.add_argument("--json", action="store_true", help="print the summary as JSON")

    s = sub.add_parser("serve", help="run the HTTP API (builds the index first if there is none)")
    s.add_argument("--host", help="address to bind (BRIEFQA_HOST, default 127.0.0.1)")
    s.add_argument("--port", type=int, help="port to bind (BRIEFQA_PORT, default 8000)")

    for name, text, default_k in (("ask", "answer a question with cited passages", 5),
                                  ("search", "list the passages that best match a query", 10)):
        s = sub.add_parser(name, help=text)
        s.add_argument("text", metavar="QUESTION" if name == "ask" else "QUERY")
        s.add_argument("-k", "--top-k", type=int, default=default_k, help=f"passages to return (default {default_k})")
        s.add_argument("-m", "--mode", choices=MODES, help="retrieval mode (default hybrid)")
        s.add_argument("--json", action="store_true", help="print JSON, as the API returns it")
        if name == "ask":
            s.add_argument("--min-confidence", type=float, default=0.0, metavar="P",
                           help="abstain when the answer's confidence (0..1) is below P (default 0)")

    sub.add_parser("mcp", help="run the MCP server on stdin/stdout, for desktop clients (see README: MCP)")

    from service.cli.documents import add_parser as add_documents_parser

    add_documents_parser(sub)
    sub.add_parser("migrate", help="create or update the PostgreSQL store's schema (BRIEFQA_STORE)")

    s = sub.add_parser("eval", help="evaluate retrieval on the project's test set or a BEIR dataset",
                       epilog=EVAL_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    s.add_argument("--testset", help="questions JSONL (default: the packaged test set, service/evaluation/data/questions.jsonl)")
    s.add_argument("-m", "--mode", action="append", choices=MODES, help="mode(s) to score (default all)")
    s.add_argument("--json", action="store_true", help="print JSON")
    s.add_argument("--beir", metavar="DIR", help="a BEIR dataset folder (corpus.jsonl, queries.jsonl, qrels/); "
                   "its index is built once under INDEX_DIR/beir/ and reused")
    s.add_argument("--split", default="test", choices=("test", "train", "dev"), help="BEIR qrels split (default test)")
    s.add_argument("--sweep", action="store_true", help="with --beir: also score every fusion setting on the train split")
    s.add_argument("--report", metavar="OUT_DIR", help="write OUT_DIR/EVALUATION.md and a recall@k plot "
                   "(BEIR split, project test set, train sweep)")
    s.add_argument("--conversations", metavar="FILE", help="score follow-up questions of a conversation set "
                   "(e.g. tests/data/conversations.jsonl): last turn's hit@5 with vs without the history")
    s.add_argument("--reranker", metavar="DIR", help="local cross-encoder directory (BRIEFQA_RERANKER)")
    s.add_argument("--answers", nargs="*", metavar="CORPUS", choices=("brief", "debian-policy", "developers-reference"),
                   help="answer-level figures per split on the hand-written answer sets of these corpora (default: all "
                        "three); corpora other than the brief get their own index under INDEX_DIR/answers/")
    s.add_argument("--lists", action="store_true", help="item recall and complete lists on the list and section set")
    s.add_argument("--data", metavar="DIR", default="tests/data", help="folder of the answer and list sets and "
                   "their corpora/ (default tests/data)")
    return p


def _settings(args: argparse.Namespace) -> Any:
    from service.app.settings import Settings

    overrides = {k: v for k, v in {
        "corpus_dir": args.corpus_dir, "index_dir": args.index_dir, "model": args.model,
        "host": getattr(args, "host", None), "port": getattr(args, "port", None),
        "reranker": getattr(args, "reranker", None),
    }.items() if v is not None}
    return Settings(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = _settings(args)
        from service.cli import commands

        return commands.run(args, settings)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"]) or "settings"
        print(f"briefqa: error: invalid setting {where}: {first['msg']}", file=sys.stderr)
    except BriefqaError as exc:
        print(f"briefqa: error: {exc}", file=sys.stderr)
    except ValueError as exc:
        print(f"briefqa: error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("briefqa: interrupted", file=sys.stderr)
        return 130
    return 1


os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
