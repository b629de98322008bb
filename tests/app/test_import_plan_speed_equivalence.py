"""Planning a messy sheet gives what the import rules say, row by row and agreement by agreement.

The expected plan is worked out here from the rules themselves (what each kind of cell means, how
the rows of one reference combine), never by the planning code, so that a planner made faster by
reading cells or folding rows differently is caught when its results change.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain import SPEC_FIELDS
from app.importing import ImportOptions, ImportPlan, plan_import, propose_mapping, read_table
from app.importing.vocabulary import (
    MAX_MARKER_LENGTH,
    first_key_char,
    is_empty_marker,
    is_reference_placeholder,
    key_of,
    vocabulary,
)
from app.register import Register

from .conftest import RegisterTemplate, write_xlsx

SEVEN = list(SPEC_FIELDS)  # the seven specification fields of DESIGN.md §2, in their order
LONG_SOURCE = "Monthly extract of safeguarding referrals from the case management system " * 2
LONG_FREQUENCY = "Every second Tuesday of the month, unless the Board agrees otherwise " * 2
KEPT = "; left empty, the text is kept in the notes"


@dataclass(frozen=True)
class Choice:
    """A cell the sheet may hold, the value it means, and what reading it should say."""

    cell: object
    value: Any = None
    problem: tuple[str, str] | None = None  # (level, message, or its start for long lists)
    kept: str = ""  # text kept in the agreement's notes


def empty_marker(text: str) -> Choice:
    return Choice(text, None, ("warning", f"'{text.strip()}' read as empty"))


REFERENCES = [
    Choice("ISA-1", "ISA-1"), Choice("ISA-2", "ISA-2"), Choice("ISA-3", "ISA-3"),
    Choice("isa-4 ", "isa-4"), Choice(2019.0, "2019"), Choice(""),
    Choice("TBC", None, ("error", "'TBC' is a placeholder, not a reference: every row needs the "
                                  "agreement's reference")),
]  # fmt: skip
TITLES = [
    Choice("Falls prevention", "Falls prevention"), Choice(""), empty_marker("TBC"),
    Choice("  Hospital discharge  ", "Hospital discharge"),
]  # fmt: skip
STATUSES = [
    Choice("Live", "active"), Choice("Draft", "draft"), Choice("under review", "under_review"),
    Choice("Sort of", None, ("error", "'Sort of' is not one of: ")), Choice(""),
    empty_marker("tbc"),
]  # fmt: skip
CATEGORIES = [Choice("Personal", "personal"), Choice("Aggregated", "aggregated"), Choice("")]
START_DATES = [
    Choice(dt.datetime(2021, 4, 1), dt.date(2021, 4, 1)),
    Choice("31/03/2027", dt.date(2027, 3, 31)),
    Choice("April 2020", dt.date(2020, 4, 1)),
    Choice(45000, dt.date(2023, 3, 15)),  # an Excel serial
    Choice("2020-13-45", None, ("warning", "'2020-13-45' is not a real date (dates are read "
                                "day first, as dd/mm/yyyy)" + KEPT), "Start date: 2020-13-45"),
    Choice(None), empty_marker("-"),
]  # fmt: skip
PARTNERS = [
    Choice("Kent Police; Medway Council", ["Kent Police", "Medway Council"]),
    Choice("Kent Police & NHS Kent\nKCC", ["Kent Police", "NHS Kent", "KCC"]),
    Choice("• Medway Council\n• kent police", ["Medway Council", "kent police"]),
    Choice(""), empty_marker("TBC"),
]  # fmt: skip
MORE_PARTNERS = [
    Choice(""), Choice("kent police", ["kent police"]),
    Choice("Home Office; KCC", ["Home Office", "KCC"]),
]  # fmt: skip
DPIA_NEEDED = [
    Choice("Yes", True), Choice("no", False), Choice(True, True),
    Choice("maybe", None, ("warning", "'maybe' is not yes or no" + KEPT), "DPIA needed: maybe"),
]  # fmt: skip
NOTES = [Choice(""), Choice("Sensitive", "Sensitive"), empty_marker("TBC")]
COMMENTS = [Choice(""), Choice("See the DPIA", "See the DPIA")]
ITEM_TITLES = [
    Choice("Monthly extract", "Monthly extract"), Choice("Quarterly return", "Quarterly return"),
    Choice(""), empty_marker("TBC"),
]  # fmt: skip
ITEM_NUMBERS = [
    Choice(None), Choice(1, 1), Choice(2.0, 2),
    Choice("x", None, ("error", "'x' is not a whole number")),
    Choice(0, None, ("error", "'0' is not a whole number from 1")),
]  # fmt: skip
SOURCES = [
    Choice(LONG_SOURCE, LONG_SOURCE.strip()), Choice("   Case records   ", "Case records"),
    Choice(""), empty_marker("TBC" + " " * 120),
]  # fmt: skip
FREQUENCIES = [
    Choice("monthly", "Monthly"), Choice("half-yearly", "Six-monthly"),
    Choice("Every second Tuesday", "Every second Tuesday"),
    Choice(LONG_FREQUENCY, LONG_FREQUENCY.strip()), Choice(""), empty_marker("TBC" + " " * 110),
]  # fmt: skip

COLUMNS: list[tuple[str, str, list[Choice]]] = [
    ("Reference", "agreement.reference", REFERENCES),
    ("Title", "agreement.title", TITLES),
    ("Status", "agreement.status", STATUSES),
    ("Category", "agreement.category", CATEGORIES),
    ("Start date", "agreement.start_date", START_DATES),
    ("Partners", "party.organisations", PARTNERS),
    ("Partner organisations", "party.organisations", MORE_PARTNERS),
    ("DPIA needed", "agreement.dpia_needed", DPIA_NEEDED),
    ("Notes", "agreement.notes", NOTES),
    ("Comments", "agreement.notes", COMMENTS),
    ("Data item", "item.title", ITEM_TITLES),
    ("Item number", "item.position", ITEM_NUMBERS),
    ("Source of data", "item.source", SOURCES),
    ("Frequency of reporting", "item.frequency", FREQUENCIES),
]
HEADINGS = [heading for heading, _, _ in COLUMNS]
AGREEMENT_FIELDS = ("title", "status", "category", "start_date", "dpia_needed", "notes")
ITEM_FIELDS = ("title", "position", "source", "frequency")
COLUMN_OF = {"title": "Title", "status": "Status", "category": "Category",
             "start_date": "Start date", "dpia_needed": "DPIA needed", "notes": "Notes",
             "source": "Source of data", "frequency": "Frequency of reporting"}  # fmt: skip

Problem = tuple[str, str, str]  # (column, level, message)


# ------------------------------------------------------------------ the rules, written out


def name_key(name: str) -> str:
    """Partner names that differ only in case and spacing name one organisation."""
    return " ".join(name.lower().split())


def unique_names(names: list[str]) -> list[str]:
    kept: dict[str, str] = {}
    for name in names:
        kept.setdefault(name_key(name), name)
    return list(kept.values())


def shown(value: object) -> str:
    """A value as a warning quotes it: UK dates, Yes/No."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@dataclass
