"""A register made before migration 0004 opens with its records intact and the new indexes.

0004 drops the index on liveness alone of every record table (SQLite chose it over the index of
the reference a query looks up), puts liveness last in the dashboard's index of agreements, and
indexes the records ever deleted.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, inspect

from app.agreements import create_agreement, delete_agreement, get_agreement
from app.conflicts import open_conflicts
from app.register import Register
from db import migrate
from tests.fast_keys import FAST_KDF, PASSPHRASE


def indexes(engine: Engine, table: str) -> set[str]:
    return {str(index["name"]) for index in inspect(engine).get_indexes(table)}


def test_a_register_made_at_0003_is_upgraded_on_open_with_its_records(tmp_path: Path) -> None:
    folder = tmp_path / "register"
    with Register.create(folder, PASSPHRASE, name="Before 0004", kdf=FAST_KDF) as register:
        kept = create_agreement(
            register, {"reference": "ISA-2026-001", "title": "Kept", "category": "personal"}
        )
        gone = create_agreement(
            register, {"reference": "ISA-2026-002", "title": "Gone", "category": "personal"}
        )
        delete_agreement(register, gone)
        migrate.downgrade(register.engine, "0003")
        assert "ix_data_item_is_live" in indexes(register.engine, "data_item")
        assert "ix_agreement_live_status_review" in indexes(register.engine, "agreement")

    with Register.open(folder, PASSPHRASE) as register:
        assert "ix_data_item_is_live" not in indexes(register.engine, "data_item")
        assert indexes(register.engine, "agreement") >= {"ix_agreement_status_review_live"}
        assert "ix_agreement_live_status_review" not in indexes(register.engine, "agreement")
        assert "ix_record_state_deleted" in indexes(register.engine, "record_state")
        assert get_agreement(register, kept).title == "Kept"
        assert open_conflicts(register) == []
    backups = sorted(p.name for p in (folder / "backups").iterdir())
    assert any("before-upgrade-0003-to-0004" in name for name in backups)
