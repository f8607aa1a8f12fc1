"""Dashboard: the numbers a back-office lead reports weekly, as charts to look at rather than
tables to read — forms per day through the workflow, the backlog against the site's target,
each clerk's pace and corrections, capture's review rate and how often what it accepted on its
own was right. Drawn with matplotlib on its Qt canvas (``ui/charts.py``, imported on first show); the figures
come from ``Desk.dashboard``, read in the background.
"""
from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from cisr_desk.ui.widgets import MessageBar, heading

PERIODS = (("Last 7 days", 7), ("Last 4 weeks", 28), ("Last 13 weeks", 91))
FLOW = (("received", "Received", "#60a5fa"), ("flagged", "Flagged", "#f59e0b"),
        ("approved", "Approved", "#16a34a"), ("exported", "Exported", "#6b7280"))
CLERK_ROWS = 4  # the clerk charts keep room for this many bars

STATUS_WORDS = {"imported": "to review", "in_review": "in review", "submitted": "waiting for a supervisor",
                "flagged": "flagged", "rejected": "rejected"}


def _day_labels(days: list[dt.date]) -> list[str]:
    step = max(1, len(days) // 8)
    return [d.strftime("%m/%d") if i % step == 0 else "" for i, d in enumerate(days)]


class DashboardScreen(QWidget):
    title = "Dashboard"

    def __init__(self, ctx, parent=None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.board = None
        self.period = QComboBox()
        for label, days in PERIODS:
            self.period.addItem(label, days)
        self.period.setCurrentIndex(1)
        self.period.currentIndexChanged.connect(self.refresh)
        self.message = MessageBar()
        self.backlog = QLabel()
        self.backlog.setObjectName("panelTitle")
        self.backlog.setWordWrap(True)
        self.open_now = QLabel()
        self.open_now.setObjectName("screenSub")
        self.open_now.setWordWrap(True)
        bar = QHBoxLayout()
        bar.addWidget(heading("Dashboard"))
        bar.addStretch(1)
        bar.addWidget(self.period)
        self.grid = QGridLayout()  # the charts, made when the screen is first shown
        self.flow = self.review = self.pace = self.corrections = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.addLayout(bar)
        layout.addWidget(self.message)
        layout.addWidget(self.backlog)
        layout.addWidget(self.open_now)
        layout.addLayout(self.grid, 1)

    def activate(self) -> None:
        if self.flow is None:
            from cisr_desk.ui.charts import Chart

            self.flow = Chart("Forms per day")
            self.review = Chart("Capture: fields sent to review, and right when accepted on its own")
            self.pace = Chart("Forms per hour, by clerk")
            self.corrections = Chart("Fields corrected per form, by clerk")
            for i, chart in enumerate((self.flow, self.review, self.pace, self.corrections)):
                self.grid.addWidget(chart, i // 2, i % 2)
        self.refresh()

    def refresh(self) -> None:
        desk, days = self.ctx.desk, int(self.period.currentData())
        self.ctx.runner.run_task(lambda _ctx: desk.dashboard(days), self._show)

    def _show(self, result=None, error=None) -> None:
        if error is not None:
            self.message.show_error(error)
            return
        self.board = board = result
        self._backlog(board)
        self._flow(board)
        self._review(board)
        self._clerks(board)

    def _backlog(self, board) -> None:
        age = board.backlog_days(self.ctx.desk.now())
        if board.oldest_open_id is None:
            self.backlog.setText("No backlog: every form received has been decided.")
            self.backlog.setProperty("kind", "ok")
        else:
            late = age > board.backlog_target_days
            self.backlog.setText(f"Oldest unfinished form: #{board.oldest_open_id}, {age:.1f} days old "
                                 f"(target: under {board.backlog_target_days} days)" + (" — over target" if late else ""))
            self.backlog.setProperty("kind", "error" if late else "ok")
        self.backlog.setStyleSheet("color: #b91c1c;" if self.backlog.property("kind") == "error" else "color: #15803d;")
        parts = [f"{n} {STATUS_WORDS.get(s, s)}" for s, n in sorted(board.open_by_status.items()) if n]
        self.open_now.setText("Open now: " + (", ".join(parts) if parts else "nothing"))

    def _flow(self, board) -> None:
        if not any(getattr(d, key) for d in board.days for key, _, _ in FLOW):
            self.flow.empty("Nothing received or decided in this period")
            return
        ax = self.flow.axes()
        x = range(len(board.days))
        width = 0.8 / len(FLOW)
        for i, (key, label, colour) in enumerate(FLOW):
            ax.bar([v + (i - 1.5) * width for v in x], [getattr(d, key) for d in board.days], width,
                   label=label, color=colour)
        ax.set_xticks(list(x), _day_labels([d.day for d in board.days]))
        ax.legend(fontsize=7, frameon=False, ncols=4, loc="upper left")
        ax.yaxis.get_major_locator().set_params(integer=True)
        self.flow.draw_idle()

    def _review(self, board) -> None:
        if not board.capture:
            self.review.empty("No forms captured in this period")
            return
        ax = self.review.axes()
        days = [c.day for c in board.capture]
        ax.plot(days, [100 * c.review_rate for c in board.capture], marker="o", color="#f59e0b",
                label="sent to review %")
        acc = [(c.day, 100 * c.auto_accept_accuracy) for c in board.capture if c.auto_accept_accuracy is not None]
        if acc:
            ax.plot([d for d, _ in acc], [a for _, a in acc], marker="s", color="#16a34a",
                    label="accepted on its own and right %")
        ax.set_ylim(0, 105)
        if board.days:  # the period shown, as in the chart beside it: one day's point is not years wide
            half_day = dt.timedelta(hours=12)
            ax.set_xlim(dt.datetime.combine(board.days[0].day, dt.time()) - half_day,
                        dt.datetime.combine(board.days[-1].day, dt.time()) + half_day)
        ax.legend(fontsize=7, frameon=False, loc="center left")
        from cisr_desk.ui.charts import AutoDateLocator, DateFormatter

        ax.xaxis.set_major_locator(AutoDateLocator(maxticks=8))
        ax.xaxis.set_major_formatter(DateFormatter("%m/%d"))
        self.review.draw_idle()

    def _clerks(self, board) -> None:
        if not board.clerks:
            self.pace.empty("No clerk has submitted a form in this period")
            self.corrections.empty("")
            return
        names = [c.name for c in board.clerks]
        for chart, values, colour, fmt in (
                (self.pace, [c.forms_per_hour for c in board.clerks], "#2563eb", "{:.1f}"),
                (self.corrections, [c.corrections_per_form for c in board.clerks], "#9333ea", "{:.2f}")):
            ax = chart.axes()
            bars = ax.barh(names, values, height=0.5, color=colour)
            ax.bar_label(bars, labels=[fmt.format(v) for v in values], fontsize=8, padding=2)
            # Room for four clerks at least, first at the top: one clerk is a bar, not a wall of colour.
            ax.set_ylim(max(len(names), CLERK_ROWS) - 0.5, -0.5)
            chart.draw_idle()
