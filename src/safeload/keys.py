"""Keys and keyrings, by their first address: they live in :mod:`safeload.signing` now.

:mod:`safeload.signing.keys` (the Signer and Verifier protocols, Ed25519 keys, key pairs),
:mod:`safeload.signing.hmac_key` (HMAC-SHA256 keys) and :mod:`safeload.signing.keyring`
(keyrings). ``from safeload.keys import X`` keeps working for every name that was here.
"""

from __future__ import annotations

from safeload.signing.hmac_key import MIN_HMAC_SECRET as MIN_HMAC_SECRET
from safeload.signing.hmac_key import HMACKey
from safeload.signing.keyring import Keyring, KeysLike, as_keyring
from safeload.signing.keys import (
    ALGORITHMS,
    Signer,
    SigningKey,
    Verifier,
    VerifyKey,
    generate_keypair,
)
from safeload.signing.keys import PrivateKeyFile as PrivateKeyFile

__all__ = [
    "ALGORITHMS",
    "HMACKey",
    "Keyring",
    "KeysLike",
    "Signer",
    "SigningKey",
    "Verifier",
    "VerifyKey",
    "as_keyring",
    "generate_keypair",
]
