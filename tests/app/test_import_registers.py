"""Importing the real registers, grouping, re-import, the command line, and messy sheets."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.importing import (
    ImportOptions,
    commit_import,
    load_profile,
    open_workbook,
    plan_import,
    propose_mapping,
    read_table,
    save_profile,
    write_report,
)
from app.register import Register
from db.models import AgreementRecord, DataItemRecord, OperationRecord, OrganisationRecord
from tests.fast_keys import FAST_KDF, PASSPHRASE
from ui.cli import main as isr

REGISTERS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "registers"
NHS = REGISTERS / "ReleaseRegister-sep-nov-2017.xlsx"


@pytest.fixture(scope="module")
def empty_register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed, empty register folder; tests take copies of it."""
    if not REGISTERS.is_dir():
        pytest.skip("the shared registers folder is not beside this checkout")
    folder = tmp_path_factory.mktemp("empty") / "reg"
    Register.create(folder, PASSPHRASE, name="Test", author="Tester", kdf=FAST_KDF).close()
    return folder


@pytest.fixture()
def register(empty_register: Path, tmp_path: Path) -> Iterator[Register]:
    folder = tmp_path / "reg"
    shutil.copytree(empty_register, folder)
    with Register.open(folder, PASSPHRASE, author="Tester") as reg:
        yield reg


def _count(register: Register, model: type) -> int:
    with register.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _live(register: Register, model: type) -> int:
    with register.session() as session:
        return int(
            session.scalar(select(func.count()).select_from(model).where(model.is_live)) or 0  # type: ignore[attr-defined]
        )


# --------------------------------------------------------------------------- the NHS register


def test_nhs_release_register_grouped_by_nic_number(register: Register) -> None:
    # The numbers, verified from the file itself.
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(NHS)).get_sheet_by_name("DataReleases").to_python()
    nic, dataset = rows[0].index("NIC Number"), rows[0].index("us")
    assert len(rows) - 1 == 5776
    assert len({r[nic] for r in rows[1:]}) == 568
    assert len({(r[nic], r[dataset]) for r in rows[1:]}) == 3320

    table = read_table(NHS, "DataReleases")
    mapping = propose_mapping(table)
    assert mapping.profile == "NHS Digital data release register"
    plan = plan_import(register, table, mapping, ImportOptions(group_by_reference=True))
    assert plan.rows_read == 5776
    assert not plan.rejected
    assert len(plan.agreements) == 568
    assert plan.item_count == 3320

    result = commit_import(register, plan)
    assert (result.agreements_created, result.items_created) == (568, 3320)
    assert _live(register, AgreementRecord) == 568
    assert _live(register, DataItemRecord) == 3320
    with register.session() as session:
        first = session.scalars(
            select(AgreementRecord).where(AgreementRecord.reference == "DARS-NIC-17875-X7K1V-v1.4")
        ).one()
        assert first.status == "active"
        assert first.category in ("aggregated", "personal")
        titles = set(session.scalars(
            select(DataItemRecord.title).where(DataItemRecord.agreement_id == first.id)
        ))  # fmt: skip
        assert "Hospital Episode Statistics Admitted Patient Care" in titles

    # Re-importing the same file changes nothing.
    ops = _count(register, OperationRecord)
    again = commit_import(register, plan_import(register, table, mapping))
    assert (again.agreements_created, again.agreements_updated, again.operations) == (0, 0, 0)
    assert again.agreements_unchanged == 568
    assert _count(register, OperationRecord) == ops


def test_csv_copy_of_the_nhs_register_gives_the_same_agreements(register: Register) -> None:
    table = read_table(REGISTERS / "ReleaseRegister-sep-nov-2017DataReleases.csv")
    plan = plan_import(register, table, propose_mapping(table))
    assert (len(plan.agreements), plan.item_count, len(plan.rejected)) == (568, 3320, 0)


# --------------------------------------------------------------------------- every register


