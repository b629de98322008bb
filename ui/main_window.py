"""The main window: navigation, search, menus, status bar, locking and the register's lifecycle."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from PySide6.QtCore import QEvent, QMetaObject, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QColor, QGuiApplication, QKeySequence, QWindow
from PySide6.QtWidgets import (
    QApplication,
    QCompleter,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from app import remember, search
from app.errors import NothingToUndoError, RegisterError, WrongPassphraseError
from app.paths import default_register_dir
from app.progress import Cancel, Progress
from app.register import Register, default_author
from app.wording import plural
from ui.collector import GarbageCollector
from ui.errors import UNDO_KEYS, ErrorMessage
from ui.models.search import SearchResultsModel
from ui.settings import AUTHOR_NAME, IDLE_LOCK_MINUTES, SHARED_FOLDER, Settings
from ui.sync_controller import NOT_SHARED, SyncController, status_text, sync_interval_ms
from ui.views.dashboard import DashboardView
from ui.workers import Task, TaskRunner

if TYPE_CHECKING:  # the dialogs and the views not on screen at start load when first needed
    from app.exporting import ExportResult
    from app.oplog import Operation
    from app.search import SearchHit
    from app.sync import SyncStatus
    from ui.dialogs.unlock import UnlockAnswer
    from ui.views.agreements import AgreementsView
    from ui.views.conflicts import ConflictsView
    from ui.views.history import HistoryView
    from ui.views.members import MembersView

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
STATUS_PADDING = 6  # pixels either side of a status bar text
FIRST_SYNC_LATEST_MS = 2_000  # sync on open waits for the first screen, this long at most
NAVIGATION_STYLE = "QListWidget#navigation::item { padding: 5px 8px; }"


class RegisterView(Protocol):
    def set_register(self, register: Register | None) -> None: ...
    def refresh(self) -> None: ...


class PlaceholderView(QWidget):
    """Stands in for a view that is not built yet."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        label = QLabel(f"{title} is coming soon.")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setAccessibleName(f"{title} is coming soon")
        layout = QVBoxLayout(self)
        layout.addWidget(label)

    def set_register(self, register: Register | None) -> None:
        pass

    def refresh(self) -> None:
        pass


# name in the navigation, module, class: the views engineer's views are imported when present
OTHER_VIEWS = (
    ("Use cases", "ui.views.use_cases", "UseCasesView"),
    ("Organisations", "ui.views.organisations", "OrganisationsView"),
    ("Assessments", "ui.views.assessments", "AssessmentsView"),
    ("Logs", "ui.views.logs", "LogsView"),
    ("Meetings and papers", "ui.views.meetings", "MeetingsView"),
)
NAVIGATION = ("Dashboard", "Agreements", *(n for n, _, _ in OTHER_VIEWS), "Conflicts", "History",
              "Sharing")  # fmt: skip
CONFLICTS_ROW = NAVIGATION.index("Conflicts")
SHARING_ROW = NAVIGATION.index("Sharing")


def navigation_key(row: int) -> str:
    """The digit of a navigation entry's shortcut: Ctrl+1 … Ctrl+9, then Ctrl+0."""
    return str((row + 1) % 10)


def _load_view(title: str, module: str, name: str) -> QWidget:
    try:
        cls = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        log.info("view %s not available yet; showing a placeholder", module)
        return PlaceholderView(title)
    view = cls()
    assert isinstance(view, QWidget)
    return view


def _alarm_colour() -> str:
    from ui.models.sync_models import ALARM_COLOUR  # with the sync code, loaded when first needed

    return ALARM_COLOUR


V = TypeVar("V", bound=QWidget)


class DeferredView(QWidget, Generic[V]):
    """Stands in for a view until it is first needed, then builds it and puts it in its place.

    The window shows sooner: a view's module is imported and its widgets built only when the
    person first goes to it (or something asks it for a record). `built` is called with the
    view once it exists, to connect its signals. In a stack of views the view takes the
    stand-in's place; elsewhere it is shown inside the stand-in.
    """

    def __init__(self, build: Callable[[], V], built: Callable[[V], None] | None = None) -> None:
        super().__init__()
        self._build = build
        self._built = built
        self._view: V | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)

    @classmethod
    def of_module(cls, title: str, module: str, name: str) -> DeferredView[QWidget]:
        """A stand-in for a view found by module and class name (a placeholder if absent)."""
        return DeferredView(lambda: _load_view(title, module, name))

    @property
    def view(self) -> V:
        """The view, built now if it was not yet."""
        if self._view is None:
            view = self._view = self._build()
            self._take_place(view)
            self.setFocusProxy(view)
            if self._built is not None:
                self._built(view)
        return self._view

    def _take_place(self, view: QWidget) -> None:
        stack = self.parentWidget()
        if not isinstance(stack, QStackedWidget):
            self._layout.addWidget(view)
            return
        index = stack.indexOf(self)
        shown = stack.currentIndex() == index
        stack.insertWidget(index, view)
        stack.removeWidget(self)  # hidden from now on; it still passes calls on to the view
        if shown:
            stack.setCurrentIndex(index)

    @property
    def built(self) -> V | None:
        """The view if it has been built, else None (without building it)."""
        return self._view

    def set_register(self, register: Register | None) -> None:
        if register is not None or self._view is not None:
            self.view.set_register(register)  # type: ignore[attr-defined]

    def refresh(self) -> None:
        self.view.refresh()  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> Any:
        # a view's own hooks (select_record…) are reached through the stand-in
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.view, name)


