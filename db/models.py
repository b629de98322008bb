"""ORM records for the whole domain of the register, plus the operation log tables.

Every domain record is the *materialised state* of the operation log: its columns are written
only by the log's materialiser (`app.oplog`), one field at a time, so all domain columns are
nullable here and required fields are enforced by domain validation in `app`. A row whose
record has not been created yet (a reference that arrived before its target during sync) exists
with `is_live` false.

The annotations are evaluated when the module loads (no ``from __future__ import annotations``):
SQLAlchemy then reads them directly instead of parsing them back from strings, which makes
loading the models, on every start of the app, about a sixth quicker.
"""

import datetime as dt
from typing import ClassVar

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.types import Count, LongText, RecordId, ShortText, UTCDateTime


def _ref(target: str) -> Mapped[str | None]:
    """A reference to another record, checked at commit so one batch may create both ends."""
    return mapped_column(
        String(36),
        ForeignKey(f"{target}.id", deferrable=True, initially="DEFERRED"),
        index=True,
    )


class EntityRecord(Base):
    """A record materialised from the operation log."""

    __abstract__ = True
    __entity__: ClassVar[str]

    id: Mapped[RecordId]
    is_live: Mapped[bool] = mapped_column(Boolean, default=False)  # not indexed: see 0004


class LinkRecord(Base):
    """A many-to-many link materialised from link/unlink operations."""

    __abstract__ = True
    __entity__: ClassVar[str]
    __ends__: ClassVar[tuple[str, str]]

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # "<left id>|<right id>"
    is_live: Mapped[bool] = mapped_column(Boolean, default=False)  # not indexed: see 0004


# ---------------------------------------------------------------------------------- parties


class OrganisationRecord(EntityRecord):
    __tablename__ = "organisation"
    __entity__ = "organisation"

    name: Mapped[ShortText]
    name_key: Mapped[ShortText] = mapped_column(index=True)  # normalised name, for matching
    org_type: Mapped[ShortText]
    code: Mapped[ShortText]  # ODS code
    ico_registration: Mapped[ShortText]
    dpo_name: Mapped[ShortText]
    dpo_email: Mapped[ShortText]
    dpo_phone: Mapped[ShortText]
    charter_endorsed: Mapped[bool | None]
    charter_endorsed_on: Mapped[dt.date | None]
    protocol_signed: Mapped[bool | None]
    protocol_signed_on: Mapped[dt.date | None]
    assurance_notes: Mapped[LongText]


class PersonRecord(EntityRecord):
    __tablename__ = "person"
    __entity__ = "person"

    name: Mapped[ShortText]
    role: Mapped[ShortText]
    organisation_id: Mapped[str | None] = _ref("organisation")
    email: Mapped[ShortText]
    phone: Mapped[ShortText]


# ------------------------------------------------------------------------------- agreements


class AgreementRecord(EntityRecord):
    __tablename__ = "agreement"
    __entity__ = "agreement"
    __table_args__ = (
        # the dashboard's counts read this index alone, not every agreement's long text; liveness
        # last, or SQLite would look up an agreement by reference through it (see 0004)
        Index("ix_agreement_status_review_live", "status", "review_date", "is_live"),
    )

    reference: Mapped[ShortText] = mapped_column(index=True)
    title: Mapped[ShortText]
    category: Mapped[ShortText] = mapped_column(index=True)
    status: Mapped[ShortText] = mapped_column(index=True)
    agreement_type: Mapped[ShortText]
    controller_relationship: Mapped[ShortText]
    summary: Mapped[LongText]
    dpia_needed: Mapped[bool | None]
    dpia_done: Mapped[bool | None]
    dpia_reference: Mapped[ShortText]
    start_date: Mapped[dt.date | None]
    approval_date: Mapped[dt.date | None]
    approval_meeting_id: Mapped[str | None] = _ref("meeting")
    review_date: Mapped[dt.date | None] = mapped_column(index=True)
    end_date: Mapped[dt.date | None]
    owner_id: Mapped[str | None] = _ref("person")
    protective_marking: Mapped[ShortText]
    retention: Mapped[LongText]
    rights_arrangements: Mapped[LongText]
    publishable: Mapped[bool | None]
    notes: Mapped[LongText]


class PartyRecord(EntityRecord):
    __tablename__ = "party"
    __entity__ = "party"

    agreement_id: Mapped[str | None] = _ref("agreement")
    organisation_id: Mapped[str | None] = _ref("organisation")
    role: Mapped[ShortText]  # provider / recipient / both
    signatory_id: Mapped[str | None] = _ref("person")
    signed_on: Mapped[dt.date | None]


