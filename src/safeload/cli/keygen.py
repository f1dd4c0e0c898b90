"""``safeload keygen``: create a key pair, or an HMAC secret."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import safeload
from safeload.cli._common import EXIT_OK, command, emit, json_arg
from safeload.cli._keys import passphrase

if TYPE_CHECKING:
    from safeload.cli._common import Sub


def add(sub: Sub) -> None:
    from safeload.signing.keys import ALGORITHMS

    kg = command(
        sub,
        "keygen",
        "create an Ed25519 or ECDSA key pair (or an HMAC secret)",
        "Create NAME.key (private, mode 0600: never commit it) and NAME.pub (give it to "
        "verifiers), or with --hmac one shared secret NAME.hmac. Existing files are never "
        "overwritten.",
        [
            "safeload keygen release --dir keys",
            "RELEASE_PASS=... safeload keygen release --dir keys --passphrase-env RELEASE_PASS",
            "safeload keygen cache --dir keys --hmac",
            "safeload keygen signer --dir keys --type ecdsa-p256",
        ],
    )
    kg.add_argument("name", help="base name: writes NAME.key and NAME.pub (or NAME.hmac)")
    kg.add_argument("--dir", default=".", help="directory for the key files (default: .)")
    kg.add_argument("--hmac", action="store_true", help="create an HMAC-SHA256 secret instead")
    kg.add_argument(
        "--type",
        dest="key_type",
        choices=ALGORITHMS,
        default="ed25519",
        help="key type (default ed25519; model_signing bundles need an ecdsa-* key)",
    )
    json_arg(kg)
    kg.add_argument(
        "--passphrase-env",
        metavar="VAR",
        help="encrypt the private key with the passphrase in $VAR",
    )
    kg.add_argument(
        "--prompt-passphrase",
        action="store_true",
        help="encrypt the private key with a passphrase read from the terminal",
    )


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from safeload.signing.ecdsa import load_public_key
    from safeload.signing.hmac_key import HMACKey

    if args.hmac:
        path = Path(args.dir) / f"{args.name}.hmac"
        Path(args.dir).mkdir(parents=True, exist_ok=True)
        key = HMACKey.generate()
        key.save(path)
        if args.json:
            emit(out, {"algorithm": key.algorithm, "secret": str(path), "keyid": key.keyid})
            return EXIT_OK
        print(f"wrote {path} (HMAC secret, mode 0600, key id {key.keyid[:16]}…)", file=out)
        print("Keep it secret; share it only inside one trust domain.", file=out)
        return EXIT_OK
    priv, pub = safeload.generate_keypair(
        args.dir, args.name, password=passphrase(args, confirm=True), type=args.key_type
    )
    keyid = load_public_key(pub).keyid
    if args.json:
        emit(
            out,
            {"algorithm": args.key_type, "private": str(priv), "public": str(pub), "keyid": keyid},
        )
        return EXIT_OK
    print(f"wrote {priv} (private, mode 0600: never commit it)", file=out)
    print(f"wrote {pub} (public, key id {keyid[:16]}…: give this to verifiers)", file=out)
    return EXIT_OK
