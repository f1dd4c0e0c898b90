"""The use-time layer: what a loaded model may hold, and the reviewed dispatch table.

Each hostile value here is built only from classes and functions on the default allowlist, so
the restricted unpickler builds it without complaint; what refuses it is the use-time check (and,
where the value is a literal, the static pass before anything is built). The chains that show
such state running code under plain pickle live in the attack corpus (``usetime-*`` cases in
``tests/security/test_attacks.py``).
"""

from __future__ import annotations

import copyreg
import functools
import importlib
import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer, get_scorer_names
from sklearn.model_selection import GridSearchCV
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.tree import DecisionTreeClassifier

import safeload
from harm import plain
from safeload import UnsafeStateError, load_unsigned, scan, validate
from safeload.policy import Policy
from safeload.trust import classes
from safeload.trust.callables import CALLABLE_ROWS, TYPE_VALUE_ROWS
from safeload.trust.dispatch import KINDS, ROWS, DispatchRow

RNG = np.random.RandomState(0)
X = RNG.rand(60, 3)
Y = (X[:, 0] > 0.5).astype(int)


def _write(tmp_path: Path, obj: Any, name: str = "m.pkl") -> Path:
    path = tmp_path / name
    path.write_bytes(pickle.dumps(obj, protocol=4))
    return path


def _refused(tmp_path: Path, obj: Any, *needles: str) -> str:
    path = _write(tmp_path, obj)
    assert not scan(path).safe, "scan called safe a file that load refuses"
    with pytest.raises(UnsafeStateError) as info:
        load_unsigned(path)
    message = str(info.value)
    for needle in needles:
        assert needle in message, message
    assert str(path) in message
    return message


def _bare(cls: type, **state: Any) -> Any:
    obj: Any = object.__new__(cls)
    obj.__dict__.update(state)
    return obj


# --- the tables ------------------------------------------------------------------------------


def test_every_row_resolves_and_uses_a_known_kind() -> None:
    assert len(ROWS) >= 150
    for row in ROWS:
        assert row.kind in KINDS, row
        assert row.drives, row
        module, _, qualname = row.cls.partition(":")
        assert classes.resolve_class(module, qualname) is not None, row
        if row.kind in ("instance_of", "each_instance_of", "rebuilt"):
            assert all(v is None or ":" in v for v in row.values), row


def test_rows_are_unique() -> None:
    keys = [(r.cls, r.attribute) for r in ROWS]
    assert len(keys) == len(set(keys))


def test_every_callable_resolves_and_is_a_function() -> None:
    for module, qualname, reason in (*CALLABLE_ROWS, *TYPE_VALUE_ROWS):
        assert reason
        obj = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
        assert callable(obj)


def test_callable_list_has_every_named_scorer_metric() -> None:
    """A new scikit-learn scorer shows up here, for review, not as a silent new entry."""
    listed = {(m, q) for m, q, _ in CALLABLE_ROWS}
    missing = []
    for name in get_scorer_names():
        func = getattr(get_scorer(name), "_score_func", None)
        if func is None or "<" in func.__qualname__:
            continue
        if (func.__module__, func.__qualname__) not in listed:
            missing.append(f"{name}: {func.__module__}.{func.__qualname__}")
    assert not missing, missing


def test_every_stored_callable_may_also_be_built() -> None:
    """A model can only hold an allowed function if the unpickler may resolve its name."""
    policy = Policy.default()
    for module, qualname, _ in CALLABLE_ROWS:
        assert policy.allows(module, qualname), (module, qualname)


# --- one hostile value per row ----------------------------------------------------------------


@functools.cache
def _allowed_classes() -> list[type]:
    policy = Policy.default()
    found = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # numpy.core spellings
        for module, qualname in policy:
            cls = classes.resolve_class(module, qualname)
            if cls is not None:
                found.append(cls)
    return found


def _concrete(cls: type) -> type | None:
    """An allowlisted class that is ``cls`` or derives from it (a file can only build those)."""
    candidates = []
    for found in _allowed_classes():
        if issubclass(found, cls) and not getattr(found, "__abstractmethods__", None):
            candidates.append(found)
    candidates.sort(key=lambda c: (c is not cls, c.__module__, c.__qualname__))
    return candidates[0] if candidates else None


_BYTES = np.array(b"x" * 8, dtype="S8")  # has tofile/dump: the array the chains write with


