"""The operators' command line, run as operators run it, on its own SQLite database."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.invoicing_core.test_batch_and_pdf_api import batch_file, invoice, line
from tests.integration.invoicing_core.test_invoice_api import service_fee


@pytest.fixture(scope="module")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Runs `python -m invoicing_core ARGS` on a scratch database; returns (code, out, err)."""
    scratch = tmp_path_factory.mktemp("cli")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{scratch / 'cli.db'}", "VAR_DIR": str(scratch)}

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        done = subprocess.run(
            [sys.executable, "-m", "invoicing_core", *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        return done.returncode, done.stdout, done.stderr

    code, out, err = run("seed-demo")
    assert code == 0, err
    assert "demo" in out and "库存" in out
    return run


def test_an_operator_issues_finds_voids_and_red_letters_invoices(cli: Any, tmp_path: Path) -> None:
    body = tmp_path / "invoice.json"
    body.write_text(json.dumps(service_fee(kind="paper_general")), encoding="utf-8")
    code, out, err = cli("issue", "--as", "demo", str(body))
    assert code == 0, err
    paper = json.loads(out)
    assert (paper["kind"], paper["total_with_tax_upper"]) == ("paper_general", "壹万零陆佰圆整")

    code, out, _ = cli("get", "--as", "demo", paper["number"])
    assert json.loads(out)["number"] == paper["number"]
    code, out, err = cli("void", "--as", "demo", paper["number"], "--reason", "开错了")
    assert code == 0, err
    assert json.loads(out)["status"] == "voided"

    body.write_text(json.dumps(service_fee()), encoding="utf-8")
    digital = json.loads(cli("issue", "--as", "demo", str(body))[1])
    code, out, err = cli("red-letter", "--as", "demo", digital["number"], "--reason", "2")
    assert code == 0, err
    assert json.loads(out)["red_invoice"]["total_with_tax"] == "-10600.00"


def test_an_operator_issues_a_batch_and_reads_the_report(cli: Any, tmp_path: Path) -> None:
    upload = tmp_path / "batch.xlsx"
    upload.write_bytes(batch_file([invoice("C1"), invoice("C2")], [line("C1"), line("C2")]))
    code, out, err = cli("batch", "--as", "demo", str(upload))
    assert code == 0, err
    assert json.loads(out)["accepted"] == 2

    code, out, err = cli("report", "--as", "demo", "--period", "month")
    assert code == 0, err
    assert json.loads(out)["count"] >= 2
    code, out, err = cli("verify-audit")
    assert code == 0, err
    assert "intact" in out or "完整" in out


def test_refusals_exit_non_zero_with_the_error_code(cli: Any) -> None:
    code, _, err = cli("get", "--as", "demo", "26429999999999999999")
    assert code != 0 and "invoice_not_found" in err
    roll = ["--kind", "paper_special", "--code", "4200261199", "--first", "1", "--count", "5"]
    code, _, err = cli("add-paper-stock", "--as", "demo", *roll)
    assert code != 0 and "forbidden" in err
    code, out, err = cli("add-paper-stock", "--as", "admin", *roll)
    assert code == 0, err
    left = {item["kind"]: item["left"] for item in json.loads(out)["items"]}
    assert left["paper_special"] == 105
    code, _, err = cli("create-user", "--username", "clerk", "--role", "viewer", stdin="weak\n")
    assert code != 0 and err


def test_create_user_reads_the_password_from_stdin(cli: Any) -> None:
    code, out, err = cli(
        "create-user",
        "--username",
        "clerk2",
        "--role",
        "viewer",
        "--company-tax-id",
        "91420100MA4K5R3T13",
        stdin="Clerk@2026!\n",
    )
    assert code == 0, err
    assert "clerk2" in out


def test_an_operator_unlocks_a_user_and_the_audit_chain_stays_intact(cli: Any) -> None:
    code, out, err = cli("unlock", "demo")
    assert code == 0, err
    assert "demo" in out
    code, _, err = cli("unlock", "nobody-at-all")
    assert code != 0 and "user_not_found" in err
    code, out, err = cli("verify-audit")
    assert code == 0, err
