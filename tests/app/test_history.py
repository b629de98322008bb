"""The history of records read from the operation log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.agreements import (
    add_data_item,
    add_party,
    create_agreement,
    delete_data_item,
    update_agreement,
    update_data_item,
)
from app.history import field_history, record_history
from app.register import Register
from tests.fast_keys import FAST_KDF, PASSPHRASE


@pytest.fixture()
def register(tmp_path: Path) -> Iterator[Register]:
    reg = Register.create(tmp_path / "reg", PASSPHRASE, name="Test", author="Alice Smith",
                          kdf=FAST_KDF)  # fmt: skip
    yield reg
    reg.close()


def _org(register: Register, name: str) -> str:
    return register.write("Add org", lambda c: c.create("organisation", {"name": name}))


def test_set_entries_carry_old_and_new_value_author_and_time(register: Register) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    agreement = create_agreement(
        register, {"reference": "ISA-1", "title": "First", "category": "personal"}
    )
    update_agreement(register, agreement, {"title": "Second"})
    update_agreement(register, agreement, {"title": "Third"})

    entries = record_history(register, "agreement", agreement)
    titles = field_history(entries, "agreement", agreement, "title")

    assert [(e.kind, e.old, e.new) for e in titles] == [
        ("create", None, "First"),
        ("set", "First", "Second"),
        ("set", "Second", "Third"),
    ]
    last = titles[-1]
    assert last.author == "Alice Smith"
    assert last.device == register.device_id
    assert last.field_label == "Title"
    assert last.record_label == "ISA-1"
    assert before <= last.when <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=5)
    assert last.batch_label.startswith("Edit ISA-1")
    assert [e.hlc for e in entries] == sorted(e.hlc for e in entries)


def test_dates_are_shown_in_uk_order(register: Register) -> None:
    agreement = create_agreement(
        register,
        {"reference": "ISA-2", "title": "Dates", "category": "aggregated",
         "start_date": dt.date(2026, 4, 1)},
    )  # fmt: skip
    update_agreement(register, agreement, {"review_date": dt.date(2027, 3, 31)})
    entries = record_history(register, "agreement", agreement)
    review = field_history(entries, "agreement", agreement, "review_date")
    # created with the default review a year on, then moved
    assert [(e.old_text, e.new_text) for e in review] == [
        ("", "01/04/2027"),
        ("01/04/2027", "31/03/2027"),
    ]


def test_agreement_history_includes_items_parties_and_deleted_items(register: Register) -> None:
    agreement = create_agreement(
        register, {"reference": "ISA-3", "title": "Children", "category": "personal"}
    )
    org = _org(register, "Northshire County Council")
    add_party(register, agreement, org, "provider")
    kept = add_data_item(register, agreement, {"title": "Admissions", "source": "PAS"})
    dropped = add_data_item(register, agreement, {"title": "Scratch"})
    update_data_item(register, kept, {"source": "Patient administration system"})
    delete_data_item(register, dropped)

    entries = record_history(register, "agreement", agreement)
    source = field_history(entries, "data_item", kept, "source")
    assert [(e.old, e.new) for e in source] == [
        (None, "PAS"),
        ("PAS", "Patient administration system"),
    ]
    assert source[-1].field_label == "Source of data"
    assert source[-1].record_label == "Data item 1: Admissions"

    party = [e for e in entries if e.entity == "party" and e.field == "organisation_id"]
    assert [e.new_text for e in party] == ["Northshire County Council"]
    assert party[0].record_label == "Party: Northshire County Council"

    deleted = [e for e in entries if e.record_id == dropped and e.kind == "delete"]
    assert len(deleted) == 1 and deleted[0].kind_label == "Deleted"

    alone = record_history(register, "agreement", agreement, include_children=False)
    assert {e.entity for e in alone} == {"agreement"}


def test_undo_shows_as_a_change_back(register: Register) -> None:
    agreement = create_agreement(
        register, {"reference": "ISA-4", "title": "Before", "category": "personal"}
    )
    update_agreement(register, agreement, {"title": "After"})
    register.undo()
    titles = field_history(record_history(register, "agreement", agreement), "agreement",
                           agreement, "title")  # fmt: skip
    assert [(e.old, e.new) for e in titles][-1] == ("After", "Before")
    assert titles[-1].batch_label.startswith("Undo: ")


def test_unknown_entity_is_refused(register: Register) -> None:
    with pytest.raises(ValueError):
        record_history(register, "nonsense", "x")
