"""Rows each migration's release made, written in SQL with only the columns of that revision.

A seed is inserted right after its revision is reached, as the app of that release would
have stored it; the walk then expects it to survive every later upgrade and every
downgrade that keeps its table (the columns a downgrade removes aside).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from invoicing_core.persistence.types import UtcDateTime

AT = datetime(2026, 11, 15, 2, 30, tzinfo=UTC)  # 2026-11 in China too
LATER = datetime(2026, 12, 20, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Seed:
    """Rows of one table, inserted at `revision`, found again by their `key` columns."""

    revision: str
    table: sa.TableClause
    key: tuple[str, ...]
    rows: tuple[dict[str, Any], ...]


def _table(table_name: str, /, **columns: Any) -> sa.TableClause:
    return sa.table(table_name, *(sa.column(column, kind) for column, kind in columns.items()))


_s, _i, _n, _b = sa.String(), sa.Integer(), sa.Numeric(18, 2), sa.Boolean()
_t, _j, _q = UtcDateTime(), sa.JSON(), sa.Numeric(28, 8)

# ---- invoicing_core --------------------------------------------------------------------

companies = _table(
    "companies",
    id=_i,
    name=_s,
    tax_id=_s,
    address=_s,
    phone=_s,
    bank=_s,
    account=_s,
    monthly_quota=_n,
    created_at=_t,
    paper_special_limit=_n,
)
users = _table(
    "users",
    id=_i,
    username=_s,
    password_hash=_s,
    role=_s,
    company_id=_i,
    display_name=_s,
    phone=_s,
    email=_s,
    failed_logins=_i,
    locked_until=_t,
    created_at=_t,
    failed_logins_since=_t,
)
access_tokens = _table("access_tokens", token_hash=_s, user_id=_i, created_at=_t, expires_at=_t)
audit_log = _table(
    "audit_log",
    id=_i,
    at=_t,
    actor=_s,
    company_id=_i,
    action=_s,
    target=_s,
    before=_j,
    after=_j,
    prev_hash=_s,
    hash=_s,
)
invoice_sequences = _table("invoice_sequences", prefix=_s, last_value=sa.BigInteger())
idempotency_keys = _table(
    "idempotency_keys",
    company_id=_i,
    key=_s,
    request_hash=_s,
    invoice_number=_s,
    created_at=_t,
)
invoices = _table(
    "invoices",
    id=_i,
    company_id=_i,
    number=_s,
    code=_s,
    kind=_s,
    status=_s,
    buyer_name=_s,
    buyer_tax_id=_s,
    buyer=_j,
    seller=_j,
    total_amount=_n,
    total_tax=_n,
    total_with_tax=_n,
    remark=_s,
    issued_at=_t,
    issued_by=_s,
    red_of=_s,
    red_reason=_s,
    reported=_b,
    certified=_b,
    void_reason=_s,
    voided_by=_s,
    voided_at=_t,
)
paper_stock = _table(
    "paper_stock",
    id=_i,
    company_id=_i,
    kind=_s,
    code=_s,
    next_number=_i,
    last_number=_i,
    first_number=_i,
)
invoice_lines = _table(
    "invoice_lines",
    invoice_id=_i,
    line_no=_i,
    name=_s,
    tax_code=_s,
    spec=_s,
    unit=_s,
    quantity=_q,
    unit_price=_q,
    amount=_n,
    tax_rate=_s,
    tax=_n,
    blue_line_no=_i,
)
password_reset_codes = _table(
    "password_reset_codes",
    id=_i,
    user_id=_i,
    code_hash=_s,
    created_at=_t,
    expires_at=_t,
    failed_tries=_i,
    used_at=_t,
    address=_s,
)
red_letter_forms = _table(
    "red_letter_forms",
    id=_i,
    blue_number=_s,
    seller_company_id=_i,
    buyer_tax_id=_s,
    initiator=_s,
    reason=_s,
    parts=_j,
    state=_s,
    entered_at=_t,
    entered_by=_s,
    answered_at=_t,
    answered_by=_s,
    red_number=_s,
)
quota_usage = _table("quota_usage", company_id=_i, month=_s, used=_n)
login_failures = _table(
    "login_failures",
    user_id=_i,
    address=_s,
    failed_logins=_i,
    lockouts=_i,
    locked_until=_t,
)
received_invoices = _table(
    "received_invoices",
    id=_i,
    company_id=_i,
    kind=_s,
    code=_s,
    number=_s,
    invoice_date=sa.Date(),
    seller_name=_s,
    seller_tax_id=_s,
    buyer_name=_s,
    buyer_tax_id=_s,
    amount=_n,
    tax=_n,
    total_with_tax=_n,
    fields=_j,
    recognition=_j,
    state=_s,
    recorded_by=_s,
    recorded_by_name=_s,
    recorded_at=_t,
    file_name=_s,
    media_type=_s,
    file_content=sa.LargeBinary(),
)
received_invoice_transitions = _table(
    "received_invoice_transitions",
    id=_i,
    received_invoice_id=_i,
    from_state=_s,
    to_state=_s,
    at=_t,
    by=_s,
    by_name=_s,
    note=_s,
)
pending_recognitions = _table(
    "pending_recognitions",
    id=_s,
    company_id=_i,
    username=_s,
    created_at=_t,
    expires_at=_t,
    file_name=_s,
    media_type=_s,
    file_content=sa.LargeBinary(),
    result=_j,
)

_company = {
    "name": "迁移测试有限公司",
    "tax_id": "91420100MA4K5R3T13",
    "address": "武汉市",
    "phone": "027-1",
    "bank": "工行",
    "account": "1",
    "monthly_quota": Decimal("1000000.00"),
    "created_at": AT,
}
_user = {
    "password_hash": "x",
    "role": "admin",
    "company_id": 1,
    "display_name": "管理员",
    "phone": "",
    "email": "",
    "failed_logins": 0,
    "locked_until": None,
    "created_at": AT,
}
_invoice = {
    "company_id": 1,
    "code": None,
    "kind": "digital_general",
    "status": "issued",
    "buyer_name": "购方有限公司",
    "buyer_tax_id": "91110000600037341L",
    "buyer": {"name": "购方有限公司"},
    "seller": {"name": "迁移测试有限公司"},
    "total_amount": Decimal("100.00"),
    "total_tax": Decimal("6.00"),
    "total_with_tax": Decimal("106.00"),
    "remark": "",
    "issued_at": AT,
    "issued_by": "admin-1",
    "red_of": None,
    "red_reason": None,
    "reported": False,
    "certified": False,
    "void_reason": None,
    "voided_by": None,
    "voided_at": None,
}

use_confirmations = _table(
    "use_confirmations",
    id=_i,
    invoice_number=_s,
    buyer_company_id=_i,
    use=_s,
    confirmed_at=_t,
    confirmed_by=_s,
)

CORE = [
    Seed("core0001", companies, ("id",), ({"id": 1, **_company},)),
    Seed("core0001", users, ("id",), ({"id": 1, "username": "admin-1", **_user},)),
    Seed(
        "core0001",
        access_tokens,
        ("token_hash",),
        ({"token_hash": "t" * 64, "user_id": 1, "created_at": AT, "expires_at": LATER},),
    ),
    Seed(
        "core0002",
        companies,
        ("id",),
        ({"id": 2, **_company, "tax_id": "91420100MA4K5R3T22", "paper_special_limit": 5000},),
    ),
    Seed(
        "core0002",
        audit_log,
        ("id",),
        (
            {
                "id": 1,
                "at": AT,
                "actor": "admin-1",
                "company_id": 1,
                "action": "invoice.issue",
                "target": "26420000000000000001",
                "before": None,
                "after": {"status": "issued"},
                "prev_hash": "0" * 64,
                "hash": "a" * 64,
            },
        ),
    ),
    Seed("core0002", invoice_sequences, ("prefix",), ({"prefix": "26420", "last_value": 1},)),
    Seed(
        "core0002",
        idempotency_keys,
        ("company_id", "key"),
        (
            {
                "company_id": 1,
                "key": "k-1",
                "request_hash": "r" * 64,
                "invoice_number": "26420000000000000001",
                "created_at": AT,
            },
        ),
    ),
    Seed("core0002", invoices, ("id",), ({"id": 1, "number": "26420000000000000001", **_invoice},)),
    Seed(
        "core0002",
        paper_stock,
        ("id",),
        (
            {
                "id": 1,
                "company_id": 1,
                "kind": "paper_special",
                "code": "4200000000",
                "next_number": 101,
                "last_number": 200,
            },
        ),
    ),
    Seed(
        "core0002",
        invoice_lines,
        ("invoice_id", "line_no"),
        (
            {
                "invoice_id": 1,
                "line_no": 1,
                "name": "*信息技术服务*软件维护",
                "tax_code": None,
                "spec": "",
                "unit": "次",
                "quantity": Decimal("2.00000000"),
                "unit_price": Decimal("50.00000000"),
                "amount": Decimal("100.00"),
                "tax_rate": "6%",
                "tax": Decimal("6.00"),
                "blue_line_no": None,
            },
        ),
    ),
    Seed(
        "core0003",
        password_reset_codes,
        ("id",),
        (
            {
                "id": 1,
                "user_id": 1,
                "code_hash": "h",
                "created_at": AT,
                "expires_at": LATER,
                "failed_tries": 1,
                "used_at": None,
            },
        ),
    ),
    Seed(
        "core0004",
        red_letter_forms,
        ("id",),
        (
            {
                "id": 1,
                "blue_number": "26420000000000000001",
                "seller_company_id": 1,
                "buyer_tax_id": "91110000600037341L",
                "initiator": "seller",
                "reason": "01",
                "parts": [{"line_no": 1, "amount": "-100.00"}],
                "state": "01",
                "entered_at": AT,
                "entered_by": "admin-1",
                "answered_at": None,
                "answered_by": None,
                "red_number": None,
            },
        ),
    ),
    # Issued under core0004: core0005 counts it against 2026-11's quota.
    Seed("core0004", invoices, ("id",), ({"id": 2, "number": "26420000000000000002", **_invoice},)),
    Seed(
        "core0006",
        paper_stock,
        ("id",),
        (
            {
                "id": 2,
                "company_id": 1,
                "kind": "paper_general",
                "code": "4200000001",
                "next_number": 5,
                "last_number": 50,
                "first_number": 1,
            },
        ),
    ),
    Seed(
        "core0007",
        users,
        ("id",),
        ({"id": 2, "username": "issuer-2", **_user, "failed_logins_since": AT},),
    ),
    Seed(
        "core0007",
        login_failures,
        ("user_id", "address"),
        (
            {
                "user_id": 2,
                "address": "10.0.0.1",
                "failed_logins": 2,
                "lockouts": 1,
                "locked_until": None,
            },
        ),
    ),
    Seed(
        "core0007",
        password_reset_codes,
        ("id",),
        (
            {
                "id": 2,
                "user_id": 2,
                "code_hash": "h2",
                "created_at": AT,
                "expires_at": LATER,
                "failed_tries": 0,
                "used_at": None,
                "address": "10.0.0.1",
            },
        ),
    ),
    Seed(
        "core0008",
        received_invoices,
        ("id",),
        (
            {
                "id": 1,
                "company_id": 1,
                "kind": "digital_special",
                "code": "",
                "number": "25442000000123456789",
                "invoice_date": date(2026, 11, 14),
                "seller_name": "销方有限公司",
                "seller_tax_id": "91440300MA5FXT4K8Q",
                "buyer_name": "迁移测试有限公司",
                "buyer_tax_id": "91420100MA4K5R3T13",
                "amount": Decimal("100.00"),
                "tax": Decimal("13.00"),
                "total_with_tax": Decimal("113.00"),
                "fields": {"number": "25442000000123456789"},
                "recognition": {"engine": "qr"},
                "state": "recorded",
                "recorded_by": "admin-1",
                "recorded_by_name": "管理员",
                "recorded_at": AT,
                "file_name": "invoice.pdf",
                "media_type": "application/pdf",
                "file_content": b"%PDF-1.4 original",
            },
        ),
    ),
    Seed(
        "core0008",
        received_invoice_transitions,
        ("id",),
        (
            {
                "id": 1,
                "received_invoice_id": 1,
                "from_state": None,
                "to_state": "recorded",
                "at": AT,
                "by": "admin-1",
                "by_name": "管理员",
                "note": "",
            },
        ),
    ),
    Seed(
        "core0008",
        pending_recognitions,
        ("id",),
        (
            {
                "id": "p" * 32,
                "company_id": 1,
                "username": "admin-1",
                "created_at": AT,
                "expires_at": LATER,
                "file_name": "scan.png",
                "media_type": "image/png",
                "file_content": b"\x89PNG",
                "result": {"fields": {}},
            },
        ),
    ),
    Seed(
        "core0010",
        use_confirmations,
        ("id",),
        (
            {
                "id": 1,
                "invoice_number": "26420000000000000001",
                "buyer_company_id": 1,
                "use": "deduct",
                "confirmed_at": AT,
                "confirmed_by": "admin-1",
            },
        ),
    ),
]

# ---- channels ----------------------------------------------------------------------------

conversations = _table(
    "conversations",
    id=_s,
    channel=_s,
    state=_s,
    created_at=_t,
    updated_at=_t,
    username=_s,
    agent=_s,
    agent_name=_s,
    waiting_since=_t,
    handoff_reason=_s,
    unanswered_streak=_i,
    agent_read_id=_i,
    last_received_invoice=_j,
    handoff_topic=_s,
)
messages = _table(
    "conversation_messages",
    id=_i,
    conversation_id=_s,
    role=_s,
    text=_s,
    payload=_j,
    delivered=_b,
    created_at=_t,
    client_id=_s,
    author=_s,
)
events = _table(
    "conversation_events", id=_i, conversation_id=_s, kind=_s, actor=_s, detail=_j, created_at=_t
)
agents_online = _table("agents_online", username=_s, display_name=_s, last_seen=_t)
tickets = _table(
    "handoff_tickets",
    id=_i,
    conversation_id=_s,
    username=_s,
    contact=_s,
    text=_s,
    status=_s,
    created_at=_t,
    closed_by=_s,
    closed_at=_t,
)
ratings = _table(
    "conversation_ratings", id=_i, conversation_id=_s, agent=_s, score=_i, created_at=_t
)
wechat_users = _table(
    "wechat_users",
    account=_s,
    openid=_s,
    conversation_id=_s,
    username=_s,
    bound_at=_t,
    last_inbound_at=_t,
    subscribed=_b,
    wrong_codes=_i,
    locked_until=_t,
)
wechat_inbound = _table(
    "wechat_inbound",
    id=_i,
    account=_s,
    msg_key=_s,
    openid=_s,
    msg_type=_s,
    content=_s,
    received_at=_t,
    status=_s,
    reply=_s,
)
wechat_outbound = _table(
    "wechat_outbound",
    id=_i,
    account=_s,
    openid=_s,
    conversation_id=_s,
    text=_s,
    status=_s,
    reason=_s,
    errcode=_i,
    attempts=_i,
    created_at=_t,
)
binding_codes = _table(
    "wechat_binding_codes",
    id=_i,
    username=_s,
    account=_s,
    openid=_s,
    code_hash=_s,
    created_at=_t,
    expires_at=_t,
    used_at=_t,
)
wechat_tokens = _table("wechat_access_tokens", account=_s, token=_s, expires_at=_t)
agent_skills = _table("agent_skills", username=_s, topic=_s)
notification_settings = _table(
    "notification_settings", username=_s, ways=_j, quiet_from=_s, quiet_to=_s, updated_at=_t
)
notifications = _table(
    "notifications",
    id=_i,
    event_key=_s,
    username=_s,
    kind=_s,
    way=_s,
    title=_s,
    body=_s,
    urgent=_b,
    state=_s,
    attempts=_i,
    next_attempt_at=_t,
    last_error=_s,
    created_at=_t,
    sent_at=_t,
    read_at=_t,
)


def _conversation(identifier: str, **more: Any) -> dict[str, Any]:
    return {
        "id": identifier,
        "channel": "widget",
        "state": "bot",
        "created_at": AT,
        "updated_at": AT,
        **more,
    }


def _message(identifier: int, conversation: str, **more: Any) -> dict[str, Any]:
    return {
        "id": identifier,
        "conversation_id": conversation,
        "role": "user",
        "text": f"消息 {identifier}",
        "payload": None,
        "delivered": True,
        "created_at": AT,
        **more,
    }


def _inbound(identifier: int, status: str) -> dict[str, Any]:
    return {
        "id": identifier,
        "account": "mp",
        "msg_key": f"msg-{identifier}",
        "openid": "o-1",
        "msg_type": "text",
        "content": "开票",
        "received_at": AT,
        "status": status,
        "reply": "好的",
    }


CHANNELS = [
    Seed("0001", conversations, ("id",), (_conversation("c-1"),)),
    Seed("0001", messages, ("id",), (_message(1, "c-1"), _message(2, "c-1", role="bot"))),
    Seed("0002", conversations, ("id",), (_conversation("c-2", username="admin-1"),)),
    Seed("0002", messages, ("id",), (_message(3, "c-2"),)),
    Seed(
        "0003",
        conversations,
        ("id",),
        (
            _conversation(
                "c-3",
                state="agent",
                username="admin-1",
                agent="agent-1",
                agent_name="客服一",
                waiting_since=AT,
                handoff_reason="asked",
                unanswered_streak=2,
                agent_read_id=4,
            ),
        ),
    ),
    Seed("0003", messages, ("id",), (_message(4, "c-3", client_id="cl-4", author="agent-1"),)),
    Seed(
        "0003",
        events,
        ("id",),
        (
            {
                "id": 1,
                "conversation_id": "c-3",
                "kind": "taken",
                "actor": "agent-1",
                "detail": {"from": "waiting"},
                "created_at": AT,
            },
        ),
    ),
    Seed(
        "0003",
        agents_online,
        ("username",),
        ({"username": "agent-1", "display_name": "客服一", "last_seen": AT},),
    ),
    Seed(
        "0003",
        tickets,
        ("id",),
        (
            {
                "id": 1,
                "conversation_id": "c-1",
                "username": None,
                "contact": "13800000000",
                "text": "请回电",
                "status": "open",
                "created_at": AT,
                "closed_by": None,
                "closed_at": None,
            },
        ),
    ),
    Seed(
        "0003",
        ratings,
        ("id",),
        ({"id": 1, "conversation_id": "c-3", "agent": "agent-1", "score": 5, "created_at": AT},),
    ),
    Seed(
        "0004",
        wechat_users,
        ("account", "openid"),
        (
            {
                "account": "mp",
                "openid": "o-1",
                "conversation_id": "c-1",
                "username": "admin-1",
                "bound_at": AT,
                "last_inbound_at": AT,
                "subscribed": True,
                "wrong_codes": 0,
                "locked_until": None,
            },
        ),
    ),
    # A late answer already sent: 0005 calls it "delivered", its downgrade "late" again.
    Seed("0004", wechat_inbound, ("id",), (_inbound(1, "late"), _inbound(2, "answered"))),
    Seed(
        "0004",
        wechat_outbound,
        ("id",),
        (
            {
                "id": 1,
                "account": "mp",
                "openid": "o-1",
                "conversation_id": "c-1",
                "text": "您的发票已开具",
                "status": "sent",
                "reason": None,
                "errcode": None,
                "attempts": 1,
                "created_at": AT,
            },
        ),
    ),
    Seed(
        "0004",
        binding_codes,
        ("id",),
        (
            {
                "id": 1,
                "username": "admin-1",
                "account": None,
                "openid": None,
                "code_hash": "c" * 64,
                "created_at": AT,
                "expires_at": LATER,
                "used_at": None,
            },
        ),
    ),
    Seed(
        "0004",
        wechat_tokens,
        ("account",),
        ({"account": "mp", "token": "tok", "expires_at": LATER},),
    ),
    Seed(
        "0006",
        conversations,
        ("id",),
        (_conversation("c-6", last_received_invoice={"number": "25442000000123456789"}),),
    ),
    Seed("0006", messages, ("id",), (_message(5, "c-6"),)),
    Seed("0007", conversations, ("id",), (_conversation("c-7", handoff_topic="red_letter"),)),
    Seed(
        "0007",
        agent_skills,
        ("username", "topic"),
        ({"username": "agent-1", "topic": "red_letter"},),
    ),
    Seed(
        "0008",
        notification_settings,
        ("username",),
        (
            {
                "username": "admin-1",
                "ways": ["site", "email"],
                "quiet_from": "22:00",
                "quiet_to": "08:00",
                "updated_at": AT,
            },
        ),
    ),
    Seed(
        "0008",
        notifications,
        ("id",),
        (
            {
                "id": 1,
                "event_key": "invoice.issued:26420000000000000001",
                "username": "admin-1",
                "kind": "invoice",
                "way": "site",
                "title": "发票已开具",
                "body": "发票 26420000000000000001 已开具。",
                "urgent": False,
                "state": "sent",
                "attempts": 1,
                "next_attempt_at": AT,
                "last_error": None,
                "created_at": AT,
                "sent_at": AT,
                "read_at": None,
            },
        ),
    ),
]

# ---- knowledge -----------------------------------------------------------------------------

unanswered = _table(
    "knowledge_unanswered_questions",
    id=_i,
    question=_s,
    normalized=_s,
    top_id=_s,
    top_score=sa.Float(),
    answered=_b,
    channel=_s,
    asked_at=_t,
    company_id=_i,
    conversation_id=_s,
)
feedback = _table(
    "knowledge_feedback",
    id=_i,
    conversation_id=_s,
    message_id=_i,
    entry_id=_s,
    question=_s,
    helpful=_b,
    channel=_s,
    company_id=_i,
    given_at=_t,
)
entries = _table("knowledge_entries", entry_id=_s, data=_j, status=_s, updated_at=_t, updated_by=_s)
entry_versions = _table(
    "knowledge_entry_versions",
    id=_i,
    entry_id=_s,
    data=_j,
    status=_s,
    action=_s,
    author=_s,
    created_at=_t,
)


def _question(identifier: int, **more: Any) -> dict[str, Any]:
    return {
        "id": identifier,
        "question": "怎么开红字发票",
        "normalized": "怎么开红字发票",
        "top_id": "red-letter",
        "top_score": 0.25,
        "answered": False,
        "channel": "widget",
        "asked_at": AT,
        **more,
    }


KNOWLEDGE = [
    Seed("k0001", unanswered, ("id",), (_question(1),)),
    Seed("k0002", unanswered, ("id",), (_question(2, company_id=1, conversation_id="c-1"),)),
    Seed(
        "k0003",
        feedback,
        ("id",),
        (
            {
                "id": 1,
                "conversation_id": "c-1",
                "message_id": 2,
                "entry_id": "red-letter",
                "question": "怎么开红字发票",
                "helpful": True,
                "channel": "widget",
                "company_id": 1,
                "given_at": AT,
            },
        ),
    ),
    Seed(
        "k0004",
        entries,
        ("entry_id",),
        (
            {
                "entry_id": "console-1",
                "data": {"question": "发票抬头写错了怎么办"},
                "status": "published",
                "updated_at": AT,
                "updated_by": "editor-1",
            },
        ),
    ),
    Seed(
        "k0004",
        entry_versions,
        ("id",),
        (
            {
                "id": 1,
                "entry_id": "console-1",
                "data": {"question": "发票抬头写错了怎么办"},
                "status": "published",
                "action": "create",
                "author": "editor-1",
                "created_at": AT,
            },
        ),
    ),
]