class LawfulBasisRecord(EntityRecord):
    __tablename__ = "lawful_basis"
    __entity__ = "lawful_basis"

    agreement_id: Mapped[str | None] = _ref("agreement")
    party_id: Mapped[str | None] = _ref("party")
    purpose: Mapped[LongText]
    article_6: Mapped[ShortText]
    article_9: Mapped[ShortText]
    article_10: Mapped[ShortText]
    dpa_schedule_1: Mapped[ShortText]
    statutory_gateway: Mapped[LongText]
    common_law_duty: Mapped[LongText]


class DataItemRecord(EntityRecord):
    """One thing an agreement shares, with the seven specification fields."""

    __tablename__ = "data_item"
    __entity__ = "data_item"

    agreement_id: Mapped[str | None] = _ref("agreement")
    position: Mapped[Count]
    title: Mapped[ShortText]
    source: Mapped[LongText]
    extract_mechanism: Mapped[LongText]
    destination: Mapped[LongText]
    frequency: Mapped[LongText]
    data_fields: Mapped[LongText]
    purpose: Mapped[LongText]
    safeguards: Mapped[LongText]
    responsible_owner: Mapped[ShortText]
    refresh_schedule: Mapped[ShortText]
    last_received: Mapped[dt.date | None]
    next_due: Mapped[dt.date | None]


class ChecklistRecord(EntityRecord):
    __tablename__ = "checklist"
    __entity__ = "checklist"

    agreement_id: Mapped[str | None] = _ref("agreement")
    template_key: Mapped[ShortText]
    template_version: Mapped[Count]


class ChecklistAnswerRecord(EntityRecord):
    __tablename__ = "checklist_answer"
    __entity__ = "checklist_answer"

    checklist_id: Mapped[str | None] = _ref("checklist")
    item_key: Mapped[ShortText]
    answer: Mapped[ShortText]  # yes / no / partly / not_applicable
    evidence: Mapped[LongText]
    answered_by: Mapped[ShortText]
    answered_on: Mapped[dt.date | None]


class ComplianceReviewRecord(EntityRecord):
    __tablename__ = "compliance_review"
    __entity__ = "compliance_review"

    agreement_id: Mapped[str | None] = _ref("agreement")
    due_on: Mapped[dt.date | None]
    reviewed_on: Mapped[dt.date | None]
    reviewer: Mapped[ShortText]
    supplied_as_agreed: Mapped[ShortText]
    quality_as_agreed: Mapped[ShortText]
    security_kept: Mapped[ShortText]
    incidents: Mapped[LongText]
    still_needed: Mapped[ShortText]
    outcome: Mapped[ShortText]  # continue / amend / terminate
    recommendation: Mapped[LongText]
    meeting_id: Mapped[str | None] = _ref("meeting")


class SignOffRecord(EntityRecord):
    __tablename__ = "sign_off"
    __entity__ = "sign_off"

    agreement_id: Mapped[str | None] = _ref("agreement")
    party_id: Mapped[str | None] = _ref("party")
    text_version: Mapped[ShortText]
    requested_on: Mapped[dt.date | None]
    dpo_reviewed_on: Mapped[dt.date | None]
    signed_by_id: Mapped[str | None] = _ref("person")
    signed_on: Mapped[dt.date | None]


class AttachmentRecord(EntityRecord):
    __tablename__ = "attachment"
    __entity__ = "attachment"

    agreement_id: Mapped[str | None] = _ref("agreement")
    filename: Mapped[ShortText]
    media_type: Mapped[ShortText]
    description: Mapped[LongText]
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    added_on: Mapped[dt.date | None]


class IncidentRecord(EntityRecord):
    __tablename__ = "incident"
    __entity__ = "incident"

    agreement_id: Mapped[str | None] = _ref("agreement")
    kind: Mapped[ShortText]  # breach / near_miss
    occurred_on: Mapped[dt.date | None]
    reported_on: Mapped[dt.date | None]
    description: Mapped[LongText]
    action_taken: Mapped[LongText]
    reported_to_ico: Mapped[bool | None]


class DpiaRecord(EntityRecord):
    __tablename__ = "dpia"
    __entity__ = "dpia"

    agreement_id: Mapped[str | None] = _ref("agreement")
    title: Mapped[ShortText]
    screening: Mapped[LongText]  # JSON: trigger key -> answer
    needed: Mapped[bool | None]
    status: Mapped[ShortText]
    dpo_advice: Mapped[LongText]
    outcome: Mapped[LongText]
    signed_off_by: Mapped[ShortText]
    signed_off_on: Mapped[dt.date | None]


class DpiaRiskRecord(EntityRecord):
    __tablename__ = "dpia_risk"
    __entity__ = "dpia_risk"

    dpia_id: Mapped[str | None] = _ref("dpia")
    description: Mapped[LongText]
    likelihood: Mapped[Count]
    severity: Mapped[Count]
    measures: Mapped[LongText]
    residual_likelihood: Mapped[Count]
    residual_severity: Mapped[Count]


