"""Shared-folder sync figures: sync_pull and sync_idle.

`sync_pull`: a member syncs after another device published 10,000 operations (a realistic mix:
agreements and data items created with their text, then edited), timed from the start of the
round to the operations applied and recorded. Baseline, same run and same files: the raw
libraries reading the segments, verifying (Ed25519), decrypting (AES-256-GCM), decompressing and
parsing them, and one Core `executemany` of the operations into a SQLCipher table.

`sync_idle`: a sync round with nothing new among 20 devices that have all published, median of
rounds. Baseline: the raw libraries reading and verifying the 20 heads and committing one row.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench.bench_io import _text
from bench.core import Result, ratio_result

if TYPE_CHECKING:  # annotations only: at run time each function imports what it uses
    from app.keys import KdfParams
    from app.register import Changes, Register

PASSPHRASE = "benchmark passphrase 2026"
PULL_OPS = 10_000
AGREEMENTS = 500
ITEMS_PER_AGREEMENT = 3
SPEC = ("source", "extract_mechanism", "destination", "frequency", "data_fields", "purpose",
        "safeguards")  # fmt: skip
IDLE_DEVICES = 20
IDLE_ROUNDS = 15


def _log(text: str) -> None:
    print(f"  sync bench: {text}", file=sys.stderr, flush=True)


def _kdf() -> KdfParams:
    from app.keys import KdfParams

    return KdfParams(memory_kib=8192, iterations=1, lanes=1)


def _pair(folder: Path) -> tuple[Register, Register]:
    """A shared register and a second, approved member; both synced."""
    from app import sync
    from app.register import Register

    writer = Register.create(folder / "writer", PASSPHRASE, name="Bench", author="Writer",
                             kdf=_kdf())  # fmt: skip
    sync.share(writer, folder / "share", name="Writer, laptop")
    joined = sync.join(folder / "share", folder / "reader", PASSPHRASE, "Reader, laptop",
                       author="Reader", kdf=_kdf())  # fmt: skip
    sync.approve(writer, joined.device)
    sync.sync(writer)
    sync.sync(joined.register)
    return writer, joined.register


def _write_history(register: Register, total: int, seed: int = 2026) -> int:
    """Agreements with data items (creates), then edits of their text, `total` operations."""
    rng = random.Random(seed)
    items: list[str] = []
    agreements: list[str] = []

    def create(changes: Changes) -> None:
        for n in range(AGREEMENTS):
            start = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 2000))
            agreement = changes.create("agreement", {
                "reference": f"ISA-{n:05d}", "title": _text(rng, 20, 60),
                "category": rng.choice(["personal", "aggregated"]), "status": "active",
                "summary": _text(rng, 80, 300), "start_date": start,
                "review_date": start + dt.timedelta(days=365),
                "protective_marking": "OFFICIAL",
            })  # fmt: skip
            agreements.append(agreement)
            for position in range(1, ITEMS_PER_AGREEMENT + 1):
                items.append(changes.create("data_item", {
                    "agreement_id": agreement, "position": position,
                    "title": _text(rng, 10, 40),
                    **{key: _text(rng, 50, 400) for key in SPEC},
                }))  # fmt: skip

    register.write("Bench: agreements and data items", create)
    made = AGREEMENTS * (1 + ITEMS_PER_AGREEMENT)
    edits = total - made
    for start in range(0, edits, 50):  # edits saved 50 at a time, as a busy day of work

        def edit(changes: Changes, count: int = min(50, edits - start)) -> None:
            for _ in range(count):
                if rng.random() < 0.8:
                    changes.set("data_item", rng.choice(items), rng.choice(SPEC),
                                _text(rng, 50, 400))  # fmt: skip
                else:
                    changes.set("agreement", rng.choice(agreements), "summary",
                                _text(rng, 80, 300))  # fmt: skip

        register.write("Bench: edits", edit)
    return made + edits


def _segment_files(share: Path, device: str) -> list[Path]:
    return sorted((share / "devices" / device / "seg").glob("*.seg"))


def _raw_pull_seconds(files: list[Path], sign_pub: bytes, epoch_key: bytes, folder: Path) -> float:
    """The raw libraries doing the reading, checking and storing a pull needs, no more."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from sqlalchemy import Column, Integer, MetaData, String, Table, Text, insert

    from app.sync import crypto
    from app.sync import format as fmt
    from db.engine import open_engine

    engine = open_engine(folder / "raw-pull.db", secrets.token_bytes(32))
    meta = MetaData()
    table = Table("op", meta, Column("seq", Integer, primary_key=True),
                  Column("op_id", String(36), unique=True),
                  *(Column(c, Text) for c in ("batch_id", "hlc", "device", "author", "kind",
                                              "entity", "record_id", "field", "value",
                                              "bases")))  # fmt: skip
    meta.create_all(engine)
    public = Ed25519PublicKey.from_public_bytes(sign_pub)
    start = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for path in files:
        data = path.read_bytes()
        segment = fmt.parse_segment(data, path.name)
        public.verify(segment.signature, segment.signed)
        header = segment.header
        salt = crypto.unb64(header["salt"])
        key = crypto.segment_key(epoch_key, salt, header["register_id"], header["device"],
                                 header["seq"])  # fmt: skip
        plain = AESGCM(key).decrypt(crypto.unb64(header["nonce"]), segment.ciphertext,
                                    segment.aad)  # fmt: skip
        for op in json.loads(zlib.decompress(plain)):
            rows.append({k: (v if isinstance(v, str) else json.dumps(v)) for k, v in op.items()})
    with engine.begin() as connection:
        connection.execute(insert(table), rows)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed


