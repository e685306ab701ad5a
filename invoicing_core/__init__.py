"""Invoicing core: the invoice domain, its persistence, services and HTTP router.

This module is the core's public face: other packages import from here (and
the HTTP router from `invoicing_core.api`), never from a module inside.
"""

from invoicing_core.core import InvoicingCore
from invoicing_core.domain.account import NotAuthenticated as NotLoggedIn
from invoicing_core.domain.account import Role
from invoicing_core.persistence import make_engine, statement_time, upgrade_schema
from invoicing_core.persistence.types import UtcDateTime
from invoicing_core.services.accounts import Principal, UserContact
from invoicing_core.settings import CoreSettings

__all__ = [
    "CoreSettings",
    "InvoicingCore",
    "NotLoggedIn",
    "Principal",
    "Role",
    "UserContact",
    "UtcDateTime",
    "make_engine",
    "statement_time",
    "upgrade_schema",
]
