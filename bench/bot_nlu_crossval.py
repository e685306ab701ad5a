"""NLU cross-validation on the training data: intent accuracy and entity F1 (micro).

Rasa's own `rasa test nlu --cross-validation` splits bot/data's NLU examples into
folds, trains on all but one and tests on it, for each fold in turn. It says how
consistent the training data is; bench.bot_nlu_heldout says how well the model
generalises to messages written apart from it. Trains once per fold (about two
and a half minutes each on 2 cores).

    .venv/bin/python -m bench.bot_nlu_crossval [--folds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench.report import publish

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"


def cross_validate(folds: int, out: Path) -> float:
    """Run the folds; the wall time in seconds."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    command: list[str | Path] = [RASA, "test", "nlu", "--nlu", "data", "--config", "config.yml"]
    command += ["--cross-validation", "--folds", str(folds), "--out", out]
    started = time.perf_counter()
    subprocess.run(command, cwd=BOT, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    """Cross-validate, print the figures with the machine, keep them in bench/results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        seconds = cross_validate(args.folds, out)
        intents = json.loads((out / "intent_report.json").read_text())
        entities = json.loads((out / "DIETClassifier_report.json").read_text())
    micro = entities["micro avg"]
    publish(
        "bot_nlu_crossval",
        {
            "folds": args.folds,
            "examples": int(intents["weighted avg"]["support"]),
            "intent_accuracy": round(intents["accuracy"], 4),
            "entity_f1_micro": round(micro["f1-score"], 4),
            "entity_precision_micro": round(micro["precision"], 4),
            "entity_recall_micro": round(micro["recall"], 4),
            "seconds": round(seconds, 1),
        },
    )


if __name__ == "__main__":
    main()
