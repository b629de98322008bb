"""Committing an import: a dry run builds the same batch as the commit, then leaves no trace."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

import app.register
from app.demo import build_demo
from app.exporting import export_register
from app.importing import commit_import, plan_import, plan_register_workbook, read_table
from app.importing.commit import STEP, ImportReferenceError, ImportResult
from app.importing.mapping import propose_mapping
from app.importing.plan import ImportCancelledError, ImportPlan
from app.importing.session import dry_run
from app.paths import DB_FILE
from app.register import Register

from .conftest import write_xlsx

HEAD = ["Reference", "Title", "Status", "Partners", "Owner", "Source of data", "Frequency"]


@pytest.fixture()
def pair(core_register_copy: Callable[[str], Register]) -> tuple[Register, Register]:
    """Two copies of one register: one for the dry run, one for the commit."""
    return core_register_copy("a"), core_register_copy("b")


def _plan(register: Register, path: Path) -> ImportPlan:
    table = read_table(path)
    return plan_import(register, table, propose_mapping(table))


def _database_bytes(register: Register) -> dict[str, str]:
    """The database file and its write-ahead log, as they are on disk."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(register.path.glob(f"{DB_FILE}*")) if not p.name.endswith("-shm")
    }  # fmt: skip


def _dry_then_real(register: Register, plan: ImportPlan) -> tuple[ImportResult, ImportResult]:
    before, could_undo = _database_bytes(register), register.can_undo
    rehearsed = commit_import(register, plan, dry_run=True)
    assert _database_bytes(register) == before
    assert register.can_undo == could_undo  # nothing to undo: nothing was done
    return rehearsed, commit_import(register, plan)


FIRST = [
    HEAD,
    ["ISA-1", "Youth offending", "Live", "Kent Police; Kent Fire and Rescue Service", "Lyn Baran",
     "Police records", "Monthly"],
    ["ISA-2", "Schools", "Draft", "Kent County Council", "", "MIS", "Termly"],
    ["ISA-3", "Falls", "Sort of", "", "", "", ""],
]  # fmt: skip
SECOND = [
    HEAD,
    ["ISA-1", "Youth offending data", "Live", "kent police; Medway Council", "Lyn Baran",
     "Police records", "Monthly"],
    ["ISA-2", "Schools", "Draft", "Kent County Council", "", "MIS", "Termly"],
    ["ISA-4", "Adult social care", "Draft", "Medway Council", "Sam Patel", "Mosaic", "Weekly"],
]  # fmt: skip


def test_a_dry_run_counts_what_the_commit_does_and_changes_nothing(
    pair: tuple[Register, Register], tmp_path: Path
) -> None:
    register, _ = pair
    plan = _plan(register, write_xlsx(tmp_path / "first.xlsx", FIRST))
    rehearsed, committed = _dry_then_real(register, plan)
    assert rehearsed == committed
    assert (committed.agreements_created, committed.rows_rejected) == (2, 1)
    assert committed.organisations_created == 3 and committed.people_created == 1
    assert committed.operations > 0

    # an import that creates, updates and leaves unchanged, over what the register now holds
    plan = _plan(register, write_xlsx(tmp_path / "second.xlsx", SECOND))
    rehearsed, committed = _dry_then_real(register, plan)
    assert rehearsed == committed
    assert (committed.agreements_created, committed.agreements_updated,
            committed.agreements_unchanged) == (1, 1, 1)  # fmt: skip

    # and re-importing the same file: nothing to do, in the dry run too
    plan = _plan(register, tmp_path / "second.xlsx")
    rehearsed, committed = _dry_then_real(register, plan)
    assert rehearsed == committed
    assert committed.operations == 0


def test_the_wizard_dry_run_is_the_commit_rolled_back(
    pair: tuple[Register, Register], tmp_path: Path
) -> None:
    register, _ = pair
    plan = _plan(register, write_xlsx(tmp_path / "first.xlsx", FIRST))
    before = _database_bytes(register)
    seen: list[tuple[int, int]] = []
    forecast = dry_run(register, plan, progress=lambda done, total: seen.append((done, total)))
    assert _database_bytes(register) == before
    assert seen[-1] == (2, 2)
    assert forecast == commit_import(register, plan)


