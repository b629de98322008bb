"""`python -m ui.screenshots OUTDIR`: a PNG of every main screen and dialog, on the demo register.

Builds the demo partnership in a temporary folder, opens the real main window offscreen at
1400x900 and grabs each screen as a person would see it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QPoint, QTimer, SignalInstance  # noqa: E402
from PySide6.QtGui import QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QDialog, QLineEdit, QMenu, QWidget  # noqa: E402

from app import sync  # noqa: E402
from app.agreements import (  # noqa: E402
    AgreementQuery,
    add_party,
    get_agreement,
    update_agreement,
    update_data_item,  # noqa: E402
)
from app.demo import DEMO_PASSPHRASE  # noqa: E402
from app.domain import AgreementSummary  # noqa: E402
from app.organisations import create_organisation, delete_organisation  # noqa: E402
from app.paths import default_register_dir, display_path  # noqa: E402
from app.register import Register  # noqa: E402
from ui.dialogs.first_run import FirstRunDialog  # noqa: E402
from ui.dialogs.join import JoinDialog  # noqa: E402
from ui.dialogs.new_register import NewRegisterDialog  # noqa: E402
from ui.dialogs.preferences import PreferencesDialog  # noqa: E402
from ui.dialogs.share import ApproveAnswer, ApproveDialog, ShareAnswer, ShareDialog  # noqa: E402
from ui.dialogs.shortcuts import ShortcutsDialog  # noqa: E402
from ui.dialogs.unlock import UnlockDialog  # noqa: E402
from ui.errors import ErrorMessage, message_for  # noqa: E402
from ui.main import application  # noqa: E402
from ui.main_window import CONFLICTS_ROW, NAVIGATION, SHARING_ROW, MainWindow  # noqa: E402
from ui.settings import AUTHOR_NAME, Settings  # noqa: E402

WIDTH, HEIGHT = 1400, 900
WAIT_MS = 60_000


def wait_for(signal: SignalInstance, trigger: Callable[[], object]) -> None:
    """Run `trigger` and spin the event loop until `signal` fires (or a generous timeout)."""
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(WAIT_MS, loop.quit)
    trigger()
    loop.exec()
    signal.disconnect(loop.quit)


def settle(ms: int = 50) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


class Shooter:
    """Writes numbered PNGs into a folder and remembers what it wrote."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.written: list[Path] = []
        out.mkdir(parents=True, exist_ok=True)
        for old in out.glob("[0-9][0-9]-*.png"):  # a screen renumbered or gone leaves no copy
            old.unlink()

    def save(self, name: str, pixmap: QPixmap) -> None:
        path = self.out / f"{len(self.written) + 1:02d}-{name}.png"
        if not pixmap.save(str(path)):
            raise RuntimeError(f"could not write {path}")
        self.written.append(path)

    def widget(self, name: str, widget: QWidget) -> None:
        settle()
        self.save(name, widget.grab())

    def dialog(self, name: str, dialog: QDialog, *, again: bool = False) -> None:
        """Show `dialog`, picture it and close it; it is let go, unless to be pictured `again`."""
        dialog.show()
        settle()
        self.save(name, dialog.grab())
        dialog.close()
        if not again:
            dialog.deleteLater()  # by Qt now, not by Python at exit (as ask() lets its go)


def with_popup(window: QWidget, popup: QWidget) -> QPixmap:
    """The window with a pop-up (a separate top-level window) painted where it shows."""
    picture = window.grab()
    painter = QPainter(picture)
    offset = window.mapFromGlobal(popup.mapToGlobal(QPoint(0, 0)))
    painter.drawPixmap(offset, popup.grab())
    painter.end()
    return picture


class _Failure:
    """Instead of a modal message box nobody can close offscreen: stop with the message."""

    failures: list[str] = []

    @classmethod
    def show(cls, parent: QWidget | None, exc: BaseException, title: str = "") -> None:
        cls.failures.append(message_for(exc))
        print(f"screenshots: {message_for(exc)}", file=sys.stderr)


