"""``load_unsigned`` that also checks ``scan`` gives its verdict (issue 14: scan = load).

Test modules that build crafted models import this ``load_unsigned`` instead of safeload's:
every file a load refuses must scan unsafe, and every file it loads (under the same trusted
names and trust profiles) must scan safe, from the stream alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import safeload
from safeload import SafeloadError
from safeload.trust import facts


def load_unsigned(path: Path | str, **kwargs: Any) -> Any:
    """:func:`safeload.load_unsigned`, asserting that :func:`safeload.scan` agrees."""
    report = safeload.scan(
        path, trusted=kwargs.get("trusted", ()), profiles=kwargs.get("profiles", ())
    )
    try:
        loaded = safeload.load_unsigned(path, **kwargs)
    except SafeloadError:
        assert not report.safe, f"scan called safe a file that load refuses: {path}"
        raise
    assert report.safe, (path, report.untrusted, report.findings)
    return loaded


def verdicts(
    data: bytes,
    monkeypatch: pytest.MonkeyPatch,
    fmt: str | None = None,
    profiles: list[str] | None = None,
) -> set[str]:
    """:func:`safeload.scan`'s verdict on ``data`` (in format ``fmt``, with trust
    ``profiles``) judged from the shipped class facts and from the imported classes (the two
    must agree: the facts only ever clear a stream)."""
    kw: dict[str, Any] = {} if fmt is None else {"format": fmt}
    if profiles is not None:
        kw["profiles"] = profiles
    found = {safeload.scan(data, **kw).verdict}
    with monkeypatch.context() as m:
        m.setattr(facts, "data_available", lambda: False)
        found.add(safeload.scan(data, **kw).verdict)
    return found
