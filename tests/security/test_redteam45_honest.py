"""Red team 45's fixes next to the honest models they must keep loading, and their parity.

rt45-02 (category_encoders): ``HashingEncoder.n_components`` is an int from 1 to
``MAX_OUTPUT_COLUMNS`` (an ``output_width`` dispatch row). rt45-05 and rt45-11 (lightgbm): a
wrapper's ``_n_features`` and ``_n_features_in`` are its Booster's ``num_feature()`` (-1 without
a Booster, as ``__init__`` leaves them). rt45-06: every feature name in a LightGBM model text
is at most ``MAX_FEATURE_NAME`` bytes, and there are ``max_feature_idx + 1`` of them. rt45-08:
``_classes`` is None or a 1-d ndarray. rt45-09: scan judges LightGBM's parameters on the values
the stream builds (numpy numbers and strings, arrays, sets), as the load judges the built ones.

Every crafted file here is refused by both ``scan`` and ``load_unsigned`` with a reason; every
honest one (defaults, binary, multiclass, regressor, pandas column names, inside
``SelectFromModel`` and ``Pipeline``; pickle protocols 2 and 5, joblib) scans SAFE and loads.
"""

from __future__ import annotations

import io
import pickle
import warnings
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

import safeload
from safeload import SafeloadError

RNG = np.random.RandomState(0)
X = RNG.rand(80, 3)
Y2 = (X[:, 0] > 0.5).astype(int)
Y3 = (X[:, 0] * 3).astype(int)
FORMATS = ("pickle-2", "pickle-5", "joblib")


def _dumped(model: Any, fmt: str) -> bytes:
    if fmt == "joblib":
        out = io.BytesIO()
        joblib.dump(model, out)
        return out.getvalue()
    return pickle.dumps(model, protocol=int(fmt.rpartition("-")[2]))


def _outcome(
    model: Any, tmp_path: Path, profiles: list[str], fmt: str = "pickle-5"
) -> tuple[bool, str, Any]:
    """(scan's verdict, 'loaded' or the load's refusal, what the load returned) for ``model``
    written in ``fmt``."""
    path = tmp_path / f"model-{fmt}.pkl"
    path.write_bytes(_dumped(model, fmt))
    safe = safeload.scan(path, profiles=profiles).safe
    try:
        loaded = safeload.load_unsigned(path, profiles=profiles)
    except SafeloadError as exc:
        return safe, f"refused: {exc}", None
    return safe, "loaded", loaded


def _honest(model: Any, tmp_path: Path, profiles: list[str], fmt: str = "pickle-5") -> Any:
    safe, outcome, loaded = _outcome(model, tmp_path, profiles, fmt)
    assert outcome == "loaded", outcome
    assert safe, safeload.scan(tmp_path / f"model-{fmt}.pkl", profiles=profiles).findings
    return loaded


def _refused(
    model: Any, tmp_path: Path, profiles: list[str], match: str, fmt: str = "pickle-5"
) -> None:
    safe, outcome, _ = _outcome(model, tmp_path, profiles, fmt)
    assert outcome.startswith("refused") and match in outcome, outcome
    assert not safe


# --- rt45-02: HashingEncoder.n_components --------------------------------------------------


def _frame() -> Any:
    pd = pytest.importorskip("pandas")
    return pd.DataFrame({"a": ["x", "y", "z", "x"], "b": [1.0, 2.0, 3.0, 4.0]})


def _hashing(**kw: Any) -> Any:
    ce = pytest.importorskip("category_encoders")
    return ce.HashingEncoder(max_process=1, **kw).fit(_frame())


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("n_components", [None, 1, 32, 2**18], ids=repr)
def test_honest_hashing_encoders_load(n_components: Any, fmt: str, tmp_path: Path) -> None:
    """The default (8), small counts and the whole-model bound on widths only parameters set
    (2**18 columns: object_checks.MAX_FREE_COLUMNS since rt59-06; the class's own rule
    allows 2**24); alone and in a Pipeline."""
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import make_pipeline

    small = n_components is None or n_components <= 32
    kw = {"n_components": n_components} if small and n_components is not None else {}
    enc = _hashing(**kw)
    if small:
        loaded = _honest(enc, tmp_path, ["category_encoders"], fmt)
        assert loaded.transform(_frame()).shape == enc.transform(_frame()).shape
        pipe = make_pipeline(
            pytest.importorskip("category_encoders").HashingEncoder(max_process=1, **kw),
            LinearRegression(),
        ).fit(_frame(), [1.0, 2.0, 3.0, 4.0])
        again = _honest(pipe, tmp_path, ["category_encoders"], fmt)
        assert np.allclose(again.predict(_frame()), pipe.predict(_frame()))
    else:
        # the bound itself loads (set after fitting: each transform of such an encoder takes
        # 2 MiB per row, see SECURITY.md)
        enc.n_components = n_components
        assert _honest(enc, tmp_path, ["category_encoders"], fmt).n_components == 2**18


