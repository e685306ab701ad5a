"""Every protected endpoint against every kind of caller: only what each may do succeeds.

Callers: anonymous, the tenant's viewer, issuer, approver and admin, an agent (who serves
customers but belongs to no company) and the agents' supervisor, a knowledge editor
(who keeps the shared knowledge base, also of no company), and a stranger (the
issuer of another company).
A new endpoint fails `test_every_protected_endpoint_is_in_the_matrix` until it is added.
Going around the app, straight to Rasa or the action server, is refused in
tests/e2e/test_service_bypass.py (it needs the running stack).
"""

from collections.abc import Callable
from dataclasses import dataclass
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient

from invoicing_core import InvoicingCore
from invoicing_core.domain.account import Role
from tests.integration.invoicing_core.company_users import add_user, log_in
from tests.integration.invoicing_core.conftest import Tenant, make_tenant, valid_tax_id
from tests.integration.invoicing_core.received_ledger import (
    document_of,
    recognize,
    record,
    stand_in_engine,
)
from tests.integration.invoicing_core.test_batch_and_pdf_api import batch_file, invoice, line
from tests.integration.invoicing_core.test_invoice_api import issue, service_fee

CALLERS = (
    "anonymous",
    "viewer",
    "issuer",
    "approver",
    "agent",
    "supervisor",
    "editor",
    "admin",
    "stranger",
)
# Endpoints anyone may call: logging in, password reset, policy questions, chat, the template.
PUBLIC = {
    ("POST", "/api/v1/auth/token"),
    ("POST", "/api/v1/auth/password-reset"),
    ("POST", "/api/v1/auth/password-reset/confirm"),
    ("GET", "/api/v1/knowledge/search"),
    ("POST", "/api/v1/chat"),
    ("GET", "/api/v1/invoices/batch/template"),
    ("GET", "/api/v1/notices"),
}
_serial = count(1)
# Recognition is stood in for: this is about who may call, not about reading invoices.
__all__ = ["stand_in_engine"]
pytestmark = pytest.mark.usefixtures("stand_in_engine")


@dataclass
class World:
    """A tenant with a user of each role, an agent, a stranger, and ways to make targets."""

    client: TestClient
    core: InvoicingCore
    tenant: Tenant
    headers: dict[str, dict[str, str]]
    # Another company, selling to the tenant (the tenant confirms the use of what it bought).
    seller: Tenant | None = None

    def paper_invoice(self) -> str:
        """A fresh paper invoice of the tenant, so a successful void changes only it."""
        return str(issue(self.client, self.tenant, service_fee(kind="paper_general"))["number"])

    def full_red_form(self) -> int:
        """A form that needed no confirmation: nobody may answer or withdraw it."""
        blue = issue(self.client, self.tenant, service_fee())["number"]
        response = self.client.post(
            "/api/v1/red-letter-forms",
            json={"number": blue, "reason": "1"},
            headers=self.tenant.issuer,
        )
        return int(response.json()["form"]["id"])

    def invoice_document(self) -> bytes:
        """A fresh invoice as received: each is a new one, never a duplicate."""
        return document_of(issue(self.client, self.tenant, service_fee()))

    def recognition(self) -> str:
        """A fresh recognition of the tenant's, awaiting recording."""
        return str(recognize(self.client, self.tenant.issuer, self.invoice_document())["id"])

    def receipt(self) -> int:
        """A fresh entry of the tenant's ledger, still recorded."""
        response = record(self.client, self.tenant.issuer, self.recognition())
        return int(response.json()["id"])

    def bought_invoice(self) -> str:
        """A fresh invoice the seller issued to the tenant, its use not confirmed yet."""
        assert self.seller is not None
        buyer = {"name": "武汉买方测试有限公司", "tax_id": self.tenant.tax_id}
        return str(issue(self.client, self.seller, service_fee(buyer=buyer))["number"])

    def confirmed_invoice(self) -> str:
        """A fresh invoice issued to the tenant, its use confirmed by the tenant's issuer."""
        number = self.bought_invoice()
        body = {"number": number, "use": "deduct"}
        response = self.client.post(
            "/api/v1/use-confirmations", json=body, headers=self.tenant.issuer
        )
        assert response.status_code == 201, response.text
        return number

    def approval(self) -> int:
        """A fresh request of the tenant's issuer, waiting for the approver role."""
        body = service_fee(buyer=HELD_BUYER)
        response = self.client.post("/api/v1/invoices", json=body, headers=self.tenant.issuer)
        assert response.status_code == 202, response.text
        return int(response.json()["id"])


