"""JSON objects whose keys are unique: the one rule every signed or schema document safeload
parses shares (sidecars, model_signing bundles, keyrings, skops schemas). Python's ``json``
keeps the last of two equal keys silently, so a document could say one thing to safeload and
another to a tool that keeps the first (a second ``"revoked": []`` dropped the revocations
before it, rt46-06)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["unique_object"]


def unique_object(
    pairs: list[tuple[str, Any]], fail: Callable[[str], Exception] = ValueError
) -> dict[str, Any]:
    """A JSON object's ``pairs`` as a dict (``json.loads``' ``object_pairs_hook``); a key
    given twice raises ``fail(reason)``."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise fail(f"the key {key!r} is given twice")
        out[key] = value
    return out
