"""Scan against load on mutated states of honest models (issue 14: ``scan`` = ``load``).

    python fuzz/parity_states.py --seconds 120 [--seed 1] [--kinds SVC,KMeans] [--json out.json]

The opcode fuzz targets (``fuzz_diff.py`` and the others) mutate bytes, which rarely reach the
rules on an estimator's state: most mutated streams are malformed long before that. This target
mutates states instead. It fits every ordinary scikit-learn kind of the coverage corpus
(``tests/corpus_kinds.py``), then, in a seeded random order, sets one attribute of the model (or
of an estimator it holds, one level down) to a value from :data:`PALETTE`, pickles it, and asks
both sides: ``safeload.scan`` of the bytes and ``safeload.load_unsigned`` of the file. A
disagreement (scan safe and the load refuses, or scan unsafe and the load returns a model) or a
raw exception from either side is a finding. The palette holds the odd values red teams used:
other containers, dict subclasses, numbers of every kind and size, numpy scalars, types and odd
dtypes, sparse matrices, random states.

Each mutation runs in this process: both sides only check and build, they never call a model's
methods, and every value in the palette is small. Exit status 1 when anything disagreed.
"""

from __future__ import annotations

import argparse
import collections
import decimal
import fractions
import json
import pickle
import random
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

#: Values an attribute is set to, by a short name (each made fresh per mutation).
PALETTE: dict[str, Callable[[], Any]] = {
    "none": lambda: None,
    "true": lambda: True,
    "zero": lambda: 0,
    "minus-one": lambda: -1,
    "big-int": lambda: 2**100,
    "negative-big-int": lambda: -(2**70),
    "inf": lambda: float("inf"),
    "nan": lambda: float("nan"),
    "huge-float": lambda: 1e308,
    "complex": lambda: complex(1, 1),
    "str": lambda: "x",
    "bytes": lambda: b"xx",
    "bytearray": lambda: bytearray(b"x"),
    "empty-tuple": lambda: (),
    "pair": lambda: (1, 2),
    "empty-list": lambda: [],
    "empty-dict": lambda: {},
    "set": lambda: {1, 2},
    "frozenset": lambda: frozenset([1]),
    "ordered-dict": lambda: collections.OrderedDict(a=1),
    "counter": lambda: collections.Counter(a=2),
    "decimal": lambda: decimal.Decimal("1.5"),
    "fraction": lambda: fractions.Fraction(1, 3),
    "range": lambda: range(3),
    "slice": lambda: slice(1, 2),
    "np-str": lambda: np.str_("ab"),
    "np-float32": lambda: np.float32(1.5),
    "np-int8": lambda: np.int8(-3),
    "np-uint64-max": lambda: np.uint64(2**64 - 1),
    "np-bool": lambda: np.bool_(True),
    "np-0d": lambda: np.array(5),
    "np-empty-2d": lambda: np.zeros((2, 0)),
    "np-bytes": lambda: np.array([1, 2], dtype="S3"),
    "np-object": lambda: np.array(["a"], dtype=object),
    "np-complex": lambda: np.array([1 + 2j]),
    "np-float16": lambda: np.array([[1, 2]], dtype=np.float16),
    "np-datetime": lambda: np.array(["2020-01-01"], dtype="M8[D]"),
    "np-record": lambda: np.array([(1, 2.0)], dtype=[("a", "i4"), ("b", "f8")]),
    "np-big-endian": lambda: np.arange(3).astype(">i8"),
    "np-nan-inf": lambda: np.array([np.nan, np.inf]),
    "np-names": lambda: np.array(["predict", "transform"], dtype=object),
    "dtype": lambda: np.dtype("f8"),
    "type-float64": lambda: np.float64,
    "csr": lambda: sp.csr_matrix(np.eye(3)),
    "coo-array": lambda: sp.coo_array(np.eye(2)),
    "random-state": lambda: np.random.RandomState(0),
}


def _kinds(only: set[str]) -> list[Any]:
    from corpus_kinds import KINDS, available

    return [
        k for k in KINDS if k.group == "ordinary" and available(k) and (not only or k.name in only)
    ]