Request = Callable[[World], tuple[str, dict[str, Any]]]
DENIED_TO_OUTSIDERS = {"anonymous": 401, "agent": 403, "supervisor": 403, "editor": 403}


def expect(ok: int, **others: int) -> dict[str, int]:
    """`ok` for the tenant's viewer, issuer and admin and the stranger, unless said otherwise;
    the tenant's approver gets what its viewer gets (both issue nothing), unless said."""
    expected = {
        **{caller: ok for caller in ("viewer", "issuer", "admin", "stranger")},
        **DENIED_TO_OUTSIDERS,
        **others,
    }
    expected.setdefault("approver", expected["viewer"])
    return expected


def issuing(ok: int, stranger: int = 404) -> dict[str, int]:
    """Only the tenant's issuer and admin succeed; a stranger does not see the target."""
    return expect(ok, viewer=403, stranger=stranger)


def admins(ok: int) -> dict[str, int]:
    """Only the tenant's admin succeeds."""
    return expect(ok, viewer=403, issuer=403, stranger=403)


def agents(ok: int) -> dict[str, int]:
    """Only agents (supervisors are agents too) succeed: the console's API."""
    return {**expect(403), "anonymous": 401, "agent": ok, "supervisor": ok}


def supervisors(ok: int) -> dict[str, int]:
    """Only the agents' supervisors succeed."""
    return {**agents(403), "supervisor": ok}


def editors(ok: int, **others: int) -> dict[str, int]:
    """Only the knowledge editors succeed (and whoever else is named)."""
    return {**expect(403), "anonymous": 401, "editor": ok, **others}


def knowledge_readers(ok: int) -> dict[str, int]:
    """The editors (every company's questions) and the tenant's admin (its own)."""
    return editors(ok, admin=ok)


ONE_ENTRY = {"question": "问", "answer": "答"}


def _import(_: World) -> tuple[str, dict[str, Any]]:
    return "/api/v1/knowledge/import", {"files": {"file": ("k.xlsx", b"not a workbook", "x")}}


NOBODYS_CONVERSATION = "00000000-0000-4000-8000-000000000000"
AGENT_CONVERSATION_OPERATIONS = {
    ("GET", ""): None,
    ("GET", "/customer"): None,
    ("POST", "/claim"): None,
    ("POST", "/messages"): {"text": "您好"},
    ("POST", "/read"): None,
    ("POST", "/transfer"): {"to": "agent"},
    ("POST", "/hand-back"): None,
    ("POST", "/close"): None,
}


def _batch(_: World) -> tuple[str, dict[str, Any]]:
    serial = f"M{next(_serial)}"
    content = batch_file([invoice(serial)], [line(serial)])
    return "/api/v1/invoices/batch", {"files": {"file": ("b.xlsx", content, "application/x")}}


def _batch_in_chat(w: World) -> tuple[str, dict[str, Any]]:
    """A batch preview in a fresh guest conversation."""
    options = _batch(w)[1]
    return "/api/v1/chat/batch", {
        **options,
        "data": {"conversation_id": _guest_conversation(w), "mode": "preview"},
    }


def _guest_conversation(w: World) -> str:
    """A fresh guest conversation (the caller's once they act in it)."""
    return str(w.client.app.state.services.store.open(None, "widget").id)  # type: ignore[attr-defined]


