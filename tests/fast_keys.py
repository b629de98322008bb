"""The test passphrase, and key derivation cheap enough to open many registers in a test run.

Qt-free: the db and app tests import it as well as the desktop ones. The Argon2id cost is the
key file's business (tested in tests/app/test_keys.py); elsewhere it would only slow the suite.
"""

from __future__ import annotations

from app.keys import KdfParams

PASSPHRASE = "correct horse battery staple"
FAST_KDF = KdfParams(memory_kib=8, iterations=1, lanes=1)  # Argon2id's least
