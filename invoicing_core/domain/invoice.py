"""The invoice aggregate: parties, lines and totals, voiding, and red-letter correction."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum

from invoicing_core.domain.errors import (
    InvalidInput,
    InvoiceNotVoidableInStatus,
    RedExceedsBlue,
    RedLetterNotAllowed,
    TaxIdRequired,
    VoidNotAllowed,
)
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.money import format_money, parse_money, round_money
from invoicing_core.domain.numbering import DigitalInvoiceNumber, PaperInvoiceNumber
from invoicing_core.domain.party import BuyerType, Party
from invoicing_core.domain.red_letter import RedLetterReason, RedLinePart
from invoicing_core.domain.text import invoice_text
from invoicing_core.domain.uppercase import uppercase_amount

# China has kept UTC+8 without daylight saving since 1991, so a fixed offset equals
# Asia/Shanghai for every invoice and needs no tz database on the host.
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
MAX_TAX_DIFFERENCE = Decimal("1.27")
MAX_REMARK_LENGTH = 230


class InvoiceStatus(Enum):
    """Where an invoice stands; the value is the API's name for it."""

    ISSUED = "issued"
    VOIDED = "voided"
    RED_FLUSHED = "red_flushed"
    PARTLY_RED_FLUSHED = "partly_red_flushed"

    @property
    def label(self) -> str:
        """The status as users know it."""
        return _STATUS_LABELS[self]


_STATUS_LABELS = {
    InvoiceStatus.ISSUED: "已开具",
    InvoiceStatus.VOIDED: "已作废",
    InvoiceStatus.RED_FLUSHED: "已红冲",
    InvoiceStatus.PARTLY_RED_FLUSHED: "部分红冲",
}


# Reports list red-letter invoices (their status is issued, their totals negative) as a
# status group of their own, apart from the blue invoices still issued.
RED_LETTER_GROUP = "red_letter"


def status_group_label(key: str) -> str:
    """The Chinese name of a report's status group: a status, or the red-letter invoices."""
    return "红字发票" if key == RED_LETTER_GROUP else InvoiceStatus(key).label


@dataclass(frozen=True)
class VoidRecord:
    """Who voided an invoice, when and why; a voided invoice stays on record."""

    reason: str
    by: str
    at: datetime


