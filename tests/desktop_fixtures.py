"""The desktop tests' register and fixtures, shared by tests/ui and tests/e2e.

Both conftests import the fixtures from here (a fixture is found where a conftest names it).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app import search
from app.register import Changes, Register
from tests.fast_keys import FAST_KDF, PASSPHRASE

TODAY = dt.date.today()


def seed(changes: Changes) -> None:
    """A small partnership: organisations, agreements in several states, items, use cases."""
    county = changes.create("organisation", {"name": "Northshire County Council",
                                             "org_type": "county_council"})  # fmt: skip
    trust = changes.create("organisation", {"name": "Northshire Hospitals NHS Trust",
                                            "org_type": "nhs_trust"})  # fmt: skip
    owner = changes.create("person", {"name": "Priya Shah", "organisation_id": county})
    rows = (
        ("ISA-2026-001", "Hospital discharge data", "active", -10),
        ("ISA-2026-002", "Falls prevention", "active", 30),
        ("ISA-2026-003", "Troubled families", "draft", 400),
        ("ISA-2026-004", "Adult social care outcomes", "under_review", 60),
        ("ISA-2025-010", "Old survey", "expired", -100),
    )
    for n, (ref, title, status, review_in) in enumerate(rows):
        agreement = changes.create("agreement", {
            "reference": ref, "title": title, "category": "personal" if n % 2 else "aggregated",
            "status": status, "review_date": TODAY + dt.timedelta(days=review_in),
            "owner_id": owner,
        })  # fmt: skip
        changes.create("party", {"agreement_id": agreement, "organisation_id": county,
                                 "role": "provider"})  # fmt: skip
        if n < 2:
            changes.create("party", {"agreement_id": agreement, "organisation_id": trust,
                                     "role": "recipient"})  # fmt: skip
        changes.create("data_item", {
            "agreement_id": agreement, "position": 1, "title": f"{title} extract",
            "source": "Patient administration system", "extract_mechanism": "SFTP",
            "destination": "County data warehouse", "frequency": "Monthly",
            "data_fields": "NHS number, date of admission", "purpose": "Planning",
            "safeguards": "Pseudonymised at source",
        })  # fmt: skip
        checklist = changes.create("checklist", {"agreement_id": agreement})
        changes.create("checklist_answer", {"checklist_id": checklist, "answer": "yes"})
        changes.create("checklist_answer", {"checklist_id": checklist})
    changes.create("use_case", {"title": "Frailty register", "stage": "design"})
    changes.create("use_case", {"title": "Hospital at home", "stage": "live"})
    changes.create("assessment", {"title": "Joint strategic needs assessment", "kind": "jsna"})


def build_register(folder: Path, name: str, build: Callable[[Changes], object]) -> Path:
    """A closed register at `folder` holding what `build` writes, with its search index."""
    with Register.create(folder, PASSPHRASE, name=name, author="Tester",
                         kdf=FAST_KDF) as register:  # fmt: skip
        register.write(f"Fill {name}", build)
        search.rebuild_index(register)
    return folder


def copy_register(folder: Path, tmp_path: Path) -> Path:
    """A copy of a built register for one test (opening a register writes into its folder)."""
    copy = tmp_path / "register"
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns(".register.lock"))
    return copy


@pytest.fixture(scope="session")
def seeded_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_register(tmp_path_factory.mktemp("seeded") / "register", "Northshire", seed)


@pytest.fixture()
def register_folder(seeded_folder: Path, tmp_path: Path) -> Path:
    return copy_register(seeded_folder, tmp_path)


@pytest.fixture()
def register(register_folder: Path) -> Iterator[Register]:
    reg = Register.open(register_folder, PASSPHRASE, author="Tester")
    search.attach(reg)
    yield reg
    reg.close()


@pytest.fixture()
def empty_register(tmp_path: Path) -> Iterator[Register]:
    """A register with nothing in it (beside any other the test opens)."""
    with Register.create(tmp_path / "empty", PASSPHRASE, name="Empty", author="Tester",
                         kdf=FAST_KDF) as register:  # fmt: skip
        yield register


@pytest.fixture()
def settings_file(tmp_path: Path) -> Path:
    return tmp_path / "settings.ini"


class Shown:
    """Errors and questions the app put to the user during a test."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.answer: object = None
        self.asked: list[str] = []  # the text of every question asked, in order
        self.delete = True  # the answer to "Delete …?": Delete (True) or Cancel (False)
        self.actions: list[str] = []  # the button each delete question offered: "&Delete"…


@pytest.fixture(autouse=True)
def shown(monkeypatch: pytest.MonkeyPatch) -> Shown:
    """Record error messages and questions instead of opening a modal box.

    Questions answer `shown.answer`; a question before a delete answers `shown.delete`.
    """
    from PySide6.QtWidgets import QMessageBox, QWidget

    from ui.errors import DeleteQuestion, ErrorMessage, Question, message_for

    record = Shown()
    record.answer = QMessageBox.StandardButton.Discard

    def question(cls: type, parent: QWidget | None, title: str, text: str, *rest: object,
                 **named: object) -> object:  # fmt: skip
        record.asked.append(text)
        return record.answer

    def delete_question(cls: type, parent: QWidget | None, title: str, text: str,
                        action: str = "&Delete") -> bool:  # fmt: skip
        record.asked.append(text)
        record.actions.append(action)
        return record.delete

    monkeypatch.setattr(ErrorMessage, "show",
                        classmethod(lambda cls, parent, exc, title="": record.errors.append(
                            message_for(exc))))  # fmt: skip
    monkeypatch.setattr(Question, "ask", classmethod(question))
    monkeypatch.setattr(DeleteQuestion, "ask", classmethod(delete_question))
    return record
