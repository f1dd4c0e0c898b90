"""What :func:`~safeload.dump`, :func:`~safeload.sign` and :func:`~safeload.convert` write: the
serialized bytes and their signature made in memory, then the file and its sidecar (or a
model_signing bundle) written atomically; appending an approval under the folder's lock.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safeload import _progress, formats
from safeload import io as fileio
from safeload._folders import bundle_ignores, skipping
from safeload._signatures import PathLike, read_sidecar, sidecar_path
from safeload._types import Buffer
from safeload.exceptions import MalformedArtifactError, UsageError
from safeload.formats import format_for
from safeload.io.atomic import write_atomic
from safeload.policy import Limits

if TYPE_CHECKING:  # the signing stack is imported where it is used (issue 18)
    from safeload.sidecar import Envelope, Statement, Subject
    from safeload.signing.keyring import Keyring, KeysLike
    from safeload.signing.keys import Signer

_log = logging.getLogger("safeload.api")


def joblib_compress_for(path: Path, compress: Any) -> Any:
    """joblib picks a compressor from the extension when writing to a path; we write bytes, so
    make that choice explicit."""
    if compress not in (0, False, None):
        return compress
    for ext, method in formats.JOBLIB_COMPRESSIONS.items():
        if path.name.lower().endswith(ext):
            return (method, 3)
    return 0


def serialize_signed(
    obj: Any,
    p: Path,
    signer: Signer | Iterable[Signer],
    format: str | None,
    compress: Any,
    protocol: int | None,
    version: str | None,
    expires: datetime | None,
    name: str | None,
) -> tuple[bytes, Envelope]:
    """What :func:`~safeload.dump` writes to ``p`` and its sidecar, in memory."""
    from safeload.signing import sign_bytes

    fmt = format_for(p, None, format)
    if fmt == "joblib":
        compress = joblib_compress_for(p, compress)
    data = formats.write(obj, fmt, compress=compress, protocol=protocol)
    envelope = sign_bytes(
        data, signer, name=p.name, format=fmt, expires=expires, version=version, model_name=name
    )
    return data, envelope


def write_signed(p: Path, data: bytes, envelope: Envelope) -> Path:
    """Write ``data`` to ``p``, then its sidecar; returns the sidecar path."""
    write_atomic(p, data)
    sig = sidecar_path(p)
    write_atomic(sig, envelope.to_json())
    _log.info("wrote %s (%d bytes) and %s", p, len(data), sig)
    return sig


def sign_model_signing(
    p: Path,
    signer: Signer | Iterable[Signer],
    signature: PathLike | None,
    ignore_paths: Iterable[str],
    certificate: bytes | None,
    chain: bytes,
) -> Path:
    """Write a model_signing bundle for the file or folder ``p``."""
    from safeload.signing.bundle import DEFAULT_IGNORE
    from safeload.signing.keys import Signer
    from safeload.signing.modelsig import normalize_ignore, sign_model

    sig = Path(signature) if signature is not None else sidecar_path(p)
    signers = [signer] if isinstance(signer, Signer) else list(signer)
    if p.is_dir():
        ignores = bundle_ignores(p, sig, ignore_paths)
        files: dict[str, Buffer] = dict(
            fileio.read_folder(
                p,
                Limits().max_file_size,
                allow_symlinks=False,
                skip=skipping([*DEFAULT_IGNORE, *ignores]),
            )
        )
        single = False
    else:
        ignores = [normalize_ignore(x) for x in ignore_paths]
        files = {p.name: fileio.read_once(p, Limits().max_file_size)}
        single = True
    bundle = sign_model(
        files,
        signers,
        model_name=Path(os.path.abspath(p)).name,
        single=single,
        ignore_paths=ignores,
        certificate=certificate,
        chain=chain,
    )
    write_atomic(sig, bundle.to_json())
    return sig


def sign_locked(
    p: Path,
    signer: Signer | Iterable[Signer],
    append: KeysLike | None,
    format: str | None,
    version: str | None,
    expires: datetime | None,
    name: str | None,
    add_signature: Callable[[Envelope, Signer], Envelope],
) -> Path:
    """Sign the file or folder ``p`` (the caller holds the folder lock): a new sidecar, or with
    ``append`` (the keys the approver trusts) one more signature (made by ``add_signature``) on
    the sidecar that describes exactly these bytes and that a trusted key already signed."""
    from safeload.sidecar import parse_envelope, parse_statement
    from safeload.signing import sign_bytes, sign_folder, signer_environment
    from safeload.signing.keys import Signer

    sig = sidecar_path(p)
    before = read_sidecar(p) if append is not None else None
    folder = p.is_dir()
    files: Mapping[str, Buffer] = (
        fileio.read_folder(p, Limits().max_file_size, allow_symlinks=False)
        if folder
        else {p.name: fileio.read_once(p, Limits().max_file_size)}
    )
    if before is not None and append is not None:  # an approval
        envelope = parse_envelope(before, source=str(sig))
        statement = parse_statement(envelope.payload, source=str(sig))
        if not describes(statement, files, folder):
            raise MalformedArtifactError(
                f"{sig} describes {'a different folder' if folder else 'different bytes'} "
                f"than {p}; refusing to add a signature",
                path=str(p),
            )
        signers = [signer] if isinstance(signer, Signer) else list(signer)
        for one in signers:
            refuse_second(envelope, one, sig)
        endorsed(envelope, statement, append, signers, sig)
        envelope = approve(envelope, signers, sig, add_signature)
    elif folder:
        envelope = sign_folder(
            files,
            signer,
            expires=expires,
            version=version,
            model_name=name,
            env=signer_environment(),
        )
    else:
        data = files[p.name]
        envelope = sign_bytes(
            data,
            signer,
            name=p.name,
            format=format_for(p, data, format),
            version=version,
            expires=expires,
            model_name=name,
            env=signer_environment(),  # the file's own library versions are unknown here
        )
    return write_sidecar(p, sig, envelope, before)


def describes(statement: Statement, files: Mapping[str, Buffer], folder: bool) -> bool:
    """Whether ``statement`` describes exactly ``files``: every relative path, its size and
    every digest recorded for it for a folder; the size and every digest for one file (whose
    signed name may differ).

    An approval vouches for the whole statement, so it checks each digest: a verifier checks
    BLAKE3 where it has ``blake3`` and SHA-256 elsewhere, and a statement whose SHA-256 names
    the reviewed bytes and whose BLAKE3 names others would otherwise pass the approval and load
    the others (rt26b-01)."""
    if folder:
        subjects = {x.name: x for x in statement.subjects}
        sizes = statement.predicate.files
        return set(subjects) == set(files) and all(
            sizes.get(rel) == len(data) and _digests_match(subjects[rel], data, rel)
            for rel, data in files.items()
        )
    ((name, data),) = files.items()
    return statement.predicate.size == len(data) and _digests_match(statement.subject, data, name)


def _digests_match(subject: Subject, data: Buffer, name: str) -> bool:
    """Whether ``data`` has every digest ``subject`` records (SHA-256, and BLAKE3 if any)."""
    if subject.sha256 != _progress.sha256_hex(data, f"hashing {name}"):
        return False
    if subject.blake3 is None:
        return True
    if _progress.blake3_module() is None:
        raise UsageError(
            f"the signature of {name} records a BLAKE3 digest, which this install cannot check "
            "(the blake3 package is missing); install it to approve this file"
        )
    return subject.blake3 == _progress.blake3_hex(data, f"hashing {name}")


def endorsed(
    envelope: Envelope,
    statement: Statement,
    keys: KeysLike,
    signers: Iterable[Signer],
    sig: Path,
) -> None:
    """Refuse to approve a statement that no key the approver trusts has signed: at least one
    valid signature over exactly this payload from a key of ``keys`` that is usable now (not
    revoked or past its ``not_after``), other than the approver's own, and a statement that has
    not expired. Otherwise whoever can replace a sidecar writes a statement of the real bytes
    with the version, expiry and name of their choice and a junk signature, and the approval
    makes it a release (rt51-05)."""
    from safeload.exceptions import SignatureError
    from safeload.sidecar import format_time
    from safeload.signing.keyring import as_keyring
    from safeload.signing.verify import trusted_signers

    ring = as_keyring(keys)
    now = datetime.now(timezone.utc)
    own = {s.keyid for s in signers}
    others = [k for k in trusted_signers(envelope, ring, now) if k not in own]
    if not others:
        raise SignatureError(
            f"{sig} carries no valid signature from the {ring.describe()} (other than your "
            "own): an approval is added only to a statement a key you trust already signed, "
            "and this one may have been written by anyone. Nothing was written. Fetch the "
            "publisher's signature again, or check which keys you passed (--pub/--keyring).",
            path=str(sig),
        )
    ends = statement.predicate.expires
    if ends is not None and now >= ends:
        raise SignatureError(
            f"the signature in {sig} expired at {format_time(ends)}; an approval would add "
            "nothing a verifier accepts. Nothing was written.",
            path=str(sig),
        )


def approve(
    envelope: Envelope,
    signer: Signer | Iterable[Signer],
    sig: Path,
    add_signature: Callable[[Envelope, Signer], Envelope],
) -> Envelope:
    """Add each signer's signature (with ``add_signature``); refuse a key that already signed,
    which would count once and so add no approval (a threshold of 2 would still be unmet,
    silently)."""
    from safeload.signing.keys import Signer

    for one in [signer] if isinstance(signer, Signer) else list(signer):
        refuse_second(envelope, one, sig)
        envelope = add_signature(envelope, one)
    return envelope


def refuse_second(envelope: Envelope, one: Signer, sig: Path) -> None:
    """Refuse a key whose id a signature of ``envelope`` already carries."""
    if any(s.keyid == one.keyid for s in envelope.signatures):
        raise UsageError(
            f"{sig} already has a signature by key id {one.keyid[:16]}…; a second one from "
            "the same key adds no approval. Ask another key holder to append theirs.",
            path=str(sig),
        )


def write_sidecar(p: Path, sig: Path, envelope: Envelope, before: bytes | None) -> Path:
    """Write the sidecar; for an append, only if it still holds what the append started from
    (a writer that does not take the lock changed it: fail rather than drop its change)."""
    if before is not None and read_sidecar(p) != before:
        raise MalformedArtifactError(
            f"{sig} changed while a signature was being added to it (another signer at the same "
            "time?); nothing was written. Run the command again.",
            path=str(sig),
        )
    write_atomic(sig, envelope.to_json())
    _log.info("wrote %s (%d signature(s))", sig, len(envelope.signatures))
    return sig


def probe(model: Any, x: Any) -> Any:
    """What ``model`` computes for ``x``: its first method of predict, transform,
    decision_function and score_samples."""
    for method in ("predict", "transform", "decision_function", "score_samples"):
        fn = getattr(model, method, None)
        if callable(fn):
            return fn(x)
    raise ValueError(f"{type(model).__name__} has no predict/transform to check with")


def reload_conversion(
    data: bytes,
    envelope: Envelope,
    signer: Signer | Iterable[Signer],
    src: PathLike,
    out: Path,
    reload: Callable[[bytes, bytes, Keyring], Any],
) -> Any:
    """Verify and load the converted bytes in memory, as a later load of ``out`` would, and
    return what they load to: a conversion never writes (and signs) a file safeload itself
    refuses (rt100-02: a skops file of a model keyed by numpy strings). Raises before anything
    is written."""
    from safeload.exceptions import SafeloadError
    from safeload.signing.keyring import as_keyring
    from safeload.signing.keys import Signer

    signers = [signer] if isinstance(signer, Signer) else list(signer)
    verifier: Keyring = as_keyring(signers)  # type: ignore[arg-type]
    try:
        return reload(data, envelope.to_json(), verifier)
    except SafeloadError as exc:
        raise MalformedArtifactError(
            f"converting {src} to {out} gives a file safeload refuses to load ({exc}); nothing "
            "was written",
            path=str(src),
        ) from exc


def check_conversion(
    obj: Any,
    data: bytes,
    envelope: Envelope,
    signer: Signer | Iterable[Signer],
    check: Any,
    src: PathLike,
    out: Path,
    reload: Callable[[bytes, bytes, Keyring], Any],
) -> None:
    """Verify and load the converted bytes in memory (``reload``: :func:`~safeload.loads` with
    the conversion's trust settings); their predictions on ``check`` must equal the source
    model's. Raises before anything is written."""
    again = reload_conversion(data, envelope, signer, src, out, reload)
    import numpy as np

    try:
        before, after = probe(obj, check), probe(again, check)
    except (ValueError, TypeError, IndexError) as exc:
        raise ValueError(
            f"--check / check=: the model from {src} cannot predict on the check input ({exc}); "
            f"nothing was written to {out}"
        ) from exc
    if hasattr(before, "toarray"):
        before, after = before.toarray(), after.toarray()
    if not np.array_equal(np.asarray(before), np.asarray(after)):
        raise MalformedArtifactError(
            f"converting {src} to {out} changed the model's output on the check input; "
            "nothing was written",
            path=str(src),
        )
