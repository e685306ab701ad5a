"""Search over the real index with the real model."""

from __future__ import annotations

import pytest

from knowledge import KnowledgeBase


def ids(base: KnowledgeBase, question: str, k: int = 3) -> list[str]:
    return [hit.id for hit in base.search(question, k).hits]


def test_a_forgotten_password_finds_its_entry_first(knowledge_base: KnowledgeBase) -> None:
    result = knowledge_base.search("忘记密码怎么办", 5)
    assert result.answered
    assert result.hits[0].id == "account.forgot_password"
    assert result.hits[0].question == "登录时忘记密码怎么办？"
    assert len(result.hits) == 5
    assert [h.score for h in result.hits] == sorted((h.score for h in result.hits), reverse=True)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("数电票开错了咋办 要红冲吗", "void.red_letter"),
        ("怎么开专票", "issue.special_vat"),
        ("打印机连不上", "print.printer_not_connected"),
        ("转人工", "support.contact"),
    ],
)
def test_everyday_questions_find_their_entries(
    knowledge_base: KnowledgeBase, question: str, expected: str
) -> None:
    assert ids(knowledge_base, question)[0] == expected


@pytest.mark.parametrize("question", ["今天天气怎么样", "帮我写一首诗", "公积金缴存比例最高多少"])
def test_out_of_domain_questions_are_not_answered_but_get_suggestions(
    knowledge_base: KnowledgeBase, question: str
) -> None:
    result = knowledge_base.search(question, 3)
    assert result.answered is False
    assert len(result.hits) == 3
    assert all(hit.score < 0.5 for hit in result.hits)


def test_an_entry_id_is_looked_up_exactly(knowledge_base: KnowledgeBase) -> None:
    result = knowledge_base.search("void.red_letter_partial", 2)
    assert result.answered and result.hits[0].id == "void.red_letter_partial"
    assert result.hits[0].score == 1.0


def test_an_identifier_an_entry_names_comes_first(knowledge_base: KnowledgeBase) -> None:
    result = knowledge_base.search("12366", 3)
    assert (result.hits[0].id, result.hits[0].score, result.answered) == (
        "support.contact",
        1.0,
        True,
    )


def test_a_users_own_invoice_number_is_searched_as_an_invoice_number(
    knowledge_base: KnowledgeBase,
) -> None:
    assert ids(knowledge_base, "24420000000012345678 这张发票怎么作废")[0] == "void.how"


def test_an_empty_question_answers_nothing_and_k_is_bounded(knowledge_base: KnowledgeBase) -> None:
    assert knowledge_base.search("   ", 5).hits == []
    with pytest.raises(ValueError):
        knowledge_base.search("开票", 21)
    assert len(knowledge_base.search("开票", 1).hits) == 1
