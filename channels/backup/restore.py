"""`python -m channels restore ARCHIVE`: the archive's databases and secrets put back."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from channels.backup.archive import read_archive
from channels.backup.backup import Sources, database_lines
from channels.backup.refusal import BackupRefused
from channels.backup.stores import Store, holding_rows, store_for


@dataclass(frozen=True)
class Restored:
    """What a restore put back, as the archive's manifest describes it."""

    archive: Path
    manifest: dict[str, Any]
    secrets_dir: Path

    def lines(self) -> list[str]:
        """What the operator is told."""
        said = [f"restored {self.archive} (backup of {self.manifest['created_at']})"]
        said += database_lines(self.manifest)
        for name, database in self.manifest["databases"].items():
            tables = database["tables"].items()
            said += [f"  {name}.{table}: {rows} rows" for table, rows in tables if rows]
        secrets = ", ".join(self.manifest["secrets"]) or "none"
        said.append(f"secrets into {self.secrets_dir}: {secrets}")
        if self.manifest["knowledge"]:
            said.append("knowledge index: rebuilt from the restored entries when the app starts")
        said.append("next: make run (migrates to this version's schema, then starts the stack)")
        return said


def restore(archive: Path, sources: Sources, force: bool = False) -> Restored:
    """Check the archive, refuse a target holding data unless `force`, then load every
    database and check its row counts against the manifest, then write the secrets."""
    with tempfile.TemporaryDirectory(prefix="kaipiao-restore-") as folder:
        unpacked = Path(folder)
        manifest = read_archive(archive, unpacked)
        targets = _targets(manifest, sources)
        if not force:
            _refuse_data_in(targets)
        for name, (store, recorded) in targets.items():
            store.load(unpacked / recorded["member"])
            _check_counts(name, store, recorded["tables"])
        for secret in manifest["secrets"]:
            _write_owner_only(
                sources.var_dir / secret, (unpacked / "secrets" / secret).read_bytes()
            )
    return Restored(archive, manifest, sources.var_dir)


def _targets(manifest: dict[str, Any], sources: Sources) -> dict[str, tuple[Store, Any]]:
    targets = {}
    for name, url in sources.databases().items():
        recorded = manifest["databases"].get(name)
        if recorded is None or recorded["member"] is None:
            continue
        store = store_for(url)
        if store.kind != recorded["kind"]:
            raise BackupRefused(
                "database_kind_mismatch",
                f"备份中的 {name} 数据库是 {recorded['kind']}，目标是 {store.kind}："
                "请把目标设成同一种数据库再恢复。",
            )
        targets[name] = (store, recorded)
    return targets


def _refuse_data_in(targets: dict[str, tuple[Store, Any]]) -> None:
    occupied = {name: holding_rows(store.counts()) for name, (store, _) in targets.items()}
    said = [
        f"{name}（{'、'.join(f'{table} {rows} 行' for table, rows in list(tables.items())[:5])}）"
        for name, tables in occupied.items()
        if tables
    ]
    if said:
        raise BackupRefused(
            "target_not_empty",
            f"目标数据库已有数据：{'；'.join(said)}。恢复会覆盖这些数据，已拒绝；"
            "确认要覆盖时请停止服务并加 --force 重试。",
        )


def _check_counts(name: str, store: Store, expected: dict[str, int]) -> None:
    now = store.counts()
    differing = {t: (rows, now.get(t)) for t, rows in expected.items() if now.get(t) != rows}
    if differing:
        raise BackupRefused(
            "restore_mismatch",
            f"{name} 数据库恢复后的行数与备份清单不符（表：备份行数，恢复后行数）：{differing}",
        )


def _write_owner_only(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as file:
        file.write(content)
    path.chmod(0o600)  # an existing file keeps its mode through O_CREAT
