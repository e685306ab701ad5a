"""The actions' tracker-level tests (tracker/), run where rasa-sdk is: .venv-rasa.

rasa-sdk needs Python < 3.11 and the app's environment is 3.11, so `make test` runs that
folder with Rasa's Python as one test here (about half a minute: the app starts once,
loading its knowledge model). Its own output is shown when it fails. To run the tests
one by one: `.venv-rasa/bin/python -m pytest tests/integration/bot/tracker`.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
TRACKER_TESTS = Path(__file__).resolve().parent / "tracker"
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"


def test_the_actions_pass_their_tracker_level_tests_against_the_real_app() -> None:
    if not RASA_PYTHON.exists():
        pytest.fail(f"no Rasa environment at {RASA_PYTHON}: run `make setup`")
    command = [RASA_PYTHON, "-m", "pytest", "-q", "-c", TRACKER_TESTS / "pytest.ini"]
    result = subprocess.run(
        [*map(str, command), "--rootdir", str(TRACKER_TESTS), str(TRACKER_TESTS)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-12000:] + result.stderr[-3000:]