class SheetRow:
    """One row as the rules read it, before rows are combined."""

    number: int
    reference: str
    agreement: dict[str, Any]
    item: dict[str, Any]
    partners: list[str]
    problems: list[Problem]
    kept: list[str]


def read_row(number: int, choices: list[Choice]) -> SheetRow:
    by_heading = dict(zip(HEADINGS, choices, strict=True))
    problems = [(heading, c.problem[0], c.problem[1])
                for heading, c in by_heading.items() if c.problem]  # fmt: skip
    agreement = {name: by_heading[COLUMN_OF[name]].value for name in AGREEMENT_FIELDS[:-1]}
    notes = [(h, by_heading[h].value) for h in ("Notes", "Comments") if by_heading[h].value]
    if len(notes) == 1:
        agreement["notes"] = notes[0][1]
    elif notes:
        agreement["notes"] = "\n".join(f"{heading}: {text}" for heading, text in notes)
    item = {"title": by_heading["Data item"].value, "position": by_heading["Item number"].value,
            "source": by_heading["Source of data"].value,
            "frequency": by_heading["Frequency of reporting"].value}  # fmt: skip
    partners = [
        *(by_heading["Partners"].value or []),
        *(by_heading["Partner organisations"].value or []),
    ]
    return SheetRow(
        number, str(by_heading["Reference"].value or ""),
        {k: v for k, v in agreement.items() if v is not None},
        {k: v for k, v in item.items() if v is not None},
        unique_names(partners), problems, [c.kept for c in choices if c.kept],
    )  # fmt: skip


