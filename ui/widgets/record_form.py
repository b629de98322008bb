"""A form over one record: typed fields, each with its problem shown right under it.

The detail panels of the organisations, use cases, assessments and meetings views are
`RecordForm`s: values come out typed (dates read as dd/mm/yyyy, whole numbers checked), and a
refused save puts each problem under its field in words a person can act on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain import format_uk_date
from app.errors import FieldProblem, RegisterError, ValidationError
from app.values import parse_uk_date
from ui.errors import ErrorMessage
from ui.workers import run_or_call

PROBLEM_COLOUR = "#b00020"  # 7:1 against the window grey: readable, and red for a refusal


class ProblemLabel(QLabel):
    """A red line saying why the last action was refused; takes no room when there is none.

    With `keep_lines`, it keeps the room of that many lines, shown or not, so that showing a
    refusal moves nothing around it (a stretching table above keeps its height); a longer refusal
    still takes the lines it needs. With a `note` (a label laid in the same place), the note is
    shown while there is no refusal and gives way to one.
    """

    def __init__(self, name: str, parent: QWidget | None = None, *, keep_lines: int = 0,
                 note: QLabel | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self._note: QLabel | None = None  # the note keeps its own visibility until laid out
        self.setWordWrap(True)
        self.setStyleSheet(f"color: {PROBLEM_COLOUR}")
        self.setAccessibleName(name)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if keep_lines:
            self.setMinimumHeight(self.fontMetrics().lineSpacing() * keep_lines)
            for label in (self, note):
                if label is not None:
                    _keep_room(label)
        self.hide()
        self._note = note

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        super().clear()
        self.hide()

    def setVisible(self, visible: bool) -> None:
        super().setVisible(visible)
        if self._note is not None:
            self._note.setVisible(not visible)

    def attempt(self, work: Callable[[], object]) -> bool:
        """Do a write; a refusal is said here, and cleared once a write goes through.

        True when it went through.
        """
        return _attempt(self, work, lambda exc: self.setText(exc.message), self.clear)


def attempt_said_in_a_message(parent: QWidget, work: Callable[[], object]) -> bool:
    """Do `work` now; a refusal is said in a message over `parent`. True when it went through."""
    return _attempt(parent, work, lambda exc: ErrorMessage.show(parent, exc), lambda: None)


WRITE_LABEL = "Writing to the register"
"""What a write done from a form is called in the log, where it meets a bug."""


def _attempt(parent: QWidget, work: Callable[[], object],
             refused: Callable[[RegisterError], None],
             went_through: Callable[[], None]) -> bool:  # fmt: skip
    """Do `work` now; hand a refusal to `refused`, else call `went_through`. True when it went.

    Any other failure is a bug: logged with its traceback and said to be unexpected in a
    message over `parent`, as a view's work says it (`run_or_call`, `ViewWork`).
    """
    went: list[object] = []

    def failed(exc: BaseException) -> None:
        if isinstance(exc, RegisterError):
            refused(exc)
        else:
            ErrorMessage.show(parent, exc)

    run_or_call(None, work, went.append, failed, label=WRITE_LABEL)
    if went:
        went_through()
    return bool(went)


def _keep_room(label: QLabel) -> None:
    """Keep `label`'s room while it is hidden, its text at the top of that room."""
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    policy = label.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    label.setSizePolicy(policy)


@dataclass(frozen=True)
class FormField:
    """One field of a form: its record field name, label (with & mnemonic) and kind."""

    name: str
    label: str
    kind: str = "line"  # line / text / date / int / bool / choice
    choices: Sequence[tuple[str | None, str]] = field(default_factory=tuple)
    editable_choice: bool = False  # a choice whose text may also be typed freely
    placeholder: str = ""
    tip: str = ""
    beside: str = ""  # the field whose row this one joins, after the word `label` (say "on")

    @property
    def plain_label(self) -> str:
        return self.label.replace("&", "")


TEXT_HEIGHT = 64


