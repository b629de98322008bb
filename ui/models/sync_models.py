"""Table models of sharing: members, requests to join and open conflicts, with their texts.

The rows are the sync back end's frozen dataclasses shown through `RecordTableModel`. Open
conflicts are read once on the worker (`load_conflicts`) into `ConflictItem`s that carry the
words a person reads: the record's name, the field's label and each version's value as the
History view shows it (UK dates, names for linked records); for a deleted record that others
were made to refer to, each reference and what removing it does. Records and references are
named as `isr conflicts` names them (`app.conflicts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont

from app.conflicts import (
    Conflict,
    ConflictVersion,
    FieldConflict,
    ReferredAfterDeletion,
    Referrer,
    open_conflicts,
    record_words,
    reference_form,
    reference_words,
    removal_words,
)
from app.domain import format_uk_date
from app.history import HistoryEntry, field_label, record_history
from app.register import Register
from app.sync import JoinRequest, MemberInfo
from app.wording import count_of, kind_names
from ui.models.record_table import Column, RecordTableModel

ROLE_LABELS = {
    "admin": "Admin",
    "member": "Member",
    "pending": "Waiting for approval",
    "revoked": "Removed",
}
ALARM_COLOUR = "#b00020"
WRAP_ROLE = Qt.ItemDataRole.UserRole + 2
"""A cell's text as drawn when it wraps: spaces inside people's names do not break."""
NO_BREAK_SPACE = "\u00a0"


def when_text(when: dt.datetime | None) -> str:
    """A moment in local time, UK order: dd/mm/yyyy hh:mm."""
    if when is None:
        return ""
    return when.astimezone().strftime("%d/%m/%Y %H:%M")


def iso_when_text(text: str) -> str:
    """An ISO timestamp as `when_text` shows it; anything unreadable is shown as it is."""
    try:
        return when_text(dt.datetime.fromisoformat(text))
    except ValueError:
        return text


def role_label(role: str | None) -> str:
    return ROLE_LABELS.get(role or "", (role or "").capitalize())


def value_text(value: Any) -> str:
    """A field's value in words, for values the history could not name."""
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return when_text(value)
    if isinstance(value, dt.date):
        return format_uk_date(value)
    return str(value)


# ------------------------------------------------------------------------------ members


def _member_name(member: MemberInfo) -> str:
    return f"{member.name} (this device)" if member.this_device else member.name


def _member_note(member: MemberInfo) -> str:
    if member.revoked:
        return "Removed: keeps what it had already synced, receives nothing new"
    return ""


MEMBER_COLUMNS = (
    Column("name", "Name", show=_member_name),
    Column("role", "Role", show=lambda m: role_label(m.role)),
    Column("device", "Device"),
    Column("fingerprint", "Fingerprint"),
    Column("revoked", "Note", show=_member_note),
)


class MemberTableModel(RecordTableModel):
    """The devices that hold (or held) the register key, one row each."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(MEMBER_COLUMNS, parent)

    def row_id(self, row: Any) -> str:
        return str(row.device)

    def member_at(self, row: int) -> MemberInfo:
        member = self.row_at(row)
        assert isinstance(member, MemberInfo)
        return member

    def decorate(self, row: Any, column: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.ForegroundRole and row.revoked:
            return QBrush(QColor("#6b6b6b"))
        if role == Qt.ItemDataRole.FontRole and row.this_device:
            font = QFont()
            font.setBold(True)
            return font
        return None


REQUEST_COLUMNS = (
    Column("name", "Name"),
    Column("device", "Device"),
    Column("fingerprint", "Fingerprint"),
    Column("requested", "Asked on", show=lambda r: iso_when_text(r.requested)),
)


class RequestTableModel(RecordTableModel):
    """Requests to join from devices that are not members yet."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(REQUEST_COLUMNS, parent)

    def row_id(self, row: Any) -> str:
        return str(row.device)

    def request_at(self, row: int) -> JoinRequest:
        request = self.row_at(row)
        assert isinstance(request, JoinRequest)
        return request


# ---------------------------------------------------------------------------- conflicts


@dataclass(frozen=True)
class ShownVersion:
    """One side of a conflict with the words shown for it."""

    version: ConflictVersion
    text: str  # the value; for an edit of a revived record "Field: value"; or a reference
    note: str = ""  # said under it: what removing a reference does to it

    @property
    def byline(self) -> str:
        v = self.version
        return f"by {v.author} (device {v.device}) on {when_text(v.when)}"


@dataclass(frozen=True)
class Pronouns:
    """How a sentence refers again to a record: "it", or "they" for a person."""

    they: str  # "it", "they"
    them: str  # "it", "them"
    their: str  # "its", "their"
    come: str  # "comes", "come"


