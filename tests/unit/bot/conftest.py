"""The bot's pure modules import as `actions.*`, as the action server loads them from bot/."""

from __future__ import annotations

import sys
from pathlib import Path

BOT = Path(__file__).resolve().parents[3] / "bot"
if str(BOT) not in sys.path:
    sys.path.insert(0, str(BOT))
