"""The keys a command signs or verifies with, from its options; passphrases from a prompt or an
environment variable, never from an argument."""

from __future__ import annotations

import argparse
import getpass
import os
from pathlib import Path
from typing import TYPE_CHECKING

from safeload.exceptions import UsageError

if TYPE_CHECKING:  # the signing stack is imported where it is used (issue 18)
    from safeload.signing.keyring import Keyring
    from safeload.signing.keys import Signer, Verifier


def passphrase(args: argparse.Namespace, *, confirm: bool = False) -> str | None:
    if getattr(args, "passphrase_env", None):
        value = os.environ.get(args.passphrase_env)
        if value is None:
            raise UsageError(f"environment variable {args.passphrase_env} is not set")
        return value
    if getattr(args, "prompt_passphrase", False):
        try:
            first = getpass.getpass("Passphrase: ")
            if confirm and getpass.getpass("Again: ") != first:
                raise UsageError("the passphrases differ")
        except EOFError:
            raise UsageError(
                "--prompt-passphrase needs a terminal to read the passphrase from, and there "
                "is none (a script, CI or a pipe?); use --passphrase-env VAR instead"
            ) from None
        return first
    return None


#: The environment variable the CLI reads a PKCS#11 token's PIN from.
PKCS11_PIN_ENV = "SAFELOAD_PKCS11_PIN"


def load_signer(args: argparse.Namespace) -> Signer:
    from safeload.signing.ecdsa import load_signing_key
    from safeload.signing.hmac_key import HMACKey

    if args.key and args.key.startswith("pkcs11:"):
        from safeload.signing.pkcs11 import PKCS11Signer

        pin = os.environ.get(PKCS11_PIN_ENV)
        return PKCS11Signer.from_uri(args.key, pin=pin)
    if args.key:
        return load_signing_key(args.key, passphrase(args))
    if args.hmac_key_file:
        return HMACKey.from_file(args.hmac_key_file)
    return HMACKey.from_env(args.hmac_env)


def load_keyring(args: argparse.Namespace) -> Keyring:
    from safeload.signing.ecdsa import load_public_key
    from safeload.signing.hmac_key import HMACKey
    from safeload.signing.keyring import Keyring

    threshold = 1 if args.threshold is None else args.threshold
    if args.keyring:
        if Path(args.keyring).is_file() and _is_pem_file(Path(args.keyring)):
            raise UsageError(
                f"--keyring {args.keyring} is one public key, not a keyring: use --pub "
                f"{args.keyring} (repeatable), or --keyring with a folder of *.pub files or a "
                "JSON keyring file"
            )
        if Path(args.keyring).is_file():
            if args.threshold is not None:
                # Two sources for one trust setting: refuse rather than silently pick one.
                raise UsageError(
                    f"--threshold conflicts with the keyring file {args.keyring}, which sets "
                    "its own threshold; change it there, or drop --threshold"
                )
            return Keyring.from_file(args.keyring)
        return Keyring.from_dir(args.keyring, threshold=threshold)
    keys: list[Verifier]
    if args.pub:
        keys = [load_public_key(p) for p in args.pub]
    elif args.hmac_key_file:
        keys = [HMACKey.from_file(args.hmac_key_file)]
    else:
        keys = [HMACKey.from_env(args.hmac_env)]
    return Keyring(keys, threshold=threshold)


def _is_pem_file(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(64).lstrip().startswith(b"-----BEGIN")
    except OSError:
        return False  # reading it as a keyring reports the error
