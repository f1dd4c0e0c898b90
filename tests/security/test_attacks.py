"""The attack corpus against safeload: every published technique, in throwaway subprocesses.

For every case in :func:`safeload.testing.attack_corpus`:

(a) the plain loader it targets really creates the marker (when the case says it executes), so
    each test below can fail;
(b) safeload refuses it through ``load_unsigned``, through ``load`` with a valid signature from
    a trusted key, and through ``scan`` (an ``unsafe`` verdict);
(c) the marker never appears during any safeload attempt.

All cases run in a few child processes (each item with its own directory and marker, a 60 s
limit and a 4 GiB address-space cap), once per session; the tests only read the results.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import safeload
from safeload import LimitExceededError, MalformedArtifactError, UntrustedTypeError
from safeload.testing import (
    AttackCase,
    CaseResult,
    assert_refuses,
    attack_corpus,
    run_case,
    run_isolated,
)

CASES = attack_corpus()
SAFELOAD_CHECKS = ("loader", "signed", "scan")
LIMITS = {"timeout": 60.0, "memory_limit": 4 * 2**30}  # per item; RLIMIT_AS in each child

# formats/scan: refuse_unless_clean() raises MalformedArtifactError for a limit hit during the
# analysis, although Limits and LimitExceededError promise LimitExceededError.
#: (case, check) -> reason, each an xfail(strict=True) until the library is fixed. The check
#: "marker" is test_marker_never_appears_under_safeload. (scan now reads a Tree's node arrays
#: from the stream, so the crafted-tree case is no longer one.)
KNOWN_BUGS: dict[tuple[str, str], str] = {}


def _params(check: str) -> list[object]:
    out: list[object] = []
    for case in CASES:
        reason = KNOWN_BUGS.get((case.name, check))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


@pytest.fixture(scope="session")
def outcomes() -> dict[tuple[str, str], CaseResult]:
    """Run the whole corpus once: the plain loaders and the safeload checks in separate
    processes (a payload that runs must not share a process with safeload)."""
    plain = [c for c in CASES if c.plain_loader != "none"]
    with ThreadPoolExecutor(2) as pool:
        jobs = [
            pool.submit(run_isolated, plain, checks=("plain",), **LIMITS),
            pool.submit(run_isolated, CASES, checks=SAFELOAD_CHECKS, **LIMITS),
        ]
        results = [r for job in jobs for r in job.result()]
    return {(r.name, r.check): r for r in results}


def test_corpus_is_large_and_distinct() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    assert len(set(names)) >= 40
    assert len({c.technique for c in CASES}) >= 40
    assert all(c.technique and c.reference for c in CASES)
    assert sum(c.executes for c in CASES) >= 40


@pytest.mark.parametrize("case", _params("plain"))
def test_plain_loader_runs_the_payload(
    case: AttackCase, outcomes: dict[tuple[str, str], CaseResult]
) -> None:
    if case.plain_loader == "none":
        pytest.skip("no plain loader executes this case (a resource bomb)")
    r = outcomes[(case.name, "plain")]
    assert not r.raised or not r.raised.startswith("<"), r.describe()
    assert r.marker_created == case.executes, r.describe()


def _assert_refused(case: AttackCase, r: CaseResult) -> None:
    assert not r.marker_created, r.describe()
    assert r.raised is not None, r.describe()
    assert r.expected, f"expected {case.expect.__name__}: {r.describe()}"


@pytest.mark.parametrize("case", _params("loader"))
def test_load_unsigned_refuses(
    case: AttackCase, outcomes: dict[tuple[str, str], CaseResult]
) -> None:
    _assert_refused(case, outcomes[(case.name, "loader")])


@pytest.mark.parametrize("case", _params("signed"))
def test_load_refuses_even_with_a_valid_signature(
    case: AttackCase, outcomes: dict[tuple[str, str], CaseResult]
) -> None:
    _assert_refused(case, outcomes[(case.name, "signed")])


@pytest.mark.parametrize("case", _params("scan"))
def test_scan_says_unsafe(case: AttackCase, outcomes: dict[tuple[str, str], CaseResult]) -> None:
    r = outcomes[(case.name, "scan")]
    assert not r.marker_created, r.describe()
    if r.verdict is None:
        # only a resource limit may stop the scan itself, and only with a safeload error
        assert case.plain_loader == "none" and r.safeload_error, r.describe()
        assert r.raised in {
            f"{cls.__module__}.{cls.__qualname__}"
            for cls in (MalformedArtifactError, LimitExceededError)
        }, r.describe()
    else:
        assert r.verdict == "unsafe", r.describe()


@pytest.mark.parametrize("case", _params("marker"))
def test_marker_never_appears_under_safeload(
    case: AttackCase, outcomes: dict[tuple[str, str], CaseResult]
) -> None:
    for check in SAFELOAD_CHECKS:
        r = outcomes[(case.name, check)]
        assert not r.marker_created, r.describe()
        assert not (r.raised or "").startswith("<"), r.describe()  # no timeout, no crash


def test_run_case_in_process(tmp_path: Path) -> None:
    case = next(c for c in CASES if c.name == "os-system-p0")
    r = run_case(case, lambda data, path: safeload.load_unsigned(path), tmp_path)
    assert r.refused and r.expected and not r.marker_created
    assert r.raised == "safeload.exceptions.UntrustedTypeError"
    assert issubclass(case.expect, UntrustedTypeError)


def test_assert_refuses_passes_for_safeload_and_catches_a_plain_loader() -> None:
    subset = ["os-system-p0", "joblib-gzip", "skops-reduce-node", "deep-marks"]
    results = assert_refuses(cases=subset)
    assert [r.name for r in results] == subset
    with pytest.raises(AssertionError, match=r"(?s)2 of 2 .*joblib-plain-payload.*MARKER CREATED"):
        assert_refuses("joblib:load", cases=["os-system-p0", "joblib-plain-payload"])


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ("mypkg_not_installed.models:load_model", "mypkg_not_installed.models"),
        ("json:no_such", "json"),
    ],
)
def test_assert_refuses_with_an_unimportable_loader_fails_at_once(spec: str, named: str) -> None:
    """Not every case "got through (exit status 1)" after minutes: one error naming the module."""
    import time

    started = time.monotonic()
    with pytest.raises(ImportError, match=f"cannot import {named}"):
        assert_refuses(spec)
    assert time.monotonic() - started < 20
