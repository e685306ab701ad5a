"""Operator commands of the app: `python -m channels migrate`."""

from __future__ import annotations

import argparse

from channels.app import migrate_database
from invoicing_core import CoreSettings
from invoicing_core.persistence import make_engine


def main() -> None:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m channels")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring every package's tables to the newest schema")
    parser.parse_args()
    engine = make_engine(CoreSettings().effective_database_url)
    try:
        migrate_database(engine)
    finally:
        engine.dispose()
    print("database: at the newest schema")


if __name__ == "__main__":
    main()
