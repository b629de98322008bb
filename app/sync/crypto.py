"""The cryptography of the shared folder: per-segment keys, sealing, signatures, fingerprints.

* a segment is sealed with AES-256-GCM under HKDF-SHA256(epoch key, salt, info) where the info
  binds the register, the device and the segment number, so no two segments share a key;
* every shared file is signed with its writer's Ed25519 key;
* an epoch key is sealed to a device with X25519 (an ephemeral key pair), HKDF and AES-256-GCM.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16
SIGNATURE_BYTES = 64
FINGERPRINT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread by phone


class CryptoError(Exception):
    """A seal did not open or a signature did not verify (the caller raises the typed alarm)."""


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def hkdf(key: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(key)


def segment_key(epoch_key: bytes, salt: bytes, register_id: str, device: str, seq: int) -> bytes:
    info = f"isr-segment|{register_id}|{device}|{seq}".encode()
    return hkdf(epoch_key, salt, info)


def key_check(epoch_key: bytes, register_id: str, epoch: int) -> str:
    """A value that shows whether a key is the epoch's key, and reveals nothing of it."""
    message = f"isr-key-check|{register_id}|{epoch}".encode()
    return hmac.new(epoch_key, message, hashlib.sha256).hexdigest()


def encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    return AESGCM(key).encrypt(nonce, plaintext, aad)


def decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except (InvalidTag, ValueError) as exc:
        raise CryptoError("the seal does not open") from exc


# ---------------------------------------------------------------------------- signatures


def sign_public(sign_private: bytes) -> bytes:
    key = ed25519.Ed25519PrivateKey.from_private_bytes(sign_private)
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def box_public(box_private: bytes) -> bytes:
    key = x25519.X25519PrivateKey.from_private_bytes(box_private)
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign(sign_private: bytes, data: bytes) -> bytes:
    return ed25519.Ed25519PrivateKey.from_private_bytes(sign_private).sign(data)


def verify(public: bytes, signature: bytes, data: bytes) -> None:
    try:
        ed25519.Ed25519PublicKey.from_public_bytes(public).verify(signature, data)
    except (InvalidSignature, ValueError) as exc:
        raise CryptoError("the signature does not verify") from exc


# ----------------------------------------------------------------------------- sealing


def _box_key(shared: bytes, ephemeral: bytes, recipient: bytes, context: bytes) -> bytes:
    return hkdf(shared, ephemeral + recipient, b"isr-keyslot|" + context)


def seal_to(recipient_box_public: bytes, payload: bytes, context: bytes) -> tuple[bytes, bytes]:
    """Seal `payload` so that only the holder of the recipient's X25519 key opens it.

    Returns (ephemeral public key, nonce + ciphertext). `context` is bound in as associated data.
    """
    ephemeral = x25519.X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = ephemeral.exchange(x25519.X25519PublicKey.from_public_bytes(recipient_box_public))
    key = _box_key(shared, ephemeral_public, recipient_box_public, context)
    nonce = os.urandom(NONCE_BYTES)
    return ephemeral_public, nonce + encrypt(key, nonce, payload, context)


def open_sealed(
    box_private: bytes, ephemeral_public: bytes, sealed: bytes, context: bytes
) -> bytes:
    try:
        private = x25519.X25519PrivateKey.from_private_bytes(box_private)
        shared = private.exchange(x25519.X25519PublicKey.from_public_bytes(ephemeral_public))
    except ValueError as exc:
        raise CryptoError("the key slot is malformed") from exc
    key = _box_key(shared, ephemeral_public, box_public(box_private), context)
    return decrypt(key, sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context)


def fingerprint(sign_pub: bytes, box_pub: bytes) -> str:
    """A short fingerprint of a device's public keys, easy to read out on the phone."""
    digest = hashlib.sha256(b"isr-device|" + sign_pub + box_pub).digest()
    number = int.from_bytes(digest[:10], "big")  # 80 bits: 16 characters of 5 bits
    chars = []
    for _ in range(16):
        number, index = divmod(number, 32)
        chars.append(FINGERPRINT_ALPHABET[index])
    text = "".join(chars)
    return "-".join(text[i : i + 4] for i in range(0, 16, 4))
