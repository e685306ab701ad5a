"""Operator commands of the app: `python -m channels migrate | secrets | backup | restore`,
`upgrade` (back up, rehearse, migrate, check) and `notice` (system notices)."""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

import knowledge
from channels import backup, service_secrets
from channels.notices import commands as notice_commands
from channels.web.errors import ClientError
from invoicing_core import CoreSettings, InvoicingCore, make_engine, upgrade_schema


def main() -> None:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m channels")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring every package's tables to the newest schema")
    commands.add_parser("secrets", help="write the missing secrets of the app, Rasa and actions")
    backing_up = commands.add_parser(
        "backup", help="write one archive of the databases, tracker store, secrets and manifest"
    )
    backing_up.add_argument(
        "--to", type=Path, default=None, help="folder of the archives (default VAR_DIR/backups)"
    )
    backing_up.add_argument(
        "--keep", type=_positive, default=None, help="then keep only the newest N archives there"
    )
    restoring = commands.add_parser("restore", help="put an archive back onto empty databases")
    restoring.add_argument("archive", type=Path)
    restoring.add_argument(
        "--force", action="store_true", help="replace databases that hold data (stop the stack)"
    )
    notice_commands.add_parser(commands)
    upgrading = commands.add_parser(
        "upgrade",
        help="back up, rehearse the migrations on a copy, migrate, check (then restart yourself)",
    )
    upgrading.add_argument(
        "--to", type=Path, default=None, help="folder of the backup (default VAR_DIR/backups)"
    )
    arguments = parser.parse_args()
    run = {
        "migrate": _migrate,
        "secrets": _secrets,
        "backup": _backup,
        "restore": _restore,
        "upgrade": _upgrade,
    }
    run["notice"] = _notice
    try:
        run[arguments.command](arguments)
    except backup.BackupRefused as refusal:
        print(f"错误（{refusal.code}）：{refusal.message}", file=sys.stderr)
        sys.exit(2)
    except ClientError as refusal:  # a notice refused as the API refuses it
        where = f"（{refusal.field}）" if refusal.field else ""
        print(f"错误（{refusal.code}）{where}：{refusal.message}", file=sys.stderr)
        sys.exit(2)


def _migrate(_: argparse.Namespace) -> None:
    # Here, not at the top: the app (FastAPI, the knowledge stack) loads for this one only.
    from channels.app import migrate_database

    engine = make_engine(CoreSettings().effective_database_url)
    try:
        migrate_database(engine)
    finally:
        engine.dispose()
    print("database: at the newest schema")


def _secrets(_: argparse.Namespace) -> None:
    var_dir = CoreSettings().var_dir
    written = service_secrets.ensure(var_dir)
    print(f"secrets in {var_dir}: {', '.join(written) + ' written' if written else 'all exist'}")


def _sources() -> backup.Sources:
    core = CoreSettings()
    return backup.Sources(
        database_url=core.effective_database_url,
        tracker_url=backup.tracker_url(core.var_dir),
        var_dir=core.var_dir,
        knowledge_index_dir=knowledge.KnowledgeSettings().knowledge_index_dir,
    )


def _backup(arguments: argparse.Namespace) -> None:
    sources = _sources()
    made = backup.back_up(sources, arguments.to or sources.var_dir / "backups", arguments.keep)
    print("\n".join(made.lines()))


def _restore(arguments: argparse.Namespace) -> None:
    restored = backup.restore(arguments.archive, _sources(), force=arguments.force)
    print("\n".join(restored.lines()))


def _notice(arguments: argparse.Namespace) -> None:
    engine = make_engine(CoreSettings().effective_database_url)
    try:
        print("\n".join(notice_commands.run(arguments, engine)))
    finally:
        engine.dispose()


def app_database() -> backup.AppDatabase:
    """The app's database for an upgrade: `migrate_database`, each package's Alembic folder
    (the folder of the function that migrates it) and the core's reading of an invoice."""
    from channels import migrations as channels_migrations
    from channels.app import migrate_database

    migrating = {
        "invoicing_core": upgrade_schema,
        "channels": channels_migrations.upgrade,
        "knowledge": knowledge.upgrade_database,
    }
    return backup.AppDatabase(
        make_engine=make_engine,
        migrate=migrate_database,
        folders={name: Path(inspect.getfile(run)).parent for name, run in migrating.items()},
        read_invoice=_read_invoice,
    )


def _read_invoice(database_url: str, username: str, number: str) -> tuple[str, str, str]:
    core = InvoicingCore.open(CoreSettings(database_url=database_url))
    try:
        invoice = core.invoices.get(core.accounts.principal_of(username), number)
    finally:
        core.close()
    return invoice.number, invoice.status.value, str(invoice.total_with_tax)


def _upgrade(arguments: argparse.Namespace) -> None:
    sources = _sources()
    backup.upgrade(sources, app_database(), arguments.to or sources.var_dir / "backups")


def _positive(text: str) -> int:
    number = int(text)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


if __name__ == "__main__":
    main()
