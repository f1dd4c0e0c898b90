"""The sidecar: a DSSE envelope whose payload is an in-toto Statement v1.

Format v1 (``<artifact>.sig``, UTF-8 JSON)::

    {"payload": "<base64 statement>",
     "payloadType": "application/vnd.in-toto+json",
     "signatures": [{"keyid": "<hex>", "sig": "<base64>"}, ...]}

The statement names one subject (the artifact's basename and SHA-256) and carries the
``PREDICATE_TYPE`` predicate below. Signatures cover the DSSE pre-authentication encoding (PAE) of
the exact payload bytes, so nothing is ever re-serialized before it is checked.

Parsing is strict: unknown or missing fields, duplicate JSON keys, non-canonical base64, non-UTF-8
text or an oversized sidecar raise :class:`~safeload.exceptions.SidecarFormatError`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

from safeload.exceptions import SidecarFormatError

__all__ = [
    "FORMATS",
    "MAX_SIDECAR_BYTES",
    "PAYLOAD_TYPE",
    "PREDICATE_TYPE",
    "STATEMENT_TYPE",
    "Envelope",
    "Predicate",
    "Signature",
    "Statement",
    "Subject",
    "pae",
    "parse_envelope",
    "parse_statement",
]

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
#: Our predicate type; the trailing ``v1`` is the sidecar format version.
PREDICATE_TYPE = "https://safeload.dev/model-artifact/v1"
MAX_SIDECAR_BYTES = 1 << 20
MAX_SIGNATURES = 64
FORMATS = ("pickle", "joblib", "skops")
#: The format of a folder sidecar (``DIR.sig``): one subject per file, sizes in ``files``.
DIRECTORY = "directory"
MAX_FILES = 100_000
_TIME_FMT = "%Y-%m-%dT%H:%M:%SZ"
_HEX64 = re.compile(r"[0-9a-f]{64}")
_MAX_SIG_BYTES = 1024


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: what every signature actually covers."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def format_time(value: datetime) -> str:
    """UTC, second precision, ``Z`` suffix (the only form the parser accepts)."""
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(timezone.utc).strftime(_TIME_FMT)


def _fail(source: str | None, what: str) -> SidecarFormatError:
    where = f"sidecar {source}" if source else "sidecar"
    return SidecarFormatError(
        f"{where} is not a valid safeload v1 signature file: {what}. "
        "Re-create it with `safeload sign`, or get the original .sig from the publisher.",
        path=source,
    )


#: JSON integers longer than this are refused (red team 17, f04b).
_MAX_INT_DIGITS = 64


def strict_json(text: str, fail: Callable[[str], Exception]) -> Any:
    """Parse signed JSON strictly: duplicate keys, NaN/Infinity, integers over
    ``_MAX_INT_DIGITS`` digits, invalid JSON and runaway nesting each raise ``fail(reason)``
    (safeload's sidecars here, model_signing bundles in :mod:`safeload.signing.bundle`)."""

    def no_dupes(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for k, v in pairs:
            if k in out:
                raise fail(f"duplicate JSON key {k!r}")
            out[k] = v
        return out

    def no_constants(name: str) -> Any:
        raise fail(f"non-standard JSON constant {name}")

    def small_int(digits: str) -> int:
        # int() refuses over 4300 digits with a bare ValueError; nothing signed needs 20
        if len(digits) > _MAX_INT_DIGITS:
            raise fail(f"a JSON integer of {len(digits)} digits")
        return int(digits)

    try:
        return json.loads(
            text, object_pairs_hook=no_dupes, parse_constant=no_constants, parse_int=small_int
        )
    except json.JSONDecodeError as exc:
        raise fail(f"invalid JSON ({exc.msg} at position {exc.pos})") from exc
    except RecursionError as exc:
        raise fail("JSON nested too deeply") from exc


def _strict_json(text: str, source: str | None) -> Any:
    return strict_json(text, lambda what: _fail(source, what))


def strict_b64decode(text: object, what: str, fail: Callable[[str], Exception]) -> bytes:
    """The bytes of ``text``, which must be a string of standard, padded, canonical base64
    (the one encoding of those bytes: no other alphabet, whitespace or stray padding bits), so
    one signature has one spelling; anything else raises ``fail(reason)``. Shared by the
    sidecar and model_signing bundle parsers."""
    if not isinstance(text, str):
        raise fail(f"{what} must be a base64 string")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise fail(f"{what} is not valid base64") from exc
    if base64.b64encode(raw).decode("ascii") != text:
        raise fail(f"{what} is not canonical base64")
    return raw


def _b64decode(text: object, what: str, source: str | None) -> bytes:
    return strict_b64decode(text, what, lambda why: _fail(source, why))


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _exact_keys(
    obj: object, required: set[str], optional: set[str], what: str, source: str | None
) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _fail(source, f"{what} must be a JSON object")
    keys = set(obj)
    if missing := required - keys:
        raise _fail(source, f"{what} lacks {', '.join(sorted(missing))}")
    if extra := keys - required - optional:
        raise _fail(source, f"{what} has unknown field(s) {', '.join(sorted(extra))}")
    return obj


@dataclass(frozen=True)
class Signature:
    """One DSSE signature. ``keyid`` is a hint for finding the key, never a trust decision."""

    keyid: str
    sig: bytes


@dataclass(frozen=True)
class Envelope:
    """A parsed DSSE envelope. ``payload`` holds the exact signed bytes."""

    payload: bytes
    payload_type: str = PAYLOAD_TYPE
    signatures: tuple[Signature, ...] = ()

    def pae(self) -> bytes:
        """The bytes the signatures cover."""
        return pae(self.payload_type, self.payload)

    def to_json(self) -> bytes:
        """Serialize (the payload is carried as base64 of its exact bytes)."""
        doc = {
            "payload": _b64(self.payload),
            "payloadType": self.payload_type,
            "signatures": [{"keyid": s.keyid, "sig": _b64(s.sig)} for s in self.signatures],
        }
        return json.dumps(doc, indent=2).encode("utf-8") + b"\n"

    def with_signature(self, signature: Signature) -> Envelope:
        """A copy with one more signature; a second signature by the same key id replaces it."""
        kept = tuple(s for s in self.signatures if s.keyid != signature.keyid or not s.keyid)
        return Envelope(self.payload, self.payload_type, (*kept, signature))


def parse_envelope(data: bytes, *, source: str | None = None) -> Envelope:
    """Strictly parse sidecar bytes into an :class:`Envelope` (signatures are not checked here)."""
    if len(data) > MAX_SIDECAR_BYTES:
        raise _fail(source, f"larger than {MAX_SIDECAR_BYTES} bytes")
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise _fail(source, "not UTF-8 text") from exc
    doc = _exact_keys(
        _strict_json(text, source),
        {"payload", "payloadType", "signatures"},
        set(),
        "the envelope",
        source,
    )
    if doc["payloadType"] != PAYLOAD_TYPE:
        raise _fail(source, f"payloadType must be {PAYLOAD_TYPE!r}, found {doc['payloadType']!r}")
    payload = _b64decode(doc["payload"], "payload", source)
    sigs_doc = doc["signatures"]
    if not isinstance(sigs_doc, list) or not sigs_doc:
        raise _fail(source, "signatures must be a non-empty list")
    if len(sigs_doc) > MAX_SIGNATURES:
        raise _fail(source, f"more than {MAX_SIGNATURES} signatures")
    sigs = []
    for entry in sigs_doc:
        e = _exact_keys(entry, {"sig"}, {"keyid"}, "a signature", source)
        keyid = e.get("keyid", "")
        if not isinstance(keyid, str) or len(keyid) > 256:
            raise _fail(source, "keyid must be a short string")
        sig = _b64decode(e["sig"], "sig", source)
        if not 0 < len(sig) <= _MAX_SIG_BYTES:
            raise _fail(source, "a signature has an impossible length")
        sigs.append(Signature(keyid, sig))
    envelope = Envelope(payload, PAYLOAD_TYPE, tuple(sigs))
    if envelope.to_json() != data:
        # The signatures cover the payload only (DSSE); requiring the canonical layout means
        # every byte outside the signatures is fixed. The signature values and key-id hints are
        # not: an ECDSA signature's s may become n - s, and a hint may be blanked, and the .sig
        # still verifies (the payload, and so what was signed, cannot change; rt17 f06).
        raise _fail(source, "not in the exact layout safeload writes (was it edited?)")
    return envelope


@dataclass(frozen=True)
class Subject:
    """The signed file: its name and digests (hex). SHA-256 is always there; BLAKE3 is added
    when the signer has the ``blake3`` package (a dependency) and checked instead of SHA-256 by
    verifiers that have it too."""

    name: str
    sha256: str
    blake3: str | None = None

    def digest(self) -> dict[str, str]:
        """The in-toto digest set."""
        return {"sha256": self.sha256, **({"blake3": self.blake3} if self.blake3 else {})}


@dataclass(frozen=True)
class Predicate:
    """What safeload records about the artifact at signing time."""

    format: str
    size: int
    created: datetime
    expires: datetime | None = None
    version: str | None = None
    name: str | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    #: directory format only: relative path -> size in bytes, for every file in the folder.
    files: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "environment", MappingProxyType(dict(self.environment)))
        object.__setattr__(self, "files", MappingProxyType(dict(self.files)))


@dataclass(frozen=True)
class Statement:
    """An in-toto Statement v1 and a safeload predicate: one subject for a file, one per file
    (relative paths) for a folder."""

    subjects: tuple[Subject, ...]
    predicate: Predicate
    predicate_type: str = PREDICATE_TYPE

    @property
    def subject(self) -> Subject:
        """The single subject of a file statement."""
        if len(self.subjects) != 1:
            raise ValueError("a folder statement has one subject per file")
        return self.subjects[0]

    def to_json(self) -> bytes:
        """The payload bytes (compact JSON with sorted keys)."""
        p = self.predicate
        pred: dict[str, Any] = {
            "format": p.format,
            "size": p.size,
            "created": format_time(p.created),
            "environment": dict(p.environment),
        }
        if p.expires is not None:
            pred["expires"] = format_time(p.expires)
        if p.version is not None:
            pred["version"] = p.version
        if p.name is not None:
            pred["name"] = p.name
        if p.format == DIRECTORY:
            pred["files"] = dict(p.files)
        doc = {
            "_type": STATEMENT_TYPE,
            "subject": [{"name": s.name, "digest": s.digest()} for s in self.subjects],
            "predicateType": self.predicate_type,
            "predicate": pred,
        }
        return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode("utf-8")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (as parsed back from :meth:`to_json`)."""
        result: dict[str, Any] = json.loads(self.to_json())
        return result


def _parse_time(value: object, what: str, source: str | None) -> datetime:
    if not isinstance(value, str):
        raise _fail(source, f"{what} must be a string")
    try:
        return datetime.strptime(value, _TIME_FMT).replace(tzinfo=timezone.utc)
    except ValueError as exc:
        raise _fail(source, f"{what} must look like 2026-01-31T12:00:00Z") from exc


def _short_str(value: object, what: str, source: str | None, limit: int = 256) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise _fail(source, f"{what} must be a non-empty string of at most {limit} characters")
    return value


def parse_statement(payload: bytes, *, source: str | None = None) -> Statement:
    """Strictly parse the (already authenticated) payload into a :class:`Statement`."""
    try:
        text = payload.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise _fail(source, "payload is not UTF-8") from exc
    doc = _exact_keys(
        _strict_json(text, source),
        {"_type", "subject", "predicateType", "predicate"},
        set(),
        "the statement",
        source,
    )
    if doc["_type"] != STATEMENT_TYPE:
        raise _fail(source, f"statement _type must be {STATEMENT_TYPE!r}")
    if doc["predicateType"] != PREDICATE_TYPE:
        raise _fail(
            source,
            f"unknown predicateType {doc['predicateType']!r} (this safeload reads "
            f"{PREDICATE_TYPE!r}; a newer safeload may be needed)",
        )
    p = _exact_keys(
        doc["predicate"],
        {"format", "size", "created", "environment"},
        {"expires", "version", "name", "files"},
        "the predicate",
        source,
    )
    folder = p["format"] == DIRECTORY
    if p["format"] not in FORMATS and not folder:
        raise _fail(source, f"format must be one of {', '.join((*FORMATS, DIRECTORY))}")
    subjects_doc = doc["subject"]
    if not isinstance(subjects_doc, list) or not subjects_doc:
        raise _fail(source, "the statement must name its subjects")
    if not folder and len(subjects_doc) != 1:
        raise _fail(source, "a file statement must name exactly one subject")
    if len(subjects_doc) > MAX_FILES:
        raise _fail(source, f"more than {MAX_FILES} subjects")
    subjects = [_parse_subject(entry, folder, source) for entry in subjects_doc]
    names = [x.name for x in subjects]
    if len(set(names)) != len(names):
        raise _fail(source, "a subject is listed twice")
    return Statement(tuple(subjects), _parse_predicate(p, folder, names, source))


def _parse_subject(entry: object, folder: bool, source: str | None) -> Subject:
    """One subject: a plain file name (a plain relative path in a folder statement) and its
    digests, 64 lowercase hex digits each."""
    sd = _exact_keys(entry, {"name", "digest"}, set(), "the subject", source)
    name = _short_str(sd["name"], "subject name", source, 4096)
    if folder:
        parts = name.split("/")
        if name.startswith("/") or "\\" in name or any(x in ("", ".", "..") for x in parts):
            raise _fail(source, f"folder entry {name!r} is not a plain relative path")
    elif "/" in name or "\\" in name or name in (".", ".."):
        raise _fail(source, "subject name must be a plain file name")
    digest = _exact_keys(sd["digest"], {"sha256"}, {"blake3"}, "the subject digest", source)
    for algorithm, value in digest.items():
        if not isinstance(value, str) or not _HEX64.fullmatch(value):
            raise _fail(source, f"digest.{algorithm} must be 64 lowercase hex digits")
    return Subject(name, digest["sha256"], digest.get("blake3"))


def _parse_predicate(
    p: dict[str, Any], folder: bool, names: list[str], source: str | None
) -> Predicate:
    """The predicate's fields, each strictly typed; ``files`` (a folder's sizes) must cover
    exactly the subjects ``names``."""
    files: dict[str, int] = {}
    if folder:
        raw_files = p.get("files")
        if (
            not isinstance(raw_files, dict)
            or set(raw_files) != set(names)
            or not all(type(v) is int and v >= 0 for v in raw_files.values())
        ):
            raise _fail(source, "files must give the size of exactly the listed subjects")
        files = raw_files
    elif "files" in p:
        raise _fail(source, "files is only for folder statements")
    size = p["size"]
    if type(size) is not int or size < 0:
        raise _fail(source, "size must be a non-negative integer")
    env = p["environment"]
    if (
        not isinstance(env, dict)
        or not all(
            isinstance(k, str) and isinstance(v, str) and len(v) <= 256 for k, v in env.items()
        )
        or len(env) > 64
    ):
        raise _fail(source, "environment must map names to version strings")
    return Predicate(
        format=p["format"],
        size=size,
        created=_parse_time(p["created"], "created", source),
        expires=_parse_time(p["expires"], "expires", source) if "expires" in p else None,
        version=_short_str(p["version"], "version", source) if "version" in p else None,
        name=_short_str(p["name"], "name", source) if "name" in p else None,
        environment=env,
        files=files,
    )