def _targets(model: Any) -> list[tuple[str, Any]]:
    """(path, object) for the model and each estimator it holds directly or in a list of
    steps, one level down: the objects whose attributes are mutated."""
    from sklearn.base import BaseEstimator

    found = [("model", model)]
    for key, value in sorted(vars(model).items()):
        items = value if isinstance(value, (list, tuple)) else [value]
        for i, item in enumerate(items[:3]):
            if isinstance(item, tuple) and len(item) >= 2:
                item = item[1]  # a (name, estimator) step
            if isinstance(item, BaseEstimator) and item is not model:
                found.append((f"model.{key}[{i}]", item))
    return found


def _mutations(models: list[tuple[str, Any]], rng: random.Random) -> Iterator[tuple[str, Any]]:
    """Every (kind, target, attribute, value) in a seeded random order."""
    cases = []
    for name, model in models:
        for where, target in _targets(model):
            for attr in sorted(vars(target)):
                for value in PALETTE:
                    cases.append((name, where, attr, value))
    rng.shuffle(cases)
    yield from ((f"{n}:{w}.{a}={v}", (n, w, a, v)) for n, w, a, v in cases)


def _judge(data: bytes, path: Path) -> tuple[Any, str]:
    """(scan's verdict, what the load did: 'loaded', 'refused' or 'raw <exception>')."""
    import safeload

    try:
        safe: Any = safeload.scan(data).safe
    except Exception as exc:  # a raw exception is itself a finding
        safe = f"raw {type(exc).__name__}: {str(exc)[:120]}"
    path.write_bytes(data)
    try:
        safeload.load_unsigned(path)
        loaded = "loaded"
    except safeload.SafeloadError:
        loaded = "refused"
    except Exception as exc:
        loaded = f"raw {type(exc).__name__}: {str(exc)[:120]}"
    return safe, loaded


def run(seconds: float, seed: int, only: set[str]) -> dict[str, Any]:
    """Mutate for ``seconds`` (or until every case ran) and return the counts and findings."""
    warnings.simplefilter("ignore")
    from corpus_kinds import fit

    models = []
    for kind in _kinds(only):
        try:
            models.append((kind.name, pickle.dumps(fit(kind).model, protocol=5)))
        except Exception as exc:  # a kind this scikit-learn cannot fit is skipped, and said
            print(f"skip {kind.name}: {type(exc).__name__}: {exc}", file=sys.stderr)
    fresh = [(name, pickle.loads(data)) for name, data in models]
    originals = dict(models)
    rng = random.Random(seed)  # noqa: S311 - a reproducible order, not a secret
    deadline = time.monotonic() + seconds
    runs = 0
    findings: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mutated.pkl"
        for label, (name, where, attr, value) in _mutations(fresh, rng):
            if time.monotonic() > deadline:
                break
            model = pickle.loads(originals[name])
            target = dict(_targets(model))[where]
            setattr(target, attr, PALETTE[value]())
            try:
                data = pickle.dumps(model, protocol=5)
            except Exception:  # noqa: S112 - a value plain pickle cannot write is no file
                continue
            safe, loaded = _judge(data, path)
            runs += 1
            agree = (safe is True and loaded == "loaded") or (safe is False and loaded == "refused")
            if not agree:
                findings.append({"case": label, "scan_safe": safe, "load": loaded})
                print(f"DISAGREE {label}: scan safe={safe}, load {loaded}", flush=True)
    return {"seed": seed, "kinds": len(models), "runs": runs, "findings": findings}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kinds", default="", help="comma-separated corpus kind names (default all)")
    ap.add_argument("--json", type=Path, default=None, help="write the summary here")
    args = ap.parse_args(argv)
    only = {k for k in args.kinds.split(",") if k}
    summary = run(args.seconds, args.seed, only)
    print(
        f"parity_states: {summary['runs']} mutations of {summary['kinds']} kinds, "
        f"{len(summary['findings'])} disagreements (seed {summary['seed']})"
    )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    return 1 if summary["findings"] else 0


if __name__ == "__main__":
    sys.exit(main())
