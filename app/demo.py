"""The demo partnership: a whole register of realistic content, written as one batch."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from importlib import resources
from typing import Any

from sqlalchemy import Date, func, select

from app.errors import RegisterError
from app.oplog import model_for, new_id
from app.organisations import normalise_name
from app.register import Changes, Register
from db.models import AgreementRecord

DEMO_PASSPHRASE = "demo register passphrase"
"""The passphrase of the demo register that the first-run screen creates (and tells users)."""

DEMO_FILES = ("partnership.json", "agreements_suffolk.json", "agreements_worcestershire.json")

NESTED: dict[str, dict[str, str]] = {
    "governance_body": {"meetings": "meeting"},
    "meeting": {"papers": "paper", "decisions": "decision"},
    "use_case": {"benefits": "benefit"},
    "agreement": {
        "parties": "party",
        "lawful_bases": "lawful_basis",
        "items": "data_item",
        "checklists": "checklist",
        "compliance_reviews": "compliance_review",
        "incidents": "incident",
        "sign_offs": "sign_off",
    },
    "checklist": {"answers": "checklist_answer"},
}
"""Lists inside a record of the demo files, and the kind of record each holds."""

TOP_LEVEL: dict[str, str] = {
    "organisations": "organisation",
    "people": "person",
    "governance_bodies": "governance_body",
    "assessments": "assessment",
    "use_cases": "use_case",
    "agreements": "agreement",
    "log_entries": "log_entry",
}

PARENT_FIELD: dict[str, str] = {"meeting": "body_id"}
"""The field that points a nested record at its parent, where it is not `<parent>_id`."""

LINKS: dict[tuple[str, str], tuple[str, bool]] = {
    ("agreement", "use_cases"): ("agreement_use_case", True),
    ("agreement", "assessments"): ("agreement_assessment", True),
    ("data_item", "assessments"): ("assessment_data_item", False),
    ("use_case", "partners"): ("use_case_partner", True),
}
"""Lists of keys that become links: (entity, list) -> (link kind, record is the left end)."""


class DemoNotEmptyError(RegisterError):
    def __init__(self) -> None:
        super().__init__(
            "This register already holds agreements; the demo partnership goes into a new, "
            "empty register. Choose a new folder for the demo."
        )


@dataclass(frozen=True)
class DemoSummary:
    """How many records of each kind the demo wrote."""

    organisations: int = 0
    people: int = 0
    agreements: int = 0
    parties: int = 0
    lawful_bases: int = 0
    data_items: int = 0
    checklists: int = 0
    checklist_answers: int = 0
    compliance_reviews: int = 0
    incidents: int = 0
    sign_offs: int = 0
    governance_bodies: int = 0
    meetings: int = 0
    papers: int = 0
    decisions: int = 0
    use_cases: int = 0
    benefits: int = 0
    assessments: int = 0
    log_entries: int = 0
    links: int = 0

    def __str__(self) -> str:
        shown = (
            f"{getattr(self, f.name)} {f.name.replace('_', ' ')}"
            for f in fields(self)
            if getattr(self, f.name)
        )
        return ", ".join(shown)


_SUMMARY_FIELD = {
    "organisation": "organisations",
    "person": "people",
    "agreement": "agreements",
    "party": "parties",
    "lawful_basis": "lawful_bases",
    "data_item": "data_items",
    "checklist": "checklists",
    "checklist_answer": "checklist_answers",
    "compliance_review": "compliance_reviews",
    "incident": "incidents",
    "sign_off": "sign_offs",
    "governance_body": "governance_bodies",
    "meeting": "meetings",
    "paper": "papers",
    "decision": "decisions",
    "use_case": "use_cases",
    "benefit": "benefits",
    "assessment": "assessments",
    "log_entry": "log_entries",
}


def load_demo_content() -> dict[str, list[dict[str, Any]]]:
    """The demo files merged: each top-level list of records, in file order."""
    merged: dict[str, list[dict[str, Any]]] = {}
    folder = resources.files("resources.demo")
    for name in DEMO_FILES:
        data = json.loads(folder.joinpath(name).read_text(encoding="utf-8"))
        for collection, records in data.items():
            if collection not in TOP_LEVEL:
                raise ValueError(f"{name}: unknown list {collection!r}")
            merged.setdefault(collection, []).extend(records)
    return merged


def build_demo(register: Register, today: dt.date | None = None) -> DemoSummary:
    """Write the demo partnership into an empty register, dates relative to `today`."""
    today = today or dt.date.today()
    content = load_demo_content()
    ids = {key: new_id() for key in _keys(content)}

    def build(changes: Changes) -> Counter[str]:
        existing = changes.session.scalar(
            select(func.count()).select_from(AgreementRecord).where(AgreementRecord.is_live)
        )
        if existing:
            raise DemoNotEmptyError()
        writer = _Writer(changes, ids, today)
        for collection, entity in TOP_LEVEL.items():
            for spec in content.get(collection, []):
                writer.write(entity, spec, parent=None)
        return writer.counts

    counts = register.write("Demo partnership", build, undoable=False)
    return DemoSummary(
        **{_SUMMARY_FIELD[entity]: n for entity, n in counts.items() if entity in _SUMMARY_FIELD},
        links=sum(n for entity, n in counts.items() if entity not in _SUMMARY_FIELD),
    )


def _keys(node: Any) -> Iterator[str]:
    """Every record key in the demo content, each once (a repeated key is a mistake)."""
    seen: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            key = item.get("key")
            if isinstance(key, str):
                if key in seen:
                    raise ValueError(f"demo content: key {key!r} is used twice")
                seen.add(key)
                yield key
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


class _Writer:
    """Turns the demo files' records into create and link operations."""

    def __init__(self, changes: Changes, ids: Mapping[str, str], today: dt.date) -> None:
        self.changes = changes
        self.ids = ids
        self.today = today
        self.counts: Counter[str] = Counter()

    def write(self, entity: str, spec: Mapping[str, Any], parent: tuple[str, str] | None) -> None:
        spec = dict(spec)
        record_id = self.ids[spec.pop("key")] if "key" in spec else new_id()
        nested = NESTED.get(entity, {})
        children = {nested[name]: spec.pop(name) for name in list(spec) if name in nested}
        links = {name: spec.pop(name) for name in list(spec) if (entity, name) in LINKS}
        inherited: dict[str, Any] = {}
        if entity == "checklist":
            # answers are written compactly as [item key, answer, evidence]; null = not yet answered
            inherited = {name: spec.pop(name) for name in ("answered_by", "answered_on")}
        values = {name: self._value(entity, name, value) for name, value in spec.items()}
        if parent is not None:
            parent_entity, parent_id = parent
            values[PARENT_FIELD.get(entity, f"{parent_entity}_id")] = parent_id
        if entity == "organisation":
            values["name_key"] = normalise_name(values["name"])
        self.changes.create(entity, values, record_id=record_id)
        self.counts[entity] += 1
        for name, keys in links.items():
            link, left = LINKS[(entity, name)]
            for key in keys:
                ends = (record_id, self.ids[key]) if left else (self.ids[key], record_id)
                self.changes.link(link, *ends)
                self.counts[link] += 1
        for child, records in children.items():
            for position, record in enumerate(records, start=1):
                if child == "checklist_answer" and isinstance(record, list):
                    item_key, answer, evidence = record
                    record = {"item_key": item_key, "answer": answer, "evidence": evidence}
                    if answer is not None:
                        record.update(inherited)
                if child == "data_item":
                    record = {"position": position, **record}
                self.write(child, record, parent=(entity, record_id))

    def _value(self, entity: str, name: str, value: Any) -> Any:
        if name.endswith("_id") and isinstance(value, str):
            return self.ids[value]
        column = model_for(entity).__table__.columns.get(name)
        if column is not None and isinstance(column.type, Date) and isinstance(value, int):
            return self.today + dt.timedelta(days=value)
        if isinstance(value, list):
            return json.dumps(value)
        return value