def _time_calls(target: object, method: str) -> list[float]:
    """Time every call of `target.method` from now on; returns the (growing) list of seconds."""
    inner = getattr(target, method)
    seconds: list[float] = []

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            seconds.append(time.perf_counter() - start)

    setattr(target, method, timed)
    return seconds


def _sync_pull(folder: Path) -> Result:
    from app import sync
    from app.sync import membership as ms
    from app.sync import state as st

    writer, reader = _pair(folder)
    try:
        started = time.perf_counter()
        count = _write_history(writer, PULL_OPS)
        report = sync.sync(writer)
        assert report.published == count, report
        _log(f"wrote and published {count} operations in {time.perf_counter() - started:.1f} s")
        files = _segment_files(folder / "share", writer.device_id)
        key = st.epoch_key(reader, st.load(writer).epoch)
        assert key is not None
        baseline = _raw_pull_seconds(files, ms.own_keys(writer).sign_pub, key, folder)

        applying = _time_calls(reader, "apply_remote")
        start = time.perf_counter()
        report = sync.sync(reader)
        elapsed = time.perf_counter() - start
        assert report.ok and report.applied == count, report
        _log(f"pull {elapsed:.2f} s: applying to the register (Register.apply_remote) "
             f"{sum(applying):.2f} s, the sync round itself (reading, verifying, decrypting, "
             f"checking, bookkeeping) {elapsed - sum(applying):.2f} s")  # fmt: skip
    finally:
        writer.close()
        reader.close()
    return ratio_result("sync_pull", elapsed, baseline, "s", max_ratio=float("inf"),
                        max_value=3.0)  # fmt: skip


def _group(folder: Path, size: int) -> list[Register]:
    """`size` devices sharing one register, each having published a little."""
    from app import sync
    from app.register import Register

    admin = Register.create(folder / "dev00", PASSPHRASE, name="Bench", author="Admin",
                            kdf=_kdf())  # fmt: skip
    sync.share(admin, folder / "share", name="Admin, laptop")
    devices = [admin]
    for n in range(1, size):
        joined = sync.join(folder / "share", folder / f"dev{n:02d}", PASSPHRASE, f"Device {n}",
                           author=f"Officer {n}", kdf=_kdf())  # fmt: skip
        sync.approve(admin, joined.device)
        devices.append(joined.register)
    for n, device in enumerate(devices):

        def create(changes: Changes, n: int = n) -> str:
            return changes.create("agreement", {
                "reference": f"ISA-IDLE-{n:02d}", "title": f"Agreement of device {n}"})  # fmt: skip

        device.write("Bench", create)
    for _ in range(2):
        for device in devices:
            sync.sync(device)
    return devices


def _raw_idle_seconds(share: Path, keys: dict[str, bytes], folder: Path) -> float:
    """Reading and verifying every head, and committing one row: the floor of an idle round."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from sqlalchemy import text

    from app.sync import format as fmt
    from db.engine import open_engine

    engine = open_engine(folder / "raw-idle.db", secrets.token_bytes(32))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)"))
        connection.execute(text("INSERT INTO meta VALUES ('last_sync', '')"))

    def round_() -> None:
        for device, public in keys.items():
            name = fmt.head_name(device)
            doc = fmt.parse_document((share / name).read_bytes(), "head", name)
            Ed25519PublicKey.from_public_bytes(public).verify(
                doc.signature, b"isr-signed|head|" + fmt.canonical(doc.body)
            )
        with engine.begin() as connection:
            connection.execute(text("UPDATE meta SET value = :v WHERE key = 'last_sync'"),
                               {"v": dt.datetime.now(dt.UTC).isoformat()})  # fmt: skip

    elapsed = _median(round_, IDLE_ROUNDS)
    engine.dispose()
    return elapsed


def _median(fn: Callable[[], object], repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def _sync_idle(folder: Path) -> Result:
    from app import sync
    from app.sync import membership as ms

    started = time.perf_counter()
    devices = _group(folder, IDLE_DEVICES)
    _log(f"{IDLE_DEVICES} devices set up in {time.perf_counter() - started:.1f} s")
    try:
        measured = devices[IDLE_DEVICES // 2]  # a plain member, not the admin

        def idle_round() -> None:
            report = sync.sync(measured)
            assert report.ok and report.received == 0 and report.published == 0, report

        keys = {d.device_id: ms.own_keys(d).sign_pub for d in devices}
        baseline = _raw_idle_seconds(folder / "share", keys, folder)
        elapsed = _median(idle_round, IDLE_ROUNDS)
    finally:
        for device in devices:
            device.close()
    return ratio_result("sync_idle", elapsed * 1000, baseline * 1000, "ms",
                        max_ratio=float("inf"), max_value=150.0)  # fmt: skip


def run(wanted: set[str]) -> Iterator[Result]:
    def want(name: str) -> bool:
        return not wanted or name in wanted

    with tempfile.TemporaryDirectory(prefix="isr-bench-sync-") as tmp:
        if want("sync_pull"):
            os.mkdir(Path(tmp) / "pull")
            yield _sync_pull(Path(tmp) / "pull")
        if want("sync_idle"):
            os.mkdir(Path(tmp) / "idle")
            yield _sync_idle(Path(tmp) / "idle")
