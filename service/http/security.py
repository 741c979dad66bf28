"""Who may call what: API keys for /v1/*, an admin key for /v1/admin/*, compared in constant time.

Keys are read from the request headers `Authorization: Bearer <key>` or `X-API-Key: <key>` and are
never logged, echoed in an error, or kept beyond the comparison.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from pydantic import SecretStr

API_PREFIX = "/v1/"
ADMIN_PREFIX = "/v1/admin/"
MCP_PATH = "/mcp"  # the MCP server (streamable HTTP): the same API key as /v1/*
DOCUMENTS = "/v1/documents"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def changes_documents(method: str, path: str) -> bool:
    """Uploads and deletes of documents: they need the admin key, like /v1/admin/*."""
    return method in WRITE_METHODS and (path == DOCUMENTS or path.startswith(DOCUMENTS + "/"))


def key_id(key: bytes | None) -> str:
    """Who made a change, for logs and job records: a short hash of the key, never the key."""
    return "key:" + hashlib.sha256(key).hexdigest()[:12] if key else "anonymous"


@dataclass(frozen=True)
class Denial:
    """Why a request is refused: an HTTP status and a `detail` for the client."""

    status: int
    detail: str

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": "Bearer"} if self.status == 401 else {}


def _secret(value: SecretStr | str | None) -> bytes | None:
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    return raw.encode("utf-8") if raw else None


def presented_key(headers: dict[bytes, bytes]) -> bytes | None:
    """The key a client sent: `Authorization: Bearer <key>` first, else `X-API-Key`."""
    auth = headers.get(b"authorization", b"")
    scheme, _, token = auth.strip().partition(b" ")
    if scheme.lower() == b"bearer" and token.strip():
        return token.strip()
    key = headers.get(b"x-api-key", b"").strip()
    return key or None


def same_key(given: bytes, expected: bytes) -> bool:
    """Constant-time comparison: the time taken does not depend on where the keys differ."""
    return hmac.compare_digest(given, expected)


@dataclass(frozen=True)
class AccessPolicy:
    """The keys in force; `None` means that key is not configured."""

    api_key: bytes | None = None
    admin_key: bytes | None = None

    @classmethod
    def from_keys(cls, api_key: SecretStr | str | None, admin_key: SecretStr | str | None) -> "AccessPolicy":
        return cls(_secret(api_key), _secret(admin_key))

    def check(self, path: str, headers: dict[bytes, bytes], method: str = "GET") -> Denial | None:
        """None when the request may go on; otherwise the refusal to send."""
        if changes_documents(method, path):
            if self.admin_key is None:
                return Denial(403, "document changes are disabled: set BRIEFQA_ADMIN_KEY on the server "
                                   "and send it to add or delete documents")
            return _verify(presented_key(headers), self.admin_key, "the admin key (needed to change documents)")
        if path.startswith(ADMIN_PREFIX):
            if self.admin_key is None:
                return Denial(403, "admin routes are disabled: set BRIEFQA_ADMIN_KEY on the server to enable them")
            return _verify(presented_key(headers), self.admin_key, "the admin key")
        if _needs_api_key(path) and self.api_key is not None:
            given = presented_key(headers)
            if given is not None and self.admin_key is not None and same_key(given, self.admin_key):
                return None  # the key that may change documents may also read them
            return _verify(given, self.api_key, "an API key")
        return None


def _needs_api_key(path: str) -> bool:
    return path.startswith(API_PREFIX) or path == MCP_PATH or path.startswith(MCP_PATH + "/")


def _verify(given: bytes | None, expected: bytes, what: str) -> Denial | None:
    if given is None:
        return Denial(401, f"this route needs {what}: send `Authorization: Bearer <key>` or `X-API-Key: <key>`")
    if not same_key(given, expected):
        return Denial(403, f"the key sent is not {what} for this route")
    return None
