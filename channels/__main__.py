"""Operator commands of the app: `python -m channels migrate`."""

from __future__ import annotations

import argparse

import knowledge
from channels import migrations
from invoicing_core import CoreSettings
from invoicing_core.persistence import make_engine, upgrade_schema


def main() -> None:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m channels")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring every package's tables to the newest schema")
    parser.parse_args()
    engine = make_engine(CoreSettings().effective_database_url)
    try:
        upgrade_schema(engine)
        migrations.upgrade(engine)
        knowledge.upgrade_database(engine)
    finally:
        engine.dispose()
    print("database: at the newest schema")


if __name__ == "__main__":
    main()
