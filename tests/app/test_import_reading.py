"""Reading spreadsheet files: encodings, delimiters, header rows, hidden and non-data sheets."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from app.importing import (
    DamagedSpreadsheetError,
    NotASpreadsheetError,
    open_workbook,
    propose_mapping,
    read_table,
)

REGISTERS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "registers"
CSV_TEXT = (
    "Reference,Title,Partners,Review date\n"
    'ISA-1,"Youth offending, data","Kent Police;\nKent County Council",31/03/2027\n'
    "ISA-2,Café référence,Medway Council,TBC\n"
)


def _registers() -> Path:
    if not REGISTERS.is_dir():
        pytest.skip("the shared registers folder is not beside this checkout")
    return REGISTERS


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [("utf-8", b"", ","), ("utf-8", b"\xef\xbb\xbf", ","), ("cp1252", b"", ";"),
     ("utf-8", b"", "\t"), ("utf-16-le", b"\xff\xfe", "\t")],
)  # fmt: skip
def test_csv_in_any_encoding_and_delimiter_excel_writes(
    tmp_path: Path, encoding: str, bom: bytes, delimiter: str
) -> None:
    text = CSV_TEXT
    if delimiter != ",":
        text = text.replace("Youth offending, data", "Youth offending data").replace(",", delimiter)
    path = tmp_path / ("f.tsv" if delimiter == "\t" else "f.csv")
    path.write_bytes(bom + text.replace("\n", "\r\n").encode(encoding))
    table = read_table(path)
    assert table.headers == ("Reference", "Title", "Partners", "Review date")
    assert [r[0] for r in table.rows] == ["ISA-1", "ISA-2"]
    assert table.rows[1][1] == "Café référence"
    assert table.rows[0][2] == "Kent Police;\nKent County Council"  # quoted new line kept


def test_header_below_titles_notes_and_a_group_band(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Register"
    sheet.append(["Kent and Medway information sharing register"])
    sheet.append(["Updated monthly by the IG team"])
    sheet.append([None, "Agreement", None, "Dates"])
    sheet.append(["ISA Ref", "Title", "Status", "Review date"])
    sheet.append(["ISA-1", "First", "Live", "01/04/2027"])
    sheet.append([None, None])
    sheet.append(["ISA-2", "Second", "Draft", None])
    sheet.append(["*****End of sheet*****"])
    sheet.append(["Notes: this is not data"])
    hidden = book.create_sheet("Lookups")
    hidden.append(["Status", "Category"])
    hidden.append(["Live", "Personal"])
    hidden.sheet_state = "hidden"
    path = tmp_path / "register.xlsx"
    book.save(path)

    info = open_workbook(path)
    assert [(s.name, s.is_data) for s in info.sheets] == [("Register", True), ("Lookups", False)]
    assert info.sheets[1].reason == "hidden sheet"
    table = read_table(path)
    assert table.header_row == 4
    assert table.row_numbers == (5, 7)
    assert any("end-of-sheet marker" in s and "1 row below" in s for s in table.skipped)
    mapping = propose_mapping(table)
    assert [c.target for c in mapping.columns] == [
        "agreement.reference",
        "agreement.title",
        "agreement.status",
        "agreement.review_date",
    ]


def test_used_range_to_column_xfd_is_trimmed() -> None:
    table = read_table(_registers() / "DataUseUploadTemplate_v2.xlsx")
    assert table.sheet == "Data Uses Template"
    assert table.header_row == 2
    assert table.width == 31
    assert len(table.rows) == 1


def test_rsf_is_not_a_spreadsheet() -> None:
    with pytest.raises(NotASpreadsheetError, match="is not a spreadsheet"):
        open_workbook(_registers() / "information-sharing-agreement-0001.rsf")


def test_binary_named_csv_is_not_a_spreadsheet(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x00\x01\x02binary\x00")
    with pytest.raises(NotASpreadsheetError):
        read_table(path)


@pytest.mark.parametrize("damage", ["truncated", "not_zip", "empty", "zip_without_workbook"])
def test_damaged_workbooks_give_a_clear_error(tmp_path: Path, damage: str) -> None:
    good = tmp_path / "good.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["Reference", "Title"])  # type: ignore[union-attr]
    book.save(good)
    bad = tmp_path / "bad.xlsx"
    data = good.read_bytes()
    if damage == "truncated":
        bad.write_bytes(data[: len(data) // 2])
    elif damage == "not_zip":
        bad.write_bytes(b"this is text pretending to be a workbook")
    elif damage == "empty":
        bad.write_bytes(b"")
    else:
        with zipfile.ZipFile(bad, "w") as archive:
            archive.writestr("hello.txt", "no workbook here")
    with pytest.raises(DamagedSpreadsheetError, match="cannot be read|damaged"):
        open_workbook(bad)


def test_real_sheets_classified() -> None:
    info = open_workbook(_registers() / "ReleaseRegister-sep-nov-2017.xlsx")
    kinds = {s.name: s.is_data for s in info.sheets}
    assert kinds["README"] is False
    assert kinds["Title sheet"] is False
    assert kinds["NBO"] is False
    assert kinds["DataReleases"] is True
    assert info.default_sheet == "DataReleases"
    template = open_workbook(_registers() / "data_use_upload_template.xlsx")
    assert {s.name for s in template.data_sheets} == {"Data Uses Template"}


def test_comment_above_header_and_end_marker_in_ods() -> None:
    path = _registers() / "PHE data release registers - public review.ods"
    table = read_table(path, "2014-2015")
    assert table.header_row == 2
    assert len(table.rows) == 65
    for sheet, rows in (("2017-2018", 25), ("2016-2017", 73), ("2015-2016", 76)):
        assert len(read_table(path, sheet).rows) == rows


def test_csv_with_space_before_quoted_header() -> None:
    table = read_table(_registers() / "PHE.csv")
    assert table.headers[:3] == ("Key", "RowID", "ODRReference")
    assert table.headers[-1] == "DateOfRelease"
    assert len(table.rows) == 239