LOCAL_APP_DATA_OVERRIDE = "WIN_PD_OVERRIDE_LOCAL_APPDATA"
"""platformdirs reads the Windows local app data folder (user data) from here, if set."""


def home_environment(folder: Path) -> dict[str, str | None]:
    """The environment that makes `folder` the home folder on each system (None: unset).

    Linux and macOS read HOME, and the XDG_* folders follow it once unset. On Windows
    `Path.home()` reads USERPROFILE, and platformdirs asks the system for the local app data
    folder unless told otherwise.
    """
    xdg = ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
    return {
        "HOME": str(folder),
        "USERPROFILE": str(folder),
        LOCAL_APP_DATA_OVERRIDE: str(folder / "AppData" / "Local"),
        **dict.fromkeys(xdg),
    }


@contextlib.contextmanager
def home_in(folder: Path) -> Iterator[None]:
    """Make `folder` the home folder for a while, so that no path of this machine is pictured.

    The register, its settings and the files the screens show all live under it, and are
    shown starting with `~`, as a person's own would be.
    """
    changes = home_environment(folder)
    saved = {name: os.environ.get(name) for name in changes}
    _set_environment(changes)
    try:
        yield
    finally:
        _set_environment(saved)


def _set_environment(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def inside(path: Path, folder: Path) -> Path:
    """`path`, once it is known to be inside `folder`; else stop before anything is written.

    An older platformdirs, or a system that ignores the home folder set, would otherwise put
    the demo register in the person's own data folder.
    """
    if not path.resolve().is_relative_to(folder.resolve()):
        raise RuntimeError(f"screenshots: {path} is not inside {folder}; nothing was written")
    return path


def take_all(out: Path) -> list[Path]:
    ErrorMessage.show = _Failure.show  # type: ignore[method-assign]
    app = application()
    app.setStyle("Fusion")
    shots = Shooter(out)
    with tempfile.TemporaryDirectory(prefix="isr-screenshots-") as temp, home_in(Path(temp)):
        folder = inside(default_register_dir("Demo partnership"), Path(temp))
        folder.mkdir(parents=True)  # listed as a recent register that is there
        settings = Settings(Path(temp) / "settings.ini")
        settings.set(AUTHOR_NAME, "Priya Shah")  # who the demo's changes and conflicts name
        shots.dialog("first-run", FirstRunDialog(None, [folder, Path(temp) / "Old laptop copy"]))
        new = NewRegisterDialog(None)
        new.name.insert("Northshire Information Sharing Register")  # as typed: the folder follows
        shots.dialog("new-register", new)

        window = MainWindow(settings)
        window.resize(WIDTH, HEIGHT)
        window.show()
        wait_for(window.register_opened, lambda: window.open_demo(folder))
        if window.register is None:
            raise RuntimeError(f"the demo register could not be opened: {_Failure.failures}")

        wait_for(window.dashboard.loaded, window.dashboard.refresh)
        shots.widget("dashboard", window)

        agreements = window.agreements
        wait_for(agreements.loaded, lambda: window.navigate(1))
        if agreements.model.rowCount() == 0:
            wait_for(agreements.loaded, agreements.refresh)
        shots.widget("agreements", window)
        wait_for(
            agreements.loaded, lambda: agreements.apply_filter(AgreementQuery(statuses=("active",)))
        )
        agreements.text_filter.setText("health")
        shots.widget("agreements-filtered", window)
        agreements.text_filter.setText("")
        wait_for(agreements.loaded, lambda: agreements.apply_filter(AgreementQuery()))

        richest = max(agreements.rows_shown(), key=lambda r: r.item_count)
        editor = agreements.editor
        wait_for(editor.loaded, lambda: agreements.open_agreement(richest.id))
        for index, name in (
            (0, "editor-overview"),
            (1, "editor-dates"),
            (2, "editor-parties"),
            (3, "editor-lawful-basis"),
            (4, "editor-data-items"),
            (5, "editor-links"),
        ):
            editor.tabs.setCurrentIndex(index)
            shots.widget(name, window)
        editor.tabs.setCurrentIndex(0)
        reference = editor.fields["reference"]
        assert isinstance(reference, QLineEdit)
        reference.setText("")
        wait_for(editor.loaded, editor.save)
        shots.widget("editor-validation", window)
        wait_for(editor.loaded, editor.revert)
        editor.tabs.setCurrentIndex(6)
        shots.widget("editor-history", window)
        editor.request_close()

        for n, name in enumerate(NAVIGATION):
            if name in ("Dashboard", "Agreements", "History", "Conflicts", "Sharing"):
                continue
            window.navigate(n)
            view = window.views[n]
            view.refresh()  # type: ignore[attr-defined]
            window.runner.wait_idle()
            settle(150)
            shots.widget(name.lower().replace(" ", "-"), window)
            second_tab(shots, window, view, name)

        wait_for(window.history.loaded, lambda: window.navigate(NAVIGATION.index("History")))
        wait_for(window.history.loaded, window.history.refresh)
        wait_for(window.history.loaded, lambda: window.history.show_agreement(richest.id))
        shots.widget("history", window)

        window.navigate(1)
        window.search_box.setFocus()
        window.search_box.setText("hosp")
        wait_for(window.search_done, window._run_search)
        window.completer.complete()
        settle(100)
        popup = window.completer.popup()
        assert popup is not None
        shots.save("search", with_popup(window, popup))
        popup.hide()

        share_with_a_colleague(shots, window, Path(temp), richest)
        import_a_council_register(shots, window, Path(temp))
        file_menu(shots, window)

        shots.dialog("preferences", PreferencesDialog(window, settings))
        shots.dialog("keyboard-shortcuts", ShortcutsDialog(window, window.shortcuts()))
        unlock = UnlockDialog(window, folder)
        unlock.passphrase.setText(DEMO_PASSPHRASE)
        shots.dialog("unlock", unlock)

        wait_for(window.register_locked, window.lock)
        shots.widget("locked", window)
        window.close()
    return shots.written


def file_menu(shots: Shooter, window: MainWindow) -> None:
    """The File menu open: where a register is imported into, exported from and shared."""
    menu = window.menuBar().actions()[0].menu()
    assert isinstance(menu, QMenu)
    menu.popup(window.mapToGlobal(window.menuBar().geometry().bottomLeft()))
    settle(100)
    shots.save("file-menu", with_popup(window, menu))
    menu.hide()


SECOND_TABS = {
    "Use cases": ("detail_tabs", "use-cases-benefits"),
    "Meetings and papers": ("tabs", "meetings-decisions"),
}
"""Views whose second tab is worth its own screenshot: (the tab widget, the picture's name)."""


def second_tab(shots: Shooter, window: MainWindow, view: QWidget, name: str) -> None:
    if name not in SECOND_TABS:
        return
    attribute, picture = SECOND_TABS[name]
    if name == "Meetings and papers":  # the decisions of the meeting that was held
        held = next((m for m in view.model.rows() if m.status == "held"), None)  # type: ignore[attr-defined]
        if held is not None:
            view.select_meeting(held.id)  # type: ignore[attr-defined]
    tabs = getattr(view, attribute)
    tabs.setCurrentIndex(1)
    shots.widget(picture, window)
    tabs.setCurrentIndex(0)


def run_on_worker(window: MainWindow, work: Callable[[], Any]) -> None:
    """Run `work` on the window's worker (where its register is used) and wait for it."""
    task = window.runner.run(work, label="Preparing…")
    wait_for(task.ended, lambda: None)


def share_with_a_colleague(shots: Shooter, window: MainWindow, temp: Path,
                           richest: AgreementSummary) -> None:  # fmt: skip
    """Share the demo, let a colleague join and edit it at the same time: the sharing screens."""
    demo = window.register
    assert demo is not None
    window.search_box.clear()
    share = temp / "Partnership drive" / "Information sharing register"
    shots.dialog("share", ShareDialog(window, display_path(share), "Priya Shah, laptop"))
    ShareDialog.ask = classmethod(  # type: ignore[method-assign,assignment]
        lambda cls, *args, **kwargs: ShareAnswer(share, "Priya Shah, laptop")
    )
    wait_for(window.sync_controller.round_ended, window.share_register)

    # a colleague joins from their laptop: the dialog, then the fingerprint to read out
    join = JoinDialog(window, window.runner, display_path(share), "Sam Patel")
    join.folder.setText(display_path(temp / "Sam's laptop" / "register"))
    join.name.setText("Sam Patel, laptop")
    join.passphrase.setText(DEMO_PASSPHRASE)
    join.repeat.setText(DEMO_PASSPHRASE)
    shots.dialog("join", join, again=True)
    wait_for(join.joined, join.submit)
    shots.dialog("join-fingerprint", join)
    if join.result_ is None:
        raise RuntimeError(f"joining failed: {join.error.text()}")
    sam = join.result_.register
    try:
        third = sync.join(share, temp / "Jo's desktop", DEMO_PASSPHRASE, "Jo Okafor, desktop",
                          author="Jo Okafor")  # fmt: skip
        third.register.close()
        make_a_conflict(shots, window, sam, richest)
    finally:
        sam.close()


def make_a_conflict(shots: Shooter, window: MainWindow, sam: Register,
                    richest: AgreementSummary) -> None:  # fmt: skip
    """Sam is approved, then both edit the same fields before syncing: the Conflicts view."""
    demo = window.register
    assert demo is not None
    sharing = window.sharing
    wait_for(sharing.loaded, lambda: window.navigate(SHARING_ROW))
    wait_for(sharing.loaded, sharing.refresh)
    sharing.select_request(sam.device_id)
    request = sharing.requests_model.request_at(sharing.requests_model.row_of(sam.device_id))
    approve = ApproveDialog(window, request)
    approve.matches.setChecked(True)
    shots.dialog("approve", approve)
    ApproveDialog.ask = classmethod(  # type: ignore[method-assign,assignment]
        lambda cls, *args, **kwargs: ApproveAnswer(admin=False)
    )
    wait_for(window.sync_controller.round_ended, sharing.approve_selected)
    sync.sync(sam)

    agreement = get_agreement(demo, richest.id)
    item = agreement.items[0]
    review = (agreement.review_date or dt.date.today()) + dt.timedelta(days=30)
    run_on_worker(window, lambda: update_data_item(demo, item.id, {"frequency": "Monthly"}))
    run_on_worker(window, lambda: update_agreement(demo, agreement.id, {"review_date": review}))
    wait_for(window.sync_controller.round_ended, window.sync_now)
    update_data_item(sam, item.id, {"frequency": "Quarterly, by the 15th working day"})
    update_agreement(sam, agreement.id, {"review_date": review + dt.timedelta(days=61)})
    sync.sync(sam)
    wait_for(window.sync_controller.round_ended, window.sync_now)

    conflicts = window.conflicts
    wait_for(conflicts.loaded, lambda: window.navigate(CONFLICTS_ROW))
    if conflicts.model.rowCount() == 0:
        wait_for(conflicts.loaded, conflicts.refresh)
    conflicts.table.selectRow(conflicts.model.rowCount() - 1)
    shots.widget("conflicts", window)
    make_a_reference_conflict(shots, window, sam, richest)
    window.navigate(SHARING_ROW)
    wait_for(sharing.loaded, sharing.refresh)
    sharing.select_request(next(r.device for r in sharing.requests_model.rows()))
    shots.widget("sharing", window)


REFERRED = "Warwickshire Police"
"""The organisation deleted on one device while the other makes it a party to an agreement."""


def make_a_reference_conflict(shots: Shooter, window: MainWindow, sam: Register,
                              richest: AgreementSummary) -> None:  # fmt: skip
    """Priya deletes an organisation while Sam, before that reaches him, makes it a party."""
    demo = window.register
    assert demo is not None
    made: list[str] = []
    run_on_worker(window, lambda: made.append(create_organisation(demo, {"name": REFERRED})))
    wait_for(window.sync_controller.round_ended, window.sync_now)
    sync.sync(sam)
    run_on_worker(window, lambda: delete_organisation(demo, made[0]))
    wait_for(window.sync_controller.round_ended, window.sync_now)
    add_party(sam, richest.id, made[0], "recipient")
    sync.sync(sam)
    wait_for(window.sync_controller.round_ended, window.sync_now)

    conflicts = window.conflicts
    wait_for(conflicts.loaded, conflicts.refresh)
    model = conflicts.model
    referred = [row for row in range(model.rowCount()) if model.item_at(row).referred]
    if not referred:
        raise RuntimeError("screenshots: the organisation made a party shows no conflict")
    conflicts.table.selectRow(referred[0])
    window.runner.wait_idle()  # the views a sync refreshes have read their rows: none moves
    settle(150)  # the cards of the conflict selected are shown by a layout, queued
    shots.widget("conflicts-referred", window)


SAMPLE_HEADINGS = ("Our ref", "Agreement title", "Partners", "Start date", "Review date",
                   "Status", "Data shared", "Purpose of sharing")  # fmt: skip
SAMPLE_ROWS = (
    (
        "NCC-ISA-041",
        "Troubled families data matching",
        "Northshire County Council; Northshire Police & Northshire Fire and Rescue Service",
        "01/04/2024",
        "April 2025",
        "Live",
        "Household and school attendance records",
        "Identify families for early help",
    ),
    (
        "NCC-ISA-042",
        "Hospital discharge to social care",
        "Northshire NHS Foundation Trust\nNorthshire County Council",
        "3 June 2024",
        "TBC",
        "Active",
        "Discharge notifications",
        "Plan care before discharge",
    ),
    (
        "NCC-ISA-043",
        "Domestic abuse MARAC",
        "Northshire Police; Refuge Northshire",
        "12.09.23",
        "12.09.24",
        "Under review",
        "MARAC referrals and risk assessments",
        "Safeguard high-risk victims",
    ),
    (
        "NCC-ISA-044",
        "",
        "Northshire Fire and Rescue Service",
        "31/02/2024",
        "",
        "Draft",
        "Home fire safety visits",
        "Target safe and well visits",
    ),
    (
        "TBC",
        "Pupil attendance for the virtual school",
        "Northshire County Council & Northshire Academies Trust",
        "",
        "",
        "Draft",
        "Attendance returns",
        "Support children in care",
    ),
    (
        "NCC-ISA-045",
        "Blue Badge fraud checks",
        "Northshire County Council",
        "2024-01-15",
        "2025-01-15",
        "Live",
        "Blue Badge holders",
        "Prevent misuse of badges",
    ),
)


def write_council_register(path: Path) -> Path:
    """A register as a council keeps it in Excel: a title row, a note, UK dates, a bad row."""
    from openpyxl import Workbook  # lazily, as everywhere: not needed to show the window

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "ISA register"
    sheet.append(["Northshire County Council — register of information sharing agreements"])
    sheet.append(["Maintained by the Information Governance team. Last updated 30/09/2024."])
    sheet.append([])
    sheet.append(list(SAMPLE_HEADINGS))
    for row in SAMPLE_ROWS:
        sheet.append(list(row))
    book.save(path)
    return path


def import_a_council_register(shots: Shooter, window: MainWindow, temp: Path) -> None:
    """A council's own spreadsheet through every page of the import wizard."""
    from ui.dialogs.import_wizard import screenshot_pages

    register = window.register
    assert register is not None
    path = write_council_register(temp / "Northshire ISA register.xlsx")
    screenshot_pages(register, path, shots.widget, corrections={"Our ref": "agreement.reference"},
                     parent=window, runner=window.runner)  # fmt: skip


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m ui.screenshots OUTDIR", file=sys.stderr)
        return 2
    written = take_all(Path(argv[0]))
    for path in written:
        print(path)
    print(f"{len(written)} screenshots written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
