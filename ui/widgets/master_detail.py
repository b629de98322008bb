"""List-and-form views: the record the form shows, and the one way it is made, saved and deleted.

The organisations, use cases, assessments and meetings views list records beside a `RecordForm`
over the one shown. Each keeps a `ShownRecord` for it, built from the `app` functions that write
that kind of record; it follows the list's current row, keeps the record shown while it is still
listed, and starts a new one; the view still lists and draws. A delete is asked first
(`DeleteQuestion`), saying what goes with the record; one that would leave other records
referring to it is refused before anything is asked. The views' other deletes (a person, a
paper, a decision) ask the same way (`delete_asked`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex
from PySide6.QtWidgets import QAbstractItemView, QWidget

from app.dependants import Deletion, what_goes_with
from app.register import Register
from app.wording import kind_names
from ui.errors import DeleteQuestion
from ui.models.record_table import ID_ROLE
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


def delete_question(deletion: Deletion, verb: str = "Delete", where: str = "") -> tuple[str, str]:
    """The title and text asking to delete a record, with what goes with it.

    `verb` and `where` word a part taken out of its whole: "Remove", " from ISA-2026-001".
    """
    one = kind_names(deletion.entity)[0]
    going = f" and its {deletion.takes}" if deletion.takes else ""
    return f"{verb} {one}", f"{verb} {one} “{deletion.label}”{going}{where}?"


def deletion_agreed(register: Register, kind: str, record_id: str, *, attempt: Attempt,
                    parent: QWidget, verb: str = "Delete", where: str = "") -> bool:  # fmt: skip
    """Whether the person agrees to delete a record of `kind`, asked over `parent`.

    What goes with it is read first, as the delete reads it, so a refusal (the record is gone,
    or others refer to it) goes to `attempt` and nothing is asked. The question offers `verb`.
    """
    planned: list[Deletion] = []
    if not attempt(lambda: planned.append(what_goes_with(register, kind, record_id))):
        return False
    return DeleteQuestion.ask(parent, *delete_question(planned[0], verb, where), action=f"&{verb}")


def delete_asked(register: Register, kind: str, record_id: str, *,
                 delete: Callable[[Register, str], object], attempt: Attempt,
                 parent: QWidget) -> bool:  # fmt: skip
    """Delete a record of `kind` with `delete` once the person agrees; True when it was deleted.

    Asked as `deletion_agreed` asks; the delete goes to `attempt` too, on this thread, as the
    views' writes are.
    """
    return deletion_agreed(register, kind, record_id, attempt=attempt, parent=parent) and attempt(
        lambda: delete(register, record_id)
    )


def still_listed(shown: str | None, listed: Sequence[str],
                 first: Callable[[], str] | None = None) -> str | None:  # fmt: skip
    """The record to show of those `listed`: `shown` while it is listed, else the first.

    The first is `first()` when given (asked only when some are listed), else the first listed;
    None when none is listed.
    """
    if shown is not None and shown in listed:
        return shown
    if not listed:
        return None
    return first() if first is not None else listed[0]


class ShownRecord:
    """Which record a list-and-form view shows in its form (`id`, None for a new one).

    `follow` keeps it the record of the list's current row; `keep_listed` keeps it while it
    is listed, else shows the first, rather than an empty form; `new` starts an empty form.
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

    def follow(self, table: QAbstractItemView, show: Callable[[], object]) -> None:
        """Show the record of `table`'s current row whenever it changes (none for no row).

        The table's model gives each row's record id (`ID_ROLE`), as a `RecordTableModel` does.
        A row made current for the record already shown shows nothing: the view that set `id`
        (`keep_listed` in its refresh, `new`) shows it once itself.
        """

        def changed(current: QModelIndex, _previous: QModelIndex) -> None:
            chosen = str(current.data(ID_ROLE)) if current.isValid() else None
            if chosen != self.id:  # else the view chose it (a refresh, `new`) and shows it
                self.id = chosen
                show()

        table.selectionModel().currentRowChanged.connect(changed)

    def keep_listed(self, listed: Sequence[str],
                    first: Callable[[], str] | None = None) -> str | None:  # fmt: skip
        """Keep the shown record while it is `listed`, else show the first; returns it.

        The first is `first()` when given, else the first listed (see `still_listed`).
        """
        self.id = still_listed(self.id, listed, first)
        return self.id

    def new(self, table: QAbstractItemView, show: Callable[[], object],
            first: str | None = None) -> None:  # fmt: skip
        """Show an empty form for a new record, the cursor in `first` (else its first field).

        No row of `table` stays current, so that a click on the one shown before shows it again.
        """
        self.id = None
        clear_current(table)
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

        Asked as `delete_asked` asks: a refusal is said and nothing asked.
        """
        shown = self.id
        if register is None or shown is None:
            return
        if delete_asked(register, self._writers.kind, shown, delete=self._writers.delete,
                        attempt=self._attempt, parent=self.form):  # fmt: skip
            self.id = None
            self._refresh()


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
