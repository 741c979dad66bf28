"""A client for an OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp's server, hosted APIs).

Blocking and streaming (server-sent events) completions; every failure (timeout, refused connection,
HTTP error, malformed body) becomes one typed `LlmError`, so callers have one thing to fall back on.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import httpx

from service.core.errors import BriefqaError

Message = dict[str, str]


class LlmError(BriefqaError):
    """The LLM endpoint failed, timed out or answered something unusable."""


class ChatModel(Protocol):
    """What the LLM answerer needs: a whole completion, or its text piece by piece."""

    def complete(self, messages: list[Message]) -> str: ...

    def stream(self, messages: list[Message]) -> Iterator[str]: ...


@dataclass(frozen=True)
class LlmConfig:
    base_url: str  # e.g. http://127.0.0.1:8080/v1
    model: str = "default"
    api_key: str | None = None
    timeout_s: float = 30.0
    max_tokens: int = 256
    temperature: float = 0.0

    def __post_init__(self) -> None:
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"LLM URL must start with http:// or https://, got {self.base_url!r}")


class OpenAIChat:
    """POST {base_url}/chat/completions. `timeout_s` bounds the whole call, not just each read."""

    def __init__(self, config: LlmConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        self._url = config.base_url.rstrip("/") + "/chat/completions"
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self._client = httpx.Client(headers=headers, timeout=httpx.Timeout(config.timeout_s, connect=min(5.0, config.timeout_s)),
                                    transport=transport)

    def _payload(self, messages: list[Message], stream: bool) -> dict:
        c = self.config
        return {"model": c.model, "messages": messages, "max_tokens": c.max_tokens,
                "temperature": c.temperature, "stream": stream}

    def complete(self, messages: list[Message]) -> str:
        try:
            r = self._client.post(self._url, json=self._payload(messages, stream=False))
        except httpx.TimeoutException as exc:
            raise LlmError(f"the LLM did not answer within {self.config.timeout_s:g} s") from exc
        except httpx.HTTPError as exc:
            raise LlmError(f"the LLM endpoint could not be reached: {type(exc).__name__}") from exc
        _check_status(r)
        try:
            return str(r.json()["choices"][0]["message"]["content"] or "")
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LlmError("the LLM endpoint answered with an unexpected body") from exc

    def stream(self, messages: list[Message]) -> Iterator[str]:
        """Text deltas as the model produces them; raises LlmError mid-way if the endpoint fails."""
        deadline = time.monotonic() + self.config.timeout_s
        try:
            with self._client.stream("POST", self._url, json=self._payload(messages, stream=True)) as r:
                if r.status_code != 200:
                    r.read()
                    _check_status(r)
                for line in r.iter_lines():
                    if time.monotonic() > deadline:
                        raise LlmError(f"the LLM did not finish within {self.config.timeout_s:g} s")
                    delta = _sse_delta(line)
                    if delta is None:
                        return
                    if delta:
                        yield delta
        except httpx.TimeoutException as exc:
            raise LlmError(f"the LLM did not answer within {self.config.timeout_s:g} s") from exc
        except httpx.HTTPError as exc:
            raise LlmError(f"the LLM endpoint could not be reached: {type(exc).__name__}") from exc

    def close(self) -> None:
        self._client.close()


def _check_status(r: httpx.Response) -> None:
    if r.status_code != 200:
        raise LlmError(f"the LLM endpoint answered HTTP {r.status_code}")


def _sse_delta(line: str) -> str | None:
    """One SSE line of a streamed chat completion -> its text delta ('' for none), None at [DONE]."""
    if not line.startswith("data:"):
        return ""
    data = line[5:].strip()
    if data == "[DONE]":
        return None
    try:
        choice = json.loads(data)["choices"][0]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LlmError("the LLM endpoint streamed an unexpected event") from exc
    return str((choice.get("delta") or {}).get("content") or "")
