"""Sweep scikit-learn estimators for small files that a safeload load admits and that then
cost much more than their size when a public method is called ("safe to use", STYLE.md).

For every estimator class (all_estimators() + experimental ones, one base setting each), fit
on a small input, check that safeload loads the honest pickle (a refusal is reported as
``honest-refused``), then make mutants of the fitted object, one change each:

* every integer attribute (parameter or fitted) set to 2**16 and 2**30;
* every 1-D array of at most 64 items tiled to 65,536 items, every 2-D array tiled to
  4,096 rows or columns (what an attacker pays for in file bytes);
* every list or tuple of estimators (``estimators_``-like) made of its first item 256 times.

Each mutant is pickled; a forked child (address space capped at ``--memory`` MiB, CPU at 60
s) runs ``safeload.scan`` and ``safeload.load_unsigned`` on the bytes and, when the load
admits the file, calls every public method on five rows. Reported (JSON lines):

* ``harm``: an admitted mutant whose calls raised MemoryError, took more than 1 GiB of peak
  resident memory, were killed by a signal, or ran out of time;
* ``parity``: scan and load disagree;
* ``honest-refused``: the unmutated model is refused.

Usage: python fuzz/width_sweep.py [--only Name,Name] [--out width_sweep.jsonl] [--memory 3072]

Not part of ``make fuzz`` (tens of minutes); ``make width-sweep`` runs it.
"""

# ruff: noqa: E402 - the thread counts are set before numpy is imported
# ruff: noqa: S112 - an estimator that raises on a setting is skipped, by design

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "LOKY_MAX_CPU_COUNT"):
    os.environ.setdefault(_v, "1")

import argparse
import inspect
import json
import pickle
import resource
import signal
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from in_place_sweep import (  # type: ignore[import-not-found]
    SKIP_CLASSES,
    build_bases,
    make_base,
    make_data,
    public_methods,
)

INT_VALUES = (2**16, 2**30)
LONG_1D = 65_536
WIDE_2D = 4_096
REPEATS = 256
HARM_RSS = 1 << 30  # bytes
CHILD_SECONDS = 60
ROWS = 5


def mutants(est: Any) -> list[tuple[str, Any]]:
    """(label, mutated copy) for every one-change mutant of the fitted ``est``."""
    import copy

    out: list[tuple[str, Any]] = []
    for key, value in list(vars(est).items()):
        changes: list[tuple[str, Any]] = []
        if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
            changes = [(f"{key}={v}", type(value)(v)) for v in INT_VALUES]
        elif isinstance(value, np.ndarray) and value.dtype != object and value.size:
            if value.ndim == 1 and value.size <= 64:
                changes = [(f"{key}:len{LONG_1D}", np.resize(value, LONG_1D))]
            elif value.ndim == 2:
                rows = np.resize(value, (WIDE_2D, value.shape[1]))
                cols = np.resize(value.T, (WIDE_2D, value.shape[0])).T.copy()
                changes = [(f"{key}:rows{WIDE_2D}", rows), (f"{key}:cols{WIDE_2D}", cols)]
        elif isinstance(value, (list, tuple)) and value and hasattr(value[0], "get_params"):
            many = [value[0]] * REPEATS
            changes = [
                (f"{key}:x{REPEATS}", type(value)(many) if isinstance(value, tuple) else many)
            ]
        for label, new in changes:
            try:
                m = copy.copy(est)
                m.__dict__ = dict(est.__dict__)
                m.__dict__[key] = new
                out.append((label, m))
            except Exception:
                continue
    return out