def pronouns(entity: str) -> Pronouns:
    """The pronouns of a record of `entity`: a person is "they"."""
    if entity == "person":
        return Pronouns("they", "them", "their", "come")
    return Pronouns("it", "it", "its", "comes")


@dataclass(frozen=True)
class Referral:
    """How records came to refer to a deleted one, in the words of the list and the story."""

    passive: str  # "made a party to ISA-2026-014" (by someone)
    active: str  # "made it a party to ISA-2026-014"
    removal: str  # what the choice to remove the references does: "remove it from ISA-2026-014"


def referral(conflict: ReferredAfterDeletion) -> Referral:
    """The words for what was made to refer to a deleted record, and for removing it.

    One kind of reference is named ("made a party to ISA-2026-014", "linked to 2 agreements",
    "had 1 data item added"); references of several kinds are counted ("referred to by 3
    records").
    """
    it = pronouns(conflict.entity).them
    referrers = conflict.referrers
    first = referrers[0]
    form = reference_form(first)
    if len({(r.entity, r.field, r.kind) for r in referrers}) > 1:
        several = count_of(len(referrers), "record")
        return Referral(f"referred to by {several}", f"made {several} refer to {it}",
                        f"remove the references to {it}")  # fmt: skip
    if form == "part":
        added = count_of(len(referrers), first.entity)
        which = f"the {kind_names(first.entity)[0]}" if len(referrers) == 1 else f"the {added}"
        return Referral(f"had {added} added", f"added {added} to {it}", f"remove {which}")
    holders = {r.record_id: r.name for r in referrers}
    what = first.name if len(holders) == 1 else count_of(len(holders), first.kind)
    removal = f"remove {it} from {what}" if len(holders) == 1 else f"remove the references to {it}"
    if form == "link":
        return Referral(f"linked to {what}", f"linked {it} to {what}", removal)
    if form == "member":
        one = kind_names(first.entity)[0]
        return Referral(f"made a {one} to {what}", f"made {it} a {one} to {what}", removal)
    label = field_label(first.entity, first.field)
    return Referral(f"set as {label} of {what}", f"set {it} as {label} of {what}", removal)


@dataclass(frozen=True)
class ConflictItem:
    """An open conflict as the Conflicts view shows it."""

    conflict: Conflict
    record_label: str
    field_label: str  # "" for a deleted record (revived, or referred to)
    versions: tuple[ShownVersion, ...]  # a field's versions, a revived record's edits, or refs
    deletion: ShownVersion | None = None  # set for a deleted record

    @property
    def key(self) -> str:
        c = self.conflict
        if isinstance(c, FieldConflict):
            field = c.field
        else:
            field = "_referred" if isinstance(c, ReferredAfterDeletion) else "_revived"
        return f"{c.entity}/{c.record_id}/{field}"

    @property
    def referred(self) -> ReferredAfterDeletion | None:
        """The conflict, if it is a deleted record that others were made to refer to."""
        return self.conflict if isinstance(self.conflict, ReferredAfterDeletion) else None

    @property
    def name(self) -> str:
        """The record's short name, for a sentence: "Kent Police"."""
        referred = self.referred
        return referred.name if referred is not None else self.record_label

    @property
    def keep_words(self) -> str:
        """The choice that keeps a deleted record referred to: "Keep Kent Police"."""
        return f"Keep {self.name}"

    @property
    def remove_words(self) -> str:
        """The choice that removes the references to a deleted record: "Remove it from …"."""
        referred = self.referred
        assert referred is not None
        removal = referral(referred).removal
        return removal[:1].upper() + removal[1:]

    def _editors(self) -> list[str]:
        """Who wrote the versions, each once, in the order of the versions."""
        return list(dict.fromkeys(_who(s.version) for s in self.versions))

    def _what(self, name: Callable[[str], str]) -> str:
        editors = [name(editor) for editor in self._editors()]
        if self.deletion is not None:
            deleter = name(_who(self.deletion.version))
            referred = self.referred
            done = "edited" if referred is None else referral(referred).passive
            return f"Deleted by {deleter}, then {done} by {names(editors)}"
        if len(editors) == 1:
            return f"Changed by {editors[0]} on {len(self.versions)} devices"
        return f"Changed by {names(editors)}"

    @property
    def what(self) -> str:
        """What happened, short enough for the list: "Changed by Sam Patel and Priya Shah"."""
        return self._what(str)

    @property
    def what_unbroken(self) -> str:
        """`what` with each name held together, so that a wrapped line never splits one."""
        return self._what(lambda person: person.replace(" ", NO_BREAK_SPACE))

    @property
    def story(self) -> str:
        """What happened and what to do about it, in sentences, for the conflict shown."""
        editors = self._editors()
        referred = self.referred
        if self.deletion is not None and referred is not None:
            return self._referred_story(referred, _who(self.deletion.version), editors)
        if self.deletion is not None:
            return (
                f"{_who(self.deletion.version)} deleted this record, and {names(editors)} "
                "edited it on another device before the deletion reached them. Keep the record "
                "with its edits, or delete it again."
            )
        if len(editors) == 1:
            who = f"{editors[0]} changed this field on {len(self.versions)} devices"
        else:
            who = f"{names(editors)} each changed this field"
        return (
            f"{who} before they synced. The register shows version 1 meanwhile; keep the right "
            "one and the others are set aside (they stay in the History)."
        )

    def _referred_story(self, referred: ReferredAfterDeletion, deleter: str,
                        referrers: list[str]) -> str:  # fmt: skip
        words = referral(referred)
        it = pronouns(referred.entity)
        where = "another device" if len(referrers) == 1 else "other devices"
        return (
            f"{deleter} deleted {self.name}, and {names(referrers)} {words.active} on {where} "
            f"before the deletion reached them. Keep {self.name} ({it.they} {it.come} back "
            f"with what {it.their} deletion took), or {words.removal}."
        )


