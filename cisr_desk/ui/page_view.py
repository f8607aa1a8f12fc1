"""The page image with the template's field zones: zoom (Ctrl+wheel, +/-), pan (drag), the
selected field highlighted and scrolled into view, a click on a zone selects its field."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsScene, QGraphicsView

ZONE_PEN = QColor(37, 99, 235, 110)
DOUBT_PEN = QColor(217, 119, 6, 220)
DOUBT_FILL = QColor(245, 158, 11, 40)
SELECTED_PEN = QColor(220, 38, 38)
SELECTED_FILL = QColor(220, 38, 38, 45)


class PageView(QGraphicsView):
    zone_clicked = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setBackgroundBrush(QBrush(QColor("#e5e7eb")))
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._zones: dict[str, QGraphicsRectItem] = {}
        self._doubtful: set[str] = set()
        self._selected = ""
        self._scale = 1.0  # points -> scene pixels
        self._fitted = True

    # --- content ---------------------------------------------------------------------------
    def show_page(self, image: QImage, zones: dict[str, tuple[float, float, float, float]],
                  doubtful: set[str], dpi: float, message: str = "") -> None:
        """``zones`` are template rectangles in points; the image is the page at ``dpi``."""
        scene = self.scene()
        scene.clear()
        self._zones.clear()
        self._scale = dpi / 72.0
        if image.isNull():
            text = scene.addText(message or "No page image")
            text.setDefaultTextColor(QColor("#6b7280"))
            scene.setSceneRect(text.boundingRect())
            return
        scene.addPixmap(QPixmap.fromImage(image))
        scene.setSceneRect(QRectF(0, 0, image.width(), image.height()))
        self._doubtful = set(doubtful)
        for key, (x0, y0, x1, y1) in zones.items():
            s = self._scale
            item = QGraphicsRectItem(QRectF(x0 * s, y0 * s, (x1 - x0) * s, (y1 - y0) * s))
            item.setData(0, key)
            item.setToolTip(key)
            self._zones[key] = item
            scene.addItem(item)
        self._restyle()
        if self._fitted:
            self.fit_width()

    def set_doubtful(self, doubtful: set[str]) -> None:
        self._doubtful = set(doubtful)
        self._restyle()

    def select(self, key: str) -> None:
        self._selected = key
        self._restyle()
        item = self._zones.get(key)
        if item is not None:
            self.ensureVisible(item, 60, 60)

    def _restyle(self) -> None:
        for key, item in self._zones.items():
            if key == self._selected:
                pen, fill, z = QPen(SELECTED_PEN, 2.5), QBrush(SELECTED_FILL), 2
            elif key in self._doubtful:
                pen, fill, z = QPen(DOUBT_PEN, 1.8), QBrush(DOUBT_FILL), 1
            else:
                pen, fill, z = QPen(ZONE_PEN, 1.0), QBrush(Qt.BrushStyle.NoBrush), 0
            pen.setCosmetic(True)
            item.setPen(pen)
            item.setBrush(fill)
            item.setZValue(z)

    # --- zoom ------------------------------------------------------------------------------
    def zoom(self, factor: float) -> None:
        current = self.transform().m11()
        if 0.1 < current * factor < 8:
            self._fitted = False
            self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
            self.scale(factor, factor)

    def fit_width(self) -> None:
        rect = self.sceneRect()
        if rect.width() <= 0:
            return
        self._fitted = True
        # Fitted to the width there is nothing to scroll sideways, and the vertical bar is always
        # there: no scroll bar comes or goes with the fit, so the fit cannot change the viewport
        # it was computed for (that loop once killed the app at the window's minimum width).
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self.resetTransform()
        factor = (self.viewport().width() - 4) / rect.width()
        self.scale(factor, factor)

    def zoom_level(self) -> float:
        return self.transform().m11()

    def wheelEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
        else:
            super().wheelEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.zoom(1.25)
        elif event.key() == Qt.Key.Key_Minus:
            self.zoom(0.8)
        elif event.key() == Qt.Key.Key_0:
            self.fit_width()
        else:
            super().keyPressEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self._fitted and event.size().width() != event.oldSize().width():  # a height change needs no refit
            self.fit_width()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            for item in self.items(event.position().toPoint()):
                key = item.data(0)
                if key:
                    self.zone_clicked.emit(str(key))
                    break
        super().mousePressEvent(event)
