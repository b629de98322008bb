"""The logs view: tabs per log, add a row, edit a cell in place through the log, delete."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import datetime as dt  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import Qt  # noqa: E402
from pytestqt.modeltest import ModelTester  # noqa: E402
from pytestqt.qtbot import QtBot  # noqa: E402

from app.logs import add_log_entry, get_log_entry, list_log_entries  # noqa: E402
from app.register import Register  # noqa: E402
from tests.fast_keys import FAST_KDF
from ui.models.log_models import LogTableModel  # noqa: E402
from ui.views.logs import LogsView  # noqa: E402


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    path: Path = tmp_path_factory.mktemp("logs-view") / "register"
    with Register.create(path, "correct horse battery", kdf=FAST_KDF) as reg:
        add_log_entry(
            reg, "gap", {"title": "Ethnicity recording", "raised_on": dt.date(2025, 3, 1)}
        )
        add_log_entry(reg, "barrier", {"title": "Opt-outs"})
        yield reg


def test_model_passes_the_model_tester(qtmodeltester: ModelTester, register: Register) -> None:
    model = LogTableModel()
    model.set_entries(register, list_log_entries(register, "gap"))
    qtmodeltester.check(model)
    assert model.index(0, model.column_of("raised_on")).data() == "01/03/2025"
    assert model.index(0, 0).flags() & Qt.ItemFlag.ItemIsEditable


def test_edit_a_cell_writes_through_the_log(qtbot: QtBot, register: Register) -> None:
    view = LogsView()
    qtbot.addWidget(view)
    view.set_register(register)
    model = view.models["gap"]
    row = next(n for n, e in enumerate(model.rows()) if e.title == "Ethnicity recording")
    entry_id = model.row_at(row).id
    with qtbot.waitSignal(view.log_changed):
        assert model.setData(model.index(row, model.column_of("owner")), "Public health")
    assert get_log_entry(register, entry_id).owner == "Public health"
    assert model.setData(model.index(row, model.column_of("due_on")), "30/06/2026")
    assert get_log_entry(register, entry_id).due_on == dt.date(2026, 6, 30)
    assert model.index(row, model.column_of("due_on")).data() == "30/06/2026"
    # a date that is not a date is refused, shown, and nothing is written
    assert not model.setData(model.index(row, model.column_of("due_on")), "13/13/2026")
    assert "dd/mm/yyyy" in view.problem.text()
    assert get_log_entry(register, entry_id).due_on == dt.date(2026, 6, 30)


def test_add_and_delete_rows_in_the_current_log(qtbot: QtBot, register: Register) -> None:
    view = LogsView()
    qtbot.addWidget(view)
    view.set_register(register)
    view.tabs.setCurrentIndex(list(view.models).index("barrier"))
    before = len(list_log_entries(register, "barrier"))
    qtbot.mouseClick(view.add_button, Qt.MouseButton.LeftButton)
    assert len(list_log_entries(register, "barrier")) == before + 1
    assert view.models["barrier"].rowCount() == before + 1
    table = view.tables["barrier"]
    new_row = table.currentIndex().row()
    assert view.models["barrier"].row_at(new_row).title == "New barrier"
    table.selectRow(new_row)
    qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    assert len(list_log_entries(register, "barrier")) == before


def test_locking_clears_every_table(qtbot: QtBot, register: Register) -> None:
    view = LogsView()
    qtbot.addWidget(view)
    view.set_register(register)
    assert view.models["gap"].rowCount() > 0
    view.set_register(None)
    assert all(m.rowCount() == 0 for m in view.models.values())
    assert not view.add_button.isEnabled()