@dataclass
class Item:
    title: str
    position: int | None
    first_row: int
    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)


@dataclass
class Agreement:
    first_row: int
    rows: list[int] = field(default_factory=list)
    values: dict[str, object] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)
    parties: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    items: dict[tuple[str, object], Item] = field(default_factory=dict)


def merge(values: dict[str, object], sources: dict[str, int], row: SheetRow,
          new: dict[str, object]) -> None:  # fmt: skip
    """A later row of a reference fills what is missing; where it differs, the first value stays
    (one personal-level row makes the agreement personal)."""
    for name, value in new.items():
        if name not in values:
            values[name], sources[name] = value, row.number
        elif values[name] != value and name == "category":
            values[name] = "personal" if "personal" in (values[name], value) else values[name]
        elif values[name] != value:
            row.problems.append(
                (
                    COLUMN_OF[name],
                    "warning",
                    f"differs from an earlier row of the same reference; "
                    f"kept '{shown(values[name])[:40]}' from row {sources[name]}",
                )
            )


def fold(agreement: Agreement, row: SheetRow, group: bool) -> None:
    agreement.rows.append(row.number)
    merge(agreement.values, agreement.sources, row, row.agreement)
    for name in row.partners:
        agreement.parties.setdefault(name_key(name), name)
    agreement.notes.extend(k for k in row.kept if k not in agreement.notes)
    if not row.item:
        return
    fields = dict(row.item)
    title = str(fields.pop("title", ""))
    position = fields.pop("position", None)
    if position is not None:
        key: tuple[str, object] = ("position", position)
    elif title and group:
        key = ("title", title)
    else:
        key = ("position", len(agreement.items) + 1)
    item = agreement.items.get(key)
    if item is None:
        item = agreement.items[key] = Item(title, position, row.number)
    elif title and not item.title:
        item.title = title
    merge(item.values, item.sources, row, fields)


@dataclass(frozen=True)
class Expected:
    problems: dict[int, list[Problem]]
    agreements: dict[str, tuple[object, ...]]


def rejected_by(heading: str, problems: list[Problem]) -> bool:
    return any(h == heading and level == "error" for h, level, _ in problems)


def expected_plan(rows: list[SheetRow], group: bool) -> Expected:
    agreements: dict[str, Agreement] = {}
    problems = {row.number: row.problems for row in rows}
    for row in rows:
        rejected = any(level == "error" for _, level, _ in row.problems)
        if not row.reference:
            if not rejected_by("Reference", row.problems):  # a placeholder says so itself
                message = "no reference: every row needs the agreement's reference"
                row.problems.append(("Reference", "error", message))
            rejected = True
        elif not group and row.reference in agreements and not rejected:
            row.problems.append(("Reference", "error", f"reference {row.reference} is also on "
                                 f"row {agreements[row.reference].first_row}; group rows by "
                                 "reference to combine them into one agreement"))  # fmt: skip
            rejected = True
        if not rejected:
            agreement = agreements.setdefault(row.reference, Agreement(row.number))
            fold(agreement, row, group)
    planned = {}
    for reference, agreement in agreements.items():
        values, initial = dict(agreement.values), {}
        if agreement.notes:
            extra = "\n".join(agreement.notes)
            values["notes"] = f"{values['notes']}\n{extra}" if "notes" in values else extra
        if "title" not in values:
            first = next(iter(agreement.parties.values()), None)
            initial["title"] = f"{first} – {reference}" if first else reference
            problems[agreement.first_row].append(
                ("Title", "warning", f"no title; the agreement will be called "
                                     f"'{str(initial['title'])[:80]}'"))  # fmt: skip
        if values.get("status") == "active":
            for item in agreement.items.values():
                missing = [label for key, label in SEVEN if key not in item.values]
                which = f"'{item.title[:40]}' is " if item.title else ""
                problems[item.first_row].append(
                    (
                        "Status",
                        "warning",
                        f"the agreement is active, but a data item lacks some of the seven "
                        f"specification fields; {which}missing: {', '.join(missing)}",
                    )
                )
        if "status" not in values:
            initial["status"] = "draft"
        planned[reference] = (
            values, initial, [(name, "both") for name in agreement.parties.values()],
            [(i.title, i.position, i.values) for i in agreement.items.values()], agreement.rows,
        )  # fmt: skip
    return Expected(problems, planned)


