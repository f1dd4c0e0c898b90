"""Sweep scikit-learn estimators for methods that write into the caller's arrays.

For every estimator class (all_estimators() + experimental ones), build settings from
its _parameter_constraints (defaults; each parameter varied one at a time; pairs with a
'precomputed'-like value or a copy/overwrite-like parameter; and, labelled 'covered',
settings where copy/copy_X/copy_x is not True), fit on several input kinds, call every
public method with fresh copies, and compare every array ever passed against a snapshot.

Usage: python fuzz/in_place_sweep.py [--workers 2] [--only Name,Name] [--out results.jsonl]

About an hour on two cores (205 classes, 5,799 settings, 45,222 fits, 150,297 calls on
scikit-learn 1.9). What it found is in ``safeload.trust.in_place.IN_PLACE_CONDITIONS`` and
``tests/security/test_inplace_sweep.py``. It is not part of ``make fuzz`` (too long).
"""

# ruff: noqa: E402 - the thread counts are set before numpy is imported
# ruff: noqa: S110, S112 - an estimator that raises on a setting is skipped, by design

from __future__ import annotations

import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "LOKY_MAX_CPU_COUNT"):
    os.environ.setdefault(_v, "1")

import argparse
import inspect
import json
import math
import numbers
import re
import signal
import time
import traceback
import warnings
from multiprocessing import Pool

import numpy as np
import scipy.sparse as sp

COPY_FAMILY = ("copy", "copy_X", "copy_x")
COPYLIKE_RE = re.compile(r"copy|overwrite|inplace|in_place")
SESSION_TIMEOUT = 10
ESTIMATOR_BUDGET = float(
    os.environ.get("SWEEP_BUDGET", "150")
)  # seconds of wall clock per (estimator, base) task
N = 40
SKIP_CLASSES = {
    # text / dict / raw-feature inputs: not numeric arrays
    "CountVectorizer": "takes raw documents (strings)",
    "TfidfVectorizer": "takes raw documents (strings)",
    "HashingVectorizer": "takes raw documents (strings)",
    "DictVectorizer": "takes dicts",
    "FeatureHasher": "takes dicts / string pairs",
    "MultiLabelBinarizer": "takes sequences of label sets",
}
METHOD_BLACKLIST = {
    "fit",
    "get_params",
    "set_params",
    "get_metadata_routing",
    "set_output",
    "get_feature_names_out",
    "densify",
    "sparsify",
    "sample",
    "get_precision",
    "get_covariance",
    "get_submatrix",
    "get_indices",
    "get_shape",
    "fit_path",
}


KEEP_INIT = {
    "estimator",
    "estimators",
    "transformers",
    "transformer_list",
    "steps",
    "param_grid",
    "param_distributions",
    "dictionary",
    "n_estimators",
    "max_iter",
    "n_init",
    "cv",
    "batch_size",
    "n_iter",
    "max_trials",
    "max_subpopulation",
    "error_score",
    "random_state",
    "scoring",
    "use_legacy_attributes",
}


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


# ----------------------------------------------------------------------------- data