def test_a_dry_run_of_a_register_export_counts_every_kind_of_record(
    pair: tuple[Register, Register], tmp_path: Path
) -> None:
    source, target = pair
    build_demo(source)
    out = tmp_path / "demo.xlsx"
    export_register(source, out)
    plan = plan_register_workbook(target, out)
    rehearsed, committed = _dry_then_real(target, plan)
    assert rehearsed == committed
    assert committed.records_created > 0 and committed.agreements_created > 0


def test_a_dry_run_fails_where_the_commit_fails_and_changes_nothing(
    pair: tuple[Register, Register], tmp_path: Path
) -> None:
    source, target = pair
    source.write("Fill", lambda changes: changes.create(
        "use_case", {"title": "Falls prevention", "stage": "proposed"}))  # fmt: skip
    out = tmp_path / "out.xlsx"
    export_register(source, out)
    workbook = openpyxl.load_workbook(out)
    sheet = workbook["Agreements"]
    headings = [c.value for c in sheet[1]]
    sheet.append({headings.index("Reference") + 1: "ISA-9",
                  headings.index("Title") + 1: "Falls data",
                  headings.index("Use cases") + 1: "No such use case"})  # fmt: skip
    workbook.save(out)
    plan = plan_register_workbook(target, out)
    before = _database_bytes(target)
    with pytest.raises(ImportReferenceError, match="No such use case"):
        commit_import(target, plan, dry_run=True)
    assert _database_bytes(target) == before


def _many_rows(count: int) -> list[list[object]]:
    return [HEAD] + [
        [f"ISA-{n:05d}", f"Agreement {n}", "Live", "Kent Police; Medway Council", "Lyn Baran",
         "Police records", "Monthly"]
        for n in range(count)
    ]  # fmt: skip


MANY = 2 * STEP + 200  # agreements: two progress steps and a part-step


@pytest.fixture()
def events(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int, int]]:
    """What the import does, in order: ("applied", operations written, 0) and, from the tests'
    progress callbacks, ("report", done, total)."""
    seen: list[tuple[str, int, int]] = []
    real_apply = app.register.apply_operations

    def apply(session: Any, ops: Any, **kwargs: Any) -> Any:
        seen.append(("applied", len(ops), 0))
        return real_apply(session, ops, **kwargs)

    monkeypatch.setattr(app.register, "apply_operations", apply)
    return seen


def test_a_large_commit_writes_as_it_goes_and_reports_to_the_end(
    core_register: Register, tmp_path: Path, events: list[tuple[str, int, int]]
) -> None:
    """The bar follows the writing (most of the work), not only the building of operations."""
    plan = _plan(core_register, write_xlsx(tmp_path / "many.xlsx", _many_rows(MANY)))
    result = commit_import(
        core_register, plan, progress=lambda done, total: events.append(("report", done, total))
    )

    reports = [(done, total) for kind, done, total in events if kind == "report"]
    assert [done for done, _ in reports] == sorted({done for done, _ in reports})  # rising
    assert reports[-1][0] == reports[-1][1] > MANY  # the closing commit has its share
    first_report = events.index(("report", *reports[0]))
    applied_before = sum(n for kind, n, _ in events[:first_report] if kind == "applied")
    assert 0 < applied_before < result.operations / 2


def test_cancelling_midway_through_the_writing_changes_nothing(
    core_register: Register, tmp_path: Path, events: list[tuple[str, int, int]]
) -> None:
    plan = _plan(core_register, write_xlsx(tmp_path / "many.xlsx", _many_rows(MANY)))
    before, could_undo = _database_bytes(core_register), core_register.can_undo
    reports: list[int] = []

    with pytest.raises(ImportCancelledError):
        commit_import(core_register, plan, progress=lambda done, _: reports.append(done),
                      cancel=lambda: len(reports) >= 1)  # fmt: skip

    assert reports == [STEP]
    assert sum(n for kind, n, _ in events if kind == "applied") > 0  # written, then rolled back
    assert _database_bytes(core_register) == before
    assert core_register.can_undo == could_undo
