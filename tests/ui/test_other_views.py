"""The dashboard and history views, against a real register."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.agreements import AgreementQuery, update_agreement
from app.register import Register
from ui.views.dashboard import DashboardView
from ui.views.history import HistoryView
from ui.workers import TaskRunner


def test_dashboard_counts_and_clickable_numbers(
    qtbot: QtBot, register: Register, runner: TaskRunner
) -> None:
    view = DashboardView(runner=runner)
    qtbot.addWidget(view)
    assert view.status_bars.chart is None  # QtCharts waits for the first counts
    with qtbot.waitSignal(view.loaded):
        view.set_register(register)
    assert view.total.text().startswith("5\n")
    assert view.overdue.text().startswith("1\n")
    assert view.due.text().startswith("2\n")
    assert view.overdue.accessibleName() == "reviews overdue: 1. Press to open the list."
    status_chart, stage_chart = view.status_bars.chart, view.stage_bars.chart
    assert status_chart is not None and stage_chart is not None
    assert len(status_chart.series()) == 1 and len(stage_chart.series()) == 1
    bars = status_chart.series()[0].barSets()[0]  # type: ignore[attr-defined]
    assert [bars.at(n) for n in range(bars.count())][::-1] == [
        n for _, n in view.dashboard.by_status
    ]
    assert view.checklist_bar.value() == 50
    assert "5 of 10 checklist items" in view.checklist_text.text()

    with qtbot.waitSignal(view.open_agreements) as opened:
        view.overdue.click()
    assert opened.args == [AgreementQuery(review="overdue", today=opened.args[0].today)]
    with qtbot.waitSignal(view.open_agreements) as opened:
        view._status_clicked([s for s, _ in view.dashboard.by_status].index("draft"))
    assert opened.args[0].statuses == ("draft",)
    with qtbot.waitSignal(view.open_use_cases) as stage:
        view._stage_clicked([s for s, _ in view.dashboard.use_cases_by_stage].index("live"))
    assert stage.args == ["live"]

    view.set_register(None)
    assert view.total.text().startswith("–") and view.dashboard is None
    assert status_chart.series() == [] and status_chart.axes() == []


def test_history_view_lists_changes_newest_first(
    qtbot: QtBot, register: Register, runner: TaskRunner
) -> None:
    view = HistoryView(runner=runner)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.loaded):
        view.set_register(register)
    index = view.agreement_choice.findText("ISA-2026-003", Qt.MatchFlag.MatchStartsWith)
    agreement_id = view.agreement_choice.itemData(index)
    update_agreement(register, agreement_id, {"title": "Supporting families"})
    with qtbot.waitSignal(view.loaded):
        view.show_agreement(agreement_id)
    model = view.model
    newest = [model.data(model.index(0, c)) for c in range(model.columnCount())]
    assert newest[3:] == ["Title", "Changed", "Troubled families", "Supporting families"]
    assert model.rowCount() > 5  # the create of the agreement, its parties, items…
    assert "Tester" in view.summary.text()
    view.set_register(None)
    assert model.rowCount() == 0 and view.agreement_choice.count() == 0


def test_history_summary_counts_one_change_in_the_singular(
    qtbot: QtBot, empty_register: Register
) -> None:
    """It said "1 changes by Tester"."""
    empty_register.write("Add ISA-2026-001", lambda changes: changes.create(
        "agreement", {"reference": "ISA-2026-001"}))  # fmt: skip
    view = HistoryView()
    qtbot.addWidget(view)
    view.set_register(empty_register)
    assert view.model.rowCount() == 1  # the agreement made, with its one field
    assert view.summary.text() == "1 change by Tester; newest first."
    empty_register.write("Add ISA-2026-002", lambda changes: changes.create(
        "agreement", {"reference": "ISA-2026-002", "title": "Youth offending cohort"}))  # fmt: skip
    view.refresh()
    index = view.agreement_choice.findText("ISA-2026-002", Qt.MatchFlag.MatchStartsWith)
    view.show_agreement(view.agreement_choice.itemData(index))
    assert view.summary.text() == "2 changes by Tester; newest first."
