"""The registry of Demand Response Providers (DRPs) that the back office keeps.

A real office imports its own list (CSV or XLSX with the columns of the sample in
``resources/demo/registered-drps.csv``); nothing here hard-codes a provider. The rules use the
registry to check a form's DRP registration numbers and names; the UI uses it to complete and
to suggest ids for an OCR'd number that is not registered.

Names are matched fuzzily because the customer writes the provider's name by hand (often a
DBA name, in any case, with or without "Inc."/"LLC") and OCR adds its own typos.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from cisr_desk.domain.errors import InputFileError, InvalidValue
from cisr_desk.domain.fields import FieldType, fold_space, format_error, normalise, parse_date

STATUSES = ("ACTIVE", "SUSPENDED", "WITHDRAWN")
COLUMNS = (
    "registration_no", "legal_name", "dba_name", "status", "registered_on", "status_changed_on",
    "sce_service_agreement", "contact_name", "contact_phone", "contact_email",
)
_YES = {"Y", "YES", "TRUE", "1", "X"}
_NO = {"N", "NO", "FALSE", "0"}

# Legal-form suffixes carry no identity: "Redwood Load Management" names the same provider
# as "Redwood Load Management, LLC". Stripped only at the end of a name, repeatedly.
_SUFFIXES = frozenset(
    "inc incorporated llc lp llp ltd limited co corp corporation company plc pc".split()
)
# Letters OCR reads for digits in an id ("DRPO4l7" is DRP0417).
_ID_CONFUSIONS = str.maketrans({"O": "0", "Q": "0", "D": "0", "I": "1", "L": "1", "|": "1",
                                "Z": "2", "S": "5", "B": "8", "G": "6", "T": "7"})


@dataclass(frozen=True)
class DRP:
    """One registered provider, as the registry file lists it."""

    registration_no: str
    legal_name: str
    dba_name: str = ""
    status: str = "ACTIVE"
    registered_on: dt.date | None = None
    status_changed_on: dt.date | None = None
    sce_service_agreement: bool = True
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The names a customer may write for this provider: legal name, then DBA name."""
        return tuple(n for n in (self.legal_name, self.dba_name) if n)

    @property
    def is_active(self) -> bool:
        return self.status == "ACTIVE"

    @property
    def display_name(self) -> str:
        """"Legal name (dba DBA)" as a clerk reads it in a message."""
        return f"{self.legal_name} (dba {self.dba_name})" if self.dba_name else self.legal_name

    def to_row(self) -> dict[str, Any]:
        """A plain JSON-friendly dict: dates as ISO strings ("" when unknown), the agreement a bool."""
        row = asdict(self)
        for key in ("registered_on", "status_changed_on"):
            row[key] = row[key].isoformat() if row[key] else ""
        return row


@dataclass(frozen=True)
class NameMatch:
    """The provider a written name most likely means.

    ``margin`` is the best score minus the best score of a *different* provider, so a caller
    can tell a clear match from a name two providers share (two DBAs "DemandNow", say).
    """

    drp: DRP
    score: float
    margin: float
    matched_name: str


@dataclass(frozen=True)
class RegistryDiff:
    """What importing ``new`` over ``old`` would change, for a preview before it is applied."""

    added: list[DRP]
    removed: list[DRP]
    changed: list[tuple[DRP, DRP]]  # (old, new)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def name_key(name: str) -> str:
    """A name reduced to what identifies it: lower case, no punctuation, no legal-form suffix."""
    text = name.lower().replace("&", " and ")
    text = re.sub(r"(?<=\b\w)\.(?=\w\b)", "", text)  # "l.p." -> "lp.", "u.s.a" -> "usa"
    text = text.replace(".", " ").replace("'", "")
    text = re.sub(r"[^\w\s]", " ", text)
    words = text.split()
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words.pop()
    return " ".join(words)


