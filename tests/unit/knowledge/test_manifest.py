"""The manifest decides when an index is stale."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from knowledge.entry import Entry
from knowledge.manifest import INDEX_FORMAT, Manifest, content_hash

ENTRY = Entry("a.one", "问一", "答一", ("问法",))


def manifest(**changes: object) -> Manifest:
    base = Manifest(INDEX_FORMAT, "m3e-small", "m", 512, "c", 1, 2, True, "flat", "", 0.0)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_content_hash_follows_the_content_not_the_origin() -> None:
    moved = replace(ENTRY, origin="elsewhere.csv:9")
    assert content_hash([ENTRY], "") == content_hash([moved], "")
    assert content_hash([ENTRY], "") != content_hash([replace(ENTRY, answer="答二")], "")
    assert content_hash([ENTRY], "") != content_hash([ENTRY], "another lexicon")


def test_a_manifest_matches_only_the_same_model_and_content() -> None:
    assert manifest().matches(manifest(built_at="later", build_seconds=3.0))
    assert not manifest().matches(manifest(model_hash="other"))
    assert not manifest().matches(manifest(content_hash="other"))


def test_vectors_of_other_weights_make_the_index_stale() -> None:
    # int8 and float vectors differ by ~0.01: an index's questions and vectors need one encoder.
    assert not manifest(weights="int8").matches(manifest(weights="float"))
    assert not manifest(weights="int8").same_encoder(manifest(weights="float"))
    assert manifest(weights="int8").same_encoder(manifest(weights="int8", content_hash="other"))


def test_a_manifest_written_before_the_weights_were_recorded_reads_as_float(
    tmp_path: Path,
) -> None:
    manifest().save(tmp_path)
    text = (tmp_path / "manifest.json").read_text(encoding="utf-8")
    (tmp_path / "manifest.json").write_text(text.replace(',\n  "weights": "float"', ""))
    loaded = Manifest.load(tmp_path)
    assert "weights" not in text.replace(',\n  "weights": "float"', "")
    assert loaded is not None and loaded.weights == "float"


def test_a_manifest_survives_a_round_trip_and_a_broken_one_reads_as_none(tmp_path: Path) -> None:
    manifest().save(tmp_path)
    assert Manifest.load(tmp_path) == manifest()
    (tmp_path / "manifest.json").write_text("{", encoding="utf-8")
    assert Manifest.load(tmp_path) is None
