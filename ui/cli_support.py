"""What every `isr` subcommand shares: passphrase, opening the register, output, exit codes.

Headless: nothing here imports Qt.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

from app.errors import RegisterError
from app.register import Register

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_WRONG_PASSPHRASE = 3
EXIT_REJECTED_ROWS = 4
EXIT_SYNC_ALARM = 5

PASSPHRASE_ENV = "ISR_PASSPHRASE"


class UsageError(RegisterError):
    """The command was given wrong or missing arguments."""

    exit_code = EXIT_USAGE


def add_passphrase_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--passphrase-file",
        type=Path,
        metavar="FILE",
        help=f"read the passphrase from the first line of FILE (else ${PASSPHRASE_ENV}, "
        "else a prompt)",
    )
    parser.add_argument("--author", help="name recorded against every change (default: login name)")


def read_passphrase(args: argparse.Namespace, prompt: str = "Passphrase: ") -> str:
    """From --passphrase-file, then $ISR_PASSPHRASE, then a prompt on the terminal."""
    path: Path | None = getattr(args, "passphrase_file", None)
    if path is not None:
        try:
            return path.read_text(encoding="utf-8").splitlines()[0]
        except (OSError, IndexError) as exc:
            raise UsageError(f"Cannot read a passphrase from {path}: {exc}") from exc
    env = os.environ.get(PASSPHRASE_ENV)
    if env:
        return env
    if not sys.stdin.isatty():
        raise UsageError(
            f"No passphrase: set {PASSPHRASE_ENV}, pass --passphrase-file, or run in a terminal."
        )
    return getpass.getpass(prompt)


def open_register(args: argparse.Namespace, folder: Path | None = None) -> Register:
    """Open the register named by `args.register` (or `folder`)."""
    path = folder if folder is not None else Path(args.register)
    return Register.open(path, read_passphrase(args), author=getattr(args, "author", None))


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, sort_keys=False)
    sys.stdout.write("\n")


def fail(message: str) -> None:
    print(f"isr: {message}", file=sys.stderr)
