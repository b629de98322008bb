"""Spreadsheet import: read, find the header, map columns, normalise, preview, commit.

The services below are what the import wizard and `isr import` use; each long one takes
`progress(done, total)` and `cancel() -> bool` callables and is safe to run on a worker thread.
"""

from app.importing.commit import ImportResult, commit_import
from app.importing.header import Table
from app.importing.mapping import (
    ColumnMapping,
    Mapping,
    Profile,
    ProfileError,
    list_profiles,
    load_profile,
    propose_mapping,
    save_profile,
)
from app.importing.plan import (
    CellProblem,
    ImportCancelledError,
    ImportOptions,
    ImportPlan,
    PlannedRow,
    plan_import,
)
from app.importing.reading import (
    DamagedSpreadsheetError,
    NotASpreadsheetError,
    SpreadsheetError,
)
from app.importing.workbook import (
    SheetInfo,
    WorkbookInfo,
    check_report_path,
    inspect_file,
    open_workbook,
    plan_register_workbook,
    read_table,
    write_report,
)

__all__ = [
    "CellProblem",
    "ColumnMapping",
    "DamagedSpreadsheetError",
    "ImportCancelledError",
    "ImportOptions",
    "ImportPlan",
    "ImportResult",
    "Mapping",
    "NotASpreadsheetError",
    "PlannedRow",
    "Profile",
    "ProfileError",
    "SheetInfo",
    "SpreadsheetError",
    "Table",
    "WorkbookInfo",
    "commit_import",
    "inspect_file",
    "list_profiles",
    "load_profile",
    "open_workbook",
    "plan_import",
    "plan_register_workbook",
    "propose_mapping",
    "read_table",
    "save_profile",
    "check_report_path",
    "write_report",
]