# ------------------------------------------------------------------------------- governance


class GovernanceBodyRecord(EntityRecord):
    __tablename__ = "governance_body"
    __entity__ = "governance_body"

    name: Mapped[ShortText]
    purpose: Mapped[LongText]
    meets: Mapped[ShortText]


class MeetingRecord(EntityRecord):
    __tablename__ = "meeting"
    __entity__ = "meeting"

    body_id: Mapped[str | None] = _ref("governance_body")
    meeting_date: Mapped[dt.date | None] = mapped_column(index=True)
    start_time: Mapped[ShortText]
    location: Mapped[ShortText]
    status: Mapped[ShortText]  # planned / held / cancelled


class PaperRecord(EntityRecord):
    """A Board paper in the layout of the first seed paper."""

    __tablename__ = "paper"
    __entity__ = "paper"

    meeting_id: Mapped[str | None] = _ref("meeting")
    letter: Mapped[ShortText]
    subject: Mapped[ShortText]
    discussion_minutes: Mapped[Count]
    key_issues: Mapped[LongText]
    request: Mapped[LongText]  # what the Board is asked to do
    resource_implications: Mapped[LongText]
    author_name: Mapped[ShortText]
    author_contact: Mapped[ShortText]
    background: Mapped[LongText]
    appendices: Mapped[LongText]  # JSON list of appendix kinds drawn from the register
    protective_marking: Mapped[ShortText]


class DecisionRecord(EntityRecord):
    __tablename__ = "decision"
    __entity__ = "decision"

    meeting_id: Mapped[str | None] = _ref("meeting")
    paper_id: Mapped[str | None] = _ref("paper")
    agreement_id: Mapped[str | None] = _ref("agreement")
    decision: Mapped[LongText]
    outcome: Mapped[ShortText]  # approved / deferred / rejected / noted
    decided_on: Mapped[dt.date | None]


# ------------------------------------------------------------------- use cases, assessments


class UseCaseRecord(EntityRecord):
    __tablename__ = "use_case"
    __entity__ = "use_case"

    title: Mapped[ShortText]
    summary: Mapped[LongText]
    lead_organisation_id: Mapped[str | None] = _ref("organisation")
    stage: Mapped[ShortText] = mapped_column(index=True)
    rag: Mapped[ShortText]
    owner: Mapped[ShortText]
    risks: Mapped[LongText]
    next_steps: Mapped[LongText]


class BenefitRecord(EntityRecord):
    __tablename__ = "benefit"
    __entity__ = "benefit"

    use_case_id: Mapped[str | None] = _ref("use_case")
    measure: Mapped[ShortText]
    unit: Mapped[ShortText]
    baseline: Mapped[ShortText]
    target: Mapped[ShortText]
    actual: Mapped[ShortText]
    measured_on: Mapped[dt.date | None]


class AssessmentRecord(EntityRecord):
    __tablename__ = "assessment"
    __entity__ = "assessment"

    title: Mapped[ShortText]
    kind: Mapped[ShortText]
    description: Mapped[LongText]
    lead: Mapped[ShortText]
    statutory: Mapped[bool | None]
    refresh: Mapped[ShortText]


class LogEntryRecord(EntityRecord):
    """An entry in one of the Intelligence Network's logs."""

    __tablename__ = "log_entry"
    __entity__ = "log_entry"

    kind: Mapped[ShortText] = mapped_column(index=True)  # gap / planned_review / research / barrier
    title: Mapped[ShortText]
    description: Mapped[LongText]
    raised_by: Mapped[ShortText]
    raised_on: Mapped[dt.date | None]
    owner: Mapped[ShortText]
    status: Mapped[ShortText]
    due_on: Mapped[dt.date | None]


# --------------------------------------------------------------------------------- members


class MemberRecord(EntityRecord):
    __tablename__ = "member"
    __entity__ = "member"

    name: Mapped[ShortText]
    email: Mapped[ShortText]
    role: Mapped[ShortText]  # admin / member


class DeviceRecord(EntityRecord):
    __tablename__ = "device"
    __entity__ = "device"

    member_id: Mapped[str | None] = _ref("member")
    name: Mapped[ShortText]
    sign_public_key: Mapped[ShortText]
    box_public_key: Mapped[ShortText]
    fingerprint: Mapped[ShortText]
    added_on: Mapped[dt.date | None]
    revoked_on: Mapped[dt.date | None]


# ------------------------------------------------------------------------------------ links


class AgreementUseCaseLink(LinkRecord):
    __tablename__ = "agreement_use_case"
    __entity__ = "agreement_use_case"
    __ends__ = ("agreement", "use_case")

    left_id: Mapped[str | None] = _ref("agreement")
    right_id: Mapped[str | None] = _ref("use_case")


