"""Why a backup or a restore did not run: a code and a message in Chinese."""

from __future__ import annotations


class BackupRefused(Exception):
    """A backup or restore stopped before it changed anything it should not have."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
