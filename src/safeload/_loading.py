"""What :func:`~safeload.load` and :func:`~safeload.verify` do between reading a file once and
handing its verified bytes to the restricted reader: which format, which signature, hashing
beside the static pass, the rollback check. The entry points pass in the verifier they use
(``safeload.api.verify_bytes``), so that it stays the one name every verification goes through.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safeload import formats
from safeload import io as fileio
from safeload._folders import (
    MODEL_SIGNING_DEFAULT,
    governing_folder,
    real_folder,
    signed_folder,
    verify_folder_any,
    verify_in_folder,
)
from safeload._signatures import (
    PathLike,
    check_format,
    claimed_sizes,
    need_keys,
    read_sidecar,
    sidecar_path,
    wants_blake3,
)
from safeload._sniff import SNIFF_HEAD
from safeload._types import Buffer
from safeload.exceptions import InvalidSignatureError, MissingSignatureError, SafeloadError
from safeload.formats import format_for
from safeload.policy import Limits, Policy

if TYPE_CHECKING:  # the signing stack is imported where it is used (issue 18)
    from safeload.sidecar import Statement
    from safeload.signing import VerifiedArtifact
    from safeload.signing.keyring import KeysLike
    from safeload.signing.modelsig import CertificateAuthority
    from safeload.state import TrustState

_log = logging.getLogger("safeload.api")


def load_in_folder(
    p: Path,
    governing: tuple[Path, Path],
    keys: KeysLike | None,
    lim: Limits,
    now: datetime | None,
    allow_symlinks: bool,
    ca: CertificateAuthority | None,
    ignore_paths: Iterable[str],
    signature_format: str | None,
    state: TrustState | None,
    pol: Policy,
) -> Any:
    """:func:`~safeload.load` of the file ``p`` inside a signed folder (``governing``: the folder
    and its signature file): the whole folder is verified, then this file is read."""
    verified, rel = verify_in_folder(
        p,
        *governing,
        keys,
        lim,
        now,
        allow_symlinks,
        ca=ca,
        ignore_paths=ignore_paths,
        signature_format=signature_format,
    )
    fmt = format_for(p, verified.files[rel], None)
    artifact = verified.artifact(rel, fmt)
    return read_verified(artifact, verified.statement, state, pol, lim, str(p))


def load_bundled(
    p: Path,
    bundle: bytes,
    sig: Path,
    keys: KeysLike | None,
    ca: CertificateAuthority | None,
    allow_rename: bool,
    now: datetime | None,
    state: TrustState | None,
    pol: Policy,
    lim: Limits,
) -> Any:
    """:func:`~safeload.load` of the one file ``p`` whose signature file ``sig`` is the
    model_signing bundle ``bundle``."""
    data = fileio.read_once(p, lim.max_file_size)
    bundled = verify_bundled_file(p, data, bundle, sig, keys, ca, allow_rename, now)
    del data
    return read_verified(bundled, bundled.statement, state, pol, lim, str(p))


def load_with_sidecar(
    p: Path,
    sidecar: bytes | SafeloadError,
    keys: KeysLike,
    signature: PathLike | None,
    pol: Policy,
    lim: Limits,
    allow_rename: bool,
    now: datetime | None,
    state: TrustState | None,
    verify_bytes: Callable[..., VerifiedArtifact],
) -> Any:
    """:func:`~safeload.load` of a file with safeload's own sidecar (or whose sidecar could not
    be read: ``sidecar`` is then the error, raised after the artifact's own errors), verified
    with ``verify_bytes``."""
    # Large files are hashed while they are read, with the digest verification will check.
    algorithm = "blake3" if isinstance(sidecar, bytes) and wants_blake3(sidecar) else "sha256"
    if isinstance(sidecar, bytes):
        _precheck_size(p, sidecar)
    data, digest = fileio.read_file(
        p, lim.max_file_size, hash_from=_OVERLAP_FROM, algorithm=algorithm
    )
    if not isinstance(sidecar, bytes):
        raise sidecar
    verify = functools.partial(
        verify_bytes,
        data,
        sidecar,
        keys,
        name=p.name,
        allow_rename=allow_rename,
        now=now,
        source=str(p),
        sidecar_source=str(signature or sidecar_path(p)),
        _digest=digest,
    )
    prepared: formats.Prepared | None = None
    if len(data) < _OVERLAP_FROM:
        artifact = verify()
    else:
        artifact, prepared = verify_beside_static_pass(verify, data, p, pol, lim)
    del data
    return read_verified(artifact, artifact.statement, state, pol, lim, str(p), prepared)


def _precheck_size(p: Path, sidecar: bytes) -> None:
    """Refuse, without reading it, a file of at least ``fileio.PRECHECK_FROM`` bytes whose size
    is not the one its (not yet verified) sidecar signs: verification would fail after reading
    all of it (a swapped 1 GiB sparse file cost 1 GiB, rt26b-04)."""
    claimed = claimed_sizes(sidecar)
    try:
        size = p.stat().st_size
    except OSError:
        return  # reading it reports why
    if claimed is not None and "" in claimed and size >= fileio.PRECHECK_FROM:
        if claimed[""] != size:
            raise InvalidSignatureError(
                f"{p} is {size} bytes, but its signature is for a file of {claimed['']} bytes; "
                "it was not read. Nothing was deserialized.",
                path=str(p),
            )


def verify_beside_static_pass(
    verify: Callable[[], VerifiedArtifact], data: Buffer, p: Path, pol: Policy, lim: Limits
) -> tuple[VerifiedArtifact, formats.Prepared | None]:
    """Verify in another thread while the static pass runs here (hashing releases the GIL),
    for a plain pickle or joblib stream; a compressed or zipped one is verified first. The
    pass only reads bytes and builds nothing; nothing is deserialized until verification
    has succeeded, and a signature failure is reported before anything the pass found. The
    pass's result goes with the artifact; ``formats.read`` reuses it only if it was made for
    the verified format and the same policy."""
    guess = format_for(p, data, None)
    if guess == "skops" or formats.compression_of(data) is not None:
        # inflating comes after the signature: a swapped file may be a few KB that inflate to
        # the size limit (rt26b-02), and only verified bytes may cost that much
        return verify(), None
    verifying = _VERIFIER.submit(verify)
    found: SafeloadError | None = None
    prepared: formats.Prepared | None = None
    try:
        prepared = formats.prepare(data, guess, pol, lim, str(p))
    except SafeloadError as exc:
        found = exc
    artifact = verifying.result()
    if found is not None and artifact.format == guess:
        raise found
    return artifact, prepared


def verify_bundled_file(
    p: Path,
    data: Buffer,
    bundle: bytes,
    sig: Path,
    keys: KeysLike | None,
    ca: CertificateAuthority | None,
    allow_rename: bool,
    now: datetime | None,
) -> VerifiedArtifact:
    """The bytes ``data`` read from the one file ``p``, verified against the model_signing
    bundle ``bundle`` (read from ``sig``), for :func:`~safeload.load` and
    :func:`~safeload.verify` alike."""
    from safeload.signing.modelsig import verify_model_file

    return verify_model_file(
        data,
        bundle,
        keys=keys,
        ca=ca,
        name=p.name,
        format=format_for(p, data, None),
        allow_rename=allow_rename,
        now=now,
        source=str(p),
        sidecar_source=str(sig),
    )


#: Threads that hash large artifacts while the static pass runs (hashlib releases the GIL).
_VERIFIER = ThreadPoolExecutor(max_workers=4, thread_name_prefix="safeload-verify")


#: Below this size the hash is quicker than handing it to a thread.
_OVERLAP_FROM = 1 << 20


def read_verified(
    artifact: VerifiedArtifact,
    statement: Statement,
    state: TrustState | None,
    pol: Policy,
    lim: Limits,
    source: str,
    prepared: formats.Prepared | None = None,
) -> Any:
    """Rollback check, restricted read, then record the accepted version. The artifact's buffer
    is spent: the callers read it for this load alone."""
    if state is not None:
        state.check(statement, source)
    _log.info("verified %s; reading it through the restricted %s reader", source, artifact.format)
    obj = formats.read(artifact, pol, lim, source, prepared, consume=True)
    if state is not None:
        state.record(statement)
    _log.debug("loaded %s: %s", source, type(obj).__name__)
    return obj


def verified_statement(
    p: Path,
    keys: KeysLike | None,
    *,
    allow_rename: bool,
    now: datetime | None,
    lim: Limits,
    allow_symlinks: bool,
    signature: PathLike | None,
    ignore_paths: Iterable[str],
    ca: CertificateAuthority | None,
    model_root: PathLike | None,
    signature_format: str | None,
) -> tuple[Statement, str]:
    """:func:`~safeload.verify`'s work: the verified statement, and the path whose version the
    rollback state records (the folder, for a file verified as part of one)."""
    from safeload.signing import verify_digest
    from safeload.signing.bundle import is_bundle

    given = p
    if p.is_dir() and signature is None:
        # where the folder really is, whether or not a link to it has a .sig of its own:
        # current -> v2 is governed by v2.sig, as its files are in load (rt51-03)
        p = real_folder(p)
    sig = Path(signature) if signature is not None else sidecar_path(p)
    if p.is_dir() and signature is None:
        # a signed folder inside a signed folder: the outermost signature governs, here as in
        # load (an old inner folder with its own old signature would verify, rt26b-07)
        outer = governing_folder(p / "_")
        if outer is not None and outer[0] != p:
            _log.info("%s is inside the signed folder %s, whose signature governs", p, outer[0])
            p, sig = outer
    if p.is_dir():
        if signature is None and not sig.exists() and not (p / "model").exists():
            if p != given and sidecar_path(given).is_file():
                raise MissingSignatureError(
                    f"{given} is a link to the folder {p}, which has no signature "
                    f"({sig}); {sidecar_path(given)} signs the link's name, which no load of "
                    f"its files consults. Sign the folder itself: safeload sign {p}",
                    path=str(given),
                )
            sig = p / MODEL_SIGNING_DEFAULT  # model_signing's layout: the folder is named
        sidecar = read_sidecar(p, sig)
        check_format(sidecar, signature_format, sig, p)
        folder = verify_folder_any(
            p, sig, sidecar, keys, ca, ignore_paths, lim, now, allow_symlinks
        )
        _log.info("verified %s (%d files)", p, len(folder.statement.subjects))
        return folder.statement, str(p)
    governing = signed_folder(p, signature, model_root)
    if governing is not None:
        verified, _ = verify_in_folder(
            p,
            *governing,
            keys,
            lim,
            now,
            allow_symlinks,
            ca=ca,
            ignore_paths=ignore_paths,
            signature_format=signature_format,
        )
        _log.info("verified %s as a file of the signed folder %s", p, governing[0])
        return verified.statement, str(governing[0])
    # the artifact's own errors (missing, not a regular file, too large) come first
    fh, size = fileio.open_sized(p, lim.max_file_size)
    with fh:
        sidecar = read_sidecar(p, sig)
        check_format(sidecar, signature_format, sig, p)
        if is_bundle(sidecar):
            # streamed like safeload's own sidecars (rt26b-04): only the head is held, to tell
            # the format the statement records
            from safeload.signing.modelsig import verify_model_digest

            head = os.pread(fh.fileno(), SNIFF_HEAD, 0)
            bundled, _ = verify_model_digest(
                size,
                lambda: fileio.hash_stream(fh, p, size, "sha256"),
                sidecar,
                keys=keys,
                ca=ca,
                name=p.name,
                format=format_for(p, head, None),
                allow_rename=allow_rename,
                now=now,
                source=str(p),
                sidecar_source=str(sig),
            )
            return bundled, str(p)
        # Nothing is deserialized, so the file is hashed as it streams past, never held whole:
        # a file larger than memory verifies in a few MiB.
        algorithm = "blake3" if wants_blake3(sidecar) else "sha256"
        digest = fileio.hash_stream(fh, p, size, algorithm)
    statement = verify_digest(
        size,
        (algorithm, digest),
        sidecar,
        need_keys(keys, p),
        name=p.name,
        allow_rename=allow_rename,
        now=now,
        source=str(p),
    )
    _log.info("verified %s", p)
    return statement, str(p)
