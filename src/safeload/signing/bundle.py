"""The OpenSSF model_signing format: a Sigstore bundle v0.3 holding a DSSE envelope of an in-toto
Statement v1 with predicate ``https://model_signing/signature/v1.0``.

Only what model_signing's own ``verify key`` / ``verify certificate`` read is accepted: the
``files`` serialization with SHA-256 digests, and a public-key hint or an X.509 chain as
verification material. Parsing is strict (unknown fields, duplicate JSON keys, non-canonical
base64, unsorted or duplicate resources, ``..`` or absolute names, a subject digest that does
not match the resources): each raises :class:`~safeload.exceptions.SidecarFormatError` naming the
signature file. Nothing here checks a signature; :mod:`safeload.signing.modelsig` does.

Bundle layout (compact JSON, as model_signing writes it)::

    {"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json",
     "verificationMaterial": {"publicKey": {"hint": "<sha256 of the key's PEM>"},
                              "tlogEntries": []},
     "dsseEnvelope": {"payload": "<base64>", "payloadType": "application/vnd.in-toto+json",
                      "signatures": [{"sig": "<base64 DER>", "keyid": ""}]}}
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

from safeload.exceptions import SidecarFormatError
from safeload.sidecar import (
    MAX_SIDECAR_BYTES,
    PAYLOAD_TYPE,
    STATEMENT_TYPE,
    Signature,
    pae,
    strict_b64decode,
    strict_json,
)

__all__ = [
    "BUNDLE_MEDIA_TYPE",
    "DEFAULT_IGNORE",
    "MAX_RESOURCES",
    "PREDICATE_TYPE",
    "Bundle",
    "Manifest",
    "Resource",
    "is_bundle",
    "parse_bundle",
    "parse_manifest",
    "resource_order",
]

BUNDLE_MEDIA_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json"
PREDICATE_TYPE = "https://model_signing/signature/v1.0"
#: What model_signing always leaves out of a folder (and records in ``ignore_paths``).
DEFAULT_IGNORE: tuple[str, ...] = (".git", ".gitattributes", ".github", ".gitignore")
MAX_RESOURCES = 100_000
_MAX_SIGNATURES = 64
_MAX_CERTS = 10
_HEX64 = re.compile(r"[0-9a-f]{64}")


def _fail(source: str | None, what: str) -> SidecarFormatError:
    where = f"signature file {source}" if source else "signature"
    return SidecarFormatError(
        f"{where} is not a model_signing bundle safeload can verify: {what}. Ask the publisher "
        "for a bundle made by `model_signing sign key|certificate` (files, sha256), or re-sign "
        "with `safeload sign --signature-format model-signing`.",
        path=source,
    )


def _strict_json(data: bytes, source: str | None) -> Any:
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise _fail(source, "not UTF-8 text") from exc
    return strict_json(text, lambda what: _fail(source, what))


def _fields(
    obj: object, required: set[str], optional: set[str], what: str, source: str | None
) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _fail(source, f"{what} must be a JSON object")
    if missing := required - set(obj):
        raise _fail(source, f"{what} lacks {', '.join(sorted(missing))}")
    if extra := set(obj) - required - optional:
        raise _fail(source, f"{what} has unknown field(s) {', '.join(sorted(extra))}")
    return obj


def _b64(value: object, what: str, source: str | None) -> bytes:
    return strict_b64decode(value, what, lambda why: _fail(source, why))


def is_bundle(data: bytes) -> bool:
    """Whether signature-file bytes are a Sigstore bundle rather than a safeload sidecar, told by
    content: a JSON object with a ``mediaType`` member. Only routes to the strict parser; it is
    never a trust decision (both formats are verified against pinned keys)."""
    head = data[:4096].lstrip()
    if not head.startswith(b"{"):
        return False
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return b'"mediaType"' in head
    return isinstance(doc, dict) and "mediaType" in doc


@dataclass(frozen=True)
class Bundle:
    """A parsed bundle. ``payload`` holds the exact signed bytes; ``hint`` is the public-key hint
    (``None`` in certificate mode or when absent); ``certificates`` the DER chain, leaf first."""

    payload: bytes
    signatures: tuple[Signature, ...]
    hint: str | None = None
    certificates: tuple[bytes, ...] = ()
    payload_type: str = PAYLOAD_TYPE

    def pae(self) -> bytes:
        """The bytes every signature covers (DSSE pre-authentication encoding)."""
        return pae(self.payload_type, self.payload)

    def to_json(self) -> bytes:
        """Compact JSON in the member order model_signing writes."""
        material: dict[str, Any]
        if self.certificates:
            material = {
                "x509CertificateChain": {
                    "certificates": [
                        {"rawBytes": base64.b64encode(c).decode("ascii")} for c in self.certificates
                    ]
                },
                "tlogEntries": [],
            }
        else:
            material = {"publicKey": {"hint": self.hint}, "tlogEntries": []}
        doc = {
            "mediaType": BUNDLE_MEDIA_TYPE,
            "verificationMaterial": material,
            "dsseEnvelope": {
                "payload": base64.b64encode(self.payload).decode("ascii"),
                "payloadType": self.payload_type,
                "signatures": [
                    {"sig": base64.b64encode(s.sig).decode("ascii"), "keyid": s.keyid}
                    for s in self.signatures
                ],
            },
        }
        return json.dumps(doc, separators=(",", ":")).encode("utf-8")


def parse_bundle(data: bytes, *, source: str | None = None) -> Bundle:
    """Strictly parse bundle bytes (signatures are not checked here)."""
    if len(data) > MAX_SIDECAR_BYTES:
        raise _fail(source, f"larger than {MAX_SIDECAR_BYTES} bytes")
    doc = _fields(
        _strict_json(data, source),
        {"mediaType", "verificationMaterial"},
        {"dsseEnvelope", "messageSignature"},
        "the bundle",
        source,
    )
    if doc["mediaType"] != BUNDLE_MEDIA_TYPE:
        raise _fail(
            source,
            f"unknown mediaType {doc['mediaType']!r} (safeload reads {BUNDLE_MEDIA_TYPE!r})",
        )
    if "dsseEnvelope" not in doc or "messageSignature" in doc:
        # Sigstore's content is a oneof: a messageSignature beside the envelope would be a
        # second, unchecked claim (red team 17, f04a); model_signing refuses it too
        raise _fail(
            source,
            "it must hold exactly one DSSE envelope and no messageSignature (a message "
            "signature is not a model)",
        )
    hint, certs = _verification_material(doc["verificationMaterial"], source)
    payload, sigs = _envelope(doc["dsseEnvelope"], source)
    return Bundle(payload, sigs, hint, certs)


def _verification_material(
    value: object, source: str | None
) -> tuple[str | None, tuple[bytes, ...]]:
    """``(key hint, certificate chain)`` from a bundle's verificationMaterial: exactly one of a
    public key (with an optional hint) and an X.509 chain; keyless material is refused."""
    vm = _fields(
        value,
        set(),
        {
            "publicKey",
            "x509CertificateChain",
            "certificate",
            "tlogEntries",
            "timestampVerificationData",
        },
        "verificationMaterial",
        source,
    )
    if vm.get("tlogEntries", []) != [] or "certificate" in vm or "timestampVerificationData" in vm:
        raise _fail(
            source,
            "it is a keyless Sigstore bundle (transparency-log entries or a Fulcio certificate); "
            "keyless verification is not supported yet",
        )
    if ("publicKey" in vm) == ("x509CertificateChain" in vm):
        raise _fail(
            source,
            "verificationMaterial must hold exactly one of publicKey and x509CertificateChain",
        )
    if "publicKey" in vm:
        pk = _fields(vm["publicKey"], set(), {"hint"}, "publicKey", source)
        raw_hint = pk.get("hint")
        if raw_hint is not None and (
            not isinstance(raw_hint, str) or not _HEX64.fullmatch(raw_hint)
        ):
            raise _fail(source, "publicKey.hint must be 64 lower-case hex digits")
        return raw_hint, ()
    chain = _fields(
        vm["x509CertificateChain"], {"certificates"}, set(), "x509CertificateChain", source
    )["certificates"]
    if not isinstance(chain, list) or not 0 < len(chain) <= _MAX_CERTS:
        raise _fail(source, f"the certificate chain must hold 1 to {_MAX_CERTS} certificates")
    certs = tuple(
        _b64(
            _fields(c, {"rawBytes"}, set(), "a certificate", source)["rawBytes"],
            "rawBytes",
            source,
        )
        for c in chain
    )
    return None, certs


def _envelope(value: object, source: str | None) -> tuple[bytes, tuple[Signature, ...]]:
    """``(payload, signatures)`` of the bundle's DSSE envelope, each strictly checked."""
    env = _fields(value, {"payload", "payloadType", "signatures"}, set(), "dsseEnvelope", source)
    if env["payloadType"] != PAYLOAD_TYPE:
        raise _fail(source, f"payloadType must be {PAYLOAD_TYPE!r}, found {env['payloadType']!r}")
    payload = _b64(env["payload"], "payload", source)
    sigs_doc = env["signatures"]
    if not isinstance(sigs_doc, list) or not 0 < len(sigs_doc) <= _MAX_SIGNATURES:
        raise _fail(source, f"signatures must be a list of 1 to {_MAX_SIGNATURES} entries")
    sigs = []
    for entry in sigs_doc:
        e = _fields(entry, {"sig"}, {"keyid"}, "a signature", source)
        keyid = e.get("keyid", "")
        if keyid is None:
            keyid = ""
        if not isinstance(keyid, str) or len(keyid) > 256:
            raise _fail(source, "keyid must be a short string")
        sig = _b64(e["sig"], "sig", source)
        if not 0 < len(sig) <= 1024:
            raise _fail(source, "a signature has an impossible length")
        sigs.append(Signature(keyid, sig))
    return payload, tuple(sigs)


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
        raise _fail(source, "a resource name must be a non-empty string")
    if name == ".":
        return name
    parts = name.split("/")
    if name.startswith("/") or "\\" in name or "\x00" in name:
        raise _fail(source, f"resource {name!r} is not a relative POSIX path")
    if any(p in ("", ".", "..") for p in parts):
        raise _fail(source, f"resource {name!r} is not a plain relative path (no '..', '.' or //)")
    return name


