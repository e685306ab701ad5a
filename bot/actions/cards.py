"""Cards the chat widget renders: {"type", "title", "fields": [{label, value}], …}.

Built from the API's JSON; standard library only. Every card travels with a
one-line text too, so channels that cannot show cards (WeChat) still say something.

The cards' titles and field labels stay here rather than in domain.yml's responses:
a card is data laid out (which rows, in which order, some only when the invoice has
them), not a sentence, and Rasa's responses cannot build one. The labels of kinds and
statuses are the API's (kind_label, status_label), so the bot keeps no copy of them.
"""

from __future__ import annotations

from typing import Any

from actions.drafts import KIND_NAMES

Card = dict[str, Any]


def field(label: str, value: Any) -> dict[str, str]:
    """One labelled row of a card."""
    return {"label": label, "value": "" if value is None else str(value)}


def invoice_card(invoice: dict[str, Any], title: str = "发票信息") -> Card:
    """An issued invoice: number, kind, status, buyer, totals and the uppercase total."""
    buyer = invoice.get("buyer") or {}
    fields = [
        field("发票号码", invoice.get("number")),
        field("发票类型", invoice.get("kind_label")),
        field("状态", invoice.get("status_label") or invoice.get("status")),
        field("开票日期", str(invoice.get("issued_at", ""))[:10]),
        field("购买方", buyer.get("name")),
    ]
    if buyer.get("tax_id"):
        fields.append(field("纳税人识别号", buyer["tax_id"]))
    fields += [
        field("项目", "、".join(line.get("name", "") for line in invoice.get("lines", []))),
        field("金额（不含税）", invoice.get("total_amount")),
        field("税额", invoice.get("total_tax")),
        field("价税合计", invoice.get("total_with_tax")),
        field("价税合计（大写）", invoice.get("total_with_tax_upper")),
    ]
    if invoice.get("red_of"):
        fields.append(field("冲销的蓝字发票", invoice["red_of"]))
    if invoice.get("void_reason"):
        fields.append(field("作废原因", invoice["void_reason"]))
    card: Card = {"type": "invoice", "title": title, "number": invoice.get("number")}
    # A red-letter invoice is drawn apart (the widget marks it 红字发票 in red).
    return {**card, "fields": fields, "red": bool(invoice.get("red_of"))}


def draft_card(draft: dict[str, Any], preview: dict[str, Any] | None = None) -> Card:
    """What will be issued, before the user confirms; with the app's preview, its kind's
    label and totals (without one, the kind as the bot's buttons name it)."""
    kind = (preview or {}).get("kind_label") or KIND_NAMES.get(draft["kind"], draft["kind"])
    fields = [
        field("发票类型", kind),
        field("购买方", draft["buyer_name"]),
    ]
    if draft.get("tax_id"):
        fields.append(field("纳税人识别号", draft["tax_id"]))
    included = "含税" if draft["tax_included"] else "不含税"
    fields += [
        field("项目", draft["item"]),
        field(f"金额（{included}）", draft["amount"]),
        field("税率", draft["tax_rate"]),
    ]
    if preview:
        if draft["tax_included"]:
            fields.append(field("金额（不含税）", preview.get("total_amount")))
        fields += [
            field("税额", preview.get("total_tax")),
            field("价税合计", preview.get("total_with_tax")),
            field("价税合计（大写）", preview.get("total_with_tax_upper")),
        ]
    if draft.get("remark"):
        fields.append(field("备注", draft["remark"]))
    return {"type": "invoice_draft", "title": "请确认开票信息", "fields": fields}


def invoice_list_card(
    invoices: list[dict[str, Any]], total: int, title: str, query: dict[str, Any] | None = None
) -> Card:
    """Several invoices, newest first, each a row with its number as the key; with the
    GET /invoices filters that found them (`query`), the widget can show the next pages."""
    rows = [
        {
            "number": invoice.get("number"),
            "issued_at": str(invoice.get("issued_at", ""))[:10],
            "buyer": (invoice.get("buyer") or {}).get("name"),
            "kind": invoice.get("kind_label"),
            "status": invoice.get("status_label"),
            "total_with_tax": invoice.get("total_with_tax"),
        }
        for invoice in invoices
    ]
    card: Card = {"type": "invoice_list", "title": title, "total": total, "rows": rows}
    if query is not None:
        card["query"] = {**query, "size": len(rows)}
    return card


def report_card(summary: dict[str, Any], title: str) -> Card:
    """A day's, month's or year's counts and totals, and a table per breakdown."""
    fields = [
        field("发票份数", summary.get("count")),
        field("金额（不含税）", summary.get("total_amount")),
        field("税额", summary.get("total_tax")),
        field("价税合计", summary.get("total_with_tax")),
    ]
    if summary.get("voided_count"):
        fields.append(field("已作废（不计入以上）", f"{summary['voided_count']}张"))
    tables = [
        {
            "title": caption,
            "columns": [heading, "份数", "价税合计"],
            "rows": [
                [
                    group.get("label") or group.get("key"),
                    group.get("count"),
                    group.get("total_with_tax"),
                ]
                for group in summary.get(name, [])
            ],
        }
        for name, caption, heading in (
            ("by_kind", "按类型", "发票类型"),
            ("by_rate", "按税率", "税率"),
            ("by_status", "按状态", "状态"),
        )
        if summary.get(name)
    ]
    return {"type": "report", "title": title, "fields": fields, "tables": tables}


def received_summary_card(summary: dict[str, Any], title: str) -> Card:
    """A month's received invoices: count and tax, the special invoices' tax, and a row per
    kind (rows, not a table, so that WeChat's text shows them too)."""
    fields = [
        field("收到发票份数", summary.get("count")),
        field("税额合计", summary.get("tax")),
        field("其中专用发票税额", summary.get("special_tax")),
    ]
    fields += [
        field(
            kind.get("label") or kind.get("kind"),
            f"{kind.get('count')}张，价税合计{kind.get('total_with_tax')}元，税额{kind.get('tax')}元",
        )
        for kind in summary.get("by_kind") or []
    ]
    return {"type": "report", "title": title, "fields": fields, "tables": []}


def download_card(number: str, url: str) -> Card:
    """A link to the invoice's PDF (the widget fetches it with the user's token)."""
    return {
        "type": "download",
        "title": f"发票 {number} 的PDF",
        "number": number,
        "url": url,
        "filename": f"{number}.pdf",
        "media_type": "application/pdf",
    }


def upload_card(upload_url: str, template_url: str) -> Card:
    """Asks the widget for a batch file and where to send it."""
    return {
        "type": "upload",
        "title": "上传批量开票文件",
        "accept": ".xlsx,.csv",
        "max_mb": 10,
        "url": upload_url,
        "field": "file",
        "template_url": template_url,
    }
