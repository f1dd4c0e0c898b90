"""pickle / joblib / skops readers and writers behind one interface.

Readers take a :class:`~safeload.signing.VerifiedArtifact` or an explicitly
:class:`~safeload.signing.UnsignedArtifact` and nothing else; they never see a path.
"""

from __future__ import annotations

import bz2
import io
import lzma
import mmap
import pickle
import pickletools
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from safeload import _gc
from safeload._types import Buffer
from safeload.exceptions import LimitExceededError, MalformedArtifactError
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


_ZIP_MAGIC = b"PK\x03\x04"
#: Magic prefixes joblib writes, in the order joblib checks them.
_MAGIC = (
    ("zlib", b"\x78"),
    ("gzip", b"\x1f\x8b"),
    ("bz2", b"BZ"),
    ("xz", b"\xfd\x37\x7a\x58\x5a"),
    ("lzma", b"\x5d\x00"),
    ("lz4", b"\x04\x22\x4d\x18"),
)
#: Extensions joblib maps to a compressor.
JOBLIB_COMPRESSIONS = {
    ".z": "zlib",
    ".gz": "gzip",
    ".bz2": "bz2",
    ".xz": "xz",
    ".lzma": "lzma",
    ".lz4": "lz4",
}
_CHUNK = 1 << 24


def format_from_name(name: str) -> str | None:
    """The format implied by a file name: ``.pkl``/``.pickle``, ``.joblib`` (and joblib's
    compressed extensions), ``.skops``; ``None`` if the name says nothing."""
    lower = name.lower()
    if lower.endswith((".pkl", ".pickle")):
        return "pickle"
    if lower.endswith(".skops"):
        return "skops"
    if lower.endswith(".joblib") or any(lower.endswith(ext) for ext in JOBLIB_COMPRESSIONS):
        return "joblib"
    if any(lower.endswith(f".joblib{ext}") for ext in JOBLIB_COMPRESSIONS):
        return "joblib"
    return None


def compression_of(data: Buffer) -> str | None:
    """The joblib compressor whose magic starts ``data``, ``"compat"`` for joblib's legacy ZF
    container, or ``None`` for an uncompressed stream."""
    head = bytes(data[:8])
    if head.startswith(b"ZF"):
        return "compat"
    for name, magic in _MAGIC:
        if head.startswith(magic):
            return name
    return None


#: Bytes a pickle stream can start with: any opcode (protocols 0 and 1 have no header).
_PICKLE_FIRST = frozenset(op.code.encode("latin-1")[0] for op in pickletools.opcodes)


def binary_model_head(head: bytes) -> bool:
    """Whether ``head`` starts a model whatever the file's name: a protocol 2+ pickle header,
    a zip (skops) or a joblib compressor's magic. Protocol 0 and 1 pickles start with a
    printable byte, as text files do (see :func:`could_be_model`)."""
    proto = len(head) > 1 and head[0] == pickle.PROTO[0] and 2 <= head[1] <= pickle.HIGHEST_PROTOCOL
    return proto or head.startswith(_ZIP_MAGIC) or compression_of(head) is not None


def could_be_model(head: bytes) -> bool:
    """Whether a file starting with ``head`` (its first bytes) could be a pickle, joblib or
    skops file: a zip, a joblib compressor's magic, or a byte that starts a pickle opcode (a
    protocol-2+ ``PROTO`` header must name a protocol pickle knows). ``False`` lets a scan of a
    folder refuse anything else without reading more than its first bytes."""
    if not head:
        return False
    if head.startswith(_ZIP_MAGIC) or compression_of(head) is not None:
        return True
    if head[0] == pickle.PROTO[0]:
        return len(head) > 1 and head[1] <= pickle.HIGHEST_PROTOCOL
    return head[0] in _PICKLE_FIRST


#: joblib's array placeholder as a pickle global: ``GLOBAL`` (protocols 0-3), or two short
#: strings and ``STACK_GLOBAL`` (protocol 4+, with a memo entry or a frame header between): the
#: module name, then at most ``_WRAPPER_GAP`` bytes, then the class name.
_JOBLIB_MODULE = b"joblib.numpy_pickle"
_JOBLIB_CLASS = b"NumpyArrayWrapper"
_WRAPPER_GAP = 16
#: The placeholder's global comes before the first array's raw bytes, so it is looked for only
#: in this much of the head: a few milliseconds, not a scan of a gigabyte of array data.
_SNIFF_HEAD = 4 << 20


def sniff_format(data: Buffer) -> str:
    """Best guess from content alone: ``skops`` (zip), ``joblib`` (compressed, or a stream that
    refers to joblib's array placeholder) or ``pickle``.

    An uncompressed joblib file is a pickle stream followed, after each array's placeholder, by
    the array's raw bytes, which the pickle reader cannot parse; ``joblib.dump(m, "model.pkl")``
    is common, so the name alone is not trusted to tell. A wrong guess only picks the other
    restricted reader, under the same policy; a placeholder later than the first
    ``_SNIFF_HEAD`` bytes is not seen (the pickle reader then refuses the raw array bytes).
    """
    if bytes(data[:4]) == _ZIP_MAGIC:
        return "skops"
    if compression_of(data) is not None:
        return "joblib"
    # bytes, bytearray and mmap search in place; other buffers are copied
    head = data if isinstance(data, (bytes, bytearray, mmap.mmap)) else bytes(data[:_SNIFF_HEAD])
    if _names_joblib_wrapper(head, min(len(head), _SNIFF_HEAD)):
        return "joblib"
    return "pickle"


