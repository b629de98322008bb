"""The key file: the register's raw database key and this device's private keys, wrapped.

Layout (all integers big-endian)::

    magic (8) | header length (4) | header JSON | sealed length (4) | sealed | SHA-256 (32)

The payload is sealed with AES-256-GCM under Argon2id(passphrase), with magic and header as
associated data. The trailing SHA-256 is unkeyed and covers everything before it, so the three
failures are told apart exactly: no magic → not a key file; checksum wrong → damaged; checksum
right but the seal does not open → wrong passphrase.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

from app.errors import (
    DamagedKeyFileError,
    NotAKeyFileError,
    WeakPassphraseError,
    WrongPassphraseError,
)
from app.files import write_atomically

MAGIC = b"ISRKEY\x00\x01"
DIGEST_BYTES = 32
MIN_PASSPHRASE = 12
MAX_HEADER_SCAN = 512  # the JSON header is about 200 bytes


@dataclass(frozen=True)
class KdfParams:
    """Argon2id cost; the defaults are the floor the design sets."""

    memory_kib: int = 65536
    iterations: int = 3
    lanes: int = 4


@dataclass(frozen=True)
class KeyMaterial:
    """What the key file protects."""

    register_id: str
    db_key: bytes
    device_id: str
    sign_private: bytes  # Ed25519 raw private key
    box_private: bytes  # X25519 raw private key
    extra: dict[str, str] = field(default_factory=dict)  # e.g. sync epoch keys, base64


def check_passphrase(passphrase: str) -> None:
    """Raise `WeakPassphraseError` with the rule that was broken."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise WeakPassphraseError(
            f"The passphrase must be at least {MIN_PASSPHRASE} characters long "
            f"(this one has {len(passphrase)}). A few unrelated words make a strong one."
        )
    if not passphrase.strip():
        raise WeakPassphraseError("The passphrase cannot be only spaces.")


def new_key_material(register_id: str, device_id: str) -> KeyMaterial:
    from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
    )

    def raw(key: ed25519.Ed25519PrivateKey | x25519.X25519PrivateKey) -> bytes:
        return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())

    return KeyMaterial(
        register_id=register_id,
        db_key=os.urandom(32),
        device_id=device_id,
        sign_private=raw(ed25519.Ed25519PrivateKey.generate()),
        box_private=raw(x25519.X25519PrivateKey.generate()),
    )


