"""Operator commands: `python -m invoicing_core COMMAND`, acting as a named user.

Invoices go in and come out as the HTTP API's JSON, validated by the same models.
"""

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from invoicing_core.api.approval_schemas import ApprovalOut
from invoicing_core.api.approvals import (
    ApprovalList,
    ApprovalOutcomeOut,
    RejectIn,
    RulesIn,
    RulesOut,
)
from invoicing_core.api.paper_stock import RollIn, StockOut
from invoicing_core.api.red_letter_forms import OutcomeOut, red_letter_request
from invoicing_core.api.reports import SummaryOut
from invoicing_core.api.schemas import BatchOut, InvoiceOut, IssueIn, RedLetterIn, VoidIn
from invoicing_core.api.use_confirmations import UseConfirmationOut
from invoicing_core.core import InvoicingCore
from invoicing_core.demo import seed_demo, seed_demo_paper_stock
from invoicing_core.domain.account import Role
from invoicing_core.domain.approval_request import ApprovalState
from invoicing_core.domain.errors import DomainError
from invoicing_core.domain.invoice import CHINA_TZ
from invoicing_core.persistence import upgrade_schema
from invoicing_core.persistence.audit import verify_chain
from invoicing_core.services.accounts import Principal
from invoicing_core.services.approval_outcomes import ApprovalView
from invoicing_core.services.reports import Period
from invoicing_core.settings import CoreSettings

Command = Callable[[InvoicingCore, argparse.Namespace], str]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m invoicing_core")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the core's tables to the newest schema")
    commands.add_parser("seed-demo", help="create the demo company and users if missing")
    commands.add_parser("verify-audit", help="check the audit log's hash chain")
    user = commands.add_parser("create-user", help="create a user (password from stdin)")
    user.add_argument("--username", required=True)
    user.add_argument("--role", required=True, choices=[role.value for role in Role])
    user.add_argument("--company-tax-id", help="the user's company (not for agents)")
    user.add_argument("--display-name", default="")
    unlock = commands.add_parser(
        "unlock", help="lift a user's lock-outs after wrong passwords (every address)"
    )
    unlock.add_argument("username")
    acting = argparse.ArgumentParser(add_help=False)
    acting.add_argument("--as", dest="username", required=True, help="the user to act as")
    issue = commands.add_parser("issue", parents=[acting], help="issue from a JSON file (- stdin)")
    issue.add_argument("file", help="the API's POST /invoices body")
    issue.add_argument("--idempotency-key")
    get = commands.add_parser("get", parents=[acting], help="show an invoice")
    get.add_argument("number")
    void = commands.add_parser("void", parents=[acting], help="void a paper invoice")
    void.add_argument("number")
    void.add_argument("--reason", required=True)
    red = commands.add_parser("red-letter", parents=[acting], help="issue a red-letter invoice")
    red.add_argument("number")
    red.add_argument("--reason", required=True, help="1 开票有误 2 销货退回 3 服务终止 4 销售折让")
    red.add_argument("--line", action="append", default=[], metavar="NO[:AMOUNT]")
    batch = commands.add_parser("batch", parents=[acting], help="issue a batch template file")
    batch.add_argument("file", type=Path, help=".xlsx in the batch template, or .csv")
    batch.add_argument(
        "--issue-valid", action="store_true", help="issue the valid rows even if others are bad"
    )
    use = commands.add_parser(
        "confirm-use", parents=[acting], help="the buyer's 用途确认 of an invoice issued to it"
    )
    use.add_argument("number", help="20-digit number, or a paper invoice's 8-digit number")
    use.add_argument("--code", help="a paper invoice's code")
    use.add_argument("--use", required=True, choices=["deduct", "no_deduct"])
    report = commands.add_parser("report", parents=[acting], help="summary of a period")
    report.add_argument("--period", choices=[p.value for p in Period], default="month")
    report.add_argument("--date", type=date.fromisoformat, help="YYYY-MM-DD, default today")
    stock = commands.add_parser(
        "add-paper-stock", parents=[acting], help="record a roll of paper invoices (admins)"
    )
    stock.add_argument("--kind", required=True, choices=["paper_special", "paper_general"])
    stock.add_argument("--code", required=True, help="10- or 12-digit invoice code")
    stock.add_argument("--first", required=True, type=int, help="first invoice number")
    stock.add_argument("--count", required=True, type=int)
    _approval_parsers(commands, acting)
    recognize = commands.add_parser(
        "recognize", help="read an invoice image, PDF or OFD (no database needed)"
    )
    recognize.add_argument("file", type=Path)
    recognize.add_argument("--json", action="store_true", help="print the result as JSON")
    return parser


