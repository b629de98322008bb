"""Benchmarks of spreadsheet import and export: import_rows, import_nhs, export_xlsx."""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.core import Result, bound_result, info_result, ratio_result, timed

if TYPE_CHECKING:
    from app.importing.commit import ImportResult
    from app.register import Register

ROWS = 50_000
EXPORT_AGREEMENTS = 10_000
EXPORT_REPEATS = 5
PASSPHRASE = "benchmark passphrase 2026"
REGISTERS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "registers"
NHS = REGISTERS / "ReleaseRegister-sep-nov-2017.xlsx"
HEADINGS = [
    "Reference", "Title", "Category", "Status", "Type of agreement", "Controller relationship",
    "Summary", "DPIA needed", "DPIA reference", "Start date", "Next review", "End date", "Owner",
    "Protective marking", "Partners", "Article 6", "Statutory gateway", "Data item",
    "Source of data", "Mechanism for securing data extract", "Where data is sent to",
    "Frequency of reporting", "Which data fields are included",
    "The purpose for which data will be used", "Security / safeguarding arrangements",
]  # fmt: skip
ORGANISATIONS = [
    "Kent County Council", "Medway Council", "Kent Police", "Kent Fire and Rescue Service",
    "Kent and Medway ICB", "Maidstone Borough Council", "Dartford Borough Council",
    "Kent Community Health NHS Foundation Trust", "Citizens Advice Kent", "Home Office",
]  # fmt: skip
WORDS = (
    "data", "shared", "monthly", "between", "partners", "under", "the", "protocol", "for",
    "safeguarding", "children", "adults", "records", "extract", "secure", "transfer", "encrypted",
    "portal", "named", "officers", "only", "retained", "reviewed", "annually", "audit", "access",
    "controlled", "role", "based", "pseudonymised",
)  # fmt: skip


def _text(rng: random.Random, low: int, high: int) -> str:
    size = rng.randint(low, high)
    words: list[str] = []
    length = 0
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:size].capitalize()


def generate_rows(count: int, seed: int = 2026) -> list[list[Any]]:
    """`count` rows of the 25 columns, deterministic; spec fields 50-400 characters."""
    rng = random.Random(seed)
    statuses = ["Draft", "Live", "Under review", "Awaiting approval", "Expired"]
    rows = []
    for n in range(count):
        start = dt.date(2018, 1, 1) + dt.timedelta(days=rng.randint(0, 2500))
        partners = "; ".join(rng.sample(ORGANISATIONS, rng.randint(2, 3)))
        rows.append([
            f"ISA-{n:06d}", _text(rng, 20, 60), rng.choice(["Personal", "Aggregated"]),
            rng.choice(statuses), "Data sharing agreement", "Separate controllers",
            _text(rng, 80, 300), rng.choice(["Yes", "No"]), f"DPIA-{n}",
            start, start + dt.timedelta(days=365), start + dt.timedelta(days=1095),
            f"Officer {n % 200}", "OFFICIAL", partners, "6(1)(e) public task",
            _text(rng, 20, 80), _text(rng, 10, 40),
            *(_text(rng, 50, 400) for _ in range(7)),
        ])  # fmt: skip
    return rows


