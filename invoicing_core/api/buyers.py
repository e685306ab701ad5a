"""GET /buyers/type: whether a buyer's name marks an enterprise, whose taxpayer id is required."""

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from invoicing_core.api.dependencies import CurrentPrincipal
from invoicing_core.domain.party import BuyerType

router = APIRouter(prefix="/buyers", tags=["invoices"])


class BuyerTypeOut(BaseModel):
    """The domain's reading of a buyer's name."""

    name: str
    type: BuyerType
    label: str
    tax_id_required: bool  # on a general invoice too; special invoices always need it


@router.get("/type", response_model=BuyerTypeOut)
async def buyer_type(
    who: CurrentPrincipal, name: Annotated[str, Query(min_length=1, max_length=100)]
) -> BuyerTypeOut:
    """按购买方名称判断是否为企业：企业开具普通发票也须填写纳税人识别号。"""
    found = BuyerType.of_name(name)
    return BuyerTypeOut(
        name=name,
        type=found,
        label=found.label,
        tax_id_required=found is BuyerType.ENTERPRISE,
    )
