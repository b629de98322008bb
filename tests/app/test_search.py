"""The FTS5 search index: found as you type, kept up to date, rebuilt when stale."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app import search
from app.agreements import (
    add_data_item,
    add_party,
    create_agreement,
    delete_data_item,
    update_agreement,
)
from app.register import Register
from tests.fast_keys import FAST_KDF, PASSPHRASE


@pytest.fixture()
def register(tmp_path: Path) -> Iterator[Register]:
    reg = Register.create(tmp_path / "reg", PASSPHRASE, kdf=FAST_KDF)
    search.attach(reg)
    yield reg
    reg.close()


def _found(register: Register, query: str) -> set[tuple[str, str]]:
    return {(hit.entity, hit.record_id) for hit in search.search(register, query)}


def test_match_expression_makes_every_word_a_prefix() -> None:
    assert search.match_expression("hosp  Adm") == '"hosp"* "Adm"*'
    assert search.match_expression('" OR NEAR(') == '"OR"* "NEAR"*'
    assert search.match_expression("  ") == ""


def test_finds_each_kind_of_record_by_prefix_as_it_is_written(register: Register) -> None:
    org = register.write("org", lambda c: c.create("organisation", {"name": "Wessex Fire"}))
    use_case = register.write(
        "uc", lambda c: c.create("use_case", {"title": "Falls prevention", "stage": "design"})
    )
    agreement = create_agreement(
        register, {"reference": "ISA-2026-014", "title": "Hospital discharge",
                   "category": "personal"},
    )  # fmt: skip
    item = add_data_item(register, agreement, {"title": "Admissions", "source": "Électronic PAS"})

    assert ("agreement", agreement) in _found(register, "hosp")
    assert ("data_item", item) in _found(register, "electronic")  # diacritics folded
    assert ("organisation", org) in _found(register, "wes")
    assert ("use_case", use_case) in _found(register, "falls prev")
    assert _found(register, "nothing-like-this") == set()
    assert search.search(register, "   ") == []

    hit = next(h for h in search.search(register, "admissions") if h.entity == "data_item")
    assert hit.agreement_id == agreement
    assert hit.reference == "ISA-2026-014"
    assert hit.display == "Data item: Admissions (ISA-2026-014)"


def test_edits_deletes_and_undo_keep_the_index_current(register: Register) -> None:
    agreement = create_agreement(
        register, {"reference": "ISA-1", "title": "Alpha", "category": "aggregated"}
    )
    item = add_data_item(register, agreement, {"title": "Temporary"})
    update_agreement(register, agreement, {"title": "Bravo"})
    assert _found(register, "alpha") == set()
    assert ("agreement", agreement) in _found(register, "bravo")

    delete_data_item(register, item)
    assert _found(register, "temporary") == set()
    register.undo()  # the delete
    assert ("data_item", item) in _found(register, "temporary")


def test_agreements_are_found_by_their_parties_names(register: Register) -> None:
    agreement = create_agreement(
        register, {"reference": "ISA-2", "title": "Two", "category": "personal"}
    )
    org = register.write("org", lambda c: c.create("organisation", {"name": "Northshire ICB"}))
    add_party(register, agreement, org, "recipient")
    assert ("agreement", agreement) in _found(register, "northshire")
    register.write("rename", lambda c: c.set("organisation", org, "name", "Southshire ICB"))
    assert ("agreement", agreement) in _found(register, "southshire")
    assert ("agreement", agreement) not in _found(register, "northshire")


def test_a_stale_index_is_rebuilt_when_attached(tmp_path: Path) -> None:
    with Register.create(tmp_path / "reg", PASSPHRASE, kdf=FAST_KDF) as register:
        # written with no listener attached, as the command line does
        agreement = create_agreement(
            register, {"reference": "ISA-3", "title": "Unindexed", "category": "personal"}
        )
        assert not search.index_is_current(register)
        assert _found(register, "unindexed") == set()
        search.attach(register)
        assert search.index_is_current(register)
        assert _found(register, "unindexed") == {("agreement", agreement)}
