"""The shared folder's format: exact file names, signed documents and encrypted segments.

Names (relative, ``/``-separated; nothing else in the folder is ever read)::

    REGISTER.json                                   signed identity of the shared register
    requests/<device>.req                           a request to join, self-signed
    devices/<device>/device.pub                     the device's public keys, self-signed
    devices/<device>/seg/<seq:010>.seg              an encrypted, signed, hash-chained segment
    devices/<device>/head.json                      the device's latest seq and hash (mutable)
    devices/<admin>/roster/<epoch:06>               signed membership list of a key epoch
    devices/<admin>/keyslot/<epoch:06>/<device>.slot   an epoch key sealed to a device

A signed document is canonical JSON ``{"body": {…}, "kind": "…", "sig": "…"}`` and must be
byte for byte its own canonical encoding. A segment is binary::

    magic (8) | header len (4) | header JSON | ciphertext len (4) | ciphertext | signature (64)

with the magic and header as the AEAD's associated data and the signature over all before it.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from app.oplog import (
    EXISTENCE_KINDS,
    EXISTS,
    LINK_SEPARATOR,
    Operation,
    OpKind,
    decode_value,
    encode_value,
    field_names,
    model_for,
)
from app.sync import crypto
from app.sync.errors import DamagedError
from db.models import LinkRecord

FORMAT = 1
REGISTER_FILE = "REGISTER.json"
SEGMENT_MAGIC = b"ISRSEG\x01\n"
MAX_DOCUMENT = 4 * 1024 * 1024
MAX_SEGMENT = 256 * 1024 * 1024
ZERO_HASH = "0" * 64
COMPRESSION_LEVEL = 1  # zlib: the fastest level; operations as JSON still shrink several-fold

DEVICE_PATTERN = r"[0-9a-f]{8,32}"
DEVICE_RE = re.compile(DEVICE_PATTERN)
SEGMENT_RE = re.compile(r"[0-9]{10}\.seg")
ROSTER_RE = re.compile(r"[0-9]{6}")
SLOT_RE = re.compile(rf"({DEVICE_PATTERN})\.slot")
REQUEST_RE = re.compile(rf"({DEVICE_PATTERN})\.req")
HASH_RE = re.compile(r"[0-9a-f]{64}")

Json = dict[str, Any]


# ---------------------------------------------------------------------------------- names


def check_device(device: str) -> str:
    if not DEVICE_RE.fullmatch(device):
        raise ValueError(f"not a device id: {device!r}")
    return device


def device_dir(device: str) -> str:
    return f"devices/{check_device(device)}"


def device_pub_name(device: str) -> str:
    return f"{device_dir(device)}/device.pub"


def head_name(device: str) -> str:
    return f"{device_dir(device)}/head.json"


def segment_dir(device: str) -> str:
    return f"{device_dir(device)}/seg"


def segment_name(device: str, seq: int) -> str:
    if not 1 <= seq < 10**10:
        raise ValueError(f"segment number out of range: {seq}")
    return f"{segment_dir(device)}/{seq:010d}.seg"


def roster_dir(admin: str) -> str:
    return f"{device_dir(admin)}/roster"


def roster_name(admin: str, epoch: int) -> str:
    if not 1 <= epoch < 10**6:
        raise ValueError(f"epoch out of range: {epoch}")
    return f"{roster_dir(admin)}/{epoch:06d}"


def keyslot_dir(admin: str, epoch: int) -> str:
    return f"{device_dir(admin)}/keyslot/{epoch:06d}"


def keyslot_name(admin: str, epoch: int, device: str) -> str:
    return f"{keyslot_dir(admin, epoch)}/{check_device(device)}.slot"


def request_name(device: str) -> str:
    return f"requests/{check_device(device)}.req"


def segment_seq(file_name: str) -> int | None:
    """The number of a segment file name of the exact grammar, else None."""
    return int(file_name[:10]) if SEGMENT_RE.fullmatch(file_name) else None


def request_device(file_name: str) -> str | None:
    match = REQUEST_RE.fullmatch(file_name)
    return match.group(1) if match else None


# ------------------------------------------------------------------------ signed documents


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _signed_bytes(kind: str, body: Json) -> bytes:
    return b"isr-signed|" + kind.encode() + b"|" + canonical(body)


def encode_document(kind: str, body: Json, sign_private: bytes) -> bytes:
    signature = crypto.sign(sign_private, _signed_bytes(kind, body))
    return canonical({"body": body, "kind": kind, "sig": crypto.b64(signature)})


@dataclass(frozen=True)
class Document:
    """A signed document, parsed but not yet verified."""

    kind: str
    body: Json
    signature: bytes
    digest: str  # SHA-256 of the file's bytes

    def verify(self, sign_public: bytes) -> None:
        """Raise `crypto.CryptoError` unless `sign_public` signed this document."""
        crypto.verify(sign_public, self.signature, _signed_bytes(self.kind, self.body))


def parse_document(data: bytes, kind: str, name: str) -> Document:
    """Parse a signed document of the expected kind; raise `DamagedError` if malformed."""
    try:
        if len(data) > MAX_DOCUMENT:
            raise ValueError("too large")
        doc = json.loads(data.decode("ascii"))
        if not isinstance(doc, dict) or set(doc) != {"body", "kind", "sig"}:
            raise ValueError("not a signed document")
        if doc["kind"] != kind or not isinstance(doc["body"], dict):
            raise ValueError("wrong kind")
        signature = crypto.unb64(doc["sig"])
        if len(signature) != crypto.SIGNATURE_BYTES or canonical(doc) != data:
            raise ValueError("not canonical")
    except (ValueError, UnicodeDecodeError, TypeError) as exc:
        raise DamagedError(f"the {kind} file is damaged or not in the expected form",
                           name=name) from exc  # fmt: skip
    return Document(kind, doc["body"], signature, crypto.sha256_hex(data))


def field(body: Json, key: str, kind: type, name: str) -> Any:
    """One field of a document body, of the expected type; else `DamagedError`."""
    value = body.get(key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise DamagedError(f"its field {key!r} is missing or malformed", name=name)
    return value


def key_field(body: Json, key: str, name: str, size: int = 32) -> bytes:
    try:
        value = crypto.unb64(body.get(key))
    except ValueError:
        value = b""
    if len(value) != size:
        raise DamagedError(f"its key {key!r} is malformed", name=name)
    return value


# --------------------------------------------------------------------------------- segments


@dataclass(frozen=True)
class SegmentFile:
    """A segment's parts, parsed but not yet verified."""

    header: Json
    aad: bytes
    signed: bytes
    ciphertext: bytes
    signature: bytes
    digest: str

    @property
    def seq(self) -> int:
        return int(self.header["seq"])

    @property
    def epoch(self) -> int:
        return int(self.header["epoch"])

    @property
    def prev(self) -> str:
        return str(self.header["prev"])