@pytest.mark.parametrize(
    "value",
    [0, -1, 2**24 + 1, 2**31, np.int64(8), np.int64(2**31), True, 8.0, "8", None, np.array(8), [8]],
    ids=repr,
)
def test_hashing_encoder_widths_refused_by_both(value: Any, tmp_path: Path) -> None:
    """Past the bound, not positive, or not an int exactly: scan and load both refuse (a numpy
    integer too: ``HashingEncoder.transform`` itself fails on one, ``int % numpy.int64``
    overflows)."""
    enc = _hashing()
    enc.n_components = value
    for fmt in ("pickle-2", "pickle-5"):
        _refused(enc, tmp_path, ["category_encoders"], "n_components", fmt)


# --- LightGBM: rt45-05, -06, -08, -09, -11 --------------------------------------------------


def _lgb() -> Any:
    return pytest.importorskip("lightgbm")


def _frame_x() -> Any:
    pd = pytest.importorskip("pandas")
    return pd.DataFrame(
        {
            "age": X[:, 0],
            "a long column name " + "x" * 200: X[:, 1],  # spaces become "_" in LightGBM
            "c=1": X[:, 2],  # an '=' in a name: LightGBM keeps the rest of the line
            "colour": pd.Categorical(["red", "green", "blue", "red"] * 20),
        }
    )


def _honest_lightgbm(kind: str) -> Any:
    """An honestly fitted LightGBM model of ``kind`` (a copy: fitted once per process)."""
    if kind not in _FITTED:
        warnings.simplefilter("ignore")
        _FITTED[kind] = _fit_lightgbm(kind)
    # (a pickle round trip, not deepcopy: Booster.__deepcopy__ rebuilds it from its text,
    # whose params then hold every loaded parameter, tree_learner included)
    return pickle.loads(pickle.dumps(_FITTED[kind]))


_FITTED: dict[str, Any] = {}


def _fit_lightgbm(kind: str) -> Any:
    """An honestly fitted LightGBM model of ``kind`` (defaults, apart from a few trees)."""
    lgb = _lgb()
    from sklearn.feature_selection import SelectFromModel
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    small = {"n_estimators": 3, "verbose": -1}
    if kind == "binary":
        return lgb.LGBMClassifier(**small).fit(X, Y2)
    if kind == "multiclass":
        return lgb.LGBMClassifier(**small).fit(X, Y3)
    if kind == "string-labels":
        return lgb.LGBMClassifier(**small).fit(X, np.array(["no", "yes"])[Y2])
    if kind == "regressor":
        return lgb.LGBMRegressor(**small).fit(X, X[:, 1])
    if kind == "pandas":
        return lgb.LGBMClassifier(**small).fit(_frame_x(), Y3)
    if kind == "unfitted":
        return lgb.LGBMClassifier()
    if kind == "select-from-model":
        return SelectFromModel(lgb.LGBMClassifier(**small)).fit(X, Y2)
    if kind == "pipeline":
        return make_pipeline(StandardScaler(), lgb.LGBMRegressor(**small)).fit(X, X[:, 1])
    if kind == "categorical-params":  # LightGBM's own keyword arguments, kept in _other_params
        model = lgb.LGBMClassifier(
            **small, categorical_feature=[0], interaction_constraints=[[0, 1], [2]]
        )
        return model.fit(X, Y2)
    raise AssertionError(kind)


