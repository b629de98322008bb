"""Merge rules of the operation log, with hand-built operations, and undo/redo on a register."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app import register as register_module
from app.canonical import canonical_state, replay_into_memory
from app.errors import NothingToUndoError
from app.oplog import (
    EXISTS,
    Operation,
    OpKind,
    apply_operations,
    current_heads,
    encode_values,
    link_id,
    new_id,
    stored_operation,
)
from app.register import Changes, Register
from db.models import (
    AgreementRecord,
    AgreementUseCaseLink,
    AttachmentRecord,
    DataItemRecord,
    OperationRecord,
    RecordStateRecord,
)

AG = "agreement-1"


class OpMaker:
    """Builds operations by hand with readable ids: op-0001, op-0002…"""

    def __init__(self) -> None:
        self._count = itertools.count(1)

    def make(
        self,
        kind: OpKind,
        entity: str,
        record_id: str,
        *,
        hlc: int,
        device: str,
        name: str = EXISTS,
        value: Any = None,
        bases: Sequence[Operation] = (),
    ) -> Operation:
        return Operation(
            op_id=f"op-{next(self._count):04d}",
            batch_id=f"batch-{device}",
            hlc=hlc,
            device=device,
            author=f"author-{device}",
            kind=kind,
            entity=entity,
            record_id=record_id,
            field=name,
            value=value,
            bases=tuple(b.op_id for b in bases),
        )

    def create(self, entity: str, record_id: str, values: dict[str, Any], *, hlc: int,
               device: str = "dev-a") -> Operation:  # fmt: skip
        return self.make(OpKind.CREATE, entity, record_id, hlc=hlc, device=device, value=values)

    def set(self, record_id: str, name: str, value: Any, *, hlc: int, device: str,
            bases: Sequence[Operation], entity: str = "agreement") -> Operation:  # fmt: skip
        return self.make(OpKind.SET, entity, record_id, hlc=hlc, device=device, name=name,
                         value=value, bases=bases)  # fmt: skip


@pytest.fixture()
def ops() -> OpMaker:
    return OpMaker()


StateAfter = Callable[..., dict[str, Any]]


@pytest.fixture()
def engine(memory_databases: Any) -> Engine:
    return memory_databases.fresh(1)  # type: ignore[no-any-return]


def apply_batches(engine: Engine, *batches: Sequence[Operation]) -> list[list[Operation]]:
    """Apply each batch in its own committed transaction; what each call found new."""
    fresh = []
    for batch in batches:
        with Session(engine) as session, session.begin():
            fresh.append(apply_operations(session, batch))
    return fresh


@pytest.fixture()
def state_after(memory_databases: Any) -> StateAfter:
    """The canonical state of a fresh database after applying the given batches."""

    def run(*batches: Sequence[Operation]) -> dict[str, Any]:
        engine = memory_databases.fresh(0)
        apply_batches(engine, *batches)
        with Session(engine) as session:
            return canonical_state(session)

    return run


def every_order(all_ops: Sequence[Operation]) -> Iterator[list[list[Operation]]]:
    """Each permutation one operation per transaction, plus everything in one call."""
    yield [list(all_ops)]
    for order in itertools.permutations(all_ops):
        yield [[op] for op in order]


def agreement_row(state: dict[str, Any], record_id: str = AG) -> dict[str, Any]:
    (row,) = [r for r in state["tables"]["agreement"] if r["id"] == record_id]
    return row


def heads_of(engine: Engine, name: str, record_id: str = AG) -> tuple[str, ...]:
    with Session(engine) as session:
        return current_heads(session, "agreement", record_id, name)


# ------------------------------------------------------------------ last writer wins


def test_last_writer_wins_by_clock_whatever_the_order(
    ops: OpMaker, state_after: StateAfter
) -> None:
    create = ops.create("agreement", AG, {"title": "Original"}, hlc=100)
    early = ops.set(AG, "title", "Early", hlc=200, device="dev-z", bases=[create])
    late = ops.set(AG, "title", "Late", hlc=300, device="dev-a", bases=[create])
    states = [state_after(*batches) for batches in every_order([create, early, late])]
    for state in states:
        assert agreement_row(state)["title"] == "Late"  # greater clock beats greater device
        assert state == states[0]


def test_equal_clocks_are_broken_by_device(ops: OpMaker, state_after: StateAfter) -> None:
    create = ops.create("agreement", AG, {"title": "Original"}, hlc=100)
    by_b = ops.set(AG, "title", "From B", hlc=200, device="dev-b", bases=[create])
    by_a = ops.set(AG, "title", "From A", hlc=200, device="dev-a", bases=[create])
    for batches in every_order([create, by_b, by_a]):
        assert agreement_row(state_after(*batches))["title"] == "From B"


def test_an_older_write_arriving_late_changes_nothing(ops: OpMaker, engine: Engine) -> None:
    create = ops.create("agreement", AG, {"title": "Original"}, hlc=100)
    old = ops.set(AG, "title", "Old", hlc=200, device="dev-b", bases=[create])
    new = ops.set(AG, "title", "New", hlc=300, device="dev-a", bases=[old])
    apply_batches(engine, [create], [new])
    apply_batches(engine, [old])
    with Session(engine) as session:
        assert session.get(AgreementRecord, AG).title == "New"  # type: ignore[union-attr]
    assert heads_of(engine, "title") == (new.op_id,)


# ------------------------------------------------------------------------- conflicts


def test_sequential_edits_never_conflict_in_any_order(
    ops: OpMaker, state_after: StateAfter
) -> None:
    create = ops.create("agreement", AG, {"title": "v0", "status": "draft"}, hlc=100)
    first = ops.set(AG, "title", "v1", hlc=200, device="dev-a", bases=[create])
    second = ops.set(AG, "title", "v2", hlc=300, device="dev-b", bases=[first])
    third = ops.set(AG, "title", "v3", hlc=400, device="dev-a", bases=[second])
    for batches in every_order([create, first, second, third]):
        state = state_after(*batches)
        assert state["conflicts"] == [], batches
        assert agreement_row(state)["title"] == "v3"
        assert agreement_row(state)["status"] == "draft"


def test_two_sequential_edits_synced_together_leave_one_head(ops: OpMaker, engine: Engine) -> None:
    """Two edits that reach another device in one sync are not a conflict with the create."""
    create = ops.create("agreement", AG, {"title": "v0"}, hlc=100)
    first = ops.set(AG, "title", "v1", hlc=200, device="dev-b", bases=[create])
    second = ops.set(AG, "title", "v2", hlc=300, device="dev-b", bases=[first])
    apply_batches(engine, [create], [first, second])
    assert heads_of(engine, "title") == (second.op_id,)


def test_concurrent_edits_are_kept_as_a_conflict(
    ops: OpMaker, engine: Engine, state_after: StateAfter
) -> None:
    create = ops.create("agreement", AG, {"title": "Original"}, hlc=100)
    mine = ops.set(AG, "title", "Mine", hlc=200, device="dev-a", bases=[create])
    theirs = ops.set(AG, "title", "Theirs", hlc=250, device="dev-b", bases=[create])
    apply_batches(engine, [create], [mine], [theirs])
    assert heads_of(engine, "title") == tuple(sorted([mine.op_id, theirs.op_id]))
    assert heads_of(engine, "status") == (create.op_id,)  # untouched fields: the create
    expected = [["agreement", AG, "title", sorted([mine.op_id, theirs.op_id])]]
    for batches in every_order([create, mine, theirs]):
        assert state_after(*batches)["conflicts"] == expected


def test_a_resolve_whose_bases_are_all_heads_clears_the_conflict(
    ops: OpMaker, state_after: StateAfter
) -> None:
    create = ops.create("agreement", AG, {"title": "Original"}, hlc=100)
    mine = ops.set(AG, "title", "Mine", hlc=200, device="dev-a", bases=[create])
    theirs = ops.set(AG, "title", "Theirs", hlc=250, device="dev-b", bases=[create])
    resolve = ops.make(OpKind.RESOLVE, "agreement", AG, hlc=300, device="dev-a", name="title",
                       value="Agreed", bases=[mine, theirs])  # fmt: skip
    for batches in every_order([create, mine, theirs, resolve]):
        state = state_after(*batches)
        assert state["conflicts"] == []
        assert agreement_row(state)["title"] == "Agreed"


def test_a_write_that_saw_only_one_head_keeps_the_conflict(
    ops: OpMaker, state_after: StateAfter
) -> None:
    create = ops.create("agreement", AG, {"title": "Original"}, hlc=100)
    mine = ops.set(AG, "title", "Mine", hlc=200, device="dev-a", bases=[create])
    theirs = ops.set(AG, "title", "Theirs", hlc=250, device="dev-b", bases=[create])
    again = ops.set(AG, "title", "Mine again", hlc=300, device="dev-a", bases=[mine])
    for batches in every_order([create, mine, theirs, again]):
        state = state_after(*batches)
        assert state["conflicts"] == [
            ["agreement", AG, "title", sorted([theirs.op_id, again.op_id])]
        ]
        assert agreement_row(state)["title"] == "Mine again"


def test_resolving_through_register_changes_clears_a_conflict(core_register: Register) -> None:
    created = core_register.write("Create", lambda c: c.create("agreement", {"title": "One"}))
    with core_register.session() as session:
        (create_op,) = current_heads(session, "agreement", created, "title")
    remote = [
        Operation(
            f"remote-{n}",
            "remote",
            hlc,
            device,
            "someone",
            OpKind.SET,
            "agreement",
            created,
            "title",
            title,
            (create_op,),
        )  # fmt: skip
        for n, (hlc, device, title) in enumerate([(10, "dev-x", "X"), (11, "dev-y", "Y")])
    ]
    core_register.apply_remote(remote)
    with core_register.session() as session:
        assert len(canonical_state(session)["conflicts"]) == 1
    core_register.write("Resolve", lambda c: c.resolve("agreement", created, "title", "Both"))
    with core_register.session() as session:
        state = canonical_state(session)
        assert state["conflicts"] == []
        assert agreement_row(state, created)["title"] == "Both"


# ------------------------------------------------------------------ deletes and revival


def test_an_edit_stamped_after_a_delete_revives_the_record(
    ops: OpMaker, state_after: StateAfter
) -> None:
    create = ops.create("agreement", AG, {"title": "Original"}, hlc=100)
    delete = ops.make(OpKind.DELETE, "agreement", AG, hlc=200, device="dev-a", value=False)
    edit = ops.set(AG, "title", "Still needed", hlc=300, device="dev-b", bases=[create])
    for batches in every_order([create, delete, edit]):
        state = state_after(*batches)
        row = agreement_row(state)
        assert row["is_live"] is True
        assert row["title"] == "Still needed"
        (record,) = state["records"]
        assert (record["kind"], record["deleted_hlc"]) == ("set", 200)


def test_an_edit_stamped_before_a_delete_does_not_revive(
    ops: OpMaker, state_after: StateAfter
) -> None:
    create = ops.create("agreement", AG, {"title": "Original"}, hlc=100)
    edit = ops.set(AG, "title", "Edited", hlc=150, device="dev-b", bases=[create])
    delete = ops.make(OpKind.DELETE, "agreement", AG, hlc=200, device="dev-a", value=False)
    for batches in every_order([create, delete, edit]):
        row = agreement_row(state_after(*batches))
        assert row["is_live"] is False
        assert row["title"] == "Edited"


def test_undelete_after_delete_is_live(ops: OpMaker, state_after: StateAfter) -> None:
    create = ops.create("agreement", AG, {"title": "Original"}, hlc=100)
    delete = ops.make(OpKind.DELETE, "agreement", AG, hlc=200, device="dev-a", value=False)
    undelete = ops.make(OpKind.UNDELETE, "agreement", AG, hlc=300, device="dev-b", value=True)
    for batches in every_order([create, delete, undelete]):
        assert agreement_row(state_after(*batches))["is_live"] is True


def test_links_follow_their_latest_link_or_unlink(ops: OpMaker, state_after: StateAfter) -> None:
    pair = link_id(AG, "use-case-1")
    agreement = ops.create("agreement", AG, {"title": "A"}, hlc=100)
    use_case = ops.create("use_case", "use-case-1", {"title": "U"}, hlc=110)
    link_a = ops.make(OpKind.LINK, "agreement_use_case", pair, hlc=200, device="dev-a", value=True)
    link_b = ops.make(OpKind.LINK, "agreement_use_case", pair, hlc=210, device="dev-b", value=True)
    unlink = ops.make(OpKind.UNLINK, "agreement_use_case", pair, hlc=300, device="dev-a",
                      value=False)  # fmt: skip
    all_ops = [agreement, use_case, link_a, link_b, unlink]
    first = state_after(all_ops)
    assert first["tables"]["agreement_use_case"] == [
        {"id": pair, "is_live": False, "left_id": AG, "right_id": "use-case-1"}
    ]
    for order in list(itertools.permutations(all_ops))[::3]:  # 40 of the 120 orders
        assert state_after(*[[op] for op in order]) == first
    relink = ops.make(OpKind.LINK, "agreement_use_case", pair, hlc=400, device="dev-b", value=True)
    assert state_after([*all_ops, relink])["tables"]["agreement_use_case"][0]["is_live"] is True


# ------------------------------------------------------------------- idempotence, order


def test_applying_the_same_operations_again_changes_nothing(ops: OpMaker, engine: Engine) -> None:
    create = ops.create("agreement", AG, {"title": "Original"}, hlc=100)
    mine = ops.set(AG, "title", "Mine", hlc=200, device="dev-a", bases=[create])
    theirs = ops.set(AG, "title", "Theirs", hlc=250, device="dev-b", bases=[create])
    fresh = apply_batches(engine, [create, mine, theirs])
    assert [len(f) for f in fresh] == [3]
    with Session(engine) as session:
        before = canonical_state(session)
    again = apply_batches(engine, [create, mine, theirs], [theirs, theirs], [mine])
    assert again == [[], [], []]
    with Session(engine) as session:
        assert canonical_state(session) == before
        assert session.scalar(select(func.count()).select_from(OperationRecord)) == 3


def test_duplicates_within_one_call_are_applied_once(ops: OpMaker, engine: Engine) -> None:
    create = ops.create("agreement", AG, {"title": "Original"}, hlc=100)
    (fresh,) = apply_batches(engine, [create, create, create])
    assert fresh == [create]


def test_a_child_before_its_parent_gets_a_placeholder_then_the_parent(
    ops: OpMaker, engine: Engine, state_after: StateAfter
) -> None:
    parent = ops.create("agreement", AG, {"title": "Parent", "reference": "ISA-1"}, hlc=100)
    child = ops.create("data_item", "item-1", {"agreement_id": AG, "source": "GP records"},
                       hlc=200, device="dev-b")  # fmt: skip
    apply_batches(engine, [child])  # commits: the deferred foreign key holds
    with Session(engine) as session:
        placeholder = session.get(AgreementRecord, AG)
        assert placeholder is not None
        assert (placeholder.is_live, placeholder.title) == (False, None)
        item = session.get(DataItemRecord, "item-1")
        assert item is not None and item.is_live and item.agreement_id == AG
    apply_batches(engine, [parent])
    with Session(engine) as session:
        filled = session.get(AgreementRecord, AG)
        assert filled is not None
        assert (filled.is_live, filled.title, filled.reference) == (True, "Parent", "ISA-1")
        assert canonical_state(session) == state_after([parent, child])


def test_a_child_before_its_parent_on_a_real_register(core_register: Register) -> None:
    ops = OpMaker()
    parent = ops.create("agreement", AG, {"title": "Parent"}, hlc=100, device="dev-r")
    child = ops.create("data_item", "item-1", {"agreement_id": AG}, hlc=200, device="dev-r")
    core_register.apply_remote([child])
    with core_register.session() as session:
        assert session.get(AgreementRecord, AG).is_live is False  # type: ignore[union-attr]
    core_register.apply_remote([parent])
    with core_register.session() as session:
        assert session.get(AgreementRecord, AG).is_live is True  # type: ignore[union-attr]


def test_an_unknown_kind_of_record_is_refused_and_nothing_is_written(
    ops: OpMaker, engine: Engine
) -> None:
    good = ops.create("agreement", AG, {"title": "A"}, hlc=100)
    bad = ops.create("no_such_thing", "x", {}, hlc=200)
    with pytest.raises(ValueError, match="no_such_thing"):
        apply_batches(engine, [good, bad])
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(OperationRecord)) == 0


# ---------------------------------------------------------------------- undo and redo


def replayed_equals_materialised(register: Register) -> bool:
    with register.session() as session:
        state = canonical_state(session)
        log = [stored_operation(r) for r in session.scalars(select(OperationRecord))]
    return replay_into_memory(log) == state


def live(register: Register, model: Any, record_id: str) -> bool:
    with register.session() as session:
        row = session.get(model, record_id)
        return bool(row is not None and row.is_live)


def title(register: Register, record_id: str) -> str | None:
    with register.session() as session:
        row = session.get(AgreementRecord, record_id)
        assert row is not None
        return row.title


def test_undo_and_redo_of_an_edit(core_register: Register) -> None:
    reg = core_register
    ag = reg.write("Create", lambda c: c.create("agreement", {"title": "First"}))
    reg.write("Rename", lambda c: c.set("agreement", ag, "title", "Second"))
    assert reg.undo() == "Rename"
    assert title(reg, ag) == "First"
    assert reg.redo() == "Rename"
    assert title(reg, ag) == "Second"
    assert replayed_equals_materialised(reg)


def test_undo_of_a_create_leaves_the_record_not_live_and_redo_brings_it_back(
    core_register: Register,
) -> None:
    reg = core_register

    def build(c: Changes) -> tuple[str, str]:
        ag = c.create("agreement", {"title": "New"})
        return ag, c.create("data_item", {"agreement_id": ag, "source": "Schools"})

    ag, item = reg.write("Create agreement", build)
    reg.undo()
    assert not live(reg, AgreementRecord, ag)
    assert not live(reg, DataItemRecord, item)
    reg.redo()
    assert live(reg, AgreementRecord, ag)
    assert live(reg, DataItemRecord, item)
    assert title(reg, ag) == "New"
    assert replayed_equals_materialised(reg)


def test_undo_of_a_large_batch_is_applied_in_one_go(
    core_register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Undoing an import of many records writes its deletes together, not one by one.

    One by one, undoing a 10,000-row import took 35 s: a fold of the log per delete.
    """
    reg = core_register

    def build(c: Changes) -> list[str]:
        agreements = [c.create("agreement", {"title": f"Imported {n}"}) for n in range(150)]
        for ag in agreements:
            c.create("data_item", {"agreement_id": ag, "source": "Schools"})
        return agreements

    agreements = reg.write("Import", build)
    folds: list[int] = []
    real = register_module.apply_operations

    def counted(*args: Any, **kwargs: Any) -> Any:
        folds.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(register_module, "apply_operations", counted)
    reg.undo()
    assert len(folds) == 1
    assert not any(live(reg, AgreementRecord, ag) for ag in agreements)
    reg.redo()
    assert all(live(reg, AgreementRecord, ag) for ag in agreements)
    assert replayed_equals_materialised(reg)


