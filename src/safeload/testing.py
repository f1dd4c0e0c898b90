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

import importlib
import inspect
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from safeload._attacks import CHECKS, AttackCase, attack_corpus
from safeload.exceptions import (
    SafeloadError,
)

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


@dataclass(frozen=True)
class CaseResult:
    """What happened when one check ran on one case."""

    name: str
    check: str
    #: The marker file exists afterwards: the payload ran.
    marker_created: bool
    #: ``module.QualName`` of the exception raised, ``None`` if the call returned, or
    #: ``"<timeout>"`` / ``"<crashed ...>"`` when the child process did not report.
    raised: str | None
    message: str = ""
    #: The exception is an instance of the case's ``expect``.
    expected: bool = False
    #: The exception is a :class:`~safeload.SafeloadError`.
    safeload_error: bool = False
    #: For ``scan``: the report's verdict (``safe``/``unsafe``), if it returned one.
    verdict: str | None = None
    seconds: float = 0.0

    @property
    def got_through(self) -> bool:
        """The payload ran, the load returned normally, or the scan called it safe."""
        if self.marker_created:
            return True
        if self.check == "scan":
            return self.verdict == "safe"
        return self.raised is None

    @property
    def refused(self) -> bool:
        """Cleanly refused: no marker, and a ``SafeloadError`` (or an ``unsafe`` verdict)."""
        if self.marker_created:
            return False
        return self.safeload_error or (self.check == "scan" and self.verdict == "unsafe")

    def describe(self) -> str:
        """One line for failure reports."""
        what = "MARKER CREATED; " if self.marker_created else ""
        if self.verdict is not None:
            what += f"verdict {self.verdict}"
        elif self.raised is None:
            what += "returned without raising"
        else:
            what += f"raised {self.raised}: {self.message[:200]}"
        return f"{self.name} [{self.check}]: {what}"


# --- running cases ------------------------------------------------------------------------------


def use_loaded(case: AttackCase, obj: object) -> object:
    """For a use-time case, call the method it names on a loaded object, as a user would
    (``obj.predict(numpy.zeros(USE_INPUT_SHAPE))``); otherwise return ``obj``. Exceptions from the
    method are swallowed: what matters is whether the marker appears."""
    if case.use is None:
        return obj
    import numpy as np

    from safeload._usetime_attacks import USE_INPUT_SHAPE

    try:
        return getattr(obj, case.use)(np.zeros(USE_INPUT_SHAPE))
    except Exception:  # a failing predict after the write is the common case
        return None


def plain_load(case: AttackCase, data: bytes, path: str) -> object:
    """Run the UNSAFE loader ``case`` targets on its bytes / file (and, for a use-time case,
    the method it names). This executes the payload: call it only in a throwaway process (as
    :func:`run_isolated` does)."""
    return use_loaded(case, _plain_load(case, data, path))


def _plain_load(case: AttackCase, data: bytes, path: str) -> object:
    kind = case.plain_loader
    if kind == "pickle":
        import pickle

        return pickle.loads(data)  # noqa: S301
    if kind == "pickle-twice":
        import pickle

        with open(path, "rb") as fh:
            pickle.load(fh)  # noqa: S301
            return pickle.load(fh)  # noqa: S301
    if kind == "joblib":
        import joblib

        return joblib.load(path)
    if kind == "skops-trusted":
        import skops.io

        return skops.io.loads(data, trusted=skops.io.get_untrusted_types(data=data))
    return None


def _qualname(exc: BaseException) -> str:
    cls = type(exc)
    return f"{cls.__module__}.{cls.__qualname__}"


def _execute(
    case: AttackCase, check: str, workdir: str | os.PathLike[str], fn: Callable[[bytes, str], Any]
) -> CaseResult:
    """Build ``case`` into ``workdir`` and call ``fn(data, path)``; a returned string is taken
    as a scan verdict."""
    wd = Path(workdir).resolve()
    wd.mkdir(parents=True, exist_ok=True)
    marker = wd / "marker"
    data = case.build(str(marker))
    path = wd / case.filename
    path.write_bytes(data)
    start = time.monotonic()
    raised: str | None = None
    message = ""
    expected = is_safeload = False
    verdict: str | None = None
    try:
        out = fn(data, str(path))
        if isinstance(out, str):
            verdict = out
    except Exception as exc:
        raised, message = _qualname(exc), f"{exc}"
        expected, is_safeload = isinstance(exc, case.expect), isinstance(exc, SafeloadError)
    return CaseResult(
        case.name,
        check,
        marker.exists(),
        raised,
        message,
        expected,
        is_safeload,
        verdict,
        round(time.monotonic() - start, 3),
    )


def run_case(
    case: AttackCase, loader: Callable[[bytes, str], object], workdir: str | os.PathLike[str]
) -> CaseResult:
    """Write ``case`` into ``workdir`` (marker ``workdir/marker``), call ``loader(data, path)``
    in this process and report what happened. Use a fresh directory per call."""
    return _execute(
        case, "loader", workdir, lambda data, path: (use_loaded(case, loader(data, path)), None)[1]
    )


def _limits_kw(case: AttackCase) -> dict[str, Any]:
    if not case.limits:
        return {}
    from safeload.policy import Limits

    return {"limits": Limits(**case.limits)}


