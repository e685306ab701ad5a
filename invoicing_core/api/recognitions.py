"""POST /recognitions: an invoice photo, scan, PDF or OFD read into checked fields."""

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, File, UploadFile, status

from invoicing_core.api.dependencies import CoreDep, CurrentPrincipal
from invoicing_core.api.received_invoice_schemas import RecognitionOut
from invoicing_core.api.uploads import megabytes, read_within
from invoicing_core.recognition import RecognitionError

router = APIRouter(prefix="/recognitions", tags=["received invoices"])

InvoiceFile = Annotated[
    UploadFile, File(description="发票照片或扫描件（JPEG、PNG、WebP）、PDF 或 OFD")
]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RecognitionOut)
async def recognize(who: CurrentPrincipal, core: CoreDep, file: InvoiceFile) -> RecognitionOut:
    """识别一张发票：返回各字段的值、来源和置信度以及校验结果，和用于录入收票台账的编号；
    本企业已录入过这张发票时，recorded_before 说明何时由谁录入、现在的状态（是否已报销）。

    识别结果保留1小时，未录入则删除；识别繁忙时返回 503 和 Retry-After，请稍后重试。
    """
    largest = core.recognitions.max_file_bytes
    data = await read_within(file, largest)
    if data is None:
        raise RecognitionError(
            "file_too_large",
            f"文件过大，请上传不超过{megabytes(largest)}的发票图片、PDF或OFD文件。",
        )
    outcome = await to_thread.run_sync(core.recognitions.recognize, who, data, file.filename)
    read = outcome.recognition.to_json()
    earlier = await to_thread.run_sync(core.received_invoices.recorded_before, who, read)
    return RecognitionOut.of(outcome, read, earlier)
