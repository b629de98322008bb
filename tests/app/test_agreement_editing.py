"""What the agreement editor saves: data items' dates, and data items removed only when free."""

from __future__ import annotations

import datetime as dt

import pytest

from app import agreements as ag
from app.agreement_editing import ITEM_EDIT_FIELDS, ItemEdit, save_agreement
from app.assessments import create_assessment, link_data_item, unlink_data_item
from app.errors import InUseError, ValidationError
from app.register import Register
from tests.register_helpers import operation_count

AGREEMENT = {"reference": "ISA-2026-020", "title": "Hospital discharge", "category": "personal"}


def dates(register: Register) -> list[tuple[dt.date | None, dt.date | None]]:
    items = ag.get_agreement(register, "ISA-2026-020").items
    return [(i.last_received, i.next_due) for i in items]


def test_item_dates_are_saved_changed_cleared_and_undone(core_register: Register) -> None:
    register = core_register
    assert {"last_received", "next_due"} <= set(ITEM_EDIT_FIELDS)
    agreement = save_agreement(register, None, AGREEMENT, [
        ItemEdit(None, {"title": "Admissions", "last_received": dt.date(2026, 1, 5),
                        "next_due": dt.date(2026, 4, 5)}),
    ])  # fmt: skip
    assert dates(register) == [(dt.date(2026, 1, 5), dt.date(2026, 4, 5))]

    item = ag.get_agreement(register, agreement).items[0].id
    save_agreement(register, agreement, {}, [ItemEdit(item, {"last_received": "05/04/2026",
                                                             "next_due": ""})])  # fmt: skip
    assert dates(register) == [(dt.date(2026, 4, 5), None)]  # dd/mm/yyyy read, "" clears
    assert register.undo() == "Edit ISA-2026-020"  # one save, one batch, named by its reference
    assert dates(register) == [(dt.date(2026, 1, 5), dt.date(2026, 4, 5))]


def test_an_unreadable_item_date_is_refused_with_its_field_and_saves_nothing(
    core_register: Register,
) -> None:
    register = core_register
    agreement = save_agreement(register, None, AGREEMENT, [ItemEdit(None, {"title": "A"})])
    item = ag.get_agreement(register, agreement).items[0].id
    with pytest.raises(ValidationError) as refused:
        save_agreement(register, agreement, {"title": "Changed"},
                       [ItemEdit(item, {"title": "B", "next_due": "31/04/2026"})])  # fmt: skip
    problem = refused.value.problems[0]
    assert problem.field == "next_due"
    assert problem.message.startswith("Next due: '31/04/2026' is not a date")
    saved = ag.get_agreement(register, agreement)
    assert (saved.title, saved.items[0].title, saved.items[0].next_due) == (
        "Hospital discharge",
        "A",
        None,
    )


def test_a_save_removing_a_data_item_an_assessment_needs_is_refused_whole(
    core_register: Register,
) -> None:
    register = core_register
    agreement = save_agreement(register, None, AGREEMENT, [
        ItemEdit(None, {"title": "Admissions"}), ItemEdit(None, {"title": "Discharges"}),
    ])  # fmt: skip
    admissions, discharges = (i.id for i in ag.get_agreement(register, agreement).items)
    jsna = create_assessment(register, {"title": "Joint strategic needs assessment"})
    link_data_item(register, jsna, discharges)
    written = operation_count(register)

    with pytest.raises(InUseError) as refused:  # and the rest of the save with it
        save_agreement(register, agreement, {"title": "Changed"},
                       [ItemEdit(admissions, {"title": "Admissions (daily)"})],
                       deleted_item_ids=[discharges])  # fmt: skip
    assert refused.value.message == (
        "Discharges is needed by 1 assessment (Joint strategic needs assessment). "
        "Remove it from the data items needed by that assessment first."
    )
    assert operation_count(register) == written
    saved = ag.get_agreement(register, agreement)
    assert (saved.title, [i.title for i in saved.items]) == (
        "Hospital discharge", ["Admissions", "Discharges"],
    )  # fmt: skip

    unlink_data_item(register, jsna, discharges)
    save_agreement(register, agreement, {}, [], deleted_item_ids=[discharges])
    assert [i.title for i in ag.get_agreement(register, agreement).items] == ["Admissions"]
    # removed meanwhile elsewhere (a sync): the save still goes through, the item stays gone
    save_agreement(register, agreement, {"title": "Changed"}, [], deleted_item_ids=[discharges])
    saved = ag.get_agreement(register, agreement)
    assert (saved.title, [i.title for i in saved.items]) == ("Changed", ["Admissions"])
