"""Remote approval (远程审批): a company's rules for which requests need approval
(the request's life is in approval_request.py).

A request matches the rules when any condition holds (they are alternatives). The
amount, kind, buyer and line-item conditions concern issuing; `red_letter` and `void` concern
every red-letter and void request of the company. Approval runs through one or two
levels in order; a level names its approvers, or (none named) takes any user of the
company with the approver role.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar

from invoicing_core.domain.account import Role
from invoicing_core.domain.errors import DomainError, InvalidInput
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.money import format_money, parse_money
from invoicing_core.domain.tax_id import check_tax_id

# Roles a level may name as approvers (a level naming none takes the approver role).
NAMEABLE_ROLES = (Role.APPROVER, Role.ADMIN, Role.ISSUER)
DEFAULT_LAPSE_HOURS = 72
MAX_LAPSE_HOURS = 720
MAX_LEVELS = 2
MAX_APPROVERS = 20
MAX_LISTED_BUYERS = 200
MAX_LISTED_ITEMS = 50
MAX_ITEM_LENGTH = 100


class ApprovalAction(Enum):
    """What a request asks to do once approved."""

    ISSUE = "issue"
    VOID = "void"
    RED_LETTER = "red_letter"
    # A batch file's invoices, approved as one.
    BATCH = "batch"

    @property
    def label(self) -> str:
        """The action in Chinese."""
        return {
            "issue": "开具发票",
            "void": "作废发票",
            "red_letter": "开具红字发票",
            "batch": "批量开具发票",
        }[self.value]


class UnknownApprover(InvalidInput):
    """A named approver is not a user of the company who may approve."""

    code: ClassVar[str] = "unknown_approver"


@dataclass(frozen=True)
class ApprovalLevel:
    """One level: the named approvers, or (none named) the company's approver role."""

    approvers: tuple[str, ...] = ()

    def admits(self, username: str, role: Role) -> bool:
        """Whether this user may decide at this level (a named user only while their role
        may approve: a named approver since made a viewer no longer decides)."""
        if self.approvers:
            return username in self.approvers and role in NAMEABLE_ROLES
        return role is Role.APPROVER

    def describe(self) -> str:
        """Who decides, in Chinese."""
        return "、".join(self.approvers) if self.approvers else "审批人角色的用户"


@dataclass(frozen=True)
class Subject:
    """What a request is about, as far as the rules look at it."""

    action: ApprovalAction
    kind: InvoiceKind
    total_with_tax: Decimal
    buyer_tax_id: str | None
    new_buyer: bool
    # The names of the invoice's lines (商品或服务名称, perhaps `*简称*名称`).
    item_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApprovalRules:
    """A company's approval rules; without any condition nothing needs approval."""

    min_total_with_tax: Decimal | None = None
    kinds: frozenset[InvoiceKind] = frozenset()
    new_buyer: bool = False
    buyers: frozenset[str] = frozenset()
    # Item names or 税收分类 short names (简称, without the asterisks).
    items: frozenset[str] = frozenset()
    red_letter: bool = False
    void: bool = False
    levels: tuple[ApprovalLevel, ...] = (ApprovalLevel(),)
    lapse_hours: int = DEFAULT_LAPSE_HOURS

    @property
    def any_condition(self) -> bool:
        """Whether any request can match."""
        return bool(
            self.min_total_with_tax is not None
            or self.kinds
            or self.new_buyer
            or self.buyers
            or self.items
            or self.red_letter
            or self.void
        )

    @property
    def lapse_after(self) -> timedelta:
        """How long a request waits before it lapses."""
        return timedelta(hours=self.lapse_hours)

    def reasons(self, subject: Subject) -> list[str]:
        """Why the request needs approval, in Chinese; empty when it needs none."""
        if subject.action is ApprovalAction.VOID:
            return ["作废发票须经审批"] if self.void else []
        if subject.action is ApprovalAction.RED_LETTER:
            return ["开具红字发票须经审批"] if self.red_letter else []
        found = []
        threshold = self.min_total_with_tax
        if threshold is not None and subject.total_with_tax >= threshold:
            found.append(
                f"价税合计{format_money(subject.total_with_tax)}元达到审批金额{format_money(threshold)}元"
            )
        if subject.kind in self.kinds:
            found.append(f"{subject.kind.label}须经审批")
        if self.new_buyer and subject.new_buyer:
            found.append("首次向该购买方开票")
        if subject.buyer_tax_id is not None and subject.buyer_tax_id in self.buyers:
            found.append(f"购买方{subject.buyer_tax_id}在审批名单中")
        for item in sorted(self.items):
            named = next((n for n in subject.item_names if item_matches(n, item)), None)
            if named is not None:
                found.append(f"商品或服务“{named}”属于须审批的项目“{item}”")
        return found

    def to_json(self) -> dict[str, Any]:
        """The rules as stored and as the API shows them."""
        return {
            "min_total_with_tax": None
            if self.min_total_with_tax is None
            else format_money(self.min_total_with_tax),
            "kinds": sorted(kind.value for kind in self.kinds),
            "new_buyer": self.new_buyer,
            "buyers": sorted(self.buyers),
            "items": sorted(self.items),
            "red_letter": self.red_letter,
            "void": self.void,
            "levels": [{"approvers": list(level.approvers)} for level in self.levels],
            "lapse_hours": self.lapse_hours,
        }