@dataclass(eq=False, kw_only=True)
class Invoice:
    """An issued invoice: blue, or red (negative, with `red_of` naming the blue one).

    `red_letters` holds the red-letter invoices issued against a blue invoice; its
    status and what remains to negate follow from them.
    """

    number: str
    kind: InvoiceKind
    seller: Party
    buyer: Party
    lines: tuple[InvoiceLine, ...]
    issued_at: datetime
    code: str | None = None
    remark: str = ""
    issued_by: str = ""  # the 开票人, as printed
    red_of: str | None = None  # the blue invoice's identifier
    red_reason: RedLetterReason | None = None
    # Paper invoices only: reported to the tax bureau (抄税), certified by the buyer (勾选认证).
    reported: bool = False
    certified: bool = False
    voided: VoidRecord | None = None
    red_letters: list["Invoice"] = field(default_factory=list)

    def __post_init__(self) -> None:
        _china_time(self.issued_at)
        _check_number(self)
        _check_header(self)
        _check_lines(self)

    @property
    def identifier(self) -> str:
        """What names the invoice uniquely: the digital number, or paper code + number."""
        return f"{self.code}{self.number}" if self.code else self.number

    @property
    def is_red(self) -> bool:
        """Whether this is a red-letter invoice."""
        return self.red_of is not None

    @property
    def total_amount(self) -> Decimal:
        """Sum of the lines' tax-exclusive amounts."""
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def total_tax(self) -> Decimal:
        """Sum of the lines' tax."""
        return sum((line.tax for line in self.lines), Decimal(0))

    @property
    def total_with_tax(self) -> Decimal:
        """The price-tax total (价税合计)."""
        return self.total_amount + self.total_tax

    @property
    def total_with_tax_upper(self) -> str:
        """The price-tax total in Chinese uppercase, as printed."""
        return uppercase_amount(self.total_with_tax)

    @property
    def status(self) -> InvoiceStatus:
        """Issued, voided, or red-flushed in full or in part by unvoided red-letter invoices."""
        if self.voided is not None:
            return InvoiceStatus.VOIDED
        if not self._active_red_letters():
            return InvoiceStatus.ISSUED
        if all(self._fully_negated(line_no) for line_no in self._line_nos()):
            return InvoiceStatus.RED_FLUSHED
        return InvoiceStatus.PARTLY_RED_FLUSHED

    def remaining(self, line_no: int) -> tuple[Decimal, Decimal]:
        """The amount and tax of blue line `line_no` (1-based) not yet negated."""
        line = self._line(line_no)
        negated = [
            red_line
            for red in self._active_red_letters()
            for red_line in red.lines
            if red_line.blue_line_no == line_no
        ]
        amount = line.amount + sum((red_line.amount for red_line in negated), Decimal(0))
        tax = line.tax + sum((red_line.tax for red_line in negated), Decimal(0))
        return amount, tax

    def void(self, reason: str, by: str, at: datetime) -> None:
        """Void this invoice, if `ensure_voidable` allows, keeping who, when and why."""
        reason = invoice_text(reason, field="reason", label="作废原因")
        if not reason:
            raise InvalidInput("请填写作废原因。", field="reason")
        ensure_voidable(self, at)
        self.voided = VoidRecord(reason=reason, by=by, at=at)

    def red_letter(
        self,
        reason: RedLetterReason | str | int,
        lines: Sequence[RedLinePart] | None = None,
        *,
        number: str,
        at: datetime,
        code: str | None = None,
    ) -> "Invoice":
        """Issue a red-letter invoice negating all that remains, or the given parts."""
        self._ensure_red_letterable()
        red = Invoice(
            number=number,
            code=code,
            kind=self.kind,
            seller=self.seller,
            buyer=self.buyer,
            lines=self._red_lines(lines),
            issued_at=at,
            red_of=self.identifier,
            red_reason=RedLetterReason.parse(reason),
        )
        self.red_letters.append(red)
        return red

    def check_red_letter(self, parts: Sequence[RedLinePart] | None = None) -> None:
        """Refuse, as `red_letter` would, a red-letter invoice of these parts (None: all)."""
        self._ensure_red_letterable()
        self._red_lines(parts)

    def _ensure_red_letterable(self) -> None:
        if self.is_red:
            raise RedLetterNotAllowed("红字发票不能再开红字发票。")
        if self.voided is not None:
            raise RedLetterNotAllowed("该发票已作废，不能开具红字发票。")

    def _red_lines(self, parts: Sequence[RedLinePart] | None) -> tuple[InvoiceLine, ...]:
        if parts is None:
            parts = [
                RedLinePart(line_no)
                for line_no in self._line_nos()
                if not self._fully_negated(line_no)
            ]
        if not parts:
            raise RedExceedsBlue("该发票已全额红冲，没有可冲销的余额。")
        line_nos = [part.line_no for part in parts]
        if len(set(line_nos)) != len(line_nos):
            raise InvalidInput("同一行不能在一张红字发票中出现两次。", field="lines")
        return tuple(self._red_line(part) for part in parts)

    def _red_line(self, part: RedLinePart) -> InvoiceLine:
        line = self._line(part.line_no)
        amount_left, tax_left = self.remaining(part.line_no)
        amount = amount_left if part.amount is None else parse_money(part.amount, "amount")
        if amount_left == 0:
            raise RedExceedsBlue(f"第{part.line_no}行已全额红冲。", field="lines")
        if amount > amount_left:
            raise RedExceedsBlue(
                f"第{part.line_no}行剩余可红冲金额为{format_money(amount_left)}元，"
                f"申请红冲{format_money(amount)}元，红冲不能超过蓝字发票。",
                field="lines",
            )
        if amount <= 0:
            raise InvalidInput("红冲金额必须大于0。", field="lines")
        if amount == line.amount:
            return line.negated(part.line_no)
        # The last part takes exactly the tax left, so the red invoices add up to the blue one.
        if amount == amount_left:
            tax = tax_left
        else:
            tax = min(round_money(amount * line.tax_rate.rate), tax_left)
        return line.negated_part(amount, tax, part.line_no)

    def _fully_negated(self, line_no: int) -> bool:
        amount, tax = self.remaining(line_no)
        return amount == 0 and tax == 0

    def _active_red_letters(self) -> list["Invoice"]:
        return [red for red in self.red_letters if red.voided is None]

    def _line_nos(self) -> range:
        return range(1, len(self.lines) + 1)

    def _line(self, line_no: int) -> InvoiceLine:
        if line_no not in self._line_nos():
            raise InvalidInput(f"该发票没有第{line_no}行。", field="lines")
        return self.lines[line_no - 1]


