"""Reading cell values: UK dates, empty markers, controlled values and partner lists."""

from __future__ import annotations

import datetime as dt

import pytest

from app.importing.normalise import (
    ERROR,
    WARNING,
    BadValueError,
    duration_text,
    normalise_cell,
    parse_date,
    split_organisations,
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("31/03/2027", dt.date(2027, 3, 31)),
        ("1/4/2020", dt.date(2020, 4, 1)),
        ("05.06.21", dt.date(2021, 6, 5)),
        ("05-06-1999", dt.date(1999, 6, 5)),
        ("1 April 2020", dt.date(2020, 4, 1)),
        ("21st Sept 2019", dt.date(2019, 9, 21)),
        ("April 2020", dt.date(2020, 4, 1)),
        ("Jul-19", dt.date(2019, 7, 1)),
        ("2019-02-07", dt.date(2019, 2, 7)),
        ("2019-02-07T10:11:12Z", dt.date(2019, 2, 7)),
        (44927, dt.date(2023, 1, 1)),
        (45292.0, dt.date(2024, 1, 1)),
        ("44927", dt.date(2023, 1, 1)),
        (dt.datetime(2020, 5, 6, 13, 0), dt.date(2020, 5, 6)),
        (dt.date(2020, 5, 6), dt.date(2020, 5, 6)),
    ],
)
def test_uk_dates_in_every_form_registers_use(cell: object, expected: dt.date) -> None:
    assert parse_date(cell) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("cell", ["12/31/2020", "31/02/2021", "next year", 2020, True, "Q3 2020"])
def test_what_is_not_a_uk_date_is_refused(cell: object) -> None:
    with pytest.raises(BadValueError):
        parse_date(cell)  # type: ignore[arg-type]


def test_a_bad_date_is_a_warning_and_the_text_is_not_lost() -> None:
    value, notes = normalise_cell("date", "Six months after coming into force, then annually")
    assert value is None
    assert [n.level for n in notes] == [WARNING]
    assert "kept in the notes" in notes[0].message


@pytest.mark.parametrize("cell", ["TBC", "tbc ", "To be confirmed", "TBA"])
def test_tbc_is_empty_with_a_warning(cell: str) -> None:
    for kind in ("text", "date", "list:status"):
        value, notes = normalise_cell(kind, cell)
        assert value is None
        assert [n.level for n in notes] == [WARNING]


@pytest.mark.parametrize("cell", ["TBC", "tba", "-", "?", "Not known", "N/A", "None", "Pending"])
def test_a_placeholder_is_not_a_reference(cell: str) -> None:
    value, notes = normalise_cell("reference", cell)
    assert value is None
    assert [(n.level, n.message) for n in notes] == [
        (ERROR, f"'{cell}' is a placeholder, not a reference: every row needs the agreement's "
                "reference")
    ]  # fmt: skip


@pytest.mark.parametrize("cell", ["NCC-ISA-041", "N/A-17", "Nottingham 4", "PEN-2", "None-1"])
def test_a_reference_that_only_starts_like_a_placeholder_is_a_reference(cell: str) -> None:
    assert normalise_cell("reference", cell) == (cell, [])


def test_words_that_are_placeholders_only_as_references_are_kept_elsewhere() -> None:
    """'N/A' for a DPIA reference says that no DPIA is needed: it is kept."""
    assert normalise_cell("text", "N/A") == ("N/A", [])
    assert normalise_cell("text", "None") == ("None", [])


def test_blank_cells_are_empty_without_problems() -> None:
    assert normalise_cell("date", "  ") == (None, [])
    assert normalise_cell("text", None) == (None, [])


@pytest.mark.parametrize(
    ("cell", "code"),
    [("Live", "active"), ("In force", "active"), ("awaiting approval", "awaiting_approval"),
     ("Under Review", "under_review"), ("On hold", "suspended"), ("Lapsed", "expired"),
     ("Cancelled", "terminated"), ("DRAFT", "draft"), ("In negotiation", "negotiation")],
)  # fmt: skip
def test_statuses_through_synonyms(cell: str, code: str) -> None:
    assert normalise_cell("list:status", cell) == (code, [])


def test_an_unknown_status_is_an_error_naming_the_allowed_values() -> None:
    value, notes = normalise_cell("list:status", "Sort of")
    assert value is None
    assert notes[0].level == ERROR
    assert "Awaiting approval" in notes[0].message


def test_categories_of_real_release_registers() -> None:
    assert normalise_cell("list:category", "Anonymised - ICO Code Compliant")[0] == "aggregated"
    assert normalise_cell("list:category", "Identifiable")[0] == "personal"
    assert normalise_cell("list:category", "Aggregated-Small Numbers Suppressed")[0] == (
        "aggregated"
    )


def test_frequencies_through_synonyms_and_free_text_kept() -> None:
    assert normalise_cell("frequency", "One-Off")[0] == "One-off"
    assert normalise_cell("frequency", "half-yearly")[0] == "Six-monthly"
    assert normalise_cell("frequency", "monthly")[0] == "Monthly"
    assert normalise_cell("frequency", "Every second Tuesday")[0] == "Every second Tuesday"


def test_partner_lists_split_on_semicolons_new_lines_and_ampersands_never_on_and() -> None:
    cell = "Kent County Council; Kent Fire and Rescue Service\nKent Police & Medway Council"
    assert split_organisations(cell) == [
        "Kent County Council",
        "Kent Fire and Rescue Service",
        "Kent Police",
        "Medway Council",
    ]
    assert split_organisations("● Homes England;  ● HMRC ; homes england") == [
        "Homes England",
        "HMRC",
    ]
    assert split_organisations("Queen Mary's, University of London") == [
        "Queen Mary's, University of London"
    ]


def test_iso_durations_read_as_words() -> None:
    assert duration_text("P3M") == "3 months"
    assert duration_text("P1Y6M") == "1 year 6 months"
    assert duration_text("Seven years after closure") == "Seven years after closure"


def test_numbers_read_as_text_without_a_trailing_point_zero() -> None:
    assert normalise_cell("text", 12.0) == ("12", [])
    assert normalise_cell("reference", 2019.0) == ("2019", [])
