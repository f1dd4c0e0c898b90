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
import json
from dataclasses import dataclass
from typing import Any

from safeload.sidecar import MAX_SIDECAR_BYTES, PAYLOAD_TYPE, Signature, pae
from safeload.signing._bundle_json import (
    HEX64,
    decode_field_b64,
    exact_fields,
    format_error,
    strict_document,
)
from safeload.signing.manifest import (
    DEFAULT_IGNORE,
    MAX_RESOURCES,
    PREDICATE_TYPE,
    Manifest,
    Resource,
    parse_manifest,
    resource_order,
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
_MAX_SIGNATURES = 64
_MAX_CERTS = 10
# The signed statement (Manifest, parse_manifest) lives in safeload.signing.manifest, the strict
# JSON reading both share in safeload.signing._bundle_json; the public names are re-exported.


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
        raise format_error(source, f"larger than {MAX_SIDECAR_BYTES} bytes")
    doc = exact_fields(
        strict_document(data, source),
        {"mediaType", "verificationMaterial"},
        {"dsseEnvelope", "messageSignature"},
        "the bundle",
        source,
    )
    if doc["mediaType"] != BUNDLE_MEDIA_TYPE:
        raise format_error(
            source,
            f"unknown mediaType {doc['mediaType']!r} (safeload reads {BUNDLE_MEDIA_TYPE!r})",
        )
    if "dsseEnvelope" not in doc or "messageSignature" in doc:
        # Sigstore's content is a oneof: a messageSignature beside the envelope would be a
        # second, unchecked claim (red team 17, f04a); model_signing refuses it too
        raise format_error(
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
    vm = exact_fields(
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
        raise format_error(
            source,
            "it is a keyless Sigstore bundle (transparency-log entries or a Fulcio certificate); "
            "keyless verification is not supported yet",
        )
    if ("publicKey" in vm) == ("x509CertificateChain" in vm):
        raise format_error(
            source,
            "verificationMaterial must hold exactly one of publicKey and x509CertificateChain",
        )
    if "publicKey" in vm:
        pk = exact_fields(vm["publicKey"], set(), {"hint"}, "publicKey", source)
        raw_hint = pk.get("hint")
        if raw_hint is not None and (
            not isinstance(raw_hint, str) or not HEX64.fullmatch(raw_hint)
        ):
            raise format_error(source, "publicKey.hint must be 64 lower-case hex digits")
        return raw_hint, ()
    chain = exact_fields(
        vm["x509CertificateChain"], {"certificates"}, set(), "x509CertificateChain", source
    )["certificates"]
    if not isinstance(chain, list) or not 0 < len(chain) <= _MAX_CERTS:
        raise format_error(
            source, f"the certificate chain must hold 1 to {_MAX_CERTS} certificates"
        )
    certs = tuple(
        decode_field_b64(
            exact_fields(c, {"rawBytes"}, set(), "a certificate", source)["rawBytes"],
            "rawBytes",
            source,
        )
        for c in chain
    )
    return None, certs


def _envelope(value: object, source: str | None) -> tuple[bytes, tuple[Signature, ...]]:
    """``(payload, signatures)`` of the bundle's DSSE envelope, each strictly checked."""
    env = exact_fields(
        value, {"payload", "payloadType", "signatures"}, set(), "dsseEnvelope", source
    )
    if env["payloadType"] != PAYLOAD_TYPE:
        raise format_error(
            source, f"payloadType must be {PAYLOAD_TYPE!r}, found {env['payloadType']!r}"
        )
    payload = decode_field_b64(env["payload"], "payload", source)
    sigs_doc = env["signatures"]
    if not isinstance(sigs_doc, list) or not 0 < len(sigs_doc) <= _MAX_SIGNATURES:
        raise format_error(source, f"signatures must be a list of 1 to {_MAX_SIGNATURES} entries")
    sigs = []
    for entry in sigs_doc:
        e = exact_fields(entry, {"sig"}, {"keyid"}, "a signature", source)
        keyid = e.get("keyid", "")
        if keyid is None:
            keyid = ""
        if not isinstance(keyid, str) or len(keyid) > 256:
            raise format_error(source, "keyid must be a short string")
        sig = decode_field_b64(e["sig"], "sig", source)
        if not 0 < len(sig) <= 1024:
            raise format_error(source, "a signature has an impossible length")
        sigs.append(Signature(keyid, sig))
    return payload, tuple(sigs)
