"""Public helpers for security regression tests: a corpus of published attacks on model loaders.

:func:`attack_corpus` returns one :class:`AttackCase` per technique. Every payload is assembled
at run time from raw pickle opcodes (or, for skops, by editing a real skops file's schema), and
its only effect is to create a marker file whose path the test chooses, so a test can prove that
a plain loader really runs it and that safeload does not.

:func:`assert_refuses` runs every case against a loader in throwaway subprocesses (with a time
limit and, where the platform allows, a memory cap) and raises ``AssertionError`` listing the
cases that got through. :func:`run_isolated` is the same machinery returning the raw results,
and :func:`run_case` runs one case in-process.

This module never runs a payload on import; only :func:`plain_load` (the deliberately unsafe
loader a case targets) does, and the helpers call it only inside a child process.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from safeload._attack_children import _drive
from safeload._attack_runs import CaseResult, _spec_of, plain_load, run_case, use_loaded
from safeload._attacks import CHECKS, AttackCase, attack_corpus

__all__ = [
    "CHECKS",
    "AttackCase",
    "CaseResult",
    "assert_refuses",
    "attack_corpus",
    "plain_load",
    "run_case",
    "run_isolated",
    "use_loaded",
]

# Running one case lives in safeload._attack_runs, the child processes in
# safeload._attack_children; the public names are re-exported here.


def run_isolated(
    cases: Iterable[AttackCase | str] | None = None,
    *,
    checks: Sequence[str] = ("loader",),
    loader: Callable[[str], object] | str | None = None,
    workdir: str | os.PathLike[str] | None = None,
    timeout: float = 60.0,
    workers: int = 2,
    memory_limit: int | None = 4 * 2**30,
) -> list[CaseResult]:
    """Run each check on each corpus case in child processes and return every result.

    ``checks`` come from :data:`CHECKS`. ``loader`` (for the ``loader`` check) is a
    ``"package.module:function"`` spec or a module-level function taking a path (and
    ``limits=`` if it accepts it); default :func:`safeload.load_unsigned`. Each child is capped
    at ``memory_limit`` bytes of address space; an item that takes longer than ``timeout``
    seconds or kills its child is reported with ``raised`` ``"<timeout>"`` / ``"<crashed ...>"``.
    A ``loader`` that cannot be imported (in the children, where it runs) raises
    ``ImportError`` naming its module before any case runs.
    Every item gets its own directory and marker; markers are checked again after all children
    have exited, so a payload that finishes late is still seen.
    """
    corpus = {c.name: c for c in attack_corpus()}
    selected: list[AttackCase] = []
    for c in cases if cases is not None else corpus.values():
        name = c if isinstance(c, str) else c.name
        if name not in corpus:
            raise ValueError(f"{name!r} is not a case of safeload.testing.attack_corpus()")
        selected.append(corpus[name])
    for check in checks:
        if check not in CHECKS:
            raise ValueError(f"unknown check {check!r}; use one of {CHECKS}")
    spec = _spec_of(loader) if "loader" in checks else None
    items = [(c.name, check) for c in selected for check in checks]
    n = max(1, min(workers, len(items)))
    chunks = [items[i::n] for i in range(n)]
    with tempfile.TemporaryDirectory(prefix="safeload-attacks-") as tmp:
        base = Path(workdir) if workdir is not None else Path(tmp)
        with ThreadPoolExecutor(n) as pool:
            parts = list(
                pool.map(lambda chunk: _drive(chunk, base, spec, timeout, memory_limit), chunks)
            )
        time.sleep(0.3)  # let anything a payload started in the background finish
        merged: dict[tuple[str, str], CaseResult] = {}
        for part in parts:
            merged.update(part)
        out = []
        for item in items:
            r = merged[item]
            if not r.marker_created and (base / item[0] / item[1] / "marker").exists():
                r = CaseResult(**{**asdict(r), "marker_created": True})
            out.append(r)
    return out


def assert_refuses(
    loader: Callable[[str], object] | str | None = None,
    *,
    cases: Iterable[AttackCase | str] | None = None,
    timeout: float = 60.0,
    strict: bool = False,
) -> list[CaseResult]:
    """Assert that ``loader`` (default :func:`safeload.load_unsigned`) refuses every case.

    Each case runs in a subprocess. A case got through if its marker appeared, if the loader
    returned without raising, or if it did not finish (timeout or crash). With ``strict``, the
    exception must also be an instance of the case's ``expect``. Returns all results.
    """
    results = run_isolated(cases, checks=("loader",), loader=loader, timeout=timeout)
    bad = [
        r
        for r in results
        if r.got_through or (r.raised or "").startswith("<") or (strict and not r.expected)
    ]
    if bad:
        lines = "\n".join(f"  - {r.describe()}" for r in bad)
        raise AssertionError(f"{len(bad)} of {len(results)} attack case(s) got through:\n{lines}")
    return results
