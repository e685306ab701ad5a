"""Uploaded files, read no further than their limit allows."""

from fastapi import UploadFile


async def read_within(file: UploadFile, largest: int) -> bytes | None:
    """The file's bytes, or None when it holds more than `largest` (never read past that)."""
    data = await file.read(largest + 1)
    return None if len(data) > largest else data


def megabytes(size: int) -> str:
    """A limit as users read it, e.g. "10MB"."""
    return f"{size / 2**20:g}MB"
