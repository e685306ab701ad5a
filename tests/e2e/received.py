"""An invoice a company receives, made for the browser and chat tests of recognition."""

from __future__ import annotations

import httpx


def issued_invoice_pdf(api: httpx.Client) -> tuple[str, bytes]:
    """An invoice issued in this system (so the ledger can verify it), as the PDF a
    supplier would send: its number and the file."""
    line = {"name": "办公用品", "quantity": "2", "unit_price": "565", "tax_rate": "13%"}
    body = {
        "kind": "digital_special",
        "buyer": {"name": "武汉光谷科技有限公司", "tax_id": "91420106MA49X8Q2Y7"},
        "lines": [{**line, "tax_included": True}],
    }
    issued = api.post("/invoices", json=body)
    assert issued.status_code == 201, issued.text
    number = str(issued.json()["number"])
    pdf = api.get(f"/invoices/{number}/pdf")
    assert pdf.status_code == 200, pdf.text
    return number, pdf.content
