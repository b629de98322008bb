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


def _id(family: str) -> ExportColumn:
    """The record's register id: the last column, so that importing back finds the record."""
    return _c("Register id", f"{family}.record_id", 38)


def _for(family: str) -> ExportColumn:
    """The agreement a record of the later sheets belongs to, by its reference."""
    return _c("Agreement reference", f"{family}.agreement", 18)


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
        _id("organisation"),
    )),
    SheetLayout("People", (
        _c("Name", "person.name", 24),
        _c("Role", "person.role", 24),
        _c("Organisation", "person.organisation", 36),
        _c("Email", "person.email", 28),
        _c("Phone", "person.phone", 16),
        _id("person"),
    )),
    SheetLayout("Governance bodies", (
        _c("Governance body", "governance_body.name", 36),
        _c("Purpose", "governance_body.purpose", 40),
        _c("Meets", "governance_body.meets", 20),
        _id("governance_body"),
    )),
    SheetLayout("Meetings", (
        _c("Body", "meeting.body", 36),
        _c("Meeting date", "meeting.meeting_date", 12),
        _c("Start time", "meeting.start_time", 10),
        _c("Location", "meeting.location", 30),
        _c("Meeting status", "meeting.status", 14),
        _id("meeting"),
    )),
    SheetLayout("Papers", (
        _c("Meeting", "paper.meeting", 36),
        _c("Letter", "paper.letter", 8),
        _c("Subject", "paper.subject", 40),
        _c("Time for discussion (minutes)", "paper.discussion_minutes", 12),
        _c("Key issues", "paper.key_issues", 40),
        _c("What the Board is asked to do", "paper.request", 40),
        _c("Resource implications", "paper.resource_implications", 30),
        _c("Author", "paper.author_name", 22),
        _c("Author contact", "paper.author_contact", 28),
        _c("Background", "paper.background", 40),
        _c("Appendices", "paper.appendices", 30),
        _c("Protective marking", "paper.protective_marking", 16),
        _id("paper"),
    )),
    SheetLayout("Use cases", (
        _c("Use case", "use_case.title", 36),
        _c("Summary", "use_case.summary", 40),
        _c("Lead organisation", "use_case.lead_organisation", 30),
        _c("Stage", "use_case.stage", 14),
        _c("RAG", "use_case.rag", 8),
        _c("Owner", "use_case.owner", 22),
        _c("Risks", "use_case.risks", 30),
        _c("Next steps", "use_case.next_steps", 30),
        _c("Partner organisations", "use_case.partners", 40),
        _id("use_case"),
    )),
    SheetLayout("Benefits", (
        _c("Use case", "benefit.use_case", 36),
        _c("Measure", "benefit.measure", 30),
        _c("Unit", "benefit.unit", 12),
        _c("Baseline", "benefit.baseline", 10),
        _c("Target", "benefit.target", 10),
        _c("Actual", "benefit.actual", 10),
        _c("Measured on", "benefit.measured_on", 12),
        _id("benefit"),
    )),
    SheetLayout("Assessments", (
        _c("Assessment", "assessment.title", 36),
        _c("Kind", "assessment.kind", 14),
        _c("Description", "assessment.description", 40),
        _c("Lead", "assessment.lead", 22),
        _c("Statutory", "assessment.statutory", 10),
        _c("Refresh", "assessment.refresh", 14),
        _id("assessment"),
    )),
    SheetLayout("Logs", (
        _c("Log", "log_entry.kind", 18),
        _c("Title", "log_entry.title", 36),
        _c("Description", "log_entry.description", 40),
        _c("Raised by", "log_entry.raised_by", 22),
        _c("Raised on", "log_entry.raised_on", 12),
        _c("Owner", "log_entry.owner", 22),
        _c("Status", "log_entry.status", 14),
        _c("Due", "log_entry.due_on", 12),
        _id("log_entry"),
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
        _c("Approved at meeting", "agreement.approval_meeting", 36),
        _c("Next review", "agreement.review_date", 12),
        _c("End date", "agreement.end_date", 12),
        _c("Owner", "agreement.owner", 22),
        _c("Protective marking", "agreement.protective_marking", 16),
        _c("Retention and disposal", "agreement.retention", 30),
        _c("Individuals' rights arrangements", "agreement.rights_arrangements", 30),
        _c("Publish in transparency register", "agreement.publishable", 10),
        _c("Notes", "agreement.notes", 40),
        _c("Use cases", "agreement.use_cases", 36),
        _c("Assessments", "agreement.assessments", 36),
        _id("agreement"),
    )),
    SheetLayout("Parties", (
        _REF,
        _c("Organisation", "party.organisation", 36),
        _c("Role", "party.role", 12),
        _c("Signatory", "party.signatory", 22),
        _c("Signed on", "party.signed_on", 12),
        _id("party"),
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
        _id("basis"),
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
        _c("Needed by assessments", "item.assessments", 36),
        _id("item"),
    )),
    SheetLayout("Sign-offs", (
        _for("sign_off"),
        _c("Party", "sign_off.party", 36),
        _c("Text version", "sign_off.text_version", 12),
        _c("Requested on", "sign_off.requested_on", 12),
        _c("DPO reviewed on", "sign_off.dpo_reviewed_on", 12),
        _c("Signed by", "sign_off.signed_by", 22),
        _c("Signed on", "sign_off.signed_on", 12),
        _id("sign_off"),
    )),
    SheetLayout("Checklists", (
        _for("checklist"),
        _c("Template", "checklist.template_key", 24),
        _c("Template version", "checklist.template_version", 10),
        _id("checklist"),
    )),
    SheetLayout("Checklist answers", (
        _for("checklist_answer"),
        _c("Checklist", "checklist_answer.checklist", 24),
        _c("Item", "checklist_answer.item_key", 24),
        _c("Answer", "checklist_answer.answer", 14),
        _c("Evidence", "checklist_answer.evidence", 40),
        _c("Answered by", "checklist_answer.answered_by", 22),
        _c("Answered on", "checklist_answer.answered_on", 12),
        _id("checklist_answer"),
    )),
    SheetLayout("Compliance reviews", (
        _for("compliance_review"),
        _c("Due on", "compliance_review.due_on", 12),
        _c("Reviewed on", "compliance_review.reviewed_on", 12),
        _c("Reviewer", "compliance_review.reviewer", 22),
        _c("Data supplied as agreed", "compliance_review.supplied_as_agreed", 30),
        _c("Quality as agreed", "compliance_review.quality_as_agreed", 30),
        _c("Security arrangements kept", "compliance_review.security_kept", 30),
        _c("Incidents", "compliance_review.incidents", 30),
        _c("Still needed", "compliance_review.still_needed", 30),
        _c("Outcome", "compliance_review.outcome", 12),
        _c("Recommendation to the Board", "compliance_review.recommendation", 40),
        _c("Meeting", "compliance_review.meeting", 36),
        _id("compliance_review"),
    )),
    SheetLayout("Incidents", (
        _for("incident"),
        _c("Kind of incident", "incident.kind", 12),
        _c("Occurred on", "incident.occurred_on", 12),
        _c("Reported on", "incident.reported_on", 12),
        _c("Description", "incident.description", 40),
        _c("Action taken", "incident.action_taken", 40),
        _c("Reported to the ICO", "incident.reported_to_ico", 10),
        _id("incident"),
    )),
    SheetLayout("DPIAs", (
        _for("dpia"),
        _c("DPIA", "dpia.title", 36),
        _c("Screening", "dpia.screening", 40),
        _c("DPIA needed", "dpia.needed", 10),
        _c("Status", "dpia.status", 14),
        _c("DPO advice", "dpia.dpo_advice", 40),
        _c("Outcome", "dpia.outcome", 30),
        _c("Signed off by", "dpia.signed_off_by", 22),
        _c("Signed off on", "dpia.signed_off_on", 12),
        _id("dpia"),
    )),
    SheetLayout("DPIA risks", (
        _for("dpia_risk"),
        _c("DPIA", "dpia_risk.dpia", 30),
        _c("Risk", "dpia_risk.description", 40),
        _c("Likelihood", "dpia_risk.likelihood", 10),
        _c("Severity", "dpia_risk.severity", 10),
        _c("Measures", "dpia_risk.measures", 40),
        _c("Residual likelihood", "dpia_risk.residual_likelihood", 10),
        _c("Residual severity", "dpia_risk.residual_severity", 10),
        _id("dpia_risk"),
    )),
    SheetLayout("Decisions", (
        _c("Meeting", "decision.meeting", 36),
        _c("Paper", "decision.paper", 8),
        _for("decision"),
        _c("Decision", "decision.decision", 40),
        _c("Outcome", "decision.outcome", 14),
        _c("Decided on", "decision.decided_on", 12),
        _id("decision"),
    )),
)  # fmt: skip
"""Every sheet of a register's export, each record kind after those its rows name."""
