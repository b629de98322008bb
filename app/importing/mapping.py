"""Mapping spreadsheet columns to register fields: targets, synonyms, and named profiles."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from app.domain import ChecklistAnswer
from app.errors import RegisterError
from app.files import write_atomically
from app.importing.header import Table, match_heading
from app.importing.vocabulary import key_of
from app.logs import LOG_KIND_LABELS
from app.meetings import DECISION_OUTCOME_LABELS, MEETING_STATUS_LABELS
from app.paths import data_dir
from app.use_cases import RAG_LABELS, STAGE_LABELS

PROFILE_DIR_NAME = "profiles"
PROFILE_MATCH_SHARE = 0.6


@dataclass(frozen=True)
class Target:
    """A register field a column can fill, with how its cells are read."""

    name: str  # e.g. "agreement.status", "item.source"
    label: str
    kind: str  # text, date, bool, reference, owner, orgs, org, person, frequency, duration, int,
    # "list:<name>" for a controlled list of synonyms.json, "choice:<name>" for one of CHOICES,
    # and, in a register's own export: "id" (the record's id), "ref:<entity>" (another record
    # by its label) and "refs:<entity>" (records linked to this one, by their labels)


def _t(name: str, label: str, kind: str = "text") -> Target:
    return Target(name, label, kind)


CHOICES: dict[str, dict[str, str]] = {
    "meeting_status": MEETING_STATUS_LABELS,
    "decision_outcome": DECISION_OUTCOME_LABELS,
    "log_kind": LOG_KIND_LABELS,
    "stage": STAGE_LABELS,
    "rag": {code: label.upper() for code, label in RAG_LABELS.items()},
    "answer": {a.value: a.value.replace("_", " ").capitalize() for a in ChecklistAnswer},
    "review_outcome": {"continue": "Continue", "amend": "Amend", "terminate": "Terminate"},
    "incident_kind": {"breach": "Breach", "near_miss": "Near miss"},
}
"""Controlled values of the records only the register's own export carries: code -> label."""


def _record_targets(family: str, fields: str) -> tuple[Target, ...]:
    """Targets of one kind of record: "name:label:kind" per field, kind text when left out."""
    targets = [_t(f"{family}.record_id", "Register id", "id")]
    for spec in fields.split("|"):
        name, label, *kind = (part.strip() for part in spec.split(":", 2))
        targets.append(_t(f"{family}.{name}", label, kind[0] if kind else "text"))
    return tuple(targets)


