"""How the register words counts in what it tells people: "1 row", "5,776 rows"."""

from __future__ import annotations


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`count` and the noun agreeing with it, the count with thousands separated.

    `nouns` is the plural where adding "s" does not make it ("entry", "entries").
    """
    return f"{count:,} {noun if count == 1 else (nouns or noun + 's')}"
