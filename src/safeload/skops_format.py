"""The skops reader: zip checks, the shared trust vocabulary, then skops' own audit.

skops lists the types in a file's schema that it does not trust. safeload maps that list onto its
own policy: a type safeload's policy trusts (for example ``sklearn.tree._tree.Tree``) is passed to
skops as trusted; any other reported type raises ``UntrustedTypeError`` listing all of them.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from safeload.exceptions import LimitExceededError, MalformedArtifactError
from safeload.policy import Limits, Policy, parse_name
from safeload.unpickler import untrusted_error

__all__ = ["check_zip", "read_skops", "skops_types"]

_MAX_MEMBERS = 100_000


def check_zip(data: bytes, limits: Limits, source: str) -> zipfile.ZipFile:
    """Open ``data`` as a zip and refuse duplicate, absolute or ``..`` member names, members that
    inflate past the limit, and bad CRCs."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data), "r")
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise MalformedArtifactError(
            f"{source} is not a valid zip file: {exc}", path=source
        ) from exc
    infos = zf.infolist()
    if len(infos) > _MAX_MEMBERS:
        raise LimitExceededError(f"{source} has more than {_MAX_MEMBERS} members", path=source)
    names: set[str] = set()
    total = 0
    for info in infos:
        n = info.filename
        if n in names:
            raise MalformedArtifactError(f"{source}: duplicate zip member {n!r}", path=source)
        names.add(n)
        parts = n.replace("\\", "/").split("/")
        if n.startswith(("/", "\\")) or ".." in parts or (len(n) > 1 and n[1] == ":"):
            raise MalformedArtifactError(f"{source}: unsafe zip member name {n!r}", path=source)
        total += info.file_size
        if info.file_size > limits.max_item_size or total > limits.max_decompressed_size:
            raise LimitExceededError(
                f"{source}: zip members inflate past the size limit", path=source
            )
    for info in infos:
        try:
            with zf.open(info) as member:
                read = 0
                while chunk := member.read(1 << 20):
                    read += len(chunk)
                    if read > info.file_size:
                        raise LimitExceededError(
                            f"{source}: member {info.filename!r} inflates past its declared size",
                            path=source,
                        )
        except (
            zipfile.BadZipFile,
            zipfile.LargeZipFile,
            OSError,
            EOFError,
            ValueError,
            NotImplementedError,
        ) as exc:
            raise MalformedArtifactError(
                f"{source}: zip member {info.filename!r} is corrupt ({exc})", path=source
            ) from exc
    return zf


def skops_types(data: bytes, limits: Limits, source: str) -> list[str]:
    """Every type skops itself does not trust in the file's schema (nothing is built)."""
    check_zip(data, limits, source)
    import skops.io

    try:
        types: list[str] = skops.io.get_untrusted_types(data=data)
    except Exception as exc:
        raise MalformedArtifactError(
            f"{source}: the skops schema could not be read ({type(exc).__name__}: {exc})",
            path=source,
        ) from exc
    return types


def _policy_trusts(policy: Policy, name: str) -> bool:
    try:
        return policy.allows(*parse_name(name))
    except ValueError:
        return False


def read_skops(data: bytes, policy: Policy, limits: Limits, source: str) -> Any:
    """Audit and build a skops file from ``data`` under ``policy``."""
    reported = skops_types(data, limits, source)
    untrusted = [n for n in reported if not _policy_trusts(policy, n)]
    if untrusted:
        raise untrusted_error(untrusted, source)
    import skops.io

    try:
        return skops.io.loads(data, trusted=reported)
    except Exception as exc:
        raise MalformedArtifactError(
            f"{source} could not be loaded by skops: {type(exc).__name__}: {exc}", path=source
        ) from exc
