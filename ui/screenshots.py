"""`python -m ui.screenshots OUTDIR`: a PNG of every main screen and dialog, on the demo register.

Builds the demo partnership in a temporary folder, opens the real main window offscreen at
1400x900 and grabs each screen as a person would see it.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QPoint, QTimer, SignalInstance  # noqa: E402
from PySide6.QtGui import QPainter, QPixmap  # noqa: E402
from PySide6.QtWidgets import QDialog, QLineEdit, QWidget  # noqa: E402

from app.agreements import AgreementQuery  # noqa: E402
from app.demo import DEMO_PASSPHRASE  # noqa: E402
from ui.dialogs.first_run import FirstRunDialog  # noqa: E402
from ui.dialogs.new_register import NewRegisterDialog  # noqa: E402
from ui.dialogs.preferences import PreferencesDialog  # noqa: E402
from ui.dialogs.shortcuts import ShortcutsDialog  # noqa: E402
from ui.dialogs.unlock import UnlockDialog  # noqa: E402
from ui.errors import ErrorMessage, message_for  # noqa: E402
from ui.main import application  # noqa: E402
from ui.main_window import NAVIGATION, MainWindow  # noqa: E402
from ui.settings import Settings  # noqa: E402

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

    def save(self, name: str, pixmap: QPixmap) -> None:
        path = self.out / f"{len(self.written) + 1:02d}-{name}.png"
        if not pixmap.save(str(path)):
            raise RuntimeError(f"could not write {path}")
        self.written.append(path)

    def widget(self, name: str, widget: QWidget) -> None:
        settle()
        self.save(name, widget.grab())

    def dialog(self, name: str, dialog: QDialog) -> None:
        dialog.show()
        settle()
        self.save(name, dialog.grab())
        dialog.close()


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


def take_all(out: Path) -> list[Path]:
    ErrorMessage.show = _Failure.show  # type: ignore[method-assign]
    app = application()
    app.setStyle("Fusion")
    shots = Shooter(out)
    with tempfile.TemporaryDirectory(prefix="isr-screenshots-") as temp:
        folder = Path(temp) / "Demo partnership"
        settings = Settings(Path(temp) / "settings.ini")
        shots.dialog("first-run", FirstRunDialog(None, [folder]))
        new = NewRegisterDialog(None)
        new.name.setText("Northshire Information Sharing Register")
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
        wait_for(agreements.loaded,
                 lambda: agreements.apply_filter(AgreementQuery(statuses=("active",))))
        agreements.text_filter.setText("health")
        shots.widget("agreements-filtered", window)
        agreements.text_filter.setText("")
        wait_for(agreements.loaded, lambda: agreements.apply_filter(AgreementQuery()))

        richest = max(agreements.rows_shown(), key=lambda r: r.item_count)
        editor = agreements.editor
        wait_for(editor.loaded, lambda: agreements.open_agreement(richest.id))
        for index, name in ((0, "editor-overview"), (2, "editor-parties"),
                            (3, "editor-lawful-basis"), (4, "editor-data-items")):
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
            if name in ("Dashboard", "Agreements", "History"):
                continue
            window.navigate(n)
            view = window.views[n]
            view.refresh()  # type: ignore[attr-defined]
            window.runner.wait_idle()
            settle(150)
            shots.widget(name.lower().replace(" ", "-"), window)

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

        shots.dialog("preferences", PreferencesDialog(window, settings))
        shots.dialog("keyboard-shortcuts", ShortcutsDialog(window, window.shortcuts()))
        unlock = UnlockDialog(window, folder)
        unlock.passphrase.setText(DEMO_PASSPHRASE)
        shots.dialog("unlock", unlock)

        wait_for(window.register_locked, window.lock)
        shots.widget("locked", window)
        window.close()
    return shots.written


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
