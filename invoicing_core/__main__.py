"""Operator commands: `python -m invoicing_core migrate|seed-demo|create-user`."""

import argparse
import getpass
import sys

from invoicing_core.core import InvoicingCore
from invoicing_core.demo import seed_demo
from invoicing_core.domain.account import Role
from invoicing_core.domain.errors import DomainError
from invoicing_core.persistence import upgrade_schema
from invoicing_core.settings import CoreSettings


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m invoicing_core")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the core's tables to the newest schema")
    commands.add_parser("seed-demo", help="create the demo company and users if missing")
    create_user = commands.add_parser("create-user", help="create a user (password from stdin)")
    create_user.add_argument("--username", required=True)
    create_user.add_argument("--role", required=True, choices=[role.value for role in Role])
    create_user.add_argument("--company-tax-id", help="the user's company (not for agents)")
    create_user.add_argument("--display-name", default="")
    return parser


def _create_user(core: InvoicingCore, args: argparse.Namespace) -> str:
    company_id = None
    if args.company_tax_id:
        company_id = core.accounts.company_id_by_tax_id(args.company_tax_id)
        if company_id is None:
            raise SystemExit(f"没有纳税人识别号为 {args.company_tax_id} 的企业")
    prompt = "密码："
    password = getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    user_id = core.accounts.create_user(
        username=args.username,
        password=password,
        role=Role(args.role),
        company_id=company_id,
        display_name=args.display_name,
    )
    return f"created user {args.username} (id {user_id})"


def main() -> None:
    """Run one operator command against the configured database."""
    args = _parser().parse_args()
    core = InvoicingCore.open(CoreSettings())
    try:
        upgrade_schema(core.engine)
        if args.command == "seed-demo":
            created = seed_demo(core.accounts)
            print(
                f"demo data: created {', '.join(created)}"
                if created
                else "demo data: already there, skipped"
            )
        elif args.command == "create-user":
            print(_create_user(core, args))
    except DomainError as error:
        raise SystemExit(f"{error.code}: {error.message}") from error
    finally:
        core.close()


if __name__ == "__main__":
    main()
