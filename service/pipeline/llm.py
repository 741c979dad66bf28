"""The LLM answerer: extractive answer first (its passages are the prompt's), then the model's draft,
then the grounding check. Every failure path ends in the extractive answer with a note saying why."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from service.answering.answer_types import expected_type, lacks_type
from service.answering.grounding import Checked, Dropped, GroundingSettings, check
from service.models.chat import ChatModel, LlmError, Message
from service.pipeline import Engine
from service.answering.prompting import messages
from service.core.records import Answer, AnswerSentence

NO_LLM = "no LLM is configured on this server (BRIEFQA_LLM_URL); this is the extractive answer"
ABSTAINED = "the passages do not answer this question, so the LLM was not asked"
NOTHING_KEPT = "no generated sentence was supported by the passage it cites; this is the extractive answer"


@dataclass(frozen=True)
class LlmResult:
    answer: Answer  # sentences shown to the user, with their citations, hits and timings
    answerer: str  # "llm" or "extractive"
    scores: tuple[float | None, ...] = ()  # support score of each answer sentence (llm only)
    dropped: tuple[Dropped, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Prepared:
    """The extractive answer, and the prompt to send (None when the LLM is not to be asked)."""

    extractive: Answer
    prompt: list[Message] | None
    note: str | None

    @property
    def question(self) -> str:
        return self.extractive.question


def prepare(engine: Engine, model: ChatModel | None, question: str, top_k: int, mode: str | None,
            min_confidence: float = 0.0) -> Prepared:
    base = engine.ask(question, top_k, mode, min_confidence=min_confidence)
    if model is None:
        return Prepared(base, None, NO_LLM)
    if base.abstained:
        return Prepared(base, None, ABSTAINED)
    return Prepared(base, messages(question, base.hits), None)


def extractive(prepared: Prepared, note: str | None, dropped: tuple[Dropped, ...] = ()) -> LlmResult:
    return LlmResult(prepared.extractive, "extractive", dropped=dropped, note=note)


def finish(engine: Engine, prepared: Prepared, draft: str, grounding: GroundingSettings,
           generate_ms: float) -> LlmResult:
    """Check the draft; keep its supported sentences, or fall back when none is left."""
    base = prepared.extractive
    t = time.perf_counter()
    checked: Checked = typed_only(prepared.question, check(draft, base.hits, engine.embedder, grounding), base)
    timings = {**base.timings_ms, "generate": round(generate_ms, 3),
               "ground": round((time.perf_counter() - t) * 1000, 3)}
    if not checked.kept:
        return LlmResult(replace(base, timings_ms=timings), "extractive", dropped=checked.dropped, note=NOTHING_KEPT)
    sentences = tuple(AnswerSentence(k.text, k.citations) for k in checked.kept)
    answer = replace(base, sentences=sentences, abstained=False, timings_ms=timings)
    return LlmResult(answer, "llm", tuple(k.score for k in checked.kept), checked.dropped)


def typed_only(question: str, checked: Checked, base: Answer) -> Checked:
    """Drop a kept sentence that states an answer of the question's type (a date, an amount) that no
    passage it cites holds: the LLM may not supply the fact the documents lack."""
    kind = expected_type(question)
    kept, dropped = [], list(checked.dropped)
    for k in checked.kept:
        claim = lacks_type(kind, k.text, [base.hits[n - 1].chunk.text for n in k.citations])
        if claim is None:
            kept.append(k)
        else:
            dropped.append(Dropped(k.text, f"states a {kind} ({claim}) its passages do not hold", k.score))
    return Checked(tuple(kept), tuple(dropped))


def failed(prepared: Prepared, error: LlmError) -> LlmResult:
    return extractive(prepared, f"the LLM failed ({error}); this is the extractive answer")


def ask_llm(engine: Engine, model: ChatModel | None, question: str, top_k: int, mode: str | None,
            grounding: GroundingSettings, min_confidence: float = 0.0) -> LlmResult:
    """Blocking: the whole draft, then the check."""
    prepared = prepare(engine, model, question, top_k, mode, min_confidence)
    if prepared.prompt is None or model is None:
        return extractive(prepared, prepared.note)
    t = time.perf_counter()
    try:
        draft = model.complete(prepared.prompt)
    except LlmError as exc:
        return failed(prepared, exc)
    return finish(engine, prepared, draft, grounding, (time.perf_counter() - t) * 1000)


def stream_draft(model: ChatModel, prepared: Prepared, sink: Callable[[str], None]) -> Iterator[str]:
    """Yield the draft's pieces as they come (markers outside 1..k filtered out); `sink` gets the raw text."""
    assert prepared.prompt is not None
    visible = MarkerFilter(len(prepared.extractive.hits))
    for delta in model.stream(prepared.prompt):
        sink(delta)
        shown = visible.feed(delta)
        if shown:
            yield shown
    rest = visible.flush()
    if rest:
        yield rest


class MarkerFilter:
    """Streaming text with `[n]` markers outside 1..k removed, even when a marker spans two pieces."""

    def __init__(self, k: int) -> None:
        self.k = k
        self._held = ""

    def feed(self, piece: str) -> str:
        out = []
        for ch in piece:
            if self._held:
                self._held += ch
                if ch == "]":
                    out.append(self._resolve())
                elif not (ch.isdigit() or ch in " ,;") or len(self._held) > 12:
                    out.append(self._held)
                    self._held = ""
            elif ch == "[":
                self._held = ch
            else:
                out.append(ch)
        return "".join(out)

    def _resolve(self) -> str:
        inside, self._held = self._held[1:-1], ""
        numbers = [int(n) for n in inside.replace(";", ",").split(",") if n.strip().isdigit()]
        good = [n for n in numbers if 1 <= n <= self.k]
        return "".join(f"[{n}]" for n in good)

    def flush(self) -> str:
        held, self._held = self._held, ""
        return held
