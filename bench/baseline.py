"""An older commit of this project, ready to run as a stack beside the current one.

The commit's files are unpacked (`git archive`, which changes nothing in the
repository) into var/bench-baselines/<commit>, which this checkout's two virtual
environments are linked into; its knowledge index is built and its Rasa model trained
there once, from its own entries and bot project, and kept for the next run.
The commit runs on today's environments: a package its lock files pin that they lack,
or pin at another version, is said (not fixed) before anything runs.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

from bench.stack import ROOT

BASELINES = ROOT / "var" / "bench-baselines"
VENVS = (".venv", ".venv-rasa")
LOCK_FILES = ("requirements.lock", "bot/requirements.lock")
MODEL = Path("bot") / "models" / "kaipiao.tar.gz"


def commit_of(revision: str) -> str:
    """The full hash of `revision`."""
    return _git("rev-parse", "--verify", f"{revision}^{{commit}}").decode().strip()


def checkout(revision: str) -> Path:
    """The prepared checkout of `revision`: unpacked, linked, indexed and trained once."""
    root = BASELINES / commit_of(revision)
    if not root.is_dir():
        unpacking = root.with_name(f"{root.name}.unpacking")
        shutil.rmtree(unpacking, ignore_errors=True)  # left by a run that was stopped
        with tarfile.open(fileobj=io.BytesIO(_git("archive", root.name))) as archive:
            archive.extractall(unpacking, filter="data")
        unpacking.rename(root)
    for venv in VENVS:
        if not (root / venv).exists():
            (root / venv).symlink_to(ROOT / venv)
    env = {
        **os.environ,
        "KNOWLEDGE_SOURCE": str(root / "knowledge" / "entries"),
        "KNOWLEDGE_INDEX_DIR": str(root / "var" / "knowledge-index"),
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    # Both skip their work when it is done: the index matches its entries, the model exists.
    python = root / ".venv" / "bin" / "python"
    subprocess.run([python, "-m", "knowledge", "build"], cwd=root, env=env, check=True)
    if not (root / MODEL).is_file():
        train = ["train", "--fixed-model-name", "kaipiao", "--out", "models"]
        rasa = root / ".venv-rasa" / "bin" / "rasa"
        subprocess.run([rasa, *train], cwd=root / "bot", env=env, check=True)
    return root


def environment_differences(root: Path) -> list[str]:
    """The pins of the checkout at `root`'s lock files that ours do not hold as they are."""
    return [
        f"{name}: {pin}"
        for name in LOCK_FILES
        for pin in sorted(_pins(root / name) - _pins(ROOT / name))
    ]


def _pins(lock_file: Path) -> set[str]:
    lines = (line.strip() for line in lock_file.read_text().splitlines())
    return {line for line in lines if line and not line.startswith("#")}


def _git(*arguments: str) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise RuntimeError("git is not installed: an older commit cannot be read")
    return subprocess.run([git, *arguments], cwd=ROOT, capture_output=True, check=True).stdout
