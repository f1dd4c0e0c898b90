"""The entry points that check no signature, re-exported by :mod:`safeload.api`:
:func:`load_unsigned` (a third-party file through the same restricted readers), :func:`scan`
(what a file would import, running nothing) and :func:`inspect_sidecar` (a signature file
parsed for display). Each says so in its name or its documentation.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from safeload import formats
from safeload import io as fileio
from safeload._scanning import scan_source
from safeload._types import PathLike, file_path
from safeload.formats import format_for
from safeload.pickle.analysis import ScanReport
from safeload.policy import Limits, Policy, TrustedSpec, resolve_policy

if TYPE_CHECKING:  # the signing stack is imported where it is used (issue 18)
    from safeload.sidecar import Envelope, Statement

__all__ = ["inspect_sidecar", "load_unsigned", "scan"]

#: The public layer's log (see safeload.api), named here and made on first use: ``logging`` is
#: not imported by a scan (issue 18's start-up).
_LOG = "safeload.api"


def load_unsigned(
    path: PathLike,
    *,
    trusted: Iterable[TrustedSpec] = (),
    profiles: Iterable[str] = (),
    format: str | None = None,
    policy: Policy | None = None,
    limits: Limits | None = None,
) -> Any:
    """Load a third-party file that has NO signature check, through the same restricted readers.

    The allowlist still applies: unknown types, code-running globals and malformed streams are
    refused. What is missing is any proof of who made the file. ``trusted`` and ``profiles``
    extend the allowlist as for :func:`load`.
    """
    import logging

    from safeload.signing import unsigned_artifact

    p = file_path(path)
    lim = limits or Limits()
    pol = resolve_policy(policy, trusted, profiles)
    data = fileio.read_once(p, lim.max_file_size)
    fmt = format_for(p, data, format)
    logging.getLogger(_LOG).info(
        "reading %s (%s) WITHOUT a signature check, through the restricted reader", p, fmt
    )
    if fmt == "skops":
        return formats.read(unsigned_artifact(data, p.name, fmt), pol, lim, str(p), consume=True)
    # the analysis, not the name, decides whether a .pkl is joblib content (rt14 f04)
    prepared = formats.prepare(data, fmt, pol, lim, str(p), guessed=format is None)
    artifact = unsigned_artifact(data, p.name, prepared.format)
    return formats.read(artifact, pol, lim, str(p), prepared, consume=True)


def inspect_sidecar(path: PathLike) -> tuple[Envelope, Statement]:
    """Parse a ``.sig`` file for display. NOTHING is verified: do not make trust decisions on it."""
    from safeload.sidecar import MAX_SIDECAR_BYTES, parse_envelope, parse_statement

    p = file_path(path)
    raw = bytes(fileio.read_once(p, MAX_SIDECAR_BYTES, "signature file"))
    envelope = parse_envelope(raw, source=str(p))
    return envelope, parse_statement(envelope.payload, source=str(p))


def scan(
    source: PathLike | bytes,
    *,
    trusted: Iterable[TrustedSpec] = (),
    profiles: Iterable[str] = (),
    policy: Policy | None = None,
    limits: Limits | None = None,
    format: str | None = None,
) -> ScanReport:
    """List what a pickle, joblib or skops file would import, without running anything from it.

    Any parse error, limit, or construct safeload refuses gives an ``unsafe`` verdict. The
    verdict is :func:`load_unsigned`'s: the checks a load runs on what it builds run here on
    shadows of the stream's values (:mod:`safeload.trust.shadow`); a check that needs a value
    the stream does not show makes the file "unproven", which is unsafe. Only trusted modules
    are imported, to read their rules. Pass the same ``trusted`` and ``profiles`` as the load
    would, for the same verdict.
    """
    lim = limits or Limits()
    pol = resolve_policy(policy, trusted, profiles)
    return scan_source(source, pol, lim, format)
