"""The `isr` command line: headless subcommands; Qt is imported only to open the window."""

# ruff: noqa: E402  (the cyclic garbage collector is paused before the imports below)

from __future__ import annotations

import gc

# Loading the register's modules (SQLAlchemy's, the models', the services') makes some 100,000
# objects that live as long as the process. Python's cyclic collector would scan them over and
# over while they load, and again at every full collection afterwards: it is paused while they
# load, and what they made is then set aside for good (`gc.freeze`), which saves some 50 ms of
# every start. They leave almost no cyclic garbage behind (about 100 KB).
_COLLECTING = gc.isenabled()
gc.disable()

import argparse
import datetime as dt
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from app import agreements, backups, keys
from app.domain import AGREEMENT_FIELD_LABELS, SPEC_FIELDS, SPEC_KEYS, Agreement, format_uk_date
from app.errors import FieldProblem, NotFoundError, RegisterError, ValidationError
from app.paths import KEY_FILE, check_new_register_dir, log_dir
from app.register import Changes, Register
from app.values import parse_field_text
from app.wording import plural
from ui import cli_io, cli_sync
from ui.cli_support import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_SYNC_ALARM,
    EXIT_USAGE,
    UsageError,
    add_passphrase_options,
    fail,
    open_register,
    print_json,
    read_passphrase,
)

gc.freeze()
if _COLLECTING:
    gc.enable()

NEW_PASSPHRASE_ENV = "ISR_NEW_PASSPHRASE"
Handler = Callable[[argparse.Namespace], int]


# ------------------------------------------------------------------------ subcommands


def cmd_open(args: argparse.Namespace) -> int:
    from ui.main import run  # the only path that imports Qt

    code: int = run(Path(args.register) if getattr(args, "register", None) else None)
    return code


def _new_passphrase(args: argparse.Namespace) -> str:
    path: Path | None = getattr(args, "new_passphrase_file", None)
    if path is not None:
        return read_passphrase(argparse.Namespace(passphrase_file=path))
    env = os.environ.get(NEW_PASSPHRASE_ENV)
    if env:
        return env
    if not sys.stdin.isatty():
        raise UsageError(
            f"No new passphrase: set {NEW_PASSPHRASE_ENV}, pass --new-passphrase-file, "
            "or run in a terminal."
        )
    import getpass

    first = getpass.getpass("New passphrase (at least 12 characters): ")
    keys.check_passphrase(first)
    if getpass.getpass("Type it again: ") != first:
        raise UsageError("The two passphrases differ; nothing was changed.")
    return first