_RECORD_TARGETS = (
    *_record_targets("governance_body", "name:Governance body | purpose:Purpose | meets:Meets"),
    *_record_targets("meeting", "body:Body:ref:governance_body | meeting_date:Meeting date:date |"
                     "start_time:Start time | location:Location |"
                     "status:Meeting status:choice:meeting_status"),
    *_record_targets("paper", "meeting:Meeting:ref:meeting | letter:Letter | subject:Subject |"
                     "discussion_minutes:Time for discussion (minutes):int |"
                     "key_issues:Key issues | request:What the Board is asked to do |"
                     "resource_implications:Resource implications | author_name:Author |"
                     "author_contact:Author contact | background:Background |"
                     "appendices:Appendices | protective_marking:Protective marking"),
    *_record_targets("decision", "meeting:Meeting:ref:meeting | paper:Paper:ref:paper |"
                     "agreement:Agreement reference:ref:agreement | decision:Decision |"
                     "outcome:Outcome:choice:decision_outcome | decided_on:Decided on:date"),
    *_record_targets("use_case", "title:Use case | summary:Summary |"
                     "lead_organisation:Lead organisation:ref:organisation |"
                     "stage:Stage:choice:stage | rag:RAG:choice:rag | owner:Owner | risks:Risks |"
                     "next_steps:Next steps | partners:Partner organisations:refs:organisation"),
    *_record_targets("benefit", "use_case:Use case:ref:use_case | measure:Measure | unit:Unit |"
                     "baseline:Baseline | target:Target | actual:Actual |"
                     "measured_on:Measured on:date"),
    *_record_targets("assessment", "title:Assessment | kind:Kind | description:Description |"
                     "lead:Lead | statutory:Statutory:bool | refresh:Refresh"),
    *_record_targets("log_entry", "kind:Log:choice:log_kind | title:Title |"
                     "description:Description | raised_by:Raised by | raised_on:Raised on:date |"
                     "owner:Owner | status:Status | due_on:Due:date"),
    *_record_targets("sign_off", "agreement:Agreement reference:ref:agreement |"
                     "party:Party:ref:party | text_version:Text version |"
                     "requested_on:Requested on:date | dpo_reviewed_on:DPO reviewed on:date |"
                     "signed_by:Signed by:ref:person | signed_on:Signed on:date"),
    *_record_targets("checklist", "agreement:Agreement reference:ref:agreement |"
                     "template_key:Template | template_version:Template version:int"),
    *_record_targets("checklist_answer", "agreement:Agreement reference:ref:agreement |"
                     "checklist:Checklist:ref:checklist | item_key:Item |"
                     "answer:Answer:choice:answer | evidence:Evidence | answered_by:Answered by |"
                     "answered_on:Answered on:date"),
    *_record_targets("compliance_review", "agreement:Agreement reference:ref:agreement |"
                     "due_on:Due on:date | reviewed_on:Reviewed on:date | reviewer:Reviewer |"
                     "supplied_as_agreed:Data supplied as agreed |"
                     "quality_as_agreed:Quality as agreed |"
                     "security_kept:Security arrangements kept |"
                     "incidents:Incidents | still_needed:Still needed |"
                     "outcome:Outcome:choice:review_outcome |"
                     "recommendation:Recommendation to the Board | meeting:Meeting:ref:meeting"),
    *_record_targets("incident", "agreement:Agreement reference:ref:agreement |"
                     "kind:Kind of incident:choice:incident_kind | occurred_on:Occurred on:date |"
                     "reported_on:Reported on:date | description:Description |"
                     "action_taken:Action taken | reported_to_ico:Reported to the ICO:bool"),
    *_record_targets("dpia", "agreement:Agreement reference:ref:agreement | title:DPIA |"
                     "screening:Screening | needed:DPIA needed:bool | status:Status |"
                     "dpo_advice:DPO advice | outcome:Outcome | signed_off_by:Signed off by |"
                     "signed_off_on:Signed off on:date"),
    *_record_targets("dpia_risk", "agreement:Agreement reference:ref:agreement |"
                     "dpia:DPIA:ref:dpia | description:Risk | likelihood:Likelihood:int |"
                     "severity:Severity:int | measures:Measures |"
                     "residual_likelihood:Residual likelihood:int |"
                     "residual_severity:Residual severity:int"),
)  # fmt: skip


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        _t("agreement.reference", "Reference", "reference"),
        _t("agreement.title", "Title"),
        _t("agreement.category", "Category", "list:category"),
        _t("agreement.status", "Status", "list:status"),
        _t("agreement.agreement_type", "Type of agreement", "list:agreement_type"),
        _t(
            "agreement.controller_relationship",
            "Controller relationship",
            "list:controller_relationship",
        ),
        _t("agreement.summary", "Summary"),
        _t("agreement.dpia_needed", "DPIA needed", "bool"),
        _t("agreement.dpia_done", "DPIA done", "bool"),
        _t("agreement.dpia_reference", "DPIA reference"),
        _t("agreement.start_date", "Start date", "date"),
        _t("agreement.approval_date", "Board approval date", "date"),
        _t("agreement.review_date", "Next review", "date"),
        _t("agreement.end_date", "End date", "date"),
        _t("agreement.owner", "Owner", "person"),
        _t("agreement.protective_marking", "Protective marking"),
        _t("agreement.retention", "Retention and disposal", "duration"),
        _t("agreement.rights_arrangements", "Individuals' rights arrangements"),
        _t("agreement.publishable", "Publish in transparency register", "bool"),
        _t("agreement.notes", "Notes"),
        _t("party.organisations", "Partner organisations (role: both)", "orgs"),
        _t("party.providers", "Providing organisations", "orgs"),
        _t("party.recipients", "Receiving organisations", "orgs"),
        _t("party.organisation", "Party organisation", "org"),
        _t("party.role", "Party role", "list:role"),
        _t("party.signatory", "Party signatory", "person"),
        _t("party.signed_on", "Party signed on", "date"),
        _t("basis.party", "Lawful basis: party", "org"),
        _t("basis.purpose", "Lawful basis: purpose"),
        _t("basis.article_6", "UK GDPR Article 6"),
        _t("basis.article_9", "UK GDPR Article 9"),
        _t("basis.article_10", "UK GDPR Article 10"),
        _t("basis.dpa_schedule_1", "DPA 2018 Schedule 1"),
        _t("basis.statutory_gateway", "Statutory gateway"),
        _t("basis.common_law_duty", "Common law duty of confidentiality"),
        _t("item.title", "Data item"),
        _t("item.position", "Data item number", "int"),
        _t("item.source", "Source of data"),
        _t("item.extract_mechanism", "Mechanism for securing data extract"),
        _t("item.destination", "Where data is sent to"),
        _t("item.frequency", "Frequency of reporting", "frequency"),
        _t("item.data_fields", "Which data fields are included"),
        _t("item.purpose", "The purpose for which data will be used"),
        _t("item.safeguards", "Security / safeguarding arrangements"),
        _t("item.responsible_owner", "Responsible owner"),
        _t("item.refresh_schedule", "Refresh schedule"),
        _t("item.last_received", "Last received", "date"),
        _t("item.next_due", "Next due", "date"),
        _t("organisation.name", "Organisation name", "org"),
        _t("organisation.org_type", "Organisation type", "list:org_type"),
        _t("organisation.code", "ODS code"),
        _t("organisation.ico_registration", "ICO registration"),
        _t("organisation.dpo_name", "DPO name"),
        _t("organisation.dpo_email", "DPO email"),
        _t("organisation.dpo_phone", "DPO phone"),
        _t("organisation.charter_endorsed", "Charter endorsed", "bool"),
        _t("organisation.charter_endorsed_on", "Charter endorsed on", "date"),
        _t("organisation.protocol_signed", "Protocol signed", "bool"),
        _t("organisation.protocol_signed_on", "Protocol signed on", "date"),
        _t("organisation.assurance_notes", "Assurance notes"),
        _t("person.name", "Person's name"),
        _t("person.role", "Person's role"),
        _t("person.organisation", "Person's organisation", "org"),
        _t("person.email", "Person's email"),
        _t("person.phone", "Person's phone"),
        # what only a register's own export carries
        _t("organisation.record_id", "Register id", "id"),
        _t("person.record_id", "Register id", "id"),
        _t("agreement.record_id", "Register id", "id"),
        _t("agreement.approval_meeting", "Approved at meeting", "ref:meeting"),
        _t("agreement.use_cases", "Use cases", "refs:use_case"),
        _t("agreement.assessments", "Assessments", "refs:assessment"),
        _t("party.record_id", "Register id", "id"),
        _t("basis.record_id", "Register id", "id"),
        _t("item.record_id", "Register id", "id"),
        _t("item.assessments", "Needed by assessments", "refs:assessment"),
        *_RECORD_TARGETS,
    )
}
"""Every field an import can fill, by target name."""

