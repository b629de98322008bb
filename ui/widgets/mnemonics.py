"""Alt+letter keys (mnemonics) for dense forms: one letter each, no two alike on a screen.

A screen with many fields runs out of obvious letters; `with_mnemonics` gives each label a letter
of its own words that no other label of the screen (nor the main window's menus) uses, preferring
the first letter of a word, by a maximum matching so that as many labels as possible get one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtWidgets import QAbstractButton, QLabel

WINDOW_KEYS = frozenset("EFHV")
"""Alt+ letters the main window keeps: its File, Edit, View and Help menus."""


def mnemonic_of(text: str) -> str:
    """The Alt+ letter of a text with an '&' before it ('' when it has none)."""
    n = 0
    while n < len(text) - 1:
        if text[n] == "&":
            if text[n + 1] != "&":
                return text[n + 1].upper()
            n += 1
        n += 1
    return ""


def _candidates(label: str) -> list[int]:
    """Positions of the letters a label could use, word starts first."""
    letters = [n for n, c in enumerate(label) if c.isalpha()]
    starts = [n for n in letters if n == 0 or not label[n - 1].isalpha()]
    others = [n for n in letters if n not in starts]
    return starts + others


def with_mnemonics(labels: Sequence[str], taken: Iterable[str] = WINDOW_KEYS) -> list[str]:
    """Each label with '&' before a letter of its own that nothing else uses, where one is free.

    Labels that already have a mnemonic keep it (and its letter is taken); the others are
    matched to free letters, as many as possible, earlier labels getting their word starts first.
    """
    used = {key.upper() for key in taken}
    used.update(m for m in (mnemonic_of(label) for label in labels) if m)
    letter_of: dict[str, int] = {}  # letter -> index of the label holding it
    position: dict[int, int] = {}  # label index -> position of its letter

    def take(index: int, pos: int) -> bool:
        letter_of[labels[index][pos].upper()] = index
        position[index] = pos
        return True

    def place(index: int, seen: set[str]) -> bool:
        """A letter for label `index`: a free one if any, else one freed by moving its holder."""
        candidates = _candidates(labels[index])
        for pos in candidates:
            letter = labels[index][pos].upper()
            if letter not in used and letter not in letter_of and letter not in seen:
                return take(index, pos)
        for pos in candidates:
            letter = labels[index][pos].upper()
            if letter in used or letter in seen:
                continue
            seen.add(letter)
            if place(letter_of[letter], seen):
                return take(index, pos)
        return False

    for index, label in enumerate(labels):
        if not mnemonic_of(label):
            place(index, set())
    out = []
    for index, label in enumerate(labels):
        pos = position.get(index)
        out.append(label if pos is None else f"{label[:pos]}&{label[pos:]}")
    return out


def give_mnemonics(widgets: Sequence[QLabel | QAbstractButton],
                   taken: Iterable[str] = WINDOW_KEYS) -> None:  # fmt: skip
    """Set each label's or button's text to have a letter of its own (see `with_mnemonics`)."""
    texts = with_mnemonics([w.text() for w in widgets], taken)
    for widget, text in zip(widgets, texts, strict=True):
        widget.setText(text)
