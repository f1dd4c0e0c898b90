"""``safeload sign``: write a signature for model files or folders, or add an approval to one."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import safeload
from safeload.api import SIGNATURE_FORMATS
from safeload.cli._common import (
    EXIT_OK,
    command,
    emit,
    json_arg,
    parse_expires,
    release_args,
    signer_args,
)
from safeload.cli._keys import load_keyring, load_signer
from safeload.cli._paths import model_relative
from safeload.exceptions import MissingSignatureError, UsageError

if TYPE_CHECKING:
    from safeload.cli._common import Sub
    from safeload.signing.keyring import Keyring


def add(sub: Sub) -> None:
    sg = command(
        sub,
        "sign",
        "write FILE.sig (or DIR.sig for a folder)",
        "Sign existing model files: FILE.sig beside each FILE, or one DIR.sig listing every "
        "file of a folder. With --append, add an approval to an existing signature instead.",
        [
            "safeload sign model.joblib --key keys/release.key --name churn --model-version 1.4.0",
            "safeload sign dist/churn-model --key keys/release.key --expires 2027-06-01",
            "safeload sign dist/churn-model --key keys/approver.key --append "
            "--pub keys/release.pub",
        ],
    )
    sg.add_argument("files", nargs="+", metavar="FILE|DIR", help="model files or folders to sign")
    signer_args(sg)
    release_args(sg, "the signature")
    sg.add_argument(
        "--append",
        action="store_true",
        help="add this signature to the existing FILE.sig (approvals); needs --pub or "
        "--keyring: the FILE.sig must already verify under a key you trust",
    )
    sg.add_argument(
        "--pub",
        action="append",
        metavar="PATH",
        help="--append: a public key you trust (repeatable); the signature you approve must be "
        "valid under one of them",
    )
    sg.add_argument(
        "--keyring",
        metavar="DIR|FILE.json",
        help="--append: trust every *.pub in DIR, or the keys of a JSON keyring file",
    )
    sg.set_defaults(threshold=None)
    sg.add_argument(
        "--format",
        choices=("pickle", "joblib", "skops"),
        help="record this format (default: from the content and extension)",
    )
    json_arg(sg)
    sg.add_argument(
        "--signature-format",
        choices=SIGNATURE_FORMATS,
        default="safeload",
        help="safeload's sidecar (default) or an OpenSSF model_signing bundle",
    )
    sg.add_argument(
        "--signature", metavar="OUT", help="model-signing: where to write it (default FILE.sig)"
    )
    sg.add_argument(
        "--ignore-paths",
        action="append",
        default=[],
        metavar="P",
        help="model-signing: leave this path of the folder out (repeatable)",
    )
    sg.add_argument("--cert", metavar="PEM", help="model-signing: signing certificate (leaf)")
    sg.add_argument(
        "--chain",
        action="append",
        default=[],
        metavar="PEM",
        help="model-signing: intermediate certificates (repeatable)",
    )


def _read_pem(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"{what}: cannot read {path}: {exc.strerror}") from exc


def approving_keys(args: argparse.Namespace) -> Keyring | None:
    """The keys an approval (``--append``) trusts: ``--pub`` or ``--keyring``, required with
    ``--append`` and refused without it (rt51-05)."""
    if not args.append:
        if args.pub or args.keyring:
            raise UsageError("--pub and --keyring are for --append (an approval) only")
        return None
    if not args.pub and not args.keyring:
        raise UsageError(
            "--append needs --pub PUBLISHER.pub (repeatable) or --keyring: an approval is added "
            "only to a signature that verifies under a key you trust"
        )
    if args.pub and args.keyring:
        raise UsageError("give --pub or --keyring, not both")
    return load_keyring(args)


def approved(sig: Path) -> dict[str, Any]:
    """What the approval signed, for the approver to see: the statement in ``sig`` as
    written (its name, version, expiry and digest, or its number of files)."""
    from safeload.sidecar import DIRECTORY, format_time

    _, statement = safeload.inspect_sidecar(sig)
    pred = statement.predicate
    shown: dict[str, Any] = {
        "name": pred.name or "-",
        "version": pred.version or "-",
        "expires": format_time(pred.expires) if pred.expires else "never",
    }
    if pred.format == DIRECTORY:
        shown["files"] = len(statement.subjects)
    else:
        shown["sha256"] = statement.subject.sha256
    return shown


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    bundle = args.signature_format == "model-signing"
    if not bundle and (args.signature or args.ignore_paths or args.cert or args.chain):
        raise UsageError(
            "--signature, --ignore-paths, --cert and --chain need --signature-format model-signing"
        )
    if args.chain and not args.cert:
        raise UsageError("--chain needs --cert (the signing certificate)")
    if args.signature and len(args.files) > 1:
        raise UsageError("--signature names one output: sign one model at a time")
    trusted = approving_keys(args)
    signer = load_signer(args)
    expires = parse_expires(args.expires) if args.expires else None
    extra: dict[str, Any] = {}
    signed = []
    for f in args.files:
        if bundle:
            extra = {
                "signature_format": "model-signing",
                "signature": args.signature,
                "ignore_paths": model_relative(f, args.ignore_paths),
                "certificate": _read_pem(args.cert, "--cert") if args.cert else None,
                "chain": b"".join(_read_pem(c, "--chain") for c in args.chain),
            }
        try:
            sig = safeload.sign(
                f,
                signer,
                append=args.append,
                keys=trusted,
                format=args.format,
                version=args.model_version,
                expires=expires,
                name=args.model_name,
                **extra,
            )
        except MissingSignatureError as exc:
            if not args.append:  # pragma: no cover - only an append reads a sidecar
                raise
            raise UsageError(
                f"{f} has no signature to add to ({Path(f).name}.sig not found): --append adds "
                f"an approval to an existing signature; sign {f} without --append first"
            ) from exc
        entry: dict[str, Any] = {"file": f, "sidecar": str(sig), "keyid": signer.keyid}
        if args.append:
            entry["approved"] = approved(sig)
        signed.append(entry)
        if not args.json:
            if args.append:
                shown = ", ".join(f"{k} {v}" for k, v in entry["approved"].items())
                print(f"approved the statement in {sig}: {shown}", file=out)
            real = os.path.realpath(f)
            if Path(f).is_dir() and real != os.path.abspath(f):
                # the real folder is signed: its DIR.sig is what loads of its files check
                print(f"{f} is a link to the folder {real}: signing that folder", file=out)
            print(f"signed {f} -> {sig} (key id {signer.keyid[:16]}…)", file=out)
    if args.json:
        emit(out, {"ok": True, "signed": signed})
    return EXIT_OK
