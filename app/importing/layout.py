"""The layout of a register exported to xlsx: one sheet per kind of record, shared with import."""

from __future__ import annotations

from dataclasses import dataclass

EXPORT_MARKER = "Information Sharing Register export"
EXPORT_FORMAT = 1
ABOUT_SHEET = "About this export"


@dataclass(frozen=True)
class ExportColumn:
    heading: str
    target: str  # import target (app.importing.mapping.TARGETS)
    width: int = 18


@dataclass(frozen=True)
class SheetLayout:
    name: str
    columns: tuple[ExportColumn, ...]


def _c(heading: str, target: str, width: int = 18) -> ExportColumn:
    return ExportColumn(heading, target, width)


_REF = _c("Agreement reference", "agreement.reference", 18)

SHEETS: tuple[SheetLayout, ...] = (
    SheetLayout("Organisations", (
        _c("Name", "organisation.name", 36),
        _c("Type", "organisation.org_type", 24),
        _c("ODS code", "organisation.code", 12),
        _c("ICO registration", "organisation.ico_registration", 16),
        _c("DPO name", "organisation.dpo_name", 22),
        _c("DPO email", "organisation.dpo_email", 28),
        _c("DPO phone", "organisation.dpo_phone", 16),
        _c("Charter endorsed", "organisation.charter_endorsed", 10),
        _c("Charter endorsed on", "organisation.charter_endorsed_on", 12),
        _c("Protocol signed", "organisation.protocol_signed", 10),
        _c("Protocol signed on", "organisation.protocol_signed_on", 12),
        _c("Assurance notes", "organisation.assurance_notes", 40),
    )),
    SheetLayout("People", (
        _c("Name", "person.name", 24),
        _c("Role", "person.role", 24),
        _c("Organisation", "person.organisation", 36),
        _c("Email", "person.email", 28),
        _c("Phone", "person.phone", 16),
    )),
    SheetLayout("Agreements", (
        _c("Reference", "agreement.reference", 16),
        _c("Title", "agreement.title", 40),
        _c("Category", "agreement.category", 12),
        _c("Status", "agreement.status", 18),
        _c("Type of agreement", "agreement.agreement_type", 26),
        _c("Controller relationship", "agreement.controller_relationship", 22),
        _c("Summary", "agreement.summary", 50),
        _c("DPIA needed", "agreement.dpia_needed", 10),
        _c("DPIA done", "agreement.dpia_done", 10),
        _c("DPIA reference", "agreement.dpia_reference", 14),
        _c("Start date", "agreement.start_date", 12),
        _c("Board approval date", "agreement.approval_date", 12),
        _c("Next review", "agreement.review_date", 12),
        _c("End date", "agreement.end_date", 12),
        _c("Owner", "agreement.owner", 22),
        _c("Protective marking", "agreement.protective_marking", 16),
        _c("Retention and disposal", "agreement.retention", 30),
        _c("Individuals' rights arrangements", "agreement.rights_arrangements", 30),
        _c("Publish in transparency register", "agreement.publishable", 10),
        _c("Notes", "agreement.notes", 40),
    )),
    SheetLayout("Parties", (
        _REF,
        _c("Organisation", "party.organisation", 36),
        _c("Role", "party.role", 12),
        _c("Signatory", "party.signatory", 22),
        _c("Signed on", "party.signed_on", 12),
    )),
    SheetLayout("Lawful bases", (
        _REF,
        _c("Party", "basis.party", 30),
        _c("Purpose", "basis.purpose", 40),
        _c("UK GDPR Article 6", "basis.article_6", 30),
        _c("UK GDPR Article 9", "basis.article_9", 30),
        _c("UK GDPR Article 10", "basis.article_10", 24),
        _c("DPA 2018 Schedule 1", "basis.dpa_schedule_1", 24),
        _c("Statutory gateway", "basis.statutory_gateway", 36),
        _c("Common law duty of confidentiality", "basis.common_law_duty", 30),
    )),
    SheetLayout("Data items", (
        _REF,
        _c("Item number", "item.position", 8),
        _c("Data item", "item.title", 30),
        _c("Source of data", "item.source", 40),
        _c("Mechanism for securing data extract", "item.extract_mechanism", 40),
        _c("Where data is sent to", "item.destination", 40),
        _c("Frequency of reporting", "item.frequency", 20),
        _c("Which data fields are included", "item.data_fields", 40),
        _c("The purpose for which data will be used", "item.purpose", 40),
        _c("Security / safeguarding arrangements", "item.safeguards", 40),
        _c("Responsible owner", "item.responsible_owner", 22),
        _c("Refresh schedule", "item.refresh_schedule", 16),
        _c("Last received", "item.last_received", 12),
        _c("Next due", "item.next_due", 12),
    )),
)  # fmt: skip
"""Sheets in the order an import must read them: organisations and people before agreements."""
