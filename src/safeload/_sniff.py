"""What a file is, from its name or its first bytes: pickle, joblib (and which compressor) or
skops. Only a guess that picks a restricted reader; the static analysis decides
(:func:`safeload.formats.prepare`), and :mod:`safeload.formats` re-exports these names.
"""

from __future__ import annotations

import mmap
import pickle
import pickletools

from safeload._types import Buffer

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
    return proto or head.startswith(_ZIP_MAGIC) or _compressed_head(head)


def _compressed_head(head: bytes) -> bool:
    """A joblib compressor's magic that also starts a stream its decompressor reads. joblib's
    own magic for zlib is the one byte ``x`` and for bz2 ``BZ``, which text files start with
    too (a config beginning ``xgb...`` was a model to a folder scan); a zlib stream's first two
    bytes are a header (deflate, a multiple of 31), a bz2 stream's ``BZh`` and a block size."""
    kind = compression_of(head)
    if kind == "zlib":
        return len(head) >= 2 and head[0] & 0x0F == 8 and (head[0] << 8 | head[1]) % 31 == 0
    if kind == "bz2":
        return len(head) >= 4 and head[2:3] == b"h" and head[3:4] in b"123456789"
    return kind is not None


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
SNIFF_HEAD = 4 << 20


def sniff_format(data: Buffer) -> str:
    """Best guess from content alone: ``skops`` (zip), ``joblib`` (compressed, or a stream that
    refers to joblib's array placeholder) or ``pickle``.

    An uncompressed joblib file is a pickle stream followed, after each array's placeholder, by
    the array's raw bytes, which the pickle reader cannot parse; ``joblib.dump(m, "model.pkl")``
    is common, so the name alone is not trusted to tell. A wrong guess only picks the other
    restricted reader, under the same policy; a placeholder later than the first
    ``SNIFF_HEAD`` bytes is not seen (the pickle reader then refuses the raw array bytes).
    """
    if bytes(data[:4]) == _ZIP_MAGIC:
        return "skops"
    if compression_of(data) is not None:
        return "joblib"
    # bytes, bytearray and mmap search in place; other buffers are copied
    head = data if isinstance(data, (bytes, bytearray, mmap.mmap)) else bytes(data[:SNIFF_HEAD])
    if _names_joblib_wrapper(head, min(len(head), SNIFF_HEAD)):
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