@pytest.mark.parametrize(
    ("name", "sheet", "rows"),
    [
        ("PHE14-15.csv", None, 65),
        ("PHE15-16.csv", None, 76),
        ("PHE16-17.csv", None, 73),
        ("PHE17-18.csv", None, 25),
        ("PHE.csv", None, 239),
        ("PHE data release registers - public review.ods", "2014-2015", 65),
        ("PHE data release registers - public review.ods", "2017-2018", 25),
        ("2019-02-07_update_isa-main.tsv", None, 3),
        ("DataUseUploadTemplate_v2.xlsx", None, 1),
        ("data_use_upload_template.xlsx", None, 0),
        ("ReleaseRegister-sep-nov-2017.xlsx", "AmendmentsToPreviousRegisters", 12),
    ],
)
def test_every_real_register_imports(
    register: Register, name: str, sheet: str | None, rows: int
) -> None:
    table = read_table(REGISTERS / name, sheet)
    mapping = propose_mapping(table)
    plan = plan_import(register, table, mapping)
    assert plan.rows_read == rows
    assert not plan.rejected, [r.problems for r in plan.rejected]
    result = commit_import(register, plan)
    assert result.agreements_created == len(plan.agreements)
    assert _live(register, AgreementRecord) == len(plan.agreements)
    if rows:
        assert len(plan.agreements) >= 1
    again = commit_import(register, plan_import(register, table, mapping))
    assert again.operations == 0


def test_dea_register_values(register: Register) -> None:
    table = read_table(REGISTERS / "2019-02-07_update_isa-main.tsv")
    mapping = propose_mapping(table)
    assert mapping.profile == "GOV.UK Digital Economy Act information sharing agreements"
    commit_import(register, plan_import(register, table, mapping))
    with register.session() as session:
        agreement = session.scalars(
            select(AgreementRecord).where(AgreementRecord.reference == "2")
        ).one()
        assert agreement.title == "Exploring Potential Fraud in the Help to Buy Scheme"
        assert agreement.retention is not None and "month" in agreement.retention
        assert isinstance(agreement.start_date, dt.date)
        names = set(session.scalars(select(OrganisationRecord.name)))
        assert "Homes England" in names


def test_hdr_template_serial_dates(register: Register) -> None:
    table = read_table(REGISTERS / "DataUseUploadTemplate_v2.xlsx")
    plan = plan_import(register, table, propose_mapping(table))
    commit_import(register, plan)
    with register.session() as session:
        agreement = session.scalars(select(AgreementRecord)).one()
        assert agreement.start_date is not None
        assert dt.date(2020, 1, 1) < agreement.start_date < dt.date(2030, 1, 1)


# --------------------------------------------------------------------------- behaviour


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


HEAD = ["Reference", "Title", "Status", "Partners", "Review date", "Source of data"]


def test_rows_with_existing_reference_update_and_problems_per_cell(
    register: Register, tmp_path: Path
) -> None:
    first = _csv(tmp_path / "a.csv", [
        HEAD,
        ["ISA-1", "Youth offending", "Live", "Kent Police; Kent Fire and Rescue Service",
         "31/03/2027", "Police records"],
        ["ISA-2", "Schools", "Draft", "Kent County Council & Medway Council", "TBC", "MIS"],
        ["", "No reference", "Live", "", "", ""],
        ["ISA-3", "Bad status", "Sort of", "", "", ""],
    ])  # fmt: skip
    table = read_table(first)
    plan = plan_import(register, table, propose_mapping(table))
    assert [r.row for r in plan.rejected] == [4, 5]
    assert plan.rejected[0].problems[0].column == "Reference"
    assert plan.rejected[1].problems[0].column == "Status"
    # ISA-1 is live with one of the seven specification fields; ISA-2's review date is TBC
    assert [(w.row, w.column) for w in plan.warnings] == [(2, "Status"), (3, "Review date")]
    report = tmp_path / "report.xlsx"
    write_report(plan, report)
    sheet = openpyxl.load_workbook(report)["Rejected rows"]
    assert [c.value for c in sheet[2]][:3] == ["a", 4, None]
    assert "Status" in str(sheet.cell(3, 4).value)
    commit_import(register, plan)
    assert _live(register, AgreementRecord) == 2
    assert _live(register, OrganisationRecord) == 4  # 'and' never splits a name

    second = _csv(tmp_path / "b.csv", [
        HEAD,
        ["ISA-1", "Youth offending data", "Live", "kent police", "31/03/2027", "Police records"],
    ])  # fmt: skip
    table = read_table(second)
    plan = plan_import(register, table, propose_mapping(table))
    assert plan.existing_agreements == 1
    result = commit_import(register, plan)
    assert (result.agreements_created, result.agreements_updated) == (0, 1)
    assert _live(register, AgreementRecord) == 2
    assert _live(register, OrganisationRecord) == 4  # matched by normalised name
    with register.session() as session:
        titles = set(session.scalars(select(AgreementRecord.title)))
    assert titles == {"Youth offending data", "Schools"}


