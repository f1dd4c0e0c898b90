"""Sweep scikit-learn's estimators for outputs wider than what safeload counts for them.

safeload bounds the columns per input column that a model's transformers and wide predictors
hold at once (``peak_input_copies``, reading each class's width with ``_width_factor``), and an
ensemble member's outputs with ``_outputs_held``. Those widths are per-class tables, each
written by reading one class's ``transform`` or ``predict``. This sweep checks the tables
against what the methods really return, for every class ``all_estimators()`` lists:

* fit it (its base setting, as ``fuzz/in_place_sweep.py`` makes it, then each string option
  and flipped boolean of its constrained parameters, one at a time: :func:`variants`) on an
  input that makes widths show: 2 input columns, 120 rows, 30 classes (a regressor: 3 targets
  when it takes them);
* call each output method on two rows, and measure the values it returns per row (a sparse
  result: its stored values, and its columns as a densified result);
* compare with what safeload counts for the fitted object: the columns ``peak_input_copies``
  gives (per input column, times the input's columns), and for a predictor the outputs
  ``_outputs_held`` reads (labels, ``n_outputs_``, ``coef_`` rows, ...), or the input's own
  width.

Reported (JSON lines, one per class and method): ``gap`` when a method returns more values a
row than anything counted for it explains (``gap-densified``: a sparse result made dense by a
column transformer; ``limit`` for ``inverse_transform``, a documented limit), ``ok``
otherwise; ``skipped`` when the class cannot be fitted or the setting is refused here.

Exit status 1 when there is a gap. ``make output-sweep`` runs every class and setting (about
4 minutes); ``tests/security/test_output_sweep.py`` runs the classes on the width tables with
their base settings.

Usage: python fuzz/output_sweep.py [--only Name,Name] [--base-only] [--out output_sweep.jsonl]
"""

# ruff: noqa: S112 - an estimator that raises on a setting is skipped, by design

from __future__ import annotations

import os

# As a script only: a test that imports this module must not change its process's environment
# (the test children then start fresh interpreters instead of forks of the zygote).
if __name__ == "__main__":
    for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "LOKY_MAX_CPU_COUNT"):
        os.environ.setdefault(_v, "1")

import argparse
import json
import signal
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from in_place_sweep import SKIP_CLASSES, build_bases, make_base  # type: ignore[import-not-found]

#: The methods whose result sizes a row's output (what a caller holds per input row).
OUTPUT_METHODS = (
    "transform",
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "predict_joint_log_proba",
    "score_samples",
    "inverse_transform",
)
INPUTS = 2
ROWS = 120
CLASSES = 30
TARGETS = 3
#: Seconds for one class: fit and every method.
BUDGET = 20
#: The items a mutant's widened attribute has (:func:`mutants`).
WIDE = 64
#: Settings swept per class, the base included.
MAX_VARIANTS = 24


class _Timeout(Exception):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout


