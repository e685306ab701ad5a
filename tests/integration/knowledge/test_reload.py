"""Reloading the knowledge base without a restart."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge import IngestError, KnowledgeBase, KnowledgeSettings


def test_reload_picks_up_new_entries_and_keeps_the_old_index_on_a_bad_source(
    tmp_path: Path, knowledge_index: Path, knowledge_settings: KnowledgeSettings
) -> None:
    source = tmp_path / "source"
    source.mkdir()
    (source / "faq.csv").write_text(
        "id,question,answer\nacc.forgot,忘记密码怎么办,在登录页点忘记密码\n", encoding="utf-8"
    )
    folder = tmp_path / "index"
    shutil.copytree(knowledge_index, folder)
    settings = knowledge_settings.model_copy(
        update={"knowledge_source": source, "knowledge_index_dir": folder}
    )
    base = KnowledgeBase.open(settings)
    assert [h.id for h in base.search("打印机连不上", 5).hits] == ["acc.forgot"]

    (source / "more.jsonl").write_text(
        '{"id": "print.offline", "question": "打印时提示打印机未连接怎么办", '
        '"answer": "检查连接"}\n',
        encoding="utf-8",
    )
    outcome = base.reload()
    assert outcome.built and outcome.manifest.entries == 2
    assert base.search("打印机连不上", 1).hits[0].id == "print.offline"
    assert base.reload().built is False

    (source / "broken.jsonl").write_text("{oops\n", encoding="utf-8")
    with pytest.raises(IngestError, match=r"broken\.jsonl:1"):
        base.reload()
    assert base.search("打印机连不上", 1).hits[0].id == "print.offline"