def name_score(written: str, registered: str) -> float:
    """0..100: how well a written name matches a registered one.

    Word order does not matter (token sort), and a name written without its spaces (a
    frequent OCR slip) still matches, which token sort alone would miss.
    """
    a, b = name_key(written), name_key(registered)
    if not a or not b:
        return 0.0
    return max(fuzz.token_sort_ratio(a, b), fuzz.ratio(a.replace(" ", ""), b.replace(" ", "")))


def _completion_score(key: str, name: str) -> float:
    """A typed prefix of the name, or of one of its words, is a full hit; else fuzzy."""
    if name.startswith(key) or (len(key) >= 3 and any(w.startswith(key) for w in name.split())):
        return 100.0 if name.startswith(key) else 95.0
    if len(key) < 4:  # two or three letters fuzzily match almost anything
        return 0.0
    return float(fuzz.partial_ratio(key, name)) * 0.9


class _RowError(Exception):
    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number typed into a spreadsheet cell
    return fold_space(str(value))


def _date(row: Mapping[str, Any], column: str) -> dt.date | None:
    value = row.get(column)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    if not text:
        return None
    parsed = parse_date(text)
    if parsed is None:
        raise _RowError(column, f"{text!r} is not a date (YYYY-MM-DD or MM/DD/YYYY)")
    return parsed


def _drp_from_row(row: Mapping[str, Any]) -> DRP:
    """One DRP from a row keyed by the canonical column names; raises _RowError."""
    raw_no = _text(row.get("registration_no"))
    if not raw_no:
        raise _RowError("registration_no", "the registration number is blank")
    reg_no = normalise(FieldType.DRP_ID, raw_no)
    if format_error(FieldType.DRP_ID, reg_no):
        raise _RowError("registration_no", f"{raw_no!r} is not a registration number (DRP and 4 digits)")
    legal = _text(row.get("legal_name"))
    if not legal:
        raise _RowError("legal_name", f"the legal name of {reg_no} is blank")
    status = _text(row.get("status")).upper()
    if status not in STATUSES:
        raise _RowError("status", f"status {status or '(blank)'!r} is not one of {', '.join(STATUSES)}")
    agreement = row.get("sce_service_agreement")
    if not isinstance(agreement, bool):
        flag = _text(agreement).upper()
        if flag in _YES:
            agreement = True
        elif flag in _NO:
            agreement = False
        else:
            raise _RowError("sce_service_agreement", f"{flag or '(blank)'!r} is not Y or N")
    return DRP(
        registration_no=reg_no,
        legal_name=legal,
        dba_name=_text(row.get("dba_name")),
        status=status,
        registered_on=_date(row, "registered_on"),
        status_changed_on=_date(row, "status_changed_on"),
        sce_service_agreement=agreement,
        contact_name=_text(row.get("contact_name")),
        contact_phone=_text(row.get("contact_phone")),
        contact_email=_text(row.get("contact_email")).lower(),
    )


def _header_key(name: Any) -> str:
    return re.sub(r"[\s\-]+", "_", _text(name).lower())