def wide_data(name: str, est: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An input of :data:`INPUTS` columns and :data:`ROWS` rows (positive where the class
    needs it), :data:`CLASSES` labels and :data:`TARGETS` regression targets."""
    from sklearn.utils import get_tags

    rng = np.random.default_rng(0)
    x = rng.normal(size=(ROWS, INPUTS))
    try:
        positive = get_tags(est).input_tags.positive_only
    except Exception:
        positive = False
    if name == "CategoricalNB":
        x = rng.integers(0, 3, size=(ROWS, INPUTS)).astype(np.float64)
    elif positive or name in ("MultinomialNB", "ComplementNB", "LatentDirichletAllocation"):
        x = np.abs(x) + 0.1
    labels = np.arange(ROWS) % CLASSES
    targets = np.exp(rng.normal(size=(ROWS, TARGETS)))
    return x, labels, targets


def fit(name: str, est: Any, x: np.ndarray, labels: np.ndarray, targets: np.ndarray) -> Any:
    """``est`` fitted on the wide data: labels for a classifier, every target a regressor
    takes (one if it takes only one), or the input alone (or with labels) otherwise."""
    from sklearn.base import is_classifier, is_regressor

    if name == "SparseCoder":
        est.set_params(dictionary=np.random.default_rng(1).normal(size=(5, INPUTS)))
    if name in ("GaussianRandomProjection", "SparseRandomProjection"):
        est.set_params(n_components=50)
    if is_classifier(est):
        for y in (labels, labels % 2, np.stack([labels, labels % 3], axis=1)):
            try:
                return est.fit(x, y)
            except (ValueError, TypeError, IndexError):
                continue
        raise ValueError("no labels fit")
    if is_regressor(est):
        try:
            return est.fit(x, targets)
        except (ValueError, TypeError):
            return est.fit(x, targets[:, 0])
    if name == "IsotonicRegression":
        return est.fit(x[:, 0], targets[:, 0])
    try:
        return est.fit(x)
    except (ValueError, TypeError):
        return est.fit(x, labels)


def row_width(result: Any) -> tuple[int, int]:
    """Values a row of ``result`` holds, and its columns when densified."""
    import scipy.sparse as sp

    if isinstance(result, tuple):
        result = result[0]
    if sp.issparse(result):
        return int(result.nnz) // max(int(result.shape[0]), 1), int(np.prod(result.shape[1:]))
    arr = np.asarray(result)
    size = int(arr.size) // max(int(arr.shape[0]), 1) if arr.ndim else 1
    return size, size


def counted(est: Any) -> dict[str, int]:
    """What safeload counts for ``est`` as the load would (after a pickle round trip, as the
    load sees it): the copies of the input and the columns all its transformers and wide
    predictors hold at once, each times the input's columns; the outputs any instance under
    it holds (:func:`_outputs_held`)."""
    import pickle

    from safeload.trust import facts, object_checks
    from safeload.trust.object_checks import _outputs_held, peak_input_copies
    from safeload.trust.shadow_values import class_of
    from safeload.trust.structures.names import _attrs
    from safeload.trust.usetime import check_use_time

    est = pickle.loads(pickle.dumps(est))  # (the sweep's own objects)
    # (alive: what the walk made to read, held while its ids are used)
    instances, _, edges, _, alive = check_use_time(est, max_objects=10**6)
    # without a predictor's free outputs: the sweep's widths are small, and what it checks is
    # that every width is read (the free allowance is the bound's, not the reading's)
    free = object_checks.FREE_PREDICTOR_OUTPUTS
    object_checks.FREE_PREDICTOR_OUTPUTS = 0
    try:
        copies, wide = peak_input_copies(id(est), edges, instances)
    finally:
        object_checks.FREE_PREDICTOR_OUTPUTS = free
    del alive  # (every id is read)
    held = max(
        (_outputs_held(facts.short_name(class_of(o)), _attrs(o)) for o in instances), default=0
    )
    n_in = INPUTS  # the input the methods are called with, whatever the object says
    from safeload.trust.object_checks import FREE_WIDTHS, _count_of

    free = 0
    for o in instances:
        keys = FREE_WIDTHS.get(facts.short_name(class_of(o)), ())
        if keys:
            free = max(free, int(np.prod([_count_of(_attrs(o).get(k)) for k in keys])))
    return {
        "columns": round(max(wide, copies) * n_in),
        "held": int(max(held, free)),
    }


def densified(name: str, est: Any, x: np.ndarray, labels: np.ndarray) -> tuple[int, int]:
    """The columns safeload counts for ``est`` as the one branch of a column transformer that
    makes every result dense (``sparse_threshold=0``), fitted on the same input (a clone: an
    unseeded one fits differently), and the columns that column transformer gives a row."""
    from sklearn.base import clone
    from sklearn.compose import ColumnTransformer

    dense = ColumnTransformer([("t", clone(est), list(range(INPUTS)))], sparse_threshold=0)
    try:
        dense.fit(x)
    except (ValueError, TypeError):
        dense.fit(x, labels)
    return counted(dense)["columns"], int(np.asarray(dense.transform(x[:2])).shape[1])


def variants(est: Any) -> list[dict[str, Any]]:
    """The settings to sweep besides the base: each string option and each flipped boolean of
    every constructor parameter the class constrains (``encode="onehot-dense"``,
    ``split_sign=True``, ``voting="soft"``: the settings a width depends on), one at a time."""
    from sklearn.utils._param_validation import StrOptions

    found: list[dict[str, Any]] = [{}]
    params = est.get_params(deep=False)
    for key, constraints in getattr(est, "_parameter_constraints", {}).items():
        if key not in params:
            continue
        for constraint in constraints:
            if isinstance(constraint, StrOptions):
                for option in sorted(constraint.options):
                    if option != params[key] and "precomputed" not in option:
                        found.append({key: option})
            elif constraint in ("boolean", bool) and isinstance(params[key], bool):
                found.append({key: not params[key]})
    return found[:MAX_VARIANTS]


def skipped(name: str, setting: dict[str, Any], why: str) -> dict[str, Any]:
    """The row of a class and setting the sweep could not measure, and why."""
    return {"class": name, "setting": repr(setting), "kind": "skipped", "why": why[:200]}


def sweep_one(name: str, i: int, setting: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The rows of one (class, base setting, variant setting)."""
    est, _ = make_base(name, i)
    try:
        est.set_params(**setting)
    except Exception as exc:
        yield skipped(name, setting, repr(exc))
        return
    x, labels, targets = wide_data(name, est)
    try:
        est = fit(name, est, x, labels, targets)
        if name == "BisectingKMeans":
            del est._kmeans_single  # a documented refusal (its fit routine); predict works
    except Exception as exc:
        yield skipped(name, setting, f"fit: {exc!r}")
        return
    try:
        count = counted(est)
    except Exception as exc:
        yield skipped(name, setting, f"count: {exc!r}")
        return
    yield from measure(name, repr(setting), est, x, labels, count, densify=True)
    for what, mutant in mutants(est):
        try:
            mutant_count = counted(mutant)
        except Exception:
            continue  # the load's walk refuses it
        if refused(mutant):
            continue  # (first: a refused mutant may crash the native code it would reach)
        yield from measure(name, f"{setting!r} {what}", mutant, x, labels, mutant_count)


def mutants(est: Any) -> Iterator[tuple[str, Any]]:
    """Copies of the fitted ``est`` with one attribute widened, as a file may write it: each
    axis of each numeric array attribute repeated to :data:`WIDE` items, and each positive
    integer attribute set to :data:`WIDE`. Where ``transform`` or ``predict`` takes its width
    from, a widened attribute shows it (the honest fit's widths seldom pass the input's)."""
    import copy

    for key, value in sorted(vars(est).items()):
        if isinstance(value, np.ndarray) and value.dtype.kind in "biuf" and 1 <= value.ndim <= 2:
            for axis in range(value.ndim):
                size = value.shape[axis]
                if not size or size >= WIDE:
                    continue
                mutant = copy.deepcopy(est)
                setattr(mutant, key, np.take(value, np.arange(WIDE) % size, axis=axis))
                yield f"{key} axis {axis} x{WIDE}", mutant
        elif type(value) is int and 0 < value < WIDE:
            mutant = copy.deepcopy(est)
            setattr(mutant, key, WIDE)
            yield f"{key}={WIDE}", mutant


def refused(est: Any) -> bool:
    """Whether safeload's load refuses ``est`` pickled."""
    import pickle

    import safeload

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "m.pkl"
        path.write_bytes(pickle.dumps(est))
        try:
            safeload.load_unsigned(path)
        except safeload.SafeloadError:
            return True
    return False


def measure(
    name: str,
    setting: str,
    est: Any,
    x: np.ndarray,
    labels: np.ndarray,
    count: dict[str, int],
    densify: bool = False,
) -> Iterator[dict[str, Any]]:
    """A row for each output method of the fitted ``est``: the values it gives a row against
    what safeload counts for it (``count``); with ``densify``, a sparse ``transform`` result
    is also checked as a densifying column transformer's branch (:func:`densified`)."""
    n_in = int(x.shape[1])  # (not n_features_in_: a mutant may say otherwise)
    dense_count: tuple[int, int] | None = None
    for method in OUTPUT_METHODS:
        try:
            if not hasattr(est, method):
                continue
            arg = x[:2]
            if method == "inverse_transform":
                arg = est.transform(x[:2])
            result = getattr(est, method)(arg)
        except Exception:
            continue
        values, dense = row_width(result)
        explained = max(count["columns"], n_in, count["held"])
        kind = "gap" if values > explained else "ok"
        if kind == "gap" and method == "inverse_transform":
            kind = "limit"  # rows of the model's input width (SECURITY.md, rt66-09/16)
        if densify and dense > values and method == "transform":
            if dense_count is None:
                try:
                    dense_count = densified(name, est, x, labels)
                except Exception:
                    dense_count = (-1, 0)
            if dense_count[1] > max(dense_count[0], n_in):
                kind = "gap-densified"
        yield {
            "class": name,
            "setting": setting,
            "method": method,
            "kind": kind,
            "values": values,
            "dense": dense,
            "counted": count["columns"],
            "held": count["held"],
            "densified": dense_count,
            "inputs": n_in,
        }


def main(argv: list[str] | None = None) -> int:
    """Run the sweep; print the gaps; write every row to ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="")
    parser.add_argument("--out", default="output_sweep.jsonl")
    parser.add_argument("--base-only", action="store_true", help="no variant settings")
    args = parser.parse_args(argv)
    only = {n for n in args.only.split(",") if n}
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, _alarm)
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    with open(args.out, "w") as out:  # (row by row: a run cut short keeps what it found)

        def note(row: dict[str, Any]) -> None:
            rows.append(row)
            out.write(json.dumps(row) + "\n")
            out.flush()

        for name, i in build_bases():
            if name in SKIP_CLASSES or (only and name not in only) or name in seen:
                continue
            seen.add(name)  # the first base setting of each class
            settings = [{}] if args.base_only else variants(make_base(name, i)[0])
            for setting in settings:
                signal.alarm(BUDGET)
                try:
                    for row in sweep_one(name, i, setting):
                        note(row)
                except _Timeout:
                    note(skipped(name, setting, "timeout"))
                except Exception as exc:
                    note(skipped(name, setting, repr(exc)))
                finally:
                    signal.alarm(0)
    gaps = [r for r in rows if r["kind"].startswith("gap")]
    for r in gaps:
        print(
            f"{r['kind']} {r['class']}{r['setting']}.{r['method']}: {r['values']} values "
            f"({r['dense']} dense) a row; counted {r['counted']} (densified "
            f"{r['densified']}), held {r['held']}, inputs {r['inputs']}"
        )
    unmeasured = [r for r in rows if r["kind"] == "skipped"]
    print(
        f"{len({r['class'] for r in rows})} classes, {len(rows) - len(unmeasured)} methods, "
        f"{len(gaps)} gaps, {len(unmeasured)} skipped"
    )
    return 1 if gaps else 0


if __name__ == "__main__":
    import resource

    # a mutant that asks for too much fails with a MemoryError, not the machine's OOM killer
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    sys.exit(main())
