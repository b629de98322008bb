"""The Intelligence Network's logs: add, edit through the log, delete in one batch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.errors import NotFoundError, ValidationError
from app.logs import (
    add_log_entry,
    delete_log_entries,
    get_log_entry,
    list_log_entries,
    update_log_entry,
)
from app.register import Register
from tests.fast_keys import FAST_KDF


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    path: Path = tmp_path_factory.mktemp("logs") / "register"
    with Register.create(path, "correct horse battery", kdf=FAST_KDF) as reg:
        yield reg


def test_entries_are_kept_per_log(register: Register) -> None:
    gap = add_log_entry(
        register, "gap", {"title": "No ethnicity in A&E data", "raised_on": dt.date(2025, 5, 1)}
    )
    early = add_log_entry(
        register, "gap", {"title": "Housing data", "raised_on": dt.date(2024, 1, 1)}
    )
    barrier = add_log_entry(register, "barrier", {"title": "GP data opt-outs"})
    assert [e.id for e in list_log_entries(register, "gap")] == [early, gap]
    assert [e.id for e in list_log_entries(register, "barrier")] == [barrier]
    assert {early, gap, barrier} <= {e.id for e in list_log_entries(register)}


def test_edit_and_undo(register: Register) -> None:
    entry = add_log_entry(register, "research", {"title": "Loneliness survey"})
    assert update_log_entry(register, entry, {"owner": "Public health", "status": "Open"}) == 2
    assert get_log_entry(register, entry).owner == "Public health"
    assert update_log_entry(register, entry, {"owner": "Public health"}) == 0
    register.undo()
    assert get_log_entry(register, entry).owner == ""


def test_validation(register: Register) -> None:
    with pytest.raises(ValidationError, match="no log called"):
        add_log_entry(register, "wishlist", {"title": "x"})
    with pytest.raises(ValidationError) as caught:
        add_log_entry(register, "gap", {"title": "", "colour": "red"})
    assert {p.field for p in caught.value.problems} == {"title", "colour"}
    entry = add_log_entry(
        register, "planned_review", {"title": "Review", "raised_on": dt.date(2026, 1, 10)}
    )
    with pytest.raises(ValidationError) as caught:
        update_log_entry(register, entry, {"due_on": dt.date(2025, 12, 1)})
    assert caught.value.problems[0].field == "due_on"


def test_delete_several_in_one_batch(register: Register) -> None:
    ids = [add_log_entry(register, "barrier", {"title": f"B{n}"}) for n in range(3)]
    delete_log_entries(register, ids[:2])
    remaining = {e.id for e in list_log_entries(register, "barrier")}
    assert ids[2] in remaining and not set(ids[:2]) & remaining
    with pytest.raises(NotFoundError):
        get_log_entry(register, ids[0])
    register.undo()
    assert set(ids) <= {e.id for e in list_log_entries(register, "barrier")}
