"""``safeload verify``: check model files against their signatures; deserializes nothing."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import safeload
from safeload.api import SIGNATURE_FORMATS
from safeload.cli._common import (
    EXIT_FAIL,
    EXIT_OK,
    EXIT_USAGE,
    command,
    emit,
    json_arg,
    verifier_args,
)
from safeload.cli._keys import load_keyring
from safeload.cli._paths import expand, model_relative
from safeload.exceptions import (
    ArtifactNotFoundError,
    MalformedArtifactError,
    SignatureError,
    UsageError,
)

if TYPE_CHECKING:
    from safeload.cli._common import Sub
    from safeload.signing.keyring import Keyring
    from safeload.signing.modelsig import CertificateAuthority


def add(sub: Sub) -> None:
    vf = command(
        sub,
        "verify",
        "check FILE against FILE.sig; deserializes nothing",
        "Check each FILE against its signature with the keys you trust. Nothing is "
        "deserialized. A signed folder (DIR.sig beside DIR) is checked as a whole; a plain "
        "folder stands for every model file under it. FILE.sig stands for FILE.",
        [
            "safeload verify model.joblib --pub keys/release.pub",
            "safeload verify dist/churn-model --keyring keys/ --threshold 2",
            "safeload verify dist/churn-model --pub keys/release.pub --state deploy/trust.json",
            "safeload verify --jobs 4 models/ --keyring ring.json --json",
        ],
    )
    vf.add_argument(
        "files", nargs="+", metavar="FILE|DIR", help="model files, signed folders or folders"
    )
    vf.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="verify N files in parallel (not with --state)",
    )
    verifier_args(vf)
    vf.add_argument(
        "--allow-symlinks",
        action="store_true",
        help="accept symlinks inside a signed folder",
    )
    vf.add_argument(
        "--allow-rename",
        action="store_true",
        help="accept a file whose name differs from the signed name",
    )
    json_arg(vf)
    vf.add_argument(
        "--signature",
        metavar="FILE",
        help="signature file: safeload sidecar or model_signing bundle (default FILE.sig)",
    )
    vf.add_argument(
        "--model-root",
        metavar="DIR",
        help="verify FILE as a file of the signed folder DIR (signature default DIR.sig; "
        "e.g. model_signing's DIR/model.sig with --signature)",
    )
    vf.add_argument(
        "--signature-format",
        choices=SIGNATURE_FORMATS,
        help="refuse a signature file in the other format (a model_signing bundle has no "
        "expiry or version)",
    )
    vf.add_argument(
        "--ignore-paths",
        action="append",
        default=[],
        metavar="P",
        help="model_signing bundles: also leave this path of the folder out (repeatable)",
    )
    for flag in ("--identity", "--issuer", "--trust-config"):
        vf.add_argument(flag, help="keyless Sigstore: not supported yet")
    vf.add_argument(
        "--state",
        metavar="PATH",
        help="trust-state file: refuse versions older than ones already accepted",
    )


def _artifacts(files: list[str]) -> list[str]:
    """``X.sig`` stands for ``X`` (what is verified is the file it signs, e.g. when pre-commit
    passes a changed sidecar); duplicates are verified once."""
    seen: dict[str, None] = {}
    for f in files:
        if f.endswith(".sig") and not Path(f + ".sig").exists():
            f = f[: -len(".sig")]
        seen.setdefault(f, None)
    return list(seen)


def _verify_one(
    f: str,
    ring: Keyring | None,
    args: argparse.Namespace,
    state: safeload.TrustState | None,
    ca: CertificateAuthority | None = None,
) -> dict[str, Any]:
    try:
        st = safeload.verify(
            f,
            ring,
            allow_rename=args.allow_rename,
            state=state,
            allow_symlinks=args.allow_symlinks,
            signature=args.signature,
            ignore_paths=(
                model_relative(args.model_root or f, args.ignore_paths) if args.ignore_paths else ()
            ),
            ca=ca,
            model_root=args.model_root,
            signature_format=args.signature_format,
        )
    except SignatureError as exc:
        return {"file": f, "ok": False, "error": str(exc), "error_type": type(exc).__name__}
    except (ArtifactNotFoundError, MalformedArtifactError, OSError) as exc:
        # One file that cannot be read does not hide the results for the others.
        return {
            "file": f,
            "ok": False,
            "unreadable": True,
            "error": str(exc),
            "error_type": type(exc).__name__,
        }
    return {"file": f, "ok": True, "statement": st.to_dict()}


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from safeload.signing.modelsig import CertificateAuthority

    if args.jobs < 1:
        raise UsageError(f"--jobs {args.jobs}: give a number of parallel checks, 1 or more")
    if args.jobs > 1 and args.state:
        # Versions are accepted into the state one at a time, in order: not in parallel.
        raise UsageError("--jobs and --state cannot be combined; drop --jobs to use --state")
    if args.identity or args.issuer or args.trust_config:
        raise UsageError(
            "keyless Sigstore verification (--identity/--issuer/--trust-config) is not supported "
            "yet; verify key-mode bundles with --pub, or certificate-mode ones with --ca"
        )
    if args.ca and args.threshold is not None and args.threshold != 1:
        # certificate mode checks one signer's bundle: a threshold would silently not apply
        # (rt43-03: --threshold 2 beside --ca passed a file one certificate signed)
        raise UsageError(
            f"--threshold {args.threshold} cannot apply to --ca: a model_signing certificate "
            "bundle carries one signature; use --keyring with --threshold for several signers"
        )
    ca = CertificateAuthority.from_file(args.ca) if args.ca else None
    ring = None if ca is not None else load_keyring(args)
    state = safeload.TrustState(args.state) if args.state else None
    if args.signature or args.ignore_paths or args.model_root:
        if len(args.files) != 1:
            raise UsageError(
                "--signature, --ignore-paths and --model-root apply to one model at a time"
            )
        files = list(args.files)
    else:
        files = expand(_artifacts(args.files))
    if not files:
        raise UsageError("no model files to verify")
    if args.jobs > 1 and state is None:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=args.jobs) as pool:  # hashing releases the GIL
            results = list(pool.map(lambda f: _verify_one(f, ring, args, None, ca), files))
    else:
        results = [_verify_one(f, ring, args, state, ca) for f in files]
    failed = [r for r in results if not r["ok"]]
    unreadable = [r for r in failed if r.get("unreadable")]
    if args.json:
        emit(
            out,
            {
                "ok": not failed,
                "verified": len(results) - len(failed),
                "failed": len(failed),
                "results": results,
            },
        )
    else:
        _print_results(results, out, err)
    if failed and len(unreadable) == len(failed):
        return EXIT_USAGE  # only unreadable files: an I/O error, not a failed verification
    return EXIT_FAIL if failed else EXIT_OK


def _print_results(results: list[dict[str, Any]], out: TextIO, err: TextIO) -> None:
    """The text report: a line for each file (a failure on ``err``), then a count."""
    from safeload.signing.bundle import PREDICATE_TYPE as MODEL_SIGNING_PREDICATE

    for r in results:
        if r["ok"] and r["statement"]["predicateType"] == MODEL_SIGNING_PREDICATE:
            p = r["statement"]["predicate"]
            count = len(r["statement"]["subject"])
            signer = p["environment"].get("certificate")
            by = f", signed by certificate {signer}" if signer else ""
            print(
                f"OK {r['file']}: model_signing bundle, {count} file(s), {p['size']} bytes{by}",
                file=out,
            )
        elif r["ok"]:
            p = r["statement"]["predicate"]
            extra = f", version {p['version']}" if "version" in p else ""
            print(
                f"OK {r['file']}: {p['format']}, {p['size']} bytes, signed {p['created']}{extra}",
                file=out,
            )
        else:
            print(f"FAILED {r['file']}: {r['error']}", file=err)
    failed = sum(1 for r in results if not r["ok"])
    if len(results) > 1:
        print(f"{len(results) - failed} verified, {failed} failed", file=out)
