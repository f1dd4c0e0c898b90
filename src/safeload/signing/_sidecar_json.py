"""Strict parsing of signed JSON: no duplicate keys, non-standard constants, huge integers or
non-canonical base64, so one signed document has one spelling. :func:`strict_json` and
:func:`strict_b64decode` serve safeload's sidecars and model_signing bundles alike; the rest
raise :class:`~safeload.exceptions.SidecarFormatError` for a sidecar (:mod:`safeload.sidecar`,
:mod:`safeload.signing.statement`)."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from safeload._json_keys import unique_object
from safeload.exceptions import SidecarFormatError


def format_error(source: str | None, what: str) -> SidecarFormatError:
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
        return unique_object(pairs, fail)

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


def strict_document(text: str, source: str | None) -> Any:
    return strict_json(text, lambda what: format_error(source, what))


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


def decode_b64(text: object, what: str, source: str | None) -> bytes:
    return strict_b64decode(text, what, lambda why: format_error(source, why))


def encode_b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def exact_keys(
    obj: object, required: set[str], optional: set[str], what: str, source: str | None
) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise format_error(source, f"{what} must be a JSON object")
    keys = set(obj)
    if missing := required - keys:
        raise format_error(source, f"{what} lacks {', '.join(sorted(missing))}")
    if extra := keys - required - optional:
        raise format_error(source, f"{what} has unknown field(s) {', '.join(sorted(extra))}")
    return obj
