"""Invoicing core: the invoice domain, its persistence, services and HTTP router."""

from invoicing_core.core import InvoicingCore
from invoicing_core.domain.account import NotAuthenticated as NotLoggedIn
from invoicing_core.domain.account import Role
from invoicing_core.services.accounts import Principal
from invoicing_core.settings import CoreSettings

__all__ = ["CoreSettings", "InvoicingCore", "NotLoggedIn", "Principal", "Role"]
