"""The archive: one .tar.gz of the members and a manifest with each member's SHA-256."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
import zlib
from pathlib import Path
from typing import Any

from channels.backup.refusal import BackupRefused

FORMAT = 1
MANIFEST = "manifest.json"


def sha256_of(path: Path) -> str:
    """The file's SHA-256, read in blocks."""
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()


def write_archive(staging: Path, manifest: dict[str, Any], destination: Path) -> dict[str, Any]:
    """Pack every file under `staging` with the manifest (completed with the members'
    checksums) into `destination`, owner-readable only; the archive appears whole or not."""
    files = sorted(p for p in staging.rglob("*") if p.is_file())
    members = {
        p.relative_to(staging).as_posix(): {"sha256": sha256_of(p), "bytes": p.stat().st_size}
        for p in files
    }
    manifest = {"format": FORMAT, **manifest, "members": members}
    text = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    partial = destination.with_name(destination.name + ".partial")
    # The archive holds the secrets: created owner-only, not chmod-ed afterwards.
    with (
        os.fdopen(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as raw,
        tarfile.open(fileobj=raw, mode="w:gz") as tar,
    ):
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mode, info.mtime = len(text), 0o600, int(time.time())
        tar.addfile(info, io.BytesIO(text))
        for path in files:
            tar.add(path, arcname=path.relative_to(staging).as_posix(), recursive=False)
    os.replace(partial, destination)
    return manifest


def read_archive(archive: Path, into: Path) -> dict[str, Any]:
    """Unpack `archive` into `into` and return its manifest, once every member is there,
    nothing else is, and each checksum matches; refused otherwise."""
    if not archive.is_file():
        raise BackupRefused("archive_not_found", f"找不到备份文件：{archive}")
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            tar.extractall(into, filter="data")
        manifest: dict[str, Any] = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
        listed: dict[str, dict[str, Any]] = manifest["members"]
        if manifest["format"] != FORMAT:
            raise BackupRefused(
                "archive_format_unknown",
                f"备份文件的格式版本 {manifest['format']} 不是本程序能恢复的 {FORMAT}。",
            )
    except (tarfile.TarError, OSError, EOFError, zlib.error, ValueError, KeyError) as error:
        raise BackupRefused(
            "archive_unreadable", f"备份文件不完整或不是本系统的备份：{archive}（{error}）"
        ) from error
    found = {p.relative_to(into).as_posix() for p in into.rglob("*") if p.is_file()} - {MANIFEST}
    if found != set(listed):
        missing, extra = sorted(set(listed) - found), sorted(found - set(listed))
        raise BackupRefused(
            "archive_incomplete",
            f"备份文件与清单不符（缺少：{missing or '无'}；多出：{extra or '无'}），"
            "未恢复任何数据。",
        )
    for name, member in sorted(listed.items()):
        if sha256_of(into / name) != member["sha256"]:
            raise BackupRefused(
                "checksum_mismatch",
                f"备份文件已损坏或被改动：{name} 的 SHA-256 校验和与清单不符，未恢复任何数据。",
            )
    return manifest
