"""The import vocabulary (resources/importing/synonyms.json): headings, values and labels."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def key_of(text: object) -> str:
    """The comparison key of a heading or a value: 'DataRecipient*' -> 'data recipient'."""
    raw = "" if text is None else str(text)
    raw = _CAMEL.sub(" ", raw.replace("&", " and ")).lower().replace("_", " ")
    return " ".join(_NON_WORD.sub(" ", raw).split())


@functools.lru_cache(maxsize=16384)
def short_key(text: str) -> str:
    """`key_of` for the short, repeated texts of controlled values (cached)."""
    return key_of(text)


MAX_MARKER_LENGTH = 24
"""Longest cell text that can be an empty marker such as 'To be confirmed'."""


@dataclass(frozen=True)
class Vocabulary:
    """Column synonyms per target, value synonyms per controlled list, and their labels."""

    columns: dict[str, str]  # heading key -> target
    values: dict[str, dict[str, str]]  # list name -> value key -> code
    labels: dict[str, dict[str, str]]  # list name -> code -> label
    frequencies: dict[str, str]  # value key -> canonical frequency
    empty_markers: frozenset[str]
    reference_placeholders: frozenset[str]  # the empty markers, and 'N/A', 'None', 'Pending'…
    end_markers: frozenset[str]
    non_data_sheets: frozenset[str]

    def code(self, list_name: str, value: object) -> str | None:
        """The code a cell value means in the controlled list `list_name`, or None."""
        text = "" if value is None else str(value)
        table = self.values[list_name]
        key = short_key(text) if len(text) < 80 else key_of(text)
        found = table.get(key)
        if found is not None or not key:
            return found
        words = key.split()  # 'Anonymised (k3)', 'Live (signed 2019)': the leading phrase
        for size in range(min(len(words) - 1, 6), 0, -1):
            found = table.get(" ".join(words[:size]))
            if found is not None:
                return found
        return None

    def is_empty_marker(self, text: str) -> bool:
        """Whether a cell's text means 'nothing yet', such as 'TBC' or 'To be confirmed'."""
        return _names_one_of(text, self.empty_markers)

    def is_reference_placeholder(self, text: str) -> bool:
        """Whether a reference cell's text stands for a reference not given yet.

        The empty markers ('TBC'), and words that elsewhere may mean something ('N/A' for a
        DPIA reference says none is needed) but never name an agreement.
        """
        return _names_one_of(text, self.reference_placeholders)

    def label(self, list_name: str, code: str) -> str:
        return self.labels.get(list_name, {}).get(code, code)

    def codes(self, list_name: str) -> tuple[str, ...]:
        return tuple(self.labels[list_name])


def _load_json(name: str) -> dict[str, Any]:
    text = resources.files("resources.importing").joinpath(name).read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@functools.cache
def vocabulary() -> Vocabulary:
    data = _load_json("synonyms.json")
    columns: dict[str, str] = {}
    for target, headings in data["columns"].items():
        for heading in headings:
            columns.setdefault(key_of(heading), target)
    values: dict[str, dict[str, str]] = {}
    labels: dict[str, dict[str, str]] = data["labels"]
    for list_name, codes in data["values"].items():
        table: dict[str, str] = {}
        for code, words in codes.items():
            table[key_of(code)] = code
            table[key_of(labels.get(list_name, {}).get(code, code))] = code
            for word in words:
                table.setdefault(key_of(word), code)
        values[list_name] = table
    frequencies: dict[str, str] = {}
    for canonical, words in data["frequencies"].items():
        frequencies[key_of(canonical)] = canonical
        for word in words:
            frequencies.setdefault(key_of(word), canonical)
    return Vocabulary(
        columns=columns,
        values=values,
        labels=labels,
        frequencies=frequencies,
        empty_markers=frozenset(key_of(w) for w in data["empty_markers"]),
        reference_placeholders=frozenset(
            key_of(w) for w in (*data["empty_markers"], *data["reference_placeholders"])
        ),
        end_markers=frozenset(key_of(w) for w in data["end_markers"]),
        non_data_sheets=frozenset(key_of(w) for w in data["non_data_sheets"]),
    )


_KEY_CHAR = re.compile(r"[0-9a-z]")


def first_key_char(text: str) -> str:
    """The first character of `key_of(text)`, or "" for an empty key, at a fraction of its cost.

    `key_of` splits words and drops punctuation, which leaves the letters and digits of the
    lower-cased text in their order: the first of them is the key's first character.
    """
    head = text[:1].lower()
    if head.isascii() and head.isalnum():  # most texts start with a letter or a digit
        return head
    found = _KEY_CHAR.search(text.replace("&", " and ").lower())
    return found.group() if found is not None else ""


def _names_one_of(text: str, keys: frozenset[str]) -> bool:
    return len(text) <= MAX_MARKER_LENGTH and short_key(text) in keys


def is_empty_marker(text: str) -> bool:
    """`Vocabulary.is_empty_marker` of the import vocabulary, remembered for short texts.

    A text whose key could not begin as any marker's does is refused without working out its
    key: most short cells (references, names) are unique, so remembering them would not help.
    """
    return (
        len(text) <= MAX_MARKER_LENGTH
        and first_key_char(text) in _first_chars("empty_markers")
        and _is_short_empty_marker(text)
    )


def is_reference_placeholder(text: str) -> bool:
    """`Vocabulary.is_reference_placeholder` of the import vocabulary, quick for most cells."""
    return (
        len(text) <= MAX_MARKER_LENGTH
        and first_key_char(text) in _first_chars("reference_placeholders")
        and vocabulary().is_reference_placeholder(text)
    )


@functools.cache
def _first_chars(words: Literal["empty_markers", "reference_placeholders"]) -> frozenset[str]:
    """The characters the keys of one of the vocabulary's sets of words begin with."""
    keys: frozenset[str] = getattr(vocabulary(), words)
    return frozenset(key[:1] for key in keys)


@functools.lru_cache(maxsize=4096)
def _is_short_empty_marker(text: str) -> bool:
    return vocabulary().is_empty_marker(text)