def _recognition_in_chat(w: World) -> tuple[str, dict[str, Any]]:
    file = ("i.pdf", w.invoice_document(), "application/pdf")
    return "/api/v1/chat/recognition", {
        "files": {"file": file},
        "data": {"conversation_id": _guest_conversation(w)},
    }


def _record_in_chat(w: World) -> tuple[str, dict[str, Any]]:
    body = {"conversation_id": _guest_conversation(w), "recognition_id": w.recognition()}
    return "/api/v1/chat/recognition/record", {"json": body}


def fixed(path: str, options: dict[str, Any] | None = None) -> Request:
    """A request that is the same in every world (a function, so loops bind their own values)."""
    return lambda _: (path, dict(options or {}))


def red_form_move(move: str) -> Request:
    """A move on a fresh red-letter form of the world's tenant."""
    return lambda w: (f"/api/v1/red-letter-forms/{w.full_red_form()}/{move}", {})


# Only invoices to this buyer wait for approval in the tenant, so every other row issues.
HELD_BUYER = {"name": "武汉审批测试有限公司", "tax_id": valid_tax_id(999999)}
APPROVAL_RULES = {"buyers": [HELD_BUYER["tax_id"]], "levels": [{"approvers": []}]}


def approval_move(move: str, body: dict[str, Any] | None = None) -> Request:
    """A move on a fresh approval request of the world's tenant."""
    return lambda w: (
        f"/api/v1/approvals/{w.approval()}/{move}",
        {"json": body} if body else {},
    )


def received_entry(suffix: str) -> Request:
    """A read of a fresh entry of the world's tenant's ledger."""
    return lambda w: (f"/api/v1/received-invoices/{w.receipt()}{suffix}", {})


