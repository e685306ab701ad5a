"""How long training the Rasa model from scratch takes (target: under 5 minutes).

Trains bot/ (config, domain, data) into a temporary folder with Rasa's own
`rasa train`, so bot/models is left alone, and reports the wall time of the
whole command and of the NLU and dialogue parts from Rasa's log.

    .venv/bin/python -m bench.bot_training
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.report import publish

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
RASA = ROOT / ".venv-rasa" / "bin" / "rasa"
TARGET_SECONDS = 300
_STAMP = re.compile(
    r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) INFO\s+rasa\.engine\.training\.hooks\s+-\s+(.*)$"
)


def train(out: Path) -> tuple[float, str]:
    """`rasa train` into `out` with an empty component cache; its wall time and log."""
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "RASA_CACHE_DIRECTORY": str(out / "cache"),
    }
    started = time.perf_counter()
    result = subprocess.run(
        [RASA, "train", "--out", out, "--fixed-model-name", "bench"],
        cwd=BOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - started, result.stdout + result.stderr


def component_seconds(log: str) -> dict[str, float]:
    """Seconds per trained component, from the "Starting/Finished training" lines."""
    started: dict[str, datetime] = {}
    seconds: dict[str, float] = {}
    for line in log.splitlines():
        match = _STAMP.match(line.strip())
        if not match:
            continue
        moment = datetime.fromisoformat(match.group(1))
        words = match.group(2)
        component = words.split("'")[1] if "'" in words else words
        if words.startswith("Starting to train"):
            started[component] = moment
        elif words.startswith("Finished training") and component in started:
            seconds[component] = (moment - started[component]).total_seconds()
    return seconds


def main() -> None:
    """Train once from scratch and publish the times."""
    with tempfile.TemporaryDirectory() as folder:
        seconds, log = train(Path(folder))
    components = component_seconds(log)
    publish(
        "bot_training",
        {
            "train_seconds": round(seconds, 1),
            "target_seconds": TARGET_SECONDS,
            "meets_target": seconds < TARGET_SECONDS,
            "component_seconds": components,
        },
    )


if __name__ == "__main__":
    main()
