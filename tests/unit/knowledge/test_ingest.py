"""Reading entries: the project's YAML, JSONL, CSV and XLSX; bad files name file, line, reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook

from knowledge.ingest import IngestError, load_entries, load_file

ROOT = Path(__file__).resolve().parents[3]
ENTRIES = ROOT / "knowledge" / "entries"
# The topics the knowledge base must cover, kept with it; the design folder has the original.
TOPICS = ROOT / "knowledge" / "topics.yaml"
SHARED_TOPICS = ROOT.parent / "shared" / "knowledge" / "topics.yaml"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_the_project_entries_load_with_every_phrasing() -> None:
    entries = load_entries(ENTRIES)
    assert len(entries) >= 300
    forgot = next(e for e in entries if e.id == "account.forgot_password")
    assert forgot.question == "登录时忘记密码怎么办？"
    assert len(forgot.phrasings) > 3
    assert forgot.origin.startswith(str(ENTRIES / "account.yaml") + ":")


def test_every_topic_has_an_entry() -> None:
    topics = yaml.safe_load(TOPICS.read_text(encoding="utf-8"))
    wanted = {topic["id"] for group in topics.values() for topic in group}
    assert wanted <= {entry.id for entry in load_entries(ENTRIES)}


@pytest.mark.skipif(
    not SHARED_TOPICS.exists(), reason="no shared design folder beside the checkout"
)
def test_the_topics_kept_here_are_the_shared_ones() -> None:
    assert TOPICS.read_text(encoding="utf-8") == SHARED_TOPICS.read_text(encoding="utf-8")


def test_a_jsonl_file_loads_with_its_other_phrasings(tmp_path: Path) -> None:
    record = {"id": "a.one", "question": "问一", "answer": "答一", "questions": ["问法二"]}
    entries = load_file(
        write(tmp_path / "faq.jsonl", json.dumps(record, ensure_ascii=False) + "\n")
    )
    assert [(e.id, e.phrasings) for e in entries] == [("a.one", ("问一", "问法二"))]


def test_a_csv_file_splits_phrasings_on_bars(tmp_path: Path) -> None:
    path = write(
        tmp_path / "faq.csv", "id,question,answer,questions\na.one,问一,答一,问法二|问法三\n"
    )
    assert load_file(path)[0].questions == ("问法二", "问法三")


def test_an_xlsx_file_reads_its_first_sheet(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "faq.xlsx", [["id", "question", "answer"], ["a.one", "问一", "答一"]])
    assert [e.answer for e in load_file(path)] == ["答一"]


def test_a_folder_mixes_formats_and_ignores_other_files(tmp_path: Path) -> None:
    write(tmp_path / "a.csv", "id,question,answer\na.one,问一,答一\n")
    write(tmp_path / "b.yaml", "- id: b.one\n  question: 问二\n  answer: 答二\n")
    write(tmp_path / "README.md", "not entries")
    assert [e.id for e in load_entries(tmp_path)] == ["a.one", "b.one"]


def reason_of(path: Path) -> IngestError:
    with pytest.raises(IngestError) as raised:
        load_entries(path)
    return raised.value


def test_a_csv_with_wrong_columns_is_rejected_at_its_header(tmp_path: Path) -> None:
    path = write(tmp_path / "faq.csv", "问题,答案\n忘记密码,重置\n")
    error = reason_of(path)
    assert (error.path, error.line) == (str(path), 1)
    assert "缺少必填列" in error.reason and "id" in error.reason
    assert str(error).startswith(f"{path}:1: ")


def test_an_empty_answer_is_rejected_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path / "faq.csv", "id,question,answer\na.one,问一,答一\na.two,问二,  \n")
    error = reason_of(path)
    assert error.line == 3
    assert error.reason == "字段 answer 为空"


def test_a_duplicate_id_names_both_places(tmp_path: Path) -> None:
    write(tmp_path / "a.csv", "id,question,answer\na.one,问一,答一\n")
    second = write(
        tmp_path / "b.jsonl",
        '{"id": "x", "question": "q", "answer": "a"}\n'
        '{"id": "a.one", "question": "问", "answer": "答"}\n',
    )
    error = reason_of(tmp_path)
    assert (error.path, error.line) == (str(second), 2)
    assert "id 重复：a.one" in error.reason and "a.csv:2" in error.reason


def test_a_bad_json_line_is_rejected_with_its_number(tmp_path: Path) -> None:
    path = write(
        tmp_path / "faq.jsonl", '{"id": "a", "question": "q", "answer": "a"}\n\n{"id": oops}\n'
    )
    error = reason_of(path)
    assert error.line == 3
    assert error.reason.startswith("不是有效的 JSON")


def test_a_json_line_that_is_not_an_object_is_rejected(tmp_path: Path) -> None:
    error = reason_of(write(tmp_path / "faq.jsonl", '["a", "b"]\n'))
    assert (error.line, error.reason) == (1, "条目应为对象（含 id、question、answer）")


def test_a_missing_question_in_yaml_names_the_entry_line(tmp_path: Path) -> None:
    text = "- id: a.one\n  question: 问\n  answer: 答\n\n- id: a.two\n  answer: 答\n"
    error = reason_of(write(tmp_path / "faq.yaml", text))
    assert (error.line, error.reason) == (5, "缺少必填字段 question")


def test_broken_yaml_is_rejected_with_the_line_of_the_problem(tmp_path: Path) -> None:
    error = reason_of(write(tmp_path / "faq.yaml", "- id: a\n  question: [unclosed\n  answer: b\n"))
    assert error.line is not None and error.reason.startswith("YAML 格式错误")


def test_phrasings_must_be_a_list_of_text(tmp_path: Path) -> None:
    text = "- id: a.one\n  question: 问\n  answer: 答\n  questions: {a: b}\n"
    assert reason_of(write(tmp_path / "faq.yaml", text)).reason == "字段 questions 应为文本列表"


def test_an_id_with_spaces_is_rejected(tmp_path: Path) -> None:
    error = reason_of(write(tmp_path / "faq.csv", "id,question,answer\nbad id,问,答\n"))
    assert "id 格式不正确" in error.reason


def test_an_xlsx_with_wrong_columns_and_an_empty_answer(tmp_path: Path) -> None:
    wrong = xlsx(tmp_path / "wrong.xlsx", [["id", "question"], ["a", "问"]])
    assert "缺少必填列：answer" in reason_of(wrong).reason
    empty = xlsx(tmp_path / "empty.xlsx", [["id", "question", "answer"], ["a", "问", None]])
    error = reason_of(empty)
    assert (error.line, error.reason) == (2, "字段 answer 为空")


def test_unsupported_and_missing_sources_are_rejected(tmp_path: Path) -> None:
    assert "不支持的文件类型" in reason_of(write(tmp_path / "faq.txt", "x")).reason
    assert reason_of(tmp_path / "nowhere").reason == "文件或文件夹不存在"
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "没有知识条目文件" in reason_of(empty).reason


def test_a_file_without_entries_is_rejected(tmp_path: Path) -> None:
    assert (
        reason_of(write(tmp_path / "faq.csv", "id,question,answer\n")).reason
        == "文件中没有任何条目"
    )


def test_an_entry_carries_its_sources_and_dates(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.yaml",
        "- id: a.one\n  question: 问一\n  answer: 答一\n"
        "  sources:\n    - name: 国家税务总局公告2024年第11号\n      article: 第二条\n"
        "      url: https://www.chinatax.gov.cn/a.html\n    - 《发票管理办法》\n"
        "  effective_date: 2024-12-01\n  checked: 2026-12-06\n",
    )
    entry = load_file(path)[0]
    assert [s.label for s in entry.sources] == [
        "国家税务总局公告2024年第11号 第二条",
        "《发票管理办法》",
    ]
    assert (entry.effective_date, entry.checked) == ("2024-12-01", "2026-12-06")
    assert (
        entry.basis == "依据：国家税务总局公告2024年第11号 第二条、《发票管理办法》；更新于2026-12"
    )
    assert entry.sources[0].to_json() == {
        "title": "国家税务总局公告2024年第11号",
        "document": "国家税务总局公告2024年第11号 第二条",
        "url": "https://www.chinatax.gov.cn/a.html",
    }


def test_a_csv_cell_lists_sources_with_their_addresses(tmp_path: Path) -> None:
    path = write(
        tmp_path / "faq.csv",
        "id,question,answer,sources,effective_date\n"
        "a.one,问一,答一,公告甲 https://example.org/a｜公告乙,2020-03-01\n",
    )
    entry = load_file(path)[0]
    assert [(s.name, s.url) for s in entry.sources] == [
        ("公告甲", "https://example.org/a"),
        ("公告乙", ""),
    ]
    assert entry.effective_date == "2020-03-01"


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("  effective_date: 2024年12月\n", "字段 effective_date 应为日期"),
        ("  sources:\n    - article: 第二条\n", "都要有文件名称 name"),
        ("  sources:\n    - name: 公告\n      url: www.example.org\n", "网址应以"),
        ("  sources:\n    - name: 公告\n      page: 3\n", "依据 sources 应为列表"),
        ("  source: 旧字段\n", "不认识的字段：source"),
    ],
)
def test_a_bad_basis_is_refused_with_its_line(tmp_path: Path, field: str, reason: str) -> None:
    path = write(tmp_path / "a.yaml", "- id: a.one\n  question: 问一\n  answer: 答一\n" + field)
    with pytest.raises(IngestError, match=reason) as failure:
        load_file(path)
    assert failure.value.line == 1
