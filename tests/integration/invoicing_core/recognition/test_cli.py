"""`python -m invoicing_core recognize FILE [--json]`, as an operator runs it, with no database."""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from invoicing_core.__main__ import _recognize
from invoicing_core.domain.invoice import Invoice


def run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    # A database the command could not open: recognising must not need one.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'no.db'}"}
    return subprocess.run(
        [sys.executable, "-m", "invoicing_core", "recognize", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_recognize_prints_a_chinese_summary_and_json(
    digital: Invoice, digital_pdf: bytes, tmp_path: Path
) -> None:
    path = tmp_path / "发票.pdf"
    path.write_bytes(digital_pdf)
    done = run(str(path), tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "发票号码：26421000000000000001（二维码）" in done.stdout
    assert "销售方名称：武汉示例科技有限公司？（文字层）" in done.stdout  # one source: unconfirmed
    assert "各项核对均通过" in done.stdout
    done = run(str(path), "--json", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["format"] == "pdf"
    assert found["fields"]["total_with_tax"] == {
        "value": "1510.87",
        "source": "qr",
        "confidence": 1.0,
        "certain": True,
        "label": "价税合计（小写）",
        "text": "1510.87",
    }
    assert not (tmp_path / "missing").exists()


def test_recognize_refuses_a_bad_file_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("不是发票", encoding="utf-8")
    args = argparse.Namespace(command="recognize", file=path, json=False)
    with pytest.raises(SystemExit) as refused:
        _recognize(args)
    assert str(refused.value).startswith("unsupported_file: 无法识别的文件类型")
    args.file = tmp_path / "missing.pdf"
    with pytest.raises(SystemExit) as refused:
        _recognize(args)
    assert str(refused.value).startswith("file_unreadable: 无法读取文件")