def _check_ignore(value: object, source: str | None) -> str:
    if not isinstance(value, str) or not value or len(value) > 4096:
        raise _fail(source, "ignore_paths entries must be non-empty strings")
    norm = value.rstrip("/")
    if norm.startswith("/") or any(p in ("", "..") for p in norm.split("/")):
        raise _fail(source, f"ignore path {value!r} is not a relative path inside the model")
    return norm


def parse_manifest(payload: bytes, *, source: str | None = None) -> Manifest:
    """Strictly parse the (already authenticated) statement into a :class:`Manifest`."""
    doc = _fields(
        _strict_json(payload, source),
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
            f"unknown predicateType {doc['predicateType']!r} (safeload reads {PREDICATE_TYPE!r})",
        )
    subjects = doc["subject"]
    if not isinstance(subjects, list) or len(subjects) != 1:
        raise _fail(source, "the statement must name exactly one subject")
    subject = _fields(subjects[0], {"name", "digest"}, set(), "the subject", source)
    digest = _fields(subject["digest"], {"sha256"}, set(), "the subject digest", source)["sha256"]
    if not isinstance(digest, str) or not _HEX64.fullmatch(digest):
        raise _fail(source, "the subject digest must be 64 lower-case hex digits")
    model_name = subject["name"]
    if not isinstance(model_name, str) or len(model_name) > 4096:
        raise _fail(source, "the subject name must be a string")
    pred = _fields(doc["predicate"], {"serialization", "resources"}, set(), "the predicate", source)
    ser = _fields(
        pred["serialization"],
        {"method", "hash_type", "allow_symlinks"},
        {"ignore_paths"},
        "serialization",
        source,
    )
    if ser["method"] != "files" or ser["hash_type"] != "sha256":
        raise _fail(
            source,
            f"serialization {ser['method']!r} with {ser['hash_type']!r} digests is not supported "
            "(only 'files' with 'sha256', the only one model_signing's CLI verifies)",
        )
    if not isinstance(ser["allow_symlinks"], bool):
        raise _fail(source, "allow_symlinks must be true or false")
    ignores = ser.get("ignore_paths", [])
    if not isinstance(ignores, list) or len(ignores) > 1000:
        raise _fail(source, "ignore_paths must be a list")
    ignore_paths = tuple(_check_ignore(v, source) for v in ignores)
    res_doc = pred["resources"]
    if not isinstance(res_doc, list) or not 0 < len(res_doc) <= MAX_RESOURCES:
        raise _fail(source, f"resources must list 1 to {MAX_RESOURCES} files")
    resources = []
    for entry in res_doc:
        r = _fields(entry, {"name", "algorithm", "digest"}, set(), "a resource", source)
        if r["algorithm"] != "sha256":
            raise _fail(source, f"resource digest algorithm {r['algorithm']!r} is not sha256")
        if not isinstance(r["digest"], str) or not _HEX64.fullmatch(r["digest"]):
            raise _fail(source, "a resource digest must be 64 lower-case hex digits")
        resources.append(Resource(_check_name(r["name"], source), r["digest"]))
    names = [r.name for r in resources]
    if "." in names and len(names) != 1:
        raise _fail(source, "'.' (a single-file model) must be the only resource")
    keys = [resource_order(n) for n in names]
    if any(a >= b for a, b in itertools.pairwise(keys)):
        raise _fail(source, "resources are not sorted by path, or one is listed twice")
    manifest = Manifest(model_name, tuple(resources), ignore_paths, ser["allow_symlinks"])
    if manifest.root_digest != digest:
        raise _fail(source, "the subject digest does not match the listed resources")
    return manifest
