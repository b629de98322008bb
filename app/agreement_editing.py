"""What the agreement editor writes: a whole save as one batch (one undo), and its side lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from app.agreements import (
    add_data_item_in,
    create_agreement_in,
    update_agreement_in,
)
from app.dependants import delete_in
from app.errors import FieldProblem, NotFoundError, ValidationError
from app.history import field_label
from app.register import Changes, Register
from app.values import parse_uk_date
from db.models import (
    AgreementAssessmentLink,
    AgreementRecord,
    AgreementUseCaseLink,
    DataItemRecord,
)

ITEM_DATE_FIELDS = ("last_received", "next_due")
ITEM_EDIT_FIELDS = (
    "title", "source", "extract_mechanism", "destination", "frequency", "data_fields",
    "purpose", "safeguards", "responsible_owner", "refresh_schedule", *ITEM_DATE_FIELDS,
)  # fmt: skip
LAWFUL_BASIS_FIELDS = ("party_id", "purpose", "article_6", "article_9", "article_10",
                       "dpa_schedule_1", "statutory_gateway", "common_law_duty")  # fmt: skip


@dataclass(frozen=True)
class ItemEdit:
    """A data item as the editor holds it: `item_id` None for one not saved yet."""

    item_id: str | None
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Choice:
    """A record to pick in a list: its id and the name shown."""

    id: str
    label: str


def _item_value(name: str, value: Any) -> Any:
    """A data item's field as saved: None for empty, dates read from dd/mm/yyyy text."""
    if value == "" or value is None:
        return None
    if name in ITEM_DATE_FIELDS and isinstance(value, str):
        try:
            return parse_uk_date(value)
        except ValueError as exc:
            raise ValidationError([FieldProblem(name, f"{field_label('data_item', name)}: "
                                                f"{exc}")]) from None  # fmt: skip
    return value


def _item_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _item_value(k, v) for k, v in values.items() if k in ITEM_EDIT_FIELDS}


def save_agreement(
    register: Register,
    agreement_id: str | None,
    values: Mapping[str, Any],
    items: Sequence[ItemEdit] = (),
    deleted_item_ids: Iterable[str] = (),
) -> str:
    """Create or update an agreement with its data items in one batch; returns its id.

    Validation runs against the agreement as it will be saved, items included, and raises
    `ValidationError` (with the problems per field) before anything is written. Removing a data
    item another record needs (an assessment) refuses the whole save with `InUseError`.
    """
    deleted = list(deleted_item_ids)
    reference = str(values.get("reference") or "").strip()

    def build(changes: Changes) -> str:
        for item_id in deleted:
            record = changes.session.get(DataItemRecord, item_id)
            if record is not None and record.is_live:  # else removed meanwhile (a sync): as wanted
                delete_in(changes, "data_item", item_id)
        for item in items:
            if item.item_id is not None:
                for name, value in _item_values(item.values).items():
                    changes.set("data_item", item.item_id, name, value)
        if agreement_id is None:
            new_id = create_agreement_in(changes, values)
            for item in items:
                if item.item_id is None:
                    add_data_item_in(changes, new_id, _item_values(item.values))
            return new_id
        for item in items:
            if item.item_id is None:
                add_data_item_in(changes, agreement_id, _item_values(item.values))
        update_agreement_in(changes, agreement_id, values)
        return agreement_id

    if agreement_id is None:
        label = f"Add agreement {reference}"
    else:  # a save sends only what changed: the reference is read when it is not among them
        label = f"Edit {reference or _reference_of(register, agreement_id)}"
    return register.write(label, build)


def _reference_of(register: Register, agreement_id: str) -> str:
    with register.session() as session:
        record = session.get(AgreementRecord, agreement_id)
        return (record.reference or "") if record is not None else ""


def add_lawful_basis(register: Register, agreement_id: str, values: Mapping[str, Any]) -> str:
    unknown = set(values) - set(LAWFUL_BASIS_FIELDS)
    if unknown:
        raise ValueError(f"lawful basis has no fields {sorted(unknown)}")
    clean = {k: v for k, v in values.items() if v not in ("", None)}
    if not any(clean.get(k) for k in ("article_6", "article_9", "article_10", "dpa_schedule_1",
                                       "statutory_gateway")):  # fmt: skip
        raise ValidationError([FieldProblem(
            "article_6", "Give at least the UK GDPR Article 6 basis or a statutory gateway."
        )])  # fmt: skip
    return register.write(
        "Add lawful basis",
        lambda c: c.create("lawful_basis", {**clean, "agreement_id": agreement_id}),
    )


def remove_record(register: Register, entity: str, record_id: str, label: str) -> None:
    """Delete a party or a lawful basis (undoable like every change).

    A party goes with its sign-offs; it is refused (`InUseError`) while a lawful basis names it.
    """
    if entity not in ("party", "lawful_basis"):
        raise ValueError(f"the editor does not remove {entity} records")
    register.write(label, lambda c: delete_in(c, entity, record_id))


def set_links(
    register: Register, agreement_id: str, use_case_ids: Iterable[str],
    assessment_ids: Iterable[str],
) -> int:  # fmt: skip
    """Link the agreement to exactly these use cases and assessments; returns changes made."""
    wanted_uc, wanted_as = set(use_case_ids), set(assessment_ids)

    def build(changes: Changes) -> int:
        session = changes.session
        if session.get(AgreementRecord, agreement_id) is None:
            raise NotFoundError("That agreement no longer exists (it may have been deleted).")
        made = 0
        pairs: tuple[tuple[type[AgreementUseCaseLink] | type[AgreementAssessmentLink], set[str]],
                     ...] = ((AgreementUseCaseLink, wanted_uc),
                             (AgreementAssessmentLink, wanted_as))  # fmt: skip
        for link, wanted in pairs:
            have: set[str] = {
                right for right in session.scalars(
                    select(link.right_id).where(link.left_id == agreement_id, link.is_live)
                ) if right is not None
            }  # fmt: skip
            for right in sorted(wanted - have):
                changes.link(link.__entity__, agreement_id, right)
                made += 1
            for right in sorted(have - wanted):
                changes.unlink(link.__entity__, agreement_id, right)
                made += 1
        return made

    return register.write("Change linked use cases and assessments", build)


def use_case_choices(register: Register) -> list[Choice]:
    from app.use_cases import list_use_cases

    return sorted((Choice(u.id, u.title) for u in list_use_cases(register)),
                  key=lambda c: c.label.lower())  # fmt: skip


def assessment_choices(register: Register) -> list[Choice]:
    from app.assessments import list_assessments

    return sorted((Choice(a.id, a.title) for a in list_assessments(register)),
                  key=lambda c: c.label.lower())  # fmt: skip


def organisation_choices(register: Register) -> list[Choice]:
    from app.organisations import list_organisations

    return sorted((Choice(o.id, o.name) for o in list_organisations(register)),
                  key=lambda c: c.label.lower())  # fmt: skip
