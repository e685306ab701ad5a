"""The Rasa project checks itself: data validation, the test stories and the held-out NLU set.

Uses the model the set-up trained (bot/models/kaipiao.tar.gz, `make test` runs the
set-up first) and Rasa's own commands in Rasa's environment. About 1.5 minutes on
the 2-core machine, most of it loading TensorFlow and the model once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
BOT = ROOT / "bot"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
MODEL = BOT / "models" / "kaipiao.tar.gz"
# Rasa warns about every response no story or rule utters, though the actions and forms
# utter them (and, a Rasa bug, does not fail on it even with --fail-on-warnings).
UNUSED_RESPONSE = re.compile(r"The utterance '(utter_\w+)' is not used in any story or rule")
MIN_INTENT_ACCURACY = 0.90
MIN_ENTITY_F1 = 0.85
RECEIPT_CHECK = BOT / "tests" / "nlu_receipts.yml"


def rasa(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run a Rasa command in bot/, output captured."""
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    return subprocess.run(
        [str(RASA), *map(str, args)], cwd=BOT, env=env, capture_output=True, text=True, check=False
    )


def tail(result: subprocess.CompletedProcess[str], size: int = 6000) -> str:
    """What a command printed about its failure: the failed story, else the end."""
    printed = result.stdout + "\n" + result.stderr
    failed = printed.find("Failed Story")
    return printed[max(failed - 300, 0) : failed + size] if failed >= 0 else printed[-size:]


@pytest.fixture(scope="module")
def rasa_test(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """One `rasa test` run (stories and held-out NLU share the model load)."""
    if not MODEL.is_file():
        pytest.fail(f"no trained model at {MODEL}: run `python3 scripts/setup.py` (make test does)")
    out = tmp_path_factory.mktemp("rasa-test")
    result = rasa(
        "test",
        "--model", MODEL,
        "--stories", "tests/test_stories.yml",
        "--nlu", "tests/nlu_heldout.yml",
        "--fail-on-prediction-errors",
        "--out", out,
    )  # fmt: skip
    return result, out


def uttered_outside_stories() -> set[str]:
    """The responses the actions name, and the questions forms ask (utter_ask_<slot>)."""
    actions = "".join(path.read_text() for path in (BOT / "actions").glob("*.py"))
    domain = yaml.safe_load((BOT / "domain.yml").read_text(encoding="utf-8"))
    slots = {slot for form in domain["forms"].values() for slot in form["required_slots"]}
    return set(re.findall(r"[\"'](utter_\w+)[\"']", actions)) | {f"utter_ask_{s}" for s in slots}


def test_training_data_and_domain_validate_without_warnings() -> None:
    result = rasa("data", "validate", "--fail-on-warnings")
    assert result.returncode == 0, tail(result)
    warnings = re.findall(r"UserWarning: (.*)", result.stdout + result.stderr)
    uttered = uttered_outside_stories()
    unexpected = [
        warning
        for warning in warnings
        if not (unused := UNUSED_RESPONSE.search(warning)) or unused[1] not in uttered
    ]
    assert not unexpected, "\n".join(unexpected)


def test_every_test_story_is_predicted_without_error(
    rasa_test: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, out = rasa_test
    assert result.returncode == 0, tail(result)
    report = json.loads((out / "story_report.json").read_text())
    assert report["conversation_accuracy"]["accuracy"] == 1.0


def test_held_out_utterances_meet_the_nlu_targets(
    rasa_test: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    result, out = rasa_test
    assert result.returncode == 0, tail(result)
    intents = json.loads((out / "intent_report.json").read_text())
    entities = json.loads((out / "DIETClassifier_report.json").read_text())
    assert intents["accuracy"] >= MIN_INTENT_ACCURACY
    assert entities["micro avg"]["f1-score"] >= MIN_ENTITY_F1


def test_the_received_invoice_intents_are_told_from_their_neighbours(tmp_path: Path) -> None:
    """bot/tests/nlu_receipts.yml: the ledger's intents, and issued-invoice look-ups, reports
    and how-to questions next to them; none of those is taken for a change of state."""
    if not MODEL.is_file():
        pytest.fail(f"no trained model at {MODEL}: run `python3 scripts/setup.py` (make test does)")
    result = rasa("test", "nlu", "--nlu", RECEIPT_CHECK, "--model", MODEL, "--out", tmp_path)
    assert result.returncode == 0, tail(result)
    intents = json.loads((tmp_path / "intent_report.json").read_text())
    # Rasa writes the errors' file only when there are errors.
    found = tmp_path / "intent_errors.json"
    errors = json.loads(found.read_text()) if found.exists() else []
    mistaken = [(error["text"], error["intent_prediction"]["name"]) for error in errors]
    assert intents["accuracy"] >= MIN_INTENT_ACCURACY, mistaken
    assert not [text for text, taken in mistaken if taken == "mark_received_invoice"]
