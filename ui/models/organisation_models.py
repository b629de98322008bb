"""Table models of organisations and their people, and the record form the detail panels share.

`RecordForm` lives here beside the models it edits with: a form of typed fields, each with its
problem shown right under it, used by the organisations, use cases, assessments and meetings
views.
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
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.domain import format_uk_date
from app.errors import FieldProblem, RegisterError, ValidationError
from app.organisations import Organisation, update_person
from app.register import Register
from app.values import parse_uk_date
from ui.models.log_models import Column, RecordTableModel

# ---------------------------------------------------------------------------- form


class ProblemLabel(QLabel):
    """A red line saying why the last action was refused; takes no room when there is none."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet("color: #b00020")
        self.setAccessibleName(name)
        self.hide()

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setVisible(bool(text))

    def clear(self) -> None:
        super().clear()
        self.hide()


@dataclass(frozen=True)
class FormField:
    """One field of a form: its record field name, label (with & mnemonic) and kind."""

    name: str
    label: str
    kind: str = "line"  # line / text / date / int / bool / choice
    choices: Sequence[tuple[str | None, str]] = field(default_factory=tuple)
    editable_choice: bool = False  # a choice whose text may also be typed freely


class RecordForm(QWidget):
    """A form over one record: typed values out, problems shown next to each field."""

    def __init__(self, fields: Sequence[FormField], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.fields = {f.name: f for f in fields}
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.general_error = QLabel(self)
        self.general_error.setWordWrap(True)
        self.general_error.setStyleSheet("color: #b00020")
        self.general_error.setAccessibleName("Problem")
        self.general_error.hide()
        layout = QFormLayout(self)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addRow(self.general_error)
        for spec in fields:
            editor = self._editor(spec)
            plain = spec.label.replace("&", "")
            editor.setAccessibleName(plain)
            error = QLabel(self)
            error.setWordWrap(True)
            error.setStyleSheet("color: #b00020")
            error.setAccessibleName(f"Problem with {plain.lower()}")
            error.hide()
            holder = QWidget(self)
            box = QVBoxLayout(holder)
            box.setContentsMargins(0, 0, 0, 0)
            box.setSpacing(2)
            box.addWidget(editor)
            box.addWidget(error)
            label = QLabel(spec.label, self)
            label.setBuddy(editor)
            layout.addRow(label, holder)
            self.editors[spec.name] = editor
            self.errors[spec.name] = error

    def _editor(self, spec: FormField) -> QWidget:
        if spec.kind == "text":
            text = QPlainTextEdit(self)
            text.setTabChangesFocus(True)
            text.setFixedHeight(64)
            return text
        if spec.kind == "bool":
            return QCheckBox(self)
        if spec.kind == "choice":
            combo = QComboBox(self)
            combo.setEditable(spec.editable_choice)
            self.set_choices(spec.name, spec.choices, combo)
            return combo
        line = QLineEdit(self)
        if spec.kind == "date":
            line.setPlaceholderText("dd/mm/yyyy")
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
                editor.setEditText("" if value is None else str(value))
            else:
                editor.setCurrentIndex(max(found, 0))
        elif isinstance(editor, QLineEdit):
            text = format_uk_date(value) if spec.kind == "date" else value
            editor.setText("" if text is None else str(text))

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
            self.general_error.show()
            return
        general: list[str] = []
        for problem in exc.problems:
            label = self.errors.get(problem.field)
            if label is None:
                general.append(problem.message)
            else:
                label.setText(problem.message)
                label.show()
        if general:
            self.general_error.setText(" ".join(general))
            self.general_error.show()
        first = next((p.field for p in exc.problems if p.field in self.editors), None)
        if first is not None:
            self.editors[first].setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_problems(self) -> None:
        self.general_error.hide()
        self.general_error.clear()
        for label in self.errors.values():
            label.hide()
            label.clear()

    def problem_text(self, name: str) -> str:
        return self.errors[name].text() if name in self.errors else self.general_error.text()

    def submit(self, save: Callable[[dict[str, Any]], object]) -> bool:
        """Read the values and hand them to `save`; show any problem. True when saved."""
        try:
            save(self.values())
        except RegisterError as exc:
            self.show_error(exc)
            return False
        self.clear_problems()
        return True


# ---------------------------------------------------------------------------- tables


def _flag_and_date(flag: str, date: str) -> Callable[[Any], str]:
    def show(row: Organisation) -> str:
        value = getattr(row, flag)
        if value is None:
            return ""
        if not value:
            return "No"
        when = getattr(row, date)
        return f"Yes, {format_uk_date(when)}" if when else "Yes"

    return show


ORGANISATION_COLUMNS = (
    Column("name", "Name"),
    Column("org_type", "Type", show=lambda row: row.type_label),
    Column("code", "ODS code"),
    Column("ico_registration", "ICO registration"),
    Column("dpo_name", "DPO"),
    Column(
        "charter_endorsed",
        "Charter endorsed",
        show=_flag_and_date("charter_endorsed", "charter_endorsed_on"),
    ),
    Column(
        "protocol_signed",
        "Protocol signed",
        show=_flag_and_date("protocol_signed", "protocol_signed_on"),
    ),
    Column("people_count", "People", kind="count"),
)

PERSON_COLUMNS = (
    Column("name", "Name", editable=True),
    Column("role", "Role", editable=True),
    Column("email", "Email", editable=True),
    Column("phone", "Phone", editable=True),
)


class OrganisationTableModel(RecordTableModel):
    """The partner organisations, read only (edited in the form beside it)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(ORGANISATION_COLUMNS, parent)


class PersonTableModel(RecordTableModel):
    """The people of one organisation, editable in place through the log."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(PERSON_COLUMNS, parent)
        self.register: Register | None = None
        self.writer = self._write

    def _write(self, person_id: str, name: str, value: Any) -> None:
        if self.register is None:
            raise RegisterError("The register is locked; unlock it to edit people.")
        update_person(self.register, person_id, {name: value})
