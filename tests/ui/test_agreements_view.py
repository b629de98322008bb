"""The agreements list and the agreement editor, against a real register."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit, QMessageBox, QPlainTextEdit, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.agreements import AgreementQuery, get_agreement, list_agreements
from app.domain import SPEC_FIELDS
from app.history import record_history
from app.register import Register
from app.search import search
from ui.models.agreements import ID_ROLE, AgreementTableModel
from ui.models.history import HistoryTableModel
from ui.models.search import SearchResultsModel
from ui.views.agreement_editor import AgreementEditor
from ui.views.agreements import AgreementsView
from ui.workers import TaskRunner


@pytest.fixture()
def view(qtbot: QtBot, register: Register) -> AgreementsView:
    host = QWidget()
    qtbot.addWidget(host)
    runner = TaskRunner(host)
    widget = AgreementsView(host, runner)
    widget.resize(1200, 800)
    with qtbot.waitSignal(widget.loaded):
        widget.set_register(register)
    return widget


def _refs(view: AgreementsView) -> list[str]:
    return [row.reference for row in view.rows_shown()]


def test_models_pass_the_model_tester(qtmodeltester: ModelTester, register: Register) -> None:
    agreements = AgreementTableModel()
    agreements.set_rows(list_agreements(register))
    qtmodeltester.check(agreements)
    agreements.sort(6, Qt.SortOrder.DescendingOrder)
    agreements.set_filter_text("isa-2026")
    qtmodeltester.check(agreements)

    history = HistoryTableModel()
    first = list_agreements(register)[0]
    history.set_entries(record_history(register, "agreement", first.id))
    qtmodeltester.check(history)

    results = SearchResultsModel()
    results.set_hits(search(register, "northshire"))
    assert results.rowCount() > 0
    qtmodeltester.check(results)


def test_list_shows_live_agreements_with_uk_dates(view: AgreementsView) -> None:
    assert sorted(_refs(view)) == ["ISA-2025-010", "ISA-2026-001", "ISA-2026-002",
                                   "ISA-2026-003", "ISA-2026-004"]  # fmt: skip
    row = view.model.row_of(view.rows_shown()[0].id)
    review = view.model.data(view.model.index(row, 6))
    assert len(review) == 10 and review[2] == "/" and review[5] == "/"
    assert view.model.data(view.model.index(row, 0), ID_ROLE) == view.rows_shown()[0].id
    assert view.count_label.text() == "5 agreements"


def test_filters_run_in_sql_and_typing_filters_prepared_rows(
    qtbot: QtBot, view: AgreementsView
) -> None:
    with qtbot.waitSignal(view.loaded):
        view.status_filter.setCurrentIndex(view.status_filter.findData("active"))
    assert sorted(_refs(view)) == ["ISA-2026-001", "ISA-2026-002"]
    view.text_filter.setText("falls")
    assert _refs(view) == ["ISA-2026-002"]
    assert view.count_label.text() == "1 of 2 agreements"
    view.text_filter.setText("")
    with qtbot.waitSignal(view.loaded):
        view.status_filter.setCurrentIndex(0)
    with qtbot.waitSignal(view.loaded):
        view.review_filter.setCurrentIndex(view.review_filter.findData("overdue"))
    assert _refs(view) == ["ISA-2026-001"]  # the expired one is not overdue
    with qtbot.waitSignal(view.loaded):
        view.apply_filter(AgreementQuery(review="due"))
    assert sorted(_refs(view)) == ["ISA-2026-002", "ISA-2026-004"]
    assert view.review_filter.currentData() == "due"


def test_header_click_sorts_by_that_column(qtbot: QtBot, view: AgreementsView) -> None:
    header = view.table.horizontalHeader()
    header.setSortIndicator(6, Qt.SortOrder.AscendingOrder)  # next review
    dates = [row.review_date for row in view.rows_shown()]
    assert dates == sorted(dates)
    header.setSortIndicator(1, Qt.SortOrder.DescendingOrder)  # title
    titles = [row.title.lower() for row in view.rows_shown()]
    assert titles == sorted(titles, reverse=True)


def _open(qtbot: QtBot, view: AgreementsView, reference: str) -> AgreementEditor:
    target = next(r for r in view.rows_shown() if r.reference == reference)
    with qtbot.waitSignal(view.editor.loaded):
        view.open_agreement(target.id)
    assert view.is_editing
    return view.editor


def test_editor_saves_an_edit_as_one_undoable_batch(
    qtbot: QtBot, view: AgreementsView, register: Register
) -> None:
    editor = _open(qtbot, view, "ISA-2026-003")
    title = editor.fields["title"]
    assert isinstance(title, QLineEdit)
    assert title.accessibleName() == "Title"
    assert title.cursorPosition() == 0  # a long title shows from its start
    qtbot.keyClick(title, Qt.Key.Key_End)
    qtbot.keyClicks(title, " (revised)")
    assert editor.is_dirty and editor.heading.text().endswith("*")
    editor.set_item_field(0, "frequency", "Weekly")
    with qtbot.waitSignal(editor.loaded):
        editor.save()
    saved = get_agreement(register, "ISA-2026-003")
    assert saved.title == "Troubled families (revised)"
    assert saved.items[0].frequency == "Weekly"
    assert not editor.is_dirty
    register.undo()  # one save, one batch
    restored = get_agreement(register, "ISA-2026-003")
    assert restored.title == "Troubled families" and restored.items[0].frequency == "Monthly"


def test_validation_problems_show_next_to_their_fields(
    qtbot: QtBot, view: AgreementsView, register: Register
) -> None:
    editor = _open(qtbot, view, "ISA-2026-003")
    reference = editor.fields["reference"]
    assert isinstance(reference, QLineEdit)
    reference.setText("ISA-2026-001")  # taken
    start = editor.fields["start_date"]
    assert isinstance(start, QLineEdit)
    start.setText("31/02/2026")
    editor.save()  # a date that cannot be read is caught before any write
    assert editor.errors["start_date"].isVisibleTo(editor)
    assert "dd/mm/yyyy" in editor.errors["start_date"].text()
    start.setText("01/04/2026")
    with qtbot.waitSignal(editor.loaded):
        editor.save()
    assert editor.errors["reference"].isVisibleTo(editor)
    assert "already used" in editor.errors["reference"].text()
    assert not editor.errors["start_date"].isVisibleTo(editor)
    assert get_agreement(register, "ISA-2026-003").reference == "ISA-2026-003"  # nothing saved


def test_new_agreement_with_items_parties_bases_and_links(
    qtbot: QtBot, view: AgreementsView, register: Register
) -> None:
    with qtbot.waitSignal(view.editor.loaded):
        view.new_agreement()
    editor = view.editor
    assert not editor.add_party_button.isEnabled()  # saved parts wait for the first save
    reference, title = editor.fields["reference"], editor.fields["title"]
    assert isinstance(reference, QLineEdit) and isinstance(title, QLineEdit)
    reference.setText("ISA-2026-050")
    title.setText("Community safety")
    qtbot.keyClicks(title, " partnership")
    editor.add_item()
    editor.set_item_field(0, "title", "Incidents")
    for n, (key, label) in enumerate(SPEC_FIELDS):
        widget = editor.item_fields[key]
        assert isinstance(widget, QPlainTextEdit) and widget.accessibleName() == label
        editor.set_item_field(0, key, f"value {n}")
    with qtbot.waitSignal(editor.loaded):
        editor.save()
    created = get_agreement(register, "ISA-2026-050")
    assert created.title == "Community safety partnership"
    assert created.items[0].spec() == {k: f"value {n}" for n, (k, _) in enumerate(SPEC_FIELDS)}
    assert editor.add_party_button.isEnabled()

    editor.party_org.setCurrentIndex(editor.party_org.findText("Northshire Hospitals NHS Trust"))
    editor.party_role.setCurrentIndex(editor.party_role.findData("recipient"))
    with qtbot.waitSignal(editor.loaded):
        editor.add_party_button.click()
    assert [(p.organisation, p.role) for p in get_agreement(register, created.id).parties] == [
        ("Northshire Hospitals NHS Trust", "recipient")
    ]

    with qtbot.waitSignal(editor.loaded):
        editor.add_basis_button.click()  # nothing chosen: refused with the reason
    assert "Article 6" in editor.basis_error.text()
    editor.basis_article_6.setCurrentIndex(editor.basis_article_6.findData("6(1)(e) public task"))
    editor.basis_purpose.setText("Reducing violence")
    with qtbot.waitSignal(editor.loaded):
        editor.add_basis_button.click()
    bases = get_agreement(register, created.id).lawful_bases
    assert [(b.article_6, b.purpose) for b in bases] == [
        ("6(1)(e) public task", "Reducing violence")
    ]

    item = editor.use_case_list.item(0)
    assert item is not None
    item.setCheckState(Qt.CheckState.Checked)
    with qtbot.waitSignal(editor.loaded):
        editor.save_links_button.click()
    assert len(get_agreement(register, created.id).use_case_ids) == 1


def test_history_tab_shows_each_field_with_old_and_new_values(
    qtbot: QtBot, view: AgreementsView
) -> None:
    editor = _open(qtbot, view, "ISA-2026-002")
    title = editor.fields["title"]
    assert isinstance(title, QLineEdit)
    title.setText("Falls prevention service")
    editor._mark_dirty()
    with qtbot.waitSignal(editor.loaded):
        editor.save()
    editor.show_field_history("agreement", "title")
    assert editor.tabs.currentIndex() == 6
    model = editor.history_model
    assert model.rowCount() == 2  # created, then changed
    cells = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert cells[1:] == ["Tester", "ISA-2026-002", "Title", "Changed", "Falls prevention",
                         "Falls prevention service"]  # fmt: skip


def test_unsaved_changes_guard(qtbot: QtBot, view: AgreementsView, shown: Any) -> None:
    editor = _open(qtbot, view, "ISA-2026-004")
    notes = editor.fields["notes"]
    assert isinstance(notes, QPlainTextEdit)
    notes.setPlainText("Draft note")
    assert editor.is_dirty
    shown.answer = QMessageBox.StandardButton.Cancel
    editor.back_button.click()
    assert view.is_editing and editor.is_dirty
    shown.answer = QMessageBox.StandardButton.Discard
    editor.back_button.click()
    assert not view.is_editing


def test_every_editor_field_has_an_accessible_name(qtbot: QtBot, view: AgreementsView) -> None:
    editor = _open(qtbot, view, "ISA-2026-001")
    unnamed = [
        type(w).__name__
        for w in editor.findChildren(QWidget)
        if isinstance(w, (QLineEdit, QPlainTextEdit, QComboBox)) and w.isVisibleTo(editor)
        and not w.accessibleName() and not isinstance(w.parent(), QComboBox)
    ]  # fmt: skip
    assert unnamed == []


def test_locking_clears_the_view(qtbot: QtBot, view: AgreementsView) -> None:
    _open(qtbot, view, "ISA-2026-001")
    view.set_register(None)
    assert view.model.rowCount() == 0 and not view.is_editing
    assert view.editor.agreement is None


def test_review_dates_are_coloured_and_explained(view: AgreementsView) -> None:
    model = view.model
    overdue = model.row_of(next(r.id for r in view.rows_shown() if r.reference == "ISA-2026-001"))
    tip = model.data(model.index(overdue, 6), Qt.ItemDataRole.ToolTipRole)
    when = (dt.date.today() - dt.timedelta(days=10)).strftime("%d/%m/%Y")
    assert tip == f"Review overdue since {when}"


def test_owner_signatory_and_every_lawful_condition_are_recorded(
    qtbot: QtBot, view: AgreementsView, register: Register
) -> None:
    from app.organisations import list_people

    editor = _open(qtbot, view, "ISA-2026-002")
    owner = editor.fields["owner_id"]
    assert isinstance(owner, QComboBox)
    assert owner.currentText() == "Priya Shah, Northshire County Council"
    assert owner.itemText(0) == "Not recorded"
    owner.setCurrentIndex(0)
    with qtbot.waitSignal(editor.loaded):
        editor.save()
    assert get_agreement(register, "ISA-2026-002").owner_id is None

    # a party with its signatory (one of that organisation's people) and the date signed
    priya = next(p for p in list_people(register) if p.name == "Priya Shah")
    editor.party_org.setCurrentIndex(editor.party_org.findText("Northshire County Council"))
    assert editor.party_signatory.itemText(0) == "Not signed yet"
    editor.party_signatory.setCurrentIndex(editor.party_signatory.findData(priya.id))
    editor.party_signed_on.setText("31/02/2026")
    editor.add_party_button.click()  # refused at once: nothing is written
    assert "dd/mm/yyyy" in editor.party_error.text()
    editor.party_signed_on.setText("01/03/2026")
    with qtbot.waitSignal(editor.loaded):
        editor.add_party_button.click()
    party = next(p for p in get_agreement(register, "ISA-2026-002").parties
                 if p.signatory_id is not None)  # fmt: skip
    assert (party.signatory, party.signed_on) == ("Priya Shah", dt.date(2026, 3, 1))
    assert not editor.party_error.isVisibleTo(editor)

    editor.basis_article_6.setCurrentIndex(editor.basis_article_6.findData("6(1)(e) public task"))
    editor.basis_article_10.setText("Official authority: police")
    editor.basis_schedule_1.setText("Part 2, paragraph 10: preventing crime")
    with qtbot.waitSignal(editor.loaded):
        editor.add_basis_button.click()
    basis = get_agreement(register, "ISA-2026-002").lawful_bases[-1]
    assert (basis.article_10, basis.dpa_schedule_1) == (
        "Official authority: police",
        "Part 2, paragraph 10: preventing crime",
    )
    row = editor.bases_table.rowCount() - 1
    conditions = editor.bases_table.item(row, 3)
    assert conditions is not None
    assert conditions.text() == ("Art 10: Official authority: police; "
                                 "DPA Sch 1: Part 2, paragraph 10: preventing crime")  # fmt: skip