def parse_rules(data: dict[str, Any]) -> ApprovalRules:
    """Rules from the API's or the store's JSON, each bad value refused naming its field."""
    known = set(ApprovalRules().to_json())
    for name in data:
        if name not in known:
            raise InvalidInput(f"不认识的字段：{name}。", field=name)
    threshold = data.get("min_total_with_tax")
    minimum = None
    if threshold is not None:
        minimum = parse_money(threshold, field="min_total_with_tax")
        if minimum <= 0:
            raise InvalidInput("审批金额须大于0。", field="min_total_with_tax")
    return ApprovalRules(
        min_total_with_tax=minimum,
        kinds=frozenset(_kinds(_list(data, "kinds"))),
        new_buyer=_flag(data, "new_buyer"),
        buyers=frozenset(_buyers(_list(data, "buyers"))),
        items=frozenset(_items(_list(data, "items"))),
        red_letter=_flag(data, "red_letter"),
        void=_flag(data, "void"),
        levels=_levels(data.get("levels", [{"approvers": []}])),
        lapse_hours=_lapse_hours(data.get("lapse_hours", DEFAULT_LAPSE_HOURS)),
    )


def _list(data: dict[str, Any], name: str) -> list[Any]:
    value = data.get(name, [])
    if not isinstance(value, list):
        raise InvalidInput("须为列表。", field=name)
    return value


def _flag(data: dict[str, Any], name: str) -> bool:
    value = data.get(name, False)
    if not isinstance(value, bool):
        raise InvalidInput("须为 true 或 false。", field=name)
    return value


def _kinds(values: list[Any]) -> list[InvoiceKind]:
    kinds = []
    for index, value in enumerate(values):
        try:
            kinds.append(InvoiceKind(value))
        except ValueError:
            allowed = "、".join(kind.value for kind in InvoiceKind)
            raise InvalidInput(f"发票类型须为{allowed}之一。", field=f"kinds[{index}]") from None
    return kinds


def _buyers(values: list[Any]) -> list[str]:
    if len(values) > MAX_LISTED_BUYERS:
        raise InvalidInput(f"审批名单最多{MAX_LISTED_BUYERS}个购买方。", field="buyers")
    buyers = []
    for index, value in enumerate(values):
        if not isinstance(value, str):
            raise InvalidInput("须为纳税人识别号。", field=f"buyers[{index}]")
        try:
            buyers.append(check_tax_id(value).accept(confirmed=True))
        except DomainError as error:
            error.field = f"buyers[{index}]"
            raise
    return buyers


def item_matches(line_name: str, item: str) -> bool:
    """Whether a line so named is the item: its name, its name after the `*简称*` prefix,
    or that short name (税收分类简称) equals the item."""
    name = line_name.strip()
    names = {name}
    if name.startswith("*") and name.count("*") >= 2:
        short, _, rest = name[1:].partition("*")
        names |= {short.strip(), rest.strip()}
    return item in names


def _items(values: list[Any]) -> list[str]:
    if len(values) > MAX_LISTED_ITEMS:
        raise InvalidInput(f"须审批的项目最多{MAX_LISTED_ITEMS}个。", field="items")
    items = []
    for index, value in enumerate(values):
        item = value.strip().strip("*").strip() if isinstance(value, str) else ""
        if not item or "*" in item or len(item) > MAX_ITEM_LENGTH:
            raise InvalidInput(
                f"须为商品或服务名称，或税收分类简称（如“*运输服务*”或“运输服务”），"
                f"最多{MAX_ITEM_LENGTH}个字。",
                field=f"items[{index}]",
            )
        items.append(item)
    return items


def _levels(value: Any) -> tuple[ApprovalLevel, ...]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_LEVELS:
        raise InvalidInput("审批须设一级或两级。", field="levels")
    levels = []
    for index, level in enumerate(value):
        names = level.get("approvers", []) if isinstance(level, dict) else None
        if not isinstance(names, list) or len(names) > MAX_APPROVERS:
            raise InvalidInput(
                f"每级审批人须为用户名列表（最多{MAX_APPROVERS}人；留空表示审批人角色的用户）。",
                field=f"levels[{index}].approvers",
            )
        for position, name in enumerate(names):
            if not isinstance(name, str) or not name.strip():
                raise InvalidInput(
                    "审批人须为用户名。", field=f"levels[{index}].approvers[{position}]"
                )
        levels.append(ApprovalLevel(tuple(dict.fromkeys(name.strip() for name in names))))
    return tuple(levels)


def _lapse_hours(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput("等待时限须为整数小时。", field="lapse_hours")
    if not 1 <= value <= MAX_LAPSE_HOURS:
        raise InvalidInput(f"等待时限须在1到{MAX_LAPSE_HOURS}小时之间。", field="lapse_hours")
    return value