def _hostile(row: DispatchRow) -> Any:
    """A value, buildable from allowlisted names, that the row must refuse."""
    kind = row.kind
    if kind in ("one_of",):
        return "tofile"
    if kind == "regex":
        return r"(?:a|aa)*#"  # backtracks exponentially on a run of 'a's (r15-13)
    if kind == "each_one_of":
        return ["tofile"]
    if kind in ("estimator", "instance_of", "kernel", "rebuilt"):
        return _BYTES
    if kind in ("estimators", "each_instance_of"):
        return [_BYTES]
    if kind == "named_estimators":
        return [("a", _BYTES)]
    if kind == "named_transformers":
        return [("a", _BYTES, [0])]
    if kind in ("callable", "scorer"):
        return copyreg._reconstructor  # may be called while loading, never kept as a value
    if kind == "none":
        return "cache-folder"
    if kind == "output_config":
        return {"transform": "tofile"}
    if kind == "attr_path":
        return "__class__.__init__"
    if kind == "data":
        return LogisticRegression()
    if kind == "vocabulary":
        return {f"w{k}": k * (2**61 - 1) for k in range(40)}  # one hash, hashed at use (rt122-10)
    if kind == "forbidden":
        return 1
    if kind == "thread_count":
        return 100_000
    if kind == "output_width":
        return 2**31  # columns per transformed row (rt45-02)
    if kind == "numeric_dtype":
        return "S1073741824"  # a 1 GiB item per output cell (rt28-09)
    if kind == "fitted_dtype":
        return np.dtype("S65536")  # a numpy.dtype, but a 64 KiB item per cell (rt29-05)
    raise AssertionError(kind)


def _row_id(row: DispatchRow) -> str:
    return f"{row.cls.partition(':')[2]}.{row.attribute}"


@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_each_row_refuses_a_hostile_value(row: DispatchRow, tmp_path: Path) -> None:
    module, _, qualname = row.cls.partition(":")
    base = classes.resolve_class(module, qualname)
    assert base is not None
    cls = _concrete(base)
    if cls is None:
        pytest.skip(f"no allowlisted class derives from {row.cls}")
    value = _hostile(row)
    if isinstance(cls, type) and issubclass(cls, tuple):  # a namedtuple: the row is a field
        fields = cls._fields  # type: ignore[attr-defined]
        obj = cls(*[value if f == row.attribute else None for f in fields])
    else:
        obj = _bare(cls, **{row.attribute: value})
    if row.kind == "rebuilt":
        # __getstate__ drops it, so only a hand-written stream carries it: check the object
        with pytest.raises(UnsafeStateError, match=row.attribute):
            validate.validate_loaded(obj, "in-memory")
        return
    path = _write(tmp_path, obj)
    with pytest.raises(UnsafeStateError) as info:
        load_unsigned(path)
    assert row.attribute in str(info.value) or "copyreg" in str(info.value), str(info.value)
    assert scan(path).verdict == "unsafe", "scan must agree with load"


# --- the structure rules ----------------------------------------------------------------------


def test_honest_callables_and_partials_load(tmp_path: Path) -> None:
    model = FunctionTransformer(np.log1p, inverse_func=np.expm1).fit(X)
    loaded = load_unsigned(_write(tmp_path, model))
    assert np.allclose(loaded.transform(X), np.log1p(X))
    from sklearn.utils.validation import check_array

    holder = FunctionTransformer(functools.partial(check_array, dtype=np.float64)).fit(X)
    assert np.allclose(load_unsigned(_write(tmp_path, holder, "p.pkl")).transform(X), X)


def test_a_partial_with_an_estimator_argument_is_refused(tmp_path: Path) -> None:
    fn = functools.partial(np.mean, axis=LogisticRegression())  # data slot, estimator in it
    _refused(tmp_path, FunctionTransformer(fn), "model.func", "plain data")
    positional = functools.partial(np.log1p, np.zeros(3))
    _refused(tmp_path, FunctionTransformer(positional), "positional")


def test_a_partial_around_a_class_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, FunctionTransformer(functools.partial(LogisticRegression)), "partial")


def test_a_stored_function_off_the_callable_list_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, FunctionTransformer(copyreg._reconstructor), "copyreg")


def test_a_class_kept_as_a_value_is_refused(tmp_path: Path) -> None:
    _refused(
        tmp_path, FunctionTransformer(kw_args={"cls": LogisticRegression}), "LogisticRegression"
    )


@pytest.mark.parametrize(
    "key", ["predict", "__sklearn_tags__", "_parameter_constraints", "classes_"]
)
def test_state_keys_may_not_shadow_the_class(key: str, tmp_path: Path) -> None:
    # classes_ is a property of Pipeline; the others are methods or class settings
    model = Pipeline([("s", StandardScaler()), ("c", LogisticRegression())]).fit(X, Y)
    model.__dict__[key] = np.log1p
    _refused(tmp_path, model, repr(key))


