"""The pieces of the page desk: a strip of page thumbnails per form (a list model and an icon-mode
view that takes pages dropped from other strips) and the thumbnails, rendered in the background."""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QObject, QSize, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap, QTransform
from PySide6.QtWidgets import QAbstractItemView, QListView

from cisr_desk.domain import layout as lay

MIME = "application/x-cisr-desk-page"
THUMB_DPI = 18  # a Letter page is 153 x 198 px: enough to tell a form from a letter
THUMB = QSize(96, 124)

PageRole = Qt.ItemDataRole.UserRole  # file page (0 for a missing form page)
IndexRole = Qt.ItemDataRole.UserRole + 1  # form page index, or None
KindRole = Qt.ItemDataRole.UserRole + 2  # "page" | "attachment" | "loose" | "missing"


@dataclass(frozen=True)
class Slot:
    page: int  # 0: a form page that is missing
    index: int | None
    kind: str
    text: str


def slots_of(layout: lay.PageLayout, key: int | None) -> list[Slot]:
    """The items of one strip: a form's pages in form order (missing ones as gaps), then its
    attachments; ``key`` None: the pages on no form."""
    if key is None:
        return [Slot(p, None, "loose", f"p. {p}\n{'needs a look' if kind == lay.UNRECOGNIZED else 'not a form'}")
                for p, kind in sorted(layout.loose.items())]
    form = layout.forms[key]
    count = layout.template_pages.get(form.template_id, max(form.pages) + 1)
    out = [Slot(form.pages[i], i, "page", f"p. {form.pages[i]}\nform page {i + 1}") if i in form.pages
           else Slot(0, i, "missing", f"form page {i + 1}\nmissing") for i in range(count)]
    return out + [Slot(p, None, "attachment", f"p. {p}\nattachment") for p in form.attachments]


class Thumbnails(QObject):
    """Page images of the file on show, by page; ``changed`` when one arrives."""

    changed = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.images: dict[int, QImage] = {}
        self.turned: dict[int, bool] = {}
        self._cache: dict[tuple[int, bool], QPixmap] = {}

    def clear(self) -> None:
        self.images.clear()
        self._cache.clear()

    def set_turned(self, turned: dict[int, bool]) -> None:
        if dict(turned) != self.turned:
            self.turned = dict(turned)
            self._cache.clear()

    def put(self, page: int, image: QImage) -> None:
        self.images[page] = image
        self._cache = {k: v for k, v in self._cache.items() if k[0] != page}
        self.changed.emit(page)

    def pixmap(self, page: int) -> QPixmap:
        turned = bool(self.turned.get(page))
        key = (page, turned)
        if key not in self._cache:
            canvas = QPixmap(THUMB)
            canvas.fill(QColor("#e5e7eb"))
            image = self.images.get(page)
            if image is not None and not image.isNull():
                scaled = image.scaled(THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                      Qt.TransformationMode.SmoothTransformation)
                if turned:
                    scaled = scaled.transformed(QTransform().rotate(180))  # a half turn
                painter = QPainter(canvas)
                painter.drawImage((THUMB.width() - scaled.width()) // 2, (THUMB.height() - scaled.height()) // 2,
                                  scaled)
                painter.end()
            self._cache[key] = canvas
        return self._cache[key]


class StripModel(QAbstractListModel):
    """One strip's pages. Dropping a page here asks the screen to move it (``dropped``)."""

    dropped = Signal(int, object, object)  # page, strip key (form number, None: no form), form page index

    def __init__(self, key: int | None, thumbs: Thumbnails, parent=None) -> None:
        super().__init__(parent)
        self.key = key
        self.thumbs = thumbs
        self.slots: list[Slot] = []
        thumbs.changed.connect(self._thumb_changed)

    def set_slots(self, slots: list[Slot]) -> None:
        self.beginResetModel()
        self.slots = list(slots)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt's name
        return 0 if parent.isValid() else len(self.slots)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.slots):
            return None
        slot = self.slots[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return slot.text
        if role == Qt.ItemDataRole.DecorationRole:
            if slot.kind == "missing":
                gap = QPixmap(THUMB)
                gap.fill(QColor("#f8fafc"))
                return gap
            return self.thumbs.pixmap(slot.page)
        if role == Qt.ItemDataRole.ToolTipRole:
            if slot.kind == "missing":
                return f"Page {slot.index + 1} of this form was not found: drop its page here"
            return f"File page {slot.page}" + (" (turned 180°)" if self.thumbs.turned.get(slot.page) else "")
        if role == PageRole:
            return slot.page
        if role == IndexRole:
            return slot.index
        if role == KindRole:
            return slot.kind
        return None

    def flags(self, index: QModelIndex):
        base = Qt.ItemFlag.ItemIsDropEnabled
        if not index.isValid():
            return base
        if self.slots[index.row()].kind == "missing":
            return base | Qt.ItemFlag.ItemIsEnabled
        return base | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def supportedDropActions(self):  # noqa: N802
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME]

    def mimeData(self, indexes) -> QMimeData:  # noqa: N802
        data = QMimeData()
        pages = [self.slots[i.row()].page for i in indexes if i.isValid() and self.slots[i.row()].page]
        if pages:
            data.setData(MIME, str(pages[0]).encode())
        return data

    def canDropMimeData(self, data, action, row, column, parent) -> bool:  # noqa: N802
        return data.hasFormat(MIME)

    def dropMimeData(self, data, action, row, column, parent) -> bool:  # noqa: N802
        if not data.hasFormat(MIME):
            return False
        page = int(bytes(data.data(MIME)).decode())
        index = None
        if parent.isValid() and self.slots[parent.row()].kind in ("missing", "page"):
            index = self.slots[parent.row()].index
        self.dropped.emit(page, self.key, index)
        return False  # the screen rebuilds every strip; nothing to remove from the source

    def _thumb_changed(self, page: int) -> None:
        for row, slot in enumerate(self.slots):
            if slot.page == page:
                i = self.index(row)
                self.dataChanged.emit(i, i, [Qt.ItemDataRole.DecorationRole])


class StripView(QListView):
    """Thumbnails in a row; takes pages dragged from any strip (a drop always goes to the model, also
    within one strip, so icon mode never just shuffles the pictures)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Snap)
        self.setIconSize(THUMB)
        self.setGridSize(QSize(THUMB.width() + 22, THUMB.height() + 40))
        self.setSpacing(4)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        bar = self.style().pixelMetric(self.style().PixelMetric.PM_ScrollBarExtent)
        self.setFixedHeight(THUMB.height() + 40 + bar + 6)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasFormat(MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasFormat(MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event) -> None:  # noqa: N802
        if not event.mimeData().hasFormat(MIME):
            event.ignore()
            return
        target = self.indexAt(event.position().toPoint())
        self.model().dropMimeData(event.mimeData(), Qt.DropAction.MoveAction, -1, -1, target)
        event.setDropAction(Qt.DropAction.CopyAction)  # the source keeps its rows: the screen rebuilds all
        event.accept()
