"""Follow-up questions: hit@k of a conversation's last turn retrieved with its history vs without it.

A conversation set is JSONL, one conversation a line: `id`, `split` (dev or heldout), `turns`
([{role, content}], the last user turn is the one scored), `evidence` (strings a passage answering the
last turn holds, any of them) and optionally `resolved` (the last turn written out in full).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from service.evaluation.metrics import mean
from service.evaluation.testset import load_jsonl
from service.pipeline import Engine
from service.pipeline.conversation import resolve

SPLITS = ("dev", "heldout")


@dataclass(frozen=True)
class Conversation:
    cid: str
    split: str
    questions: tuple[str, ...]  # the user turns, oldest first; the last one is scored
    evidence: tuple[str, ...]


def _conversation(row: dict[str, Any]) -> Conversation:
    questions = tuple(t["content"] for t in row["turns"] if t["role"] == "user")
    if len(questions) < 2 or not row["evidence"] or row["split"] not in SPLITS:
        raise ValueError("needs two user turns or more, evidence and a split of dev or heldout")
    return Conversation(row["id"], row["split"], questions, tuple(row["evidence"]))


def load_conversations(path: Path) -> list[Conversation]:
    return load_jsonl(path, "conversation", _conversation, "conversations")


def _rank(engine: Engine, query: str, evidence: tuple[str, ...], mode: str, k: int) -> int | None:
    """1-based rank of the first passage holding an evidence string, within the top k."""
    hits, _ = engine.search(query, k, mode)
    return next((n for n, h in enumerate(hits, start=1) if any(e in h.chunk.text for e in evidence)), None)


def evaluate_conversations(engine: Engine, conversations: list[Conversation], mode: str = "hybrid",
                           k: int = 5) -> dict[str, dict[str, object]]:
    """Per split: hit@k of the last turn alone, and resolved with the earlier turns."""
    out: dict[str, dict[str, object]] = {}
    for split in SPLITS:
        rows = [c for c in conversations if c.split == split]
        if not rows:
            continue
        alone: list[int | None] = []
        within: list[int | None] = []
        for c in rows:
            *history, last = c.questions
            alone.append(_rank(engine, last, c.evidence, mode, k))
            within.append(_rank(engine, resolve(last, history).query, c.evidence, mode, k))
        out[split] = {"conversations": len(rows), **_rates(alone, "without_history", k),
                      **_rates(within, "with_history", k),
                      "missed_with_history": [c.cid for c, r in zip(rows, within) if r is None]}
    return out


def _rates(ranks: list[int | None], label: str, k: int) -> dict[str, float]:
    return {f"hit@{k}_{label}": round(mean([float(r is not None) for r in ranks]), 4),
            f"hit@1_{label}": round(mean([float(r == 1) for r in ranks]), 4)}
