"""Cards carry what the widget shows: labelled fields built from the API's JSON."""

from __future__ import annotations

from actions.cards import Card, draft_card, invoice_card, invoice_list_card, report_card

INVOICE = {
    "number": "26421000000000000001",
    "kind": "digital_special",
    "kind_label": "数电发票（增值税专用发票）",
    "status": "issued",
    "status_label": "已开具",
    "issued_at": "2026-11-20T10:00:00+08:00",
    "buyer": {"name": "武汉光谷科技有限公司", "tax_id": "91420106MA49X8Q2Y7"},
    "lines": [{"name": "技术服务费"}],
    "total_amount": "10000.00",
    "total_tax": "600.00",
    "total_with_tax": "10600.00",
    "total_with_tax_upper": "壹万零陆佰圆整",
    "red_of": None,
    "void_reason": None,
}


def fields(card: Card) -> dict[str, str]:
    rows: list[dict[str, str]] = card["fields"]
    return {row["label"]: row["value"] for row in rows}


def test_an_invoice_card_shows_totals_tax_and_the_uppercase_total() -> None:
    card = invoice_card(INVOICE)
    assert card["type"] == "invoice"
    assert card["number"] == "26421000000000000001"
    assert fields(card)["开票日期"] == "2026-11-20"
    assert fields(card)["税额"] == "600.00"
    assert fields(card)["价税合计（大写）"] == "壹万零陆佰圆整"


def test_a_red_letter_invoice_card_is_marked_red_and_names_the_blue_one() -> None:
    red = invoice_card({**INVOICE, "red_of": "26421000000000000001", "total_with_tax": "-106.00"})
    shown = {f["label"]: f["value"] for f in red["fields"]}
    assert red["red"] is True and shown["冲销的蓝字发票"] == "26421000000000000001"
    assert invoice_card(INVOICE)["red"] is False


def test_a_draft_card_says_whether_the_amount_includes_tax() -> None:
    draft = {
        "kind": "digital_general",
        "buyer_name": "张伟",
        "tax_id": None,
        "item": "培训费",
        "amount": "1800.00",
        "tax_rate": "6%",
        "tax_included": False,
        "remark": "",
    }
    card = draft_card(draft)
    assert card["type"] == "invoice_draft"
    assert fields(card)["金额（不含税）"] == "1800.00"
    assert "纳税人识别号" not in fields(card)


def test_a_list_card_has_one_row_per_invoice() -> None:
    card = invoice_list_card([INVOICE, INVOICE], 7, "查询结果")
    assert card["total"] == 7
    assert [row["buyer"] for row in card["rows"]] == ["武汉光谷科技有限公司"] * 2
    assert "query" not in card  # candidates to pick from: no further pages


def test_a_search_result_card_carries_its_filters_for_the_next_pages() -> None:
    card = invoice_list_card([INVOICE, INVOICE], 7, "查询结果", {"buyer": "光谷"})
    assert card["query"] == {"buyer": "光谷", "size": 2}


def test_a_report_card_shows_each_breakdown_under_its_chinese_name() -> None:
    summary = {
        "count": 2,
        "voided_count": 1,
        "total_amount": "100.00",
        "total_tax": "6.00",
        "total_with_tax": "106.00",
        "by_kind": [
            {
                "key": "digital_general",
                "label": "数电发票（普通发票）",
                "count": 2,
                "total_with_tax": "106.00",
            }
        ],
        "by_rate": [{"key": "6%", "label": "6%", "count": 2, "total_with_tax": "106.00"}],
    }
    card = report_card(summary, "2026年11月开票汇总")
    assert fields(card)["发票份数"] == "2"
    assert fields(card)["已作废（不计入以上）"] == "1张"
    assert [table["title"] for table in card["tables"]] == ["按类型", "按税率"]
    assert card["tables"][0]["rows"] == [["数电发票（普通发票）", 2, "106.00"]]


def test_a_draft_card_with_the_apps_preview_shows_tax_and_the_uppercase_total() -> None:
    draft = {
        "kind": "digital_special",
        "buyer_name": "武汉光谷科技有限公司",
        "tax_id": "91420106MA49X8Q2Y7",
        "item": "技术服务费",
        "amount": "10600.00",
        "tax_rate": "6%",
        "tax_included": True,
        "remark": "",
    }
    shown = {f["label"]: f["value"] for f in draft_card(draft, INVOICE)["fields"]}
    assert (shown["税额"], shown["价税合计"]) == ("600.00", "10600.00")
    assert shown["价税合计（大写）"] == "壹万零陆佰圆整"