class AgreementAssessmentLink(LinkRecord):
    __tablename__ = "agreement_assessment"
    __entity__ = "agreement_assessment"
    __ends__ = ("agreement", "assessment")

    left_id: Mapped[str | None] = _ref("agreement")
    right_id: Mapped[str | None] = _ref("assessment")


class AssessmentDataItemLink(LinkRecord):
    __tablename__ = "assessment_data_item"
    __entity__ = "assessment_data_item"
    __ends__ = ("assessment", "data_item")

    left_id: Mapped[str | None] = _ref("assessment")
    right_id: Mapped[str | None] = _ref("data_item")


class UseCasePartnerLink(LinkRecord):
    __tablename__ = "use_case_partner"
    __entity__ = "use_case_partner"
    __ends__ = ("use_case", "organisation")

    left_id: Mapped[str | None] = _ref("use_case")
    right_id: Mapped[str | None] = _ref("organisation")


# ---------------------------------------------------------------------- the operation log


class OperationRecord(Base):
    """One operation of the append-only log: audit trail, undo/redo and sync unit at once."""

    __tablename__ = "operation"
    __table_args__ = (
        Index("ix_operation_target", "entity", "record_id", "field"),
        Index("ix_operation_batch", "batch_id"),
        Index("ix_operation_origin", "device", "hlc"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(String(36), unique=True)
    batch_id: Mapped[str] = mapped_column(String(36))
    hlc: Mapped[int] = mapped_column(Integer)
    device: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(80))
    field: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(Text)  # JSON
    bases: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of op ids it supersedes
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


class BatchRecord(Base):
    """A batch of operations: what one save, import or undo wrote."""

    __tablename__ = "batch"

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hlc: Mapped[int] = mapped_column(Integer)
    device: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(200))
    label: Mapped[str] = mapped_column(String(200))
    undoes: Mapped[str | None] = mapped_column(String(36))


class FieldStateRecord(Base):
    """The winning operation of each field: last writer by (clock, device)."""

    __tablename__ = "field_state"

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    field: Mapped[str] = mapped_column(String(60), primary_key=True)
    op_id: Mapped[str] = mapped_column(String(36))
    hlc: Mapped[int] = mapped_column(Integer)
    device: Mapped[str] = mapped_column(String(64))


class FieldHeadRecord(Base):
    """Operations on a field that no later operation superseded; two or more is a conflict."""

    __tablename__ = "field_head"

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    field: Mapped[str] = mapped_column(String(60), primary_key=True)
    op_id: Mapped[str] = mapped_column(String(36), primary_key=True)


class OperationBaseRecord(Base):
    """Edge from an operation to one it superseded (its author had seen it)."""

    __tablename__ = "operation_base"

    op_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    base_op_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)


class RecordStateRecord(Base):
    """The latest operation touching a record: decides whether it is live or deleted."""

    __tablename__ = "record_state"
    __table_args__ = (
        # the records ever deleted, few beside the rest: conflicts look for them after each sync
        Index(
            "ix_record_state_deleted",
            "entity",
            "kind",
            "record_id",
            sqlite_where=text("deleted_hlc IS NOT NULL"),
        ),  # fmt: skip
    )

    entity: Mapped[str] = mapped_column(String(40), primary_key=True)
    record_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    hlc: Mapped[int] = mapped_column(Integer)
    device: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    created_op: Mapped[str | None] = mapped_column(String(36))
    created_hlc: Mapped[int | None] = mapped_column(Integer)
    created_device: Mapped[str | None] = mapped_column(String(64))
    deleted_hlc: Mapped[int | None] = mapped_column(Integer)
    alive_hlc: Mapped[int | None] = mapped_column(Integer)


class MetaRecord(Base):
    """Key/value facts about the register itself (name, id, clock)."""

    __tablename__ = "register_meta"
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


ENTITY_RECORDS: dict[str, type[EntityRecord] | type[LinkRecord]] = {
    cls.__entity__: cls
    for cls in (
        OrganisationRecord,
        PersonRecord,
        AgreementRecord,
        PartyRecord,
        LawfulBasisRecord,
        DataItemRecord,
        ChecklistRecord,
        ChecklistAnswerRecord,
        ComplianceReviewRecord,
        SignOffRecord,
        AttachmentRecord,
        IncidentRecord,
        DpiaRecord,
        DpiaRiskRecord,
        GovernanceBodyRecord,
        MeetingRecord,
        PaperRecord,
        DecisionRecord,
        UseCaseRecord,
        BenefitRecord,
        AssessmentRecord,
        LogEntryRecord,
        MemberRecord,
        DeviceRecord,
        AgreementUseCaseLink,
        AgreementAssessmentLink,
        AssessmentDataItemLink,
        UseCasePartnerLink,
    )
}
"""Every materialised kind of record by its entity name (the name operations use)."""