class _IdleWatcher(QObject):
    """Restarts the idle timer on any keyboard or mouse input in any of the app's windows.

    It watches each top-level window (the main window, a dialog…) as it gains the focus, where
    all input arrives, rather than the whole application: a filter there is called for every
    event of every object, and the first calls, about objects of Qt's private classes, make
    PySide build the Python types of all Qt's classes (some 20 ms before the window shows).
    """

    INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress,
                       QEvent.Type.MouseMove, QEvent.Type.Wheel})  # fmt: skip

    def __init__(self, timer: QTimer, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = timer

    def watch(self, window: QWindow | None) -> None:
        """Watch `window` too (watching a window twice watches it once)."""
        if window is not None:
            window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self.INPUT and self._timer.isActive():
            self._timer.start()
        return False


class MainWindow(QMainWindow):
    """The desktop app around one register at a time."""

    register_opened = Signal()
    register_locked = Signal()
    register_changed = Signal()  # emitted (queued) after any batch is written
    search_done = Signal()
    undo_done = Signal(str)

    def __init__(self, settings: Settings | None = None) -> None:
        super().__init__()
        self.settings = settings or Settings()
        self.runner = TaskRunner(self)
        # from now on a worker thread may run: cyclic garbage is collected on this thread only
        self.collector = GarbageCollector(lambda: self.runner.busy, self)
        self.collector.start()
        self.register: Register | None = None
        self.register_path: Path | None = None
        self._search_generation = 0
        self._stale: set[int] = set()
        self._pending: set[int] = set()  # views not given the open register yet
        self._first_round: object | None = None  # the open's first sync round, until it starts
        self.setWindowTitle("Information Sharing Register")
        self.resize(1400, 900)

        self.dashboard = DashboardView(runner=self.runner)
        self._agreements = DeferredView(self._build_agreements)
        self._history = DeferredView(self._build_history)
        self._conflicts = DeferredView(self._build_conflicts, self._conflicts_built)
        self._sharing = DeferredView(self._build_sharing, self._sharing_built)
        others = [DeferredView.of_module(*spec) for spec in OTHER_VIEWS]
        self.views: list[QWidget] = [self.dashboard, self._agreements, *others,
                                     self._conflicts, self._history, self._sharing]  # fmt: skip
        self.dashboard.open_agreements.connect(self._open_filtered_agreements)
        self.dashboard.open_use_cases.connect(lambda _stage: self.navigate(2))

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName("Navigation")
        self.navigation.setStyleSheet(NAVIGATION_STYLE)
        for n, name in enumerate(NAVIGATION):
            self.navigation.addItem(f"{name}")
            item = self.navigation.item(n)
            if item is not None:
                item.setToolTip(f"{name} (Ctrl+{navigation_key(n)})")
        self.navigation.setMinimumWidth(190)
        self.navigation.setMaximumWidth(240)
        self.navigation.currentRowChanged.connect(self._navigated)
        self.view_stack = QStackedWidget()
        for view in self.views:
            self.view_stack.addWidget(view)
        splitter = QSplitter()
        splitter.addWidget(self.navigation)
        splitter.addWidget(self.view_stack)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([190, 1210])

        self.locked_page = self._build_locked_page()
        self.pages = QStackedWidget()
        self.pages.addWidget(splitter)
        self.pages.addWidget(self.locked_page)
        self.setCentralWidget(self.pages)

        self._build_search()
        self._build_menus()
        self._build_status_bar()
        self._build_sync()

        self.idle_timer = QTimer(self)
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self.lock_idle)
        self._idle_watcher = _IdleWatcher(self.idle_timer, self)
        app = QGuiApplication.instance()
        self._watching: QMetaObject.Connection | None = None
        if isinstance(app, QGuiApplication):
            self._watching = app.focusWindowChanged.connect(self._idle_watcher.watch)
        self.register_changed.connect(self._after_change)
        self._show_locked("No register is open.")

    # ------------------------------------------------------------------ views built when needed

    @property
    def agreements(self) -> AgreementsView:
        return self._agreements.view

    @property
    def history(self) -> HistoryView:
        return self._history.view

    @property
    def conflicts(self) -> ConflictsView:
        return self._conflicts.view

    @property
    def sharing(self) -> MembersView:
        return self._sharing.view

    def _build_agreements(self) -> AgreementsView:
        from ui.views.agreements import AgreementsView

        view = AgreementsView(runner=self.runner, settings=self.settings)
        view.editor.saved.connect(lambda _id: self.dashboard_stale())
        return view

    def _build_history(self) -> HistoryView:
        from ui.views.history import HistoryView

        return HistoryView(runner=self.runner)

    def _build_conflicts(self) -> ConflictsView:
        from ui.views.conflicts import ConflictsView

        return ConflictsView(runner=self.runner)

    def _conflicts_built(self, view: ConflictsView) -> None:
        view.conflicts_counted.connect(self._show_conflict_count)
        view.resolved.connect(lambda said: self.statusBar().showMessage(said, 5000))

    def _build_sharing(self) -> MembersView:
        from ui.views.members import MembersView

        return MembersView(runner=self.runner)

    def _sharing_built(self, view: MembersView) -> None:
        view.share_requested.connect(self.share_register)
        view.sync_requested.connect(self.sync_now)
        view.membership_changed.connect(self._membership_changed)

    # ------------------------------------------------------------------ building

    def _build_locked_page(self) -> QWidget:
        page = QWidget()
        self.locked_label = QLabel("")
        self.locked_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.locked_label.setAccessibleName("Register state")
        self.unlock_button = QPushButton("&Unlock…")
        self.unlock_button.setAccessibleName("Unlock the register")
        self.unlock_button.clicked.connect(self.unlock)
        self.start_button = QPushButton("&Open or create a register…")
        self.start_button.clicked.connect(self.first_run)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.unlock_button)
        buttons.addWidget(self.start_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addStretch(1)
        layout.addWidget(self.locked_label)
        layout.addLayout(buttons)
        layout.addStretch(2)
        return page

    def _build_search(self) -> None:
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText(
            "Search agreements, data items, organisations, use cases"
        )
        self.search_box.setAccessibleName("Search the register")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setMinimumWidth(420)
        self.search_results = SearchResultsModel(self)
        self.completer = QCompleter(self.search_results, self)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(12)
        self.completer.activated[QModelIndex].connect(  # type: ignore[index]
            self._hit_activated
        )
        self.search_box.setCompleter(self.completer)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._run_search)
        self.search_box.textEdited.connect(lambda _t: self._search_timer.start())
        self.search_box.returnPressed.connect(self._open_first_hit)
        toolbar = QToolBar("Search")
        toolbar.setObjectName("search_toolbar")
        toolbar.setMovable(False)
        # no Alt+ letter: the window's menus hold theirs (Alt+H is Help); Ctrl+F goes here
        label = QLabel(" Search ")
        label.setBuddy(self.search_box)
        label.setToolTip("Ctrl+F")
        self.search_box.setToolTip("Search the register (Ctrl+F)")
        toolbar.addWidget(label)
        toolbar.addWidget(self.search_box)
        self.addToolBar(toolbar)

    def _action(self, menu: Any, text: str, slot: Callable[[], Any],
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
                described: str = "") -> QAction:  # fmt: skip
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False: slot())
        menu.addAction(action)
        if shortcut is not None:
            self._shortcuts.append(
                (
                    QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText),
                    described or text.replace("&", ""),
                )
            )
        return action

    def _build_menus(self) -> None:
        self._shortcuts: list[tuple[str, str]] = []
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "&New register…", self.create_register)
        self._action(file_menu, "&Open register…", self.choose_register)
        self._action(file_menu, "Open the &demo register", self.open_demo)
        self._action(file_menu, "&Join a shared register…", self.join_register)
        file_menu.addSeparator()
        self.import_action = self._action(file_menu, "&Import spreadsheet…",
                                          self.import_spreadsheet)  # fmt: skip
        self.export_action = self._action(file_menu, "&Export register to Excel…",
                                          self.export_spreadsheet)  # fmt: skip
        self.share_action = self._action(file_menu, "&Share this register…", self.share_register)
        self.sync_action = self._action(file_menu, "S&ync now", self.sync_now, "F9",
                                        "Sync with the shared folder")  # fmt: skip
        file_menu.addSeparator()
        self.lock_action = self._action(file_menu, "&Lock", self.lock, "Ctrl+L",
                                        "Lock the register")  # fmt: skip
        self._action(file_menu, "&Preferences…", self.preferences, "Ctrl+,", "Preferences")
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, "Ctrl+Q", "Quit")

        edit_menu = bar.addMenu("&Edit")
        self.undo_action = self._action(edit_menu, "&Undo", self.undo, UNDO_KEYS,
                                        "Undo the last change")  # fmt: skip
        self.redo_action = self._action(edit_menu, "&Redo", self.redo, "Ctrl+Shift+Z",
                                        "Redo the change undone")  # fmt: skip
        edit_menu.addSeparator()
        self._action(edit_menu, "&New agreement", self.new_agreement, "Ctrl+N", "New agreement")
        self._shortcuts.append(("Ctrl+S", "Save the agreement being edited"))
        self._action(edit_menu, "&Find…", self.focus_search, "Ctrl+F", "Search the register")

        view_menu = bar.addMenu("&View")
        for n, name in enumerate(NAVIGATION):
            key = navigation_key(n)
            self._action(view_menu, f"&{key} {name}", self._navigator(n), f"Ctrl+{key}",
                         f"Go to {name}")  # fmt: skip
        view_menu.addSeparator()
        self._action(view_menu, "&Refresh", self.refresh_current, "F5", "Refresh the view")

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts, "F1",
                     "Keyboard shortcuts")  # fmt: skip
        self._action(help_menu, "&About", self.about)

    def _build_status_bar(self) -> None:
        self.name_label = QLabel("")
        self.name_label.setAccessibleName("Register")
        self.lock_label = QLabel("")
        self.lock_label.setAccessibleName("Lock state")
        self.sync_label = QPushButton(NOT_SHARED)
        self.sync_label.setFlat(True)
        self.sync_label.setAccessibleName("Sharing state")
        self.sync_label.setToolTip("The state of sharing; press for the details")
        self.sync_label.clicked.connect(self.show_sync_details)
        for label in (self.name_label, self.lock_label):
            label.setContentsMargins(STATUS_PADDING, 0, STATUS_PADDING, 0)
        status = self.statusBar()
        self._status_parts: list[tuple[QFrame, QLabel | QPushButton]] = []
        parts: tuple[QLabel | QPushButton, ...] = (self.name_label, self.lock_label,
                                                   self.sync_label)  # fmt: skip
        for n, part in enumerate(parts):
            separator = QFrame()
            separator.setFrameShape(QFrame.Shape.VLine)
            separator.setFrameShadow(QFrame.Shadow.Sunken)
            separator.setVisible(n > 0)
            status.addPermanentWidget(separator)
            status.addPermanentWidget(part)
            self._status_parts.append((separator, part))

    def _tidy_status_bar(self) -> None:
        """Show the status bar's parts that say something, with a line between each two."""
        shown_before = False
        for separator, part in self._status_parts:
            text = part.text()
            part.setVisible(bool(text))
            separator.setVisible(bool(text) and shown_before)
            shown_before = shown_before or bool(text)

    def _build_sync(self) -> None:
        ctl = SyncController(self.runner, self, interval_ms=sync_interval_ms(self.settings))
        self.sync_controller = ctl
        ctl.status_changed.connect(self._show_sync_status)
        ctl.failed.connect(lambda message: self._set_sync_label(*status_text(None, message)))
        ctl.changes_received.connect(self._changes_received)
        ctl.conflicts_counted.connect(self._show_conflict_count)
        ctl.round_ended.connect(self._sync_round_ended)

    # ------------------------------------------------------------------ state

    def _set_actions_enabled(self, open_: bool) -> None:
        for action in (self.lock_action, self.undo_action, self.redo_action, self.import_action,
                       self.export_action, self.share_action, self.sync_action):  # fmt: skip
            action.setEnabled(open_)
        self.search_box.setEnabled(open_)
        self.navigation.setEnabled(open_)

    def _show_locked(self, text: str) -> None:
        self.pages.setCurrentIndex(1)
        self.statusBar().clearMessage()  # nothing of the register stays on screen
        self.locked_label.setText(text)
        self.unlock_button.setVisible(self.register_path is not None)
        self.lock_label.setText("Locked" if self.register_path else "")
        self.name_label.setText(self.register_path.name if self.register_path else "")
        self.sync_label.setText("")
        self._tidy_status_bar()
        self._set_actions_enabled(False)

    @property
    def is_locked(self) -> bool:
        return self.register is None

    def shortcuts(self) -> list[tuple[str, str]]:
        return list(self._shortcuts)

    # ------------------------------------------------------------------ opening

    def first_run(self) -> None:
        from ui.dialogs.first_run import CREATE, DEMO, JOIN, OPEN, OPEN_RECENT, FirstRunDialog

        choice = FirstRunDialog.ask(self, self.settings.recent_registers())
        if choice is None:
            return
        if choice.action == CREATE:
            self.create_register()
        elif choice.action == OPEN:
            self.choose_register()
        elif choice.action == OPEN_RECENT and choice.path is not None:
            self.open_register(choice.path)
        elif choice.action == DEMO:
            self.open_demo()
        elif choice.action == JOIN:
            self.join_register()

    def choose_register(self) -> None:
        start = str(self.settings.last_register() or default_register_dir().parent)
        chosen = QFileDialog.getExistingDirectory(self, "Open a register folder", start)
        if chosen:
            self.open_register(Path(chosen))

    def _confirm_leave(self) -> bool:
        """Whether the register may be left: asks about unsaved edits of the agreement editor."""
        agreements = self._agreements.built
        return agreements is None or agreements.confirm_leave()

    @staticmethod
    def _is_shared(register: Register) -> bool:
        from app.sync.state import load  # the sync code is not needed before a register opens

        return load(register).shared

    def _author(self) -> str:
        return self.settings.get(AUTHOR_NAME) or default_author()

    def _prepare(self, register: Register) -> Register:
        """Worker-side preparation of a freshly opened register (search index)."""
        try:
            search.attach(register)
        except Exception:
            register.close()
            raise
        return register

    def open_register(self, path: Path) -> None:
        """Open a register: with the key this device remembers, else by asking the passphrase."""
        if not self._close_current():
            return
        self.register_path = path
        register_id = self.settings.remembered_register_id(path)
        key = remember.recall(register_id) if register_id else None
        if key is None:
            self.ask_passphrase(path)
            return
        author = self._author()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, WrongPassphraseError) and register_id:
                remember.forget(register_id)
                self.settings.set_remembered_register_id(path, None)
                self.ask_passphrase(path)
            else:
                self._open_failed(exc)

        self.runner.run(lambda: self._prepare(Register.open(path, wrapping_key=key, author=author)),
                        self.set_register, failed, label="Opening the register…")  # fmt: skip

    def ask_passphrase(self, path: Path, error: str = "") -> None:
        from ui.dialogs.unlock import UnlockDialog

        self.register_path = path
        self._show_locked("The register is locked.")
        answer = UnlockDialog.ask(self, path, error)
        if answer is None:
            return
        self.unlock_with(path, answer)

    def unlock_with(self, path: Path, answer: UnlockAnswer) -> None:
        author = self._author()

        def done(register: Register) -> None:
            if answer.remember:
                try:
                    remember.remember(register.material.register_id, register.wrapping_key)
                    self.settings.set_remembered_register_id(path, register.material.register_id)
                except RegisterError as exc:
                    ErrorMessage.show(self, exc)
            self.set_register(register)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, WrongPassphraseError):
                self.ask_passphrase(path, exc.message)
            else:
                self._open_failed(exc)

        self.runner.run(
            lambda: self._prepare(Register.open(path, answer.passphrase, author=author)),
            done, failed, label="Unlocking the register…",
        )  # fmt: skip

    def _open_failed(self, exc: BaseException) -> None:
        ErrorMessage.show(self, exc, "The register could not be opened")
        self._show_locked(str(exc) if isinstance(exc, RegisterError) else "Not opened.")
        self.register_opened.emit()  # waiting code learns the attempt is over

    def create_register(self) -> None:
        from ui.dialogs.new_register import NewRegisterDialog

        answer = NewRegisterDialog.ask(self)
        if answer is None or not self._close_current():
            return
        author = self._author()
        self.register_path = answer.folder
        self.runner.run(
            lambda: self._prepare(Register.create(answer.folder, answer.passphrase,
                                                  name=answer.name, author=author)),
            self.set_register, self._open_failed, label="Creating the register…",
        )  # fmt: skip

    def open_demo(self, folder: Path | None = None) -> None:
        """Open the demo register, building it first when it does not exist yet."""
        from app.demo import DEMO_PASSPHRASE, build_demo
        from app.paths import KEY_FILE

        if not self._close_current():
            return
        folder = folder or default_register_dir("demo")
        author = self._author()
        self.register_path = folder

        def make() -> Register:
            if (folder / KEY_FILE).exists():
                return self._prepare(Register.open(folder, DEMO_PASSPHRASE, author=author))
            register = Register.create(folder, DEMO_PASSPHRASE, name="Demo partnership",
                                       author=author)  # fmt: skip
            try:
                build_demo(register)
            except BaseException:
                register.close()
                raise
            return self._prepare(register)

        self.runner.run(make, self.set_register, self._open_failed,
                        label="Building the demo register…")  # fmt: skip

    def set_register(self, register: Register) -> None:
        """Show an open register in every view (runs on the GUI thread)."""
        self.register = register
        self.register_path = register.path
        register.listeners.append(self._on_operations)
        info = register.info()
        self.settings.add_recent_register(register.path)
        self.setWindowTitle(f"{info.name} — Information Sharing Register")
        self.name_label.setText(info.name)
        self.lock_label.setText("Unlocked")  # the sync label that follows tidies the status bar
        shared = self._is_shared(register)
        self._set_sync_label(*(status_text(None) if shared else (NOT_SHARED, False)))
        self.pages.setCurrentIndex(0)
        self._set_actions_enabled(True)
        # only the view on screen loads now; the others when first shown (a fast start)
        current = max(self.navigation.currentRow(), 0)
        self._pending = set(range(len(self.views))) - {current}
        self._stale.clear()
        self._view(self.views[current]).set_register(register)
        if self.navigation.currentRow() < 0:
            self.navigation.setCurrentRow(0)
        self.share_action.setEnabled(not shared)
        self.sync_action.setEnabled(shared)
        self._show_conflict_count(0)
        self.restart_idle_timer()
        self._sync_once_shown(register, self.views[current])
        self.register_opened.emit()

    def _sync_once_shown(self, register: Register, view: QWidget) -> None:
        """Sync on open, once the view on screen has drawn what it loaded.

        A round started at once would run beside the first drawing of the window and slow it
        down: the person sees the register first, then its state of sharing. Saves made in the
        meantime are followed from the start; a view that never says it has loaded delays the
        first round by `FIRST_SYNC_LATEST_MS` at most.
        """
        self.sync_controller.start(register, now=False)
        token = self._first_round = object()

        def first_round() -> None:
            if self._first_round is token and self.sync_controller.follows(register):
                self._first_round = None  # once: on loading or at the latest, whichever is first
                self.sync_controller.sync_now()

        QTimer.singleShot(FIRST_SYNC_LATEST_MS, self, first_round)
        loaded = getattr(view, "loaded", None)
        if loaded is None:
            first_round()
        else:  # posted after the view's repaint, so the round starts once it is drawn
            loaded.connect(lambda: QTimer.singleShot(0, self, first_round),
                           Qt.ConnectionType.SingleShotConnection)  # fmt: skip

    def _view(self, widget: QWidget) -> RegisterView:
        return widget  # type: ignore[return-value]

    # ------------------------------------------------------------------ locking

    def restart_idle_timer(self) -> None:
        minutes = self.settings.get(IDLE_LOCK_MINUTES)
        if minutes > 0 and self.register is not None:
            self.idle_timer.start(minutes * 60_000)
        else:
            self.idle_timer.stop()

    def lock(self) -> bool:
        """Lock on request: asks about unsaved changes first. True when locked."""
        if self.register is None:
            return True
        if not self._confirm_leave():
            return False
        self._lock("The register is locked.")
        return True

    def lock_idle(self) -> None:
        """Lock after the idle period; unsaved edits of the editor are discarded."""
        if self.register is not None:
            self._close_dialogs()
            self._lock("The register was locked after a period without use.")

    def _close_dialogs(self) -> None:
        """Close the dialogs left open over the window (an import, a sync…) before locking.

        A dialog with work under way cancels it when asked to close; it is closed for good once
        that work has stopped, so that nothing is left showing the register's content.
        """
        for dialog in self.findChildren(QDialog):
            if dialog.isVisible():
                dialog.reject()
        if any(d.isVisible() for d in self.findChildren(QDialog)):
            self.runner.wait_idle()
            QApplication.processEvents()
            for dialog in self.findChildren(QDialog):
                if dialog.isVisible():
                    dialog.done(QDialog.DialogCode.Rejected)

    def _lock(self, text: str) -> None:
        register = self.register
        if register is None:
            return
        self.register = None
        self.idle_timer.stop()
        self.sync_controller.stop()
        for n, view in enumerate(self.views):
            if n not in self._pending:
                self._view(view).set_register(None)
        self._pending.clear()
        self.search_results.set_hits([])
        self.search_box.clear()
        self._show_locked(text)

        def closed(_: object) -> None:
            self.register_locked.emit()

        self.runner.run(register.close, closed, lambda exc: self.register_locked.emit(),
                        label="Locking…")  # fmt: skip

    def unlock(self) -> None:
        if self.register_path is not None:
            self.ask_passphrase(self.register_path)

    def _close_current(self) -> bool:
        if self.register is None:
            return True
        if not self.lock():
            return False
        self.runner.wait_idle()
        return True

    # ------------------------------------------------------------------ changes

    def _on_operations(self, ops: list[Operation]) -> None:
        # called on the worker thread: only emit (queued to the GUI thread)
        self.register_changed.emit()

    def _after_change(self) -> None:
        current = self.view_stack.currentIndex()
        self._stale.update(n for n in range(len(self.views)) if n != current)
        if self.register is not None:
            self.undo_action.setEnabled(True)

    def dashboard_stale(self) -> None:
        self._stale.add(0)

    def _navigated(self, row: int) -> None:
        if row < 0:
            return
        self.view_stack.setCurrentIndex(row)
        if row in self._pending and self.register is not None:
            self._pending.discard(row)
            self._stale.discard(row)
            self._view(self.views[row]).set_register(self.register)
        elif row in self._stale and self.register is not None:
            self._stale.discard(row)
            self._view(self.views[row]).refresh()

    def _navigator(self, row: int) -> Callable[[], None]:
        return lambda: self.navigate(row)

    def navigate(self, row: int) -> None:
        if self.register is not None and 0 <= row < len(self.views):
            self.navigation.setCurrentRow(row)
            self.views[row].setFocus()

    def refresh_current(self) -> None:
        if self.register is not None:
            self._view(self.views[self.view_stack.currentIndex()]).refresh()

    def refresh_all(self) -> None:
        """Refresh the view on screen now and every other one when next shown."""
        self._stale.update(range(len(self.views)))
        self.refresh_current()
        self._stale.discard(self.view_stack.currentIndex())

    def _open_filtered_agreements(self, query: Any) -> None:
        self.navigate(1)
        self._agreements.view.apply_filter(query)

    def new_agreement(self) -> None:
        if self.register is not None:
            self.navigate(1)
            self._agreements.view.new_agreement()

    def _undo_redo(self, redo: bool) -> None:
        register = self.register
        if register is None:
            return
        agreements = self._agreements.built
        if agreements is not None and agreements.is_editing and (
                not agreements.editor.confirm_discard()):  # fmt: skip
            return

        def done(label: str) -> None:
            self.statusBar().showMessage(f"{'Redone' if redo else 'Undone'}: {label}", 5000)
            self.refresh_all()
            self.undo_done.emit(label)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, NothingToUndoError):
                self.statusBar().showMessage(exc.message, 5000)
            else:
                ErrorMessage.show(self, exc)
            self.undo_done.emit("")

        self.runner.run(register.redo if redo else register.undo, done, failed,
                        label="Undoing…")  # fmt: skip

    def undo(self) -> None:
        self._undo_redo(redo=False)

    def redo(self) -> None:
        self._undo_redo(redo=True)

    # ------------------------------------------------------------------ search

    def focus_search(self) -> None:
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _run_search(self) -> None:
        register = self.register
        text = self.search_box.text()
        self._search_generation += 1
        generation = self._search_generation
        if register is None or not text.strip():
            self.search_results.set_hits([])
            self.search_done.emit()
            return

        def done(hits: list[SearchHit]) -> None:
            if generation == self._search_generation:
                self.search_results.set_hits(hits)
                if hits and self.search_box.hasFocus():
                    self.completer.complete()
            self.search_done.emit()

        def failed(exc: BaseException) -> None:
            ErrorMessage.show(self, exc)
            self.search_done.emit()

        self.runner.run(lambda: search.search(register, text), done, failed, label="Searching…")

    def search_now(self, text: str) -> None:
        """Search for `text` at once (what typing does after a short pause)."""
        self.search_box.setText(text)
        self._run_search()

    def _hit_activated(self, index: Any) -> None:
        row = index.row() if hasattr(index, "row") else -1
        if 0 <= row < self.search_results.rowCount():
            self.open_hit(self.search_results.hit_at(row))

    def _open_first_hit(self) -> None:
        if self.search_results.rowCount():
            self.open_hit(self.search_results.hit_at(0))

    def open_hit(self, hit: SearchHit) -> None:
        """Go to what a search found."""
        if hit.agreement_id:
            self.navigate(1)
            agreements = self._agreements.view
            agreements.open_agreement(hit.agreement_id)
            if hit.entity == "data_item":
                agreements.editor.loaded.connect(
                    lambda: self._select_item(hit.record_id),
                    Qt.ConnectionType.SingleShotConnection,
                )
        elif hit.entity == "organisation":
            self.navigate(NAVIGATION.index("Organisations"))
        elif hit.entity == "use_case":
            self.navigate(NAVIGATION.index("Use cases"))
        self._call_view_hook(hit)

    def _call_view_hook(self, hit: SearchHit) -> None:
        """Let the views engineer's views select the record when they offer a way to."""
        target = {"organisation": NAVIGATION.index("Organisations"),
                  "use_case": NAVIGATION.index("Use cases")}.get(hit.entity)  # fmt: skip
        if target is None:
            return
        view = self.views[target]
        for name in ("select_record", "show_record"):
            hook = getattr(view, name, None)
            if callable(hook):
                hook(hit.record_id)
                return

    def _select_item(self, item_id: str) -> None:
        editor = self._agreements.view.editor
        agreement = editor.agreement
        if agreement is None:
            return
        for n, item in enumerate(agreement.items):
            if item.id == item_id:
                editor.tabs.setCurrentIndex(4)
                editor.items_list.setCurrentRow(n)
                return

    # ------------------------------------------------------------------ sharing

    def join_register(self) -> None:
        """Join a shared register: a new copy on this device, waiting for an admin's approval."""
        if not self._close_current():
            return
        from ui.dialogs.join import JoinDialog

        result = JoinDialog.ask(self, self.runner, self.settings.get(SHARED_FOLDER),
                                self._author())  # fmt: skip
        if result is None:
            return
        register = result.register
        self.register_path = register.path

        def opened(prepared: Register) -> None:
            self.set_register(prepared)
            self.navigate(SHARING_ROW)  # the fingerprint and "waiting for approval" show there

        self.runner.run(lambda: self._prepare(register), opened, self._open_failed,
                        label="Opening the register…")  # fmt: skip

    def share_register(self) -> None:
        """Share the open register through a folder; this device becomes its first admin."""
        register = self.register
        if register is None:
            return
        from ui.dialogs.share import ShareDialog

        answer = ShareDialog.ask(self, self.settings.get(SHARED_FOLDER), self._author())
        if answer is None:
            return

        def done(_state: object) -> None:
            if self.register is not register:
                return
            if not self.settings.get(SHARED_FOLDER):
                self.settings.set(SHARED_FOLDER, str(answer.folder))
            self.statusBar().showMessage(
                f"Shared in {answer.folder}; this device is the register's first admin.", 8000
            )
            self.share_action.setEnabled(False)
            self.sync_action.setEnabled(True)
            self.sync_controller.start(register)

        def failed(exc: BaseException) -> None:
            ErrorMessage.show(self, exc, "Share this register")

        def share() -> object:
            from app import sync

            return sync.share(register, answer.folder, name=answer.name)

        self.runner.run(share, done, failed, label="Sharing the register…")

    def sync_now(self) -> None:
        self.sync_controller.sync_now(visible=True)

    def show_sync_details(self) -> None:
        """The status bar's sync state was pressed: show the Sharing view with the details."""
        self.navigate(SHARING_ROW)

    def _set_sync_label(self, text: str, alarm: bool) -> None:
        self.sync_label.setText(text.replace("&", "&&"))
        self.sync_label.setAccessibleName(f"Sharing state: {text}. Press for the details.")
        self.sync_label.setStyleSheet(f"color: {_alarm_colour()}; font-weight: bold;" if alarm
                                      else "")  # fmt: skip
        self._tidy_status_bar()

    def _show_sync_status(self, status: SyncStatus) -> None:
        self._set_sync_label(*status_text(status))
        open_ = self.register is not None
        self.share_action.setEnabled(open_ and not status.shared)
        self.sync_action.setEnabled(open_ and status.shared)

    def _show_conflict_count(self, count: int) -> None:
        item = self.navigation.item(CONFLICTS_ROW)
        key = f"Ctrl+{navigation_key(CONFLICTS_ROW)}"
        item.setText(f"Conflicts ({count})" if count else "Conflicts")
        font = item.font()
        font.setBold(bool(count))
        item.setFont(font)
        item.setForeground(QColor(_alarm_colour()) if count else self.palette().text().color())
        item.setToolTip(f"{plural(count, 'open conflict')} to settle ({key})" if count
                        else f"Conflicts ({key})")  # fmt: skip

    def _changes_received(self, count: int) -> None:
        self.statusBar().showMessage(
            f"Received {plural(count, 'change')} from other devices.", 5000
        )
        self.refresh_all()

    def _sync_round_ended(self) -> None:
        if self.register is None:
            return
        if self.view_stack.currentIndex() == SHARING_ROW:
            self._sharing.view.refresh()
        else:
            self._stale.add(SHARING_ROW)

    def _membership_changed(self, said: str) -> None:
        self.statusBar().showMessage(said, 8000)
        self.sync_controller.sync_now()

    def import_spreadsheet(self) -> None:
        """Bring a spreadsheet register in through the import wizard."""
        register = self.register
        if register is None:
            return
        from ui.dialogs import import_wizard  # loaded when first used: not needed to start

        outcome = import_wizard.ask(self, register)
        self.refresh_all()
        if outcome is not None:
            self.statusBar().showMessage(outcome.message, 15_000)

    def export_spreadsheet(self) -> Task[None] | None:
        """Write the whole register to an Excel workbook, off the GUI thread, with progress.

        Cancelling leaves no file: the workbook appears only once it is whole. Returns the
        export's task, or None when there was nothing to export or the person did not choose.
        """
        register = self.register
        if register is None:
            return None
        from app.exporting import ExportCancelledError, export_file_name
        from app.exporting import export_register as export
        from ui.widgets.save_file import ask_workbook_path, documents_folder

        folder = self.settings.export_folder() or documents_folder()
        name = export_file_name(register.info().name, dt.date.today())
        path = ask_workbook_path(self, "Export the register to Excel", folder / name)
        if path is None:
            return None
        self.settings.set_export_folder(path.parent)

        written: list[ExportResult] = []  # filled on the worker once the file is written

        def work(progress: Progress, cancel: Cancel) -> None:
            written.append(export(register, path, progress, cancel))

        def ended() -> None:
            if written:  # even when Cancel came too late to stop it: say what is on disk
                self.statusBar().showMessage(f"{written[0].summary()}.", 15_000)
            elif task.cancelled:
                self.statusBar().showMessage(ExportCancelledError().message, 8_000)

        task = self.runner.run_with_progress(
            work, None, lambda exc: ErrorMessage.show(self, exc, "Export"),
            label="Exporting the register…",
        )  # fmt: skip
        task.ended.connect(ended)
        return task

    # ------------------------------------------------------------------ dialogs

    def preferences(self) -> None:
        from ui.dialogs.preferences import PreferencesDialog

        if PreferencesDialog.ask(self, self.settings):
            self.restart_idle_timer()
            self.sync_controller.interval_ms = sync_interval_ms(self.settings)

    def show_shortcuts(self) -> None:
        from ui.dialogs.shortcuts import ShortcutsDialog

        ShortcutsDialog.ask(self, self.shortcuts())

    def about(self) -> None:
        QMessageBox.about(self, "About", "<b>Information Sharing Register</b><br>"
                          "An encrypted register of information sharing agreements for "
                          "UK public-sector partnerships.")  # fmt: skip

    # ------------------------------------------------------------------ closing

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.register is not None and not self._confirm_leave():
            event.ignore()
            return
        register = self.register
        self.register = None
        self.idle_timer.stop()
        self.sync_controller.stop()
        if self._watching is not None:
            QObject.disconnect(self._watching)
            self._watching = None
        if register is not None:
            for n, view in enumerate(self.views):
                if n not in self._pending:
                    self._view(view).set_register(None)
            self.runner.wait_idle()
            register.close()
        self.runner.shutdown()
        self.collector.stop()
        event.accept()
