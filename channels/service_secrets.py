"""The secrets of the hops between the app, Rasa and the action server (bot/service_auth.py).

Each is a file under VAR_DIR that the set-up writes once (`python -m channels secrets`)
and scripts/rasa-env.sh exports to Rasa and the action server; a setting of the same
name (RASA_TOKEN, ACTION_SERVER_TOKEN, ACTIONS_TOKEN) overrides its file. Rotating
one: delete its file (or set the variable), run the command, restart the stack.
"""

from __future__ import annotations

import secrets
from pathlib import Path

# app -> Rasa; Rasa -> action server; action server -> app (acting for a conversation).
FILES = ("rasa-token", "action-server-token", "actions-token")


def ensure(var_dir: Path) -> list[str]:
    """Write every missing secret file (owner-only) and return the names written."""
    var_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILES:
        path = var_dir / name
        if not path.is_file():
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(32))
            written.append(name)
    return written


def read(var_dir: Path, name: str, configured: str = "") -> str:
    """The secret: the configured value, else its file's content, else empty."""
    if name not in FILES:
        raise ValueError(f"unknown secret: {name}")
    path = var_dir / name
    return configured or (path.read_text().strip() if path.is_file() else "")
