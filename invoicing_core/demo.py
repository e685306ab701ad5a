"""The demo company and users of CONTRACT.md, created once."""

from decimal import Decimal

from invoicing_core.domain.account import Role
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
# (user name, password, role, display name); agents belong to no company.
DEMO_USERS = [
    ("demo", "Demo@2026!", Role.ISSUER, "演示开票员"),
    ("admin", "Admin@2026!", Role.ADMIN, "演示管理员"),
    ("agent", "Agent@2026!", Role.AGENT, "小王"),
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
            company_id=None if role is Role.AGENT else company_id,
            display_name=display_name,
        )
        created.append(username)
    return created