LGBM_KINDS = (
    "binary",
    "multiclass",
    "string-labels",
    "regressor",
    "pandas",
    "unfitted",
    "select-from-model",
    "pipeline",
    "categorical-params",
)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("kind", LGBM_KINDS)
def test_honest_lightgbm_models_load(kind: str, fmt: str, tmp_path: Path) -> None:
    model = _honest_lightgbm(kind)
    loaded = _honest(model, tmp_path, ["lightgbm"], fmt)
    if kind == "unfitted":
        return
    data = _frame_x() if kind == "pandas" else X
    inner = loaded.estimator_ if kind == "select-from-model" else loaded
    if kind == "select-from-model":
        assert list(loaded.get_feature_names_out()) == list(model.get_feature_names_out())
        assert np.array_equal(loaded.transform(data), model.transform(data))
    else:
        assert np.array_equal(loaded.predict(data), model.predict(data))
    if kind != "pipeline":
        assert inner.n_features_in_ == inner.booster_.num_feature() == data.shape[1]
        assert len(inner.feature_name_) == data.shape[1]


def test_honest_search_winner_with_numpy_parameters(tmp_path: Path) -> None:
    """rt45-09's honest model: a randomized search keeps numpy numbers (``scipy.stats``
    draws) in the winner's constructor parameters and its Booster's params."""
    lgb = _lgb()
    import scipy.stats
    from sklearn.model_selection import RandomizedSearchCV

    search = RandomizedSearchCV(
        lgb.LGBMClassifier(n_estimators=3, verbose=-1),
        {
            "learning_rate": scipy.stats.uniform(0.01, 0.2),
            "num_leaves": np.arange(4, 16),  # an element of an array: a numpy int
            "reg_alpha": np.logspace(-3, 0, 4),
        },
        n_iter=2,
        cv=2,
        random_state=0,
    ).fit(X, Y2)
    best = search.best_estimator_
    assert isinstance(best.learning_rate, np.floating) and isinstance(best.num_leaves, np.integer)
    for fmt in FORMATS:
        loaded = _honest(best, tmp_path, ["lightgbm"], fmt)
        assert np.allclose(loaded.predict_proba(X), best.predict_proba(X))
    # a whole grid search over numpy grids: its grid, and its winner's numpy learning rate
    from sklearn.model_selection import GridSearchCV

    grid = GridSearchCV(
        lgb.LGBMClassifier(n_estimators=3, verbose=-1),
        {"learning_rate": np.logspace(-2, -1, 2), "num_leaves": np.array([4, 8])},
        cv=2,
    ).fit(X, Y2)
    assert isinstance(grid.best_estimator_.learning_rate, np.floating)
    for fmt in FORMATS:
        _honest(grid, tmp_path, ["lightgbm"], fmt)


# rt45-05 / rt45-11: the wrapper's widths are its Booster's


@pytest.mark.parametrize("name", ["_n_features", "_n_features_in"])
@pytest.mark.parametrize("value", [2**31, 4, 2, 0, -1, np.int64(3), True, 3.0, "3", None], ids=repr)
def test_lightgbm_widths_must_be_the_boosters(name: str, value: Any, tmp_path: Path) -> None:
    model = _honest_lightgbm("binary")
    setattr(model, name, value)
    for fmt in FORMATS:
        _refused(model, tmp_path, ["lightgbm"], name, fmt)


@pytest.mark.parametrize("name", ["_n_features", "_n_features_in"])
def test_lightgbm_widths_without_a_booster(name: str, tmp_path: Path) -> None:
    """An unfitted wrapper keeps -1 (``__init__``); a fitted-looking one without a Booster may
    not say more (``fitted_`` alone makes ``n_features_in_`` answer)."""
    model = _honest_lightgbm("unfitted")
    setattr(model, name, 2**31)
    model.fitted_ = True
    _refused(model, tmp_path, ["lightgbm"], name)


def test_lightgbm_feature_indices_bounded_by_the_booster(tmp_path: Path) -> None:
    """r15-07's bound is the Booster's: an index of a 3-feature model's third feature loads,
    its fourth does not, whatever the wrapper's own counts say (rt45-11)."""
    lgb = _lgb()
    ok = lgb.LGBMClassifier(n_estimators=2, verbose=-1, interaction_constraints=[[2]]).fit(X, Y2)
    _honest(ok, tmp_path, ["lightgbm"])
    bad = lgb.LGBMClassifier(n_estimators=2, verbose=-1).fit(X, Y2)
    bad.set_params(interaction_constraints=[[3]])
    _refused(bad, tmp_path, ["lightgbm"], "interaction_constraints")


# rt45-08: _classes is None or one 1-d array


