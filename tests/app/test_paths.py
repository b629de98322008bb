"""Folder names for new registers, and paths as people are shown them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import paths
from app.paths import (
    NAME_MOST,
    default_register_dir,
    display_path,
    portable_name,
    unused_register_dir,
)
from app.register import Register
from tests.fast_keys import FAST_KDF
from tests.register_helpers import unreadable


@pytest.fixture()
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setattr(paths, "data_dir", lambda: folder)
    return folder


@pytest.mark.parametrize(
    ("name", "folder"),
    [
        ("Northshire Information Sharing Register", "Northshire Information Sharing Register"),
        ("Health & Care: ISAs 2026/27", "Health & Care ISAs 2026 27"),
        ('Fire and Rescue "live" register?', "Fire and Rescue live register"),
        ("  Trailing dots...  ", "Trailing dots"),
        ("CON", "CON register"),
        ("lpt1.old", "lpt1.old register"),
        ("***", "register"),
        ("", "register"),
    ],
)
def test_a_register_name_becomes_a_folder_name_every_system_takes(name: str, folder: str) -> None:
    assert portable_name(name) == folder


@given(st.text(max_size=200))
def test_any_name_gives_a_single_usable_folder_name(name: str) -> None:
    folder = portable_name(name)
    assert folder and len(folder) <= NAME_MOST + len(" register")
    assert not any(c in folder for c in '<>:"/\\|?*') and folder.isprintable()
    assert folder == folder.strip() and not folder.endswith(".")
    assert Path(folder).name == folder  # one folder, never a path


def test_a_new_register_is_offered_a_folder_nothing_uses_yet(data_dir: Path) -> None:
    first = unused_register_dir("Northshire")
    assert first == default_register_dir("Northshire") == data_dir / "Northshire"
    with Register.create(first, "correct horse battery staple", kdf=FAST_KDF):
        pass
    assert unused_register_dir("Northshire") == data_dir / "Northshire 2"
    (data_dir / "Northshire 2").mkdir()  # an empty folder is free to use
    assert unused_register_dir("Northshire") == data_dir / "Northshire 2"
    (data_dir / "Northshire 2" / "notes.txt").write_text("mine")
    (data_dir / "Northshire 3").write_text("a file, not a folder")
    assert unused_register_dir("Northshire") == data_dir / "Northshire 4"


def test_a_folder_that_cannot_be_read_is_passed_over(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    theirs = data_dir / "Northshire"
    theirs.mkdir(parents=True)
    unreadable(monkeypatch, theirs)
    assert unused_register_dir("Northshire") == data_dir / "Northshire 2"


def test_a_data_folder_that_is_a_file_is_offered_once_not_searched_forever(
    data_dir: Path,
) -> None:
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    data_dir.write_text("a file where the data folder should be")
    assert unused_register_dir("Northshire") == data_dir / "Northshire"


@pytest.mark.skipif(os.name == "nt", reason="Windows shows whole paths")
def test_paths_in_the_home_folder_are_shown_from_tilde(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    inside = tmp_path / "Registers" / "Northshire"
    assert display_path(inside) == "~/Registers/Northshire"
    assert Path(display_path(inside)).expanduser() == inside
    assert display_path(tmp_path) == "~"
    assert display_path(Path("/srv/share/register")) == "/srv/share/register"