def call_args(fn: Any, meth: str, X: Any, y: Any) -> tuple[list[Any], dict[str, Any]] | None:
    """Positional arguments for a public method, or None when it needs more than X and y."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    args: list[Any] = []
    for pname, prm in sig.parameters.items():
        if prm.kind in (prm.VAR_POSITIONAL, prm.VAR_KEYWORD):
            continue
        if prm.default is not prm.empty:
            continue
        if pname in ("X", "Xt", "data", "K", "X_test", "Y"):
            args.append(X.copy())
        elif pname in ("y", "y_true"):
            args.append(y.copy())
        else:
            return None
    return args, {}


def exercise(obj: Any, X: Any, y: Any) -> dict[str, Any]:
    """Call every public method on ``X``; per method the outcome and the peak RSS after it."""
    out: dict[str, Any] = {}
    for meth in public_methods(obj):
        if meth.startswith("fit") or meth == "partial_fit":
            continue
        fn = getattr(obj, meth, None)
        if fn is None:
            continue
        a = call_args(fn, meth, X, y)
        if a is None:
            continue
        try:
            r = fn(*a[0], **a[1])
            if inspect.isgenerator(r):
                for _ in r:
                    pass
            outcome = "ok"
        except MemoryError:
            outcome = "MemoryError"
        except Exception as exc:
            outcome = type(exc).__name__
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        out[meth] = [outcome, peak]
    for meth in ("__repr__", "_repr_html_", "get_feature_names_out"):
        fn = getattr(obj, meth, None)
        if fn is None:
            continue
        try:
            fn()
            outcome = "ok"
        except MemoryError:
            outcome = "MemoryError"
        except Exception as exc:
            outcome = type(exc).__name__
        out[meth] = [outcome, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024]
    return out


def in_child(
    data: bytes, X: Any, y: Any, memory: int, call: bool, plain: bool = False
) -> dict[str, Any]:
    """scan and load ``data`` (and call the loaded model) in a forked child, bounded."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        result: dict[str, Any] = {}
        try:
            limit = memory * 1024 * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            resource.setrlimit(resource.RLIMIT_CPU, (CHILD_SECONDS, CHILD_SECONDS))
            import safeload

            with tempfile.TemporaryDirectory() as d:
                path = Path(d) / "m.pkl"
                path.write_bytes(data)
                try:
                    result["scan"] = bool(safeload.scan(data).safe)
                except Exception as exc:
                    result["scan"] = f"raised {type(exc).__name__}"
                try:
                    obj = pickle.loads(data) if plain else safeload.load_unsigned(path)
                    result["load"] = "ok"
                except Exception as exc:
                    result["load"] = f"{type(exc).__name__}: {str(exc)[:300]}"
                    obj = None
            if obj is not None and call:
                result["base_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
                result["calls"] = exercise(obj, X, y)
        except BaseException as exc:
            result["child_error"] = repr(exc)[:300]
        os.write(w, json.dumps(result, default=str).encode())
        os._exit(0)
    os.close(w)
    chunks = []
    deadline = time.monotonic() + CHILD_SECONDS * 2
    status = None
    while True:
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            status = "timeout"
            break
        time.sleep(0.02)
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    os.close(r)
    try:
        res = json.loads(b"".join(chunks) or b"{}")
    except ValueError:
        res = {"bad_output": True}
    if status == "timeout":
        res["killed"] = "timeout"
    elif isinstance(status, int) and os.WIFSIGNALED(status):
        res["killed"] = f"signal {os.WTERMSIG(status)}"
    return res


#: Flags that SECURITY.md documents as accepted: (class name suffix, mutant prefix, why).
DOCUMENTED = (
    (
        "Forest",
        "_n_samples=",
        "a forest may claim a training set of N samples; estimators_samples_ (and a notebook's "
        "display) then makes N indexes per tree, as for an honest forest trained on N",
    ),
    (
        "Trees",
        "_n_samples=",
        "as for forests (ExtraTrees, RandomTreesEmbedding)",
    ),
)


def documented(name: str, mutant: str) -> str | None:
    """Why a flagged mutant is a documented limit, or ``None``."""
    for suffix, prefix, why in DOCUMENTED:
        if (name.endswith(suffix) or suffix in name) and mutant.startswith(prefix):
            return why
    return None


def verdict(res: dict[str, Any]) -> list[str]:
    """What is wrong with one child's result: harm and parity labels."""
    bad = []
    if "killed" in res:
        bad.append(f"harm: {res['killed']}")
    calls = res.get("calls") or {}
    for meth, (outcome, peak) in calls.items():
        if outcome == "MemoryError":
            bad.append(f"harm: {meth} MemoryError")
        elif peak - res.get("base_rss", 0) > HARM_RSS:
            bad.append(f"harm: {meth} peak {peak >> 20} MiB")
    scan_safe = res.get("scan")
    if isinstance(scan_safe, bool) and "load" in res:
        if scan_safe != (res["load"] == "ok"):
            bad.append(f"parity: scan {scan_safe}, load {res['load'][:120]}")
    return bad


def sweep(name: str, index: int, memory: int, out: Any, plain: bool = False) -> None:
    """Fit one base setting of ``name`` and sweep its mutants."""
    warnings.filterwarnings("ignore")
    try:
        est, _params = make_base(name, index)
        data = make_data(name, est)
        X, y = data["X"], data["y"]
        est.fit(X, y)
    except Exception as exc:
        print(f"{name}[{index}]: not fitted ({type(exc).__name__})", file=sys.stderr)
        return
    X5, y5 = X[:ROWS], y[:ROWS]
    honest = in_child(pickle.dumps(est, protocol=5), X5, y5, memory, call=False)
    if honest.get("load") != "ok":
        rec = {"class": name, "base": index, "kind": "honest-refused", "why": honest}
        out.write(json.dumps(rec, default=str) + "\n")
        out.flush()
        print(f"{name}[{index}]: honest model refused: {honest.get('load')}", file=sys.stderr)
        return
    found = admitted = 0
    ms = mutants(est)
    for label, m in ms:
        try:
            data_m = pickle.dumps(m, protocol=5)
        except Exception:
            continue
        res = in_child(data_m, X5, y5, memory, call=True, plain=plain)
        admitted += res.get("load") == "ok"
        bad = verdict(res)
        if plain:
            bad = [b for b in bad if not b.startswith("parity")]
        if bad:
            found += 1
            rec = {
                "documented": documented(name, label),
                "class": name,
                "base": index,
                "mutant": label,
                "bytes": len(data_m),
                "problems": bad,
                "result": res,
            }
            out.write(json.dumps(rec, default=str) + "\n")
            out.flush()
    print(
        f"{name}[{index}]: {len(ms)} mutants, {admitted} loaded, {found} flagged",
        file=sys.stderr,
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="")
    ap.add_argument("--out", default="width_sweep.jsonl")
    ap.add_argument("--memory", type=int, default=3072, help="child address space, MiB")
    ap.add_argument(
        "--plain", action="store_true", help="load mutants with pickle.loads (what harms at all)"
    )
    opts = ap.parse_args()
    only = {s for s in opts.only.split(",") if s}
    tasks = [
        (n, i)
        for n, i in build_bases()
        if i == 0 and n not in SKIP_CLASSES and (not only or n in only)
    ]
    start = time.monotonic()
    with open(opts.out, "w") as out:
        for name, index in tasks:
            sweep(name, index, opts.memory, out, opts.plain)
    print(f"{len(tasks)} classes in {time.monotonic() - start:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