def test_undo_of_a_delete_brings_the_record_back(core_register: Register) -> None:
    reg = core_register
    ag = reg.write("Create", lambda c: c.create("agreement", {"title": "Keep me"}))
    reg.write("Delete", lambda c: c.delete("agreement", ag))
    assert not live(reg, AgreementRecord, ag)
    reg.undo()
    assert live(reg, AgreementRecord, ag)
    assert title(reg, ag) == "Keep me"
    with reg.session() as session:
        state = session.get(RecordStateRecord, ("agreement", ag))
        assert state is not None and state.kind == "undelete"


def test_undo_and_redo_of_a_link_and_linking_again(core_register: Register) -> None:
    reg = core_register

    def build(c: Changes) -> tuple[str, str]:
        return c.create("agreement", {"title": "A"}), c.create("use_case", {"title": "U"})

    ag, uc = reg.write("Create", build)
    pair = link_id(ag, uc)
    reg.write("Link", lambda c: c.link("agreement_use_case", ag, uc))
    reg.undo()
    assert not live(reg, AgreementUseCaseLink, pair)
    reg.redo()  # writes a second link of the same pair
    assert live(reg, AgreementUseCaseLink, pair)
    reg.write("Unlink", lambda c: c.unlink("agreement_use_case", ag, uc))
    reg.write("Link again", lambda c: c.link("agreement_use_case", ag, uc))
    assert live(reg, AgreementUseCaseLink, pair)
    assert replayed_equals_materialised(reg)


