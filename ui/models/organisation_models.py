"""Table models of the partner organisations and of the people at one of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.domain import format_uk_date
from app.errors import RegisterError
from app.organisations import Organisation, update_person
from app.register import Register
from ui.models.record_table import Column, RecordTableModel


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
    Column("code", "ODS code", tip="NHS Organisation Data Service code"),
    Column(
        "ico_registration",
        "ICO registration",
        tip="Registration number with the Information Commissioner's Office",
    ),
    Column("dpo_name", "DPO", tip="Data protection officer"),
    Column(
        "charter_endorsed",
        "Charter",
        show=_flag_and_date("charter_endorsed", "charter_endorsed_on"),
        tip="Endorsed the data sharing charter (and when)",
    ),
    Column(
        "protocol_signed",
        "Protocol",
        show=_flag_and_date("protocol_signed", "protocol_signed_on"),
        tip="Signed the information sharing protocol (and when)",
    ),
    Column("people_count", "People", kind="count", tip="People recorded at the organisation"),
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
