"""Dashboard: agreements by status, reviews due and overdue, use cases by stage, checklists."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QMargins, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyleOptionButton,
    QStylePainter,
    QVBoxLayout,
    QWidget,
)

from app.agreement_table import status_label
from app.agreements import AgreementQuery
from app.dashboard import Dashboard, load_dashboard
from app.register import Register
from ui.workers import TaskRunner, ViewWork

if TYPE_CHECKING:
    from PySide6.QtCharts import QChart, QChartView

STAGE_LABELS = {"": "No stage"}
STATUS_COLOUR = QColor(31, 95, 140)
STAGE_COLOUR = QColor(46, 125, 50)
# Three counts a row under each chart: the two charts side by side then fit the width of the
# agreements list (four a row, the eight statuses and seven stages made the window wider).
COUNT_COLUMNS = 3
# The least height at which QtCharts still writes the eight statuses' names beside their bars
# (it cuts a name to "..." once the name is taller than its bar's share of the height); with
# the rows of counts set close, the dashboard is 4 px taller than with two rows and 260 px.
CHART_LEAST_HEIGHT = 248
CHART_MARGINS = QMargins(4, 2, 8, 2)
# word wrap only in case the style's margins leave less room than sizeFromContents promised
NUMBER_TEXT_FLAGS = int(Qt.AlignmentFlag.AlignCenter) | int(Qt.TextFlag.TextWordWrap)


def _stage_label(stage: str) -> str:
    return STAGE_LABELS.get(stage, stage.replace("_", " ").capitalize())


class _Number(QPushButton):
    """A big clickable number with its caption: opens the list it counts.

    Where the row of numbers is narrow the caption is broken into two lines of about equal
    width, so the dashboard never asks for the width of the longest caption on one line.
    """

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.caption = caption
        font = self.font()
        font.setPointSize(13)
        self.setFont(font)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        # a button's width never goes below its one-line text unless it may shrink to its hint
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.set_value(None)
        self.setMinimumHeight(max(72, self.minimumSizeHint().height()))

    def set_value(self, value: int | None) -> None:
        self.number = "–" if value is None else str(value)
        self.setText(f"{self.number}\n{self.caption}")
        self.setAccessibleName(f"{self.caption}: {self.number}. Press to open the list.")

    def minimumSizeHint(self) -> QSize:
        """Room for the number over its caption broken into two lines."""
        metrics = self.fontMetrics()
        lines = (self.number, *_two_lines(metrics, self.caption))
        wide = max(metrics.horizontalAdvance(line) for line in lines)
        option = QStyleOptionButton()
        self.initStyleOption(option)
        high = len(lines) * metrics.lineSpacing()
        return self.style().sizeFromContents(
            QStyle.ContentsType.CT_PushButton, option, QSize(wide, high), self
        )

    def text_rect(self, option: QStyleOptionButton | None = None) -> QRect:
        """Where the number and its caption are drawn (`option`: the button's, if made already)."""
        if option is None:
            option = QStyleOptionButton()
            self.initStyleOption(option)
        style = self.style()
        # half the margin sizeFromContents adds each side, so that text never meets the frame
        margin = style.pixelMetric(QStyle.PixelMetric.PM_ButtonMargin, option, self) // 2
        contents = style.subElementRect(QStyle.SubElement.SE_PushButtonContents, option, self)
        return contents.adjusted(margin, 0, -margin, 0)

    def shown_text(self, width: int | None = None) -> str:
        """The text as drawn: the caption on one line where it fits, else on two.

        `width` is the room for the text, when the caller has it (else it is measured).
        """
        metrics = self.fontMetrics()
        room = self.text_rect().width() if width is None else width
        if metrics.horizontalAdvance(self.caption) <= room:
            return self.text()
        return "\n".join((self.number, *_two_lines(metrics, self.caption)))

    def paintEvent(self, event: QPaintEvent) -> None:
        option = QStyleOptionButton()
        self.initStyleOption(option)
        rect = self.text_rect(option)
        option.text = ""  # the frame as the style draws it; the text broken into lines, below
        painter = QStylePainter(self)
        painter.drawControl(QStyle.ControlElement.CE_PushButton, option)
        role = QPalette.ColorRole.ButtonText
        painter.drawItemText(rect, NUMBER_TEXT_FLAGS, self.palette(), self.isEnabled(),
                             self.shown_text(rect.width()), role)  # fmt: skip


def _two_lines(metrics: QFontMetrics, text: str) -> tuple[str, ...]:
    """`text` broken at the space that makes its wider line the least wide (one word: itself)."""
    words = text.split(" ")
    splits = [(" ".join(words[:n]), " ".join(words[n:])) for n in range(1, len(words))]
    if not splits:
        return (text,)
    return min(splits, key=lambda lines: max(metrics.horizontalAdvance(s) for s in lines))


class _BarChart(QWidget):
    """A horizontal bar chart of counts; QtCharts is loaded when it first has counts to draw.

    The window shows sooner that way: neither the QtCharts import nor an empty chart is on the
    path to the first paint, and a locked or never-opened window never loads QtCharts.
    """

    def __init__(self, title: str, colour: QColor, clicked: Callable[[int], None]) -> None:
        super().__init__()
        self._colour = colour
        self._clicked = clicked
        self.setMinimumHeight(CHART_LEAST_HEIGHT)
        self.setAccessibleName(title)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.view: QChartView | None = None
        self.chart: QChart | None = None

    def fill(self, rows: list[tuple[str, int]]) -> None:
        """Draw one bar per (label, count), top to bottom in the order given."""
        if self.chart is None:
            if not rows:
                return
            self.view, self.chart = self._build()
        chart = self.chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        if rows:
            self._draw(chart, rows)

    def _build(self) -> tuple[QChartView, QChart]:
        from PySide6.QtCharts import QChart, QChartView

        chart = QChart()
        chart.legend().setVisible(False)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundRoundness(0)
        # the group box is the frame: the chart's own bands round it would take the height too
        chart.setMargins(CHART_MARGINS)
        layout = chart.layout()
        if layout is not None:
            layout.setContentsMargins(0, 0, 0, 0)
        view = QChartView(chart)
        view.setRenderHint(QPainter.RenderHint.Antialiasing)
        view.setAccessibleName(self.accessibleName())
        self._layout.addWidget(view)
        return view, chart

    def _draw(self, chart: QChart, rows: list[tuple[str, int]]) -> None:
        from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QHorizontalBarSeries, QValueAxis

        bars = QBarSet("count")
        bars.setColor(self._colour)
        for _, n in reversed(rows):
            bars.append(n)
        last = len(rows) - 1
        bars.clicked.connect(lambda index: self._clicked(last - index))
        series = QHorizontalBarSeries()
        series.append(bars)
        series.setLabelsVisible(True)
        chart.addSeries(series)
        # top to bottom in lifecycle order
        categories = QBarCategoryAxis()
        categories.append([label for label, _ in reversed(rows)])
        chart.addAxis(categories, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(categories)
        values = QValueAxis()
        # each bar carries its count, and each count is a button below: the scale's figures
        # would only take the height that the statuses' names need (see CHART_LEAST_HEIGHT)
        values.setLabelsVisible(False)
        top = max(max(n for _, n in rows), 1)
        step = max(1, -(-top // 5))
        values.setTickType(QValueAxis.TickType.TicksDynamic)
        values.setTickAnchor(0)
        values.setTickInterval(step)
        values.setRange(0, step * (-(-top // step) + 1))
        chart.addAxis(values, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(values)


def _count_grid() -> QGridLayout:
    """The grid of counts under a chart: flat buttons, their rows set close like lines."""
    grid = QGridLayout()
    grid.setVerticalSpacing(0)
    return grid


class DashboardView(QWidget):
    """The figures of the register at a glance; every number opens the filtered list."""

    open_agreements = Signal(object)  # an AgreementQuery
    open_use_cases = Signal(str)  # a stage, or "" for all
    loaded = Signal()

    def __init__(self, parent: QWidget | None = None, runner: TaskRunner | None = None) -> None:
        super().__init__(parent)
        self._register: Register | None = None
        self._work = ViewWork(self, runner, self.loaded.emit)
        self.dashboard: Dashboard | None = None

        self.heading = QLabel("Dashboard")
        font = self.heading.font()
        font.setPointSize(16)
        font.setBold(True)
        self.heading.setFont(font)

        self.total = _Number("agreements in the register")
        self.active = _Number("active agreements")
        self.due = _Number("reviews due in the next 90 days")
        self.overdue = _Number("reviews overdue")
        self.total.clicked.connect(lambda: self.open_agreements.emit(AgreementQuery()))
        self.active.clicked.connect(
            lambda: self.open_agreements.emit(AgreementQuery(statuses=("active",)))
        )
        self.due.clicked.connect(lambda: self.open_agreements.emit(AgreementQuery(review="due")))
        self.overdue.clicked.connect(
            lambda: self.open_agreements.emit(AgreementQuery(review="overdue"))
        )
        numbers = QHBoxLayout()
        for button in (self.total, self.active, self.due, self.overdue):
            numbers.addWidget(button)

        self.status_bars = _BarChart("Agreements by status", STATUS_COLOUR, self._status_clicked)
        self.stage_bars = _BarChart("Use cases by stage", STAGE_COLOUR, self._stage_clicked)
        self._statuses: list[str] = []
        self._stages: list[str] = []

        self.status_buttons = _count_grid()
        status_box = QGroupBox("Agreements by status")
        status_layout = QVBoxLayout(status_box)
        status_layout.addWidget(self.status_bars)
        status_layout.addLayout(self.status_buttons)

        self.stage_buttons = _count_grid()
        stage_box = QGroupBox("Use cases by stage")
        stage_layout = QVBoxLayout(stage_box)
        stage_layout.addWidget(self.stage_bars)
        stage_layout.addLayout(self.stage_buttons)

        checklist_box = QGroupBox("Checklist completion")
        self.checklist_bar = QProgressBar()
        self.checklist_bar.setRange(0, 100)
        self.checklist_bar.setAccessibleName("Checklist completion")
        self.checklist_text = QLabel("")
        self.checklist_text.setWordWrap(True)
        checklist_layout = QVBoxLayout(checklist_box)
        checklist_layout.addWidget(self.checklist_bar)
        checklist_layout.addWidget(self.checklist_text)

        charts = QHBoxLayout()
        charts.addWidget(status_box, 3)
        charts.addWidget(stage_box, 2)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(numbers)
        layout.addLayout(charts, 1)
        layout.addWidget(checklist_box)

    # -- the view contract

    def set_register(self, register: Register | None) -> None:
        self._register = register
        self._work.supersede()
        if register is None:
            self._show(None)
        else:
            self.refresh()

    def refresh(self) -> None:
        register = self._register
        if register is not None:
            self._work.load(lambda: load_dashboard(register), self._show,
                            label="Counting the register…")  # fmt: skip

    # -- drawing

    def _show(self, board: Dashboard | None) -> None:
        self.dashboard = board
        self.total.set_value(None if board is None else board.total_agreements)
        self.active.set_value(None if board is None else dict(board.by_status).get("active", 0))
        self.due.set_value(None if board is None else board.reviews_due)
        self.overdue.set_value(None if board is None else board.reviews_overdue)
        statuses = [] if board is None else list(board.by_status)
        stages = [] if board is None else list(board.use_cases_by_stage)
        self._statuses = [s for s, _ in statuses]
        self._stages = [s for s, _ in stages]
        self.status_bars.fill([(status_label(s) if s else "No status", n) for s, n in statuses])
        self.stage_bars.fill([(_stage_label(s), n) for s, n in stages])
        self._fill_buttons(self.status_buttons, statuses, status_label, self._status_clicked)
        self._fill_buttons(self.stage_buttons, stages, _stage_label, self._stage_clicked)
        if board is None:
            self.checklist_bar.setValue(0)
            self.checklist_text.setText("")
        else:
            progress = board.checklists
            self.checklist_bar.setValue(progress.percent)
            self.checklist_text.setText(
                f"{progress.answered} of {progress.items} checklist items answered; "
                f"{progress.complete} of {progress.checklists} checklists complete."
            )

    def _fill_buttons(self, grid: QGridLayout, rows: list[tuple[str, int]],
                      label: object, clicked: object) -> None:  # fmt: skip
        while grid.count():
            item = grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        assert callable(label) and callable(clicked)
        for n, (key, count) in enumerate(rows):
            text = label(key) if key else "None"
            button = QPushButton(f"{text}: {count}")
            button.setFlat(True)
            button.setAccessibleName(f"{text}: {count}. Press to open the list.")
            button.clicked.connect(lambda _=False, i=n: clicked(i))
            grid.addWidget(button, n // COUNT_COLUMNS, n % COUNT_COLUMNS)

    def _status_clicked(self, index: int) -> None:
        if 0 <= index < len(self._statuses) and self._statuses[index]:
            self.open_agreements.emit(AgreementQuery(statuses=(self._statuses[index],)))

    def _stage_clicked(self, index: int) -> None:
        if 0 <= index < len(self._stages):
            self.open_use_cases.emit(self._stages[index])
