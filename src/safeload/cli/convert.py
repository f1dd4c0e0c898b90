"""``safeload convert``: re-save a pickle or joblib file as a signed skops file."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

import safeload
from safeload.cli._common import (
    EXIT_OK,
    command,
    emit,
    json_arg,
    parse_expires,
    profile_arg,
    release_args,
    signer_args,
    trust_arg,
)
from safeload.cli._keys import load_signer
from safeload.exceptions import UsageError

if TYPE_CHECKING:
    from safeload.cli._common import Sub
    from safeload.signing.keyring import Keyring


def add(sub: Sub) -> None:
    cv = command(
        sub,
        "convert",
        "re-save a pickle/joblib file as signed skops",
        "Load SRC through the restricted reader (verifying its signature with "
        "--src-pub/--src-keyring, if given) and write it as DST.skops with a fresh signature. "
        "With --check, nothing is written unless the converted model predicts identically.",
        [
            "safeload convert model.joblib model.skops --key keys/team.key --src-pub "
            "keys/release.pub",
            "safeload convert model.pkl model.skops --key keys/team.key --check probe.npy "
            "--name churn --model-version 1.4.0",
        ],
    )
    cv.add_argument("src", metavar="SRC", help="the pickle or joblib file to convert")
    cv.add_argument("dst", metavar="DST.skops", help="where to write the signed skops file")
    signer_args(cv)
    src_keys = cv.add_mutually_exclusive_group()
    src_keys.add_argument(
        "--src-pub",
        action="append",
        metavar="PATH",
        help="SRC must be signed by this public key (repeatable)",
    )
    src_keys.add_argument("--src-keyring", metavar="DIR", help="SRC must be signed by a key in DIR")
    trust_arg(cv)
    profile_arg(cv)
    cv.add_argument(
        "--check",
        metavar="X.npy",
        help="probe input: the converted model must predict identically on it",
    )
    release_args(cv, "the new signature")
    json_arg(cv)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from safeload.signing.ecdsa import load_public_key
    from safeload.signing.keyring import Keyring

    signer = load_signer(args)
    expires = parse_expires(args.expires) if args.expires else None
    keys: Keyring | None = None
    if args.src_pub:
        keys = Keyring([load_public_key(p) for p in args.src_pub])
    elif args.src_keyring:
        keys = Keyring.from_dir(args.src_keyring)
    check = None
    if args.check:
        import numpy as np

        try:
            check = np.load(args.check, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise UsageError(f"--check: cannot read {args.check} as a .npy array: {exc}") from exc
    sig = safeload.convert(
        args.src,
        args.dst,
        signer,
        keys=keys,
        trusted=args.trust,
        profiles=args.profiles,
        check=check,
        version=args.model_version,
        name=args.model_name,
        expires=expires,
    )
    if args.json:
        emit(
            out,
            {
                "ok": True,
                "source": args.src,
                "source_verified": keys is not None,
                "output": args.dst,
                "sidecar": str(sig),
                "predictions_checked": check is not None,
            },
        )
        return EXIT_OK
    how = "verified" if keys is not None else "UNSIGNED source, allowlist applied"
    checked = ", predictions checked" if check is not None else ""
    print(f"converted {args.src} ({how}) -> {args.dst} + {sig}{checked}", file=out)
    return EXIT_OK
