"""`isr` subcommands for sync (registered by ui.cli)."""

from __future__ import annotations

import argparse


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add this module's subcommands; each sets `handler(args) -> int` as its default."""
