"""`isr` subcommands for sync (registered by ui.cli): share, join, approve, sync and the rest."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from app.wording import plural
from ui.cli_support import (
    EXIT_OK,
    EXIT_SYNC_ALARM,
    add_passphrase_options,
    fail,
    open_register,
    read_passphrase,
)

if TYPE_CHECKING:  # the sync code loads when a sync command runs, not at every start of `isr`
    from app.conflicts import Conflict, ConflictVersion
    from app.register import Register
    from app.sync.engine import SyncReport

Handler = Callable[[argparse.Namespace], int]


def _print_report(report: SyncReport) -> int:
    from app.sync.engine import held_back_text

    print(
        f"Sent {plural(report.published, 'change')} in "
        f"{plural(report.segments_written, 'segment')}; "
        f"received {report.received}, of which {report.applied} new."
    )
    if report.held_back:
        print(held_back_text(report.held_back))
    for device in report.waiting_for_key:
        print(f"Changes from device {device} wait for a key this device has not received yet.")
    for alarm in report.alarms:
        fail(alarm.message)
    if report.alarms:
        fail(
            "Nothing from the device or file named was applied. Tell an admin of the shared "
            "register: the shared folder holds something its writer did not write."
        )
    return EXIT_SYNC_ALARM if report.alarms else EXIT_OK


def cmd_share(args: argparse.Namespace) -> int:
    from app import sync

    with open_register(args) as register:
        sync.share(register, Path(args.share_dir), name=args.name)
        print(f"Shared the register in {args.share_dir}; this device is its first admin.")
        return _print_report(sync.sync(register))


def cmd_join(args: argparse.Namespace) -> int:
    from app import sync
    from app.paths import check_folder, check_new_register_dir

    check_folder(Path(args.share_dir))  # before a passphrase is typed for nothing
    check_new_register_dir(Path(args.register))
    passphrase = read_passphrase(
        args, "Passphrase for this device's copy of the register (12+ characters): "
    )
    result = sync.join(
        Path(args.share_dir), Path(args.register), passphrase, args.name, author=args.author
    )
    with result.register:
        print(f"Asked to join as device {result.device}. Fingerprint: {result.fingerprint}")
        print(
            "Read this fingerprint to an admin (by phone or in person) so they can approve "
            "this device, then run 'isr sync' to receive the register."
        )
    return EXIT_OK


def cmd_requests(args: argparse.Namespace) -> int:
    from app import sync

    with open_register(args) as register:
        requests = sync.pending_requests(register)
    for request in requests:
        print(
            f"{request.device}  {request.fingerprint}  {request.name}  (asked {request.requested})"
        )
    if not requests:
        print("No requests to join are waiting.")
    return EXIT_OK


def cmd_approve(args: argparse.Namespace) -> int:
    from app import sync

    with open_register(args) as register:
        member = sync.approve(register, args.device, admin=args.admin)
        print(
            f"Approved {member.name} (device {member.device}, fingerprint {member.fingerprint}) "
            f"as {member.role}. The register key is sealed to it; it receives everything at "
            "its next sync."
        )
        return _print_report(sync.sync(register))


def cmd_members(args: argparse.Namespace) -> int:
    from app import sync

    with open_register(args) as register:
        members = sync.members(register)
    for m in members:
        mark = " (this device)" if m.this_device else ""
        print(f"{m.device}  {m.fingerprint}  {m.role:<7}  {m.name}{mark}")
    return EXIT_OK


def cmd_revoke(args: argparse.Namespace) -> int:
    from app import sync

    with open_register(args) as register:
        member = sync.revoke(register, args.device)
    print(
        f"Removed {member.name} (device {member.device}). A new register key was sealed to the "
        "remaining devices only, so that device cannot read anything written from now on. "
        "It keeps what it had already synced; that cannot be taken back. Anything it sends "
        f"after its last accepted changes (its segment {member.last_seen_seq}) is refused."
    )
    return EXIT_OK


def cmd_sync(args: argparse.Namespace) -> int:
    from app import sync

    with open_register(args) as register:
        return _print_report(sync.sync(register))


def _when(version: ConflictVersion) -> str:
    return version.when.astimezone().strftime("%d/%m/%Y %H:%M")


def _byline(version: ConflictVersion) -> str:
    return f"by {version.author} (device {version.device}) on {_when(version)}"


def _record_words(register: Register, conflict: Conflict) -> str:
    """What a person calls the record of a conflict: e.g. "Agreement ISA-2026-014"."""
    from app.conflicts import record_words
    from app.history import record_history

    entries = record_history(register, conflict.entity, conflict.record_id,
                             include_children=False)  # fmt: skip
    return record_words(conflict.entity, entries[-1].record_label if entries else "")


def _print_conflict(register: Register, conflict: Conflict) -> None:
    from app.conflicts import (
        FieldConflict,
        ReferredAfterDeletion,
        reference_words,
        removal_words,
        value_text,
    )
    from app.history import field_label

    record = _record_words(register, conflict)
    if isinstance(conflict, FieldConflict):
        name = field_label(conflict.entity, conflict.field)
        print(f"{record}: {name} was changed on {len(conflict.versions)} devices at once:")
        for v in conflict.versions:
            print(f"    {value_text(v.value)}  ({_byline(v)})")
        print(f"  Shown meanwhile: {value_text(conflict.current.value)} (the latest).")
        return
    if isinstance(conflict, ReferredAfterDeletion):
        print(f"{record} was deleted {_byline(conflict.deletion)}, then referred to:")
        for r in conflict.referrers:
            print(f"    {reference_words(r)}  ({_byline(r.made)}); on removal, {removal_words(r)}")
        print("  Keep it, or remove the references, in the Conflicts view of the desktop app.")
        return
    print(f"{record} was deleted {_byline(conflict.deletion)}, then edited:")
    for v in conflict.edits:
        name = field_label(conflict.entity, v.field)
        print(f"    {name}: {value_text(v.value)}  ({_byline(v)})")
    print("  The record is shown again until someone keeps it or deletes it again.")


def cmd_conflicts(args: argparse.Namespace) -> int:
    from app.conflicts import open_conflicts

    with open_register(args) as register:
        conflicts = open_conflicts(register)
        for conflict in conflicts:
            _print_conflict(register, conflict)
    if conflicts:
        print(f"{plural(len(conflicts), 'open conflict')}. "
              "Settle them in the Conflicts view of the desktop app.")  # fmt: skip
    else:
        print("No open conflicts.")
    return EXIT_OK


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands; each sets `handler(args) -> int` as its default."""

    def command(name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        add_passphrase_options(p)
        p.set_defaults(handler=handler)
        return p

    p = command("share", cmd_share, "share a register through a folder on a network drive")
    p.add_argument("register", metavar="REGISTER", help="the register's folder")
    p.add_argument("share_dir", metavar="SHARE_DIR", help="the shared folder (empty or new)")
    p.add_argument("--name", help="this device's name as other members see it")
    p = command("join", cmd_join, "ask to join a shared register (makes a new local register)")
    p.add_argument("share_dir", metavar="SHARE_DIR", help="the shared folder")
    p.add_argument("register", metavar="REGISTER", help="a new folder for this device's copy")
    p.add_argument("--name", required=True, help="who you are, e.g. 'Sam Patel, laptop'")
    p = command("requests", cmd_requests, "list requests to join, with their fingerprints")
    p.add_argument("register", metavar="REGISTER", help="the register's folder")
    p = command("approve", cmd_approve, "approve a request to join (admins only)")
    p.add_argument("register", metavar="REGISTER", help="the register's folder")
    p.add_argument("device", metavar="DEVICE", help="the device id shown by 'isr requests'")
    p.add_argument("--admin", action="store_true", help="make the device an admin too")
    p = command("members", cmd_members, "list the devices that hold the register key")
    p.add_argument("register", metavar="REGISTER", help="the register's folder")
    p = command("revoke", cmd_revoke, "remove a device: new key for the remaining devices")
    p.add_argument("register", metavar="REGISTER", help="the register's folder")
    p.add_argument("device", metavar="DEVICE", help="the device id shown by 'isr members'")
    p = command("sync", cmd_sync, "send this device's changes and receive everyone else's")
    p.add_argument("register", metavar="REGISTER", help="the register's folder")
    p = command(
        "conflicts",
        cmd_conflicts,
        "list open conflicts: fields edited on two devices at once, records deleted on "
        "one and edited or referred to on another",
    )
    p.add_argument("register", metavar="REGISTER", help="the register's folder")