def ensure_voidable(invoice: Invoice, at: datetime) -> None:
    """The void rule: refuse, saying why and what to do instead, unless voiding is allowed.

    Only an issued paper invoice may be voided, in its month of issue (China time), before
    it is reported to the tax bureau or certified by the buyer. A blue invoice refused for
    its kind, month or reporting is `VoidNotAllowed` (a red-letter invoice corrects it
    instead); one no longer issued, or a red-letter invoice, is `InvoiceNotVoidableInStatus`.
    """
    if invoice.status is not InvoiceStatus.ISSUED:
        raise InvoiceNotVoidableInStatus(f"该发票状态为“{invoice.status.label}”，不能作废。")
    # A red-letter invoice cannot itself be red-lettered: it is refused without a remedy.
    refusal: type[VoidNotAllowed] = InvoiceNotVoidableInStatus if invoice.is_red else VoidNotAllowed
    instead = "" if invoice.is_red else "如需更正，请开具红字发票冲销。"
    if invoice.kind.is_digital:
        message = "数电发票开具后即交付购买方并同步至税务系统，不能作废。"
        if not invoice.is_red:
            message += instead + "（购买方尚未确认用途时，销售方可直接全额红冲，无需对方确认。）"
        raise refusal(message)
    issued, now = _china_time(invoice.issued_at), _china_time(at)
    if (issued.year, issued.month) != (now.year, now.month):
        raise refusal(
            f"纸质发票只能在开具当月作废，该发票开具于{issued.year}年{issued.month}月，已跨月。"
            + instead
        )
    if invoice.reported:
        raise refusal("该发票已抄税报送税务机关，不能作废。" + instead)
    if invoice.certified:
        raise refusal("购买方已对该发票勾选认证或确认用途，不能作废。" + instead)


def void_refusal(invoice: Invoice, at: datetime) -> VoidNotAllowed | None:
    """What `ensure_voidable` says of voiding the invoice at `at`: its refusal, or None."""
    try:
        ensure_voidable(invoice, at)
    except VoidNotAllowed as refusal:
        return refusal
    return None


def _china_time(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("invoice times must be timezone-aware")
    return moment.astimezone(CHINA_TZ)


def _check_number(invoice: Invoice) -> None:
    if invoice.kind.is_digital:
        if invoice.code is not None:
            raise InvalidInput("数电发票没有发票代码。", field="code")
        DigitalInvoiceNumber.parse(invoice.number)
    else:
        PaperInvoiceNumber(invoice.code or "", invoice.number)


def ensure_buyer_identified(invoice: Invoice) -> None:
    """At issuing, refuse a general invoice to an enterprise that names no taxpayer id.

    Checked when an invoice is issued, not on every invoice: invoices stored before the
    rule was enforced still load.
    """
    buyer = invoice.buyer
    if buyer.tax_id or BuyerType.of_name(buyer.name) is not BuyerType.ENTERPRISE:
        return
    raise TaxIdRequired(
        f"购买方“{buyer.name}”是企业，开具普通发票也必须填写其纳税人识别号（统一社会信用代码）"
        "（国家税务总局公告2017年第16号）。",
        field="buyer.tax_id",
    )


def _check_header(invoice: Invoice) -> None:
    if invoice.kind.is_special and not invoice.buyer.tax_id:
        raise TaxIdRequired("增值税专用发票必须填写购买方纳税人识别号。", field="buyer.tax_id")
    if len(invoice.remark) > MAX_REMARK_LENGTH:
        raise InvalidInput(f"备注不能超过{MAX_REMARK_LENGTH}个字符。", field="remark")
    if invoice.is_red and invoice.red_reason is None:
        raise InvalidInput("红字发票必须注明红冲原因。", field="reason")


def _check_lines(invoice: Invoice) -> None:
    if not invoice.lines:
        raise InvalidInput("发票至少要有一行商品或服务。", field="lines")
    # Blue invoices carry positive lines, red-letter invoices negative ones (never zero).
    for line_no, line in enumerate(invoice.lines, 1):
        if (line.amount < 0) != invoice.is_red:
            sign = "小于" if invoice.is_red else "大于"
            raise InvalidInput(f"第{line_no}行金额必须{sign}0。", field="lines")
    difference = abs(sum((line.tax_difference for line in invoice.lines), Decimal(0)))
    if difference > MAX_TAX_DIFFERENCE:
        raise InvalidInput(
            f"整张发票税额合计与金额×税率合计相差{difference:.2f}元，超过{MAX_TAX_DIFFERENCE}元。",
            field="lines",
        )