def test_duplicate_reference_without_grouping_is_rejected(register: Register,
                                                          tmp_path: Path) -> None:  # fmt: skip
    path = _csv(tmp_path / "d.csv", [HEAD, ["ISA-1", "A", "", "", "", "x"],
                                     ["ISA-1", "A", "", "", "", "y"]])  # fmt: skip
    table = read_table(path)
    plan = plan_import(register, table, propose_mapping(table))
    assert [r.row for r in plan.rejected] == [3]
    grouped = plan_import(register, table, propose_mapping(table),
                          ImportOptions(group_by_reference=True))  # fmt: skip
    assert not grouped.rejected
    assert grouped.item_count == 2


def test_corrected_mapping_saved_as_a_profile(tmp_path: Path) -> None:
    path = _csv(tmp_path / "p.csv", [["Our ref", "What", "Who"], ["R1", "Thing", "Kent Police"]])
    table = read_table(path)
    mapping = propose_mapping(table)
    assert mapping.target_of("Our ref") is None
    mapping = (
        mapping.with_target("Our ref", "agreement.reference")
        .with_target("What", "agreement.title")
        .with_target("Who", "party.organisations")
    )
    saved = save_profile("My council", mapping)
    assert saved.is_file()
    assert load_profile("my council").columns["our ref"] == "agreement.reference"
    again = propose_mapping(read_table(path))  # found by its headings
    assert again.profile == "My council"
    assert again.target_of("Who") == "party.organisations"


def test_cancel_stops_the_plan(register: Register) -> None:
    from app.importing import ImportCancelledError

    table = read_table(NHS, "DataReleases")
    seen: list[tuple[int, int]] = []
    with pytest.raises(ImportCancelledError):
        plan_import(register, table, propose_mapping(table), None,
                    progress=lambda d, t: seen.append((d, t)),
                    cancel=lambda: len(seen) >= 2)  # fmt: skip
    assert seen and seen[-1][1] == 5776


# --------------------------------------------------------------------------- command line


def _hashes(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }  # fmt: skip


@pytest.fixture()
def register_folder(empty_register: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                    ) -> Path:  # fmt: skip
    folder = tmp_path / "cli-reg"
    shutil.copytree(empty_register, folder)
    monkeypatch.setenv("ISR_PASSPHRASE", PASSPHRASE)
    return folder