SEGMENT_HEADER_KEYS = {
    "format": int, "register_id": str, "device": str, "seq": int, "epoch": int, "prev": str,
    "salt": str, "nonce": str, "count": int,
}  # fmt: skip


def encode_segment(
    *,
    register_id: str,
    device: str,
    seq: int,
    epoch: int,
    epoch_key: bytes,
    prev: str,
    ops: list[Operation],
    sign_private: bytes,
) -> bytes:
    salt = crypto.new_key()[: crypto.SALT_BYTES]
    nonce = crypto.new_key()[: crypto.NONCE_BYTES]
    header = canonical({
        "format": FORMAT, "register_id": register_id, "device": device, "seq": seq,
        "epoch": epoch, "prev": prev, "salt": crypto.b64(salt), "nonce": crypto.b64(nonce),
        "count": len(ops),
    })  # fmt: skip
    aad = SEGMENT_MAGIC + struct.pack(">I", len(header)) + header
    payload = json.dumps([op.to_json() for op in ops], ensure_ascii=False, separators=(",", ":"))
    plaintext = zlib.compress(payload.encode("utf-8"), COMPRESSION_LEVEL)
    key = crypto.segment_key(epoch_key, salt, register_id, device, seq)
    ciphertext = crypto.encrypt(key, nonce, plaintext, aad)
    signed = aad + struct.pack(">I", len(ciphertext)) + ciphertext
    return signed + crypto.sign(sign_private, signed)


