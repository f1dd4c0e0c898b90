"""``safeload pubkey``: write the public key of a private key."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from safeload.cli._common import EXIT_OK, command, emit, json_arg, passphrase_args
from safeload.cli._keys import passphrase
from safeload.exceptions import KeyFormatError, UsageError

if TYPE_CHECKING:
    from safeload.cli._common import Sub


def add(sub: Sub) -> None:
    pk = command(
        sub,
        "pubkey",
        "write the .pub of a private .key (e.g. when the .pub was lost)",
        "Derive the public key from an Ed25519 private key and write it as PEM: beside the "
        "key as NAME.pub by default. Never overwrites a different file.",
        [
            "safeload pubkey keys/release.key                 # writes keys/release.pub",
            "safeload pubkey keys/release.key --out -         # prints the PEM",
        ],
    )
    pk.add_argument("key", metavar="NAME.key", help="the Ed25519 private key (PKCS#8 PEM)")
    pk.add_argument(
        "--out", metavar="PATH", help="where to write it (default: NAME.pub; - for stdout)"
    )
    passphrase_args(pk)
    json_arg(pk)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from safeload.signing.ecdsa import load_signing_key
    from safeload.signing.keys import VerifyKey

    key = load_signing_key(args.key, passphrase(args))
    pem = key.public_key.to_pem()
    if args.out == "-":
        out.write(pem.decode("ascii"))
        return EXIT_OK
    target = Path(args.out) if args.out else Path(args.key).with_suffix(".pub")
    if target.exists():
        try:
            same = VerifyKey.from_file(target) == key.public_key
        except KeyFormatError:
            same = False
        if not same:
            raise UsageError(
                f"{target} already exists and is not this key's public key; refusing to "
                "overwrite it. Move it away, or pass --out PATH"
            )
    else:
        key.public_key.save(target)
    if args.json:
        emit(out, {"ok": True, "public": str(target), "keyid": key.keyid})
    else:
        print(
            f"wrote {target} (public, key id {key.keyid[:16]}…: give this to verifiers)", file=out
        )
    return EXIT_OK
