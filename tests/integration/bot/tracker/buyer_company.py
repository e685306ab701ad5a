"""A second company of the system, the buyer of the demo company's invoices, with a user.

Red-letter confirmation forms and use confirmations are the buyer's to answer, and the
buyer is a company of this system matched by its taxpayer id (docs/invoicing-rules.md).
The demo data has one company; the buyer is made in the served app's database with the
core's own account service, run by the app's Python (the tests run in Rasa's).
"""

from __future__ import annotations

import os
import subprocess

import requests
from served_app import APP_PYTHON, ROOT, App

BUYER_TAX_ID = "91420100MA0007301M"
BUYER_NAME = "武汉买方贸易有限公司"
BUYER_USER = {"username": "buyer-clerk", "password": "Buyer@2026!"}

_MAKE = """
import sys
from decimal import Decimal
from invoicing_core import CoreSettings, InvoicingCore, Role
url, tax_id, name, username, password = sys.argv[1:]
core = InvoicingCore.open(CoreSettings(database_url=url))
try:
    company = core.accounts.company_id_by_tax_id(tax_id) or core.accounts.create_company(
        name=name, tax_id=tax_id, monthly_quota=Decimal(100000)
    )
    if not core.accounts.user_exists(username):
        core.accounts.create_user(
            username=username, password=password, role=Role.ISSUER, company_id=company
        )
finally:
    core.close()
"""


def buyer_token(app: App) -> str:
    """The buyer company's clerk logged in (the company and user made when missing)."""
    url = f"sqlite:///{app.database}"
    arguments = [url, BUYER_TAX_ID, BUYER_NAME, BUYER_USER["username"], BUYER_USER["password"]]
    subprocess.run(
        [APP_PYTHON, "-c", _MAKE, *arguments],
        env={**os.environ, "DATABASE_URL": url},
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    login = requests.post(f"{app.url}/api/v1/auth/token", json=BUYER_USER, timeout=30)
    assert login.status_code == 200, login.text
    token: str = login.json()["access_token"]
    return token


def sold_to_buyer(app: App, lines: list[dict[str, str]]) -> str:
    """A digital special invoice of the demo company to the buyer company; its number."""
    body = {
        "kind": "digital_special",
        "buyer": {"name": BUYER_NAME, "tax_id": BUYER_TAX_ID},
        "lines": lines,
    }
    response = app.api("POST", "/invoices", json=body)
    assert response.status_code == 201, response.text
    number: str = response.json()["number"]
    return number