def make_data(name, est):
    from sklearn.base import is_regressor
    from sklearn.utils import get_tags

    rng = np.random.default_rng(0)
    p = 5
    if name == "IsotonicRegression":
        p = 1
    if name == "SparseCoder":
        p = np.asarray(est.get_params()["dictionary"]).shape[1]
    X = rng.normal(size=(N, p))
    try:
        tags = get_tags(est)
        positive = tags.input_tags.positive_only
        allow_nan = tags.input_tags.allow_nan
    except Exception:
        positive, allow_nan = False, False
    if name in ("CategoricalNB",):
        X = rng.integers(0, 3, size=(N, p)).astype(np.float64)
    elif positive or name in (
        "MultinomialNB",
        "ComplementNB",
        "LatentDirichletAllocation",
        "NMF",
        "MiniBatchNMF",
        "AdditiveChi2Sampler",
        "SkewedChi2Sampler",
        "TfidfTransformer",
        "PolynomialCountSketch",
    ):
        X = np.abs(X) + 0.1
    regressor = is_regressor(est)
    y_reg = np.exp(rng.normal(size=N))  # positive: Poisson/Gamma/Tweedie accept it too
    y_cls = np.tile([0.0, 1.0], N // 2)
    y_multi = np.tile([0.0, 1.0, 2.0, 0.0], N // 4 + 1)[:N].astype(np.float64)
    sw = rng.uniform(0.5, 2.0, size=N)
    from sklearn.metrics import pairwise_distances
    from sklearn.metrics.pairwise import rbf_kernel
    from sklearn.neighbors import kneighbors_graph

    D = pairwise_distances(X)
    K = rbf_kernel(X, gamma=0.2)
    G = kneighbors_graph(X, n_neighbors=10, mode="distance", include_self=False)
    G = G.maximum(G.T).tocsr()
    G.sort_indices()
    Xnan = X.copy()
    Xnan[::7, min(1, p - 1)] = np.nan
    return dict(
        X=X,
        y=(y_reg if regressor else y_cls),
        y_multi=y_multi,
        y_reg=y_reg,
        sw=sw,
        D=D,
        K=K,
        G=G,
        Xnan=Xnan,
        allow_nan=allow_nan,
        regressor=regressor,
    )


def variants(data, precomputed, est, name):
    """Input variants: dict(kind, X, y, sw)."""
    from sklearn.base import is_classifier

    X, y, sw = data["X"], data["y"], data["sw"]
    out = []
    if precomputed:
        D, K, G = data["D"], data["K"], data["G"]
        out.append(("D-C64", D, y, sw))
        out.append(("D-F64", np.asfortranarray(D), y, sw))
        out.append(("D-f32", D.astype(np.float32), y.astype(np.float32), sw.astype(np.float32)))
        out.append(("K-C64", K, y, sw))
        out.append(("K-F64", np.asfortranarray(K), y, sw))
        out.append(("G-CSR", G, y, sw))
        out.append(("D-C64-nosw", D, y, None))
        return out
    out.append(("C64", X, y, sw))
    out.append(("C64-nosw", X, y, None))
    out.append(("F64", np.asfortranarray(X), y, sw))
    out.append(("f32", X.astype(np.float32), y.astype(np.float32), sw.astype(np.float32)))
    out.append(("CSR", sp.csr_matrix(X), y, sw))
    out.append(("CSC", sp.csc_matrix(X), y, sw))
    if data["allow_nan"]:
        out.append(("C64-nan", data["Xnan"], y, sw))
    if data["regressor"]:
        Y2 = np.column_stack([data["y_reg"], data["y_reg"] * 2 + 1])
        out.append(("C64-y2d", X, Y2, sw))
        out.append(("C64-y2dF", X, np.asfortranarray(Y2), sw))
        out.append(("F64-y2d", np.asfortranarray(X), Y2, sw))
        out.append(("F64-y2dF", np.asfortranarray(X), np.asfortranarray(Y2), sw))
        out.append(("F64-y2dF-nosw", np.asfortranarray(X), np.asfortranarray(Y2), None))
    elif is_classifier(est):
        out.append(("C64-ymulti", X, data["y_multi"], sw))
        YL = np.column_stack([data["y"], 1.0 - data["y"], np.tile([0.0, 0.0, 1.0, 1.0], N // 4)])
        out.append(("C64-ymultilabel", X, YL, sw))
    if name == "KernelCenterer":
        out.append(("K-C64", data["K"], y, sw))
        out.append(("K-F64", np.asfortranarray(data["K"]), y, sw))
    return out


def fresh(a):
    if a is None:
        return None
    if sp.issparse(a):
        return a.copy()
    if isinstance(a, np.ndarray):
        return np.array(a, copy=True, order="K")
    return a


def snap(a):
    if sp.issparse(a):
        return (
            "sparse",
            a.format,
            a.shape,
            a.data.copy(),
            getattr(a, "indices", np.zeros(0)).copy(),
            getattr(a, "indptr", np.zeros(0)).copy(),
        )
    return ("dense", np.array(a, copy=True, order="K"))


def same(a, s):
    if s[0] == "sparse":
        if a.format != s[1] or a.shape != s[2]:
            return False
        return (
            np.array_equal(a.data, s[3], equal_nan=True)
            and np.array_equal(getattr(a, "indices", np.zeros(0)), s[4])
            and np.array_equal(getattr(a, "indptr", np.zeros(0)), s[5])
        )
    b = s[1]
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    try:
        return np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    except TypeError:
        return np.array_equal(a, b)


def describe_diff(a, s):
    if s[0] == "sparse":
        return "sparse structure/data changed"
    b = s[1]
    try:
        d = ~np.isclose(a, b, equal_nan=True)
        idx = np.argwhere(d)
        first = tuple(int(i) for i in idx[0]) if len(idx) else None
        changed = f"{int(d.sum())}/{a.size} elements changed"
        return f"{changed}; first at {first}: {b[first]!r} -> {a[first]!r}"
    except Exception as e:  # pragma: no cover
        return f"changed ({e})"


# ----------------------------------------------------------------------------- calls


class Session:
    def __init__(self):
        self.tracked = []  # [label, obj, snapshot, modified_by, detail]
        self.calls = []
        self.aliases = []

    def track(self, label, obj):
        if obj is None or not (isinstance(obj, np.ndarray) or sp.issparse(obj)):
            return obj
        self.tracked.append([label, obj, snap(obj), None, None])
        return obj

    def check(self, method):
        for t in self.tracked:
            if t[3] is None and not same(t[1], t[2]):
                t[3] = method
                t[4] = describe_diff(t[1], t[2])

    def alias(self, method, result, inputs):
        arrs = result if isinstance(result, tuple) else (result,)
        for r in arrs:
            if isinstance(r, np.ndarray):
                for lab, a in inputs:
                    if isinstance(a, np.ndarray) and np.may_share_memory(r, a):
                        self.aliases.append((method, lab))


def map_args(sess, meth, fn, var, extra_kw, out_for_inverse):
    """Build (args, kwargs) for a public method from its signature."""
    _kind, X, y, sw = var
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    args, kwargs = [], {}
    inputs = []
    for pname, prm in sig.parameters.items():
        if prm.kind in (prm.VAR_POSITIONAL, prm.VAR_KEYWORD):
            continue
        required = prm.default is prm.empty
        val = inspect._empty
        if pname in ("X", "Xt", "data", "K", "X_test", "Y"):
            if meth == "inverse_transform" and out_for_inverse is not None:
                val = fresh(out_for_inverse)
            elif pname == "Y" and meth != "inverse_transform":
                val = fresh(y)
            else:
                val = fresh(X)
        elif pname in ("y", "y_true"):
            val = fresh(y)
        elif pname == "sample_weight":
            val = fresh(sw) if sw is not None else None
        elif pname == "classes" and meth == "partial_fit":
            val = np.unique(y) if y is not None and np.ndim(y) == 1 else None
        elif pname == "comp_cov":
            val = np.eye(X.shape[1]) if not sp.issparse(X) else None
        elif pname in extra_kw:
            val = extra_kw[pname]
        elif required:
            return None
        else:
            continue
        if val is None and required:
            return None
        if val is inspect._empty:
            continue
        if isinstance(val, np.ndarray) or sp.issparse(val):
            sess.track(f"{meth}.{pname}", val)
            inputs.append((f"{meth}.{pname}", val))
        if prm.kind == prm.POSITIONAL_ONLY:
            args.append(val)
        else:
            kwargs[pname] = val
    return args, kwargs, inputs


def public_methods(est):
    names = []
    for n in dir(type(est)):
        if (
            n.startswith("_")
            or n in METHOD_BLACKLIST
            or n.startswith("set_")
            or n.startswith("get_")
        ):
            continue
        try:
            attr = getattr(type(est), n)
        except Exception:
            continue
        if isinstance(attr, property) or not callable(attr):
            continue
        try:
            if not hasattr(est, n):  # available_if
                continue
        except Exception:
            continue
        names.append(n)
    # fit_* and partial_fit last so earlier methods see the first fit's state
    names.sort(key=lambda n: (n.startswith("fit_") or n == "partial_fit", n))
    return names


def run_session(est, var, label_transformer):
    from sklearn.base import clone

    sess = Session()
    kind, X, y, sw = var
    est = clone(est)
    errors = {}
    called = []
    fit_sig = inspect.signature(est.fit)
    fitp = fit_sig.parameters
    try:
        kw = {}
        if label_transformer:
            yy = sess.track("fit.y", fresh(y))
            est.fit(yy)
            Xf = yy
        else:
            Xf = sess.track("fit.X", fresh(X))
            yname = "y" if "y" in fitp else ("Y" if "Y" in fitp else None)
            if yname and y is not None:
                kw[yname] = sess.track("fit.y", fresh(y))
            if "sample_weight" in fitp and sw is not None:
                kw["sample_weight"] = sess.track("fit.sample_weight", fresh(sw))
            est.fit(Xf, **kw)
        called.append("fit")
        sess.check("fit")
    except Timeout:
        raise
    except Exception as e:
        sess.check("fit")
        return sess, called, {"fit": f"{type(e).__name__}: {str(e)[:150]}"}, False
    out_tr = None
    lvar = (kind, y, y, sw) if label_transformer else var
    for meth in public_methods(est):
        fn = getattr(est, meth)
        extra_calls = [{}]
        try:
            sig = inspect.signature(fn)
            if "return_std" in sig.parameters:
                extra_calls.append({"return_std": True})
            if "return_cov" in sig.parameters:
                extra_calls.append({"return_cov": True})
            if "return_distance" in sig.parameters:
                extra_calls.append({"return_distance": False})
            if meth == "kneighbors_graph" or meth == "radius_neighbors_graph":
                extra_calls.append({"mode": "distance"})
        except Exception:
            pass
        for extra in extra_calls:
            m = map_args(
                sess, meth, fn, lvar, extra, out_tr if meth == "inverse_transform" else None
            )
            if m is None:
                continue
            args, kwargs, inputs = m
            tag = meth + ("" if not extra else str(extra))
            try:
                res = fn(*args, **kwargs)
                if inspect.isgenerator(res):
                    res = list(res)
                called.append(tag)
                if meth == "transform" and not extra and out_tr is None:
                    if isinstance(res, np.ndarray) or sp.issparse(res):
                        out_tr = res.copy()
                sess.alias(
                    tag,
                    res,
                    inputs + [(t[0], t[1]) for t in sess.tracked if t[0].startswith("fit.")],
                )
            except Timeout:
                raise
            except Exception as e:
                errors[tag] = f"{type(e).__name__}: {str(e)[:120]}"
            sess.check(tag)
    # inverse_transform again on the caller's X (if shapes allow)
    return sess, called, errors, True


# ----------------------------------------------------------------------------- settings


def candidate_values(name, constraints, default):
    from sklearn.utils._param_validation import (
        Interval,
        Options,
        StrOptions,
        _Booleans,
        _InstancesOf,
        _NoneConstraint,
        make_constraint,
    )

    vals = []
    skipped = []
    for c in constraints:
        try:
            c = make_constraint(c)
        except Exception:
            skipped.append(repr(c))
            continue
        if isinstance(c, StrOptions):
            vals.extend(sorted(c.options))
        elif isinstance(c, Options):
            vals.extend(sorted(c.options, key=repr))
        elif isinstance(c, _Booleans):
            vals.extend([True, False])
        elif isinstance(c, _NoneConstraint):
            vals.append(None)
        elif isinstance(c, Interval):
            vals.extend(interval_values(c, default))
        elif isinstance(c, _InstancesOf):
            t = c.type
            if t in (int, numbers.Integral):
                vals.extend([1, 2])
            elif t in (float, numbers.Real):
                vals.extend([0.5])
            elif t is dict and name == "class_weight":
                vals.append({0: 2.0, 1: 0.5})
            elif t is bool:
                vals.extend([True, False])
            else:
                skipped.append(type(c).__name__ + ":" + getattr(t, "__name__", str(t)))
        else:
            skipped.append(type(c).__name__)
    return vals, skipped


def interval_values(c, default):
    cands = []
    lo, hi = c.left, c.right
    if c.type is numbers.Integral:
        if lo is not None:
            cands += [lo, lo + 1]
        if isinstance(default, numbers.Integral) and not isinstance(default, bool):
            cands += [default + 1, max(default // 2, 1), default * 2]
        cands += [1, 2]
        if hi is not None:
            cands += [hi]
    else:
        if lo is not None:
            cands += [lo, lo + 0.5]
        if isinstance(default, numbers.Real) and not isinstance(default, bool):
            cands += [default * 0.5, default * 2 if default else 1.0]
        cands += [0.5, 1.0]
        if hi is not None:
            cands += [hi]
    out = []
    for v in cands:
        try:
            if c.is_satisfied_by(v) and not any(v == o and type(v) is type(o) for o in out):
                if isinstance(v, float) and not math.isfinite(v):
                    continue
                out.append(v)
        except Exception:
            pass
    return out[:4]


def same_value(a, b):
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:
        return False


def is_trigger(k, v):
    if isinstance(v, str) and "precomputed" in v:
        return True
    if k not in COPY_FAMILY and COPYLIKE_RE.search(k) and v is not True:
        return True
    return False


def settings_for(est):
    """[(diff dict, category)] where category in default/single/pair/covered."""
    params = est.get_params(deep=False)
    cons = getattr(type(est), "_parameter_constraints", {}) or {}
    base = {}
    for k in COPY_FAMILY:
        if k in params:
            base[k] = True
    singles, skipped = [], {}
    copy_off = []
    for k, clist in cons.items():
        if k not in params:
            continue
        vals, sk = candidate_values(k, clist, params[k])
        if sk:
            skipped[k] = sk
        seen = []
        for v in vals:
            if any(same_value(v, s) for s in seen):
                continue
            seen.append(v)
            if k in COPY_FAMILY:
                if v is not True:
                    copy_off.append((k, v))
                continue
            cur = params[k]
            if same_value(v, cur):
                continue
            singles.append((k, v))
    out = [(dict(base), "default")]
    for k, v in singles:
        d = dict(base)
        d[k] = v
        out.append((d, "single"))
    triggers = [(k, v) for k, v in singles if is_trigger(k, v)]
    for tk, tv in triggers:
        for k, v in singles:
            if k == tk:
                continue
            d = dict(base)
            d[tk] = tv
            d[k] = v
            out.append((d, "pair"))
    for ck, cv in copy_off:
        d = dict(base)
        d[ck] = cv
        out.append((d, "covered"))
        for tk, tv in triggers:
            d = dict(base)
            d[ck] = cv
            d[tk] = tv
            out.append((d, "covered"))
    # dedupe
    seen, uniq = set(), []
    for d, cat in out:
        key = repr(sorted((k, repr(v)) for k, v in d.items()))
        if key in seen:
            continue
        seen.add(key)
        uniq.append((d, cat))
    return uniq, skipped


# ----------------------------------------------------------------------------- tasks


def build_bases():
    import sklearn  # noqa
    from sklearn.experimental import enable_iterative_imputer, enable_halving_search_cv  # noqa
    from sklearn.utils import all_estimators
    from sklearn.utils._test_common.instance_generator import INIT_PARAMS

    tasks = []
    for name, cls in all_estimators():
        if name in SKIP_CLASSES:
            continue
        sets = INIT_PARAMS.get(cls, {})
        sets = sets if isinstance(sets, list) else [sets]
        sets = [
            s
            for s in sets
            if not any(isinstance(v, str) and "precomputed" in v for v in s.values())
        ]
        if name in (
            "GridSearchCV",
            "RandomizedSearchCV",
            "HalvingGridSearchCV",
            "HalvingRandomSearchCV",
        ):
            sets = sets[:2]
        for i in range(len(sets) or 1):
            tasks.append((name, i))
    return tasks


def make_base(name, i):
    from sklearn.experimental import enable_iterative_imputer, enable_halving_search_cv  # noqa
    from sklearn.utils import all_estimators
    from sklearn.utils._test_common.instance_generator import INIT_PARAMS

    cls = dict(all_estimators())[name]
    if name == "FrozenEstimator":
        from sklearn.linear_model import LogisticRegression

        rng = np.random.default_rng(1)
        inner = LogisticRegression().fit(rng.normal(size=(20, 5)), np.tile([0, 1], 10))
        return cls(inner), {}
    sets = INIT_PARAMS.get(cls, {})
    sets = sets if isinstance(sets, list) else [sets]
    sets = [
        s for s in sets if not any(isinstance(v, str) and "precomputed" in v for v in s.values())
    ]
    params = dict(sets[i]) if sets else {}
    params = {k: v for k, v in params.items() if k in KEEP_INIT}
    if name == "TSNE":
        params["max_iter"] = 250  # the smallest allowed: speed only
    return cls(**params), params


def run_task(task):
    name, bi = task
    warnings.filterwarnings("ignore")
    signal.signal(signal.SIGALRM, _alarm)
    t0 = time.time()
    rec = dict(
        estimator=name,
        base_index=bi,
        findings=[],
        aliases=[],
        n_settings=0,
        n_invalid=0,
        n_sessions=0,
        n_fit_ok=0,
        n_calls=0,
        n_timeouts=0,
        truncated=False,
        error=None,
        skipped_constraints={},
        settings=[],
    )
    try:
        base, base_params = make_base(name, bi)
        rec["base_params"] = {k: repr(v) for k, v in base_params.items()}
        settings, skipped = settings_for(base)
        rec["skipped_constraints"] = {k: v for k, v in skipped.items()}
        data = make_data(name, base)
        label_tr = name in ("LabelEncoder", "LabelBinarizer")
        from sklearn.base import clone

        def run_setting(diff, cat):
            if name == "OneClassSVM" and diff.get("nu") == 1.0:
                # libsvm heap corruption on fit with sample_weight (aborts the worker)
                rec.setdefault("skipped_settings", []).append(repr(diff))
                return None
            est = clone(base)
            try:
                est.set_params(**diff)
                if hasattr(type(est), "_parameter_constraints"):
                    est._validate_params()
            except Exception:
                rec["n_invalid"] += 1
                return None
            rec["n_settings"] += 1
            ok = 0
            precomputed = any(isinstance(v, str) and "precomputed" in v for v in diff.values())
            for var in variants(data, precomputed, est, name):
                rec["n_sessions"] += 1
                signal.alarm(SESSION_TIMEOUT)
                try:
                    sess, called, _errors, fit_ok = run_session(est, var, label_tr)
                    signal.alarm(0)
                except Timeout:
                    rec["n_timeouts"] += 1
                    continue
                except Exception:
                    signal.alarm(0)
                    continue
                finally:
                    signal.alarm(0)
                ok += int(fit_ok)
                rec["n_fit_ok"] += int(fit_ok)
                rec["n_calls"] += len(called)
                for lab, _obj, _s, by, detail in sess.tracked:
                    if by is not None:
                        rec["findings"].append(
                            dict(
                                params={k: repr(v) for k, v in diff.items()},
                                category=cat,
                                input=var[0],
                                method=by,
                                argument=lab,
                                detail=detail,
                            )
                        )
                for meth, lab in sess.aliases:
                    rec["aliases"].append(
                        dict(
                            params={k: repr(v) for k, v in diff.items()},
                            input=var[0],
                            method=meth,
                            argument=lab,
                        )
                    )
            rec["settings"].append([{k: repr(v) for k, v in diff.items()}, cat, ok])
            return ok

        status = []
        for diff, cat in settings:
            if time.time() - t0 > ESTIMATOR_BUDGET:
                rec["truncated"] = True
                break
            status.append((diff, cat, run_setting(diff, cat)))
        # phase 2: a trigger (precomputed / copy-like) that never fits alone: find the
        # single other parameters that make it fit ("enablers"), then vary the rest on top.
        singles = [(d, c) for d, c in settings if c == "single"]
        trig_keys = [
            (k, v)
            for d, c in singles
            for k, v in d.items()
            if k not in COPY_FAMILY and is_trigger(k, v)
        ]
        done = {repr(sorted((k, repr(v)) for k, v in d.items())) for d, _ in settings}
        for tk, tv in trig_keys:
            solo = [
                ok for d, c, ok in status if c == "single" and tk in d and same_value(d[tk], tv)
            ]
            if not solo or (solo[0] or 0) > 0:
                continue
            enablers = []
            for d, c, ok in status:
                if c == "pair" and ok and tk in d and same_value(d[tk], tv):
                    enablers.append(
                        {k: v for k, v in d.items() if k != tk and k not in COPY_FAMILY}
                    )
            rec.setdefault("enablers", []).append([tk, repr(tv), [repr(e) for e in enablers]])
            for en in enablers[:3]:
                for d, _c in singles:
                    if time.time() - t0 > ESTIMATOR_BUDGET:
                        rec["truncated"] = True
                        break
                    ((k, _v),) = [(k, v) for k, v in d.items() if k not in COPY_FAMILY]
                    if k == tk or k in en:
                        continue
                    nd = dict(d)
                    nd.update(en)
                    nd[tk] = tv
                    key = repr(sorted((k2, repr(v2)) for k2, v2 in nd.items()))
                    if key in done:
                        continue
                    done.add(key)
                    run_setting(nd, "triple")
                # copy-family off on top of trigger+enabler: covered check
                for ck in COPY_FAMILY:
                    if ck in base.get_params(deep=False):
                        nd = {k2: v2 for k2, v2 in settings[0][0].items()}
                        nd.update(en)
                        nd[tk] = tv
                        nd[ck] = False
                        run_setting(nd, "covered")
    except Exception as e:
        rec["error"] = f"{type(e).__name__}: {e}\n{traceback.format_exc()[-800:]}"
    rec["seconds"] = round(time.time() - t0, 2)
    # cap aliases list size
    if len(rec["aliases"]) > 50:
        rec["n_aliases"] = len(rec["aliases"])
        rec["aliases"] = rec["aliases"][:50]
    return rec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--only", default="")
    ap.add_argument("--out", default="/work/inplace/results.jsonl")
    a = ap.parse_args()
    tasks = build_bases()
    if a.only:
        keep = set(a.only.split(","))
        tasks = [t for t in tasks if t[0] in keep]
    # heavier first for load balance
    print(f"{len(tasks)} tasks", flush=True)
    with open(a.out, "w") as f, Pool(a.workers, maxtasksperchild=5) as pool:
        for rec in pool.imap_unordered(run_task, tasks):
            f.write(json.dumps(rec, default=repr) + "\n")
            f.flush()
            print(
                f"{rec['estimator']}[{rec['base_index']}] settings={rec['n_settings']} "
                f"sessions={rec['n_sessions']} calls={rec['n_calls']} "
                f"findings={len(rec['findings'])} "
                f"t={rec['seconds']}s{' TRUNC' if rec['truncated'] else ''}"
                f"{' ERR ' + rec['error'][:80] if rec['error'] else ''}",
                flush=True,
            )


if __name__ == "__main__":
    main()