def parse_segment(data: bytes, name: str) -> SegmentFile:
    """Split a segment into its parts; raise `DamagedError` if its structure is wrong."""
    try:
        if len(data) > MAX_SEGMENT or not data.startswith(SEGMENT_MAGIC):
            raise ValueError("no magic")
        (header_len,) = struct.unpack_from(">I", data, len(SEGMENT_MAGIC))
        header_end = len(SEGMENT_MAGIC) + 4 + header_len
        header_bytes = data[len(SEGMENT_MAGIC) + 4 : header_end]
        (ct_len,) = struct.unpack_from(">I", data, header_end)
        ct_end = header_end + 4 + ct_len
        if len(data) != ct_end + crypto.SIGNATURE_BYTES:
            raise ValueError("wrong length")
        header = json.loads(header_bytes.decode("ascii"))
        if not isinstance(header, dict) or canonical(header) != header_bytes:
            raise ValueError("header not canonical")
        if set(header) != set(SEGMENT_HEADER_KEYS):
            raise ValueError("header keys")
        for key, kind in SEGMENT_HEADER_KEYS.items():
            if not isinstance(header[key], kind) or isinstance(header[key], bool):
                raise ValueError(f"header {key}")
        if header["format"] != FORMAT or not HASH_RE.fullmatch(header["prev"]):
            raise ValueError("header values")
    except (ValueError, struct.error, UnicodeDecodeError) as exc:
        raise DamagedError("a segment is cut short or malformed", name=name) from exc
    return SegmentFile(
        header=header,
        aad=data[:header_end],
        signed=data[:ct_end],
        ciphertext=data[header_end + 4 : ct_end],
        signature=data[ct_end:],
        digest=crypto.sha256_hex(data),
    )


def open_segment(segment: SegmentFile, epoch_key: bytes, name: str) -> list[Operation]:
    """Decrypt a verified segment's operations; raise `DamagedError` if they do not open."""
    header = segment.header
    try:
        salt = crypto.unb64(header["salt"])
        nonce = crypto.unb64(header["nonce"])
        key = crypto.segment_key(
            epoch_key, salt, header["register_id"], header["device"], header["seq"]
        )
        plaintext = crypto.decrypt(key, nonce, segment.ciphertext, segment.aad)
        raw = json.loads(zlib.decompress(plaintext).decode("utf-8"))
        if not isinstance(raw, list) or len(raw) != header["count"]:
            raise ValueError("operation count")
        ops = [Operation.from_json(item) for item in raw]
    except (crypto.CryptoError, ValueError, KeyError, TypeError, zlib.error) as exc:
        raise DamagedError("a segment does not decrypt", name=name) from exc
    for op in ops:
        try:
            check_operation(op)
        except (ValueError, TypeError, AttributeError) as exc:
            raise DamagedError(f"a segment carries an operation this register cannot apply "
                               f"({exc})", name=name) from exc  # fmt: skip
    return ops


def check_operation(op: Operation) -> None:
    """Raise ValueError or TypeError unless `op` is one this register's log can apply.

    A segment from a member is signed and sealed, but its content is still input: an unknown
    kind of record, an unknown field or a value of the wrong type is refused before applying.
    """
    if issubclass(model_for(op.entity), LinkRecord) and LINK_SEPARATOR not in op.record_id:
        raise ValueError(f"a link id without its two ends: {op.record_id!r}")
    if op.kind == OpKind.CREATE:
        if op.field != EXISTS or not isinstance(op.value, dict):
            raise ValueError("a create without its values")
        for name, value in op.value.items():
            _check_value(op.entity, name, value)
    elif op.kind in EXISTENCE_KINDS:
        if op.field != EXISTS or not isinstance(op.value, bool):
            raise ValueError(f"a {op.kind} with a field or value")
    else:
        _check_value(op.entity, op.field, op.value)


def _check_value(entity: str, name: str, value: Any) -> None:
    if name not in field_names(entity):
        raise ValueError(f"{entity} has no field {name!r}")
    if value is not None and encode_value(entity, name, decode_value(entity, name, value)) != value:
        raise ValueError(f"{entity}.{name} holds a value not in its canonical form")
