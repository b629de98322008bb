"""Replicas converge: the same operations in any order and any batching give the same state.

Simulated devices, each with its own database, hybrid clock and skewed wall clock, edit a few
records and sync with each other now and then, so their operations carry realistic bases and
stamps (concurrent edits, deletes racing edits, links made twice). The union of everything
they wrote is then applied to fresh databases in random orders and random batches.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.canonical import canonical_state, replay_into_memory
from app.clock import HybridClock
from app.oplog import (
    EXISTS,
    JsonValue,
    Operation,
    OpKind,
    apply_operations,
    current_heads,
    link_id,
)
from app.register import Register
from db.models import FieldHeadRecord

# Fields a device edits, with the values it picks from (already in their JSON form).
EDITS: dict[str, dict[str, list[JsonValue]]] = {
    "agreement": {
        "title": ["Hospital discharge", "Troubled families", "Youth justice", None],
        "status": ["draft", "negotiation", "active", "suspended"],
        "review_date": ["2026-04-01", "2027-01-31", None],
        "dpia_needed": [True, False],
    },
    "organisation": {"name": ["Kent County Council", "Medway NHS Trust", "Kent Police"]},
    "use_case": {"title": ["Falls prevention", "Homelessness"], "stage": ["proposed", "live"]},
    "data_item": {"source": ["GP records", "A&E attendances"], "position": [1, 2, 3]},
    "party": {"role": ["provider", "recipient", "both"]},
}
# Reference fields that move a child to another parent, and which kind of parent.
MOVES = {"data_item": ("agreement_id", "agreement"), "party": ("organisation_id", "organisation")}
LINKS = {"agreement_use_case": ("agreement", "use_case")}


@dataclass
class Simulation:
    """Shared simulated wall time, in milliseconds."""

    now: int = 1_780_000_000_000


@dataclass
class Device:
    """One laptop: its own database, clock and set of operations it holds."""

    name: str
    engine: Engine
    clock: HybridClock
    held: dict[str, Operation] = field(default_factory=dict)
    count: int = 0

    def known(self, entity: str) -> list[str]:
        return sorted(
            op.record_id
            for op in self.held.values()
            if op.kind == OpKind.CREATE and op.entity == entity
        )

    def emit(
        self,
        kind: OpKind,
        entity: str,
        record_id: str,
        name: str = EXISTS,
        value: JsonValue = None,
        bases: tuple[str, ...] = (),
    ) -> None:
        self.count += 1
        op = Operation(
            op_id=f"{self.name}-{self.count:04d}",
            batch_id=f"{self.name}-batch-{self.count:04d}",
            hlc=self.clock.tick(),
            device=self.name,
            author=f"author of {self.name}",
            kind=kind,
            entity=entity,
            record_id=record_id,
            field=name,
            value=value,
            bases=bases,
        )
        with Session(self.engine) as session, session.begin():
            apply_operations(session, [op], known_new=True)  # as Register.write does
        self.held[op.op_id] = op

    def heads(self, entity: str, record_id: str, name: str) -> tuple[str, ...]:
        with Session(self.engine) as session:
            return current_heads(session, entity, record_id, name)

    def conflicts(self) -> list[tuple[str, str, str]]:
        with Session(self.engine) as session:
            rows = session.execute(
                select(FieldHeadRecord.entity, FieldHeadRecord.record_id, FieldHeadRecord.field)
            ).all()
        seen: dict[tuple[str, str, str], int] = {}
        for row in rows:
            key = (row[0], row[1], row[2])
            seen[key] = seen.get(key, 0) + 1
        return sorted(key for key, n in seen.items() if n >= 2)

    def receive(self, ops: Sequence[Operation]) -> None:
        new = [op for op in ops if op.op_id not in self.held]
        if not new:
            return
        for op in new:
            self.clock.observe(op.hlc)
        with Session(self.engine) as session, session.begin():
            apply_operations(session, new)
        self.held.update((op.op_id, op) for op in new)


Step = tuple[int, int, int, int, int]


def pick(options: Sequence[Any], n: int) -> Any:
    return options[n % len(options)]


def act(device: Device, others: Sequence[Device], step: Step) -> None:
    """One thing a person does on `device` (or a sync), chosen by the numbers in `step`."""
    action, _, a, b, _ = step
    creatable = ("agreement", "organisation", "use_case")
    if action <= 2:
        entity = creatable[action]
        record_id = f"{entity[:4]}-{device.name}-{device.count + 1}"
        values = {name: pick(choices, a + i) for i, (name, choices) in
                  enumerate(EDITS[entity].items())}  # fmt: skip
        device.emit(OpKind.CREATE, entity, record_id, value={k: v for k, v in values.items()
                                                                 if v is not None})  # fmt: skip
    elif action in (3, 4):
        entity = "data_item" if action == 3 else "party"
        name, parent = MOVES[entity]
        parents = device.known(parent)
        values = {name: pick(parents, a)} if parents else {}
        if entity == "party" and device.known("agreement"):
            values["agreement_id"] = pick(device.known("agreement"), b)
        device.emit(OpKind.CREATE, entity, f"{entity[:4]}-{device.name}-{device.count + 1}",
                    value=values)  # fmt: skip
    elif action in (5, 6, 7):
        entity = pick(sorted(EDITS), a)
        records = device.known(entity)
        if not records:
            return
        record_id = pick(records, b)
        if action == 7 and entity in MOVES:
            name, parent = MOVES[entity]
            value: JsonValue = pick(device.known(parent) or [None], a // 7)
        else:
            name, choices = pick(list(EDITS[entity].items()), a // 3)
            value = pick(choices, b // 5)
        device.emit(OpKind.SET, entity, record_id, name, value,
                    device.heads(entity, record_id, name))  # fmt: skip
    elif action == 8:
        for other in others:  # people resolve conflicts that sync showed them
            device.receive(list(other.held.values()))
        conflicts = device.conflicts()
        if conflicts:
            entity, record_id, name = pick(conflicts, a)
            choices = EDITS.get(entity, {}).get(name) or [None]
            device.emit(OpKind.RESOLVE, entity, record_id, name, pick(choices, b),
                        device.heads(entity, record_id, name))  # fmt: skip
    elif action in (9, 10):
        entity = pick(sorted(EDITS), a)
        records = device.known(entity)
        if records:
            kind, value = (OpKind.DELETE, False) if action == 9 else (OpKind.UNDELETE, True)
            device.emit(kind, entity, pick(records, b), value=value)
    elif action in (11, 12):
        left, right = device.known("agreement"), device.known("use_case")
        if left and right:
            pair = link_id(pick(left, a), pick(right, b))
            kind, value = (OpKind.LINK, True) if action == 11 else (OpKind.UNLINK, False)
            device.emit(kind, "agreement_use_case", pair, value=value)
    else:
        source = pick(others, a)
        ops = sorted(source.held.values(), key=lambda op: op.op_id)
        random.Random(b).shuffle(ops)  # a sync may deliver any order
        device.receive(ops)


def simulate(
    engines: Sequence[Engine], skews: Sequence[int], steps: Sequence[Step]
) -> tuple[list[Device], list[Operation]]:
    sim = Simulation()

    def wall(skew: int) -> Callable[[], int]:
        return lambda: sim.now + skew

    devices = [
        Device(f"dev-{chr(ord('a') + i)}", engine, HybridClock(now_ms=wall(skew)))
        for i, (engine, skew) in enumerate(zip(engines, skews, strict=False))
    ]
    for step in steps:
        sim.now += step[4]  # often 0: several operations in the same millisecond
        device = devices[step[1] % len(devices)]
        act(device, [d for d in devices if d is not device], step)
    every = {op.op_id: op for d in devices for op in d.held.values()}
    return devices, sorted(every.values(), key=lambda op: op.op_id)


def apply_in_batches(engine: Engine, batches: Sequence[Sequence[Operation]]) -> dict[str, Any]:
    for batch in batches:
        with Session(engine) as session, session.begin():
            apply_operations(session, batch)
    with Session(engine) as session:
        return canonical_state(session)


def random_batches(ops: Sequence[Operation], rnd: random.Random) -> list[list[Operation]]:
    shuffled = list(ops)
    rnd.shuffle(shuffled)
    if len(shuffled) < 2:
        return [shuffled]
    cuts = sorted(rnd.sample(range(1, len(shuffled)), k=min(len(shuffled) - 1, rnd.randint(0, 8))))
    return [shuffled[i:j] for i, j in zip([0, *cuts], [*cuts, len(shuffled)], strict=True)]


steps_strategy = st.lists(
    st.tuples(
        st.integers(0, 14),  # what to do (13, 14: sync from another device)
        st.integers(0, 3),  # which device
        st.integers(0, 1000),
        st.integers(0, 1000),
        st.sampled_from([0, 0, 1, 2, 50, 5000]),  # how far the wall clock moves first
    ),
    min_size=1,
    max_size=60,
)
skews_strategy = st.lists(st.integers(-120_000, 120_000), min_size=2, max_size=4)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(skews=skews_strategy, steps=steps_strategy, rnd=st.randoms(use_true_random=False))
def test_replicas_converge_whatever_the_order_and_batching(
    memory_databases: Any, skews: list[int], steps: list[Step], rnd: random.Random
) -> None:
    engines = [memory_databases.fresh(slot) for slot in range(len(skews))]
    devices, every = simulate(engines, skews, steps)

    expected = apply_in_batches(memory_databases.fresh(4), [sorted(every, key=Operation.sort_key)])
    assert expected["op_ids"] == sorted(op.op_id for op in every)
    for slot in (5, 6):
        got = apply_in_batches(memory_databases.fresh(slot), random_batches(every, rnd))
        assert got == expected
    one_at_a_time = [[op] for op in sorted(every, key=Operation.sort_key, reverse=True)]
    assert apply_in_batches(memory_databases.fresh(7), one_at_a_time) == expected

    # Each device, once it has everything, agrees too (it built its state incrementally).
    for device in devices:
        device.receive(every)
        with Session(device.engine) as session:
            assert canonical_state(session) == expected


def test_the_simulation_produces_what_the_property_needs(memory_databases: Any) -> None:
    """Guard against a generator that silently stopped making conflicts, revivals or links."""
    seen: set[str] = set()
    for seed in range(30):
        rnd = random.Random(seed)
        steps = [(rnd.randint(0, 14), rnd.randint(0, 3), rnd.randint(0, 1000),
                  rnd.randint(0, 1000), rnd.choice([0, 1, 5000])) for _ in range(45)]  # fmt: skip
        engines = [memory_databases.fresh(slot) for slot in range(3)]
        _, every = simulate(engines, [0, 60_000, -60_000], steps)
        state = apply_in_batches(memory_databases.fresh(4), [every])
        seen.update(op.kind.value for op in every)
        if state["conflicts"]:
            seen.add("conflict")
        if any(r["deleted_hlc"] and r["kind"] in ("set", "resolve") for r in state["records"]):
            seen.add("revived")
    kinds = {k.value for k in OpKind}
    assert seen >= kinds | {"conflict", "revived"}


def test_a_real_register_converges_with_a_replay(
    core_register: Register, memory_databases: Any
) -> None:
    """One example on SQLCipher: the operations arrive by sync in random batches."""
    rnd = random.Random(20260401)
    steps = [(rnd.randint(0, 14), rnd.randint(0, 2), rnd.randint(0, 1000),
              rnd.randint(0, 1000), rnd.choice([0, 1, 5000])) for _ in range(80)]  # fmt: skip
    engines = [memory_databases.fresh(slot) for slot in range(3)]
    _, every = simulate(engines, [0, 90_000, -30_000], steps)
    for batch in random_batches(every, rnd):
        core_register.apply_remote(batch)
    with core_register.session() as session:
        state = canonical_state(session)
    assert state["op_ids"] == sorted(op.op_id for op in every)
    assert any(row["review_date"] for row in state["tables"]["agreement"])
    assert state == replay_into_memory(every)
