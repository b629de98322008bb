"""Test configuration: offscreen Qt before any Qt import, known folders only, register fixtures."""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.fonts=false")

KNOWN_FOLDERS = {"db", "app", "reports", "ui", "e2e"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    root = Path(__file__).parent
    for item in items:
        parts = Path(str(item.fspath)).relative_to(root).parts
        if len(parts) < 2 or parts[0] not in KNOWN_FOLDERS:
            raise pytest.UsageError(f"{item.nodeid}: tests live in tests/<layer>/, not {parts[0]}")
        if parts[0] in {"ui", "e2e"}:
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def _isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep user data, logs and settings of every test out of the real home folder."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("ISR_PASSPHRASE", raising=False)


@pytest.fixture(autouse=True)
def _collect_between_gui_tests(request: pytest.FixtureRequest) -> Iterator[None]:
    """As the app does (ui.collector): no cyclic collection while workers may run.

    Torn down last, after pytest-qt has closed the test's windows and their workers stopped.
    """
    if request.node.get_closest_marker("gui") is None:
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.collect()