EXPORT_ONLY_KINDS = ("id", "ref:", "refs:")
"""Kinds of target that only a register's own export fills (ids and records by their labels)."""

SPREADSHEET_TARGETS = tuple(
    name for name in TARGETS if name.split(".")[0] in ("agreement", "party", "basis", "item")
    and name not in ("party.organisation", "party.role", "party.signatory", "party.signed_on",
                     "basis.party")
    and not TARGETS[name].kind.startswith(EXPORT_ONLY_KINDS)
)  # fmt: skip
"""The targets offered when mapping a register spreadsheet (one row: agreement and its parts)."""


class ProfileError(RegisterError):
    """A profile is missing, unreadable or names fields the register does not have."""


@dataclass(frozen=True)
class ColumnMapping:
    index: int
    heading: str
    target: str | None  # None: the column is not imported


@dataclass(frozen=True)
class Mapping:
    """Which register field each column fills, plus constant values and grouping."""

    columns: tuple[ColumnMapping, ...]
    group_by_reference: bool = False
    defaults: tuple[tuple[str, str], ...] = ()  # (target, value) used when a row leaves it empty
    profile: str | None = None

    def targets(self) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        for column in self.columns:
            if column.target is not None:
                found.setdefault(column.target, []).append(column.index)
        return found

    def target_of(self, heading: str) -> str | None:
        for column in self.columns:
            if column.heading == heading:
                return column.target
        raise KeyError(heading)

    def with_target(self, heading: str, target: str | None) -> Mapping:
        """The mapping with `heading`'s column sent to `target` (None: not imported)."""
        if target is not None and target not in TARGETS:
            raise ProfileError(f"'{target}' is not a register field an import can fill.")
        if heading not in {c.heading for c in self.columns}:
            raise ProfileError(f"There is no column '{heading}' in this sheet.")
        return replace(
            self,
            columns=tuple(
                replace(c, target=target) if c.heading == heading else c for c in self.columns
            ),
        )

    def with_defaults(self, **values: str) -> Mapping:
        merged = dict(self.defaults)
        merged.update({k.replace("__", "."): v for k, v in values.items()})
        return replace(self, defaults=tuple(sorted(merged.items())))


