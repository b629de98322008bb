"""Keyboard shortcuts the views define, named once for the views and for Help → Keyboard shortcuts.

Kept apart from the views so that the shortcuts dialog can list them without importing the views
themselves (the window builds those only when they are first visited).
"""

from __future__ import annotations

NEXT_STAGE_KEYS = "Ctrl+]"
PREVIOUS_STAGE_KEYS = "Ctrl+["
ADD_LOG_ENTRY_KEYS = "Ctrl+Shift+N"

VIEW_SHORTCUTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Use cases", (
        (NEXT_STAGE_KEYS, "Move the selected use case to the next stage"),
        (PREVIOUS_STAGE_KEYS, "Move the selected use case back a stage"),
    )),
    ("Logs", (
        (ADD_LOG_ENTRY_KEYS, "Add a row to the log shown"),
        ("F2", "Edit the selected cell"),
    )),
)  # fmt: skip
"""Each view with shortcuts, and its (keys, what they do)."""

MOVING_AROUND: tuple[tuple[str, str], ...] = (
    ("Alt + underlined letter", "Go to the field or button with that letter"),
    ("Tab / Shift+Tab", "Move to the next / previous control"),
    ("Ctrl+Tab / Ctrl+Shift+Tab", "Show the next / previous tab"),
    ("Enter (in a table)", "Open the selected row"),
    ("Space (in a list of boxes)", "Tick or untick the selected box"),
    ("Right-click or Menu key on a field", "Show the history of the field (agreement editor)"),
)
"""Keys that work the same everywhere in the app."""
