"""OpenAI-compatible request and response models (/v1/models, /v1/chat/completions) and the assistant
message: the cited answer with its [n] markers and a short sources list. The structured answer (the
/v1/ask response) travels in the extra field `briefqa`, on the completion and on the stream's last chunk."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from service.core.modes import Mode
from service.http.middleware import OPENAI_PATHS
from service.http.schemas import ADSE, AskResponse, Count, Passage

__all__ = ["OPENAI_PATHS"]
EXTRACTIVE_MODEL = "briefqa"
LLM_MODEL = "briefqa-llm"


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = Field(max_length=40)
    text: str | None = Field(None, max_length=2000)


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")  # name, tool_calls, ...: accepted, not used
    role: Literal["system", "developer", "user", "assistant", "tool"]
    content: str | list[ContentPart] | None = Field(None, description="Text, or OpenAI content parts (text parts are read).")

    @property
    def text(self) -> str:
        if isinstance(self.content, list):
            return " ".join(p.text for p in self.content if p.type == "text" and p.text).strip()
        return (self.content or "").strip()


_USER_TEXT = {"type": "object", "required": ["role", "content"],  # at least one user message with text
              "properties": {"role": {"const": "user"}, "content": {"type": "string", "pattern": "\\S"}}}


class ChatRequest(BaseModel):
    """OpenAI's chat request. Sampling options (temperature, max_tokens, ...) are accepted and ignored."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [
        {"model": EXTRACTIVE_MODEL, "messages": [{"role": "user", "content": ADSE}]}]})
    model: str = Field(min_length=1, max_length=200, description="`briefqa` (extractive) or `briefqa-llm` (when an "
                       "LLM is configured); GET /v1/models lists them.")
    messages: list[ChatMessage] = Field(min_length=1, max_length=100, json_schema_extra={"contains": _USER_TEXT},
                                        description="The conversation: the last user message with text is the "
                                        "question, earlier user turns resolve follow-ups.")
    stream: bool | None = Field(False, description="Answer as server-sent chunks, ending `data: [DONE]`.")
    top_k: Count = Field(5, ge=1, le=20, description="briefqa extension: passages to retrieve and cite.")
    mode: Mode = Field("hybrid", description="briefqa extension: retrieval mode.")
    min_confidence: float = Field(0.0, ge=0.0, le=1.0, description="briefqa extension: abstain when the answer's "
                                  "confidence is below this.")


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    briefqa: AskResponse = Field(description="The structured answer, as POST /v1/ask returns it: citations with "
                                 "doc_id, section, page, start, end and exact text.")


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "briefqa"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIErrorOut(BaseModel):
    """OpenAI's error shape; `detail` repeats the message, as on every other briefqa route."""

    error: ErrorDetail
    detail: str


ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "invalid_request_error", 413: "invalid_request_error", 415: "invalid_request_error",
               422: "invalid_request_error", 503: "service_unavailable"}


def error_body(status: int, message: str, param: str | None = None, code: str | None = None) -> dict:
    kind = ERROR_TYPES.get(status, "api_error")
    return {"error": {"message": message, "type": kind, "param": param, "code": code}, "detail": message}


def _source_line(p: Passage) -> str:
    where = ", ".join(x for x in (p.title, p.section, f"p. {p.page}" if p.page else "") if x)
    return f"[{p.n}] {where} ({p.doc_id}, chars {p.start}-{p.end})"


def message_text(answer: AskResponse, asked: str) -> str:
    """The cited answer, which question it answered when that is not what was typed, and the sources."""
    parts = [] if answer.question == asked else [f"Answering: {answer.question}"]
    parts.append(answer.answer)
    reason = getattr(getattr(answer, "abstention", None), "reason", None)
    if answer.abstained and reason and reason not in answer.answer:
        parts.append(str(reason))
    if answer.citations:
        title = "Closest passages (none answers the question):" if answer.abstained else "Sources:"
        parts.append("\n".join([title, *(_source_line(p) for p in answer.citations)]))
    return "\n\n".join(parts)
