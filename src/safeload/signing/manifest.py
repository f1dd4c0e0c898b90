"""The statement a model_signing bundle signs: an in-toto Statement v1 with predicate
``https://model_signing/signature/v1.0`` listing the model's files (the ``files``
serialization, SHA-256 digests) in model_signing's order, and the paths left out.
:mod:`safeload.signing.bundle` re-exports it; parsing is as strict as the bundle's.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass

from safeload.sidecar import STATEMENT_TYPE
from safeload.signing._bundle_json import HEX64, exact_fields, format_error, strict_document

__all__ = [
    "DEFAULT_IGNORE",
    "MAX_RESOURCES",
    "PREDICATE_TYPE",
    "Manifest",
    "Resource",
    "parse_manifest",
    "resource_order",
]

PREDICATE_TYPE = "https://model_signing/signature/v1.0"
#: What model_signing always leaves out of a folder (and records in ``ignore_paths``).
DEFAULT_IGNORE: tuple[str, ...] = (".git", ".gitattributes", ".github", ".gitignore")
MAX_RESOURCES = 100_000


@dataclass(frozen=True)
class Resource:
    """One signed file: its POSIX path relative to the model (``.`` for a single-file model)
    and its SHA-256 digest (hex)."""

    name: str
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """The signed statement: the model's name (informational), its files in model_signing's
    order, and the paths the signer left out."""

    model_name: str
    resources: tuple[Resource, ...]
    ignore_paths: tuple[str, ...] = DEFAULT_IGNORE
    allow_symlinks: bool = False

    @property
    def root_digest(self) -> str:
        """SHA-256 over the concatenated raw resource digests, in order (the subject digest)."""
        h = hashlib.sha256()
        for r in self.resources:
            h.update(bytes.fromhex(r.sha256))
        return h.hexdigest()

    def to_json(self) -> bytes:
        """The in-toto statement bytes (compact JSON)."""
        doc = {
            "_type": STATEMENT_TYPE,
            "subject": [{"name": self.model_name, "digest": {"sha256": self.root_digest}}],
            "predicateType": PREDICATE_TYPE,
            "predicate": {
                "serialization": {
                    "method": "files",
                    "hash_type": "sha256",
                    "allow_symlinks": self.allow_symlinks,
                    "ignore_paths": list(self.ignore_paths),
                },
                "resources": [
                    {"name": r.name, "algorithm": "sha256", "digest": r.sha256}
                    for r in self.resources
                ],
            },
        }
        return json.dumps(doc, separators=(",", ":")).encode("utf-8")


def resource_order(name: str) -> tuple[str, ...]:
    """Sort key of a resource name: model_signing sorts paths by their components."""
    return tuple(name.split("/"))


def _check_name(name: object, source: str | None) -> str:
    if not isinstance(name, str) or not name or len(name) > 4096:
        raise format_error(source, "a resource name must be a non-empty string")
    if name == ".":
        return name
    parts = name.split("/")
    if name.startswith("/") or "\\" in name or "\x00" in name:
        raise format_error(source, f"resource {name!r} is not a relative POSIX path")
    if any(p in ("", ".", "..") for p in parts):
        raise format_error(
            source, f"resource {name!r} is not a plain relative path (no '..', '.' or //)"
        )
    return name


def _check_ignore(value: object, source: str | None) -> str:
    if not isinstance(value, str) or not value or len(value) > 4096:
        raise format_error(source, "ignore_paths entries must be non-empty strings")
    norm = value.rstrip("/")
    if norm.startswith("/") or any(p in ("", "..") for p in norm.split("/")):
        raise format_error(source, f"ignore path {value!r} is not a relative path inside the model")
    return norm


def parse_manifest(payload: bytes, *, source: str | None = None) -> Manifest:
    """Strictly parse the (already authenticated) statement into a :class:`Manifest`."""
    doc = exact_fields(
        strict_document(payload, source),
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
            f"unknown predicateType {doc['predicateType']!r} (safeload reads {PREDICATE_TYPE!r})",
        )
    subjects = doc["subject"]
    if not isinstance(subjects, list) or len(subjects) != 1:
        raise format_error(source, "the statement must name exactly one subject")
    subject = exact_fields(subjects[0], {"name", "digest"}, set(), "the subject", source)
    digest = exact_fields(subject["digest"], {"sha256"}, set(), "the subject digest", source)[
        "sha256"
    ]
    if not isinstance(digest, str) or not HEX64.fullmatch(digest):
        raise format_error(source, "the subject digest must be 64 lower-case hex digits")
    model_name = subject["name"]
    if not isinstance(model_name, str) or len(model_name) > 4096:
        raise format_error(source, "the subject name must be a string")
    pred = exact_fields(
        doc["predicate"], {"serialization", "resources"}, set(), "the predicate", source
    )
    ser = exact_fields(
        pred["serialization"],
        {"method", "hash_type", "allow_symlinks"},
        {"ignore_paths"},
        "serialization",
        source,
    )
    if ser["method"] != "files" or ser["hash_type"] != "sha256":
        raise format_error(
            source,
            f"serialization {ser['method']!r} with {ser['hash_type']!r} digests is not supported "
            "(only 'files' with 'sha256', the only one model_signing's CLI verifies)",
        )
    if not isinstance(ser["allow_symlinks"], bool):
        raise format_error(source, "allow_symlinks must be true or false")
    ignores = ser.get("ignore_paths", [])
    if not isinstance(ignores, list) or len(ignores) > 1000:
        raise format_error(source, "ignore_paths must be a list")
    ignore_paths = tuple(_check_ignore(v, source) for v in ignores)
    res_doc = pred["resources"]
    if not isinstance(res_doc, list) or not 0 < len(res_doc) <= MAX_RESOURCES:
        raise format_error(source, f"resources must list 1 to {MAX_RESOURCES} files")
    resources = []
    for entry in res_doc:
        r = exact_fields(entry, {"name", "algorithm", "digest"}, set(), "a resource", source)
        if r["algorithm"] != "sha256":
            raise format_error(
                source, f"resource digest algorithm {r['algorithm']!r} is not sha256"
            )
        if not isinstance(r["digest"], str) or not HEX64.fullmatch(r["digest"]):
            raise format_error(source, "a resource digest must be 64 lower-case hex digits")
        resources.append(Resource(_check_name(r["name"], source), r["digest"]))
    names = [r.name for r in resources]
    if "." in names and len(names) != 1:
        raise format_error(source, "'.' (a single-file model) must be the only resource")
    keys = [resource_order(n) for n in names]
    if any(a >= b for a, b in itertools.pairwise(keys)):
        raise format_error(source, "resources are not sorted by path, or one is listed twice")
    manifest = Manifest(model_name, tuple(resources), ignore_paths, ser["allow_symlinks"])
    if manifest.root_digest != digest:
        raise format_error(source, "the subject digest does not match the listed resources")
    return manifest
