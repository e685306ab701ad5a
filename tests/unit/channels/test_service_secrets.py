"""The secrets of the hops between the app, Rasa and the action server."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from channels import service_secrets


def test_every_missing_secret_is_written_once_and_readable_only_by_its_owner(
    tmp_path: Path,
) -> None:
    assert service_secrets.ensure(tmp_path) == list(service_secrets.FILES)
    values = {name: service_secrets.read(tmp_path, name) for name in service_secrets.FILES}
    assert len(set(values.values())) == 3 and all(len(v) >= 40 for v in values.values())
    for name in service_secrets.FILES:
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600

    (tmp_path / "rasa-token").unlink()  # rotating one
    assert service_secrets.ensure(tmp_path) == ["rasa-token"]
    assert service_secrets.read(tmp_path, "rasa-token") != values["rasa-token"]
    assert service_secrets.read(tmp_path, "actions-token") == values["actions-token"]


def test_a_setting_overrides_the_file_and_an_unknown_name_is_refused(tmp_path: Path) -> None:
    assert service_secrets.read(tmp_path, "rasa-token") == ""
    assert service_secrets.read(tmp_path, "rasa-token", "from-the-environment") == (
        "from-the-environment"
    )
    with pytest.raises(ValueError, match="unknown secret"):
        service_secrets.read(tmp_path, "../app.db")