def test_a_parameter_may_hide_a_plain_class_default(tmp_path: Path) -> None:
    # Lars defines `positive = False` on the class and LassoLarsIC takes `positive` as a
    # constructor parameter, so every honest LassoLarsIC hides it (coverage corpus, issue 15)
    from sklearn.linear_model import LassoLarsIC

    model = LassoLarsIC().fit(X, X[:, 0] + 2 * X[:, 1])
    path = _write(tmp_path, model)
    assert scan(path).safe
    assert np.array_equal(load_unsigned(path).predict(X), model.predict(X))


def test_a_plain_class_setting_that_is_no_parameter_stays_protected(tmp_path: Path) -> None:
    # LassoLars.method = "lasso" is a class setting, not a constructor parameter
    from sklearn.linear_model import LassoLars

    model = LassoLars(alpha=0.01).fit(X, X[:, 0])
    model.__dict__["method"] = "lar"
    _refused(tmp_path, model, "'method'")


def test_kernel_hyperparameter_names_are_the_class_s(tmp_path: Path) -> None:
    from sklearn.gaussian_process.kernels import RBF

    kernel = RBF()
    kernel.__dict__["hyperparameter_evil"] = "x"
    _refused(tmp_path, kernel, "hyperparameter_evil")


def test_a_grid_may_not_set_a_memory_path(tmp_path: Path) -> None:
    pipe = Pipeline([("s", StandardScaler()), ("c", LogisticRegression())])
    search = GridSearchCV(pipe, {"memory": ["cache-folder"], "c__C": [1.0]})
    _refused(tmp_path, search, "param_grid", "memory")
    honest = GridSearchCV(pipe, {"c__C": [0.1, 1.0]}, cv=2).fit(X, Y)
    assert load_unsigned(_write(tmp_path, honest, "g.pkl")).best_params_ == honest.best_params_


def test_output_config_names_only_known_containers(tmp_path: Path) -> None:
    model = StandardScaler().fit(X)
    model._sklearn_output_config = {"transform": "polars_evil"}
    _refused(tmp_path, model, "_sklearn_output_config")
    honest = StandardScaler().set_output(transform="pandas").fit(X)
    assert load_unsigned(_write(tmp_path, honest, "h.pkl"))._sklearn_output_config == {
        "transform": "pandas"
    }


def test_a_parameter_the_class_refuses_is_named(tmp_path: Path) -> None:
    model = LogisticRegression().fit(X, Y)
    model.__dict__["solver"] = "tofile"
    _refused(tmp_path, model, "solver", "LogisticRegression")
    with pytest.raises(UnsafeStateError, match=r"model\.solver"):
        validate.validate_loaded(model, "in-memory")


def test_the_path_names_where_in_the_model() -> None:
    """The static pass names the byte; the post-build check names the object's path."""
    inner = LogisticRegression().fit(X, Y)
    inner.__dict__["predict"] = np.log1p
    model = Pipeline([("s", StandardScaler()), ("c", inner)])
    with pytest.raises(UnsafeStateError, match=r"model\.steps\[1\]\[1\]: state key 'predict'"):
        validate.validate_loaded(model, "in-memory")


def test_walk_reaches_partial_args_slices_sets_and_dict_keys(tmp_path: Path) -> None:
    bad = _bare(LogisticRegression, predict=np.log1p)
    for holder in (
        {"x": slice(bad, None)},
        {"x": {frozenset([1]): [bad]}},
        {"x": (bad,)},
    ):
        model = FunctionTransformer(kw_args=holder)
        path = _write(tmp_path, model)
        with pytest.raises(UnsafeStateError):
            load_unsigned(path)


def test_scan_flags_what_it_can_see(tmp_path: Path) -> None:
    model = LogisticRegression().fit(X, Y)
    model.__dict__["predict"] = np.log1p
    report = scan(_write(tmp_path, model))
    assert report.verdict == "unsafe"
    assert any("predict" in f.message for f in report.findings)
    assert scan(_write(tmp_path, LogisticRegression().fit(X, Y), "ok.pkl")).verdict == "safe"


def test_scan_and_load_agree_on_a_literal_dispatch_string(tmp_path: Path) -> None:
    from sklearn.model_selection import FixedThresholdClassifier

    model = FixedThresholdClassifier(LogisticRegression()).fit(X, Y)
    model.__dict__["response_method"] = "fit"
    path = _write(tmp_path, model)
    assert scan(path).verdict == "unsafe"
    with pytest.raises(UnsafeStateError, match="response_method"):
        load_unsigned(path)


# --- native structures checked against their owner ---------------------------------------------


