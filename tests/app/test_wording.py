"""Counts in messages agree with their nouns."""

from __future__ import annotations

import pytest

from app.wording import plural


@pytest.mark.parametrize(
    ("count", "noun", "nouns", "said"),
    [
        (0, "row", None, "0 rows"),
        (1, "row", None, "1 row"),
        (5776, "row", None, "5,776 rows"),
        (1, "person", "people", "1 person"),
        (3, "person", "people", "3 people"),
    ],
)
def test_plural(count: int, noun: str, nouns: str | None, said: str) -> None:
    assert plural(count, noun, nouns) == said
