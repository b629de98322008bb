"""The history of records read from the operation log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from app.agreement_editing import add_lawful_basis, remove_record
from app.agreements import (
    add_data_item,
    add_party,
    create_agreement,
    delete_data_item,
    get_agreement,
    update_agreement,
    update_data_item,
)
from app.errors import InUseError
from app.history import field_history, record_history
from app.meetings import add_decision, add_paper
from app.register import Changes, Register
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


@contextmanager
def histories_read(register: Register) -> Iterator[set[str]]:
    """The kinds of record whose operations are read from the log by record, meanwhile."""
    kinds: set[str] = set()

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if "operation.record_id IN" in statement:
            kinds.add(parameters[0])

    event.listen(register.engine, "before_cursor_execute", seen)
    try:
        yield kinds
    finally:
        event.remove(register.engine, "before_cursor_execute", seen)


def test_undo_reads_the_history_only_of_the_records_it_sets_back(register: Register) -> None:
    agreement = create_agreement(
        register, {"reference": "ISA-8", "title": "Before", "category": "personal"}
    )
    item = add_data_item(register, agreement, {"title": "Admissions"})

    def edit_and_delete(changes: Changes) -> None:
        changes.set("agreement", agreement, "title", "After")
        changes.delete("data_item", item)

    register.write("Edit and delete", edit_and_delete)
    with histories_read(register) as kinds:
        register.undo()
    assert kinds == {"agreement"}  # a deleted record comes back without its history read
    restored = get_agreement(register, agreement)
    assert (restored.title, [i.id for i in restored.items]) == ("Before", [item])


def test_unknown_entity_is_refused(register: Register) -> None:
    with pytest.raises(ValueError):
        record_history(register, "nonsense", "x")


# ---------------------------------------------------------------------- naming the records


def test_an_agreement_history_names_its_approval_meeting(
    register: Register, spring_board: str
) -> None:
    agreement = create_agreement(
        register, {"reference": "ISA-5", "title": "Approved", "category": "personal"}
    )
    update_agreement(register, agreement, {"approval_meeting_id": spring_board})
    entries = record_history(register, "agreement", agreement)
    (approval,) = field_history(entries, "agreement", agreement, "approval_meeting_id")
    assert (approval.field_label, approval.new_text) == (
        "Approved at meeting", "Information Sharing Board, 14/04/2026",
    )  # fmt: skip


def test_meetings_papers_and_decisions_are_named_as_the_board_knows_them(
    register: Register, spring_board: str
) -> None:
    paper = add_paper(register, spring_board, {"subject": "Agreements for approval"})
    said = "Approve   the hospital discharge agreement for a further year, subject to its DPIA"
    decision = add_decision(register, spring_board, {"decision": said, "paper_id": paper})

    entries = record_history(register, "decision", decision, include_children=False)
    shown = {e.field: e.new_text for e in entries}
    assert (shown["meeting_id"], shown["paper_id"]) == (
        "Information Sharing Board, 14/04/2026", "Paper A",
    )  # fmt: skip
    assert {e.record_label for e in entries} == {
        "Decision: Approve the hospital discharge agreement for a further year…"
    }
    # what the Conflicts view calls a meeting (its history's label)
    meeting = record_history(register, "meeting", spring_board, include_children=False)
    assert meeting[-1].record_label == "Information Sharing Board, 14/04/2026"
    papers = record_history(register, "paper", paper, include_children=False)
    assert papers[-1].record_label == "Paper A"


def test_kinds_without_a_name_are_called_as_the_register_words_them(register: Register) -> None:
    agreement = create_agreement(
        register, {"reference": "ISA-6", "title": "Assessed", "category": "personal"}
    )
    dpia = register.write("DPIA", lambda c: c.create("dpia", {"agreement_id": agreement,
                                                              "needed": True}))  # fmt: skip
    sign_off = register.write("Sign-off", lambda c: c.create("sign_off", {
        "agreement_id": agreement, "signed_on": dt.date(2026, 3, 2)}))  # fmt: skip
    labels = {(e.entity, e.record_label) for e in record_history(register, "dpia", dpia)}
    labels |= {(e.entity, e.record_label) for e in record_history(register, "sign_off", sign_off)}
    assert labels == {("dpia", "DPIA"), ("sign_off", "Sign-off")}


def test_a_lawful_basis_is_named_alike_in_its_history_and_in_a_refusal(
    register: Register,
) -> None:
    police = register.write("Org", lambda c: c.create("organisation", {"name": "Kent Police"}))
    agreement = create_agreement(
        register, {"reference": "ISA-7", "title": "Crime", "category": "personal"}
    )
    party = add_party(register, agreement, police, "provider")
    purpose = "Preventing and detecting crime and disorder in the county's town centres at night"
    basis = add_lawful_basis(register, agreement, {"party_id": party, "purpose": purpose,
                                                   "article_6": "6(1)(e) public task"})  # fmt: skip
    shortened = "Preventing and detecting crime and disorder in the county's…"

    (label,) = {e.record_label for e in record_history(register, "lawful_basis", basis)}
    assert label == f"Lawful basis: {shortened}"
    with pytest.raises(InUseError) as refused:
        remove_record(register, "party", party, "Remove party")
    assert refused.value.message == (
        f"Kent Police is named in 1 lawful basis ({shortened}). Remove that lawful basis first."
    )
