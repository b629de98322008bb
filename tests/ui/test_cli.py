"""The `isr` command line, run as a person would: real processes, real register folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PASS = "correct horse battery staple"
DAMAGED_KEY = "is damaged: its checksum does not match its contents"
WRONG = "Wrong passphrase: the key file is intact but this passphrase does not open it."


def isr(*args: str, passphrase: str | None = PASS, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if k != "ISR_PASSPHRASE"}
    if passphrase is not None:
        environ["ISR_PASSPHRASE"] = passphrase
    environ.update(env)
    return subprocess.run(
        [sys.executable, "-m", "ui.cli", *args],
        capture_output=True, text=True, env=environ, stdin=subprocess.DEVNULL, timeout=120,
    )  # fmt: skip


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "demo"
    done = isr("demo", str(folder))
    assert done.returncode == 0, done.stderr
    return folder


def test_init_add_set_show_list_history(tmp_path: Path) -> None:
    reg = str(tmp_path / "reg")
    assert isr("init", reg, "--name", "Suffolk ISB").returncode == 0
    assert isr("add", reg, "--reference", "ISA-2026-014", "--title", "Youth offending",
               "--category", "personal").returncode == 0  # fmt: skip
    done = isr("set", reg, "ISA-2026-014", "start_date=01/04/2026", "owner=Lyn Baran",
               "item.2.source=Police crime system", "item.2.purpose=Cluster profiles")  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = json.loads(isr("show", reg, "ISA-2026-014", "--json").stdout)
    assert shown["start_date"] == "2026-04-01"
    assert shown["review_date"] == "2027-04-01"
    assert shown["owner"] == "Lyn Baran"
    assert shown["items"][0]["source"] == "Police crime system"
    listed = json.loads(isr("list", reg, "--json").stdout)
    assert [a["reference"] for a in listed] == ["ISA-2026-014"]
    history = isr("history", reg, "ISA-2026-014")
    assert history.returncode == 0, history.stderr
    assert "Police crime system" in history.stdout


def test_validation_failure_exits_1_and_changes_nothing(tmp_path: Path) -> None:
    reg = str(tmp_path / "reg")
    isr("init", reg)
    isr("add", reg, "--reference", "ISA-1", "--title", "T", "--category", "aggregated")
    before = isr("show", reg, "ISA-1", "--json").stdout
    done = isr("set", reg, "ISA-1", "start_date=01/04/2026", "end_date=01/01/2026")
    assert done.returncode == 1
    assert "End date (01/01/2026) is before the start date (01/04/2026)" in done.stderr
    assert "Traceback" not in done.stderr
    assert isr("show", reg, "ISA-1", "--json").stdout == before


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert isr("frobnicate").returncode == 2
    reg = str(tmp_path / "reg")
    isr("init", reg)
    done = isr("set", reg, "ISA-1", "no-equals-sign")
    assert done.returncode == 2
    assert "is not KEY=VALUE" in done.stderr
    no_pass = isr("list", reg, passphrase=None)
    assert no_pass.returncode == 2
    assert "No passphrase" in no_pass.stderr


def test_demo_lists_at_least_25_agreements_as_json(demo: Path) -> None:
    done = isr("list", str(demo), "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) >= 25
    keys = {"reference", "title", "status", "category", "parties", "lawful_basis",
            "start_date", "review_date", "end_date", "owner", "items"}  # fmt: skip
    assert all(keys <= set(row) for row in rows)
    assert all(
        row["parties"] and {"organisation", "role"} <= set(row["parties"][0]) for row in rows
    )
    due = json.loads(isr("list", str(demo), "--json", "--due-within", "90").stdout)
    assert 0 < len(due) < len(rows)


def test_wrong_passphrase_exits_3_with_the_message(demo: Path) -> None:
    done = isr("list", str(demo), passphrase="not the passphrase at all")
    assert done.returncode == 3
    assert WRONG in done.stderr
    assert "Traceback" not in done.stderr


def test_verify_passes_on_a_healthy_register(demo: Path) -> None:
    done = isr("verify", str(demo))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "operations replay to exactly the stored register" in done.stdout


def _copy(src: Path, dst: Path) -> Path:
    import shutil

    shutil.copytree(src, dst, ignore=shutil.ignore_patterns(".register.lock"))
    return dst


def test_verify_reports_a_damaged_key_file(demo: Path, tmp_path: Path) -> None:
    reg = _copy(demo, tmp_path / "reg")
    data = bytearray((reg / "register.key").read_bytes())
    data[len(data) // 2] ^= 0x01
    (reg / "register.key").write_bytes(bytes(data))
    done = isr("verify", str(reg))
    assert done.returncode == 1
    assert DAMAGED_KEY in done.stderr
    assert "Restore register.key from a backup" in done.stderr
    assert "Traceback" not in done.stderr


def test_verify_reports_a_flipped_byte_in_the_database(demo: Path, tmp_path: Path) -> None:
    reg = _copy(demo, tmp_path / "reg")
    db = reg / "register.db"
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 4 * page
    data[3 * page + 100] ^= 0x40  # inside the fourth page
    db.write_bytes(bytes(data))
    done = isr("verify", str(reg))
    assert done.returncode == 1
    assert "The register database" in done.stderr and "is damaged" in done.stderr
    assert "Restore it from the newest file in the register's backups folder" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_passwd_rewraps_the_key_only(tmp_path: Path) -> None:
    reg = str(tmp_path / "reg")
    isr("init", reg)
    isr("add", reg, "--reference", "ISA-1", "--title", "Kept", "--category", "aggregated")
    db_before = (tmp_path / "reg" / "register.db").read_bytes()
    new = "a different long passphrase"
    done = isr("passwd", reg, ISR_NEW_PASSPHRASE=new)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "reg" / "register.db").read_bytes() == db_before
    assert isr("list", reg).returncode == 3
    assert "ISA-1" in isr("list", reg, passphrase=new).stdout


def test_headless_commands_never_import_qt(demo: Path) -> None:
    code = (
        "import sys, ui.cli; rc = ui.cli.main(['list', sys.argv[1]]); "
        "assert 'PySide6' not in sys.modules, 'Qt imported'; sys.exit(rc)"
    )
    env = {**os.environ, "ISR_PASSPHRASE": PASS}
    done = subprocess.run([sys.executable, "-c", code, str(demo)], capture_output=True,
                          text=True, env=env, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("collecting", [True, False])
def test_loading_the_command_line_sets_its_objects_aside_and_keeps_collection_as_found(
    collecting: bool,
) -> None:
    code = (
        f"import gc; gc.enable() if {collecting} else gc.disable(); import ui.cli; "
        f"assert gc.isenabled() is {collecting}, 'collection left changed'; "
        "assert gc.get_freeze_count() > 10_000, gc.get_freeze_count()"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("command", ["init", "demo", "join"])
def test_a_folder_in_use_is_refused_before_the_passphrase_is_asked(
    tmp_path: Path, command: str
) -> None:
    """No passphrase given: were it asked for first, the refusal would be about the passphrase."""
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("minutes")
    share = tmp_path / "share.txt"
    share.write_text("not a folder")
    if command == "join":
        done = isr("join", str(share), str(tmp_path / "mine"), "--name", "Sam", passphrase=None)
        said = "share.txt is a file, not a folder"
    elif command == "demo":  # a network drive: refused from the path alone
        done = isr("demo", "//server/share/Board", passphrase=None)
        said = "is a network (UNC) path"
    else:
        done = isr(command, str(full), passphrase=None)
        said = "full already holds files. Choose a new or empty folder"
    assert done.returncode == 1
    assert said in done.stderr and "passphrase" not in done.stderr.lower()
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full", "share.txt"]
    assert [p.name for p in full.iterdir()] == ["notes.txt"]


def test_joining_a_shared_folder_that_is_not_there_says_so_and_makes_nothing(
    tmp_path: Path,
) -> None:
    done = isr("join", str(tmp_path / "nosuch"), str(tmp_path / "mine"), "--name", "Sam")
    assert done.returncode == 1
    assert "nosuch is not reachable (folder not found)" in done.stderr
    assert "Nothing was made on this computer." in done.stderr
    assert "sent at the next sync" not in done.stderr  # nothing of this device's waits
    assert list(tmp_path.iterdir()) == []


def test_output_cut_short_by_its_reader_is_no_bug(demo: Path) -> None:
    """`isr list REG | head -1`: the reader goes away; no "This is a bug", no traceback.

    The reader here goes away before the register has even opened, so that the listing is
    certainly written to a pipe nobody reads.
    """
    environ = {**os.environ, "ISR_PASSPHRASE": PASS}
    with subprocess.Popen(
        [sys.executable, "-m", "ui.cli", "list", str(demo)], env=environ, text=True,
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    ) as listing:  # fmt: skip
        assert listing.stdout is not None and listing.stderr is not None
        listing.stdout.close()
        errors = listing.stderr.read()
        code = listing.wait(timeout=120)
    assert (code, errors) == (1, "")
