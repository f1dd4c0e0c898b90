"""The ``safeload`` command line. Uses only the public API.

Exit codes: 0 ok, 1 verification failed or unsafe content, 2 usage or I/O error.
Passphrases come from a prompt or an environment variable, never from an argument.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import logging
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import safeload
from safeload import _progress
from safeload.api import SIGNATURE_FORMATS
from safeload.cli._common import (
    EXIT_FAIL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    HelpFormatter,
    command,
    emit,
    escaping,
    json_arg,
    parse_expires,
    passphrase_args,
    profile_arg,
    release_args,
    signer_args,
    trust_arg,
    verifier_args,
)
from safeload.cli._keys import load_keyring, load_signer, passphrase
from safeload.cli._paths import expand, model_files, model_relative
from safeload.exceptions import (
    ArtifactNotFoundError,
    KeyFormatError,
    LimitExceededError,
    MalformedArtifactError,
    MissingSignatureError,
    SafeloadError,
    SignatureError,
    UntrustedTypeError,
    UsageError,
)
from safeload.policy import name_runs_code, never_trustable
from safeload.scan import Finding, GlobalRef, ScanReport

if TYPE_CHECKING:
    from safeload.cli._common import Sub
    from safeload.keys import Keyring
    from safeload.signing.modelsig import CertificateAuthority

__all__ = ["main"]


def _static_pass_build() -> str:
    """Whether setup.py compiled the static pass on this install (see README, Performance)."""
    from importlib.machinery import EXTENSION_SUFFIXES

    path = str(getattr(sys.modules.get("safeload.scan"), "__file__", "") or "")
    return "compiled with mypyc" if path.endswith(tuple(EXTENSION_SUFFIXES)) else "pure Python"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="safeload",
        description="Sign, verify, scan and inspect machine-learning model files.",
        epilog="Exit codes: 0 ok, 1 verification failed or unsafe content, 2 usage or I/O "
        "error, 130 interrupted.\n`safeload COMMAND --help` shows each command's options and "
        "examples.",
        formatter_class=HelpFormatter,
    )
    talk = p.add_mutually_exclusive_group()
    talk.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only errors and warnings (and --json output); the exit code says the rest",
    )
    talk.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="also log what safeload does (-vv: in detail), on stderr",
    )
    p.add_argument(
        "--version",
        action="version",
        version=f"safeload {safeload.__version__} (static pass: {_static_pass_build()})",
    )
    sub = p.add_subparsers(dest="command", required=True)
    for add in (
        _add_keygen,
        _add_sign,
        _add_verify,
        _add_inspect,
        _add_convert,
        _add_scan,
        _add_profiles,
        _add_pubkey,
    ):
        add(sub)
    return p


def _add_keygen(sub: Sub) -> None:
    from safeload.keys import ALGORITHMS

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


def _add_sign(sub: Sub) -> None:
    sg = command(
        sub,
        "sign",
        "write FILE.sig (or DIR.sig for a folder)",
        "Sign existing model files: FILE.sig beside each FILE, or one DIR.sig listing every "
        "file of a folder. With --append, add an approval to an existing signature instead.",
        [
            "safeload sign model.joblib --key keys/release.key --name churn --model-version 1.4.0",
            "safeload sign dist/churn-model --key keys/release.key --expires 2027-06-01",
            "safeload sign dist/churn-model --key keys/approver.key --append",
        ],
    )
    sg.add_argument("files", nargs="+", metavar="FILE|DIR", help="model files or folders to sign")
    signer_args(sg)
    release_args(sg, "the signature")
    sg.add_argument(
        "--append",
        action="store_true",
        help="add this signature to the existing FILE.sig (approvals)",
    )
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


def _add_verify(sub: Sub) -> None:
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


def _add_inspect(sub: Sub) -> None:
    ins = command(
        sub,
        "inspect",
        "show what a .sig file or model_signing bundle claims (verifies nothing)",
        "Show what a signature file claims: file names and digests, format, version, expiry, "
        "the libraries recorded, and which key ids signed. NOTHING is verified; use `safeload "
        "verify` for that. Given FILE rather than FILE.sig, it shows FILE.sig.",
        ["safeload inspect model.joblib.sig", "safeload inspect dist/churn-model.sig --json"],
    )
    ins.add_argument("sidecar", metavar="FILE.sig", help="the signature file to show")
    json_arg(ins)


def _add_convert(sub: Sub) -> None:
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


def _add_scan(sub: Sub) -> None:
    sc = command(
        sub,
        "scan",
        "list what a pickle/joblib/skops file would import",
        "List every global a pickle, joblib or skops file refers to, which the allowlist "
        "trusts, and any construct safeload refuses, without importing or running anything. "
        "Exit 1 if any file is unsafe, 2 if a file cannot be read.",
        [
            "safeload scan third_party.pkl",
            "safeload scan model.joblib --trust mypkg.features.MyTransformer --json",
            "safeload scan models/*.pkl --sarif > scan.sarif",
            "safeload scan --jobs 2 models/",
        ],
    )
    sc.add_argument(
        "files",
        nargs="+",
        metavar="FILE|DIR",
        help="files to scan; a folder stands for every model file under it",
    )
    sc.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="scan N files at a time, in N worker processes",
    )
    trust_arg(sc)
    profile_arg(sc)
    sc.add_argument(
        "--format",
        choices=("pickle", "joblib", "skops"),
        help="read every FILE as this format (default: from the content and extension)",
    )
    out = sc.add_mutually_exclusive_group()
    json_arg(out)
    out.add_argument("--sarif", action="store_true", help="SARIF 2.1.0 output")


def _add_profiles(sub: Sub) -> None:
    pf = command(
        sub,
        "profiles",
        "list the opt-in trust profiles and what each trusts",
        "List each opt-in trust profile (--profile NAME on scan and convert, profiles=[...] "
        "in the API): the library versions it was reviewed against and the installed one, "
        "what trusting it rests on, every name it trusts with the reason, and what it leaves "
        "out and why.",
        ["safeload profiles", "safeload profiles xgboost --json"],
    )
    pf.add_argument("names", nargs="*", metavar="NAME", help="only these profiles")
    json_arg(pf)


def _add_pubkey(sub: Sub) -> None:
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


def _cmd_keygen(args: argparse.Namespace, out: TextIO) -> int:
    from safeload.keys import HMACKey
    from safeload.signing.ecdsa import load_public_key

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


def _read_pem(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageError(f"{what}: cannot read {path}: {exc.strerror}") from exc


def _cmd_sign(args: argparse.Namespace, out: TextIO) -> int:
    bundle = args.signature_format == "model-signing"
    if not bundle and (args.signature or args.ignore_paths or args.cert or args.chain):
        raise UsageError(
            "--signature, --ignore-paths, --cert and --chain need --signature-format model-signing"
        )
    if args.chain and not args.cert:
        raise UsageError("--chain needs --cert (the signing certificate)")
    if args.signature and len(args.files) > 1:
        raise UsageError("--signature names one output: sign one model at a time")
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
        signed.append({"file": f, "sidecar": str(sig), "keyid": signer.keyid})
        if not args.json:
            print(f"signed {f} -> {sig} (key id {signer.keyid[:16]}…)", file=out)
    if args.json:
        emit(out, {"ok": True, "signed": signed})
    return EXIT_OK


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


def _cmd_verify(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from safeload.signing.bundle import PREDICATE_TYPE as MODEL_SIGNING_PREDICATE
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
        json.dump(
            {
                "ok": not failed,
                "verified": len(results) - len(failed),
                "failed": len(failed),
                "results": results,
            },
            out,
            indent=2,
        )
        out.write("\n")
    else:
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
                    f"OK {r['file']}: {p['format']}, {p['size']} bytes, signed "
                    f"{p['created']}{extra}",
                    file=out,
                )
            else:
                print(f"FAILED {r['file']}: {r['error']}", file=err)
        if len(results) > 1:
            print(f"{len(results) - len(failed)} verified, {len(failed)} failed", file=out)
    if failed and len(unreadable) == len(failed):
        return EXIT_USAGE  # only unreadable files: an I/O error, not a failed verification
    return EXIT_FAIL if failed else EXIT_OK


def _sidecar_to_inspect(given: str, err: TextIO) -> str:
    """``inspect FILE`` for ``inspect FILE.sig``: the model itself is never a signature file."""
    if given.endswith(".sig"):
        return given
    sig = given + ".sig"
    if Path(sig).is_file():
        print(f"safeload: {given} is not a signature file; showing {sig}", file=err)
        return sig
    if Path(given).exists() and not _looks_like_sidecar(Path(given)):
        raise UsageError(
            f"{given} is not a signature file and there is no {Path(sig).name} beside it: "
            "`safeload inspect` shows a .sig file (sign the file first with `safeload sign`)"
        )
    return given


def _looks_like_sidecar(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(1).lstrip()[:1] == b"{" or path.is_dir()
    except OSError:
        return path.is_dir()


def _inspect_bundle(args: argparse.Namespace, data: bytes, out: TextIO) -> int:
    """``inspect`` of a model_signing bundle: what it claims, verified by nothing."""
    from safeload.signing.bundle import parse_bundle, parse_manifest

    bundle = parse_bundle(data, source=args.sidecar)
    manifest = parse_manifest(bundle.payload, source=args.sidecar)
    mode = "certificate" if bundle.certificates else "key"
    if args.json:
        doc = {
            "verified": False,
            "format": "model_signing",
            "mode": mode,
            "hint": bundle.hint,
            "certificates": len(bundle.certificates),
            "signatures": len(bundle.signatures),
            "model_name": manifest.model_name,
            "ignore_paths": list(manifest.ignore_paths),
            "resources": [{"name": r.name, "sha256": r.sha256} for r in manifest.resources],
        }
        emit(out, doc)
        return EXIT_OK
    print(
        f"{args.sidecar}  (UNVERIFIED model_signing bundle: use `safeload verify` to check it)",
        file=out,
    )
    print(f"  mode:     {mode}, {len(bundle.signatures)} signature(s)", file=out)
    if bundle.hint:
        print(f"  key hint: {bundle.hint}", file=out)
    print(f"  model:    {manifest.model_name}", file=out)
    for r in manifest.resources:
        print(f"  file:     {r.name}  sha256:{r.sha256}", file=out)
    print(f"  ignores:  {', '.join(manifest.ignore_paths) or '(none)'}", file=out)
    return EXIT_OK


def _cmd_inspect(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from safeload.sidecar import MAX_SIDECAR_BYTES
    from safeload.signing.bundle import is_bundle

    args.sidecar = _sidecar_to_inspect(args.sidecar, err)
    try:
        with open(args.sidecar, "rb") as fh:
            head = fh.read(MAX_SIDECAR_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"cannot read {args.sidecar}: {exc.strerror}") from exc
    if is_bundle(head):
        return _inspect_bundle(args, head, out)
    env, st = safeload.inspect_sidecar(args.sidecar)
    if args.json:
        doc = {
            "verified": False,
            "payloadType": env.payload_type,
            "signatures": [{"keyid": s.keyid} for s in env.signatures],
            "statement": st.to_dict(),
        }
        json.dump(doc, out, indent=2)
        out.write("\n")
        return EXIT_OK
    p = st.predicate
    print(
        f"{args.sidecar}  (UNVERIFIED: this shows what the file claims; use `safeload "
        "verify` to check it)",
        file=out,
    )
    if len(st.subjects) == 1:
        one = st.subject
        b3 = f"  blake3:{one.blake3}" if one.blake3 else ""
        print(f"  subject:  {one.name}  sha256:{one.sha256}{b3}", file=out)
        print(f"  format:   {p.format}, {p.size} bytes", file=out)
    else:  # a folder signature: one subject per file
        print(f"  format:   {p.format}, {len(st.subjects)} files, {p.size} bytes", file=out)
        for f in st.subjects:
            size = p.files.get(f.name)
            print(f"  file:     {f.name}  ({size} bytes)  sha256:{f.sha256}", file=out)
    print(f"  created:  {p.created:%Y-%m-%dT%H:%M:%SZ}", file=out)
    if p.expires:
        print(f"  expires:  {p.expires:%Y-%m-%dT%H:%M:%SZ}", file=out)
    if p.version:
        print(f"  version:  {p.version}", file=out)
    if p.name:
        print(f"  name:     {p.name}", file=out)
    print(
        "  built with: " + ", ".join(f"{k} {v}" for k, v in sorted(p.environment.items())), file=out
    )
    for s in env.signatures:
        print(f"  signature by key id {s.keyid or '(none)'}", file=out)
    return EXIT_OK


def _scan_one(
    f: str, trusted: list[str], profiles: list[str], fmt: str | None
) -> ScanReport | dict[str, str]:
    """Scan one file: its report, or what made it unreadable (one file that cannot be read
    does not hide the results for the others)."""
    try:
        return safeload.scan(f, trusted=trusted, profiles=profiles, format=fmt)
    except (LimitExceededError, MalformedArtifactError, ArtifactNotFoundError) as exc:
        return {"file": f, "error": type(exc).__name__, "message": str(exc)}


#: A report as plain tuples of its fields, to cross a process boundary (the compiled build's
#: frozen dataclasses do not unpickle).
_Portable = tuple[
    str, str, list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]], "int | None", int
]


def _scan_portable(
    f: str, trusted: list[str], profiles: list[str], fmt: str | None
) -> _Portable | dict[str, str]:
    """:func:`_scan_one` in a worker process: the report as plain tuples."""
    r = _scan_one(f, trusted, profiles, fmt)
    if isinstance(r, dict):
        return r
    return (
        r.source,
        r.format,
        [(g.module, g.qualname, g.offset, g.opcode, g.trusted) for g in r.globals],
        [(x.offset, x.opcode, x.message, x.limit, x.use_time) for x in r.findings],
        [(x.offset, x.opcode, x.message, x.limit, x.use_time) for x in r.notes],
        r.protocol,
        r.opcode_count,
    )


def _report(p: _Portable | dict[str, str]) -> ScanReport | dict[str, str]:
    if isinstance(p, dict):
        return p
    source, fmt, refs, findings, notes, protocol, count = p
    return ScanReport(
        source,
        fmt,
        tuple(GlobalRef(*g) for g in refs),
        tuple(Finding(*x) for x in findings),
        tuple(Finding(*x) for x in notes),
        protocol,
        count,
    )


def _scan_files(args: argparse.Namespace) -> list[ScanReport | dict[str, str]]:
    """Every file given, a folder standing for the model files under it; with ``--jobs N``,
    N worker processes scan them (the static pass is CPU-bound: threads would take turns)."""
    files: list[str] = []
    for entry in args.files:
        files += model_files(Path(entry)) if Path(entry).is_dir() else [entry]
    options: dict[str, Any] = {"trusted": args.trust, "profiles": args.profiles, "fmt": args.format}
    if args.jobs <= 1 or len(files) < 2:
        return [_scan_one(f, **options) for f in files]
    work = functools.partial(_scan_portable, **options)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    with ProcessPoolExecutor(max_workers=args.jobs, mp_context=context) as pool:
        chunk = max(1, len(files) // (4 * args.jobs))
        return [_report(p) for p in pool.map(work, files, chunksize=chunk)]


def _cmd_scan(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from safeload.sarif import to_sarif

    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    reports = []
    unreadable: list[dict[str, str]] = []
    for result in _scan_files(args):
        if isinstance(result, dict):
            unreadable.append(result)
            print(f"safeload: {result['message']}", file=err)
        else:
            reports.append(result)
    worst = EXIT_OK if all(r.safe for r in reports) else EXIT_FAIL
    if worst == EXIT_OK and unreadable:
        worst = EXIT_USAGE  # an unsafe verdict outranks an unreadable file; both are failures
    if args.sarif:
        json.dump(to_sarif(reports), out, indent=2)
        out.write("\n")
    elif args.json:
        doc: dict[str, Any] = {"ok": worst == EXIT_OK, "reports": [r.to_dict() for r in reports]}
        if unreadable:
            doc["errors"] = unreadable
        json.dump(doc, out, indent=2)
        out.write("\n")
    else:
        for r in reports:
            print(
                f"{r.verdict.upper()} {r.source} ({r.format}, {len(r.globals)} globals, "
                f"{len(r.untrusted)} untrusted)",
                file=out,
            )
            for name in r.untrusted:
                print(f"  untrusted: {name}", file=out)
            for finding in r.findings:
                print(f"  refused: {finding.message} (byte {finding.offset})", file=out)
        code = sorted({n for r in reports for n in r.untrusted if name_runs_code(n)})
        if code:
            print(
                f"A file tries to run code: it refers to {', '.join(code)}, known code-execution "
                "primitive(s) that cannot be trusted. Do not load it.",
                file=err,
            )
        elif never := never_trustable(sorted({n for r in reports for n in r.untrusted})):
            print(
                f"A file refers to {', '.join(never)}, which can never be trusted "
                "(only classes can be, and not these). Do not load it.",
                file=err,
            )
        elif worst != EXIT_OK:
            wanted = _profiles_covering(sorted({n for r in reports for n in r.untrusted}))
            hint = (
                f" The untrusted names are reviewed in the opt-in profile(s) "
                f"{', '.join(wanted)}: scan again with "
                + " ".join(f"--profile {w}" for w in wanted)
                + " if you trust files of those libraries (`safeload profiles` says what that "
                "rests on)."
                if wanted
                else ""
            )
            print(
                "Unsafe files must not be loaded. Trust a name only if you trust its code: "
                f"--trust NAME / load(..., trusted=[...]) (classes only).{hint}",
                file=err,
            )
    return worst


def _profiles_covering(names: list[str]) -> list[str]:
    """The profiles that trust every one of ``names`` (empty if any is in none)."""
    wanted: list[str] = []
    for name in names:
        found = safeload.profiles_for_name(name)
        if not found:
            return []
        if found[0] not in wanted:
            wanted.append(found[0])
    return wanted


def _cmd_profiles(args: argparse.Namespace, out: TextIO) -> int:
    known = safeload.trust_profiles()
    unknown = [n for n in args.names if n not in known]
    if unknown:
        raise UsageError(
            f"unknown profile(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    chosen = [known[n] for n in (args.names or sorted(known))]
    if args.json:
        emit(
            out,
            {
                "profiles": [
                    {
                        "name": p.name,
                        "library": p.library,
                        "reviewed": list(p.reviewed),
                        "installed": safeload.installed_version(p),
                        "description": p.description,
                        "requires": list(p.requires),
                        "trusts": [{"name": f"{m}.{q}", "reason": why} for m, q, why in p.entries],
                        "left_out": [{"name": n, "why": why} for n, why in p.left_out],
                    }
                    for p in chosen
                ]
            },
        )
        return EXIT_OK
    for p in chosen:
        installed = safeload.installed_version(p)
        reviewed = ", ".join(f"{p.library} {v}.x" for v in p.reviewed)
        if installed is None:
            state = "not installed"
        elif any(installed.startswith(v + ".") or installed == v for v in p.reviewed):
            state = f"installed {installed}"
        else:
            state = f"installed {installed}: NOT the reviewed version, review the profile again"
        print(f"{p.name}  ({reviewed}; {state})", file=out)
        if p.requires:
            print(f"  requires: {', '.join(p.requires)}", file=out)
        print(f"  {p.description}", file=out)
        print(f"  trusts {len(p.entries)} name(s):", file=out)
        for m, q, why in p.entries:
            print(f"    {m}.{q}: {why}", file=out)
        if p.left_out:
            print("  leaves out:", file=out)
            for name, why in p.left_out:
                print(f"    {name}: {why}", file=out)
        print("", file=out)
    return EXIT_OK


def _cmd_convert(args: argparse.Namespace, out: TextIO) -> int:
    from safeload.keys import Keyring
    from safeload.signing.ecdsa import load_public_key

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


def _cmd_pubkey(args: argparse.Namespace, out: TextIO) -> int:
    from safeload.keys import VerifyKey
    from safeload.signing.ecdsa import load_signing_key

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


def _fail(args: argparse.Namespace, out: TextIO, err: TextIO, exc: Exception, code: int) -> int:
    """Report an error on stderr, and also as JSON on stdout when --json was asked for."""
    print(f"safeload: {exc}", file=err)
    if getattr(args, "json", False):
        emit(out, {"ok": False, "error": type(exc).__name__, "message": str(exc)})
    return code


def _dispatch(
    args: argparse.Namespace, parser: argparse.ArgumentParser, out: TextIO, err: TextIO
) -> int:
    if args.command == "keygen":
        return _cmd_keygen(args, out)
    if args.command == "sign":
        return _cmd_sign(args, out)
    if args.command == "verify":  # errors quote names from unverified files
        return _cmd_verify(args, escaping(out), escaping(err))
    if args.command == "inspect":  # shows what an unverified file claims
        return _cmd_inspect(args, escaping(out), escaping(err))
    if args.command == "convert":
        return _cmd_convert(args, out)
    if args.command == "scan":
        return _cmd_scan(args, out, err)
    if args.command == "pubkey":
        return _cmd_pubkey(args, out)
    if args.command == "profiles":
        return _cmd_profiles(args, out)
    parser.error(f"unknown command {args.command}")  # pragma: no cover
    return EXIT_USAGE  # pragma: no cover


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the CLI; returns the exit code (never calls ``sys.exit``)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse reports usage errors by exiting
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    if args.quiet and not getattr(args, "json", False) and not getattr(args, "sarif", False):
        out = io.StringIO()  # -q: results go nowhere; errors and warnings still reach stderr
    logger = logging.getLogger("safeload")
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("safeload: %(message)s"))
    level = logger.level
    if args.verbose:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO if args.verbose == 1 else logging.DEBUG)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _warning_printer(err)
            return _run(args, parser, out, err)
    except KeyboardInterrupt:
        print("safeload: interrupted; files being written were left as they were", file=err)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # whoever read the output stopped (`safeload scan DIR | head`): stop quietly, and fail,
        # since the verdicts were not all read; stdout goes to devnull so that Python's flush at
        # exit does not raise again
        if out is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAIL
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _warning_printer(err: TextIO) -> Any:
    """Warnings as one line of text, like every other message, not Python's with a source
    line: e.g. a model saved with other library versions (VersionMismatchWarning)."""

    def show(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
        print(f"safeload: warning: {message}", file=err)

    return show


def _run(
    args: argparse.Namespace, parser: argparse.ArgumentParser, out: TextIO, err: TextIO
) -> int:
    try:
        # Reading and hashing large files draw a progress bar, on a terminal only.
        with _progress.reporting(_progress.terminal_bar(err)):
            return _dispatch(args, parser, out, err)
    except BrokenPipeError:
        raise  # the output's reader went away; main() stops quietly
    except SignatureError as exc:
        # Includes MissingSignatureError and SidecarFormatError.
        return _fail(args, out, err, exc, EXIT_FAIL)
    except UntrustedTypeError as exc:
        return _fail(args, out, err, exc, EXIT_FAIL)
    except (UsageError, KeyFormatError, MalformedArtifactError, OSError, ValueError) as exc:
        return _fail(args, out, err, exc, EXIT_USAGE)
    except SafeloadError as exc:  # pragma: no cover - every subclass is handled above
        print(f"safeload: {exc}", file=err)
        return EXIT_FAIL
