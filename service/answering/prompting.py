"""Hits -> chat messages for the LLM answerer: the numbered passages [1]..[k] and the question."""

from __future__ import annotations

from service.models.chat import Message
from service.core.records import Hit
from service.text.sentences import clean

SYSTEM = (
    "Answer the question with one or two sentences taken from the passages. "
    "Start each sentence with the number of its passage in square brackets."
)
# One worked example turn: small models follow a demonstration far better than an instruction.
EXAMPLE_USER = (
    "Passages:\n\n[1] (Budget) The budget was approved in March.\n\n"
    "[2] (Buildings) The new headquarters will open in Brussels in 2026. It will host 4,000 staff.\n\n"
    "Question: when will the new headquarters open?"
)
EXAMPLE_ANSWER = "[2] The new headquarters will open in Brussels in 2026. [2] It will host 4,000 staff."


def passage_block(hits: list[Hit] | tuple[Hit, ...]) -> str:
    """`[n] (section) text` for each hit, numbered from 1 in rank order, emphasis markers removed."""
    parts = []
    for n, hit in enumerate(hits, start=1):
        section = hit.chunk.section[-1] if hit.chunk.section else ""
        head = f"[{n}] ({section})" if section else f"[{n}]"
        parts.append(f"{head} {clean(hit.chunk.text)}")
    return "\n\n".join(parts)


def messages(question: str, hits: list[Hit] | tuple[Hit, ...]) -> list[Message]:
    user = f"Passages:\n\n{passage_block(hits)}\n\nQuestion: {question}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": EXAMPLE_USER},
            {"role": "assistant", "content": EXAMPLE_ANSWER}, {"role": "user", "content": user}]