# ------------------------------------------------------------------ the plan, compared


@pytest.fixture(scope="module")
def register(
    core_template: RegisterTemplate, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Register]:
    """An empty register for the whole module (hypothesis's examples cannot take per-test ones)."""
    folder = tmp_path_factory.mktemp("plan") / "register"
    shutil.copytree(core_template.path, folder)
    with Register.open(folder, wrapping_key=core_template.wrapping_key) as opened:
        yield opened


def write_sheet(path: Path, rows: list[list[Choice]]) -> None:
    write_xlsx(path, [HEADINGS, *([c.cell for c in choices] for choices in rows)])


def planned(plan: ImportPlan) -> tuple[dict[int, list[Problem]], dict[str, tuple[object, ...]]]:
    problems = {r.row: sorted((p.column, p.level, p.message) for p in r.problems)
                for r in plan.rows}  # fmt: skip
    agreements = {
        a.reference: (dict(a.values), dict(a.initial),
                      [(p.organisation, p.role) for p in a.parties],
                      [(i.title, i.position, dict(i.values)) for i in a.items], list(a.rows))
        for a in plan.agreements
    }  # fmt: skip
    return problems, agreements


def assert_same_problems(got: list[Problem], wanted: list[Problem]) -> None:
    """The same problems; a message listing the allowed values is given by its start."""
    assert len(got) == len(wanted), (got, wanted)
    for (column, level, message), (w_column, w_level, w_message) in zip(
        got, sorted(wanted), strict=True
    ):
        assert (column, level) == (w_column, w_level), (got, wanted)
        assert message == w_message or (
            w_message.endswith("is not one of: ") and message.startswith(w_message)
        ), (got, wanted)


ROW = st.tuples(*(st.integers(0, len(choices) - 1) for _, _, choices in COLUMNS))


@settings(max_examples=60, deadline=None)
@given(picks=st.lists(ROW, min_size=1, max_size=24))
def test_a_messy_sheet_plans_as_the_rules_say_grouped_or_not(
    register: Register, tmp_path_factory: pytest.TempPathFactory,
    picks: list[tuple[int, ...]],
) -> None:  # fmt: skip
    rows = [[choices[i] for i, (_, _, choices) in zip(pick, COLUMNS, strict=True)]
            for pick in picks]  # fmt: skip
    path = tmp_path_factory.mktemp("messy") / "messy.xlsx"
    write_sheet(path, rows)
    table = read_table(path)
    mapping = propose_mapping(table)
    assert [c.target for c in mapping.columns] == [target for _, target, _ in COLUMNS]
    for group in (False, True):
        plan = plan_import(register, table, mapping, ImportOptions(group_by_reference=group))
        expected = expected_plan([read_row(n, r) for n, r in enumerate(rows, start=2)], group)
        problems, agreements = planned(plan)
        assert problems.keys() == expected.problems.keys()
        for number, wanted in expected.problems.items():
            assert_same_problems(problems[number], wanted)
        assert agreements == expected.agreements
        rejected = {n for n, found in expected.problems.items()
                    if any(level == "error" for _, level, _ in found)}  # fmt: skip
        assert {r.row for r in plan.rejected} == rejected


