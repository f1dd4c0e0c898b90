"""Names a package exports but imports on first use (its module ``__getattr__``, PEP 562)."""

from __future__ import annotations

import importlib
from typing import Any


def resolve(namespace: dict[str, Any], module: str, name: str) -> Any:
    """``name`` from ``module``, imported now, and kept in the package's ``namespace`` so that
    later look-ups are plain attribute reads."""
    value = getattr(importlib.import_module(module), name)
    namespace[name] = value
    return value
