"""pickle / joblib / skops readers and writers behind one interface.

Readers take a :class:`~safeload.signing.VerifiedArtifact` or an explicitly
:class:`~safeload.signing.UnsignedArtifact` and nothing else; they never see a path.
"""

from __future__ import annotations

import io
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from safeload import _gc
from safeload._decompress import joblib_stream as joblib_stream
from safeload._sniff import JOBLIB_COMPRESSIONS, compression_of, format_from_name, sniff_format
from safeload._sniff import binary_model_head as binary_model_head
from safeload._sniff import could_be_model as could_be_model
from safeload._types import Buffer
from safeload.exceptions import MalformedArtifactError
from safeload.pickle.analysis import StreamAnalysis
from safeload.policy import Limits, Policy

if TYPE_CHECKING:  # the signing stack is imported by a read, not by a scan (issue 18)
    from safeload.signing import UnsignedArtifact, VerifiedArtifact

    Artifact = VerifiedArtifact | UnsignedArtifact

__all__ = [
    "JOBLIB_COMPRESSIONS",
    "Prepared",
    "Artifact",
    "compression_of",
    "format_from_name",
    "prepare",
    "read",
    "sniff_format",
    "write",
]


def __getattr__(name: str) -> Any:
    if name == "Artifact":  # what the readers accept (see read)
        from safeload.signing import UnsignedArtifact, VerifiedArtifact

        return VerifiedArtifact | UnsignedArtifact
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# Sniffing a file's format lives in safeload._sniff, decompressing joblib's containers in
# safeload._decompress; the names other code imports from here are re-exported.


@dataclass(frozen=True)
class Prepared:
    """The static pass over an artifact's bytes, done before (or while) they are verified.

    Nothing in it was built from the stream. :func:`read` uses it only for the very buffer it
    was made from, the same format, and the very policy and limits it was made under (identity,
    not equality): the analysis decided which names are trusted and which limits hold, so a pass
    made under another policy says nothing about this load.
    """

    data: Buffer
    format: str
    stream: Buffer
    analysis: StreamAnalysis | None
    policy: Policy
    limits: Limits


_JOBLIB_HOW = (
    "if it was saved with joblib.dump under a .pkl name, sign it again: safeload "
    "detects joblib content (or pass format='joblib'; CLI: --format joblib)"
)


def format_for(path: Path, data: Buffer | None, explicit: str | None) -> str:
    """The format of ``path``: ``explicit`` when given, else by its extension (a ``.pkl`` whose
    bytes are joblib's is joblib), else by its bytes ``data``."""
    if explicit is not None:
        if explicit not in ("pickle", "joblib", "skops"):
            raise ValueError(f"format must be pickle, joblib or skops, not {explicit!r}")
        return explicit
    by_name = format_from_name(path.name)
    if by_name == "pickle" and data is not None and sniff_format(data) == "joblib":
        return "joblib"  # joblib.dump(model, "model.pkl") is common
    if by_name is not None:
        return by_name
    if data is not None:
        return sniff_format(data)
    raise ValueError(
        f"cannot tell the format of {path.name} from its extension; use .pkl, .joblib or "
        ".skops, or pass format="
    )


