"""The coverage corpus in ``make test`` (issue 15, items 3 and 4), one writer per kind.

``make compare`` writes every kind with every writer (benchmarks/coverage_corpus.py); here each
kind gets one writer, taken in turn from :data:`corpus_kinds.WRITERS`, so every kind and every
writer is exercised in well under a minute. For each file:

- ``scan`` gives the verdict ``load_unsigned`` gives (item 4);
- an ordinary scikit-learn kind loads under the default policy, with every output identical;
- a kind refused by design is refused;
- a third-party kind loads with its profile where ``load_unsigned`` takes ``profiles=``, and is
  refused without one.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest

import safeload
from corpus_kinds import KINDS, WRITERS, Kind, available, fit, judge, outputs, write

_WRITERS = list(WRITERS)
#: The writer each by-design kind is refused from (pickle cannot write a lambda at all).
_BY_DESIGN_WRITER = {"function_transformer_lambda": "cloudpickle"}
#: Known disagreements between scan and load, each a bug to fix (kind -> why); strict xfail,
#: so a fix makes the test say so.
_SCAN_GAPS: dict[str, str] = {}


def _cases() -> list[Any]:
    cases = []
    for i, kind in enumerate(KINDS):
        writer = _BY_DESIGN_WRITER.get(kind.name, _WRITERS[i % len(_WRITERS)])
        marks = []
        if kind.name in _SCAN_GAPS:
            marks.append(pytest.mark.xfail(reason=_SCAN_GAPS[kind.name], strict=True))
        if not available(kind):
            marks.append(pytest.mark.skip(reason=f"{kind.requires} is not installed"))
        cases.append(pytest.param(kind, writer, marks=marks, id=f"{kind.name}-{writer}"))
    return cases


def _profiles(kind: Kind) -> dict[str, Any]:
    takes = "profiles" in inspect.signature(safeload.load_unsigned).parameters
    return {"profiles": [kind.profile]} if kind.profile and takes else {}


def _write_from(model: Any, writer: str) -> tuple[bytes, str]:
    """The file ``writer`` makes, or the next writer's where it cannot write this kind (skops
    has no Birch; pickle no lambda)."""
    start = _WRITERS.index(writer)
    for w in _WRITERS[start:] + _WRITERS[:start]:
        try:
            return write(model, w), w
        except Exception:  # noqa: S112 - that writer cannot write this kind: try the next
            continue
    raise AssertionError("no writer can write this kind")


def test_the_corpus_covers_every_writer_and_a_hundred_kinds() -> None:
    ordinary = [k for k in KINDS if k.group == "ordinary"]
    assert len(ordinary) >= 100
    assert len({k.name for k in KINDS}) == len(KINDS)
    assert {w for _, w in ((c.values[0], c.values[1]) for c in _cases())} == set(WRITERS)
    assert {k.profile for k in KINDS if k.profile} == {
        "imblearn",
        "xgboost",
        "lightgbm",
        "catboost",
        "category_encoders",
    }


@pytest.mark.filterwarnings("ignore:Class PassiveAggressiveClassifier is deprecated")
@pytest.mark.parametrize(("kind", "writer"), _cases())
def test_kind_loads_as_scan_says(kind: Kind, writer: str, tmp_path: Path) -> None:
    fitted = fit(kind)
    expected = outputs(fitted.model, fitted.X)
    assert expected, f"{kind.name} offers nothing to compare"
    data, writer = _write_from(fitted.model, writer)
    path = tmp_path / f"{kind.name}{WRITERS[writer]}"
    path.write_bytes(data)
    kw = _profiles(kind)
    report = safeload.scan(path, **kw)
    try:
        loaded = safeload.load_unsigned(path, **kw)
    except safeload.SafeloadError as exc:
        assert not report.safe, f"scan called safe a file that load refuses: {exc}"
        assert kind.group != "ordinary", f"{kind.name} by {writer} refused: {exc}"
        assert kind.group == "by-design" or not kw, f"{kind.name} refused with its profile: {exc}"
        return
    assert report.safe, (report.untrusted, report.findings)
    assert kind.group != "by-design", f"{kind.name} should be refused: {kind.by_design}"
    outcome, why = judge(expected, loaded, fitted.X, data, writer)
    assert outcome == "loaded", f"{kind.name} by {writer} loaded wrong: {why}"
