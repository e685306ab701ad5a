"""The demo company and users of CONTRACT.md, created once."""

from decimal import Decimal

from sqlalchemy import Engine

from invoicing_core.domain.account import Role
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.persistence.numbers import add_paper_stock, paper_left
from invoicing_core.services.accounts import AccountService

DEMO_COMPANY = {
    "name": "武汉示例科技有限公司",
    "tax_id": "91420100MA4K5R3T13",
    "address": "武汉市东湖新技术开发区光谷大道1号",
    "phone": "027-87654321",
    "bank": "中国工商银行武汉光谷支行",
    "account": "3202001234567890123",
}
DEMO_QUOTA = Decimal("1000000.00")
# A roll of each paper kind (code, first number, count), so the demo can void paper invoices.
DEMO_PAPER_ROLLS = {
    InvoiceKind.PAPER_SPECIAL: ("4200261130", 1, 100),
    InvoiceKind.PAPER_GENERAL: ("042002600111", 1, 100),
}
# (user name, password, role, display name); agents and editors belong to no company.
DEMO_USERS = [
    ("demo", "Demo@2026!", Role.ISSUER, "演示开票员"),
    ("admin", "Admin@2026!", Role.ADMIN, "演示管理员"),
    ("approver", "Approver@2026!", Role.APPROVER, "张经理"),
    ("agent", "Agent@2026!", Role.AGENT, "小王"),
    ("supervisor", "Supervisor@2026!", Role.SUPERVISOR, "李主管"),
    ("editor", "Editor@2026!", Role.EDITOR, "知识库编辑"),
]


def seed_demo(accounts: AccountService) -> list[str]:
    """Create whatever of the demo company and users is missing; what was created."""
    created = []
    company_id = accounts.company_id_by_tax_id(DEMO_COMPANY["tax_id"])
    if company_id is None:
        company_id = accounts.create_company(monthly_quota=DEMO_QUOTA, **DEMO_COMPANY)
        created.append(DEMO_COMPANY["name"])
    for username, password, role, display_name in DEMO_USERS:
        if accounts.user_exists(username):
            continue
        accounts.create_user(
            username=username,
            password=password,
            role=role,
            company_id=None if role.platform_wide else company_id,
            display_name=display_name,
        )
        created.append(username)
    return created


def seed_demo_paper_stock(accounts: AccountService, engine: Engine) -> list[str]:
    """Give the demo company a roll of each paper kind it has never received; what was added."""
    company_id = accounts.company_id_by_tax_id(DEMO_COMPANY["tax_id"])
    if company_id is None:
        return []
    with engine.begin() as connection:
        received = paper_left(connection, company_id)
        missing = [kind for kind in DEMO_PAPER_ROLLS if kind not in received]
        for kind in missing:
            add_paper_stock(connection, company_id, kind, *DEMO_PAPER_ROLLS[kind])
    return [f"{kind.label}库存" for kind in missing]
