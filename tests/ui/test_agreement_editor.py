"""The agreement editor: the window's settings, data items' dates, and who signed for a party."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from app.agreements import get_agreement, update_data_item
from app.history import record_history
from app.organisations import list_people
from app.register import Register
from ui.settings import PROTECTIVE_MARKING, Settings
from ui.views import agreement_editor
from ui.views.agreement_editor import NOT_SIGNED, AgreementEditor
from ui.widgets.mnemonics import mnemonic_of
from ui.workers import TaskRunner

PARTIES, BASES, ITEMS = 2, 3, 4  # tabs
# the offscreen platform says this of top-level windows it shows; nothing is wrong
pytestmark = pytest.mark.qt_log_ignore("does not support propagateSizeHints")


@pytest.fixture()
def settings(settings_file: Path) -> Settings:
    return Settings(settings_file)


@pytest.fixture()
def editor(qtbot: QtBot, register: Register, settings: Settings) -> AgreementEditor:
    host = QWidget()
    qtbot.addWidget(host)
    widget = AgreementEditor(None, TaskRunner(host), settings)
    qtbot.addWidget(widget)
    widget.resize(1100, 760)
    widget.set_register(register)
    return widget


def open_agreement(qtbot: QtBot, editor: AgreementEditor, reference: str | None) -> None:
    register = editor._register
    assert register is not None
    agreement_id = None if reference is None else get_agreement(register, reference).id
    with qtbot.waitSignal(editor.loaded):
        editor.open_agreement(agreement_id)


def show(qtbot: QtBot, editor: AgreementEditor) -> None:
    """Show the editor as the active window, so that focus can be seen moving in it."""
    with qtbot.waitActive(editor):
        editor.show()
        editor.activateWindow()


def line(editor: AgreementEditor, name: str) -> QLineEdit:
    widget = editor.item_fields[name]
    assert isinstance(widget, QLineEdit)
    return widget


def letters_of_page(editor: AgreementEditor, page: int) -> list[str]:
    tab = editor.tabs.widget(page)
    texts = [w.text() for w in tab.findChildren(QLabel) if w.buddy() is not None]
    texts += [w.text() for w in tab.findChildren(QAbstractButton) if w.text()]
    return [mnemonic_of(t) for t in texts]


# ------------------------------------------------------------------------------ settings


def test_a_new_agreement_takes_the_marking_from_the_settings_it_was_given(
    qtbot: QtBot, editor: AgreementEditor, settings: Settings
) -> None:
    settings.set(PROTECTIVE_MARKING, "OFFICIAL-SENSITIVE: PERSONAL")
    open_agreement(qtbot, editor, None)
    marking = editor.fields["protective_marking"]
    assert isinstance(marking, QComboBox)
    assert marking.currentText() == "OFFICIAL-SENSITIVE: PERSONAL"


def test_without_settings_the_stored_preferences_are_read(
    qtbot: QtBot, register: Register, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = Settings(tmp_path / "stored.ini")
    stored.set(PROTECTIVE_MARKING, "OFFICIAL-SENSITIVE")
    monkeypatch.setattr(agreement_editor, "Settings", lambda: stored)  # the app's own store
    widget = AgreementEditor()
    qtbot.addWidget(widget)
    widget.set_register(register)
    widget.open_agreement(None)  # no runner: loads at once
    marking = widget.fields["protective_marking"]
    assert isinstance(marking, QComboBox) and marking.currentText() == "OFFICIAL-SENSITIVE"


# ----------------------------------------------------------------------- data item dates


def test_data_item_dates_are_edited_in_uk_form_and_checked_beside_the_field(
    qtbot: QtBot, editor: AgreementEditor, register: Register
) -> None:
    item_id = get_agreement(register, "ISA-2026-001").items[0].id
    update_data_item(register, item_id, {"last_received": dt.date(2026, 1, 5),
                                         "next_due": dt.date(2026, 4, 5)})  # fmt: skip
    open_agreement(qtbot, editor, "ISA-2026-001")
    show(qtbot, editor)
    last, due = line(editor, "last_received"), line(editor, "next_due")
    assert (last.text(), due.text()) == ("05/01/2026", "05/04/2026")
    assert (last.accessibleName(), due.accessibleName()) == ("Last received", "Next due")
    assert last.placeholderText() == "dd/mm/yyyy"

    # a second item with a date that cannot be: the save stops at it, shown beside the field
    editor.set_item_field(0, "next_due", "05/07/2026")
    editor.add_item()
    editor.set_item_field(1, "title", "Readmissions")
    editor.set_item_field(1, "last_received", "31/04/2026")
    editor.items_list.setCurrentRow(0)
    assert editor.is_dirty
    with qtbot.waitSignal(editor.loaded):
        editor.save()
    assert editor.tabs.currentIndex() == ITEMS and editor.items_list.currentRow() == 1
    error = editor.item_errors["last_received"]
    assert error.isVisibleTo(editor) and "'31/04/2026' is not a date" in error.text()
    assert "dd/mm/yyyy" in error.text() and last.hasFocus()
    assert not editor.item_errors["next_due"].isVisibleTo(editor)
    saved = get_agreement(register, "ISA-2026-001")
    assert len(saved.items) == 1 and saved.items[0].next_due == dt.date(2026, 4, 5)

    editor.set_item_field(1, "last_received", "30/04/2026")
    with qtbot.waitSignal(editor.loaded):
        editor.save()
    saved = get_agreement(register, "ISA-2026-001")
    assert [(i.title, i.last_received, i.next_due) for i in saved.items] == [
        ("Hospital discharge data extract", dt.date(2026, 1, 5), dt.date(2026, 7, 5)),
        ("Readmissions", dt.date(2026, 4, 30), None),
    ]
    assert not editor.is_dirty and not error.isVisibleTo(editor)
    assert line(editor, "next_due").text() == "05/07/2026"  # shown again after the save

    # cleared, the date is taken away; undone, it is back
    editor.set_item_field(0, "next_due", "")
    with qtbot.waitSignal(editor.loaded):
        editor.save()
    assert get_agreement(register, "ISA-2026-001").items[0].next_due is None
    register.undo()
    assert get_agreement(register, "ISA-2026-001").items[0].next_due == dt.date(2026, 7, 5)


def test_item_dates_have_a_letter_of_their_own_on_their_page(
    qtbot: QtBot, editor: AgreementEditor
) -> None:
    open_agreement(qtbot, editor, "ISA-2026-001")
    letters = letters_of_page(editor, ITEMS)
    assert all(letters) and not [k for k, n in Counter(letters).items() if n > 1]
    captions = {w.buddy(): w for w in editor.tabs.widget(ITEMS).findChildren(QLabel)}
    for name in ("last_received", "next_due"):
        assert mnemonic_of(captions[editor.item_fields[name]].text())


# ------------------------------------------------------------------------- signatures


def select_party(editor: AgreementEditor, organisation: str) -> None:
    table = editor.parties_table
    row = next(r for r in range(table.rowCount()) if table.item(r, 0).text() == organisation)
    table.selectRow(row)


def save_signature(qtbot: QtBot, editor: AgreementEditor, who: str, when: str) -> None:
    editor.sign_signatory.setEditText(who)
    editor.sign_signed_on.setText(when)
    with qtbot.waitSignal(editor.loaded):
        editor.save_signature_button.click()


def signature(register: Register, organisation: str) -> tuple[str, dt.date | None]:
    party = next(p for p in get_agreement(register, "ISA-2026-002").parties
                 if p.organisation == organisation)  # fmt: skip
    return party.signatory, party.signed_on


COUNTY = "Northshire County Council"


def open_parties(qtbot: QtBot, editor: AgreementEditor, reference: str) -> None:
    """The agreement open on its Parties tab, the editor shown as the active window."""
    open_agreement(qtbot, editor, reference)
    editor.tabs.setCurrentIndex(PARTIES)
    show(qtbot, editor)


def test_who_signed_for_a_party_and_when_is_changed_in_place(
    qtbot: QtBot, editor: AgreementEditor, register: Register
) -> None:
    open_parties(qtbot, editor, "ISA-2026-002")
    assert not editor.save_signature_button.isEnabled()  # no party selected: nothing to sign
    assert "Select a party in the table" in editor.sign_note.text()

    select_party(editor, COUNTY)
    assert editor.sign_box.title() == f"Signature of {COUNTY}"
    assert editor.save_signature_button.isEnabled()
    people = [editor.sign_signatory.itemText(n) for n in range(editor.sign_signatory.count())]
    assert people == [NOT_SIGNED, "Priya Shah"]  # the county's people only
    assert editor.sign_signatory.currentText() == NOT_SIGNED

    # one of its people, picked from the list
    editor.sign_signatory.setCurrentIndex(1)
    editor.sign_signed_on.setText("01/03/2026")
    with qtbot.waitSignal(editor.changed), qtbot.waitSignal(editor.loaded):
        editor.save_signature_button.click()
    assert signature(register, COUNTY) == ("Priya Shah", dt.date(2026, 3, 1))
    row = editor.parties_table.currentRow()
    assert editor.parties_table.item(row, 0).text() == COUNTY  # still selected after saving
    assert [editor.parties_table.item(row, c).text() for c in (2, 3)] == ["Priya Shah",
                                                                          "01/03/2026"]  # fmt: skip
    assert editor.sign_signatory.currentText() == "Priya Shah"
    assert editor.sign_signed_on.text() == "01/03/2026"

    # a new name: added to the county's people, and written by this device's author
    save_signature(qtbot, editor, "Alex Morgan", "02/03/2026")
    assert signature(register, COUNTY) == ("Alex Morgan", dt.date(2026, 3, 2))
    assert "Alex Morgan" in [p.name for p in list_people(register) if p.organisation == COUNTY]
    party_id = editor._selected_party()
    assert party_id is not None
    changes = [e for e in record_history(register, "party", party_id.id) if e.kind == "set"]
    assert changes[-1].author == "Tester"

    # undone as one change: the signature and the person it added
    register.undo()
    assert signature(register, COUNTY) == ("Priya Shah", dt.date(2026, 3, 1))
    assert "Alex Morgan" not in [p.name for p in list_people(register)]


def test_a_signature_that_cannot_be_is_refused_beside_it_and_nothing_changes(
    qtbot: QtBot, editor: AgreementEditor, register: Register
) -> None:
    open_parties(qtbot, editor, "ISA-2026-002")
    select_party(editor, COUNTY)
    before = get_agreement(register, "ISA-2026-002")

    editor.sign_signatory.setEditText("Priya Shah")
    editor.sign_signed_on.setText("31/02/2026")
    editor.save_signature_button.click()  # refused at once, before any write
    assert editor.sign_error.isVisibleTo(editor)
    assert editor.sign_error.text().startswith("Date signed: '31/02/2026' is not a date")
    assert editor.sign_signed_on.hasFocus()

    tomorrow = (dt.date.today() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    save_signature(qtbot, editor, "Priya Shah", tomorrow)
    assert "in the future" in editor.sign_error.text() and editor.sign_error.isVisibleTo(editor)

    save_signature(qtbot, editor, NOT_SIGNED, "01/03/2026")
    assert editor.sign_error.text() == "Say who signed, or clear the date signed."
    assert get_agreement(register, "ISA-2026-002") == before


def test_a_party_is_added_with_a_signatory_typed_in(
    qtbot: QtBot, editor: AgreementEditor, register: Register
) -> None:
    open_agreement(qtbot, editor, "ISA-2026-003")
    editor.tabs.setCurrentIndex(PARTIES)
    trust = "Northshire Hospitals NHS Trust"
    editor.party_org.setCurrentIndex(editor.party_org.findText(trust))
    editor.party_role.setCurrentIndex(editor.party_role.findData("recipient"))
    editor.party_signatory.setEditText("Jo Bloggs")
    editor.party_signed_on.setText("09/01/2026")
    with qtbot.waitSignal(editor.loaded):
        editor.add_party_button.click()
    added = next(p for p in get_agreement(register, "ISA-2026-003").parties
                 if p.organisation == trust)  # fmt: skip
    assert (added.signatory, added.signed_on) == ("Jo Bloggs", dt.date(2026, 1, 9))


def test_the_parties_page_names_every_control_and_keeps_its_letters_apart(
    qtbot: QtBot, editor: AgreementEditor
) -> None:
    open_agreement(qtbot, editor, "ISA-2026-002")
    select_party(editor, COUNTY)
    for widget in (editor.sign_signatory, editor.sign_signed_on, editor.save_signature_button):
        assert widget.accessibleName(), widget
    letters = letters_of_page(editor, PARTIES)
    assert all(letters) and not [k for k, n in Counter(letters).items() if n > 1]
