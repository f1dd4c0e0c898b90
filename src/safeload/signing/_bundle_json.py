"""Strict reading of a model_signing bundle's JSON, for :mod:`safeload.signing.bundle` (the
envelope) and :mod:`safeload.signing.manifest` (the statement): every failure is one
:class:`~safeload.exceptions.SidecarFormatError` naming the signature file."""

from __future__ import annotations

import re
from typing import Any

from safeload.exceptions import SidecarFormatError
from safeload.signing._sidecar_json import strict_b64decode, strict_json

HEX64 = re.compile(r"[0-9a-f]{64}")


def format_error(source: str | None, what: str) -> SidecarFormatError:
    where = f"signature file {source}" if source else "signature"
    return SidecarFormatError(
        f"{where} is not a model_signing bundle safeload can verify: {what}. Ask the publisher "
        "for a bundle made by `model_signing sign key|certificate` (files, sha256), or re-sign "
        "with `safeload sign --signature-format model-signing`.",
        path=source,
    )


def strict_document(data: bytes, source: str | None) -> Any:
    try:
        text = data.decode("utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise format_error(source, "not UTF-8 text") from exc
    return strict_json(text, lambda what: format_error(source, what))


def exact_fields(
    obj: object, required: set[str], optional: set[str], what: str, source: str | None
) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise format_error(source, f"{what} must be a JSON object")
    if missing := required - set(obj):
        raise format_error(source, f"{what} lacks {', '.join(sorted(missing))}")
    if extra := set(obj) - required - optional:
        raise format_error(source, f"{what} has unknown field(s) {', '.join(sorted(extra))}")
    return obj


def decode_field_b64(value: object, what: str, source: str | None) -> bytes:
    return strict_b64decode(value, what, lambda why: format_error(source, why))
