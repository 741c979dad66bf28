"""Follow-up questions on the hand-written conversation set (tests/data/conversations.jsonl), with the
real model and index: the last turn's hit@5 with its history vs without, through `briefqa eval`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.cli.main import main
from service.core.errors import BriefqaError
from service.evaluation.conversations import evaluate_conversations, load_conversations

pytestmark = pytest.mark.integration
CONVERSATIONS = Path(__file__).resolve().parents[2] / "data" / "conversations.jsonl"


def test_the_set_is_at_least_30_two_turn_conversations_with_evidence_in_the_brief(real_engine):
    conversations = load_conversations(CONVERSATIONS)
    assert len(conversations) >= 30 and {c.split for c in conversations} == {"dev", "heldout"}
    texts = [c.text for c in real_engine.index.all_chunks()]
    for c in conversations:
        assert len(c.questions) == 2
        assert any(e in t for e in c.evidence for t in texts), f"{c.cid}: no passage holds its evidence"


def test_history_lifts_held_out_hit_at_5(real_engine):
    heldout = evaluate_conversations(real_engine, load_conversations(CONVERSATIONS), "hybrid")["heldout"]
    print(f"held-out hybrid: {heldout}")
    assert heldout["hit@5_with_history"] >= 0.9
    assert heldout["hit@5_with_history"] >= heldout["hit@5_without_history"] + 0.1
    assert heldout["hit@1_with_history"] > heldout["hit@1_without_history"]


def test_briefqa_eval_conversations_prints_both_figures_per_split(real_settings, capsys):
    dirs = ["--index-dir", str(real_settings.index_dir), "--corpus-dir", str(real_settings.corpus_dir)]
    assert main([*dirs, "eval", "--conversations", str(CONVERSATIONS), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["conversations"] >= 30
    row = out["modes"]["hybrid"]["heldout"]
    assert {"hit@5_with_history", "hit@5_without_history", "missed_with_history"} <= set(row)


def test_a_malformed_conversation_is_named(tmp_path: Path):
    bad = tmp_path / "c.jsonl"
    bad.write_text('{"id": "x", "split": "dev", "turns": [{"role": "user", "content": "hi"}], "evidence": ["a"]}\n')
    with pytest.raises(BriefqaError, match="c.jsonl:1 is not a conversation"):
        load_conversations(bad)