@dataclass(frozen=True)
class Profile:
    """A saved mapping: heading key -> target (None ignores), grouping and constant values."""

    name: str
    description: str = ""
    columns: dict[str, str | None] = field(default_factory=dict)
    group_by_reference: bool = False
    defaults: dict[str, str] = field(default_factory=dict)
    shipped: bool = False

    def coverage(self, table: Table) -> float:
        if not self.columns:
            return 0.0
        keys = {key_of(h) for h in table.headers}
        return sum(1 for k in self.columns if k in keys) / len(self.columns)


def _profile_from_json(data: dict[str, Any], shipped: bool, where: str) -> Profile:
    try:
        columns = {key_of(k): v for k, v in dict(data.get("columns", {})).items()}
        defaults = {str(k): str(v) for k, v in dict(data.get("defaults", {})).items()}
        profile = Profile(
            name=str(data["name"]),
            description=str(data.get("description", "")),
            columns=columns,
            group_by_reference=bool(data.get("group_by_reference", False)),
            defaults=defaults,
            shipped=shipped,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ProfileError(f"The import profile {where} is not valid ({exc}).") from exc
    named = {t for t in profile.columns.values() if t is not None} | set(profile.defaults)
    unknown = sorted(named - set(TARGETS))
    if unknown:
        names = ", ".join(unknown)
        raise ProfileError(f"The import profile {where} names unknown fields: {names}.")
    return profile


def user_profile_dir() -> Path:
    return data_dir() / PROFILE_DIR_NAME


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not slug:
        raise ProfileError("Give the profile a name with at least one letter or digit.")
    return slug


def shipped_profiles() -> list[Profile]:
    folder = resources.files("resources.importing.profiles")
    found = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".json"):
            data = json.loads(entry.read_text(encoding="utf-8"))
            found.append(_profile_from_json(data, True, entry.name))
    return found


