"""Import profiles of one's own: a damaged profile file is skipped and named, never fatal."""

from __future__ import annotations

import csv
from pathlib import Path

from app.importing import list_profiles, propose_mapping, read_table, save_profile
from app.importing.mapping import user_profile_dir, user_profiles


def _table(tmp_path: Path) -> Path:
    path = tmp_path / "ours.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["Our ref", "What", "Who"], ["R1", "Thing", "Kent Police"]])
    return path


def test_damaged_profile_files_are_skipped_with_a_note_naming_each(tmp_path: Path) -> None:
    path = _table(tmp_path)
    mapping = propose_mapping(read_table(path)).with_target("Our ref", "agreement.reference")
    mapping = mapping.with_target("What", "agreement.title").with_target(
        "Who", "party.organisations"
    )
    save_profile("Good one", mapping)
    folder = user_profile_dir()
    damaged = {
        "bad-json.json": b"{ not json",
        "not-utf8.json": b"\xff\xfe\x00{",
        "a-list.json": b"[1, 2]",
        "no-name.json": b'{"columns": {}}',
        "unknown-field.json": b'{"name": "Odd", "columns": {"Ref": "agreement.nonsense"}}',
    }
    for name, content in damaged.items():
        (folder / name).write_bytes(content)

    found = user_profiles()
    assert [p.name for p in found.profiles] == ["Good one"]
    assert len(found.skipped) == len(damaged)
    for name in damaged:
        assert sum(name in note for note in found.skipped) == 1, name
    assert all("skipped" in note for note in found.skipped)
    # every other use of profiles goes on as if the damaged files were not there
    assert [p.name for p in list_profiles()][0] == "Good one"
    assert propose_mapping(read_table(path)).profile == "Good one"


def test_no_profile_folder_is_no_profiles_and_no_notes() -> None:
    assert not user_profile_dir().exists()
    found = user_profiles()
    assert (found.profiles, found.skipped) == ((), ())
