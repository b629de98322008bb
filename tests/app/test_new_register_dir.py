"""A new register goes in a new or empty folder: one rule, for the command line and the desktop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.errors import FolderError, RegisterError, RegisterExistsError
from app.paths import check_new_register_dir, display_path, path_from_text
from app.register import Register
from tests.fast_keys import FAST_KDF, PASSPHRASE
from tests.register_helpers import files_in, unreadable


def test_a_new_or_empty_folder_takes_a_register(tmp_path: Path) -> None:
    check_new_register_dir(tmp_path / "new" / "register")
    (tmp_path / "empty").mkdir()
    check_new_register_dir(tmp_path / "empty")


def test_a_folder_that_holds_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    folder = tmp_path / "full"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(FolderError) as refused:
        Register.create(folder, PASSPHRASE, kdf=FAST_KDF)
    assert refused.value.message == (
        f"{display_path(folder)} already holds files. "
        "Choose a new or empty folder for the register."
    )
    assert files_in(folder) == ["notes.txt"]


def test_a_file_is_not_taken_for_a_folder(tmp_path: Path) -> None:
    book = tmp_path / "out.xlsx"
    book.write_bytes(b"a workbook")
    for path in (book, book / "register"):
        with pytest.raises(FolderError) as refused:
            Register.create(path, PASSPHRASE, kdf=FAST_KDF)
        assert refused.value.message == (
            f"{display_path(book)} is a file, not a folder. Choose or type a folder."
        )
    assert book.read_bytes() == b"a workbook"
    assert files_in(tmp_path) == ["out.xlsx"]


def test_an_unreadable_folder_is_refused_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "theirs"
    folder.mkdir()
    unreadable(monkeypatch, folder)
    with pytest.raises(FolderError) as refused:
        check_new_register_dir(folder)
    assert refused.value.message == (
        f"Cannot open {display_path(folder)}: permission denied. "
        "Choose a folder you can open, or a new one."
    )


def test_an_existing_register_keeps_its_own_refusal(tmp_path: Path) -> None:
    Register.create(tmp_path / "reg", PASSPHRASE, kdf=FAST_KDF).close()
    with pytest.raises(RegisterExistsError):
        check_new_register_dir(tmp_path / "reg")
    with pytest.raises(RegisterExistsError):
        Register.create(tmp_path / "reg", PASSPHRASE, kdf=FAST_KDF)


def test_a_typed_folder_is_made_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert path_from_text("  ~/Registers/Board  ") == tmp_path / "Registers" / "Board"
    assert path_from_text(str(tmp_path / "x")) == tmp_path / "x"


@pytest.mark.skipif(os.name == "nt", reason="Windows guesses ~name from the home folder")
def test_a_home_folder_of_nobody_is_refused_with_words_not_a_traceback() -> None:
    with pytest.raises(FolderError) as refused:
        path_from_text("~nosuchuser/reg")
    assert refused.value.message == (
        "Write the folder's whole path; '~nosuchuser' is not a user on this computer."
    )


@pytest.mark.parametrize("typed", ["", "   ", "registers/board"])
def test_what_is_not_a_whole_path_is_refused(typed: str) -> None:
    with pytest.raises(RegisterError):
        path_from_text(typed)