@pytest.mark.parametrize(
    "classes",
    [
        [0, 1],
        (0, 1),
        np.array([[0, 1]]),
        np.array([[0], [1]]),
        np.array(2),
        "ab",
        b"ab",
        {0: 0, 1: 1},
        range(2),
        2,
        np.ma.masked_array([0, 1]),
    ],
    ids=lambda c: type(c).__name__ + str(np.shape(c)) if not isinstance(c, range) else "range",
)
def test_lightgbm_classes_must_be_one_array(classes: Any, tmp_path: Path) -> None:
    model = _honest_lightgbm("binary")
    model._classes = classes
    for fmt in ("pickle-2", "pickle-5"):
        safe, outcome, _ = _outcome(model, tmp_path, ["lightgbm"], fmt)
        assert outcome.startswith("refused"), outcome
        assert not safe


def test_lightgbm_class_count_is_the_arrays_length(tmp_path: Path) -> None:
    model = _honest_lightgbm("multiclass")
    model._n_classes = 2
    _refused(model, tmp_path, ["lightgbm"], "_n_classes")
    model = _honest_lightgbm("regressor")
    model._n_classes = 1
    _refused(model, tmp_path, ["lightgbm"], "_n_classes")


# rt45-09: every value form, judged alike by scan (the values the stream builds) and load

