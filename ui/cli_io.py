"""`isr import` and `isr export`: spreadsheets in and out of a register, headless."""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from app.paths import display_path
from app.wording import plural
from ui.cli_support import (
    EXIT_OK,
    EXIT_REJECTED_ROWS,
    add_passphrase_options,
    open_register,
)

if TYPE_CHECKING:  # the import and export code loads when its command runs, not at every start
    from app.importing import ImportPlan

SHOWN_PROBLEMS = 10


def _print_plan(plan: ImportPlan, mapping_lines: list[str]) -> None:
    print(f"Read {plan.source}, sheet {plan.sheet}: {plural(plan.rows_read, 'row')}.")
    for line in mapping_lines:
        print(f"  {line}")
    for note in plan.notes:
        print(f"  skipped {note}")
    rejected = plan.rejected
    for row in rejected[:SHOWN_PROBLEMS]:
        reasons = "; ".join(p.describe() for p in row.problems if p.level == "error")
        print(f"  rejected {row.sheet} row {row.row}: {reasons}")
    if len(rejected) > SHOWN_PROBLEMS:
        print(f"  … and {plural(len(rejected) - SHOWN_PROBLEMS, 'more rejected row')} "
              "(see --report)")  # fmt: skip
    kinds = Counter(p.kind for p in plan.warnings)
    for text, count in kinds.most_common(SHOWN_PROBLEMS):
        print(f"  warning ×{count} {text}")


def cmd_import(args: argparse.Namespace) -> int:
    from app.importing import (
        ImportOptions,
        check_report_path,
        commit_import,
        inspect_file,
        plan_import,
        plan_register_workbook,
        propose_mapping,
        write_report,
    )
    from app.importing.reading import SpreadsheetError

    report = None if args.report is None else check_report_path(Path(args.report))
    path = Path(args.file)
    # Read and check the whole file before the register is opened, so that a damaged file
    # leaves the register folder exactly as it was.
    info, tables = inspect_file(path, args.sheet)
    whole_register = info.register_export and args.sheet is None and args.profile is None
    mapping_lines: list[str] = []
    if not whole_register:
        sheet = args.sheet or info.default_sheet
        if sheet is None:
            raise SpreadsheetError(
                f"{path.name} has no sheet that looks like a register (a header row with "
                "columns such as Reference, Title or Status). Name one with --sheet."
            )
        table = tables[sheet]
        mapping = propose_mapping(table, args.profile)
        if mapping.profile:
            mapping_lines.append(f"profile: {mapping.profile}")
        mapping_lines.extend(
            f"{c.heading.splitlines()[0][:40]!r} -> {c.target or 'not imported'}"
            for c in mapping.columns
        )
    with open_register(args) as register:
        if whole_register:
            plan = plan_register_workbook(register, path, tables)
        else:
            group = True if args.group_by_reference else None
            plan = plan_import(register, table, mapping, ImportOptions(group_by_reference=group))
        _print_plan(plan, mapping_lines)
        if report is not None:
            write_report(plan, report)
            print(f"Report written to {display_path(report)}")
        if args.dry_run:
            result = commit_import(register, plan, dry_run=True)
            print(f"Dry run, nothing was changed: {result.summary()}.")
        else:
            result = commit_import(register, plan)
            print(f"Imported: {result.summary()}.")
    return EXIT_REJECTED_ROWS if plan.rejected else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from app.exporting import check_export_path, export_register

    out = check_export_path(Path(args.out))  # before the passphrase is asked
    with open_register(args) as register:
        result = export_register(register, out)
    print(result.summary())
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands; each sets `handler(args) -> int` as its default."""
    p = sub.add_parser(
        "import",
        help="import agreements from a spreadsheet (xlsx, ods, csv, tsv)",
        description="Import agreements from a spreadsheet. Rows that cannot be imported are "
        "listed (and written to --report); the others are imported as one change. Exit code 4 "
        "when rows were rejected.",
    )
    p.add_argument("register", metavar="REGISTER", help="the register's folder")
    p.add_argument("file", metavar="FILE", help="the spreadsheet (.xlsx, .ods, .csv, .tsv)")
    p.add_argument(
        "--sheet",
        metavar="S",
        help="the sheet to import (default: the largest "
        "data sheet; a workbook from 'isr export' is imported whole)",
    )
    p.add_argument(
        "--profile",
        metavar="P",
        help="a saved column mapping (default: the "
        "profile that fits the headings, else column synonyms)",
    )
    p.add_argument(
        "--group-by-reference",
        action="store_true",
        help="rows sharing a reference make one agreement with several data items",
    )
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    p.add_argument(
        "--report", metavar="OUT.xlsx", help="write the rejected rows and warnings to this workbook"
    )
    add_passphrase_options(p)
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("export", help="export the whole register to xlsx",
                       description="Export the whole register to xlsx: a sheet per kind of "
                       "record, ready to edit and import back.")  # fmt: skip
    p.add_argument("register", metavar="REGISTER", help="the register's folder")
    p.add_argument("out", metavar="OUT.xlsx", help="the workbook to write")
    add_passphrase_options(p)
    p.set_defaults(handler=cmd_export)