def test_undo_with_nothing_to_undo_says_so(core_register: Register) -> None:
    with pytest.raises(NothingToUndoError, match="nothing to undo"):
        core_register.undo()
    with pytest.raises(NothingToUndoError, match="nothing to redo"):
        core_register.redo()


# ------------------------------------------------------------------ storing values


def test_new_ids_are_uuids_that_sort_in_the_order_they_were_made() -> None:
    ids = [new_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    assert {uuid.UUID(i).version for i in ids} == {7}
    assert {uuid.UUID(i).variant for i in ids} == {uuid.RFC_4122}
    assert len({i[14:] for i in ids}) == len(ids)  # the random part differs, not just the time
    assert all(str(uuid.UUID(i)) == i for i in ids)
    stamps = [i[:13] for i in ids]  # the milliseconds they were made in
    assert stamps == sorted(stamps)


def test_a_create_stores_the_same_values_in_bulk_as_one_by_one(
    ops: OpMaker, memory_databases: Any
) -> None:
    """A create of a new record is inserted in bulk; one whose row exists already (a child
    arrived first) is written field by field. Both must store exactly the same values."""
    values = encode_values("agreement", {
        "reference": "ISA-1", "title": "Typed", "start_date": dt.date(2026, 1, 31),
        "dpia_needed": True, "dpia_done": False, "summary": "Line one\nline two",
    })  # fmt: skip
    parent = ops.create("agreement", AG, values, hlc=10)
    child = ops.create("data_item", "item-1", {"agreement_id": AG, "position": 3,
                                               "next_due": "2026-02-28"}, hlc=20)  # fmt: skip
    rows = []
    for slot, batches in ((0, [[parent, child]]), (1, [[child], [parent]])):
        engine = memory_databases.fresh(slot)
        apply_batches(engine, *batches)
        with Session(engine) as session:
            state = canonical_state(session)
        rows.append((agreement_row(state), state["tables"]["data_item"]))
    assert rows[0] == rows[1]
    agreement, items = rows[0]
    assert agreement["start_date"] == "2026-01-31" and agreement["dpia_needed"] is True
    assert items[0]["position"] == 3 and items[0]["next_due"] == "2026-02-28"


def test_bytes_survive_a_bulk_create(ops: OpMaker, engine: Engine) -> None:
    content = bytes(range(256))
    values = encode_values("attachment", {"filename": "scan.pdf", "content": content})
    apply_batches(engine, [ops.create("attachment", "att-1", values, hlc=5)])
    with Session(engine) as session:
        stored = session.scalar(select(AttachmentRecord.content))
    assert stored == content


def test_records_read_before_an_apply_are_read_again_after_it(ops: OpMaker,
                                                             engine: Engine) -> None:  # fmt: skip
    """Applying writes rows beneath the session: what the session read before is stale."""
    create = ops.create("agreement", AG, {"reference": "ISA-1", "title": "Old"}, hlc=10)
    apply_batches(engine, [create])
    with Session(engine) as session, session.begin():
        agreement = session.get(AgreementRecord, AG)
        state = session.get(RecordStateRecord, ("agreement", AG))
        assert agreement is not None and agreement.title == "Old" and state is not None
        edit = ops.set(AG, "title", "New", hlc=20, device="dev-b", bases=[create])
        delete = ops.make(OpKind.DELETE, "agreement", AG, hlc=30, device="dev-b")
        apply_operations(session, [edit, delete])
        assert agreement.title == "New" and agreement.is_live is False
        assert state.kind == "delete" and state.deleted_hlc == 30
