"""`briefqa eval --conversations FILE`: follow-up questions, hit@k with the history vs without it."""

from __future__ import annotations

import argparse
from pathlib import Path

from service.app.runtime import load_engine
from service.app.settings import Settings
from service.cli.output import emit_json
from service.evaluation.conversations import evaluate_conversations, load_conversations


def evaluate(args: argparse.Namespace, settings: Settings) -> int:
    conversations = load_conversations(Path(args.conversations))
    engine = load_engine(settings)
    modes = tuple(args.mode or ("hybrid",))
    results = {mode: evaluate_conversations(engine, conversations, mode) for mode in modes}
    if args.json:
        emit_json({"conversations": len(conversations), "index_version": engine.version, "modes": results})
        return 0
    print(f"{len(conversations)} conversations, last turn scored, index {engine.version}")
    print(f"{'mode':<8}{'split':<9}{'n':>4}{'hit@5 without':>15}{'with history':>14}{'hit@1 without':>15}"
          f"{'with history':>14}  missed with history")
    for mode, splits in results.items():
        for split, row in splits.items():
            missed = ", ".join(row["missed_with_history"]) or "-"  # type: ignore[arg-type]
            print(f"{mode:<8}{split:<9}{row['conversations']:>4}{row['hit@5_without_history']:>15.4f}"
                  f"{row['hit@5_with_history']:>14.4f}{row['hit@1_without_history']:>15.4f}"
                  f"{row['hit@1_with_history']:>14.4f}  {missed}")
    return 0
