"""Batch issuing of 10,000 invoices (one line each) from the template, through the API.

Run: .venv/bin/python -m bench.invoicing_batch [--invoices N] [--postgres URL]
Target (issue 3): under 20 s on SQLite on this 2-core machine, upload to answer.
"""

from __future__ import annotations

import argparse
import io
import tempfile
import time
import uuid
from pathlib import Path

from openpyxl import Workbook

from bench.invoicing_issue import postgres_schema_url
from bench.report import publish
from bench.stack import running_app
from invoicing_core.batch import columns as C
from invoicing_core.batch import parse_batch


def template_file(invoices: int) -> bytes:
    """An .xlsx in the batch template with `invoices` invoices of one line each."""
    run = uuid.uuid4().hex[:8]
    workbook = Workbook(write_only=True)
    invoice_sheet = workbook.create_sheet(C.INVOICE_SHEET)
    line_sheet = workbook.create_sheet(C.LINE_SHEET)
    invoice_headers = [column.header for column in C.INVOICE_COLUMNS]
    line_headers = [column.header for column in C.LINE_COLUMNS]
    invoice_sheet.append(invoice_headers)
    line_sheet.append(line_headers)
    for n in range(invoices):
        serial = f"{run}-{n:06d}"
        invoice = {
            C.SERIAL: serial,
            C.KIND: "数电普票",
            C.BUYER_NAME: f"武汉客户{n % 500}有限公司",
            C.BUYER_TAX_ID: "91420106MA49X8Q2Y7",  # an enterprise's id is required
        }
        line = {
            C.SERIAL: serial,
            C.ITEM_NAME: "办公用品",
            C.QUANTITY: "2",
            C.UNIT_PRICE: f"{50 + n % 100}.00",
            C.TAX_RATE: "13%",
            C.TAX_INCLUDED: "否",
        }
        invoice_sheet.append([invoice.get(header, "") for header in invoice_headers])
        line_sheet.append([line.get(header, "") for header in line_headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def measure(database_url: str, var_dir: Path, content: bytes, invoices: int) -> dict[str, float]:
    """Upload the file once and time it to the answer; check every invoice was issued."""
    with running_app(database_url, var_dir) as client:
        started = time.perf_counter()
        response = client.post(
            "/api/v1/invoices/batch",
            files={"file": ("batch.xlsx", content, "application/octet-stream")},
            timeout=600,
        )
        seconds = time.perf_counter() - started
        response.raise_for_status()
        outcome = response.json()
        if outcome["accepted"] != invoices or outcome["rejected"]:
            raise SystemExit(f"batch not fully issued: {outcome['accepted']} of {invoices}")
        last = client.get(f"/api/v1/invoices/{outcome['numbers'][-1]}")
        last.raise_for_status()
    return {"invoices": invoices, "seconds": round(seconds, 2)}


def main() -> None:
    """Measure on SQLite, and on PostgreSQL when a URL is given."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=10_000)
    parser.add_argument("--postgres", help="e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    content = template_file(args.invoices)
    started = time.perf_counter()
    parsed = parse_batch(content, "batch.xlsx")
    parse_seconds = time.perf_counter() - started
    if parsed.errors:
        raise SystemExit(f"the generated file has errors: {parsed.errors[:3]}")
    figures: dict[str, object] = {
        "target": "10,000 invoices in under 20 s (SQLite)",
        "file_kb": len(content) // 1024,
        "parse_only_seconds": round(parse_seconds, 2),
    }
    with tempfile.TemporaryDirectory() as scratch:
        var_dir = Path(scratch)
        sqlite_url = f"sqlite:///{var_dir / 'bench.db'}"
        figures["sqlite"] = measure(sqlite_url, var_dir, content, args.invoices)
        if args.postgres:
            postgres_url = postgres_schema_url(args.postgres)
            figures["postgresql"] = measure(postgres_url, var_dir, content, args.invoices)
    publish("invoicing_batch", figures)


if __name__ == "__main__":
    main()
