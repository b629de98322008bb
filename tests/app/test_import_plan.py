"""Planning warnings that only the whole agreement shows: a title made up, fields still missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.agreements import list_agreements
from app.domain import SPEC_FIELDS
from app.importing import ImportOptions, commit_import, plan_import, read_table
from app.importing.mapping import propose_mapping
from app.importing.plan import CellProblem, ImportPlan
from app.register import Register

from .conftest import write_xlsx

SEVEN = [label for _, label in SPEC_FIELDS]
FULL = [f"{label} of the test" for label in SEVEN]


@pytest.fixture()
def register(core_register: Register) -> Register:
    return core_register


def _plan(register: Register, path: Path, rows: list[list[object]], *,
          group: bool = False) -> ImportPlan:  # fmt: skip
    table = read_table(write_xlsx(path, rows))
    return plan_import(register, table, propose_mapping(table),
                       ImportOptions(group_by_reference=group))  # fmt: skip


def _warnings(plan: ImportPlan, row: int) -> list[CellProblem]:
    return [w for w in plan.warnings if w.row == row]


def test_an_agreement_without_a_title_is_told_the_title_it_gets(
    register: Register, tmp_path: Path
) -> None:
    plan = _plan(register, tmp_path / "t.xlsx", [
        ["Reference", "Title", "Partners"],
        ["ISA-1", "", "Kent Police; Medway Council"],
        ["ISA-2", None, None],
        ["ISA-3", "Falls prevention", "Kent Police"],
    ])  # fmt: skip
    assert not plan.rejected
    first, second = _warnings(plan, 2), _warnings(plan, 3)
    assert [(w.column, w.message) for w in first] == [
        ("Title", "no title; the agreement will be called 'Kent Police – ISA-1'")
    ]
    assert [(w.column, w.message) for w in second] == [
        ("Title", "no title; the agreement will be called 'ISA-2'")
    ]
    assert not _warnings(plan, 4)
    assert plan.rows[0].cells[0] == "ISA-1"  # the row is kept for the report
    titles = {a.reference: dict(a.initial).get("title") for a in plan.agreements}
    assert titles["ISA-1"] == "Kent Police – ISA-1"

    # without a Title column the warning is on the row as a whole
    plan = _plan(register, tmp_path / "u.xlsx", [["Reference", "Partners"], ["ISA-9", "NHS"]])
    assert [(w.column, w.row) for w in plan.warnings] == [("", 2)]

    # an agreement the register holds keeps its own title: nothing to say
    commit_import(register, plan)
    plan = _plan(register, tmp_path / "v.xlsx", [["Reference", "Partners"], ["ISA-9", "NHS"]])
    assert not plan.warnings


def test_an_active_agreement_is_told_which_of_the_seven_fields_its_items_lack(
    register: Register, tmp_path: Path
) -> None:
    head = ["Reference", "Title", "Status", "Data item", *SEVEN]
    plan = _plan(register, tmp_path / "a.xlsx", [
        head,
        ["ISA-1", "Youth offending", "Live", "Cohort", "Police records", None, "", None, None,
         "Reduce reoffending", None],
        ["ISA-2", "Schools", "Draft", "Pupils", "MIS", None, None, None, None, None, None],
        ["ISA-3", "Falls", "Active", "Falls", *FULL],
    ])  # fmt: skip
    assert not plan.rejected
    assert len(plan.agreements) == 3  # a warning keeps the row
    [warning] = _warnings(plan, 2)
    assert warning.column == "Status"
    listed = warning.message.split("missing: ", 1)[1].split(", ")
    assert listed == [
        label
        for label in SEVEN
        if label not in ("Source of data", "The purpose for which data will be used")
    ]
    assert "'Cohort'" in warning.message
    assert not _warnings(plan, 3)  # a draft may still lack them
    assert not _warnings(plan, 4)  # all seven filled


def test_each_item_of_a_grouped_agreement_is_checked(register: Register, tmp_path: Path) -> None:
    head = ["Reference", "Title", "Status", "Data item", *SEVEN]
    plan = _plan(register, tmp_path / "g.xlsx", [
        head,
        ["ISA-1", "Youth offending", "Live", "Cohort", *FULL],
        ["ISA-1", "Youth offending", "Live", "Offences", *FULL[:6], None],
        ["ISA-1", "Youth offending", "Live", "Victims", None, *FULL[1:]],
    ], group=True)  # fmt: skip
    assert plan.item_count == 3
    assert not _warnings(plan, 2)
    assert [w.message.split("missing: ")[1] for w in plan.warnings] == [
        "Security / safeguarding arrangements",
        "Source of data",
    ]
    assert [w.row for w in plan.warnings] == [3, 4]


def test_fields_the_register_already_holds_count_as_filled(register: Register,
                                                           tmp_path: Path) -> None:  # fmt: skip
    head = ["Reference", "Title", "Status", "Data item", *SEVEN]
    first = _plan(register, tmp_path / "a.xlsx", [
        head, ["ISA-1", "Youth offending", "Draft", "Cohort", *FULL[:5], None, None],
    ])  # fmt: skip
    assert not first.warnings
    commit_import(register, first)
    # the file now makes it active and fills the purpose; the register has the first five
    plan = _plan(register, tmp_path / "b.xlsx", [
        head, ["ISA-1", "Youth offending", "Live", "Cohort", None, None, None, None, None,
               FULL[5], None],
    ])  # fmt: skip
    assert [w.message.split("missing: ")[1] for w in plan.warnings] == [
        "Security / safeguarding arrangements"
    ]


def test_rows_with_a_placeholder_for_a_reference_are_rejected_saying_so(
    register: Register, tmp_path: Path
) -> None:
    """'TBC' is not an agreement's reference: two such rows are two unnumbered agreements."""
    plan = _plan(register, tmp_path / "t.xlsx", [
        ["Reference", "Title", "Status"],
        ["TBC", "Pupil attendance", "Draft"],
        ["ISA-1", "Falls prevention", "Draft"],
        ["TBC", "Blue Badge fraud", "Draft"],
    ])  # fmt: skip
    message = "'TBC' is a placeholder, not a reference: every row needs the agreement's reference"
    problems = [(p.row, p.column, p.level, p.message) for r in plan.rejected for p in r.problems]
    assert problems == [(2, "Reference", "error", message), (4, "Reference", "error", message)]
    assert [a.reference for a in plan.agreements] == ["ISA-1"]
    commit_import(register, plan)
    assert [a.reference for a in list_agreements(register)] == ["ISA-1"]
