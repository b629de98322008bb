"""Deletes that would leave live records referring to nothing are refused, saying what to change.

Every delete of an organisation, person, agreement, party, data item, governance body, meeting,
paper, assessment or use case goes through `app.dependants`: what is part of the record goes with
it, anything else that refers to it (or to one of its parts) stands in the way, and a refusal
writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

from app.agreement_editing import add_lawful_basis, remove_record, set_links
from app.agreements import (
    add_data_item,
    add_party,
    create_agreement,
    delete_agreement,
    delete_data_item,
    get_agreement,
    update_agreement,
)
from app.assessments import (
    create_assessment,
    delete_assessment,
    link_data_item,
    list_assessments,
    needed_items,
    unlink_data_item,
)
from app.dependants import find_dependants, what_goes_with
from app.errors import InUseError, NotFoundError
from app.meetings import (
    add_decision,
    add_paper,
    create_body,
    create_meeting,
    delete_body,
    delete_meeting,
    delete_paper,
    list_decisions,
    list_meetings,
    list_papers,
    update_decision,
)
from app.oplog import model_for
from app.organisations import (
    create_organisation,
    create_person,
    delete_organisation,
    delete_person,
    get_organisation,
    list_organisations,
    list_people,
)
from app.register import Changes, Register
from app.use_cases import (
    add_benefit,
    create_use_case,
    delete_use_case,
    get_use_case,
    link_agreement,
    list_benefits,
    list_use_cases,
    set_partners,
    unlink_agreement,
)
from db.models import ENTITY_RECORDS, LinkRecord
from tests.fast_keys import FAST_KDF, PASSPHRASE
from tests.register_helpers import operation_count

DELETES: dict[str, Callable[[Register, str], None]] = {
    "organisation": delete_organisation,
    "person": delete_person,
    "agreement": delete_agreement,
    "party": lambda register, party: remove_record(register, "party", party, "Remove party"),
    "data_item": delete_data_item,
    "governance_body": delete_body,
    "meeting": delete_meeting,
    "paper": delete_paper,
    "assessment": delete_assessment,
    "use_case": delete_use_case,
}
"""The delete of each kind of record the views and forms delete."""

PARTS = {("person", "organisation_id"), ("paper", "meeting_id"), ("decision", "meeting_id"),
         ("benefit", "use_case_id"), ("sign_off", "party_id"),
         *((kind, "agreement_id") for kind in ("party", "lawful_basis", "data_item", "checklist",
                                               "compliance_review", "sign_off", "attachment",
                                               "incident", "dpia"))}  # fmt: skip
"""References from a record that is part of the one deleted: it goes with it (a party's sign-off
goes with the party, as it goes with the agreement)."""


@pytest.fixture()
def register(tmp_path: Path) -> Iterator[Register]:
    with Register.create(tmp_path / "register", PASSPHRASE, name="Dependants", author="Tester",
                         kdf=FAST_KDF) as reg:  # fmt: skip
        yield reg


def agreement(register: Register, reference: str, **values: object) -> str:
    return create_agreement(register, {"reference": reference, "title": f"Title of {reference}",
                                       "category": "personal", **values})  # fmt: skip


def refused(register: Register, delete: Callable[[], object]) -> str:
    """Try a delete that must be refused; its message. Nothing is written."""
    before = operation_count(register)
    with pytest.raises(InUseError) as caught:
        delete()
    assert operation_count(register) == before
    return caught.value.message


# ---------------------------------------------------------------------- every reference


def references_in_the_models() -> list[tuple[str, str, str]]:
    """(kind, field, kind referred to) of every foreign key to a kind these deletes delete."""
    return [
        (kind, column.name, key.column.table.name)
        for kind, model in ENTITY_RECORDS.items()
        for column in model.__table__.columns
        for key in column.foreign_keys
        if key.column.table.name in DELETES
    ]


def test_the_models_have_references_to_every_kind_deleted() -> None:
    referred = {target for _, _, target in references_in_the_models()}
    assert referred == set(DELETES)


def _referring_row(changes: Changes, kind: str, field: str, target: str) -> str:
    """A live record of `kind` whose `field` refers to `target`; its id."""
    model = model_for(kind)
    if issubclass(model, LinkRecord):
        left, right = model.__ends__
        other = changes.create(right if field == "left_id" else left, {})
        ends = (target, other) if field == "left_id" else (other, target)
        changes.link(kind, *ends)
        return f"{ends[0]}|{ends[1]}"
    return changes.create(kind, {field: target})


@pytest.mark.parametrize(("kind", "field", "target_kind"), references_in_the_models(),
                         ids=lambda v: str(v))  # fmt: skip
def test_every_reference_is_found_and_never_left_dangling(
    register: Register, kind: str, field: str, target_kind: str
) -> None:
    """Walks the models: a new table referring to one of these kinds cannot be missed."""
    made: dict[str, str] = {}

    def build(changes: Changes) -> None:
        made["target"] = changes.create(target_kind, {})
        made["referrer"] = _referring_row(changes, kind, field, made["target"])

    register.write("Set up", build)
    with register.session() as session:
        found = find_dependants(session, target_kind, made["target"])
    assert [(d.entity, d.id, d.field) for d in found] == [(kind, made["referrer"], field)]

    goes_with_it = (kind, field) in PARTS or (
        issubclass(model_for(kind), LinkRecord) and field == "left_id"
    )
    if goes_with_it:
        DELETES[target_kind](register, made["target"])
        with register.session() as session:
            row: Any = session.get(model_for(kind), made["referrer"])
            assert row is not None and not row.is_live
    else:
        message = refused(register, lambda: DELETES[target_kind](register, made["target"]))
        assert "first." in message
        with register.session() as session:
            target: Any = session.get(model_for(target_kind), made["target"])
            assert target is not None and target.is_live


# ---------------------------------------------------------------------- organisations


def test_an_organisation_party_to_agreements_is_refused_until_removed(register: Register) -> None:
    county = create_organisation(register, {"name": "Northshire County Council"})
    parties = [
        add_party(register, agreement(register, f"ISA-2026-{n:03}"), county, "provider")
        for n in range(1, 13)
    ]
    before = get_organisation(register, county)
    message = refused(register, lambda: delete_organisation(register, county))
    assert message == (
        "Northshire County Council is a party to 12 agreements (ISA-2026-001, ISA-2026-002, "
        "ISA-2026-003 and 9 more). Remove it from them first."
    )
    assert get_organisation(register, county) == before
    assert [p.organisation_id for p in get_agreement(register, "ISA-2026-001").parties] == [county]

    for party in parties:
        remove_record(register, "party", party, "Remove party")
    delete_organisation(register, county)
    assert county not in {o.id for o in list_organisations(register)}


def test_an_organisation_whose_person_signs_for_a_party_is_refused(register: Register) -> None:
    police = create_organisation(register, {"name": "Kent Police", "org_type": "police"})
    other = create_organisation(register, {"name": "Kent County Council"})
    officer = create_person(register, police, {"name": "Sam Patel"})
    create_person(register, police, {"name": "Ann Smith"})
    isa = agreement(register, "ISA-2026-014")
    party = add_party(register, isa, police, "provider", signatory_id=officer)
    before = (get_organisation(register, police), list_people(register, police))
    message = refused(register, lambda: delete_organisation(register, police))
    assert message == (
        "Kent Police is a party to 1 agreement (ISA-2026-014). Remove it from that agreement "
        "first. "
        "Sam Patel, one of the people of Kent Police, is the signatory of a party to 1 agreement "
        "(ISA-2026-014). Choose another signatory for that agreement first."
    )
    assert (get_organisation(register, police), list_people(register, police)) == before

    # the party gone, its signatory still signs for another organisation's party (as a sync or
    # an import of another register's workbook may leave it)
    remove_record(register, "party", party, "Remove party")
    signed = register.write("Add party", lambda c: c.create("party", {
        "agreement_id": isa, "organisation_id": other, "signatory_id": officer}))  # fmt: skip
    message = refused(register, lambda: delete_organisation(register, police))
    assert message == (
        "Sam Patel, one of the people of Kent Police, is the signatory of a party to 1 agreement "
        "(ISA-2026-014). Choose another signatory for that agreement first."
    )
    assert (get_organisation(register, police), list_people(register, police)) == before

    remove_record(register, "party", signed, "Remove party")
    assert what_goes_with(register, "organisation", police).takes == "2 people"
    delete_organisation(register, police)
    assert list_people(register, police) == []
    register.undo()
    assert (get_organisation(register, police), list_people(register, police)) == before


def test_an_organisation_leading_and_partnering_use_cases_is_refused(register: Register) -> None:
    trust = create_organisation(register, {"name": "Northshire Hospitals NHS Trust"})
    led = create_use_case(register, {"title": "Hospital at home", "lead_organisation_id": trust})
    partnered = create_use_case(register, {"title": "Frailty register"})
    set_partners(register, partnered, [trust])
    message = refused(register, lambda: delete_organisation(register, trust))
    assert message == (
        "Northshire Hospitals NHS Trust leads 1 use case (Hospital at home). Choose another lead "
        "organisation for that use case first. Northshire Hospitals NHS Trust is a partner in 1 "
        "use case "
        "(Frailty register). Remove it from the partners of that use case first."
    )
    assert [p.id for p in get_use_case(register, partnered).partners] == [trust]
    assert get_use_case(register, led).lead_organisation_id == trust


def test_a_party_of_a_deleted_agreement_does_not_stand_in_the_way(register: Register) -> None:
    council = create_organisation(register, {"name": "Breckland Council"})
    isa = agreement(register, "ISA-2025-010")
    add_party(register, isa, council, "provider")
    register.write("Delete agreement", lambda c: c.delete("agreement", isa))
    with register.session() as session:
        assert find_dependants(session, "organisation", council) == ()
    delete_organisation(register, council)


# ---------------------------------------------------------------------- people


def test_a_person_owning_an_agreement_is_refused_until_another_owns_it(register: Register) -> None:
    county = create_organisation(register, {"name": "Northshire County Council"})
    priya = create_person(register, county, {"name": "Priya Shah"})
    isa = agreement(register, "ISA-2026-002", owner_id=priya)
    message = refused(register, lambda: delete_person(register, priya))
    assert message == (
        "Priya Shah is the owner of 1 agreement (ISA-2026-002). "
        "Choose another owner for that agreement first."
    )
    assert [p.id for p in list_people(register, county)] == [priya]
    update_agreement(register, isa, {"owner_id": None})
    delete_person(register, priya)
    assert list_people(register, county) == []
    with pytest.raises(NotFoundError, match="That person no longer exists"):
        delete_person(register, priya)


# ---------------------------------------------------------------------- meetings and papers


def test_a_meeting_an_agreement_was_approved_at_is_refused(
    register: Register, spring_board: str
) -> None:
    isa = agreement(register, "ISA-2026-040", approval_meeting_id=spring_board)
    paper = add_paper(register, spring_board, {"subject": "Agreements for approval"})
    add_paper(register, spring_board, {"subject": "Reviews due"})
    add_decision(register, spring_board, {"decision": "Approve", "paper_id": paper})
    review = "compliance-review-1"
    register.write("Review", lambda c: c.create("compliance_review", {
        "agreement_id": isa, "meeting_id": spring_board}, review))  # fmt: skip
    before = list_meetings(register)
    message = refused(register, lambda: delete_meeting(register, spring_board))
    assert message == (
        "Information Sharing Board, 14/04/2026 approved 1 agreement (ISA-2026-040). Change the "
        "approval meeting of that agreement first. Information Sharing Board, 14/04/2026 "
        "received the compliance reviews of 1 agreement (ISA-2026-040). Move those reviews to "
        "another meeting first."
    )
    assert list_meetings(register) == before

    update_agreement(register, isa, {"approval_meeting_id": None})
    register.write("Review", lambda c: c.set("compliance_review", review, "meeting_id", None))
    assert what_goes_with(register, "meeting", spring_board).takes == "2 papers and 1 decision"
    delete_meeting(register, spring_board)
    assert list_meetings(register) == [] and list_papers(register, spring_board) == []
    assert list_decisions(register, spring_board) == []


def test_a_paper_a_decision_cites_is_refused(register: Register, spring_board: str) -> None:
    paper = add_paper(register, spring_board, {"subject": "Agreements for approval"})
    decision = add_decision(register, spring_board, {"decision": "Noted", "paper_id": paper})
    message = refused(register, lambda: delete_paper(register, paper))
    assert message == (
        "Paper A is cited by 1 decision (Noted). Change or remove that decision first."
    )
    update_decision(register, decision, {"paper_id": None})
    going = what_goes_with(register, "paper", paper)
    assert (going.name, going.label) == ("Paper A", "Paper A: Agreements for approval")
    delete_paper(register, paper)
    assert list_papers(register, spring_board) == []


def test_a_decision_is_named_by_what_was_decided(register: Register, spring_board: str) -> None:
    said = "Approve   the hospital discharge agreement for a further year, subject to its DPIA"
    decision = add_decision(register, spring_board, {"decision": said})
    going = what_goes_with(register, "decision", decision)
    assert going.label == " ".join(said.split())
    assert going.name == "Approve the hospital discharge agreement for a further year…"
    assert len(going.name) == 60


# ---------------------------------------------------------------------- assessments, use cases


def test_an_assessment_linked_to_an_agreement_is_refused_until_unlinked(
    register: Register,
) -> None:
    jsna = create_assessment(register, {"title": "Joint strategic needs assessment"})
    isa = agreement(register, "ISA-2026-007")
    set_links(register, isa, [], [jsna])
    before = list_assessments(register)
    message = refused(register, lambda: delete_assessment(register, jsna))
    assert message == (
        "Joint strategic needs assessment is linked to 1 agreement (ISA-2026-007). "
        "Unlink it from that agreement first."
    )
    assert list_assessments(register) == before
    set_links(register, isa, [], [])
    assert what_goes_with(register, "assessment", jsna).takes == ""
    delete_assessment(register, jsna)
    assert list_assessments(register) == []


def test_a_use_case_linked_to_an_agreement_is_refused_until_unlinked(register: Register) -> None:
    trust = create_organisation(register, {"name": "Northshire Hospitals NHS Trust"})
    frailty = create_use_case(register, {"title": "Frailty register"})
    add_benefit(register, frailty, {"measure": "Admissions avoided"})
    set_partners(register, frailty, [trust])
    isa = agreement(register, "ISA-2026-003")
    link_agreement(register, frailty, isa)
    before = get_use_case(register, frailty)
    message = refused(register, lambda: delete_use_case(register, frailty))
    assert message == (
        "Frailty register is linked to 1 agreement (ISA-2026-003). Unlink it from that agreement "
        "first."
    )
    assert get_use_case(register, frailty) == before

    unlink_agreement(register, frailty, isa)
    deletion = what_goes_with(register, "use_case", frailty)
    assert (deletion.name, deletion.takes) == ("Frailty register", "1 benefit")
    assert [(link.entity, link.right) for link in deletion.links] == [("use_case_partner", trust)]
    delete_use_case(register, frailty)
    assert list_use_cases(register) == [] and list_benefits(register, frailty) == []
    with register.session() as session:  # its partners went with it; the trust stays
        assert find_dependants(session, "organisation", trust) == ()
    delete_organisation(register, trust)


def test_a_dependant_is_known_by_the_record_a_person_sees(register: Register) -> None:
    county = create_organisation(register, {"name": "Northshire County Council"})
    isa = agreement(register, "ISA-2026-001")
    party = add_party(register, isa, county, "provider")
    with register.session() as session:
        (found,) = find_dependants(session, "organisation", county)
    assert (found.entity, found.id, found.field, found.refers_to) == (
        "party", party, "organisation_id", county,
    )  # fmt: skip
    assert (found.kind, found.record_id, found.name) == ("agreement", isa, "ISA-2026-001")
    # the party's agreement, named as deleting it would name it in full
    going = what_goes_with(register, found.kind, found.record_id)
    assert (going.name, going.label) == ("ISA-2026-001", "ISA-2026-001: Title of ISA-2026-001")


def test_what_goes_with_a_gone_record_says_it_is_gone(register: Register) -> None:
    council = create_organisation(register, {"name": "Breckland Council"})
    delete_organisation(register, council)
    with pytest.raises(NotFoundError, match="That organisation no longer exists"):
        what_goes_with(register, "organisation", council)


# ---------------------------------------------------------------------- parties and data items


def test_a_party_a_lawful_basis_names_is_refused_and_its_sign_offs_go_with_it(
    register: Register,
) -> None:
    police = create_organisation(register, {"name": "Kent Police", "org_type": "police"})
    county = create_organisation(register, {"name": "Kent County Council"})
    isa = agreement(register, "ISA-2026-014")
    party = add_party(register, isa, police, "provider")
    add_party(register, isa, county, "recipient")
    purpose = "Preventing and detecting crime"
    crime = add_lawful_basis(register, isa, {"party_id": party, "purpose": purpose,
                                             "article_6": "6(1)(e) public task"})  # fmt: skip
    duty = add_lawful_basis(register, isa, {"party_id": party,
                                            "article_6": "6(1)(c) legal obligation"})  # fmt: skip
    add_lawful_basis(register, isa, {"article_6": "6(1)(e) public task"})  # all parties: no matter
    register.write("Sign-off", lambda c: c.create("sign_off", {
        "agreement_id": isa, "party_id": party, "signed_on": dt.date(2026, 3, 2)}))  # fmt: skip
    before = get_agreement(register, isa)

    message = refused(register, lambda: remove_record(register, "party", party, "Remove party"))
    assert message == (
        "Kent Police is named in 2 lawful bases (Article 6(1)(c) legal obligation and Preventing "
        "and detecting crime). Remove those lawful bases first."
    )
    remove_record(register, "lawful_basis", duty, "Remove lawful basis")
    message = refused(register, lambda: remove_record(register, "party", party, "Remove party"))
    assert message == (
        "Kent Police is named in 1 lawful basis (Preventing and detecting crime). "
        "Remove that lawful basis first."
    )
    assert get_agreement(register, isa).parties == before.parties

    # the party's own sign-off is the party's: it goes with it, and comes back with it
    remove_record(register, "lawful_basis", crime, "Remove lawful basis")
    assert what_goes_with(register, "party", party).takes == "1 sign-off"
    remove_record(register, "party", party, "Remove party")
    assert [p.organisation for p in get_agreement(register, isa).parties] == ["Kent County Council"]
    with register.session() as session:
        assert find_dependants(session, "party", party) == ()
    register.undo()
    assert get_agreement(register, isa).parties == before.parties
    with register.session() as session:
        (sign_off,) = find_dependants(session, "party", party)
    assert (sign_off.entity, sign_off.field, sign_off.kind) == ("sign_off", "party_id", "sign_off")


def test_a_data_item_an_assessment_needs_is_refused_until_it_needs_it_no_more(
    register: Register,
) -> None:
    isa = agreement(register, "ISA-2026-020")
    item = add_data_item(register, isa, {"title": "Hospital discharges"})
    jsna = create_assessment(register, {"title": "Joint strategic needs assessment"})
    children = create_assessment(register, {"title": "Children's needs analysis"})
    link_data_item(register, jsna, item)

    message = refused(register, lambda: delete_data_item(register, item))
    assert message == (
        "Hospital discharges is needed by 1 assessment (Joint strategic needs assessment). "
        "Remove it from the data items needed by that assessment first."
    )
    link_data_item(register, children, item)
    message = refused(register, lambda: delete_data_item(register, item))
    assert message == (
        "Hospital discharges is needed by 2 assessments (Children's needs analysis and Joint "
        "strategic needs assessment). Remove it from the data items needed by those assessments "
        "first."
    )
    assert [i.title for i in needed_items(register, jsna)] == ["Hospital discharges"]
    assert [i.id for i in get_agreement(register, isa).items] == [item]

    for assessment in (jsna, children):
        unlink_data_item(register, assessment, item)
    delete_data_item(register, item)
    assert get_agreement(register, isa).items == ()


def test_an_agreement_a_decision_is_about_is_refused_naming_the_decision(
    register: Register, spring_board: str
) -> None:
    isa = agreement(register, "ISA-2026-031")
    add_decision(register, spring_board, {"decision": "Approved", "agreement_id": isa})
    message = refused(register, lambda: delete_agreement(register, isa))
    assert message == (
        "ISA-2026-031 is the subject of decisions of 1 meeting (Information Sharing Board, "
        "14/04/2026). Change or remove those decisions first."
    )


def test_a_governance_body_holding_meetings_is_refused_naming_them_by_date(
    register: Register, spring_board: str
) -> None:
    (board,) = {m.body_id for m in list_meetings(register)}
    assert board is not None
    message = refused(register, lambda: delete_body(register, board))
    assert message == (
        "Information Sharing Board holds 1 meeting (14/04/2026). Delete that meeting first."
    )
    create_meeting(register, board, {"meeting_date": dt.date(2026, 10, 13)})
    message = refused(register, lambda: delete_body(register, board))
    assert message == (  # listed by date, not as text
        "Information Sharing Board holds 2 meetings (14/04/2026 and 13/10/2026). Delete them first."
    )


def test_a_long_list_says_how_many_more_with_thousands_separated(register: Register) -> None:
    county = create_organisation(register, {"name": "Northshire County Council"})
    register.write("Use cases", lambda c: [
        c.create("use_case", {"title": f"Use case {n:04}", "lead_organisation_id": county})
        for n in range(1, 1005)
    ])  # fmt: skip
    message = refused(register, lambda: delete_organisation(register, county))
    assert message == (
        "Northshire County Council leads 1,004 use cases (Use case 0001, Use case 0002, "
        "Use case 0003 and 1,001 more). Choose another lead organisation for them first."
    )


# ---------------------------------------------------------------- reading what stands in the way


def statements_run(register: Register, work: Callable[[], object]) -> int:
    """How many SQL statements `work` runs on the register."""
    count = 0

    def counted(*_: object) -> None:
        nonlocal count
        count += 1

    event.listen(register.engine, "before_cursor_execute", counted)
    try:
        work()
    finally:
        event.remove(register.engine, "before_cursor_execute", counted)
    return count


def refusal_statements(register: Register, entity: str, record_id: str) -> int:
    """The statements reading a refused delete's message (refused it must be)."""
    return statements_run(register, lambda: refused(register, lambda: what_goes_with(
        register, entity, record_id)))  # fmt: skip


