"""Operator commands of the app: `python -m channels migrate | secrets`."""

from __future__ import annotations

import argparse

from channels import service_secrets
from channels.app import migrate_database
from invoicing_core import CoreSettings, make_engine


def main() -> None:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m channels")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring every package's tables to the newest schema")
    commands.add_parser("secrets", help="write the missing secrets of the app, Rasa and actions")
    {"migrate": _migrate, "secrets": _secrets}[parser.parse_args().command]()


def _migrate() -> None:
    engine = make_engine(CoreSettings().effective_database_url)
    try:
        migrate_database(engine)
    finally:
        engine.dispose()
    print("database: at the newest schema")


def _secrets() -> None:
    var_dir = CoreSettings().var_dir
    written = service_secrets.ensure(var_dir)
    print(f"secrets in {var_dir}: {', '.join(written) + ' written' if written else 'all exist'}")


if __name__ == "__main__":
    main()
