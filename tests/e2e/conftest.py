"""Fixtures for the end-to-end tests: offscreen Qt, a seeded register copied per test, settings."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.desktop_fixtures import (  # noqa: E402, F401  (the desktop tests' fixtures)
    TODAY,
    Shown,
    empty_register,
    register,
    register_folder,
    seed,
    seeded_folder,
    settings_file,
    shown,
)
