"""Writing files whole or not at all: what a failed write leaves on disk and what it says."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from app.errors import StorageError
from app.files import storage_error, write_atomically


def test_a_write_refused_at_the_rename_leaves_no_temp_file(tmp_path: Path) -> None:
    """The name is a folder: the data was written to a temp file, which must not stay behind."""
    (tmp_path / "register.xlsx").mkdir()
    with pytest.raises(StorageError, match="it is a folder"):
        write_atomically(tmp_path / "register.xlsx", b"agreements in plain text")
    assert [p.name for p in tmp_path.iterdir()] == ["register.xlsx"]
    assert list((tmp_path / "register.xlsx").iterdir()) == []


def test_a_write_replaces_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "profile.json"
    target.write_bytes(b"old")
    write_atomically(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["profile.json"]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        (errno.ENOSPC, "is full. Free some space"),
        (errno.EACCES, "open in another program. Close it there, or choose a folder"),
        (errno.EISDIR, "it is a folder"),
    ],
)
def test_disk_errors_say_what_to_do_and_where_from_home(code: int, words: str) -> None:
    message = storage_error(OSError(code, "raw"), Path.home() / "Exports" / "r.xlsx").message
    assert words in message
    assert "~/Exports/r.xlsx" in message.replace("\\", "/")


def test_a_workbook_name_is_checked_before_any_work(tmp_path: Path) -> None:
    from app.files import WorkbookNameError, check_workbook_path

    (tmp_path / "notes.txt").write_text("minutes")
    with pytest.raises(WorkbookNameError, match="nosuch does not exist: choose a folder"):
        check_workbook_path(tmp_path / "nosuch" / "out.xlsx", "An export")
    with pytest.raises(WorkbookNameError, match="notes.txt is a file, not a folder"):
        check_workbook_path(tmp_path / "notes.txt" / "out.xlsx", "An export")
    with pytest.raises(WorkbookNameError, match=r"e\.g\. .*Import report\.xlsx"):
        check_workbook_path(tmp_path, "A report", "Import report.xlsx")
    assert check_workbook_path(tmp_path / "out.xlsx", "An export") == tmp_path / "out.xlsx"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
