"""Who signed for a party and when: recorded through the log, attributable, undoable, checked."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from app import agreements as ag
from app.errors import NotFoundError, ValidationError
from app.history import record_history
from app.organisations import list_people
from app.register import Changes, Register


@dataclass(frozen=True)
class Setting:
    """An agreement with the county as a party, and a person at the county and at the trust."""

    agreement: str
    county: str
    trust: str
    party: str
    priya: str  # at the county
    sam: str  # at the trust


@pytest.fixture()
def setting(core_register: Register) -> Setting:
    register = core_register
    register.author = "Priya Shah"

    def build(c: Changes) -> Setting:
        county = c.create("organisation", {"name": "Northshire County Council"})
        trust = c.create("organisation", {"name": "Northshire Hospitals NHS Trust"})
        priya = c.create("person", {"name": "Priya Shah", "organisation_id": county})
        sam = c.create("person", {"name": "Sam Patel", "organisation_id": trust})
        agreement = c.create("agreement", {"reference": "ISA-2026-014", "title": "Youth offending",
                                           "category": "personal", "status": "draft"})  # fmt: skip
        party = c.create("party", {"agreement_id": agreement, "organisation_id": county,
                                   "role": "provider"})  # fmt: skip
        return Setting(agreement, county, trust, party, priya, sam)

    return register.write("Set up", build)


def party(register: Register, s: Setting) -> tuple[str | None, str, dt.date | None]:
    found = next(p for p in ag.get_agreement(register, s.agreement).parties if p.id == s.party)
    return found.signatory_id, found.signatory, found.signed_on


def test_signatory_and_date_are_set_attributably_and_undone_as_one(
    core_register: Register, setting: Setting
) -> None:
    register, s = core_register, setting
    signed = dt.date(2026, 3, 1)
    assert ag.set_party_signatory(register, s.party, s.priya, signed) == 2
    assert party(register, s) == (s.priya, "Priya Shah", signed)

    changes = [e for e in record_history(register, "party", s.party) if e.kind == "set"]
    assert {(e.field, e.new_text, e.author, e.device) for e in changes} == {
        ("signatory_id", "Priya Shah", "Priya Shah", register.device_id),
        ("signed_on", "01/03/2026", "Priya Shah", register.device_id),
    }
    assert {e.batch_label for e in changes} == {"Signatory of Northshire County Council on "
                                                "ISA-2026-014"}  # fmt: skip

    assert register.undo() == "Signatory of Northshire County Council on ISA-2026-014"
    assert party(register, s) == (None, "", None)
    register.redo()
    assert party(register, s) == (s.priya, "Priya Shah", signed)
    assert ag.set_party_signatory(register, s.party, s.priya, signed) == 0  # nothing new

    assert ag.set_party_signatory(register, s.party, None, None) == 2  # not signed after all
    assert party(register, s) == (None, "", None)


def test_a_new_name_becomes_one_of_the_organisations_people_once(
    core_register: Register, setting: Setting
) -> None:
    register, s = core_register, setting
    ag.set_party_signatory(register, s.party, None, dt.date(2026, 2, 1),
                           new_signatory="  Alex   Morgan ")  # fmt: skip
    alex = next(p for p in list_people(register) if p.name == "Alex Morgan")
    assert alex.organisation_id == s.county
    assert party(register, s) == (alex.id, "Alex Morgan", dt.date(2026, 2, 1))

    # the same name again (any case) is the same person, and so is a listed person's name
    ag.set_party_signatory(register, s.party, None, None, new_signatory="alex morgan")
    ag.set_party_signatory(register, s.party, None, None, new_signatory="Priya Shah")
    assert party(register, s)[0] == s.priya
    assert sorted(p.name for p in list_people(register, s.county)) == ["Alex Morgan",
                                                                       "Priya Shah"]  # fmt: skip

    # undoing the change that added a person takes the person away with it
    for _ in range(3):
        register.undo()
    assert [p.name for p in list_people(register, s.county)] == ["Priya Shah"]
    assert party(register, s) == (None, "", None)


def test_bad_signatures_are_refused_with_the_reason_and_change_nothing(
    core_register: Register, setting: Setting
) -> None:
    register, s = core_register, setting
    before = record_history(register, "party", s.party)
    refusals = (
        ((None, dt.date(2026, 3, 1)), "signed_on", "Say who signed"),
        ((s.priya, dt.date.today() + dt.timedelta(days=1)), "signed_on", "in the future"),
        ((s.sam, None), "signatory_id", "not one of the people of Northshire County Council"),
        (("no-such-person", None), "signatory_id", "no longer in the register"),
    )
    for (signatory, signed_on), field, words in refusals:
        with pytest.raises(ValidationError) as refused:
            ag.set_party_signatory(register, s.party, signatory, signed_on)
        assert [p.field for p in refused.value.problems] == [field]
        assert words in refused.value.problems[0].message
    with pytest.raises(ValidationError, match="in the future"):
        ag.set_party_signatory(register, s.party, None, dt.date(2099, 1, 1), new_signatory="Al")
    assert record_history(register, "party", s.party) == before
    assert [p.name for p in list_people(register, s.county)] == ["Priya Shah"]  # none added

    register.write("Remove", lambda c: c.delete("party", s.party))
    with pytest.raises(NotFoundError, match="no longer on the agreement"):
        ag.set_party_signatory(register, s.party, s.priya, None)


def test_a_party_is_added_with_a_new_signatory_by_name(
    core_register: Register, setting: Setting
) -> None:
    register, s = core_register, setting
    new_party = ag.add_party(register, s.agreement, s.trust, "recipient", None,
                             dt.date(2026, 1, 9), new_signatory="Jo Bloggs")  # fmt: skip
    added = next(p for p in ag.get_agreement(register, s.agreement).parties if p.id == new_party)
    assert (added.signatory, added.signed_on) == ("Jo Bloggs", dt.date(2026, 1, 9))
    assert sorted(p.name for p in list_people(register, s.trust)) == ["Jo Bloggs", "Sam Patel"]
    with pytest.raises(ValidationError, match="not one of the people"):
        ag.add_party(register, s.agreement, s.trust, "recipient", s.priya)
    assert len(ag.get_agreement(register, s.agreement).parties) == 2


def test_a_signatory_from_elsewhere_already_recorded_is_kept_when_the_date_is_corrected(
    core_register: Register, setting: Setting
) -> None:
    register, s = core_register, setting
    # as an imported register may have it: the county's party signed by someone at the trust
    register.write("Import", lambda c: c.set("party", s.party, "signatory_id", s.sam))
    ag.set_party_signatory(register, s.party, s.sam, dt.date(2026, 2, 2))
    assert party(register, s) == (s.sam, "Sam Patel", dt.date(2026, 2, 2))