def test_a_refusal_reads_as_many_statements_for_many_holders_as_for_few(
    register: Register,
) -> None:
    """Its holders and their names are read a kind at a time, not one by one."""
    few, many = 2, 25

    def body_holding(count: int) -> str:
        body = create_body(register, {"name": f"Board of {count}"})
        for n in range(count):
            create_meeting(register, body, {"meeting_date": dt.date(2026, 1, 1) + dt.timedelta(n)})
        return body

    def organisation_party_to(count: int) -> str:
        council = create_organisation(register, {"name": f"Council of {count}"})
        for n in range(count):
            add_party(register, agreement(register, f"ISA-{count}-{n:03}"), council, "provider")
        return council

    def agreement_decided_at(count: int) -> str:
        isa = agreement(register, f"ISA-DECIDED-{count}")
        board = create_body(register, {"name": f"Group of {count}"})
        for n in range(count):
            meeting = create_meeting(register, board, {"meeting_date": dt.date(2027, 1, n + 1)})
            add_decision(register, meeting, {"decision": "Approved", "agreement_id": isa})
        return isa

    for kind, make in (("governance_body", body_holding),
                       ("organisation", organisation_party_to),
                       ("agreement", agreement_decided_at)):  # fmt: skip
        first, second = make(few), make(many)
        assert refusal_statements(register, kind, first) == refusal_statements(
            register, kind, second
        ), kind


def test_what_goes_with_a_record_is_read_a_kind_of_part_at_a_time(register: Register) -> None:
    def agreement_with_parties(reference: str, count: int) -> str:
        isa = agreement(register, reference)
        for n in range(count):
            council = create_organisation(register, {"name": f"{reference} council {n}"})
            add_party(register, isa, council, "provider")
        return isa

    few, many = agreement_with_parties("ISA-FEW", 2), agreement_with_parties("ISA-MANY", 25)
    reads = [statements_run(register, lambda isa=isa: what_goes_with(register, "agreement", isa))
             for isa in (few, many)]  # fmt: skip
    assert reads[0] == reads[1]
    assert what_goes_with(register, "agreement", many).takes == "25 parties"
