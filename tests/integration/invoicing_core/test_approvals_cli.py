"""Approval from the operators' command line, with the demo accounts: the admin sets the
rules, the clerk's invoice waits, the demo approver (张经理) approves and it is issued."""

import json
from pathlib import Path
from typing import Any

from tests.integration.invoicing_core.test_cli import cli
from tests.integration.invoicing_core.test_invoice_api import service_fee

__all__ = ["cli"]  # the module's own scratch database, seeded with the demo data


def test_the_admin_sets_rules_and_the_demo_approver_approves_the_clerks_invoice(
    cli: Any, tmp_path: Path
) -> None:
    code, _, err = cli("approval-rules", "set", "--as", "demo", "--void")
    assert code != 0 and "forbidden" in err
    code, _, err = cli("approval-rules", "set", "--as", "admin", "--min-total-with-tax", "1.005")
    assert code != 0 and "invalid_number" in err and "审批金额" in err

    code, out, err = cli(
        "approval-rules", "set", "--as", "admin", "--min-total-with-tax", "10000", "--level", ""
    )
    assert code == 0, err
    assert json.loads(out)["min_total_with_tax"] == "10000.00"
    shown = json.loads(cli("approval-rules", "show", "--as", "demo")[1])
    assert (shown["set"], shown["levels"], shown["lapse_hours"]) == (True, [{"approvers": []}], 72)

    body = tmp_path / "invoice.json"
    body.write_text(json.dumps(service_fee()), encoding="utf-8")
    code, out, err = cli("issue", "--as", "demo", str(body))
    assert code == 0, err
    asked = json.loads(out)
    assert (asked["state"], asked["requested_by"]) == ("pending", "demo")

    waiting = json.loads(cli("approvals", "--as", "approver", "--mine", "approver")[1])
    assert [item["id"] for item in waiting["items"]] == [asked["id"]]
    code, _, err = cli("approve", "--as", "demo", str(asked["id"]))
    assert code != 0 and "self_approval_not_allowed" in err
    code, out, err = cli("approve", "--as", "approver", str(asked["id"]))
    assert code == 0, err
    done = json.loads(out)
    assert done["approval"]["state"] == "approved"
    assert done["invoice"]["total_with_tax"] == "10600.00"
    code, _, err = cli("reject", "--as", "approver", str(asked["id"]), "--reason", "晚了")
    assert code != 0 and "approval_not_pending" in err

    code, out, _ = cli("verify-audit")
    assert code == 0 and "intact" in out


def test_items_are_set_from_the_command_line_and_use_is_confirmed_only_for_ones_own_invoices(
    cli: Any, tmp_path: Path
) -> None:
    code, out, err = cli("approval-rules", "set", "--as", "admin", "--item", "*现代服务*")
    assert code == 0, err
    assert json.loads(out)["items"] == ["现代服务"]
    body = tmp_path / "invoice.json"
    line = {**service_fee()["lines"][0], "name": "*现代服务*技术服务费"}
    body.write_text(json.dumps(service_fee(lines=[line])), encoding="utf-8")
    asked = json.loads(cli("issue", "--as", "demo", str(body))[1])
    assert asked["reasons"] == ["商品或服务“*现代服务*技术服务费”属于须审批的项目“现代服务”"]
    assert cli("cancel", "--as", "demo", str(asked["id"]))[0] == 0

    code, _, err = cli("confirm-use", "--as", "demo", "12", "--use", "deduct")
    assert code != 0 and "invalid_invoice_number" in err
    code, _, err = cli("confirm-use", "--as", "demo", "26420000000999999999", "--use", "deduct")
    assert code != 0 and "invoice_not_found" in err
