"""Which role changes an admin may make."""

import pytest

from invoicing_core.domain.account import LastAdmin, Role, check_role_change
from invoicing_core.domain.errors import InvalidInput


@pytest.mark.parametrize(
    ("current", "new"),
    [(Role.ISSUER, Role.ADMIN), (Role.VIEWER, Role.ISSUER), (Role.ADMIN, Role.VIEWER)],
)
def test_roles_within_a_company_can_change_while_another_admin_remains(
    current: Role, new: Role
) -> None:
    check_role_change(current, new, admins_in_company=2)


def test_the_last_admin_cannot_be_demoted() -> None:
    with pytest.raises(LastAdmin) as raised:
        check_role_change(Role.ADMIN, Role.ISSUER, admins_in_company=1)
    assert "至少需要保留一名管理员" in raised.value.message


def test_a_company_user_cannot_become_an_agent() -> None:
    with pytest.raises(InvalidInput) as raised:
        check_role_change(Role.ISSUER, Role.AGENT, admins_in_company=1)
    assert raised.value.field == "role"
