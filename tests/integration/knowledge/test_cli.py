"""`python -m knowledge` as operators and the acceptance check run it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from knowledge import KnowledgeSettings

ROOT = Path(__file__).resolve().parents[3]


def run(*arguments: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "knowledge", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **env},
        check=False,
    )


def test_search_prints_the_contract_json(knowledge_index: Path) -> None:
    done = run("search", "--json", "--index", str(knowledge_index), "-k", "3", "忘记密码怎么办")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["answered"] is True
    assert body["hits"][0]["id"] == "account.forgot_password"
    assert len(body["hits"]) == 3


def test_search_answers_a_file_of_questions_one_json_line_each(
    knowledge_index: Path, tmp_path: Path
) -> None:
    queries = tmp_path / "queries.txt"
    queries.write_text("忘记密码怎么办\n\n今天天气怎么样\n", encoding="utf-8")
    done = run("search", "--json", "--index", str(knowledge_index), "--queries", str(queries))
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["answered"] for line in lines] == [True, False]


def test_build_skips_an_up_to_date_index(
    knowledge_index: Path, knowledge_settings: KnowledgeSettings
) -> None:
    source = str(knowledge_settings.knowledge_source)
    done = run("build", "--source", source, "--index", str(knowledge_index))
    assert done.returncode == 0, done.stderr
    assert "up to date, skipped the build" in done.stdout


def test_eval_prints_the_figures(knowledge_index: Path, tmp_path: Path) -> None:
    questions = tmp_path / "eval.jsonl"
    questions.write_text(
        '{"question": "忘记密码怎么办", "expected_id": "account.forgot_password"}\n'
        '{"question": "今天天气怎么样", "expected_id": null}\n',
        encoding="utf-8",
    )
    done = run("eval", str(questions), "--index", str(knowledge_index), "--json")
    report = json.loads(done.stdout)
    assert (report["hit_at_1"], report["mrr"], report["rejection_accuracy"]) == (1.0, 1.0, 1.0)
    assert report["latency_p95_ms"] > 0


def test_a_bad_source_fails_with_file_line_and_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,question,answer\na.one,问,\n", encoding="utf-8")
    done = run("build", "--source", str(bad), "--index", str(tmp_path / "index"))
    assert done.returncode == 2
    assert f"{bad}:2: 字段 answer 为空" in done.stderr


def test_the_unanswered_report_reads_the_database(tmp_path: Path) -> None:
    done = run("unanswered", "--json", DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
