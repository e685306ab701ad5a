"""The invoicing core's HTTP API for the app and for integrators.

Mount `router` under /api/v1, call `install_error_handler(app)`, and keep the
opened InvoicingCore as `app.state.invoicing_core`. An app may override the
`optional_principal` dependency to let other credentials act for a user.
"""

from fastapi import APIRouter

from invoicing_core.api import (
    alerts,
    approvals,
    authentication,
    buyers,
    invoices,
    paper_stock,
    password_reset,
    received_invoices,
    recognitions,
    red_letter_forms,
    reports,
    use_confirmations,
    users,
)
from invoicing_core.api.dependencies import (
    CoreDep,
    Credentials,
    CurrentPrincipal,
    OptionalPrincipal,
    optional_principal,
)
from invoicing_core.api.errors import install_error_handler

router = APIRouter()
router.include_router(authentication.router)
router.include_router(invoices.router)
router.include_router(buyers.router)
router.include_router(red_letter_forms.router)
router.include_router(paper_stock.router)
router.include_router(reports.router)
router.include_router(password_reset.router)
router.include_router(users.router)
router.include_router(alerts.router)
router.include_router(recognitions.router)
router.include_router(received_invoices.router)
router.include_router(approvals.rules_router)
router.include_router(approvals.router)
router.include_router(use_confirmations.router)

__all__ = [
    "CoreDep",
    "Credentials",
    "CurrentPrincipal",
    "OptionalPrincipal",
    "install_error_handler",
    "optional_principal",
    "router",
]