#: (parameter, value, whether the load's rule takes it).
PARAM_FORMS: dict[str, tuple[str, Any, bool]] = {
    "float64": ("min_sum_hessian_in_leaf", np.float64(0.01), True),
    "float32": ("min_sum_hessian_in_leaf", np.float32(0.01), True),
    "int64": ("max_bin", np.int64(63), True),
    "int32": ("max_bin", np.int32(63), True),
    "uint8": ("max_bin", np.uint8(63), True),
    "bool_": ("force_col_wise", np.bool_(True), True),
    "str_": ("metric", np.str_("auc"), True),
    "0-d str array": ("metric", np.array("auc"), True),
    "str array": ("metric", np.array(["auc", "l2"]), True),
    "object str array": ("metric", np.array(["auc"], dtype=object), True),
    "int array": ("categorical_feature", np.array([0, 2]), True),
    "float array": ("cegb_penalty_feature_lazy", np.array([0.5, 0.5, 0.5]), True),
    "2-d int array": ("cegb_penalty_feature_lazy", np.zeros((2, 2)), True),
    "set": ("metric", {"auc", "l2"}, True),
    "frozenset": ("metric", frozenset({"auc"}), True),
    "tuple": ("metric", ("auc", "l2"), True),
    "list of numpy ints": ("categorical_feature", [np.int64(0), np.int64(2)], True),
    "nested lists": ("interaction_constraints", [[0, 1], [2]], True),
    "str_ with a space": ("metric", np.str_("a b"), False),
    "str_ with a path": ("metric", np.str_("/etc/passwd"), False),
    "str array with '='": ("metric", np.array(["auc", "a=b"]), False),
    "object array with a space": ("metric", np.array(["a b"], dtype=object), False),
    "bytes_": ("metric", np.bytes_(b"auc"), False),
    "bytes array": ("metric", np.array([b"auc"]), False),
    "complex": ("min_sum_hessian_in_leaf", np.complex128(1j), False),
    "datetime64": ("min_sum_hessian_in_leaf", np.datetime64("2020-01-01"), False),
    "set with a space": ("metric", {"auc", "a b"}, False),
    "index past the features": ("categorical_feature", np.array([0, 3]), False),
    "numpy index past the features": ("categorical_feature", [np.int64(3)], False),
    "2-d object array": ("metric", np.array([["auc"]], dtype=object), False),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("place", ["_other_params", "Booster.params"])
@pytest.mark.parametrize("form", sorted(PARAM_FORMS))
def test_lightgbm_parameter_forms_parity(form: str, place: str, fmt: str, tmp_path: Path) -> None:
    """Both directions: scan calls the file SAFE exactly when the load loads it, and the
    load's rule decides as the table says (it was not loosened for scan's sake)."""
    key, value, taken = PARAM_FORMS[form]
    model = _honest_lightgbm("binary")
    if place == "_other_params":
        model._other_params = {key: value}
    else:
        model._Booster.params = {**model._Booster.params, key: value}
    safe, outcome, _ = _outcome(model, tmp_path, ["lightgbm"], fmt)
    assert safe == (outcome == "loaded"), (safe, outcome)
    assert (outcome == "loaded") == taken, outcome


# rt45-06: the model text's feature names


def _names_file(tmp_path: Path, names: list[str], *, count: int | None = None) -> Path:
    """A fitted binary LGBMClassifier (3 features, whose trees use features 0 to 2) whose
    model text lists ``names`` and says ``max_feature_idx = count - 1`` (``count`` defaults
    to the number of names), its wrapper's widths ``count``, as fit sets them."""
    import re

    lgb = _lgb()
    model = _honest_lightgbm("binary")
    text = model.booster_.model_to_string()
    count = len(names) if count is None else count
    text = re.sub(r"(?m)^max_feature_idx=\d+$", f"max_feature_idx={count - 1}", text, count=1)
    text = re.sub(r"(?m)^feature_names=.*$", "feature_names=" + " ".join(names), text, count=1)
    text = re.sub(r"(?m)^feature_infos=.*$", "feature_infos=" + " ".join(["none"] * count), text)
    model._n_features = model._n_features_in = count
    real = lgb.basic.Booster.__getstate__
    lgb.basic.Booster.__getstate__ = lambda self: {**real(self), "_handle": text}
    try:
        data = pickle.dumps(model, protocol=5)
    finally:
        lgb.basic.Booster.__getstate__ = real
    path = tmp_path / "names.pkl"
    path.write_bytes(data)
    return path


def _verdicts(path: Path) -> tuple[bool, str]:
    safe = safeload.scan(path, profiles=["lightgbm"]).safe
    try:
        safeload.load_unsigned(path, profiles=["lightgbm"])
    except SafeloadError as exc:
        return safe, f"refused: {exc}"
    return safe, "loaded"


@pytest.mark.parametrize(
    "names",
    [
        ["a", "b", "c"],
        ["x" * 1024, "b", "c"],  # the longest name allowed
        ["\u00e9" * 512, "b", "c"],  # 1,024 bytes of UTF-8
        ["a=1", "b==2", "c"],  # '=' in names (LightGBM keeps the rest of the line)
        [f"f{i}" for i in range(2000)],  # many features, short names
    ],
    ids=["short", "1024-bytes", "1024-utf8-bytes", "equals-signs", "2000-features"],
)
def test_honest_feature_names_load(names: list[str], tmp_path: Path) -> None:
    path = _names_file(tmp_path, names)
    assert _verdicts(path) == (True, "loaded")
    loaded = safeload.load_unsigned(path, profiles=["lightgbm"])
    assert loaded.feature_name_ == names


@pytest.mark.parametrize(
    ("names", "count", "match"),
    [
        (["x" * 1025, "b", "c"], None, "feature name 0 is 1,025 bytes long"),
        (["a", "b", "\u00e9" * 513], None, "feature name 2 is 1,026 bytes long"),
        ([f"f{i}" for i in range(999)] + ["y" * 5000], None, "feature name 999"),
        (["a", "b"], 3, "feature_names lists 2 name(s)"),  # LightGBM refuses it too
        (["a", "b", "c", "d"], 3, "feature_names lists 4 name(s)"),
    ],
    ids=["1025-bytes", "1026-utf8-bytes", "long-last", "too-few", "too-many"],
)
def test_feature_names_refused_by_both(
    names: list[str], count: int | None, match: str, tmp_path: Path
) -> None:
    safe, outcome = _verdicts(_names_file(tmp_path, names, count=count))
    assert not safe
    assert outcome.startswith("refused") and match in outcome, outcome


def test_feature_names_line_read_as_lightgbm_reads_it() -> None:
    """The text check's reading of the line (split on spaces, empty pieces dropped, '=' kept
    after the first; no line at all, or two of them) against LightGBM's own parser."""
    from safeload.trust.lightgbm_text import text_problem

    lgb = _lgb()
    text = _honest_lightgbm("binary").booster_.model_to_string()
    line = next(x for x in text.splitlines() if x.startswith("feature_names="))
    cases = {
        "double spaces": line.replace(" ", "   "),
        "leading '='": "feature_names==" + line.partition("=")[2],
        "names with '='": "feature_names=a=1 b=2 c=3",
        "no line": "",
        "two names": "feature_names=a b",
        "twice": line + "\n" + line,
    }
    for case, new in cases.items():
        crafted = text.replace(line + "\n", new + "\n" if new else "", 1)
        problem = text_problem(crafted.encode())
        try:
            lgb.Booster(model_str=crafted)
        except lgb.basic.LightGBMError:
            parsed = False
        else:
            parsed = True
        if case == "twice":
            assert parsed and problem is not None  # LightGBM keeps the last; safeload refuses
        else:
            assert (problem is None) == parsed, (case, problem)
