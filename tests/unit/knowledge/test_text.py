"""Normalisation and keyword tokens with the domain dictionary."""

from __future__ import annotations

from knowledge.text import TextAnalyzer

analyzer = TextAnalyzer()


def test_typos_and_abbreviations_take_the_canonical_spelling() -> None:
    assert analyzer.normalize("全电发票开错了 咋冲红") == "数电发票开错了 咋红冲"
    assert analyzer.normalize("发漂做废，密吗忘了") == "发票作废,密码忘了"
    assert analyzer.normalize("ＰＤＦ  下载") == "pdf 下载"


def test_domain_words_stay_whole_and_stopwords_go() -> None:
    tokens = analyzer.tokens(analyzer.normalize("专票的税号怎么填"))
    assert "专用发票" in tokens and "纳税人识别号" in tokens
    assert "的" not in tokens and "怎么" not in tokens


def test_keywords_add_character_bigrams_for_split_words() -> None:
    keywords = analyzer.keywords("开票额度")
    assert "开票额度" in keywords and "票额" in keywords and "额" in keywords


def test_a_question_names_its_specific_subjects() -> None:
    assert analyzer.subjects(analyzer.normalize("住宿费取得专票能抵扣吗")) == {"住宿", "抵扣"}
    assert analyzer.subjects(analyzer.normalize("专票和普票有什么区别")) == frozenset()
    assert analyzer.subjects(analyzer.normalize("ETC通行费发票怎么开")) == {"通行费"}


def test_other_taxes_are_out_of_scope() -> None:
    subjects = analyzer.subjects(analyzer.normalize("企业所得税汇算清缴时发票怎么处理"))
    assert analyzer.out_of_scope(subjects) == {"企业所得税"}
    assert analyzer.out_of_scope(analyzer.subjects("餐费能抵扣吗")) == frozenset()


def test_traditional_characters_read_as_simplified() -> None:
    assert analyzer.normalize("電子發票能報銷嗎") == analyzer.normalize("电子发票能报销吗")
