"""Positioned text lines: labels printed with their characters apart are joined again."""

from invoicing_core.recognition.labels import label_lines, misread_once
from invoicing_core.recognition.text_lines import TextLine, join_spaced_characters


def box(text: str, left: float, top: float, right: float, bottom: float) -> TextLine:
    return TextLine(text, left, top, right, bottom)


def texts(lines: list[TextLine]) -> set[str]:
    return {line.text for line in lines}


def test_a_spaced_label_is_joined_with_its_colon() -> None:
    lines = [box("名", 334, 489, 364, 519), box("称：", 389, 487, 431, 517)]
    assert texts(join_spaced_characters(lines)) == {"名称："}


def test_a_colon_ends_the_label_so_its_value_stays_apart() -> None:
    lines = [
        box("复", 702, 1109, 730, 1139),
        box("核：", 740, 1109, 780, 1139),
        box("李", 800, 1109, 828, 1139),
    ]
    assert texts(join_spaced_characters(lines)) == {"复核：", "李"}


def test_characters_are_joined_pair_by_pair_on_a_slanted_row() -> None:
    # A taller line (the 密码区's ciphers) first in the row would have split 名 from 称：.
    lines = [
        box("75>>1>6+39+07*55*177+9786>8", 1223, 503, 1551, 538),
        box("称：", 421, 520, 464, 549),
        box("名", 382, 523, 407, 547),
    ]
    assert "名称：" in texts(join_spaced_characters(lines))


def test_digits_and_far_apart_characters_stay_apart() -> None:
    lines = [
        box("合", 473, 881, 506, 908),
        box("1", 520, 881, 530, 908),
        box("计", 900, 881, 933, 908),
    ]
    assert texts(join_spaced_characters(lines)) == {"合", "1", "计"}


def test_a_label_with_one_character_misread_is_found() -> None:
    lines = [
        box("纳税人识刻号：", 276, 859, 390, 889),
        box("纳桃人识期号：", 276, 900, 390, 930),  # two wrong: not the label
    ]
    found = label_lines(lines, misread_once("纳税人识别号"))
    assert [line.text for line in found] == ["纳税人识刻号："]