def _import_spec(spec: str) -> Callable[..., object]:
    module, _, attr = spec.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"{spec} is not callable")
    return obj  # type: ignore[no-any-return]


def _spec_of(loader: Callable[..., object] | str | None) -> str:
    if loader is None:
        return "safeload:load_unsigned"
    if isinstance(loader, str):
        if ":" not in loader:
            raise ValueError(f"loader spec {loader!r} must look like 'package.module:function'")
        return loader
    module, qualname = getattr(loader, "__module__", None), getattr(loader, "__qualname__", "")
    if not module or not qualname or "<" in qualname or module == "__main__":
        raise TypeError(
            f"{loader!r} cannot be imported in a subprocess; pass a module-level function or "
            "its 'package.module:function' spec"
        )
    return f"{module}:{qualname}"


def _check_fn(case: AttackCase, check: str, loader: Callable[..., object] | None) -> Any:
    import safeload

    kw = _limits_kw(case)
    if check == "plain":
        return lambda data, path: plain_load(case, data, path)
    if check == "loader":
        fn = loader or safeload.load_unsigned
        try:
            takes_limits = "limits" in inspect.signature(fn).parameters
        except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
            takes_limits = False
        return lambda data, path: use_loaded(case, fn(path, **(kw if takes_limits else {})))
    if check == "signed":

        def signed(data: bytes, path: str) -> object:
            key = safeload.SigningKey.generate()
            safeload.sign(path, key, format=case.format)
            return use_loaded(case, safeload.load(path, key.public_key, **kw))

        return signed
    if check == "scan":
        return lambda data, path: safeload.scan(path, **kw).verdict
    raise ValueError(f"unknown check {check!r}; use one of {CHECKS}")


def _limit_memory(limit: int | None) -> None:
    if not limit:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child_main(job_json: str) -> None:
    """Entry point of a child process: run the listed ``(case, check)`` items in order,
    writing one JSON line when each starts and one with its result."""
    job = json.loads(job_json)
    _limit_memory(job["memory"])
    out = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever payloads print goes to stderr, not into the report channel
    corpus = {c.name: c for c in attack_corpus()}
    try:
        loader = _import_spec(job["loader"]) if job["loader"] else None
    except (ImportError, AttributeError, TypeError) as exc:
        # Every case would "get through" with this error: say so once, at once.
        module = job["loader"].partition(":")[0]
        out.write(json.dumps({"fatal": f"cannot import {module} ({job['loader']}): {exc}"}) + "\n")
        out.close()
        return
    for name, check in job["items"]:
        out.write(json.dumps({"start": [name, check]}) + "\n")
        case = corpus[name]
        result = _execute(
            case, check, Path(job["workdir"], name, check), _check_fn(case, check, loader)
        )
        out.write(json.dumps({"result": asdict(result)}) + "\n")
    out.close()


_CHILD = "import sys; from safeload.testing import _child_main; _child_main(sys.argv[1])"


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill a child this module started, with everything it started (its own session)."""
    if proc.poll() is not None:
        return
    if hasattr(os, "killpg"):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # pragma: no cover - exited meanwhile
            pass
    else:  # pragma: no cover - Windows
        proc.kill()
    proc.wait()


def _drive(
    items: list[tuple[str, str]],
    workdir: Path,
    loader: str | None,
    timeout: float,
    memory: int | None,
) -> dict[tuple[str, str], CaseResult]:
    """Run ``items`` in child processes, restarting after a crash or a timeout."""
    results: dict[tuple[str, str], CaseResult] = {}
    pending = list(items)
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"  # keeps the address space small under the memory cap
    while pending:
        job = {"items": pending, "workdir": str(workdir), "loader": loader, "memory": memory}
        log = tempfile.TemporaryFile()
        proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-c", _CHILD, json.dumps(job)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            start_new_session=hasattr(os, "killpg"),
        )
        lines: queue.Queue[bytes | None] = queue.Queue()

        def pump(stream: Any = proc.stdout, sink: queue.Queue[bytes | None] = lines) -> None:
            for line in stream:
                sink.put(line)
            sink.put(None)

        threading.Thread(target=pump, daemon=True).start()
        current: tuple[str, str] | None = None
        failure: str | None = None
        while True:
            try:
                line = lines.get(timeout=timeout)
            except queue.Empty:
                failure = "<timeout>"
                _kill(proc)
                break
            if line is None:
                if proc.wait() != 0 or pending:
                    failure = f"<crashed: exit status {proc.returncode}>"
                break
            msg = json.loads(line)
            if "fatal" in msg:
                _kill(proc)
                log.close()
                if proc.stdout is not None:
                    proc.stdout.close()
                raise ImportError(msg["fatal"])
            if "start" in msg:
                current = (msg["start"][0], msg["start"][1])
            else:
                result = CaseResult(**msg["result"])
                results[(result.name, result.check)] = result
                pending.remove((result.name, result.check))
                current = None
        if failure is not None and pending:
            item = current or pending[0]
            log.seek(0)
            tail = log.read()[-2000:].decode("utf-8", "replace")
            results[item] = CaseResult(
                item[0],
                item[1],
                False,
                failure,
                f"{failure} (time limit {timeout:g}s); child stderr tail: {tail}",
            )
            pending.remove(item)
        log.close()
        if proc.stdout is not None:
            proc.stdout.close()
    return results


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
