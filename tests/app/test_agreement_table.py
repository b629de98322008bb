"""The agreements table's sort: by a column, either way, empty values last, SQL order on ties."""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from app.agreement_table import COLUMN_KEYS, COLUMNS, PreparedAgreements
from app.domain import AgreementSummary

_rows = st.lists(
    st.builds(
        AgreementSummary,
        id=st.uuids().map(str),
        reference=st.sampled_from(["", "ISA-1", "ISA-2", "isa-2", "ISA-10"]),
        title=st.sampled_from(["", "Alpha", "alpha", "Beta", "beta sharing", "Zeta"]),
        category=st.sampled_from(["", "personal", "aggregated"]),
        status=st.sampled_from(["", "live", "draft", "expired", "not a status"]),
        review_date=st.none() | st.dates(dt.date(2020, 1, 1), dt.date(2020, 1, 5)),
        end_date=st.none() | st.dates(dt.date(2020, 1, 1), dt.date(2020, 1, 5)),
        owner=st.sampled_from(["", "Ann", "ann", "Bob"]),
        organisations=st.sampled_from(["", "Kent Police", "kent police", "Medway Council"]),
        item_count=st.integers(0, 3),
    ),
    max_size=40,
)


def _expected(rows: list[AgreementSummary], key: str, descending: bool) -> list[int]:
    """The order the table promises, worked out pair by pair rather than by sorting keys."""
    sort_key = COLUMNS[COLUMN_KEYS.index(key)].sort_key
    keys = [sort_key(r) for r in rows]

    def compare(a: int, b: int) -> int:
        left: Any = keys[a]
        right: Any = keys[b]
        if left != right:
            before = left < right if not descending else left > right
            return -1 if before else 1
        return -1 if a < b else 1  # ties keep the order the register gave

    present = sorted((n for n, k in enumerate(keys) if k is not None),
                     key=functools.cmp_to_key(compare))  # fmt: skip
    return present + [n for n, k in enumerate(keys) if k is None]


@given(rows=_rows, key=st.sampled_from(COLUMN_KEYS), descending=st.booleans())
def test_sort_orders_by_the_column_with_empty_values_last_and_ties_in_sql_order(
    rows: list[AgreementSummary], key: str, descending: bool
) -> None:
    prepared = PreparedAgreements(rows)
    prepared.sort(key, descending)
    assert prepared.view() == [rows[n] for n in _expected(rows, key, descending)]


def test_sorting_again_the_other_way_reverses_all_but_ties_and_empty_values() -> None:
    rows = [
        AgreementSummary(str(n), f"ISA-{n}", title, "", "live", None, None, "", "", 0)
        for n, title in enumerate(["beta", "", "Alpha", "alpha", "Gamma"])
    ]
    prepared = PreparedAgreements(rows)
    prepared.sort("title")
    assert [r.reference for r in prepared.view()] == ["ISA-2", "ISA-3", "ISA-0", "ISA-4", "ISA-1"]
    prepared.sort("title", descending=True)
    assert [r.reference for r in prepared.view()] == ["ISA-4", "ISA-0", "ISA-2", "ISA-3", "ISA-1"]