def _names_joblib_wrapper(head: bytes | bytearray | mmap.mmap, end: int) -> bool:
    """Whether ``head[:end]`` holds joblib's module name followed, at most ``_WRAPPER_GAP``
    bytes later, by its placeholder's class name. ``find`` runs at memory speed, several times
    faster than a regular expression with a gap, and a forest pickle's head is 4 MiB of it."""
    at = head.find(_JOBLIB_CLASS, 0, end)
    while at != -1:
        lowest = max(0, at - _WRAPPER_GAP - len(_JOBLIB_MODULE))
        if head.rfind(_JOBLIB_MODULE, lowest, at) != -1:
            return True
        at = head.find(_JOBLIB_CLASS, at + 1, end)
    return False


class _Decompressor(Protocol):
    def decompress(self, data: bytes, max_length: int = -1) -> bytes: ...  # pragma: no cover


def _decompress(data: Buffer, method: str, limit: int, source: str) -> bytearray:
    """Decompress a whole joblib container, refusing to grow past ``limit`` bytes."""
    if method == "compat":
        raise MalformedArtifactError(
            f"{source} uses joblib's legacy 'ZF' container (joblib < 0.10), which safeload does "
            "not read. Re-save the model with a current joblib.",
            path=source,
        )
    if method == "lz4":
        return _decompress_lz4(data, limit, source)
    factories: dict[str, Callable[[], Any]] = {
        "zlib": lambda: zlib.decompressobj(zlib.MAX_WBITS),
        "gzip": lambda: zlib.decompressobj(31),
        "bz2": bz2.BZ2Decompressor,
        "xz": lambda: lzma.LZMADecompressor(format=lzma.FORMAT_XZ),
        "lzma": lambda: lzma.LZMADecompressor(format=lzma.FORMAT_ALONE),
    }
    d = factories[method]()
    out = bytearray()
    try:
        if method in ("zlib", "gzip"):
            pending = data
            while True:
                chunk = d.decompress(pending, _CHUNK)
                out += chunk
                if len(out) > limit:
                    break
                pending = d.unconsumed_tail
                if not pending and not chunk:
                    break
            complete = d.eof and not d.unused_data
        else:
            chunk = d.decompress(data, _CHUNK)
            out += chunk
            while not d.eof and len(out) <= limit:
                if d.needs_input:
                    break
                out += d.decompress(b"", _CHUNK)
            complete = d.eof and not d.unused_data
    except (zlib.error, OSError, lzma.LZMAError, EOFError, ValueError) as exc:
        raise MalformedArtifactError(
            f"{source}: corrupt {method} data ({exc}); nothing was deserialized", path=source
        ) from exc
    if len(out) > limit:
        raise LimitExceededError(
            f"{source} decompresses to more than {limit} bytes (limit max_decompressed_size); "
            "refused as a possible decompression bomb",
            path=source,
        )
    if not complete:
        raise MalformedArtifactError(
            f"{source}: {method} data is truncated or followed by extra bytes", path=source
        )
    return out


def _decompress_lz4(data: Buffer, limit: int, source: str) -> bytearray:
    try:
        import lz4.frame  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError as exc:
        raise MalformedArtifactError(
            f"{source} is lz4-compressed; install the 'lz4' package to read it", path=source
        ) from exc
    d = lz4.frame.LZ4FrameDecompressor()
    out = bytearray()
    try:
        out += d.decompress(data, max_length=_CHUNK)
        while not d.eof and len(out) <= limit and not d.needs_input:
            out += d.decompress(b"", max_length=_CHUNK)
    except RuntimeError as exc:
        raise MalformedArtifactError(f"{source}: corrupt lz4 data ({exc})", path=source) from exc
    if len(out) > limit:
        raise LimitExceededError(f"{source} decompresses past {limit} bytes", path=source)
    if not d.eof or d.unused_data:
        raise MalformedArtifactError(f"{source}: lz4 data truncated or padded", path=source)
    return out


def joblib_stream(data: Buffer, limits: Limits, source: str) -> Buffer:
    """The raw pickle stream inside a joblib file (decompressed when needed).

    A ``bytearray`` lets the arrays be writable views of the one buffer instead of copies."""
    method = compression_of(data)
    if method is None:
        return data
    return _decompress(data, method, limits.max_decompressed_size, source)


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
    if prepared.format == "skops":
        from safeload.skops_format import read_skops

        obj = read_skops(artifact.data, policy, limits, source)
    else:
        reader = load_pickle_stream if prepared.format == "pickle" else load_joblib_stream
        with _gc.paused():  # a model is many objects; see safeload._gc
            obj = reader(prepared.stream, policy, limits, source, prepared.analysis, views=consume)
    validate_loaded(obj, source)
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