def write_xlsx(path: Path, rows: list[list[Any]]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Register")
    sheet.append(HEADINGS)
    for row in rows:
        sheet.append(row)
    book.save(str(path))


def _fast_register(folder: Path) -> Register:
    from app.keys import KdfParams
    from app.register import Register

    return Register.create(folder, PASSPHRASE, name="Bench", author="bench",
                           kdf=KdfParams(memory_kib=8192, iterations=1, lanes=1))  # fmt: skip


def _baseline_import(path: Path, folder: Path) -> float:
    """Calamine read + one Core executemany of the same rows into SQLCipher, timed."""
    from sqlalchemy import Column, MetaData, String, Table, Text, insert

    from db.engine import open_engine

    folder.mkdir()
    engine = open_engine(folder / "raw.db", secrets.token_bytes(32))
    meta = MetaData()
    table = Table("raw", meta, Column("c0", String(200), primary_key=True),
                  *(Column(f"c{i}", Text) for i in range(1, len(HEADINGS))))  # fmt: skip
    meta.create_all(engine)
    start = time.perf_counter()
    rows = _read_rows(path)
    values = [
        {f"c{i}": (v if isinstance(v, str) else str(v)) for i, v in enumerate(r)} for r in rows[1:]
    ]
    with engine.begin() as connection:
        connection.execute(insert(table), values)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def _read_rows(path: Path) -> list[list[Any]]:
    """The benchmark sheet's rows as calamine reads them: the read every baseline starts with."""
    from python_calamine import CalamineWorkbook

    rows: list[list[Any]] = (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Register").to_python()
    )
    return rows


def _calamine_read(path: Path) -> float:
    return timed(lambda: _read_rows(path))


LOG_TABLES = frozenset({"batch", "operation", "operation_base", "record_state", "field_state",
                        "field_head"})  # fmt: skip
"""The tables of the operation log and of the per-record state merging keeps beside it."""


def _storage_floors(imported: Path, workdir: Path) -> tuple[float, float]:
    """Seconds to store the rows an import stored, with nothing else to do: all, and some.

    The rows the import added to each table are read back from the imported register, then
    inserted into a new empty register with one executemany per table in one transaction,
    timed. First all of them (its log, records and their states): the least any import that
    keeps the operation log can take to write them, whatever its Python costs. Then, into
    another empty register, the records alone: what writing them would take with no log at all.
    """
    batches = _rows_added(imported, workdir / "floor")
    records_only = [(name, rows) for name, rows in batches if name not in LOG_TABLES]
    _fast_register(workdir / "floor-records").close()
    return _store(batches, workdir / "floor"), _store(records_only, workdir / "floor-records")


def _store(batches: list[tuple[str, list[tuple[Any, ...]]]], folder: Path) -> float:
    """Seconds to insert `batches` into the empty register in `folder`, in one transaction."""
    from app.register import Register

    empty = Register.open(folder, PASSPHRASE)
    try:
        raw = empty.engine.raw_connection()
        try:
            assert raw.driver_connection is not None  # a pooled connection is open
            cursor = raw.driver_connection.cursor()
            start = time.perf_counter()
            cursor.execute("BEGIN IMMEDIATE")
            for name, rows in batches:
                marks = ",".join("?" * len(rows[0]))
                cursor.executemany(f'INSERT INTO "{name}" VALUES ({marks})', rows)
            cursor.execute("COMMIT")
            elapsed = time.perf_counter() - start
        finally:
            raw.close()
    finally:
        empty.close()
    return elapsed


def _rows_added(imported: Path, empty_folder: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """Per table, the rows of the imported register that a new empty register lacks."""
    from app.register import Register
    from db.base import Base

    empty = _fast_register(empty_folder)
    source = Register.open(imported, PASSPHRASE)
    batches: list[tuple[str, list[tuple[Any, ...]]]] = []
    try:
        with source.engine.connect() as read, empty.engine.connect() as fresh:
            for table in Base.metadata.sorted_tables:
                name = table.name
                already = fresh.exec_driver_sql(f'SELECT count(*) FROM "{name}"').scalar_one()
                rows = read.exec_driver_sql(f'SELECT * FROM "{name}" ORDER BY rowid').all()
                added = [tuple(r) for r in rows[already:]]
                if added:
                    batches.append((name, added))
    finally:
        source.close()
        empty.close()
    return batches


def _our_import(
    path: Path, folder: Path, sheet: str | None = "Register"
) -> tuple[float, ImportResult]:
    from app.importing import commit_import, plan_import, propose_mapping, read_table

    register = _fast_register(folder)
    try:
        start = time.perf_counter()
        table = read_table(path, sheet)
        plan = plan_import(register, table, propose_mapping(table))
        result = commit_import(register, plan)
        elapsed = time.perf_counter() - start
    finally:
        register.close()
    return elapsed, result


def _export_pair(workdir: Path, rows: list[list[Any]], repeats: int) -> tuple[float, float]:
    """Median seconds of our export and of openpyxl writing the same cells, interleaved.

    Each is run once first (imports, caches), then `repeats` times in turn, so that a noisy
    moment on a shared machine weighs on both and the median leaves it out.
    """
    from openpyxl import Workbook

    from app.exporting import export_register, register_sheets
    from app.importing import commit_import, plan_import, propose_mapping, read_table

    source = workdir / "export-source.xlsx"
    write_xlsx(source, rows)
    register = _fast_register(workdir / "export-reg")
    try:
        table = read_table(source, "Register")
        commit_import(register, plan_import(register, table, propose_mapping(table)))
        with register.session() as session:
            sheets = register_sheets(session)

        def ours() -> None:
            export_register(register, workdir / "ours.xlsx")

        def raw() -> None:
            book = Workbook(write_only=True)
            for layout, cells in sheets:
                sheet = book.create_sheet(layout.name)
                sheet.append([c.heading for c in layout.columns])
                for row in cells:
                    sheet.append(row)
            book.save(str(workdir / "raw.xlsx"))

        ours_times: list[float] = []
        raw_times: list[float] = []
        ours()  # once each first: imports and caches
        raw()
        for _ in range(repeats):
            ours_times.append(timed(ours))
            raw_times.append(timed(raw))
    finally:
        register.close()
    return statistics.median(ours_times), statistics.median(raw_times)


def run(wanted: set[str]) -> Iterator[Result]:
    def want(name: str) -> bool:
        return not wanted or name in wanted

    rows_count = int(os.environ.get("ISR_BENCH_IMPORT_ROWS", ROWS))
    with tempfile.TemporaryDirectory(prefix="isr-bench-io-") as tmp:
        workdir = Path(tmp)
        if want("import_rows"):
            path = workdir / "rows.xlsx"
            write_xlsx(path, generate_rows(rows_count))
            baseline = _baseline_import(path, workdir / "raw")
            ours, _ = _our_import(path, workdir / "reg")
            yield ratio_result("import_rows", ours, baseline, "s", 2.0)
            read = _calamine_read(path)
            everything, records = _storage_floors(workdir / "reg", workdir)
            yield info_result("import_floor", read + everything, "s", baseline,
                              "read + store the same rows: least possible")  # fmt: skip
            yield info_result("import_no_log", read + records, "s", baseline,
                              "read + store the records alone, no log")  # fmt: skip
        if want("import_nhs") and NHS.is_file():
            elapsed, result = _our_import(NHS, workdir / "nhs", "DataReleases")
            assert result.agreements_created == 568
            yield bound_result("import_nhs", elapsed, "s", 5.0)
        if want("export_xlsx"):
            count = int(os.environ.get("ISR_BENCH_EXPORT_AGREEMENTS", EXPORT_AGREEMENTS))
            repeats = int(os.environ.get("ISR_BENCH_EXPORT_REPEATS", EXPORT_REPEATS))
            ours, baseline = _export_pair(workdir, generate_rows(count, seed=7), repeats)
            yield ratio_result("export_xlsx", ours, baseline, "s", 1.3)