def _read_table(path: Path) -> list[list[Any]]:
    """The rows of a CSV file or of an XLSX workbook's first sheet, header first."""
    suffix = path.suffix.lower()
    if path.is_dir():
        raise InputFileError(f"{path}: a folder, not a CSV or XLSX file")
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    if suffix == ".csv":
        with path.open("rb") as fh:
            start = fh.read(2)
        # Excel's "Unicode" text is UTF-16 with its byte-order mark; read as cp1252 it gave a header
        # of garbage, reported as every column missing
        utf16 = start in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
        for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "cp1252"):  # Excel on Windows: cp1252
            try:
                with path.open(newline="", encoding=encoding) as fh:
                    return [list(r) for r in csv.reader(fh)]
            except UnicodeDecodeError:
                continue
            except csv.Error as exc:
                raise InputFileError(f"{path}: not a readable CSV file ({exc})") from exc
        raise InputFileError(f"{path}: not a readable CSV file (unknown text encoding)")
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook  # imported here: only an import needs it

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises zipfile, KeyError, etc. for a broken file
            raise InputFileError(f"{path}: not a readable XLSX workbook ({exc})") from exc
        try:
            sheet = book.worksheets[0]
            return [list(r) for r in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
    raise InputFileError(f"{path}: not a CSV or XLSX file (expected .csv or .xlsx)")


class Registry:
    """The registered DRPs, by registration number, with the look-ups the desk needs."""

    def __init__(self, drps: Iterable[DRP] = ()) -> None:
        self._by_no: dict[str, DRP] = {}
        for drp in drps:
            if drp.registration_no in self._by_no:
                raise InvalidValue(f"{drp.registration_no} is listed twice in the DRP registry")
            self._by_no[drp.registration_no] = drp

    # -- building -------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | str) -> "Registry":
        """Read a registry file (CSV, or the first sheet of an XLSX) with a header row.

        Header names are matched case-insensitively (spaces count as underscores); columns
        beyond the known ones are ignored. Blank rows are skipped. Any problem raises
        InputFileError naming the file, the row (as a spreadsheet numbers it) and the column.
        """
        path = Path(path)
        rows = _read_table(path)
        while rows and not any(_text(c) for c in rows[0]):
            rows.pop(0)
        if not rows:
            raise InputFileError(f"{path}: the file is empty (expected a header row: {', '.join(COLUMNS)})")
        header = [_header_key(c) for c in rows[0]]
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise InputFileError(f"{path}: missing column(s) {', '.join(missing)} in the header row")
        dupes = sorted({c for c in COLUMNS if header.count(c) > 1})
        if dupes:
            raise InputFileError(f"{path}: column(s) {', '.join(dupes)} appear more than once in the header row")
        index = {c: header.index(c) for c in COLUMNS}
        drps: list[DRP] = []
        seen: dict[str, int] = {}
        for line, cells in enumerate(rows[1:], start=2):
            if not any(_text(c) for c in cells):
                continue
            record = {c: (cells[i] if i < len(cells) else None) for c, i in index.items()}
            try:
                drp = _drp_from_row(record)
            except _RowError as exc:
                raise InputFileError(f"{path}, row {line}, column {exc.column}: {exc.message}") from None
            if drp.registration_no in seen:
                raise InputFileError(
                    f"{path}, row {line}, column registration_no: duplicate registration number "
                    f"{drp.registration_no} (already on row {seen[drp.registration_no]})"
                )
            seen[drp.registration_no] = line
            drps.append(drp)
        if not drps:  # imported, it would remove every provider: nothing could be approved any more
            raise InputFileError(f"{path}: the header row is there but no provider is listed under it")
        return cls(drps)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> "Registry":
        """A registry from plain dicts (as ``to_rows`` writes them, or with Y/N and date strings)."""
        drps = []
        for n, row in enumerate(rows, start=1):
            try:
                drps.append(_drp_from_row({_header_key(k): v for k, v in row.items()}))
            except _RowError as exc:
                raise InvalidValue(f"DRP registry entry {n}, {exc.column}: {exc.message}") from None
        return cls(drps)

    def to_rows(self) -> list[dict[str, Any]]:
        return [d.to_row() for d in self._by_no.values()]

    # -- container --------------------------------------------------------------------------
    def get(self, reg_no: str) -> DRP | None:
        """The provider with this registration number (any spelling ``normalise`` accepts)."""
        if not reg_no:
            return None
        return self._by_no.get(normalise(FieldType.DRP_ID, reg_no))

    def __contains__(self, reg_no: object) -> bool:
        return isinstance(reg_no, str) and self.get(reg_no) is not None

    def __len__(self) -> int:
        return len(self._by_no)

    def __iter__(self) -> Iterator[DRP]:
        return iter(self._by_no.values())

    def all(self) -> list[DRP]:
        return list(self._by_no.values())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Registry) and self._by_no == other._by_no

    def __repr__(self) -> str:
        return f"Registry({len(self)} DRPs)"

    # -- look-ups ----------------------------------------------------------------------------
    def name_matches(self, reg_no: str, name: str) -> float:
        """0..100: how well a written name names the provider registered as ``reg_no``
        (its legal or DBA name, whichever fits better); 0 when the id is not registered."""
        drp = self.get(reg_no)
        if drp is None or not fold_space(name or ""):
            return 0.0
        return max(name_score(name, n) for n in drp.names)

    def match_name(self, name: str) -> NameMatch | None:
        """The provider a written name most likely means, or None for a blank name or registry.

        No threshold is applied: the caller compares ``score`` to its policy and should also
        look at ``margin`` (0 means another provider fits as well).
        """
        if not fold_space(name or "") or not self._by_no:
            return None
        scored = []
        for drp in self._by_no.values():
            best = max(((name_score(name, n), n) for n in drp.names), key=lambda t: t[0])
            scored.append((best[0], drp, best[1]))
        scored.sort(key=lambda t: (-t[0], t[1].registration_no))
        score, drp, matched = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        return NameMatch(drp, score, score - runner_up, matched)

    def closest_ids(self, text: str, limit: int = 5, max_distance: int = 2) -> list[tuple[DRP, int]]:
        """Registered ids nearest (by edit distance) to an OCR'd id, nearest first.

        Letters OCR confuses with digits are read as those digits first ("DRPO4l7" is
        DRP0417, distance 0). Ids further than ``max_distance`` edits are not suggested.
        """
        compact = re.sub(r"[\s\-_]", "", (text or "").upper())
        if compact.startswith("DRP") or len(compact) >= 6:
            compact = compact[3:]  # the prefix, even when OCR garbled it ("0RP0417", "DRF0417")
        if not compact:
            return []
        probe = compact.translate(_ID_CONFUSIONS)
        found = []
        for drp in self._by_no.values():
            d = Levenshtein.distance(probe, drp.registration_no[3:])
            if d <= max_distance:
                found.append((d, drp.registration_no, drp))
        found.sort(key=lambda t: (t[0], t[1]))
        return [(drp, d) for d, _, drp in found[:limit]]

    def complete(self, text: str, limit: int = 10) -> list[tuple[DRP, float]]:
        """Providers for the UI's completer, best first, from a partial id or a partial name.

        A partial id ("DRP04", "041") matches registration numbers by prefix (score 100); a
        partial name matches the start of a legal or DBA name (100) or fuzzily (partial
        ratio, from 4 letters on). A blank text lists every provider by legal name.
        """
        query = fold_space(text or "")
        if not query:
            return [(d, 0.0) for d in sorted(self._by_no.values(), key=lambda d: d.legal_name.lower())][:limit]
        compact = query.upper().replace(" ", "").replace("-", "")
        results: dict[str, tuple[DRP, float]] = {}
        id_digits = compact[3:] if compact.startswith("DRP") else compact
        if compact.startswith("DRP") or compact.isdigit():
            for drp in self._by_no.values():
                if drp.registration_no[3:].startswith(id_digits):
                    results[drp.registration_no] = (drp, 100.0)
        key = name_key(query)
        if key and not compact.isdigit():
            for drp in self._by_no.values():
                if drp.registration_no in results:
                    continue
                best = max(_completion_score(key, name_key(n)) for n in drp.names)
                if best >= 70:
                    results[drp.registration_no] = (drp, round(best, 1))
        ranked = sorted(results.values(), key=lambda t: (-t[1], not t[0].is_active, t[0].registration_no))
        return ranked[:limit]

    def diff(self, other: "Registry") -> RegistryDiff:
        """What replacing this registry by ``other`` would change."""
        added = [d for n, d in other._by_no.items() if n not in self._by_no]
        removed = [d for n, d in self._by_no.items() if n not in other._by_no]
        changed = [(d, other._by_no[n]) for n, d in self._by_no.items() if n in other._by_no and other._by_no[n] != d]
        return RegistryDiff(added, removed, changed)
