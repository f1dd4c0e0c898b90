"""``safeload inspect``: show what a signature file claims; verifies nothing."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import safeload
from safeload.cli._common import EXIT_OK, command, emit, json_arg
from safeload.exceptions import UsageError

if TYPE_CHECKING:
    from safeload.cli._common import Sub


def add(sub: Sub) -> None:
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


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
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
        emit(out, doc)
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
