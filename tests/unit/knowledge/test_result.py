"""A search result as JSON: each hit with what its answer rests on."""

from __future__ import annotations

from knowledge.entry import Entry, Source
from knowledge.result import Hit, SearchResult


def test_a_hit_carries_its_sources_dates_and_basis_line() -> None:
    entry = Entry(
        "red.partial",
        "能部分红冲吗？",
        "可以。",
        sources=(Source("国家税务总局公告2024年第11号", "第二条"),),
        effective_date="2024-12-01",
        checked="2026-12-06",
    )
    body = SearchResult(True, [Hit(entry, 0.9)]).to_json()
    assert body["out_of_scope"] == []
    assert body["hits"] == [
        {
            "id": "red.partial",
            "question": "能部分红冲吗？",
            "answer": "可以。",
            "score": 0.9,
            "sources": [
                {
                    "title": "国家税务总局公告2024年第11号",
                    "document": "国家税务总局公告2024年第11号 第二条",
                }
            ],
            "effective_date": "2024-12-01",
            "checked": "2026-12-06",
            "basis": "依据：国家税务总局公告2024年第11号 第二条；更新于2026-12",
        }
    ]


def test_an_entry_without_a_basis_says_nothing_of_one() -> None:
    hit = Hit(Entry("a.one", "问", "答"), 0.5).to_json()
    assert (hit["sources"], hit["effective_date"], hit["basis"]) == ([], None, "")
