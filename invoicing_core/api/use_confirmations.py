"""The buyer's 用途确认: confirm the use of an invoice issued to the caller's company."""

from datetime import datetime
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Path, Query, status
from pydantic import BaseModel, Field

from invoicing_core.api.dependencies import CoreDep, CurrentPrincipal
from invoicing_core.api.schemas import Strict
from invoicing_core.services.use_confirmations import ConfirmedUse

router = APIRouter(prefix="/use-confirmations", tags=["use confirmations"])

# Read by the domain (invoice_name, InvoiceUse.parse), which refuses bad values in Chinese.
Number = Annotated[str, Path(min_length=1, max_length=20, description="发票号码")]
Code = Annotated[str | None, Query(max_length=12, description="纸质发票的发票代码")]


class UseConfirmationIn(Strict):
    """Which invoice issued to the caller's company, and its use."""

    number: str = Field(
        min_length=1, max_length=20, description="20位数电发票号码，或8位纸质发票号码"
    )
    code: str | None = Field(None, max_length=12, description="纸质发票的发票代码（可选）")
    use: str = Field(max_length=10, description="deduct（抵扣）或 no_deduct（不抵扣）")


class UseConfirmationOut(BaseModel):
    """The buyer's confirmation of an invoice's use."""

    number: str = Field(description="发票号码（数电20位，纸质8位）")
    code: str | None = Field(description="纸质发票的发票代码；数电发票为 null")
    use: str = Field(description="deduct 或 no_deduct")
    use_label: str = Field(description="抵扣 或 不抵扣")
    confirmed_at: datetime
    confirmed_by: str

    @classmethod
    def of(cls, confirmed: ConfirmedUse) -> "UseConfirmationOut":
        """From the service."""
        invoice, confirmation = confirmed.invoice, confirmed.confirmation
        return cls(
            number=invoice.number,
            code=invoice.code,
            use=confirmation.use.value,
            use_label=confirmation.use.label,
            confirmed_at=confirmation.confirmed_at,
            confirmed_by=confirmation.confirmed_by,
        )


@router.post("", response_model=UseConfirmationOut, status_code=status.HTTP_201_CREATED)
async def confirm(
    body: UseConfirmationIn, who: CurrentPrincipal, core: CoreDep
) -> UseConfirmationOut:
    """购买方确认开给本企业的发票的用途（抵扣或不抵扣），只能确认一次。确认后，销售方全额红冲也须经本企业确认红字确认单。"""
    confirmed = await to_thread.run_sync(
        core.use_confirmations.confirm, who, body.number, body.code, body.use
    )
    return UseConfirmationOut.of(confirmed)


@router.get("/{number}", response_model=UseConfirmationOut)
async def get(
    number: Number, who: CurrentPrincipal, core: CoreDep, code: Code = None
) -> UseConfirmationOut:
    """本企业对开给本企业的一张发票的用途确认；尚未确认时为 404。"""
    found = await to_thread.run_sync(core.use_confirmations.get, who, number, code)
    return UseConfirmationOut.of(found)
