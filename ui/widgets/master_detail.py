"""List-and-form views: the record the form shows, and the one way it is made, saved and deleted.

The organisations, use cases, assessments and meetings views list records beside a `RecordForm`
over the one shown. Each keeps a `ShownRecord` for it, built from the `app` functions that write
that kind of record; the view still lists, selects and draws. A delete is asked first
(`DeleteQuestion`), saying what goes with the record; one that would leave other records
referring to it is refused before anything is asked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex
from PySide6.QtWidgets import QAbstractItemView, QLabel, QWidget

from app.dependants import Deletion, what_goes_with
from app.register import Register
from app.wording import kind_names
from ui.errors import DeleteQuestion
from ui.widgets.record_form import RecordForm

Attempt = Callable[[Callable[[], object]], bool]
"""Does a write and shows its refusal; True when it went through (`ProblemLabel.attempt`)."""


@dataclass(frozen=True)
class RecordWriters:
    """The `app` functions that write one kind of record; `create` returns the new id.

    `kind` is the kind of record as the register names it ("organisation", "use_case").
    """

    create: Callable[[Register, dict[str, Any]], str]
    update: Callable[[Register, str, dict[str, Any]], object]
    delete: Callable[[Register, str], object]
    kind: str


def delete_question(deletion: Deletion) -> tuple[str, str]:
    """The title and text asking to delete a record, with what goes with it."""
    one = kind_names(deletion.entity)[0]
    going = f" and its {deletion.takes}" if deletion.takes else ""
    return f"Delete {one}", f"Delete {one} “{deletion.name}”{going}?"


class ShownRecord:
    """Which record a list-and-form view shows in its form (`id`, None for a new one).

    `save` writes the form and keeps the saved record shown: the view refreshes (the list has
    changed), then `saved` is told its id. `delete` asks first, then deletes the shown record
    and the view refreshes with none shown (its refresh then shows the first). A refused save
    shows its problems on the form; a refused delete goes to `attempt` (a `ProblemLabel`'s,
    say), by default the form's, shown there as a refused save is — before anything is asked
    when the record is gone or others refer to it.
    """

    def __init__(
        self,
        form: RecordForm,
        writers: RecordWriters,
        *,
        refresh: Callable[[], None],
        saved: Callable[[str], object],
        attempt: Attempt | None = None,
    ) -> None:
        self.id: str | None = None
        self.form = form
        self._writers = writers
        self._refresh = refresh
        self._saved = saved
        self._attempt = attempt or form.attempt

    def new(self, show: Callable[[], None], first: str | None = None) -> None:
        """Show an empty form for a new record, the cursor in `first` (else its first field)."""
        self.id = None
        show()
        self.form.editors[first or next(iter(self.form.editors))].setFocus()

    def save(self, register: Register | None) -> bool:
        """Write the form: a new record when none is shown, else the shown one. True when saved."""
        if register is None:
            return False
        written = self.id

        def write(values: dict[str, Any]) -> None:
            nonlocal written
            if written is None:
                written = self._writers.create(register, values)
            else:
                self._writers.update(register, written, values)

        if not self.form.submit(write):
            return False
        assert written is not None
        self.id = written
        self._refresh()
        self._saved(written)
        return True

    def delete(self, register: Register | None) -> None:
        """Delete the shown record once the person agrees (nothing is shown for a new one).

        What goes with it is read first, as the delete reads it, so a refusal asks nothing;
        both on this thread, as the views' writes are.
        """
        shown = self.id
        if register is None or shown is None:
            return
        planned: list[Deletion] = []
        kind = self._writers.kind
        if not self._attempt(lambda: planned.append(what_goes_with(register, kind, shown))):
            return
        if not DeleteQuestion.ask(self.form, *delete_question(planned[0])):
            return
        if self._attempt(lambda: self._writers.delete(register, shown)):
            self.id = None
            self._refresh()


def record_heading(name: str, parent: QWidget) -> QLabel:
    """The bold heading over the form: the shown record's title, or "New …" (set by the view)."""
    heading = QLabel(parent)
    heading.setAccessibleName(name)
    heading.setWordWrap(True)
    font = heading.font()
    font.setPointSizeF(font.pointSizeF() * 1.3)
    font.setBold(True)
    heading.setFont(font)
    return heading


def select_row(table: QAbstractItemView, row: int) -> None:
    """Make a whole row current and selected, as a click does; a row < 0 changes nothing."""
    if row >= 0:
        table.selectionModel().setCurrentIndex(
            table.model().index(row, 0),
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )


def clear_current(table: QAbstractItemView) -> None:
    """Leave no row selected nor current, so that a click on any row shows it again."""
    table.clearSelection()
    table.setCurrentIndex(QModelIndex())
