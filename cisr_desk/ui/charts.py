"""A small matplotlib chart on Qt's canvas, for the dashboard. Its own module: matplotlib is
imported when the dashboard is first shown, not when the application starts."""
from __future__ import annotations

import matplotlib

matplotlib.use("QtAgg")  # before pyplot or a backend is touched anywhere: the Qt canvas, not Tk

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg  # noqa: E402
from matplotlib.dates import AutoDateLocator, DateFormatter  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

__all__ = ["AutoDateLocator", "Chart", "DateFormatter"]


class Chart(FigureCanvasQTAgg):
    """One small matplotlib figure that redraws itself from data."""

    def __init__(self, title: str, parent=None) -> None:
        self.figure = Figure(figsize=(4.2, 2.4), dpi=90, layout="constrained")
        super().__init__(self.figure)
        self.setParent(parent)
        self.title = title
        self.setMinimumSize(240, 120)

    def axes(self):
        self.figure.clear()
        ax = self.figure.add_subplot()
        ax.set_title(self.title, fontsize=10, loc="left")
        ax.spines[["top", "right"]].set_visible(False)
        ax.tick_params(labelsize=8)
        return ax

    def empty(self, text: str) -> None:
        ax = self.axes()
        ax.set_axis_off()
        ax.text(0.5, 0.5, text, ha="center", va="center", fontsize=9, color="#6b7280", transform=ax.transAxes)
        self.draw_idle()