MATRIX: dict[tuple[str, str], tuple[dict[str, int], Request]] = {
    ("POST", "/api/v1/invoices"): (
        issuing(201, stranger=201),
        lambda w: ("/api/v1/invoices", {"json": service_fee()}),
    ),
    ("GET", "/api/v1/invoices"): (expect(200), lambda w: ("/api/v1/invoices", {})),
    ("POST", "/api/v1/invoices/preview"): (
        issuing(200, stranger=200),
        lambda w: ("/api/v1/invoices/preview", {"json": service_fee()}),
    ),
    ("GET", "/api/v1/invoices/{number}"): (
        expect(200, stranger=404),
        lambda w: (f"/api/v1/invoices/{w.paper_invoice()}", {}),
    ),
    ("GET", "/api/v1/invoices/{number}/pdf"): (
        expect(200, stranger=404),
        lambda w: (f"/api/v1/invoices/{w.paper_invoice()}/pdf", {}),
    ),
    ("POST", "/api/v1/invoices/{number}/void"): (
        issuing(200),
        lambda w: (f"/api/v1/invoices/{w.paper_invoice()}/void", {"json": {"reason": "测试"}}),
    ),
    ("POST", "/api/v1/invoices/{number}/red-letter"): (
        issuing(201),
        lambda w: (
            f"/api/v1/invoices/{w.paper_invoice()}/red-letter",
            {"json": {"reason": "1"}},
        ),
    ),
    ("POST", "/api/v1/invoices/batch"): (issuing(200, stranger=200), _batch),
    ("POST", "/api/v1/chat/batch"): (issuing(200, stranger=200), _batch_in_chat),
    ("POST", "/api/v1/invoices/batch/preview"): (
        issuing(200, stranger=200),
        lambda w: ("/api/v1/invoices/batch/preview", _batch(w)[1]),
    ),
    ("POST", "/api/v1/red-letter-forms"): (
        issuing(201),
        lambda w: (
            "/api/v1/red-letter-forms",
            {"json": {"number": w.paper_invoice(), "reason": "1"}},
        ),
    ),
    ("GET", "/api/v1/red-letter-forms"): (expect(200), lambda w: ("/api/v1/red-letter-forms", {})),
    ("GET", "/api/v1/red-letter-forms/{form_id}"): (
        expect(200, stranger=404),
        lambda w: (f"/api/v1/red-letter-forms/{w.full_red_form()}", {}),
    ),
    **{
        ("POST", f"/api/v1/red-letter-forms/{{form_id}}/{move}"): (
            issuing(409),
            red_form_move(move),
        )
        for move in ("confirm", "deny", "withdraw")
    },
    ("GET", "/api/v1/paper-stock"): (expect(200), lambda w: ("/api/v1/paper-stock", {})),
    ("POST", "/api/v1/paper-stock"): (
        admins(201),
        lambda w: (
            "/api/v1/paper-stock",
            {
                "json": {
                    "kind": "paper_general",
                    "code": f"04200{w.tenant.company_id % 10000:04d}{next(_serial) % 1000:03d}",
                    "first": 1,
                    "count": 10,
                }
            },
        ),
    ),
    ("GET", "/api/v1/buyers/type"): (
        expect(200, agent=200, supervisor=200, editor=200),  # any signed-in user reads a name
        lambda w: ("/api/v1/buyers/type", {"params": {"name": "武汉光谷科技有限公司"}}),
    ),
    ("GET", "/api/v1/reports/summary"): (
        expect(200),
        lambda w: ("/api/v1/reports/summary", {"params": {"period": "month"}}),
    ),
    ("GET", "/api/v1/alerts"): (admins(200), lambda w: ("/api/v1/alerts", {})),
    ("POST", "/api/v1/recognitions"): (
        expect(201),
        lambda w: (
            "/api/v1/recognitions",
            {"files": {"file": ("i.pdf", w.invoice_document(), "application/pdf")}},
        ),
    ),
    ("POST", "/api/v1/chat/recognition"): (expect(200), _recognition_in_chat),
    ("POST", "/api/v1/chat/recognition/record"): (issuing(200), _record_in_chat),
    ("POST", "/api/v1/received-invoices"): (
        issuing(201),
        lambda w: ("/api/v1/received-invoices", {"json": {"recognition_id": w.recognition()}}),
    ),
    **{
        ("GET", f"/api/v1/received-invoices{suffix}"): (
            expect(200),
            fixed(f"/api/v1/received-invoices{suffix}"),
        )
        for suffix in ("", "/export.xlsx", "/summary")
    },
    **{
        ("GET", f"/api/v1/received-invoices/{{receipt_id}}{suffix}"): (
            expect(200, stranger=404),
            received_entry(suffix),
        )
        for suffix in ("", "/original")
    },
    ("POST", "/api/v1/received-invoices/{receipt_id}/state"): (
        issuing(200),
        lambda w: (
            f"/api/v1/received-invoices/{w.receipt()}/state",
            {"json": {"state": "reimbursed", "note": "报销"}},
        ),
    ),
    # Approval: rules read by the company, set by its admin; requests decided by approvers.
    ("GET", "/api/v1/approval-rules"): (expect(200), fixed("/api/v1/approval-rules")),
    ("PUT", "/api/v1/approval-rules"): (
        admins(200),
        fixed("/api/v1/approval-rules", {"json": APPROVAL_RULES}),
    ),
    ("GET", "/api/v1/approvals"): (expect(200), fixed("/api/v1/approvals")),
    ("GET", "/api/v1/approvals/{request_id}"): (
        expect(200, stranger=404),
        lambda w: (f"/api/v1/approvals/{w.approval()}", {}),
    ),
    # The issuer asked: approving it is self-approval; the admin is not of the approver role.
    ("POST", "/api/v1/approvals/{request_id}/approve"): (
        expect(403, stranger=404, approver=200),
        approval_move("approve"),
    ),
    ("POST", "/api/v1/approvals/{request_id}/reject"): (
        expect(403, stranger=404, approver=200),
        approval_move("reject", {"reason": "金额不对"}),
    ),
    ("POST", "/api/v1/approvals/{request_id}/cancel"): (
        expect(403, stranger=404, issuer=200),
        approval_move("cancel"),
    ),
    # 用途确认: the buyer's issuer and admin confirm; another company does not see the invoice.
    ("POST", "/api/v1/use-confirmations"): (
        expect(201, viewer=403, approver=403, stranger=404),
        lambda w: (
            "/api/v1/use-confirmations",
            {"json": {"number": w.bought_invoice(), "use": "deduct"}},
        ),
    ),
    ("GET", "/api/v1/use-confirmations/{number}"): (
        expect(200, stranger=404),
        lambda w: (f"/api/v1/use-confirmations/{w.confirmed_invoice()}", {}),
    ),
    ("GET", "/api/v1/users"): (admins(200), lambda w: ("/api/v1/users", {})),
    ("PATCH", "/api/v1/users/{username}"): (
        admins(200),
        lambda w: (
            f"/api/v1/users/{add_user(w.core, w.tenant, Role.VIEWER)}",
            {"json": {"role": "issuer"}},
        ),
    ),
    ("POST", "/api/v1/users/{username}/unlock"): (
        admins(200),
        lambda w: (f"/api/v1/users/{add_user(w.core, w.tenant, Role.VIEWER)}/unlock", {}),
    ),
    ("POST", "/api/v1/wechat/binding-code"): (
        {**expect(200), "agent": 200, "supervisor": 200, "editor": 200},
        lambda w: ("/api/v1/wechat/binding-code", {}),
    ),
    # Notifications: every logged-in user's own; nobody reaches another's.
    ("GET", "/api/v1/notification-settings"): (
        {**expect(200), "agent": 200, "supervisor": 200, "editor": 200},
        fixed("/api/v1/notification-settings"),
    ),
    ("PUT", "/api/v1/notification-settings"): (
        {**expect(200), "agent": 200, "supervisor": 200, "editor": 200},
        fixed("/api/v1/notification-settings", {"json": {"ways": {"risk_alert": ["app"]}}}),
    ),
    ("GET", "/api/v1/notifications"): (
        {**expect(200), "agent": 200, "supervisor": 200, "editor": 200},
        fixed("/api/v1/notifications"),
    ),
    ("POST", "/api/v1/notifications/{notification_id}/read"): (
        {**expect(404), "agent": 404, "supervisor": 404, "editor": 404},
        fixed("/api/v1/notifications/999999/read"),
    ),
    **{
        ("GET", f"/api/v1/agent/{name}"): (
            agents(200),
            fixed(f"/api/v1/agent/{name}"),
        )
        for name in (
            "me",
            "queue",
            "conversations",
            "agents",
            "skills",
            "canned-replies",
            "tickets",
        )
    },
    # System notices: the agents' supervisors serve the whole platform and schedule them.
    ("POST", "/api/v1/notices"): (
        supervisors(201),
        fixed(
            "/api/v1/notices",
            {
                "json": {
                    "text": "升级",
                    "starts_at": "2999-01-01T02:00",
                    "ends_at": "2999-01-01T03:00",
                }
            },
        ),
    ),
    ("DELETE", "/api/v1/notices/{notice_id}"): (
        supervisors(404),
        fixed("/api/v1/notices/999999"),
    ),
    ("PUT", "/api/v1/agent/agents/{username}/skills"): (
        supervisors(404),
        fixed("/api/v1/agent/agents/nobody/skills", {"json": {"skills": ["policy"]}}),
    ),
    ("POST", "/api/v1/agent/tickets/{ticket_id}/close"): (
        agents(404),
        lambda w: ("/api/v1/agent/tickets/999999/close", {}),
    ),
    **{
        (method, f"/api/v1/agent/conversations/{{conversation_id}}{suffix}"): (
            agents(404),
            fixed(
                f"/api/v1/agent/conversations/{NOBODYS_CONVERSATION}{suffix}",
                {"json": body} if body else {},
            ),
        )
        for (method, suffix), body in AGENT_CONVERSATION_OPERATIONS.items()
    },
    ("GET", "/api/v1/auth/me"): (
        {**expect(200), "agent": 200, "supervisor": 200, "editor": 200},
        lambda w: ("/api/v1/auth/me", {}),
    ),
    ("POST", "/api/v1/knowledge/reload"): (
        editors(200),
        lambda w: ("/api/v1/knowledge/reload", {}),
    ),
    **{
        ("GET", f"/api/v1/knowledge/{name}"): (
            knowledge_readers(200),
            fixed(f"/api/v1/knowledge/{name}"),
        )
        for name in ("unanswered", "review", "entries")
    },
    ("GET", "/api/v1/knowledge/entries/{entry_id}"): (
        knowledge_readers(200),
        lambda w: ("/api/v1/knowledge/entries/account.locked", {}),
    ),
    ("PUT", "/api/v1/knowledge/entries/{entry_id}"): (
        editors(200),
        lambda w: ("/api/v1/knowledge/entries/matrix.one", {"json": ONE_ENTRY}),
    ),
    ("DELETE", "/api/v1/knowledge/entries/{entry_id}"): (
        editors(200),
        lambda w: ("/api/v1/knowledge/entries/matrix.one", {}),
    ),
    ("POST", "/api/v1/knowledge/entries/{entry_id}/rollback"): (
        editors(404),
        lambda w: ("/api/v1/knowledge/entries/matrix.one/rollback", {"json": {"version": 0}}),
    ),
    ("POST", "/api/v1/knowledge/drafts"): (
        editors(201, agent=201, supervisor=201),
        lambda w: ("/api/v1/knowledge/drafts", {"json": {"question": "问", "answer": "答"}}),
    ),
    ("POST", "/api/v1/knowledge/preview"): (
        knowledge_readers(200),
        lambda w: ("/api/v1/knowledge/preview", {"json": {"question": "忘记密码怎么办"}}),
    ),
    ("GET", "/api/v1/knowledge/export"): (editors(200), lambda w: ("/api/v1/knowledge/export", {})),
    ("POST", "/api/v1/knowledge/import"): (editors(422), _import),
}