def test_tree_fitted_on_more_features_than_the_estimator_accepts(tmp_path: Path) -> None:
    wide = RNG.rand(60, 400)
    tree = DecisionTreeClassifier(random_state=0).fit(wide, (wide[:, 399] > 0.5).astype(int))
    narrow = DecisionTreeClassifier(random_state=0).fit(X[:, :2], Y)
    narrow.tree_ = tree.tree_  # feature index 399 read from a 2-column input
    path = _write(tmp_path, narrow)
    # plain pickle: predict reads far past each row (garbage, or a crash: not asserted)
    plain(path, "model.predict(np.full((4, 2), 0.5))", loads=None, timeout=120)
    assert not scan(path).safe
    with pytest.raises(safeload.MalformedArtifactError, match="n_features"):
        load_unsigned(path)


def test_forest_trees_must_match_the_forest(tmp_path: Path) -> None:
    forest = RandomForestClassifier(n_estimators=3, random_state=0).fit(X, Y)
    wide = RNG.rand(60, 5)
    other = DecisionTreeClassifier(random_state=0).fit(wide, (wide[:, 4] > 0.5).astype(int))
    forest.estimators_[1] = other
    path = _write(tmp_path, forest)
    assert not scan(path).safe, "scan called safe a file that load refuses"
    with pytest.raises(safeload.MalformedArtifactError, match="forest"):
        load_unsigned(path)


def test_gradient_boosting_stages_must_match_outputs(tmp_path: Path) -> None:
    model = GradientBoostingClassifier(n_estimators=3, random_state=0).fit(X, Y)
    model.estimators_ = np.concatenate([model.estimators_] * 3, axis=1)  # 3 columns, 1 output
    path = _write(tmp_path, model)
    assert not scan(path).safe, "scan called safe a file that load refuses"
    with pytest.raises(safeload.MalformedArtifactError, match="n_trees_per_iteration_"):
        load_unsigned(path)


def test_mahalanobis_matrix_must_match_the_data(tmp_path: Path) -> None:
    wide = RNG.rand(40, 5)
    model = KNeighborsClassifier(
        algorithm="ball_tree", metric="mahalanobis", metric_params={"VI": np.eye(5)}
    ).fit(wide, (wide[:, 0] > 0.5).astype(int))
    small = KNeighborsClassifier(
        algorithm="ball_tree", metric="mahalanobis", metric_params={"VI": np.eye(1)}
    ).fit(wide[:, :1], (wide[:, 0] > 0.5).astype(int))
    state = list(model._tree.__getstate__())
    state[11] = small._tree.__getstate__()[11]  # a 1x1 VI on 5-feature data
    model._tree.__setstate__(tuple(state))
    path = _write(tmp_path, model)
    assert not scan(path).safe, "scan called safe a file that load refuses"
    with pytest.raises(safeload.MalformedArtifactError, match="VI"):
        load_unsigned(path)


def test_honest_models_of_each_checked_family_still_load(tmp_path: Path) -> None:
    models: list[BaseEstimator] = [
        DecisionTreeClassifier(random_state=0).fit(X, Y),
        RandomForestClassifier(n_estimators=3, random_state=0).fit(X, Y),
        GradientBoostingClassifier(n_estimators=3, random_state=0).fit(X, Y),
        KNeighborsClassifier(
            algorithm="ball_tree", metric="mahalanobis", metric_params={"VI": np.eye(3)}
        ).fit(X, Y),
    ]
    for i, model in enumerate(models):
        path = _write(tmp_path, model, f"{i}.pkl")
        assert scan(path).safe, scan(path).findings
        loaded = load_unsigned(path)
        assert np.array_equal(loaded.predict(X), model.predict(X))


def test_objects_in_masked_slots_are_walked(tmp_path: Path) -> None:
    """A masked array's tolist() shows masked slots as None; the walk reads the raw elements
    (the first review found a Pipeline with a memory path hidden there)."""
    pipe = Pipeline([("s", StandardScaler())], memory="cache-folder")
    search = GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2).fit(X, Y)
    assert isinstance(search.cv_results_["param_C"], np.ma.MaskedArray)
    assert load_unsigned(_write(tmp_path, search, "s.pkl")).best_params_ == search.best_params_
    # cv_results_ is the one place a masked array may be (rt39-02): what it hides is walked
    search.cv_results_["param_C"] = np.ma.MaskedArray(np.array([pipe, 1], dtype=object), [1, 0])
    _refused(tmp_path, search, "memory")
    model = LogisticRegression().fit(X, Y)
    model.__dict__["extra_"] = np.ma.MaskedArray(np.array([1.0, 2.0]), [1, 0])
    _refused(tmp_path, model, "masked array")