@dataclass(frozen=True)
class UserProfiles:
    """The person's own profiles, and a note naming each profile file that could not be used."""

    profiles: tuple[Profile, ...] = ()
    skipped: tuple[str, ...] = ()


def _read_user_profile(path: Path) -> Profile:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # ValueError: bad JSON or not UTF-8
        raise ProfileError(f"The import profile {path} cannot be read ({exc}).") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"The import profile {path} is not valid (it holds no settings).")
    return _profile_from_json(data, False, str(path))


def user_profiles() -> UserProfiles:
    """The profiles saved in the person's profile folder; damaged files are skipped and named."""
    folder = user_profile_dir()
    try:
        paths = sorted(folder.glob("*.json")) if folder.is_dir() else []
    except OSError as exc:
        return UserProfiles(skipped=(f"The import profiles folder {folder} cannot be read "
                                     f"({exc}); your own profiles are not offered.",))  # fmt: skip
    found: list[Profile] = []
    skipped: list[str] = []
    for path in paths:
        try:
            found.append(_read_user_profile(path))
        except ProfileError as exc:
            skipped.append(f"{exc.message} It was skipped: correct or remove the file.")
    return UserProfiles(tuple(found), tuple(skipped))


def list_profiles() -> list[Profile]:
    """Every profile: the user's own first (they may replace a shipped one of the same name)."""
    mine = list(user_profiles().profiles)
    names = {p.name for p in mine}
    return mine + [p for p in shipped_profiles() if p.name not in names]


def load_profile(name: str) -> Profile:
    for profile in list_profiles():
        if profile.name == name or _slug(profile.name) == _slug(name):
            return profile
    known = ", ".join(p.name for p in list_profiles())
    raise ProfileError(f"There is no import profile called '{name}'. Known profiles: {known}.")


def save_profile(name: str, mapping: Mapping, description: str = "") -> Path:
    """Save `mapping` as the user's profile `name`; returns the file written."""
    data = {
        "name": name,
        "description": description,
        "columns": {c.heading: c.target for c in mapping.columns},
        "group_by_reference": mapping.group_by_reference,
        "defaults": dict(mapping.defaults),
    }
    folder = user_profile_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ProfileError(f"Cannot create the profiles folder {folder}: {exc}") from exc
    path = folder / f"{_slug(name)}.json"
    write_atomically(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())
    return path


def best_profile(table: Table) -> Profile | None:
    """The profile whose headings this table carries best (at least 60% of them), if any."""
    best: tuple[float, Profile] | None = None
    for profile in list_profiles():
        share = profile.coverage(table)
        if (
            share >= PROFILE_MATCH_SHARE
            and len(profile.columns) >= 3
            and (best is None or share > best[0])
        ):
            best = (share, profile)
    return None if best is None else best[1]


def propose_mapping(table: Table, profile: str | Profile | None = None) -> Mapping:
    """A mapping for `table`: the named profile (or the best-fitting one), then synonyms."""
    chosen = load_profile(profile) if isinstance(profile, str) else profile
    if chosen is None:
        chosen = best_profile(table)
    columns = []
    used_single: set[str] = set()
    for index, heading in enumerate(table.headers):
        key = key_of(heading)
        target: str | None
        if chosen is not None and key in chosen.columns:
            target = chosen.columns[key]
        else:
            target = match_heading(heading)
        if (
            target is not None
            and TARGETS[target].kind not in ("text", "orgs")
            and (target in used_single)
        ):
            target = None  # a second status or date column is left for the user to place
        if target is not None:
            used_single.add(target)
        columns.append(ColumnMapping(index, heading, target))
    if chosen is None:
        return Mapping(tuple(columns))
    return Mapping(
        tuple(columns),
        group_by_reference=chosen.group_by_reference,
        defaults=tuple(sorted(chosen.defaults.items())),
        profile=chosen.name,
    )