def test_the_rules_written_here_see_what_the_sheet_holds(
    register: Register, tmp_path: Path
) -> None:
    """The expectations themselves, and the planner, on two disagreeing rows of one reference."""
    first_cells = [
        REFERENCES[0],
        TITLES[0],
        STATUSES[0],
        CATEGORIES[1],
        START_DATES[4],
        PARTNERS[0],
        MORE_PARTNERS[1],
        DPIA_NEEDED[0],
        NOTES[1],
        COMMENTS[1],
        ITEM_TITLES[0],
        ITEM_NUMBERS[0],
        SOURCES[0],
        FREQUENCIES[0],
    ]
    second_cells = [
        REFERENCES[0],
        TITLES[3],
        STATUSES[0],
        CATEGORIES[0],
        START_DATES[0],
        PARTNERS[1],
        MORE_PARTNERS[0],
        DPIA_NEEDED[0],
        NOTES[0],
        COMMENTS[0],
        ITEM_TITLES[0],
        ITEM_NUMBERS[0],
        SOURCES[1],
        FREQUENCIES[0],
    ]
    first, second = read_row(2, first_cells), read_row(3, second_cells)
    assert first.partners == ["Kent Police", "Medway Council"]  # 'kent police' is Kent Police
    assert first.agreement["notes"] == "Notes: Sensitive\nComments: See the DPIA"
    expected = expected_plan([first, second], group=True)
    values, initial, parties, items, rows = expected.agreements["ISA-1"]
    assert values == {"title": "Falls prevention", "status": "active", "category": "personal",
                      "start_date": dt.date(2021, 4, 1), "dpia_needed": True,
                      "notes": "Notes: Sensitive\nComments: See the DPIA\n"
                               "Start date: 2020-13-45"}  # fmt: skip
    assert initial == {} and rows == [2, 3]
    assert parties == [("Kent Police", "both"), ("Medway Council", "both"),
                       ("NHS Kent", "both"), ("KCC", "both")]  # fmt: skip
    assert items == [
        ("Monthly extract", None, {"source": LONG_SOURCE.strip(), "frequency": "Monthly"})
    ]
    assert ("Title", "warning", "differs from an earlier row of the same reference; kept "
            "'Falls prevention' from row 2") in expected.problems[3]  # fmt: skip
    assert ("Source of data", "warning", "differs from an earlier row of the same reference; "
            f"kept '{LONG_SOURCE[:40]}' from row 2") in expected.problems[3]  # fmt: skip
    assert any(m.startswith("the agreement is active, but a data item lacks")
               and "'Monthly extract' is missing" in m
               for _, _, m in expected.problems[2])  # fmt: skip
    assert re.search(
        r"missing: Mechanism for securing data extract, Where data is sent to, "
        r"Which data fields are included",
        str(expected.problems[2]),
    )
    write_sheet(tmp_path / "two.xlsx", [first_cells, second_cells])  # and the planner agrees
    table = read_table(tmp_path / "two.xlsx")
    plan = plan_import(register, table, propose_mapping(table),
                       ImportOptions(group_by_reference=True))  # fmt: skip
    assert planned(plan)[1]["ISA-1"] == expected.agreements["ISA-1"]


MARKER_ALPHABET = st.sampled_from(list("tbcaTBCnNkKoOeEdD -_&?./\n") + ["\u212a", "\u0130", "é"])


@given(text=st.text(MARKER_ALPHABET, max_size=30) | st.text(max_size=30))
def test_the_quick_empty_marker_check_agrees_with_the_keys(text: str) -> None:
    """Cells are tested for 'TBC' and the like without working out most keys; same answers."""
    assert first_key_char(text) == key_of(text)[:1]
    wanted = len(text) <= MAX_MARKER_LENGTH and key_of(text) in vocabulary().empty_markers
    assert is_empty_marker(text) is wanted


PLACEHOLDER_ALPHABET = st.sampled_from(list("tbcnaNAoOepPdDigwW -_/?\n") + ["\u212a", "\u0130"])


@given(text=st.text(PLACEHOLDER_ALPHABET, max_size=30) | st.text(max_size=30))
def test_the_quick_reference_placeholder_check_agrees_with_the_keys(text: str) -> None:
    """References are tested for 'TBC', 'N/A' and the like without working out most keys."""
    words = vocabulary()
    wanted = len(text) <= MAX_MARKER_LENGTH and (
        key_of(text) in words.empty_markers | words.reference_placeholders
    )
    assert is_reference_placeholder(text) is wanted