def _approval_parsers(commands: Any, acting: argparse.ArgumentParser) -> None:
    rules = commands.add_parser("approval-rules", help="show or set the company's approval rules")
    which = rules.add_subparsers(dest="rules_command", required=True)
    which.add_parser("show", parents=[acting], help="the rules of the user's company")
    put = which.add_parser("set", parents=[acting], help="replace the rules (admins)")
    put.add_argument("--min-total-with-tax", help="amount with tax from which to approve")
    put.add_argument("--kind", action="append", default=[], help="a kind to approve (repeat)")
    put.add_argument("--new-buyer", action="store_true", help="approve a first invoice to a buyer")
    put.add_argument("--buyer", action="append", default=[], help="a buyer's taxpayer id")
    put.add_argument(
        "--item", action="append", default=[], help="an item or 税收分类 short name (repeat)"
    )
    put.add_argument("--red-letter", action="store_true", help="approve every red-letter request")
    put.add_argument("--void", action="store_true", help="approve every void request")
    put.add_argument(
        "--level",
        action="append",
        default=[],
        metavar="USER[,USER]",
        help="a level's approvers, comma-separated; empty: the approver role (repeat for two)",
    )
    put.add_argument("--lapse-hours", type=int, default=72)
    listing = commands.add_parser("approvals", parents=[acting], help="list approval requests")
    listing.add_argument("--state", choices=[state.value for state in ApprovalState])
    listing.add_argument("--mine", choices=["approver", "requester"])
    for move in ("approve", "cancel"):
        decide = commands.add_parser(move, parents=[acting], help=f"{move} an approval request")
        decide.add_argument("id", type=int)
    reject = commands.add_parser("reject", parents=[acting], help="reject an approval request")
    reject.add_argument("id", type=int)
    reject.add_argument("--reason", required=True)


def _json(model: BaseModel) -> str:
    return json.dumps(model.model_dump(mode="json"), ensure_ascii=False, indent=2)


def _acting(core: InvoicingCore, args: argparse.Namespace) -> Principal:
    return core.accounts.principal_of(args.username)


def _issue(core: InvoicingCore, args: argparse.Namespace) -> str:
    text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8")
    request = IssueIn.model_validate_json(text).to_request()
    outcome = core.approvals.issue(_acting(core, args), request, args.idempotency_key)
    if isinstance(outcome, ApprovalView):
        return _json(ApprovalOut.of(outcome))
    return _json(InvoiceOut.of(outcome, core.invoices.now()))


def _get(core: InvoicingCore, args: argparse.Namespace) -> str:
    invoice = core.invoices.get(_acting(core, args), args.number)
    return _json(InvoiceOut.of(invoice, core.invoices.now()))


def _void(core: InvoicingCore, args: argparse.Namespace) -> str:
    reason = VoidIn(reason=args.reason).reason
    outcome = core.approvals.void(_acting(core, args), args.number, reason)
    if isinstance(outcome, ApprovalView):
        return _json(ApprovalOut.of(outcome))
    return _json(InvoiceOut.of(outcome, core.invoices.now()))


def _red_letter(core: InvoicingCore, args: argparse.Namespace) -> str:
    lines = [
        dict(zip(("line_no", "amount"), spec.split(":", 1), strict=False)) for spec in args.line
    ]
    body = RedLetterIn.model_validate({"reason": args.reason, "lines": lines})
    outcome = core.approvals.red_letter(
        _acting(core, args), args.number, red_letter_request(body), seller_only=True
    )
    if isinstance(outcome, ApprovalView):
        return _json(ApprovalOut.of(outcome))
    return _json(OutcomeOut.of(outcome, core.invoices.now()))


def _approval_rules(core: InvoicingCore, args: argparse.Namespace) -> str:
    who = _acting(core, args)
    if args.rules_command == "show":
        return _json(RulesOut.of(core.approvals.rules(who)))
    levels = [
        {"approvers": [name.strip() for name in level.split(",") if name.strip()]}
        for level in args.level or [""]
    ]
    body = RulesIn(
        min_total_with_tax=args.min_total_with_tax,
        kinds=args.kind,
        new_buyer=args.new_buyer,
        buyers=args.buyer,
        items=args.item,
        red_letter=args.red_letter,
        void=args.void,
        levels=levels,
        lapse_hours=args.lapse_hours,
    )
    return _json(RulesOut.of(core.approvals.set_rules(who, body.to_json())))


def _approvals(core: InvoicingCore, args: argparse.Namespace) -> str:
    state = ApprovalState(args.state) if args.state else None
    found = core.approvals.search(_acting(core, args), state, args.mine)
    return _json(ApprovalList(items=[ApprovalOut.of(view) for view in found], total=len(found)))


def _decide(move: str) -> Command:
    def run(core: InvoicingCore, args: argparse.Namespace) -> str:
        who = _acting(core, args)
        if move == "reject":
            outcome = core.approvals.reject(who, args.id, RejectIn(reason=args.reason).reason)
        else:
            outcome = getattr(core.approvals, move)(who, args.id)
        return _json(ApprovalOutcomeOut.of(outcome, core.invoices.now()))

    return run