@pytest.fixture(scope="module")
def world(app_client: TestClient, core: InvoicingCore) -> World:
    # Every request that needs a target issues a fresh invoice of 10,000 yuan for it.
    tenant = make_tenant(app_client, core, quota="100000000")
    stranger = make_tenant(app_client, core)
    admin = add_user(core, tenant, Role.ADMIN)
    core.approvals.set_rules(core.accounts.principal_of(admin), APPROVAL_RULES)
    headers = {
        "anonymous": {},
        "viewer": tenant.viewer,
        "issuer": tenant.issuer,
        "approver": log_in(app_client, add_user(core, tenant, Role.APPROVER)),
        "admin": log_in(app_client, admin),
        "agent": log_in(app_client, add_user(core, None, Role.AGENT)),
        "supervisor": log_in(app_client, add_user(core, None, Role.SUPERVISOR)),
        "editor": log_in(app_client, add_user(core, None, Role.EDITOR)),
        "stranger": stranger.issuer,
    }
    return World(app_client, core, tenant, headers, make_tenant(app_client, core))


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize("endpoint", sorted(MATRIX), ids=" ".join)
def test_each_caller_gets_exactly_what_their_role_allows(
    world: World, endpoint: tuple[str, str], caller: str
) -> None:
    expected, build = MATRIX[endpoint]
    path, options = build(world)
    response = world.client.request(endpoint[0], path, headers=world.headers[caller], **options)
    assert response.status_code == expected[caller], response.text
    if response.status_code >= 400:
        error = response.json()["error"]
        assert error["code"] and error["message"]


def test_every_protected_endpoint_is_in_the_matrix(app_client: TestClient) -> None:
    operations = {
        (method.upper(), path)
        for path, methods in app_client.app.openapi()["paths"].items()  # type: ignore[attr-defined]
        for method in methods
        if path.startswith("/api/v1/")
    }
    assert operations - PUBLIC == set(MATRIX)