def cmd_init(args: argparse.Namespace) -> int:
    check_new_register_dir(Path(args.register))  # before a passphrase is typed for nothing
    passphrase = read_passphrase(args, "Passphrase for the new register (12+ characters): ")
    register = Register.create(Path(args.register), passphrase, name=args.name, author=args.author)
    with register:
        print(f"Created register '{register.info().name}' in {register.path}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from app.demo import build_demo

    check_new_register_dir(Path(args.register))
    passphrase = read_passphrase(args, "Passphrase for the demo register (12+ characters): ")
    name = args.name or "Demo partnership"
    with Register.create(Path(args.register), passphrase, name=name, author=args.author) as reg:
        summary = build_demo(reg)
        print(f"Created the demo register in {reg.path}: {summary}")
    return EXIT_OK


def cmd_add(args: argparse.Namespace) -> int:
    values: dict[str, Any] = {"reference": args.reference, "title": args.title}
    if args.category:
        values["category"] = args.category
    if args.status:
        values["status"] = args.status
    with open_register(args) as register:
        agreements.create_agreement(register, values)
        print(f"Added {args.reference}")
    return EXIT_OK


def _parse_assignments(pairs: Sequence[str]) -> tuple[dict[str, str], dict[int, dict[str, str]]]:
    scalar: dict[str, str] = {}
    items: dict[int, dict[str, str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"'{pair}' is not KEY=VALUE (e.g. title=\"Youth offending data\").")
        if key.startswith("item."):
            parts = key.split(".")
            if len(parts) != 3 or not parts[1].isdigit() or int(parts[1]) < 1:
                raise UsageError(f"'{key}' should be item.N.<field>, e.g. item.1.source=…")
            items.setdefault(int(parts[1]), {})[parts[2]] = value
        else:
            scalar[key] = value
    return scalar, items


def cmd_set(args: argparse.Namespace) -> int:
    scalar, items = _parse_assignments(args.assignments)
    if not scalar and not items:
        raise UsageError("Give at least one KEY=VALUE to set.")
    item_fields = agreements.ITEM_FIELDS
    for position, fields in items.items():
        unknown = sorted(set(fields) - item_fields)
        if unknown:
            allowed = ", ".join(SPEC_KEYS)
            raise ValidationError(
                [FieldProblem(f"item.{position}.{u}", f"unknown field; the seven are {allowed}")
                 for u in unknown]
            )  # fmt: skip

    def build(changes: Changes) -> int:
        agreement_id = agreements.find_agreement_id(changes.session, args.reference)
        values: dict[str, Any] = {}
        for key, text in scalar.items():
            if key == "owner":
                values["owner_id"] = agreements.person_named_in(changes, text)
            elif key in agreements.AGREEMENT_FIELDS:
                values[key] = parse_field_text("agreement", key, text)
            else:
                raise ValidationError([FieldProblem(key, _unknown_agreement_field(key))])
        changed = agreements.update_agreement_in(changes, agreement_id, values) if values else 0
        for position, fields in sorted(items.items()):
            typed = {k: parse_field_text("data_item", k, v) for k, v in fields.items()}
            item_id = agreements.item_at_position(changes.session, agreement_id, position)
            if item_id is None:
                agreements.add_data_item_in(changes, agreement_id, {**typed, "position": position})
                changed += len(typed)
            else:
                changed += sum(changes.set("data_item", item_id, k, v) for k, v in typed.items())
        return changed

    with open_register(args) as register:
        changed = register.write(f"Edit {args.reference}", build)
    print(f"{args.reference}: {plural(changed, 'field')} changed")
    return EXIT_OK


def _unknown_agreement_field(key: str) -> str:
    names = ", ".join(sorted({*agreements.AGREEMENT_FIELDS, "owner"} - {"owner_id"}))
    return f"an agreement has no field called {key}. Fields: {names}; item.N.<field> for items."


def cmd_list(args: argparse.Namespace) -> int:
    query = agreements.AgreementQuery(
        statuses=tuple(args.status or ()),
        due_within_days=args.due_within,
        sort="review_date" if args.due_within is not None else "reference",
    )
    with open_register(args) as register:
        if args.json:
            details = agreements.agreement_details(register, query)
            print_json([agreements.agreement_json(a) for a in details])
            return EXIT_OK
        rows = agreements.list_agreements(register, query)
    if not rows:
        print("No agreements match.")
        return EXIT_OK
    width = max(len(r.reference) for r in rows)
    for r in rows:
        review = format_uk_date(r.review_date) or "no review date"
        print(f"{r.reference:<{width}}  {r.status:<17}  {review:<14}  {r.title}")
    print(plural(len(rows), "agreement"))
    return EXIT_OK


def _print_agreement(data: Agreement) -> None:
    def line(label: str, value: object) -> None:
        if isinstance(value, dt.date):
            value = format_uk_date(value)
        if value not in (None, ""):
            print(f"{label + ':':<34} {value}")

    print(f"{data.reference} — {data.title}")
    for name in ("status", "category", "agreement_type", "controller_relationship", "start_date",
                 "approval_date", "review_date", "end_date", "protective_marking", "summary",
                 "retention", "rights_arrangements", "notes"):  # fmt: skip
        line(AGREEMENT_FIELD_LABELS[name], getattr(data, name))
    line("Owner", data.owner)
    for party in data.parties:
        signed = f", signed by {party.signatory}" if party.signatory else ""
        when = f" on {format_uk_date(party.signed_on)}" if party.signed_on else ""
        print(f"Party: {party.organisation} ({party.role}{signed}{when})")
    for basis in data.lawful_bases:
        parts = [basis.article_6, basis.article_9, basis.dpa_schedule_1, basis.statutory_gateway]
        print(f"Lawful basis: {'; '.join(p for p in parts if p)}")
    for item in data.items:
        print(f"\nData item {item.position}: {item.title}")
        for key, label in SPEC_FIELDS:
            print(f"  {label + ':':<42} {getattr(item, key)}")


def cmd_show(args: argparse.Namespace) -> int:
    with open_register(args) as register:
        data = agreements.get_agreement(register, args.reference)
    if args.json:
        print_json(agreements.agreement_json(data))
    else:
        _print_agreement(data)
    return EXIT_OK


def cmd_history(args: argparse.Namespace) -> int:
    from app.history import record_history

    with open_register(args) as register:
        agreement_id = agreements.get_agreement(register, args.reference).id
        entries = record_history(register, "agreement", agreement_id)
    for e in entries:
        change = f"{e.old_text or '(empty)'} → {e.new_text or '(empty)'}"
        what = e.kind_label if e.field == "_exists" else f"{e.field_label}: {change}"
        print(f"{e.when_text}  {e.author} (device {e.device})  {e.record_label}  {what}")
    if not entries:
        print("No history.")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from app.verify import verify_register

    passphrase = read_passphrase(args)
    report = verify_register(Path(args.register), passphrase)
    for check in report.checks:
        print(f"{'ok' if check.ok else 'FAILED'}  {check.name}: {check.message}")
    if not report.ok:
        first = next(c for c in report.checks if not c.ok)
        fail(first.message)
        return first.exit_code
    return _verify_shared_folder(Path(args.register), passphrase)


def _verify_shared_folder(folder: Path, passphrase: str) -> int:
    """Read the whole shared folder afresh, as a new member would (a shared register only)."""
    from app.sync.engine import verify_share
    from app.sync.state import load

    with Register.open(folder, passphrase) as register:
        share = load(register).share
        if share is None:
            return EXIT_OK
        alarms = verify_share(register)
    if not alarms:
        print(f"ok  shared folder: every file in {share} verifies (signatures, chains, keys)")
        return EXIT_OK
    for alarm in alarms:
        print(f"FAILED  shared folder: {alarm.message}")
    fail(alarms[0].message)
    return EXIT_SYNC_ALARM


def cmd_passwd(args: argparse.Namespace) -> int:
    folder = Path(args.register)
    if not (folder / KEY_FILE).exists():
        raise NotFoundError(f"{folder} holds no register key file ({KEY_FILE}).")
    old = read_passphrase(args, "Current passphrase: ")
    keys.read_key_file(folder / KEY_FILE, old)  # wrong passphrase fails before asking more
    new = _new_passphrase(args)
    keys.rewrap(folder / KEY_FILE, old, new)
    backups.keep_key_copy(folder)
    print("Passphrase changed. The register's data key is unchanged; only its wrapping is new.")
    return EXIT_OK


# ------------------------------------------------------------------------ the parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="isr",
        description="Information Sharing Register. With no command, opens the desktop app.",
    )
    parser.set_defaults(handler=cmd_open)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, handler: Handler, help_text: str, register: bool = True
                ) -> argparse.ArgumentParser:  # fmt: skip
        p = sub.add_parser(name, help=help_text, description=help_text)
        if register:
            p.add_argument("register", metavar="REGISTER", help="the register's folder")
        add_passphrase_options(p)
        p.set_defaults(handler=handler)
        return p

    command("open", cmd_open, "open the desktop app on a register")
    p = command("init", cmd_init, "create an empty register")
    p.add_argument("--name", help="the register's name (default: the folder's name)")
    p = command("demo", cmd_demo, "create a register filled with the demo partnership")
    p.add_argument("--name", help="the register's name")
    p = command("add", cmd_add, "add an agreement")
    p.add_argument("--reference", required=True, help="e.g. ISA-2026-014")
    p.add_argument("--title", required=True)
    p.add_argument("--category", choices=["aggregated", "personal"])
    p.add_argument("--status", help="default draft")
    p = command("set", cmd_set, "set fields of an agreement and of its data items")
    p.add_argument("reference", metavar="REF")
    p.add_argument(
        "assignments", nargs="+", metavar="KEY=VALUE",
        help="e.g. review_date=31/03/2027 owner='Lyn Baran' item.1.source='…'",
    )  # fmt: skip
    p = command("list", cmd_list, "list agreements")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.add_argument("--status", action="append", help="only this status (repeatable)")
    p.add_argument(
        "--due-within",
        type=int,
        metavar="DAYS",
        help="only agreements whose review is due within DAYS (overdue included)",
    )
    p = command("show", cmd_show, "show one agreement")
    p.add_argument("reference", metavar="REF")
    p.add_argument("--json", action="store_true", help="JSON output")
    p = command("history", cmd_history, "who changed what in an agreement, and when")
    p.add_argument("reference", metavar="REF")
    command("verify", cmd_verify, "check the key file, database, operation log and shared folder")
    p = command("passwd", cmd_passwd, "change the passphrase (re-wraps the key only)")
    p.add_argument(
        "--new-passphrase-file",
        type=Path,
        metavar="FILE",
        help=f"read the new passphrase from FILE (else ${NEW_PASSPHRASE_ENV})",
    )
    cli_io.add_commands(sub)
    cli_sync.add_commands(sub)
    return parser


def _log_bug(exc: BaseException) -> Path | None:
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "isr-errors.log"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {dt.datetime.now().isoformat()}\n")
            handle.write("".join(traceback.format_exception(exc)))
        return path
    except OSError:
        return None


def _stop_writing_out() -> None:
    """Point standard output at the null device, so that flushing it at exit fails no more.

    As the Python documentation advises for SIGPIPE: the output that could not be written is
    dropped, and no second error is printed as the interpreter exits.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    logging.basicConfig(level=logging.WARNING, format="isr: %(message)s")
    handler: Handler = args.handler
    try:
        return handler(args)
    except RegisterError as exc:
        fail(exc.message)
        return exc.exit_code
    except KeyboardInterrupt:
        fail("Interrupted; nothing more was changed.")
        return EXIT_USAGE
    except BrokenPipeError:  # the reader stopped reading (`isr list REG | head`): not a bug
        _stop_writing_out()
        return EXIT_FAILED
    except Exception as exc:  # a bug: say so plainly, keep the traceback in the log
        where = _log_bug(exc)
        detail = f" Details were written to {where}." if where else ""
        fail(f"Unexpected failure ({type(exc).__name__}: {exc}). This is a bug.{detail}")
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