def _add_paper_stock(core: InvoicingCore, args: argparse.Namespace) -> str:
    roll = RollIn(kind=args.kind, code=args.code, first=args.first, count=args.count)
    left = core.paper_stock.receive(
        _acting(core, args), roll.kind, roll.code, roll.first, roll.count
    )
    return _json(StockOut.of(left))


def _batch(core: InvoicingCore, args: argparse.Namespace) -> str:
    data, who = args.file.read_bytes(), _acting(core, args)
    outcome = core.batches.issue_file(who, data, args.file.name, args.issue_valid)
    if outcome.approval is not None:
        return _json(ApprovalOut.of(ApprovalView(outcome.approval, core.invoices.now(), False)))
    return _json(BatchOut.of(outcome))


def _confirm_use(core: InvoicingCore, args: argparse.Namespace) -> str:
    confirmed = core.use_confirmations.confirm(
        _acting(core, args), args.number, args.code, args.use
    )
    return _json(UseConfirmationOut.of(confirmed))


def _report(core: InvoicingCore, args: argparse.Namespace) -> str:
    day = args.date or datetime.now(CHINA_TZ).date()
    found = core.reports.summary(_acting(core, args), Period(args.period), day)
    return _json(SummaryOut.of(found))


def _verify_audit(core: InvoicingCore, _args: argparse.Namespace) -> str:
    check = verify_chain(core.engine)
    if not check.intact:
        raise SystemExit(
            f"audit chain BROKEN at entry {check.first_broken_id} "
            f"({check.entries} entries before it are intact)"
        )
    return f"audit chain intact: {check.entries} entries"


def _seed_demo(core: InvoicingCore, _args: argparse.Namespace) -> str:
    created = seed_demo(core.accounts) + seed_demo_paper_stock(core.accounts, core.engine)
    return (
        f"demo data: created {', '.join(created)}"
        if created
        else "demo data: already there, skipped"
    )


def _unlock(core: InvoicingCore, args: argparse.Namespace) -> str:
    core.accounts.unlock(args.username)
    return f"unlocked user {args.username}"


def _create_user(core: InvoicingCore, args: argparse.Namespace) -> str:
    company_id = None
    if args.company_tax_id:
        company_id = core.accounts.company_id_by_tax_id(args.company_tax_id)
        if company_id is None:
            raise SystemExit(f"没有纳税人识别号为 {args.company_tax_id} 的企业")
    password = (
        getpass.getpass("密码：") if sys.stdin.isatty() else sys.stdin.readline().rstrip("\n")
    )
    user_id = core.accounts.create_user(
        username=args.username,
        password=password,
        role=Role(args.role),
        company_id=company_id,
        display_name=args.display_name,
    )
    return f"created user {args.username} (id {user_id})"


COMMANDS: dict[str, Command] = {
    "migrate": lambda _core, _args: "invoicing core: at the newest schema",
    "seed-demo": _seed_demo,
    "verify-audit": _verify_audit,
    "create-user": _create_user,
    "unlock": _unlock,
    "issue": _issue,
    "get": _get,
    "void": _void,
    "red-letter": _red_letter,
    "batch": _batch,
    "confirm-use": _confirm_use,
    "report": _report,
    "add-paper-stock": _add_paper_stock,
    "approval-rules": _approval_rules,
    "approvals": _approvals,
    "approve": _decide("approve"),
    "reject": _decide("reject"),
    "cancel": _decide("cancel"),
}


def _recognize(args: argparse.Namespace) -> str:
    """Recognise a file without touching the database (recognition stores nothing)."""
    from invoicing_core.recognition import RecognitionError, recognize
    from invoicing_core.recognition.summary import describe

    path: Path = args.file
    try:
        recognition = recognize(path.read_bytes(), filename=path.name)
    except OSError as error:
        raise SystemExit(f"file_unreadable: 无法读取文件 {path}：{error.strerror}") from error
    except RecognitionError as error:
        raise SystemExit(f"{error.code}: {error.message}") from error
    if args.json:
        return json.dumps(recognition.to_json(), ensure_ascii=False, indent=2)
    return describe(recognition)


def main() -> None:
    """Run one operator command against the configured database."""
    args = _parser().parse_args()
    if args.command == "recognize":
        print(_recognize(args))
        return
    core = InvoicingCore.open(CoreSettings())
    try:
        upgrade_schema(core.engine)
        print(COMMANDS[args.command](core, args))
    except DomainError as error:
        raise SystemExit(f"{error.code}: {error.message}") from error
    except ValidationError as error:
        raise SystemExit(f"invalid_input: {error}") from error
    finally:
        core.close()


if __name__ == "__main__":
    main()