def _who(version: ConflictVersion) -> str:
    return version.author or "someone"


def names(people: Sequence[str]) -> str:
    """Names as a sentence lists them: "A", "A and B", "A, B and C"."""
    if len(people) < 2:
        return "".join(people)
    return f"{', '.join(people[:-1])} and {people[-1]}"


def _texts_by_stamp(entries: Sequence[HistoryEntry]) -> dict[tuple[str, dt.datetime, str], str]:
    return {(e.device, e.when, e.field): e.new_text for e in entries}


def _shown(version: ConflictVersion, field: str,
           texts: dict[tuple[str, dt.datetime, str], str]) -> str:  # fmt: skip
    text = texts.get((version.device, version.when, field))
    return text if text else value_text(version.value)


def _edit_field(entries: Sequence[HistoryEntry], version: ConflictVersion) -> str:
    for e in entries:
        if e.device == version.device and e.when == version.when and e.kind in ("set", "resolve"):
            return e.field
    return ""


def _reference(referrer: Referrer) -> ShownVersion:
    """A record referring to a deleted one, and what removing the references does to it."""
    return ShownVersion(referrer.made, reference_words(referrer),
                        f"On removal, {removal_words(referrer)}.")  # fmt: skip


def conflict_item(register: Register, conflict: Conflict) -> ConflictItem:
    """The words for one conflict (reads the record's history from the log)."""
    entries = record_history(register, conflict.entity, conflict.record_id, include_children=False)
    texts = _texts_by_stamp(entries)
    label = record_words(conflict.entity, entries[-1].record_label if entries else "")
    if isinstance(conflict, FieldConflict):
        versions = tuple(ShownVersion(v, _shown(v, conflict.field, texts))
                         for v in conflict.versions)  # fmt: skip
        return ConflictItem(conflict, label, field_label(conflict.entity, conflict.field),
                            versions)  # fmt: skip
    deletion = ShownVersion(conflict.deletion, "Deleted")
    if isinstance(conflict, ReferredAfterDeletion):
        references = tuple(_reference(r) for r in conflict.referrers)
        return ConflictItem(conflict, label, "", references, deletion)
    edits = []
    for v in conflict.edits:
        name = _edit_field(entries, v)
        shown = _shown(v, name, texts)
        edits.append(ShownVersion(v, f"{field_label(conflict.entity, name)}: {shown}"
                                  if name else shown))  # fmt: skip
    return ConflictItem(conflict, label, "", tuple(edits), deletion)


def load_conflicts(register: Register) -> list[ConflictItem]:
    """Every open conflict of the register with its words (run on the worker)."""
    return [conflict_item(register, c) for c in open_conflicts(register)]


CONFLICT_COLUMNS = (
    Column("record_label", "Record"),
    Column("field_label", "Field", show=lambda c: c.field_label or "The whole record"),
    Column("what", "What happened"),
)


class ConflictTableModel(RecordTableModel):
    """Open conflicts, one row each."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(CONFLICT_COLUMNS, parent)

    def row_id(self, row: Any) -> str:
        return str(row.key)

    def item_at(self, row: int) -> ConflictItem:
        item = self.row_at(row)
        assert isinstance(item, ConflictItem)
        return item

    def decorate(self, row: Any, column: Column, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join(f"{s.text} — {s.byline}" for s in row.versions)
        if role == WRAP_ROLE and column.name == "what":
            return row.what_unbroken
        return None
