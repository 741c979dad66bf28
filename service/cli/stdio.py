"""`briefqa mcp`: the MCP server on stdin/stdout, for desktop clients (Claude Desktop, Cursor, ...).

stdout carries the protocol, so anything the model or index loading prints goes to stderr instead."""

from __future__ import annotations

import argparse
import contextlib
import sys

from service.app.runtime import load_engine
from service.app.settings import Settings


def run_mcp(args: argparse.Namespace, settings: Settings) -> int:
    from service.http.schemas import ask_response
    from service.mcp import build_server
    from service.pipeline.conversation import ask_in_context

    with contextlib.redirect_stdout(sys.stderr):
        engine = load_engine(settings)  # fails here, with one line, when there is no usable index
    server = build_server(lambda: engine, lambda answer, index: ask_response(answer, index).model_dump(),
                          ask_in_context)
    server.run("stdio")
    return 0
