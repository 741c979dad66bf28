"""The MCP edge: briefqa's tools for agents (Claude Desktop, Cursor, ...), over stdio or streamable HTTP."""

from service.mcp.server import DOCUMENTS_URI, EngineSource, Render, build_server

__all__ = ["DOCUMENTS_URI", "EngineSource", "Render", "build_server"]
