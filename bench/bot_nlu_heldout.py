"""Held-out NLU accuracy of the trained Rasa model: intent accuracy and entity F1 (micro).

Evaluates bot/models/kaipiao.tar.gz (built by `make run`/`make test` set-up) on
bot/tests/nlu_heldout.yml, a set written apart from the training data, with
Rasa's own `rasa test nlu` in Rasa's environment. Targets: intent accuracy
at least 0.90, entity F1 at least 0.85.

    .venv/bin/python -m bench.bot_nlu_heldout [--model PATH] [--show-errors N]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.report import publish

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
HELDOUT = BOT / "tests" / "nlu_heldout.yml"
MODEL = BOT / "models" / "kaipiao.tar.gz"
MICRO = {"precision": "precision", "recall": "recall", "f1": "f1-score"}
TARGETS = {"intent_accuracy": 0.90, "entity_f1_micro": 0.85}


def run_rasa_test(model: Path, out: Path) -> float:
    """`rasa test nlu` on the held-out set; returns its wall time in seconds."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    started = time.perf_counter()
    subprocess.run(
        [RASA, "test", "nlu", "--nlu", HELDOUT, "--model", model, "--out", out],
        cwd=BOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


def entity_f1_micro(report: dict[str, Any]) -> dict[str, float]:
    """Micro precision, recall and F1 over the entity labels, as Rasa's report gives them."""
    micro = report["micro avg"]
    return {name: round(micro[key], 4) for name, key in MICRO.items()}


def per_label(report: dict[str, Any], metric: str) -> dict[str, float]:
    """One metric per label, for the report."""
    return {
        name: round(figures[metric], 3)
        for name, figures in report.items()
        if isinstance(figures, dict) and metric in figures and not name.endswith("avg")
    }


def main() -> None:
    """Evaluate, print the figures with the machine, keep them in bench/results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--show-errors", type=int, default=0, metavar="N")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        seconds = run_rasa_test(args.model.resolve(), out)
        intents = json.loads((out / "intent_report.json").read_text())
        entities = json.loads((out / "DIETClassifier_report.json").read_text())
        errors = json.loads((out / "intent_errors.json").read_text())
    entity = entity_f1_micro(entities)
    figures = {
        "model": str(
            args.model.relative_to(ROOT) if args.model.is_relative_to(ROOT) else args.model
        ),
        "utterances": int(intents["weighted avg"]["support"]),
        "intent_accuracy": round(intents["accuracy"], 4),
        "entity_f1_micro": entity["f1"],
        "entity_precision_micro": entity["precision"],
        "entity_recall_micro": entity["recall"],
        "targets": TARGETS,
        "meets_targets": intents["accuracy"] >= TARGETS["intent_accuracy"]
        and entity["f1"] >= TARGETS["entity_f1_micro"],
        "intent_f1": per_label(intents, "f1-score"),
        "entity_f1": per_label(entities, "f1-score"),
        "evaluation_seconds": round(seconds, 1),
    }
    publish("bot_nlu_heldout", figures)
    for error in errors[: args.show_errors]:
        predicted = error["intent_prediction"]["name"]
        print(f"{error['intent']:>18} → {predicted:<18} {error['text']}")


if __name__ == "__main__":
    main()
