"""The agreement editor says why a removal is refused, and the register is left as it was.

Removing a party a lawful basis names, and saving with a data item removed that an assessment
needs, are refused by `app.dependants`; the editor shows the refusal's own words.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.agreement_editing import add_lawful_basis, remove_record
from app.agreements import get_agreement
from app.assessments import link_data_item, list_assessments, unlink_data_item
from app.register import Register
from tests.desktop_fixtures import Shown
from tests.register_helpers import operation_count
from ui.settings import Settings
from ui.views.agreement_editor import AgreementEditor
from ui.workers import TaskRunner

PARTIES, BASES, ITEMS = 2, 3, 4  # tabs
TRUST = "Northshire Hospitals NHS Trust"
# the offscreen platform says this of top-level windows it shows; nothing is wrong
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture()
def editor(qtbot: QtBot, register: Register, runner: TaskRunner,
           settings_file: Path) -> AgreementEditor:  # fmt: skip
    widget = AgreementEditor(None, runner, Settings(settings_file))
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    widget.set_register(register)
    return widget


def party_names(editor: AgreementEditor) -> list[str]:
    """The organisations of the parties the editor's table shows."""
    table = editor.parties_table
    return [cell.text() for r in range(table.rowCount()) if (cell := table.item(r, 0)) is not None]


def open_on(qtbot: QtBot, editor: AgreementEditor, reference: str, tab: int) -> None:
    register = editor._register
    assert register is not None
    with qtbot.waitSignal(editor.loaded):
        editor.open_agreement(get_agreement(register, reference).id)
    editor.tabs.setCurrentIndex(tab)
    with qtbot.waitExposed(editor):
        editor.show()


def test_removing_a_party_a_lawful_basis_names_is_refused_in_words(
    qtbot: QtBot, editor: AgreementEditor, register: Register, shown: Shown
) -> None:
    isa = get_agreement(register, "ISA-2026-001")
    trust = next(p.id for p in isa.parties if p.organisation == TRUST)
    basis = add_lawful_basis(register, isa.id, {"party_id": trust, "purpose": "Direct care",
                                                "article_6": "6(1)(e) public task"})  # fmt: skip
    open_on(qtbot, editor, "ISA-2026-001", PARTIES)
    editor.parties_table.selectRow(party_names(editor).index(TRUST))
    before, written = get_agreement(register, isa.id), operation_count(register)

    editor.remove_party_button.click()
    qtbot.waitUntil(lambda: shown.errors != [])
    assert shown.errors == [
        f"{TRUST} is named in 1 lawful basis (Direct care). Remove that lawful basis first."
    ]
    assert shown.asked == []  # refused before anything is asked
    assert operation_count(register) == written
    assert get_agreement(register, isa.id) == before
    assert TRUST in party_names(editor)

    # as the message says: the lawful basis first, then the party goes
    remove_record(register, "lawful_basis", basis, "Remove lawful basis")
    with qtbot.waitSignal(editor.loaded):
        editor.reload()
    editor.parties_table.selectRow(party_names(editor).index(TRUST))
    with qtbot.waitSignal(editor.changed), qtbot.waitSignal(editor.loaded):
        editor.remove_party_button.click()
    assert party_names(editor) == ["Northshire County Council"]
    assert len(shown.errors) == 1
    assert shown.asked == [f"Remove party “{TRUST}” from ISA-2026-001?"]
    assert shown.actions == ["&Remove"]


def test_removing_a_party_or_lawful_basis_is_asked_first_and_cancel_keeps_it(
    qtbot: QtBot, editor: AgreementEditor, register: Register, shown: Shown
) -> None:
    isa = get_agreement(register, "ISA-2026-001")
    trust = next(p.id for p in isa.parties if p.organisation == TRUST)
    add_lawful_basis(register, isa.id, {"party_id": trust, "purpose": "Direct care",
                                        "article_6": "6(1)(e) public task"})  # fmt: skip
    open_on(qtbot, editor, "ISA-2026-001", PARTIES)
    editor.parties_table.selectRow(party_names(editor).index("Northshire County Council"))
    before, written = get_agreement(register, isa.id), operation_count(register)
    shown.delete = False  # Cancel

    editor.remove_party_button.click()
    editor.tabs.setCurrentIndex(BASES)
    purposes = [editor.bases_table.item(r, 1) for r in range(editor.bases_table.rowCount())]
    editor.bases_table.selectRow(
        next(
            r
            for r, cell in enumerate(purposes)
            if cell is not None and cell.text() == "Direct care"
        )
    )
    editor.remove_basis_button.click()

    assert shown.asked == [
        "Remove party “Northshire County Council” from ISA-2026-001?",
        "Remove lawful basis “Direct care” from ISA-2026-001?",
    ]
    assert operation_count(register) == written
    assert get_agreement(register, isa.id) == before
    assert shown.errors == []


def test_saving_without_a_data_item_an_assessment_needs_is_refused_in_words(
    qtbot: QtBot, editor: AgreementEditor, register: Register, shown: Shown
) -> None:
    isa = get_agreement(register, "ISA-2026-003")
    (item,) = isa.items
    (jsna,) = (a.id for a in list_assessments(register)
               if a.title == "Joint strategic needs assessment")  # fmt: skip
    link_data_item(register, jsna, item.id)
    open_on(qtbot, editor, "ISA-2026-003", ITEMS)
    before, written = get_agreement(register, isa.id), operation_count(register)

    editor.items_list.setCurrentRow(0)
    editor.delete_item_button.click()
    assert editor.item_count() == 0
    editor.save()
    qtbot.waitUntil(lambda: shown.errors != [])
    assert shown.errors == [
        "Troubled families extract is needed by 1 assessment (Joint strategic needs "
        "assessment). Remove it from the data items needed by that assessment first."
    ]
    assert operation_count(register) == written
    assert get_agreement(register, isa.id) == before

    # the assessment no longer needs it: the same save goes through
    unlink_data_item(register, jsna, item.id)
    with qtbot.waitSignal(editor.saved):
        editor.save()
    assert get_agreement(register, isa.id).items == ()
    assert len(shown.errors) == 1
