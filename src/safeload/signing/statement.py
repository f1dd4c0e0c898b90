"""The payload of safeload's sidecar: an in-toto Statement v1 naming the signed file (or every
file of a signed folder) with its digests, and safeload's predicate (format, size, times,
version, environment). Parsed strictly, once the envelope around it has been verified;
:mod:`safeload.sidecar` re-exports it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

from safeload.signing._sidecar_json import exact_keys, format_error, strict_document

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
#: Our predicate type; the trailing ``v1`` is the sidecar format version.
PREDICATE_TYPE = "https://safeload.dev/model-artifact/v1"
FORMATS = ("pickle", "joblib", "skops")
#: The format of a folder sidecar (``DIR.sig``): one subject per file, sizes in ``files``.
DIRECTORY = "directory"
MAX_FILES = 100_000
_TIME_FMT = "%Y-%m-%dT%H:%M:%SZ"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def format_time(value: datetime) -> str:
    """UTC, second precision, ``Z`` suffix (the only form the parser accepts)."""
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return value.astimezone(timezone.utc).strftime(_TIME_FMT)


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
        raise format_error(source, f"{what} must be a string")
    try:
        return datetime.strptime(value, _TIME_FMT).replace(tzinfo=timezone.utc)
    except ValueError as exc:
        raise format_error(source, f"{what} must look like 2026-01-31T12:00:00Z") from exc


def _short_str(value: object, what: str, source: str | None, limit: int = 256) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise format_error(
            source, f"{what} must be a non-empty string of at most {limit} characters"
        )
    return value


def parse_statement(payload: bytes, *, source: str | None = None) -> Statement:
    """Strictly parse the (already authenticated) payload into a :class:`Statement`."""
    try:
        text = payload.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise format_error(source, "payload is not UTF-8") from exc
    doc = exact_keys(
        strict_document(text, source),
        {"_type", "subject", "predicateType", "predicate"},
        set(),
        "the statement",
        source,
    )
    if doc["_type"] != STATEMENT_TYPE:
        raise format_error(source, f"statement _type must be {STATEMENT_TYPE!r}")
    if doc["predicateType"] != PREDICATE_TYPE:
        raise format_error(
            source,
            f"unknown predicateType {doc['predicateType']!r} (this safeload reads "
            f"{PREDICATE_TYPE!r}; a newer safeload may be needed)",
        )
    p = exact_keys(
        doc["predicate"],
        {"format", "size", "created", "environment"},
        {"expires", "version", "name", "files"},
        "the predicate",
        source,
    )
    folder = p["format"] == DIRECTORY
    if p["format"] not in FORMATS and not folder:
        raise format_error(source, f"format must be one of {', '.join((*FORMATS, DIRECTORY))}")
    subjects_doc = doc["subject"]
    if not isinstance(subjects_doc, list) or not subjects_doc:
        raise format_error(source, "the statement must name its subjects")
    if not folder and len(subjects_doc) != 1:
        raise format_error(source, "a file statement must name exactly one subject")
    if len(subjects_doc) > MAX_FILES:
        raise format_error(source, f"more than {MAX_FILES} subjects")
    subjects = [_parse_subject(entry, folder, source) for entry in subjects_doc]
    names = [x.name for x in subjects]
    if len(set(names)) != len(names):
        raise format_error(source, "a subject is listed twice")
    return Statement(tuple(subjects), _parse_predicate(p, folder, names, source))


def _parse_subject(entry: object, folder: bool, source: str | None) -> Subject:
    """One subject: a plain file name (a plain relative path in a folder statement) and its
    digests, 64 lowercase hex digits each."""
    sd = exact_keys(entry, {"name", "digest"}, set(), "the subject", source)
    name = _short_str(sd["name"], "subject name", source, 4096)
    if folder:
        parts = name.split("/")
        if name.startswith("/") or "\\" in name or any(x in ("", ".", "..") for x in parts):
            raise format_error(source, f"folder entry {name!r} is not a plain relative path")
    elif "/" in name or "\\" in name or name in (".", ".."):
        raise format_error(source, "subject name must be a plain file name")
    digest = exact_keys(sd["digest"], {"sha256"}, {"blake3"}, "the subject digest", source)
    for algorithm, value in digest.items():
        if not isinstance(value, str) or not _HEX64.fullmatch(value):
            raise format_error(source, f"digest.{algorithm} must be 64 lowercase hex digits")
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
            raise format_error(source, "files must give the size of exactly the listed subjects")
        files = raw_files
    elif "files" in p:
        raise format_error(source, "files is only for folder statements")
    size = p["size"]
    if type(size) is not int or size < 0:
        raise format_error(source, "size must be a non-negative integer")
    env = p["environment"]
    if (
        not isinstance(env, dict)
        or not all(
            isinstance(k, str) and isinstance(v, str) and len(v) <= 256 for k, v in env.items()
        )
        or len(env) > 64
    ):
        raise format_error(source, "environment must map names to version strings")
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