def prepare(
    data: Buffer,
    fmt: str,
    policy: Policy,
    limits: Limits,
    source: str,
    *,
    guessed: bool = False,
) -> Prepared:
    """Check the content against ``fmt``, decompress joblib, and run the static analysis.

    Raises for malformed content or untrusted names; deserializes nothing. ``guessed=True``
    says ``fmt`` came from the file name, not from a signature or the caller: a "pickle" whose
    analysis meets joblib's array placeholder is then analysed as joblib instead (the result's
    ``format`` says which); otherwise it is refused. The byte sniff only saves that second pass
    for ordinary files; the analysis decides.
    """
    # pickle.unpickler imports numpy, as safeload.unpickler did: advice on a refused name judges
    # the names of modules already imported (policy.imported_object), numpy's among them
    from safeload.pickle.guard import JoblibContentError
    from safeload.pickle.unpickler import analyse_stream

    sniffed = sniff_format(data)
    if fmt == "pickle":
        if sniffed != "pickle":
            how = _JOBLIB_HOW if sniffed == "joblib" else "sign it again with the right format"
            raise MalformedArtifactError(
                f"{source} is recorded as pickle but its content looks like {sniffed}; {how}",
                path=source,
            )
        try:
            analysis = analyse_stream(data, policy, limits, source, joblib=False)
        except JoblibContentError as exc:
            if not guessed:
                raise MalformedArtifactError(
                    f"{source} is to be read as pickle (its signature or format= says so), but "
                    "it names joblib's array placeholder: it is joblib content, which "
                    f"joblib.load reads differently. Nothing was deserialized; {_JOBLIB_HOW}",
                    path=source,
                ) from exc
            fmt = "joblib"
        else:
            return Prepared(data, fmt, data, analysis, policy, limits)
    if fmt == "joblib":
        if sniffed == "skops":
            raise MalformedArtifactError(f"{source} is a zip, not a joblib file", path=source)
        stream = joblib_stream(data, limits, source)
        analysis = analyse_stream(stream, policy, limits, source, joblib=True)
        return Prepared(data, fmt, stream, analysis, policy, limits)
    if fmt == "skops":
        # skops audits its schema as it reads
        return Prepared(data, fmt, data, None, policy, limits)
    raise MalformedArtifactError(f"{source}: unknown format {fmt!r}", path=source)


def read(
    artifact: Artifact,
    policy: Policy,
    limits: Limits,
    source: str,
    prepared: Prepared | None = None,
    *,
    consume: bool = False,
) -> Any:
    """Deserialize a verified (or explicitly unsigned) artifact under ``policy``, then check the
    native structures in the result (trees, predictors, neighbor trees).

    ``prepared`` (from :func:`prepare` on the same buffer and format, under the same ``policy``
    and ``limits`` objects) saves redoing the static pass; anything else is ignored and the pass
    runs again.

    ``consume=True`` hands the artifact's buffer over to the result: large numpy arrays become
    views into it rather than copies (one copy of the data in memory, not two), and a pickle
    buffer is rearranged to align them, so it no longer holds the artifact's bytes (reading it
    again raises ``MalformedArtifactError``). Pass it only for a buffer that nothing else will
    read, as ``safeload.load`` does with the file it read.
    Without it the buffer is left as it was and every array is a copy.
    """
    from safeload.pickle.joblib_stream import load_joblib_stream
    from safeload.pickle.unpickler import load_pickle_stream
    from safeload.signing import UnsignedArtifact, VerifiedArtifact
    from safeload.validate import validate_loaded

    if not isinstance(artifact, (VerifiedArtifact, UnsignedArtifact)):
        raise TypeError("readers accept only VerifiedArtifact or UnsignedArtifact")
    if (
        prepared is None
        or prepared.data is not artifact.data
        or prepared.format != artifact.format
        or prepared.policy is not policy
        or prepared.limits is not limits
    ):
        prepared = prepare(artifact.data, artifact.format, policy, limits, source)
    discarded: list[Any] = []  # what the stream builds and drops: checked too (rt50-03)
    if prepared.format == "skops":
        from safeload.skops_format import read_skops

        obj = read_skops(artifact.data, policy, limits, source)
    else:
        reader = load_pickle_stream if prepared.format == "pickle" else load_joblib_stream
        with _gc.paused():  # a model is many objects; see safeload._gc
            obj = reader(
                prepared.stream,
                policy,
                limits,
                source,
                prepared.analysis,
                views=consume,
                discarded=discarded,
            )
    validate_loaded(obj, source, file_size=len(artifact.data), discarded=discarded)
    return obj


def write(obj: Any, fmt: str, *, compress: Any = 0, protocol: int | None = None) -> bytes:
    """Serialize ``obj`` to bytes in ``fmt`` (nothing is written to disk here)."""
    if fmt == "pickle":
        protocol = protocol if protocol is not None else 5
        data = pickle.dumps(obj, protocol=protocol)
        if protocol < 5:
            return data
        # large arrays start aligned, so that a load views them without moving them first
        from safeload.pickle.aligned import align_bytearrays

        return align_bytearrays(data)
    if fmt == "joblib":
        import joblib

        buf = io.BytesIO()
        joblib.dump(obj, buf, compress=compress, protocol=protocol)
        return buf.getvalue()
    if fmt == "skops":
        import skops.io

        result: bytes = skops.io.dumps(obj)
        return result
    raise ValueError(f"unknown format {fmt!r}; use pickle, joblib or skops")