class RecordForm(QWidget):
    """A form over one record: typed values out, problems shown next to each field.

    With `side_by_side`, the multi-line fields go in a second column beside the others, for a
    wide, low panel (the use case under its board).
    """

    def __init__(self, fields: Sequence[FormField], parent: QWidget | None = None,
                 side_by_side: bool = False) -> None:  # fmt: skip
        super().__init__(parent)
        self.fields = {f.name: f for f in fields}
        self._side_by_side = side_by_side
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, ProblemLabel] = {}
        self.general_error = ProblemLabel("Problem", self)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.general_error)
        first, second = self._form_layout(), self._form_layout()
        columns = QHBoxLayout()
        columns.addLayout(first, 1)
        if side_by_side:
            columns.addSpacing(12)
            columns.addLayout(second, 1)
        outer.addLayout(columns)
        rows: dict[str, QHBoxLayout] = {}
        for spec in fields:
            editor = self._editor(spec)
            if spec.tip:
                editor.setToolTip(spec.tip)
            self.editors[spec.name] = editor
            if spec.beside:
                self._join_row(rows[spec.beside], spec, editor)
                continue
            editor.setAccessibleName(spec.plain_label)
            error = ProblemLabel(f"Problem with {spec.plain_label.lower()}", self)
            holder = QWidget(self)
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            row = QHBoxLayout()
            row.setContentsMargins(0, 0, 0, 0)
            row.addWidget(editor, 0 if spec.kind == "bool" else 1)
            box.addLayout(row)
            box.addWidget(error)
            label = QLabel(spec.label, self)
            label.setBuddy(editor)
            target = second if side_by_side and spec.kind == "text" else first
            target.addRow(label, holder)
            rows[spec.name] = row
            self.errors[spec.name] = error

    def _join_row(self, row: QHBoxLayout, spec: FormField, editor: QWidget) -> None:
        """Put a field after another on its row (a date beside its tick box)."""
        owner = self.fields[spec.beside].plain_label
        editor.setAccessibleName(f"{owner} {spec.plain_label}")
        row.addSpacing(8)
        row.addWidget(QLabel(spec.plain_label, self))
        row.addWidget(editor, 1)
        error = ProblemLabel(f"Problem with the {owner.lower()} date", self)
        box = row.parent()
        assert isinstance(box, QVBoxLayout)
        box.addWidget(error)
        self.errors[spec.name] = error

    @staticmethod
    def _form_layout() -> QFormLayout:
        layout = QFormLayout()
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        return layout

    def _editor(self, spec: FormField) -> QWidget:
        if spec.kind == "text":
            text = QPlainTextEdit(self)
            text.setTabChangesFocus(True)
            if self._side_by_side:  # the column of texts grows with the panel
                text.setMinimumHeight(TEXT_HEIGHT)
            else:
                text.setFixedHeight(TEXT_HEIGHT)
            text.setPlaceholderText(spec.placeholder)
            return text
        if spec.kind == "bool":
            return QCheckBox(self)
        if spec.kind == "choice":
            combo = QComboBox(self)
            combo.setEditable(spec.editable_choice)
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(12)
            self.set_choices(spec.name, spec.choices, combo)
            line = combo.lineEdit()
            if line is not None and spec.placeholder:
                line.setPlaceholderText(spec.placeholder)
            return combo
        line = QLineEdit(self)
        line.setPlaceholderText(spec.placeholder or ("dd/mm/yyyy" if spec.kind == "date" else ""))
        return line

    def set_choices(
        self, name: str, choices: Sequence[tuple[str | None, str]], combo: QComboBox | None = None
    ) -> None:
        combo = combo or self.combo(name)
        current = combo.currentData()
        combo.clear()
        for value, label in choices:
            combo.addItem(label, value)
        found = combo.findData(current)
        combo.setCurrentIndex(max(found, 0))

    def combo(self, name: str) -> QComboBox:
        editor = self.editors[name]
        assert isinstance(editor, QComboBox)
        return editor

    # -- values

    def set_values(self, source: Any) -> None:
        """Show the fields of a record (a dataclass or a mapping); None clears the form."""
        self.clear_problems()
        for name, spec in self.fields.items():
            if source is None:
                value = None
            elif isinstance(source, dict):
                value = source.get(name)
            else:
                value = getattr(source, name, None)
            self._show(spec, self.editors[name], value)

    def _show(self, spec: FormField, editor: QWidget, value: Any) -> None:
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText("" if value is None else str(value))
        elif isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, QComboBox):
            found = editor.findData(value)
            if found < 0 and spec.editable_choice:
                editor.setCurrentIndex(-1)
                editor.setEditText("" if value is None else str(value))
            else:
                editor.setCurrentIndex(max(found, 0))
        elif isinstance(editor, QLineEdit):
            text = format_uk_date(value) if spec.kind == "date" else value
            editor.setText("" if text is None else str(text))
            editor.setCursorPosition(0)  # a long value shows from its start

    def values(self) -> dict[str, Any]:
        """The typed value of every field; raises ValidationError naming each bad field."""
        out: dict[str, Any] = {}
        problems: list[FieldProblem] = []
        for name, spec in self.fields.items():
            editor = self.editors[name]
            try:
                out[name] = self._read(spec, editor)
            except ValueError as exc:
                problems.append(FieldProblem(name, str(exc)))
        if problems:
            raise ValidationError(problems)
        return out

    def _read(self, spec: FormField, editor: QWidget) -> Any:
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText().strip()
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QComboBox):
            if spec.editable_choice:
                text = editor.currentText().strip()
                index = editor.findText(text)
                data = editor.itemData(index) if index >= 0 else None
                return data if data is not None else text
            return editor.currentData()
        assert isinstance(editor, QLineEdit)
        text = editor.text().strip()
        if spec.kind == "date":
            return parse_uk_date(text) if text else None
        if spec.kind == "int":
            if not text:
                return None
            if not text.isdigit():
                raise ValueError(f"{text!r} is not a whole number.")
            return int(text)
        return text

    # -- problems

    def show_error(self, exc: RegisterError) -> None:
        """Show a refused save: each field's problem under it, anything else on top."""
        self.clear_problems()
        if not isinstance(exc, ValidationError):
            self.general_error.setText(exc.message)
            return
        general: list[str] = []
        for problem in exc.problems:
            label = self.errors.get(problem.field)
            if label is None:
                general.append(problem.message)
            else:
                label.setText(problem.message)
        if general:
            self.general_error.setText(" ".join(general))
        first = next((p.field for p in exc.problems if p.field in self.editors), None)
        if first is not None:
            self.editors[first].setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_problems(self) -> None:
        self.general_error.clear()
        for label in self.errors.values():
            label.clear()

    def problem_text(self, name: str) -> str:
        return self.errors[name].text() if name in self.errors else self.general_error.text()

    def submit(self, save: Callable[[dict[str, Any]], object]) -> bool:
        """Read the values and hand them to `save`; show any problem. True when saved."""
        return self.attempt(lambda: save(self.values()))

    def attempt(self, work: Callable[[], object]) -> bool:
        """Do a write on this form's record; a refusal shows as a refused save's does.

        True when it went through (the problems shown before are cleared).
        """
        return _attempt(self, work, self.show_error, self.clear_problems)