@pytest.mark.parametrize("kind", ["rsf", "truncated_xlsx", "binary_csv", "missing"])
def test_cli_damaged_or_not_a_spreadsheet_exits_1_and_changes_nothing(
    register_folder: Path, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if kind == "rsf":
        bad = REGISTERS / "information-sharing-agreement-0001.rsf"
    elif kind == "truncated_xlsx":
        bad = tmp_path / "cut.xlsx"
        bad.write_bytes(NHS.read_bytes()[:40_000])
    elif kind == "binary_csv":
        bad = tmp_path / "bin.csv"
        bad.write_bytes(bytes(range(256)) * 4)
    else:
        bad = tmp_path / "nothing.xlsx"
    before = _hashes(register_folder)
    assert isr(["import", str(register_folder), str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert ("not a spreadsheet" in err) or ("damaged" in err) or ("does not exist" in err)
    assert _hashes(register_folder) == before


def test_cli_import_dry_run_report_and_exit_4(
    register_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _csv(tmp_path / "c.csv", [HEAD, ["ISA-1", "A", "Live", "Kent Police", "", "x"],
                                     ["ISA-2", "B", "Sort of", "", "", "y"]])  # fmt: skip
    report = tmp_path / "rejected.xlsx"
    before = _hashes(register_folder)
    code = isr(["import", str(register_folder), str(path), "--dry-run", "--report", str(report)])
    assert code == 4
    assert "Dry run" in capsys.readouterr().out
    assert report.is_file()
    assert _hashes(register_folder)["register.db"] == before["register.db"]
    assert isr(["import", str(register_folder), str(path)]) == 4
    out = capsys.readouterr().out
    assert "1 created" in out and "1 row rejected" in out


@pytest.mark.parametrize("command", ["export", "report"])
@pytest.mark.parametrize("name", ["a folder", "out.csv"])
def test_cli_refuses_a_workbook_name_before_asking_the_passphrase(
    register_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, command: str, name: str,
) -> None:  # fmt: skip
    """A folder or a name not ending .xlsx is refused at once: no passphrase asked, no file left."""
    monkeypatch.delenv("ISR_PASSPHRASE")  # were the register opened first, it would ask for it
    out = tmp_path / "out"
    out.mkdir()
    target = out if name == "a folder" else out / name
    path = _csv(tmp_path / "c.csv", [HEAD, ["ISA-1", "A", "Live", "Kent Police", "", "x"]])
    before = _hashes(register_folder)
    if command == "export":
        code = isr(["export", str(register_folder), str(target)])
    else:
        code = isr(["import", str(register_folder), str(path), "--report", str(target)])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err and "passphrase" not in err.lower()
    assert ("is a folder: give the workbook a name in it" in err if name == "a folder"
            else "ending in .xlsx, not 'out.csv'" in err)  # fmt: skip
    assert list(out.iterdir()) == []
    assert _hashes(register_folder) == before


def test_cli_counts_warnings_by_kind_not_by_their_particulars(
    register_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """PHE's register: 230 agreements lack specification fields, each naming its own item."""
    assert isr(["import", str(register_folder), str(REGISTERS / "PHE.csv"), "--dry-run"]) == 0
    lines = [ln.strip() for ln in capsys.readouterr().out.splitlines() if "warning ×" in ln]
    kinds = [ln.split(" ", 2)[2] for ln in lines]
    assert len(kinds) == len(set(kinds))  # one line per kind
    assert (
        "warning ×230 the agreement is active, but a data item lacks some of the seven "
        "specification fields" in lines
    )
    assert not any(kind.startswith(":") for kind in kinds)  # a row-wide warning has no column
    assert all(ln.count("'") % 2 == 0 for ln in lines)  # no quotation cut off half-way


def test_cli_import_nhs_grouped_then_export(
    register_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = isr(["import", str(register_folder), str(NHS), "--sheet", "DataReleases",
                "--group-by-reference"])  # fmt: skip
    assert code == 0
    out = capsys.readouterr().out
    assert "568 created" in out and "3,320 created" in out
    out_file = tmp_path / "out.xlsx"
    assert isr(["export", str(register_folder), str(out_file)]) == 0
    assert open_workbook(out_file).register_export


# --------------------------------------------------------------------------- messy sheets

CELLS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.sampled_from(["TBC", "31/02/2020", "Live", "Draft", "1 April 2020", "Kent & Medway",
                     "*****End of sheet*****", "Reference", "ISA-1", "yes", "P3M", "=SUM(A1)"]),
    st.integers(min_value=-10**6, max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.booleans(),
)  # fmt: skip
HEADINGS = st.sampled_from(
    ["Reference", "Title", "Status", "Category", "Partners", "Start date", "Review date",
     "Frequency", "Source of data", "Data item", "Owner", "DPIA needed", "Item number", "",
     "Notes", "Lawful basis", "Random"]
)  # fmt: skip


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(
    headings=st.lists(HEADINGS, min_size=0, max_size=8),
    rows=st.lists(st.lists(CELLS, max_size=9), max_size=12),
    above=st.lists(st.lists(CELLS, max_size=3), max_size=2),
    group=st.booleans(),
    as_csv=st.booleans(),
)
def test_messy_sheets_give_problems_not_exceptions(
    register: Register, tmp_path_factory: pytest.TempPathFactory,
    headings: list[str], rows: list[list[object]], above: list[list[object]], group: bool,
    as_csv: bool,
) -> None:  # fmt: skip
    folder = tmp_path_factory.mktemp("messy")
    if as_csv:
        path = folder / "messy.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(
                [[_xlsx_safe(v) for v in row] for row in [*above, headings, *rows]]
            )
    else:
        path = folder / "messy.xlsx"
        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        for row in [*above, headings, *rows]:
            sheet.append([_xlsx_safe(v) for v in row])
        book.save(path)
    info = open_workbook(path)
    table = read_table(path, info.sheets[0].name)
    plan = plan_import(register, table, propose_mapping(table),
                       ImportOptions(group_by_reference=group))  # fmt: skip
    for row in plan.rows:
        for problem in row.problems:
            assert problem.level in ("error", "warning") and problem.message
    commit_import(register, plan)
    again = commit_import(
        register,
        plan_import(
            register, table, propose_mapping(table), ImportOptions(group_by_reference=group)
        ),
    )
    assert again.agreements_created == 0
    write_report(plan, folder / "report.xlsx")


def _xlsx_safe(value: object) -> object:
    if isinstance(value, str):
        return "".join(c for c in value if c.isprintable() or c == "\n")
    return value
