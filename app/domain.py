"""Domain vocabulary: controlled values, the seven specification fields, and frozen records."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    NEGOTIATION = "negotiation"
    AWAITING_APPROVAL = "awaiting_approval"
    ACTIVE = "active"
    UNDER_REVIEW = "under_review"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    TERMINATED = "terminated"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


STATUS_TRANSITIONS: dict[AgreementStatus, frozenset[AgreementStatus]] = {
    AgreementStatus.DRAFT: frozenset({AgreementStatus.NEGOTIATION, AgreementStatus.TERMINATED}),
    AgreementStatus.NEGOTIATION: frozenset(
        {AgreementStatus.DRAFT, AgreementStatus.AWAITING_APPROVAL, AgreementStatus.TERMINATED}
    ),
    AgreementStatus.AWAITING_APPROVAL: frozenset(
        {AgreementStatus.NEGOTIATION, AgreementStatus.ACTIVE, AgreementStatus.TERMINATED}
    ),
    AgreementStatus.ACTIVE: frozenset(
        {
            AgreementStatus.UNDER_REVIEW,
            AgreementStatus.SUSPENDED,
            AgreementStatus.EXPIRED,
            AgreementStatus.TERMINATED,
        }
    ),
    AgreementStatus.UNDER_REVIEW: frozenset(
        {
            AgreementStatus.ACTIVE,
            AgreementStatus.SUSPENDED,
            AgreementStatus.EXPIRED,
            AgreementStatus.TERMINATED,
        }
    ),
    AgreementStatus.SUSPENDED: frozenset(
        {AgreementStatus.ACTIVE, AgreementStatus.UNDER_REVIEW, AgreementStatus.TERMINATED}
    ),
    AgreementStatus.EXPIRED: frozenset({AgreementStatus.UNDER_REVIEW}),
    AgreementStatus.TERMINATED: frozenset(),
}
"""Which status may follow which (the Board's lifecycle of an agreement)."""


class Category(StrEnum):
    AGGREGATED = "aggregated"
    PERSONAL = "personal"

    @property
    def label(self) -> str:
        return {
            "aggregated": "Aggregated (reports, indicators, research, surveys)",
            "personal": "Personal-level data exchange",
        }[self.value]


class PartyRole(StrEnum):
    PROVIDER = "provider"
    RECIPIENT = "recipient"
    BOTH = "both"


class AgreementType(StrEnum):
    PROTOCOL = "information_sharing_protocol"
    DSA = "data_sharing_agreement"
    DISCLOSURE = "one_way_disclosure_agreement"
    JOINT_CONTROLLER = "joint_controller_agreement"
    MOU = "memorandum_of_understanding"
    PROCESSOR = "processor_contract"


class ControllerRelationship(StrEnum):
    SEPARATE = "separate"
    JOINT = "joint"
    PROCESSOR = "processor"


class OrganisationType(StrEnum):
    COUNTY_COUNCIL = "county_council"
    DISTRICT_COUNCIL = "district_council"
    NHS_TRUST = "nhs_trust"
    ICB = "icb"
    GP_PRACTICE = "gp_practice"
    POLICE = "police"
    FIRE_AND_RESCUE = "fire_and_rescue"
    VOLUNTARY_SECTOR = "voluntary_sector"
    CENTRAL_GOVERNMENT = "central_government"
    OTHER = "other"


class UseCaseStage(StrEnum):
    PROPOSED = "proposed"
    PRIORITISED = "prioritised"
    DESIGN = "design"
    IMPLEMENTATION = "implementation"
    LIVE = "live"
    EVALUATED = "evaluated"
    CLOSED = "closed"


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class LogKind(StrEnum):
    GAP = "gap"
    PLANNED_REVIEW = "planned_review"
    RESEARCH = "research"
    BARRIER = "barrier"


class ChecklistAnswer(StrEnum):
    YES = "yes"
    NO = "no"
    PARTLY = "partly"
    NOT_APPLICABLE = "not_applicable"


SPEC_FIELDS: tuple[tuple[str, str], ...] = (
    ("source", "Source of data"),
    ("extract_mechanism", "Mechanism for securing data extract"),
    ("destination", "Where data is sent to"),
    ("frequency", "Frequency of reporting"),
    ("data_fields", "Which data fields are included"),
    ("purpose", "The purpose for which data will be used"),
    ("safeguards", "Security / safeguarding arrangements"),
)
"""The seven specification fields of a data item: exact keys and labels, everywhere."""

SPEC_KEYS: tuple[str, ...] = tuple(key for key, _ in SPEC_FIELDS)

AGREEMENT_FIELD_LABELS: dict[str, str] = {
    "reference": "Reference",
    "title": "Title",
    "category": "Category",
    "status": "Status",
    "agreement_type": "Type of agreement",
    "controller_relationship": "Controller relationship",
    "summary": "Summary",
    "dpia_needed": "DPIA needed",
    "dpia_done": "DPIA done",
    "dpia_reference": "DPIA reference",
    "start_date": "Start date",
    "approval_date": "Board approval date",
    "approval_meeting_id": "Approved at meeting",
    "review_date": "Next review",
    "end_date": "End date",
    "owner_id": "Owner",
    "protective_marking": "Protective marking",
    "retention": "Retention and disposal",
    "rights_arrangements": "Individuals' rights arrangements",
    "publishable": "Publish in transparency register",
    "notes": "Notes",
}

DEFAULT_REVIEW_INTERVAL = dt.timedelta(days=365)


@dataclass(frozen=True)
class DataItem:
    """One thing an agreement shares, with its seven specification fields."""

    id: str
    agreement_id: str
    position: int
    title: str
    source: str
    extract_mechanism: str
    destination: str
    frequency: str
    data_fields: str
    purpose: str
    safeguards: str
    responsible_owner: str
    refresh_schedule: str
    last_received: dt.date | None
    next_due: dt.date | None

    def spec(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in SPEC_KEYS}


@dataclass(frozen=True)
class Party:
    id: str
    organisation_id: str | None
    organisation: str
    role: str
    signatory_id: str | None
    signatory: str
    signed_on: dt.date | None


@dataclass(frozen=True)
class LawfulBasis:
    id: str
    party_id: str | None
    party: str
    purpose: str
    article_6: str
    article_9: str
    article_10: str
    dpa_schedule_1: str
    statutory_gateway: str
    common_law_duty: str


@dataclass(frozen=True)
class Agreement:
    """An agreement with everything the editor and the JSON output show."""

    id: str
    reference: str
    title: str
    category: str
    status: str
    agreement_type: str
    controller_relationship: str
    summary: str
    dpia_needed: bool | None
    dpia_done: bool | None
    dpia_reference: str
    start_date: dt.date | None
    approval_date: dt.date | None
    review_date: dt.date | None
    end_date: dt.date | None
    owner_id: str | None
    owner: str
    protective_marking: str
    retention: str
    rights_arrangements: str
    publishable: bool | None
    notes: str
    parties: tuple[Party, ...]
    lawful_bases: tuple[LawfulBasis, ...]
    items: tuple[DataItem, ...]
    use_case_ids: tuple[str, ...]
    assessment_ids: tuple[str, ...]


@dataclass(frozen=True)
class AgreementSummary:
    """One row of the agreements table."""

    id: str
    reference: str
    title: str
    category: str
    status: str
    review_date: dt.date | None
    end_date: dt.date | None
    owner: str
    organisations: str
    item_count: int


def format_uk_date(value: dt.date | None) -> str:
    """dd/mm/yyyy, the one date format shown to people."""
    return "" if value is None else value.strftime("%d/%m/%Y")
