"""GET/POST /paper-stock: paper invoices left, and recording a roll received (admins)."""

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, status
from pydantic import BaseModel, Field

from invoicing_core.api.dependencies import CoreDep, CurrentPrincipal
from invoicing_core.api.schemas import Strict
from invoicing_core.domain.kind import InvoiceKind

router = APIRouter(prefix="/paper-stock", tags=["paper stock"])


class RollIn(Strict):
    """A roll of paper invoices received from the tax bureau."""

    kind: InvoiceKind
    code: Annotated[str, Field(pattern=r"^\d{10}(\d{2})?$", description="10位或12位发票代码")]
    first: int = Field(ge=1, le=99_999_999, description="起始号码")
    count: int = Field(ge=1, le=100_000, description="份数")


class KindLeft(BaseModel):
    """How many paper invoices of a kind are left."""

    kind: InvoiceKind
    label: str
    left: int


class StockOut(BaseModel):
    """What is left of each paper kind the company has received."""

    items: list[KindLeft]

    @classmethod
    def of(cls, left: dict[InvoiceKind, int]) -> "StockOut":
        """From the service, in the kinds' order."""
        items = [KindLeft(kind=k, label=k.label, left=left[k]) for k in InvoiceKind if k in left]
        return cls(items=items)


@router.get("", response_model=StockOut)
async def stock(who: CurrentPrincipal, core: CoreDep) -> StockOut:
    """本企业纸质发票的剩余库存（按票种）。"""
    return StockOut.of(await to_thread.run_sync(core.paper_stock.left, who))


@router.post("", status_code=status.HTTP_201_CREATED, response_model=StockOut)
async def receive(body: RollIn, who: CurrentPrincipal, core: CoreDep) -> StockOut:
    """登记从税务机关领用的一卷纸质发票（仅限企业管理员）；号段不能与已登记的重叠。"""
    left = await to_thread.run_sync(
        core.paper_stock.receive, who, body.kind, body.code, body.first, body.count
    )
    return StockOut.of(left)
