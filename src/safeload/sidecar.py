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

import json
from dataclasses import dataclass

from safeload.signing._sidecar_json import (
    decode_b64,
    encode_b64,
    exact_keys,
    format_error,
    strict_document,
)
from safeload.signing._sidecar_json import strict_b64decode as strict_b64decode
from safeload.signing._sidecar_json import strict_json as strict_json
from safeload.signing.statement import DIRECTORY as DIRECTORY
from safeload.signing.statement import (
    FORMATS,
    PREDICATE_TYPE,
    STATEMENT_TYPE,
    Predicate,
    Statement,
    Subject,
    parse_statement,
)
from safeload.signing.statement import MAX_FILES as MAX_FILES
from safeload.signing.statement import format_time as format_time

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
MAX_SIDECAR_BYTES = 1 << 20
MAX_SIGNATURES = 64
_MAX_SIG_BYTES = 1024

# The statement (Subject, Predicate, Statement, parse_statement) lives in
# safeload.signing.statement, the strict JSON and base64 parsing in safeload.signing._sidecar_json;
# the names other code imports from here are re-exported.


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: what every signature actually covers."""
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


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
            "payload": encode_b64(self.payload),
            "payloadType": self.payload_type,
            "signatures": [{"keyid": s.keyid, "sig": encode_b64(s.sig)} for s in self.signatures],
        }
        return json.dumps(doc, indent=2).encode("utf-8") + b"\n"

    def with_signature(self, signature: Signature) -> Envelope:
        """A copy with one more signature; a second signature by the same key id replaces it."""
        kept = tuple(s for s in self.signatures if s.keyid != signature.keyid or not s.keyid)
        return Envelope(self.payload, self.payload_type, (*kept, signature))


def parse_envelope(data: bytes, *, source: str | None = None) -> Envelope:
    """Strictly parse sidecar bytes into an :class:`Envelope` (signatures are not checked here)."""
    if len(data) > MAX_SIDECAR_BYTES:
        raise format_error(source, f"larger than {MAX_SIDECAR_BYTES} bytes")
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise format_error(source, "not UTF-8 text") from exc
    doc = exact_keys(
        strict_document(text, source),
        {"payload", "payloadType", "signatures"},
        set(),
        "the envelope",
        source,
    )
    if doc["payloadType"] != PAYLOAD_TYPE:
        raise format_error(
            source, f"payloadType must be {PAYLOAD_TYPE!r}, found {doc['payloadType']!r}"
        )
    payload = decode_b64(doc["payload"], "payload", source)
    sigs_doc = doc["signatures"]
    if not isinstance(sigs_doc, list) or not sigs_doc:
        raise format_error(source, "signatures must be a non-empty list")
    if len(sigs_doc) > MAX_SIGNATURES:
        raise format_error(source, f"more than {MAX_SIGNATURES} signatures")
    sigs = []
    for entry in sigs_doc:
        e = exact_keys(entry, {"sig"}, {"keyid"}, "a signature", source)
        keyid = e.get("keyid", "")
        if not isinstance(keyid, str) or len(keyid) > 256:
            raise format_error(source, "keyid must be a short string")
        sig = decode_b64(e["sig"], "sig", source)
        if not 0 < len(sig) <= _MAX_SIG_BYTES:
            raise format_error(source, "a signature has an impossible length")
        sigs.append(Signature(keyid, sig))
    envelope = Envelope(payload, PAYLOAD_TYPE, tuple(sigs))
    if envelope.to_json() != data:
        # The signatures cover the payload only (DSSE); requiring the canonical layout means
        # every byte outside the signatures is fixed. The signature values and key-id hints are
        # not: an ECDSA signature's s may become n - s, and a hint may be blanked, and the .sig
        # still verifies (the payload, and so what was signed, cannot change; rt17 f06).
        raise format_error(source, "not in the exact layout safeload writes (was it edited?)")
    return envelope
