"""The DRP registry: importing files (and refusing bad ones clearly), look-ups and fuzzy names."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook

from cisr_desk.domain.errors import InputFileError, InvalidValue
from cisr_desk.domain.registry import COLUMNS, DRP, Registry, name_key
from cisr_desk.paths import demo_registry

HEADER = ",".join(COLUMNS)
ROWS = [
    "DRP0370,Redwood Load Management LLC,LoadNow,ACTIVE,2018-04-08,,Y,Priya Kim,(220) 555-0108,Priya@Redwood.example",
    "DRP0933,Big Bear Grid Services L.P.,GridNow,ACTIVE,2016-02-08,,Y,Ana Patel,(620) 555-0177,ana@bigbear.example",
    "DRP0417,Owens Valley Demand Response Co.,,SUSPENDED,2015-09-21,10/02/2026,Y,Kenji Rivera,,",
    "DRP1517,San Gabriel Demand Solutions Inc.,DemandNow,ACTIVE,2022-05-24,,Y,,,",
    "DRP0964,Coastal Demand Response Corporation,DemandNow,ACTIVE,2021-10-20,,N,,,",
]


def write_csv(tmp_path: Path, lines: list[str], name: str = "drps.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def reg(tmp_path: Path) -> Registry:
    return Registry.load(write_csv(tmp_path, [HEADER, *ROWS]))


def test_load_csv(reg: Registry):
    assert len(reg) == 5
    drp = reg.get("DRP0417")
    assert drp is not None and drp.status == "SUSPENDED" and drp.status_changed_on == dt.date(2026, 10, 2)
    assert reg.get("DRP0370").contact_email == "priya@redwood.example"
    assert reg.get("DRP0964").sce_service_agreement is False
    assert reg.get("DRP0370").names == ("Redwood Load Management LLC", "LoadNow")
    assert reg.get("DRP0417").names == ("Owens Valley Demand Response Co.",)
    assert "DRP0370" in reg and "drp-0370" in reg and "DRP9999" not in reg
    assert [d.registration_no for d in reg] == [d.registration_no for d in reg.all()]


def test_demo_registry_loads():
    reg = Registry.load(demo_registry())
    assert len(reg) > 20 and all(d.status in ("ACTIVE", "SUSPENDED", "WITHDRAWN") for d in reg)


def test_header_case_insensitive_extra_columns_and_blank_rows(tmp_path: Path):
    header = ",".join(c.upper().replace("_", " ") for c in COLUMNS) + ",Notes"
    reg = Registry.load(write_csv(tmp_path, [header, ROWS[0] + ",ok", ",,,,,,,,,", ROWS[1] + ","]))
    assert len(reg) == 2


def test_load_xlsx(tmp_path: Path):
    book = Workbook()
    sheet = book.active
    sheet.append([c.title() for c in COLUMNS])
    sheet.append(["DRP0370", "Redwood Load Management LLC", None, "active", dt.datetime(2018, 4, 8), None, "Y",
                  "Priya Kim", 2205550108, None])
    sheet.append(["DRP0933", "Big Bear Grid Services L.P.", "GridNow", "ACTIVE", "02/08/2016", None, "N",
                  None, None, None])
    path = tmp_path / "drps.xlsx"
    book.save(path)
    reg = Registry.load(path)
    assert reg.get("DRP0370").registered_on == dt.date(2018, 4, 8)
    assert reg.get("DRP0370").status == "ACTIVE" and reg.get("DRP0370").contact_phone == "2205550108"
    assert reg.get("DRP0933").registered_on == dt.date(2016, 2, 8)


@pytest.mark.parametrize("lines, expected", [
    ([HEADER.replace(",status,", ",state,"), ROWS[0]], "missing column(s) status"),
    ([HEADER, ROWS[0].replace("ACTIVE", "PENDING")], "row 2, column status: status 'PENDING' is not one of"),
    ([HEADER, ROWS[0], ROWS[1].replace("2016-02-08", "2016-02-30")], "row 3, column registered_on: '2016-02-30'"),
    ([HEADER, ROWS[0], ROWS[1], ROWS[0]], "row 4, column registration_no: duplicate registration number DRP0370 "
                                          "(already on row 2)"),
    ([HEADER, ROWS[0].replace("DRP0370", "D-370")], "row 2, column registration_no: 'D-370'"),
    ([HEADER, ROWS[0].replace(",Y,", ",maybe,")], "row 2, column sce_service_agreement: 'MAYBE' is not Y or N"),
    ([HEADER, ROWS[0].replace("Redwood Load Management LLC", "")], "row 2, column legal_name"),
    ([""], "the file is empty"),
    ([HEADER, ",,,,,,,,,"], "no provider is listed"),  # importing it would have removed every provider
])
def test_bad_csv_names_file_row_and_problem(tmp_path: Path, lines, expected):
    path = write_csv(tmp_path, lines)
    with pytest.raises(InputFileError) as err:
        Registry.load(path)
    assert str(path) in str(err.value) and expected in str(err.value)


def test_not_csv_or_xlsx(tmp_path: Path):
    path = tmp_path / "drps.pdf"
    path.write_bytes(b"%PDF-1.7")
    with pytest.raises(InputFileError, match="not a CSV or XLSX"):
        Registry.load(path)
    broken = tmp_path / "drps.xlsx"
    broken.write_text("this is not a workbook")
    with pytest.raises(InputFileError, match="not a readable XLSX"):
        Registry.load(broken)
    with pytest.raises(InputFileError, match="no such file"):
        Registry.load(tmp_path / "missing.csv")


def test_rows_round_trip(reg: Registry):
    rows = reg.to_rows()
    assert rows[2]["status_changed_on"] == "2026-10-02" and rows[0]["sce_service_agreement"] is True
    assert Registry.from_rows(rows) == reg
    with pytest.raises(InvalidValue, match="entry 1, status"):
        Registry.from_rows([{**rows[0], "status": "GONE"}])
    with pytest.raises(InvalidValue, match="twice"):
        Registry.from_rows([rows[0], rows[0]])


def test_diff(reg: Registry):
    new_rows = [r for r in reg.to_rows() if r["registration_no"] != "DRP0933"]
    new_rows[0] = {**new_rows[0], "status": "SUSPENDED", "status_changed_on": "2026-11-01"}
    new_rows.append({**new_rows[1], "registration_no": "DRP0001", "legal_name": "New Co"})
    diff = reg.diff(Registry.from_rows(new_rows))
    assert [d.registration_no for d in diff.added] == ["DRP0001"]
    assert [d.registration_no for d in diff.removed] == ["DRP0933"]
    assert [(o.status, n.status) for o, n in diff.changed] == [("ACTIVE", "SUSPENDED")]
    assert reg.diff(reg).empty


@pytest.mark.parametrize("written, reg_no", [
    ("Redwood Load Management LLC", "DRP0370"),
    ("LOADNOW", "DRP0370"),  # DBA name, any case
    ("redwood load management, l.l.c.", "DRP0370"),  # suffix and punctuation
    ("Management Redwood Load", "DRP0370"),  # word order
    ("Redwood Load Managment Inc", "DRP0370"),  # OCR-ish typo and another suffix
    ("RedwoodLoad Management", "DRP0370"),  # a dropped space
    ("Big Bear Grid Services LP", "DRP0933"),
    ("Big 8ear Grid Servlces", "DRP0933"),
    ("Owens Valley Demand Response Company", "DRP0417"),
])
def test_match_name(reg: Registry, written: str, reg_no: str):
    match = reg.match_name(written)
    assert match is not None and match.drp.registration_no == reg_no
    assert match.score >= 85 and match.margin > 20
    assert reg.name_matches(reg_no, written) == match.score


def test_margin_zero_when_two_providers_share_a_name(reg: Registry):
    match = reg.match_name("DemandNow")
    assert match.score == 100 and match.margin == 0 and match.matched_name == "DemandNow"


def test_match_name_blank_and_unregistered(reg: Registry):
    assert reg.match_name("  ") is None
    assert Registry().match_name("LoadNow") is None
    assert reg.name_matches("DRP9999", "LoadNow") == 0
    assert reg.name_matches("DRP0370", "Big Bear Grid Services") < 60


def test_name_key():
    assert name_key("Big Bear Grid Services, L.P.") == "big bear grid services"
    assert name_key("A&B Power Co.") == "a and b power"
    assert name_key("Co.") == "co"  # a name that is only a suffix keeps it


def test_closest_ids(reg: Registry):
    assert [(d.registration_no, n) for d, n in reg.closest_ids("DRPO37O")] == [("DRP0370", 0)]
    assert reg.closest_ids("DRP0371")[0][0].registration_no == "DRP0370"
    assert reg.closest_ids("0RP0417")[0][0].registration_no == "DRP0417"
    assert reg.closest_ids("DRP8888") == []


def test_complete(reg: Registry):
    assert [d.registration_no for d, _ in reg.complete("DRP04")] == ["DRP0417"]
    assert [d.registration_no for d, _ in reg.complete("09")] == ["DRP0933", "DRP0964"]
    assert reg.complete("redw")[0][0].registration_no == "DRP0370"
    assert reg.complete("gridn")[0][0].registration_no == "DRP0933"
    assert {d.registration_no for d, _ in reg.complete("demand")} >= {"DRP1517", "DRP0964", "DRP0417"}
    assert reg.complete("Redwod Load")[0][0].registration_no == "DRP0370"  # a typo still completes
    assert len(reg.complete("", limit=3)) == 3


def test_duplicate_in_constructor():
    drp = DRP("DRP0001", "A")
    with pytest.raises(InvalidValue):
        Registry([drp, drp])


def test_a_utf16_csv_is_read_and_a_folder_is_named_as_one(tmp_path: Path):
    """Excel's "Unicode" CSV (UTF-16 with a byte-order mark) was reported as every column
    missing; a folder given for the file as "no such file" (CLI audit)."""
    path = tmp_path / "unicode.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-16")
    assert len(Registry.load(path)) == len(ROWS)
    with pytest.raises(InputFileError, match="a folder, not a CSV or XLSX file"):
        Registry.load(tmp_path)
