"""Operator commands of the app: `python -m channels migrate`."""

from __future__ import annotations

import argparse

from channels import migrations
from channels.settings import AppSettings
from invoicing_core.persistence import make_engine


def main() -> None:
    """Parse the command line and run the command."""
    parser = argparse.ArgumentParser(prog="python -m channels")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the database to the newest schema")
    parser.parse_args()
    engine = make_engine(AppSettings().effective_database_url)
    try:
        migrations.upgrade(engine)
    finally:
        engine.dispose()


if __name__ == "__main__":
    main()