def derive_wrapping_key(passphrase: str, salt: bytes, params: KdfParams) -> bytes:
    kdf = Argon2id(
        salt=salt,
        length=32,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return kdf.derive(passphrase.encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _payload(material: KeyMaterial) -> bytes:
    return json.dumps(
        {
            "register_id": material.register_id,
            "db_key": _b64(material.db_key),
            "device_id": material.device_id,
            "sign_private": _b64(material.sign_private),
            "box_private": _b64(material.box_private),
            "extra": material.extra,
        },
        sort_keys=True,
    ).encode("utf-8")


def _material(payload: bytes) -> KeyMaterial:
    data: dict[str, Any] = json.loads(payload)
    return KeyMaterial(
        register_id=data["register_id"],
        db_key=_unb64(data["db_key"]),
        device_id=data["device_id"],
        sign_private=_unb64(data["sign_private"]),
        box_private=_unb64(data["box_private"]),
        extra=dict(data.get("extra", {})),
    )


def seal(material: KeyMaterial, wrapping_key: bytes, salt: bytes, params: KdfParams) -> bytes:
    """The bytes of a key file holding `material` under `wrapping_key`."""
    nonce = os.urandom(12)
    header = json.dumps(
        {
            "format": 1,
            "kdf": "argon2id",
            "memory_kib": params.memory_kib,
            "iterations": params.iterations,
            "lanes": params.lanes,
            "salt": _b64(salt),
            "nonce": _b64(nonce),
        },
        sort_keys=True,
    ).encode("utf-8")
    sealed = AESGCM(wrapping_key).encrypt(nonce, _payload(material), MAGIC + header)
    body = MAGIC + struct.pack(">I", len(header)) + header + struct.pack(">I", len(sealed)) + sealed
    return body + hashlib.sha256(body).digest()


@dataclass(frozen=True)
class KeyFileHeader:
    """The readable part of a key file, after its checksum was verified."""

    params: KdfParams
    salt: bytes
    nonce: bytes
    aad: bytes
    sealed: bytes


def _looks_like_a_key_file(data: bytes) -> bool:
    """Tell a key file with damaged magic bytes (or cut short) from some other file."""
    if not data:
        return False
    start = data[: len(MAGIC)]
    differing = sum(a != b for a, b in zip(start, MAGIC, strict=False))
    if differing <= 2:
        return True
    return b'"kdf": "argon2id"' in data[: len(MAGIC) + 4 + MAX_HEADER_SCAN]


def parse(data: bytes, path: object = "the key file") -> KeyFileHeader:
    """Check magic and checksum and split the file; raises the not-a-key-file or damaged error."""
    if not data.startswith(MAGIC):
        # A flipped bit in the magic is damage to a key file, not a different file.
        if _looks_like_a_key_file(data):
            raise DamagedKeyFileError(path)
        raise NotAKeyFileError(path)
    body, digest = data[:-DIGEST_BYTES], data[-DIGEST_BYTES:]
    if len(data) < len(MAGIC) + 8 + DIGEST_BYTES or hashlib.sha256(body).digest() != digest:
        raise DamagedKeyFileError(path)
    try:
        (header_len,) = struct.unpack_from(">I", body, len(MAGIC))
        header_end = len(MAGIC) + 4 + header_len
        header_bytes = body[len(MAGIC) + 4 : header_end]
        (sealed_len,) = struct.unpack_from(">I", body, header_end)
        sealed = body[header_end + 4 :]
        if len(sealed) != sealed_len:
            raise ValueError("length mismatch")
        header = json.loads(header_bytes)
        params = KdfParams(header["memory_kib"], header["iterations"], header["lanes"])
        return KeyFileHeader(
            params, _unb64(header["salt"]), _unb64(header["nonce"]), MAGIC + header_bytes, sealed
        )
    except (ValueError, KeyError, TypeError, struct.error) as exc:
        # The checksum matched, so this file was written wrong, not damaged in storage.
        raise DamagedKeyFileError(path) from exc


def open_sealed(header: KeyFileHeader, wrapping_key: bytes) -> KeyMaterial:
    try:
        payload = AESGCM(wrapping_key).decrypt(header.nonce, header.sealed, header.aad)
    except InvalidTag:
        raise WrongPassphraseError() from None
    return _material(payload)


@dataclass(frozen=True)
class UnlockedKey:
    """Key material together with the wrapping key that opened it (for "remember me")."""

    material: KeyMaterial
    wrapping_key: bytes


def read_key_file(path: Path, passphrase: str) -> UnlockedKey:
    header = read_header(path)
    wrapping_key = derive_wrapping_key(passphrase, header.salt, header.params)
    return UnlockedKey(open_sealed(header, wrapping_key), wrapping_key)


def read_key_file_with_wrapping_key(path: Path, wrapping_key: bytes) -> KeyMaterial:
    return open_sealed(read_header(path), wrapping_key)


def read_header(path: Path) -> KeyFileHeader:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotAKeyFileError(path) from None
    return parse(data, path)


def write_key_file(
    path: Path, material: KeyMaterial, passphrase: str, params: KdfParams | None = None
) -> bytes:
    """Write the key file atomically; returns the wrapping key it used."""
    check_passphrase(passphrase)
    params = params or KdfParams()
    salt = os.urandom(16)
    wrapping_key = derive_wrapping_key(passphrase, salt, params)
    write_atomically(path, seal(material, wrapping_key, salt, params))
    return wrapping_key


def rewrap(path: Path, old_passphrase: str, new_passphrase: str) -> None:
    """Change the passphrase: the database key is unchanged, only its wrapping is renewed."""
    check_passphrase(new_passphrase)
    unlocked = read_key_file(path, old_passphrase)
    write_key_file(path, unlocked.material, new_passphrase, read_header(path).params)


def update_material(path: Path, wrapping_key: bytes, material: KeyMaterial) -> None:
    """Rewrite the key file with new material under the same passphrase (same salt)."""
    header = read_header(path)
    open_sealed(header, wrapping_key)  # proves the caller holds the right key
    write_atomically(path, seal(material, wrapping_key, header.salt, header.params))


def with_extra(material: KeyMaterial, **extra: str) -> KeyMaterial:
    return replace(material, extra={**material.extra, **extra})
