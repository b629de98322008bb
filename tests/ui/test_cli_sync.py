"""The sharing commands of `isr`, run in-process through `ui.cli.main` as a person would type them.

One story with two people: Ada shares her register, Sam asks to join and reads his fingerprint
out, Ada approves, both sync, both edit the same field, someone tampers with the shared folder,
the drive goes offline, and Ada removes Sam.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.agreements import add_party, create_agreement
from app.meetings import create_body, create_meeting, delete_meeting, update_meeting
from app.organisations import create_organisation, delete_organisation
from app.sync.engine import SyncReport
from app.sync.errors import DamagedError
from tests.app.sync.conftest import make_group
from tests.app.test_conflicts import sync_round
from tests.fast_keys import PASSPHRASE
from ui import cli, cli_sync

PASS = "correct horse battery staple"
FINGERPRINT = r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}"


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str


@pytest.fixture()
def isr(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ISR_PASSPHRASE", PASS)

    def run(*args: str) -> Ran:
        capsys.readouterr()
        code = cli.main(list(args))
        out, err = capsys.readouterr()
        assert "Traceback" not in out + err
        assert "This is a bug" not in err
        return Ran(code, out, err)

    return run


def test_share_join_approve_sync_conflicts_alarm_offline_revoke(isr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ada, sam, share = str(tmp_path / "ada"), str(tmp_path / "sam"), str(tmp_path / "share")
    assert isr("init", ada, "--name", "Suffolk ISB", "--author", "Ada").code == 0
    assert isr("add", ada, "--reference", "ISA-2026-014", "--title", "Youth offending cohort",
               "--category", "personal").code == 0  # fmt: skip

    done = isr("share", ada, share, "--name", "Ada, laptop")
    assert done.code == 0, done.err
    assert "this device is its first admin" in done.out and "Sent 1 change in 1 segment" in done.out

    done = isr("join", share, sam, "--name", "Sam Patel, laptop", "--author", "Sam Patel")
    assert done.code == 0, done.err
    match = re.search(rf"as device ([0-9a-f]+)\. Fingerprint: ({FINGERPRINT})", done.out)
    assert match, done.out
    device, fingerprint = match.groups()
    assert "Read this fingerprint to an admin" in done.out

    done = isr("sync", sam)
    assert done.code == 1
    assert "waiting for an admin to approve" in done.err and fingerprint in done.err

    done = isr("requests", ada)
    assert done.code == 0
    assert re.search(rf"{device}\s+{fingerprint}\s+Sam Patel, laptop", done.out), done.out

    done = isr("approve", ada, device)
    assert done.code == 0, done.err
    assert f"Approved Sam Patel, laptop (device {device}, fingerprint {fingerprint})" in done.out
    assert isr("requests", ada).out.strip() == "No requests to join are waiting."

    done = isr("sync", sam)
    assert done.code == 0, done.err
    assert "received 1, of which 1 new" in done.out
    assert "Youth offending cohort" in isr("show", sam, "ISA-2026-014").out

    members = isr("members", sam).out.splitlines()
    assert len(members) == 2
    assert any("admin" in m and "Ada, laptop" in m for m in members)
    assert any(device in m and fingerprint in m and "member" in m and "(this device)" in m
               for m in members)  # fmt: skip

    # Both edit the same field before seeing the other's edit.
    assert isr("conflicts", sam).out.strip() == "No open conflicts."
    assert isr("set", ada, "ISA-2026-014", "title=Cohort (Ada's words)",
               "--author", "Ada").code == 0  # fmt: skip
    assert isr("set", sam, "ISA-2026-014", "title=Cohort (Sam's words)",
               "--author", "Sam Patel").code == 0  # fmt: skip
    assert isr("set", ada, "ISA-2026-014", "review_date=01/05/2027", "--author", "Ada").code == 0
    assert isr("set", sam, "ISA-2026-014", "review_date=01/06/2027",
               "--author", "Sam Patel").code == 0  # fmt: skip
    for register in (ada, sam, ada):
        assert isr("sync", register).code == 0
    for register in (ada, sam):
        done = isr("conflicts", register)
        assert done.code == 0
        assert "Agreement ISA-2026-014: Title was changed on 2 devices at once:" in done.out
        assert re.search(r"Cohort \(Ada's words\)  \(by Ada \(device [0-9a-f]+\) on "
                         r"\d\d/\d\d/\d{4} \d\d:\d\d\)", done.out), done.out  # fmt: skip
        assert "Cohort (Sam's words)  (by Sam Patel" in done.out
        assert "01/05/2027  (by Ada" in done.out and "01/06/2027  (by Sam Patel" in done.out
        assert "2 open conflicts" in done.out

    # Someone tampers with Ada's newest segment before Sam has read it.
    assert isr("set", ada, "ISA-2026-014", "summary=Quarterly extract").code == 0
    assert isr("sync", ada).code == 0
    segments = sorted((Path(share) / "devices").glob("*/seg/*.seg"))
    newest = max(segments, key=lambda p: p.stat().st_mtime_ns)
    original = newest.read_bytes()
    damaged = bytearray(original)
    damaged[len(damaged) // 2] ^= 0x10
    newest.write_bytes(bytes(damaged))
    done = isr("sync", sam)
    assert done.code == 5
    assert "Sync alarm: a segment's signature does not verify" in done.err
    assert newest.name in done.err and "Tell an admin" in done.err
    done = isr("verify", ada)  # the local register is fine; the shared folder is not
    assert done.code == 5
    assert "ok  database" in done.out or "ok  integrity" in done.out, done.out
    assert "FAILED  shared folder: Sync alarm: a segment's signature does not verify" in done.out
    newest.write_bytes(original)
    assert isr("sync", sam).code == 0
    done = isr("verify", sam)
    assert done.code == 0, done.err
    assert "ok  shared folder: every file in" in done.out

    # The network drive goes away.
    shutil.move(share, tmp_path / "elsewhere")
    assert isr("set", sam, "ISA-2026-014", "summary=Monthly extract").code == 0
    done = isr("sync", sam)
    assert done.code == 1
    assert f"The shared folder {share} is not reachable" in done.err
    assert "changes made meanwhile are kept and sent at the next sync" in done.err
    shutil.move(tmp_path / "elsewhere", share)
    assert "Sent 1 change in 1 segment" in isr("sync", sam).out

    done = isr("revoke", ada, device)
    assert done.code == 0, done.err
    assert "Removed Sam Patel, laptop" in done.out
    assert "It keeps what it had already synced" in done.out
    assert "cannot read anything written from now on" in done.out
    done = isr("sync", sam)
    assert done.code == 1
    assert "removed from the shared register" in done.err
    assert "keeps what it had already synced" in done.err
    assert any("revoked" in m and device in m for m in isr("members", ada).out.splitlines())


def test_commands_on_a_register_that_is_not_shared_say_so(isr, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    reg = str(tmp_path / "reg")
    assert isr("init", reg).code == 0
    for command in ("sync", "requests"):
        done = isr(command, reg)
        assert done.code == 1
        assert "is not shared. Share it first with 'isr share REGISTER SHARE_DIR'" in done.err
    done = isr("join", str(tmp_path / "nowhere"), str(tmp_path / "j"), "--name", "Me")
    assert done.code == 1 and "is not reachable" in done.err
    assert not (tmp_path / "j").exists()


def test_held_back_changes_and_alarms_are_reported(capsys: pytest.CaptureFixture[str]) -> None:
    alarm = DamagedError("a segment does not decrypt", device="0123abcd", name="x.seg")
    code = cli_sync._print_report(SyncReport(received=5, applied=2, held_back=3, alarms=(alarm,)))
    out, err = capsys.readouterr()
    assert code == 5
    assert "received 5, of which 2 new" in out
    assert "3 changes from other devices held back: stamped more than 10 minutes ahead" in out
    assert "Sync alarm: a segment does not decrypt (device 0123abcd, file x.seg)." in err


def test_conflicts_lists_records_deleted_while_edited_or_referred_to_elsewhere(  # type: ignore[no-untyped-def]
    isr, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ada deletes a meeting and Kent Police; Sam, before that reaches him, edits the meeting and
    makes Kent Police a party to an agreement."""
    group = make_group(tmp_path, 2)
    ada, sam = group.devices
    ada.author, sam.author = "Ada Jones", "Sam Patel"
    agreement = create_agreement(ada, {"reference": "ISA-2026-014", "title": "Youth offending",
                                       "category": "personal"})  # fmt: skip
    police = create_organisation(ada, {"name": "Kent Police"})
    board = create_body(ada, {"name": "Information Sharing Board"})
    meeting = create_meeting(ada, board, {"meeting_date": dt.date(2026, 6, 26)})
    sync_round(group.devices)
    delete_meeting(ada, meeting)
    delete_organisation(ada, police)
    update_meeting(sam, meeting, {"location": "County Hall"})
    add_party(sam, agreement, police, "provider")
    sync_round(group.devices)
    ada_device, sam_device = ada.device_id, sam.device_id
    group.close()

    monkeypatch.setenv("ISR_PASSPHRASE", PASSPHRASE)
    done = isr("conflicts", str(tmp_path / "dev0"))
    assert done.code == 0, done.err
    by_ada = rf"by Ada Jones \(device {ada_device}\) on \d\d/\d\d/\d{{4}} \d\d:\d\d"
    by_sam = rf"by Sam Patel \(device {sam_device}\) on \d\d/\d\d/\d{{4}} \d\d:\d\d"
    expected = [
        rf"Information Sharing Board, 26/06/2026 was deleted {by_ada}, then edited:",
        rf"    Location: County Hall  \({by_sam}\)",
        r"  The record is shown again until someone keeps it or deletes it again\.",
        rf"Organisation Kent Police was deleted {by_ada}, then referred to:",
        rf"    Party to agreement ISA-2026-014  \({by_sam}\); on removal, this party is removed",
        r"  Keep it, or remove the references, in the Conflicts view of the desktop app\.",
        r"2 open conflicts\. Settle them in the Conflicts view of the desktop app\.",
    ]
    lines = done.out.splitlines()
    assert len(lines) == len(expected), done.out
    for line, pattern in zip(lines, expected, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)
