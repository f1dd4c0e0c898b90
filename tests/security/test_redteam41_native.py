"""Red team 41 (findings rt41-04 to rt41-08): models that pass scan and load and then write out
of bounds in native code, or ask numpy for 16 GiB, when used. Each test first shows the harm
under plain pickle (or after the old load) in a child process under resource limits, then
asserts that safeload refuses the file in scan and in load_unsigned."""

from __future__ import annotations

import functools
import pickle
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import PLAIN_MODEL, load_honest, parity, printed_pair

X = np.random.RandomState(0).rand(30, 3)
Y2 = np.arange(30) % 2


# --- rt41-04: complex categories escape rt40-07's sorted rule: OOB write in toarray -------------


def _rt41_04_encoder() -> bytes:
    from sklearn.preprocessing import OneHotEncoder

    m = OneHotEncoder(sparse_output=False).fit(np.arange(3, dtype=float).reshape(-1, 1))
    # the same values as fit's [0., 1., 2.], reversed and complex: _searchable skips them
    m.categories_[-1] = np.array([2, 1, 0], dtype=complex)
    return pickle.dumps(m, protocol=5)


def test_rt41_04_one_hot_complex_categories_oob_write(tmp_path: Path) -> None:
    """547 bytes: rt40-07 again. A fitted OneHotEncoder (``sparse_output=False``) on one
    numeric column whose ``categories_[0]`` is ``[2+0j, 1+0j, 0+0j]``, a *complex* array.
    ``trust/structures/widths.py:_searchable`` (the rt40-07 fix) checks order only when every
    item is an ``int``/``float``/``np.integer``/``np.floating``; a Python ``complex`` is none
    of them, so it answers "any order" (as for text, which is found through a dict). But
    ``_encode`` finds a float input's category with ``np.searchsorted`` whatever the
    categories' dtype (complex compares lexicographically) and ``_check_unknown``
    (``np.isin``) calls 2.0 known: ``searchsorted([2, 1, 0], 2.0)`` is 3, one past the block,
    and ``toarray()`` writes past the output. Scan SAFE, load_unsigned loads it; after the
    load, ``transform`` of 1..400 rows of 2.0 aborts the child (glibc heap corruption,
    SIGABRT)."""
    from redteam import child, write

    path = write(tmp_path, _rt41_04_encoder())
    code = (
        PLAIN_MODEL + "model.sparse_output = True\n"
        "r = model.transform(numpy.full((1, 1), 2.0))\n"
        "print('columns', r.indices.max(), r.shape[1], flush=True)\n"
    )
    plain = child(code, path)
    column, width = printed_pair(plain.stdout, "columns")
    assert column >= width, str(plain)
    crash = (
        PLAIN_MODEL + "print('loaded', flush=True)\n"
        "for i in range(1, 400):\n"
        "    r = model.transform(numpy.full((i, 1), 2.0))\n"
        "print('returned', flush=True)\n"
    )
    after = child(crash, path)
    assert after.loaded and (after.returncode or 0) < 0, str(after)
    safe, outcome = parity(path.read_bytes(), tmp_path)
    assert (safe, outcome) == (False, "refused")


@pytest.mark.parametrize(
    ("categories", "value"),
    [
        pytest.param([2 + 0j, 1 + 0j, 0j], 2.0, id="complex-list"),
        pytest.param(np.array([5, 3, 1], dtype="m8[s]"), 5, id="timedelta"),
    ],
)
def test_rt41_04_variants_refused(categories: Any, value: Any, tmp_path: Path) -> None:
    """The same reversal as a list of Python complex numbers (neither an int nor a float to
    the old rule) and as a timedelta array (an int input is found in it by searchsorted): the
    first category index lands one past the block under plain pickle. Fixed: categories of a
    numeric kind are held to numpy's order, complex ones refused, Python items must be all
    text or all real numbers in order."""
    from sklearn.preprocessing import OneHotEncoder

    from redteam import child, write

    m = OneHotEncoder().fit(np.arange(3, dtype=float).reshape(-1, 1))
    m.categories_[-1] = categories
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    code = (
        PLAIN_MODEL + f"r = model.transform(numpy.full((1, 1), {value!r}))\n"
        "print('columns', r.indices.max(), r.shape[1], flush=True)\n"
    )
    plain = child(code, path)
    column, width = printed_pair(plain.stdout, "columns")
    assert column >= width, str(plain)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


def test_rt41_04_mixed_object_categories_refused(tmp_path: Path) -> None:
    """Text and numbers in one object column (``sorted`` cannot order them, so no fit stores
    them; ``np.searchsorted`` compares what it meets) are refused, as is a LabelEncoder whose
    classes are out of order (its transform is ``_encode`` too)."""
    from sklearn.preprocessing import LabelEncoder, OneHotEncoder

    m = OneHotEncoder().fit(np.arange(3, dtype=float).reshape(-1, 1))
    m.categories_[-1] = np.array(["a", 2.0, 1.0, 0.0], dtype=object)
    assert parity(pickle.dumps(m, protocol=5), tmp_path) == (False, "refused")
    le = LabelEncoder().fit([3, 1, 2])
    le.classes_ = le.classes_[::-1].copy()
    assert parity(pickle.dumps(le, protocol=5), tmp_path) == (False, "refused")


@functools.cache  # fitted once, not once per parameter
def _honest_encoders() -> dict[str, Any]:
    from sklearn.preprocessing import LabelEncoder, OneHotEncoder, OrdinalEncoder, TargetEncoder

    column = np.array([[1.0], [np.nan], [0.5], [2.0]] * 5)
    text = np.array([["b"], ["a"], [None], [np.nan]] * 5, dtype=object)
    dates = np.array(["2021-01-01", "NaT", "2020-01-01"], dtype="M8[D]").reshape(-1, 1)
    return {
        "float-nan": OneHotEncoder().fit(column),
        "object-text-missing": OneHotEncoder(handle_unknown="ignore").fit(text),
        "object-numbers-none": OrdinalEncoder().fit(np.array([[1], [2], [None]], dtype=object)),
        "bool": OneHotEncoder().fit(np.array([[True], [False]])),
        "datetime-nat": OneHotEncoder().fit(dates),
        "bytes-given-order": OneHotEncoder(categories=[[b"b", b"a"]]).fit(
            np.array([[b"a"], [b"b"]])
        ),
        "target": TargetEncoder(random_state=0).fit(column[:, :1], np.arange(20) % 2),
        "label-numbers": LabelEncoder().fit([3, 1, 2]),
        "label-text": LabelEncoder().fit(["b", "a"]),
    }


@pytest.mark.parametrize("name", list(_honest_encoders()))
def test_rt41_04_honest_encoders_load(name: str, tmp_path: Path) -> None:
    """What fit stores (numbers sorted with NaN or NaT last, text in any order, numbers
    followed by None in an object column, bytes in the order given) still scans SAFE and
    loads."""
    load_honest(_honest_encoders()[name], tmp_path)


# --- rt41-05: a radius classifier's outlier label counted by hard voting -----------------------


def _rt41_05_voting() -> bytes:
    from sklearn.ensemble import VotingClassifier
    from sklearn.neighbors import RadiusNeighborsClassifier

    warnings.simplefilter("ignore")
    radius = RadiusNeighborsClassifier(radius=0.5, outlier_label=2**31 - 1)
    m = VotingClassifier([("r", radius)], voting="hard").fit(X, Y2)
    return pickle.dumps(m, protocol=5)


def test_rt41_05_voting_counts_radius_outlier_label(tmp_path: Path) -> None:
    """2.8 KB, as scikit-learn's own fit writes it: a hard VotingClassifier over a
    RadiusNeighborsClassifier(radius=0.5, outlier_label=2**31 - 1). ``fit`` accepts any
    outlier label of the classes' dtype (not only one of the classes) and the sub-estimator's
    ``classes_`` are ``le_``'s codes ``[0, 1]``, so ``check_voting_classifier`` (rt29-06)
    and ``check_label_sources`` pass. But ``predict`` returns ``outlier_label_[k]`` for every
    row with no training sample within the radius, and hard voting runs ``np.bincount`` over
    each row of the sub-estimators' predictions: 2**31 int64 counts, 16 GiB per row (a
    ``MemoryError`` under a 2 GiB limit here, on a large machine 16 GiB of RSS per predicted
    row). Scan SAFE, load_unsigned loads it. The dispatch rule that holds predicted labels
    to ``le_``'s codes must include ``outlier_label_`` (a label ``predict`` returns that is
    not in ``classes_``). Fixed: a voter's outlier labels must be among its classes."""
    from redteam import GB, child, write

    path = write(tmp_path, _rt41_05_voting())
    code = (
        PLAIN_MODEL + "print('loaded', flush=True)\n"
        "try:\n"
        "    model.predict(numpy.full((3, 3), 100.0))\n"
        "    print('returned', flush=True)\n"
        "except MemoryError:\n"
        "    print('MemoryError', flush=True)\n"
    )
    plain = child(code, path, memory=2 * GB)
    assert "MemoryError" in plain.stdout, str(plain)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


# --- rt41-06: a regressor with a classes_ attribute as a hard voter -----------------------------


def _rt41_06_voting(kind: str = "DummyRegressor") -> bytes:
    from sklearn.dummy import DummyRegressor
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import _ConstantPredictor

    m = VotingClassifier([("a", LogisticRegression())], voting="hard").fit(X, Y2)
    voter: Any
    if kind == "DummyRegressor":
        voter = DummyRegressor(strategy="constant", constant=2**31 - 1)
        voter.fit(X, np.zeros(30, dtype=np.int64))
    else:  # one-vs-rest's stand-in: predict is np.repeat(y_, n), y_ an int array
        voter = _ConstantPredictor().fit(X, np.array([2**31 - 1]))
    voter.classes_ = np.arange(2)  # what check_voting_classifier reads; predict ignores it
    m.estimators_ = [voter]
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize("kind", ["DummyRegressor", "_ConstantPredictor"])
def test_rt41_06_voting_regressor_constant_as_label(kind: str, tmp_path: Path) -> None:
    """~1.5 KB: a hard VotingClassifier whose only fitted estimator is a
    DummyRegressor(strategy='constant', constant=2**31 - 1) fitted on int64 targets (so
    ``constant_`` is int64 and ``predict`` returns int64), given a spare ``classes_ =
    arange(2)``. ``check_voting_classifier`` only compares each sub-estimator's ``classes_``
    with ``le_``'s codes; ``check_dummy`` checks a regressor's ``constant_`` shape only (the
    rt31-07 fix holds a *classifier's* constant to its classes). Hard voting's
    ``np.bincount`` over each row of predictions then asks for 2**31 counts, 16 GiB per row
    (``MemoryError`` under 2 GiB here). Scan SAFE, load_unsigned loads it. (An estimator
    slot of a classifier ensemble accepts any estimator; what predict returns is not what
    its ``classes_`` says.) The same with one-vs-rest's allowlisted ``_ConstantPredictor``
    (``y_ = [2**31 - 1]``, predict ``np.repeat(y_, n)``) given a ``classes_``. Fixed: every
    voter must be a classifier (after the wrappers that predict with another estimator)."""
    from redteam import GB, child, write

    path = write(tmp_path, _rt41_06_voting(kind))
    code = (
        PLAIN_MODEL + "print('loaded', flush=True)\n"
        "try:\n"
        "    model.predict(numpy.zeros((3, 3)))\n"
        "    print('returned', flush=True)\n"
        "except MemoryError:\n"
        "    print('MemoryError', flush=True)\n"
    )
    after = child(code, path, memory=2 * GB)
    assert after.loaded and "MemoryError" in after.stdout, str(after)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


def _rt41_05_variant(kind: str) -> tuple[bytes, list[str]]:
    from sklearn.ensemble import VotingClassifier
    from sklearn.neighbors import RadiusNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    warnings.simplefilter("ignore")
    if kind == "radius-in-pipeline":
        radius = RadiusNeighborsClassifier(radius=0.5, outlier_label=2**31 - 1)
        voter: Any = make_pipeline(StandardScaler(), radius)
        m = VotingClassifier([("r", voter)], voting="soft").fit(X, Y2)
        m.voting = "hard"  # a public parameter (set_params): the rule holds for both
        return pickle.dumps(m, protocol=5), []
    import lightgbm as lgb

    m = VotingClassifier([("g", lgb.LGBMClassifier(n_estimators=2, verbose=-1))]).fit(X, Y2)
    # classes_ (LightGBM's _classes) stay le_'s codes; predict answers _le's labels
    m.estimators_[0]._le.classes_ = np.array([2**31 - 2, 2**31 - 1])
    return pickle.dumps(m, protocol=5), ["lightgbm"]


@pytest.mark.parametrize("kind", ["radius-in-pipeline", "lightgbm-label-encoder"])
def test_rt41_05_variants_refused(kind: str, tmp_path: Path) -> None:
    """The same count of a label past ``le_``'s codes from a radius classifier inside a
    Pipeline (its ``predict`` is the last step's; ``voting`` set to hard after fit), and from
    an LGBMClassifier whose label encoder ``_le`` (what its ``predict`` returns) holds
    2**31 - 1 while its ``classes_`` are the codes (lightgbm profile). MemoryError under
    plain pickle; refused in scan and load."""
    import safeload
    from redteam import GB, child, write

    if kind.startswith("lightgbm"):
        pytest.importorskip("lightgbm")
    data, profiles = _rt41_05_variant(kind)
    path = write(tmp_path, data)
    code = (
        PLAIN_MODEL + "try:\n"
        "    model.predict(numpy.full((3, 3), 100.0))\n"
        "    print('returned', flush=True)\n"
        "except MemoryError:\n"
        "    print('MemoryError', flush=True)\n"
    )
    plain = child(code, path, memory=2 * GB)
    assert "MemoryError" in plain.stdout, str(plain)
    assert not safeload.scan(path, profiles=profiles).safe
    with pytest.raises(safeload.SafeloadError):
        safeload.load_unsigned(path, profiles=profiles)


@functools.cache  # fitted once, not once per parameter
def _honest_voting() -> dict[str, tuple[Any, list[str]]]:
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import RandomForestClassifier, VotingClassifier
    from sklearn.frozen import FrozenEstimator
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GridSearchCV
    from sklearn.neighbors import RadiusNeighborsClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    warnings.simplefilter("ignore")
    lr = LogisticRegression()
    labels = np.array(["no", "yes"])[Y2]
    hard: list[tuple[str, Any]] = [
        ("radius-frequent", RadiusNeighborsClassifier(radius=0.5, outlier_label="most_frequent")),
        ("radius-a-class", RadiusNeighborsClassifier(radius=0.5, outlier_label=0)),
        ("radius-no-outlier-label", RadiusNeighborsClassifier(radius=2.0)),
        ("pipeline", make_pipeline(StandardScaler(), lr)),
        ("search", GridSearchCV(lr, {"C": [1.0, 2.0]}, cv=2)),
        ("svc", SVC()),
        ("dummy-constant", DummyClassifier(strategy="constant", constant=1)),
    ]
    models: dict[str, tuple[Any, list[str]]] = {
        name: (VotingClassifier([("a", voter), ("b", lr)], voting="hard").fit(X, Y2), [])
        for name, voter in hard
    }
    models["soft"] = (
        VotingClassifier(
            [("lr", lr), ("rf", RandomForestClassifier(n_estimators=3))], voting="soft"
        ).fit(X, labels),
        [],
    )
    frozen = FrozenEstimator(LogisticRegression().fit(X, Y2))
    models["frozen"] = (VotingClassifier([("f", frozen), ("b", lr)]).fit(X, Y2), [])
    try:
        import lightgbm as lgb
    except ImportError:
        return models
    gbm = lgb.LGBMClassifier(n_estimators=2, verbose=-1)
    models["lightgbm"] = (VotingClassifier([("g", gbm), ("b", lr)]).fit(X, labels), ["lightgbm"])
    return models


@pytest.mark.parametrize("name", list(_honest_voting()))
def test_rt41_05_honest_voting_load(name: str, tmp_path: Path) -> None:
    """Voting classifiers as scikit-learn fits them (a radius classifier whose outlier label
    is the most frequent class or one of the codes, or that has none; wrapped, frozen and
    LightGBM voters; soft voting over text labels) still scan SAFE, load and predict."""
    model, profiles = _honest_voting()[name]
    load_honest(model, tmp_path, profiles).predict(X[:4])


# --- rt41-07: LightGBM's header objective line sizes the output conversion ---------------------


def _rt41_07_lightgbm() -> bytes:
    import lightgbm as lgb

    model = lgb.LGBMRegressor(n_estimators=2, num_leaves=4, verbose=-1).fit(X, X[:, 0])
    original = lgb.Booster.model_to_string

    def hostile(self: Any, *args: Any, **kwargs: Any) -> str:
        text = original(self, *args, **kwargs)
        # the header's objective line; num_class=1 and every tree stay as the writer left them
        return text.replace("objective=regression", "objective=multiclass num_class:100000", 1)

    lgb.Booster.model_to_string = hostile  # type: ignore[method-assign]
    try:
        return pickle.dumps(model, protocol=5)
    finally:
        lgb.Booster.model_to_string = original  # type: ignore[method-assign]


def test_rt41_07_lightgbm_objective_num_class_heap_overflow(tmp_path: Path) -> None:
    """~5.4 KB, with the ``lightgbm`` trust profile: a fitted LGBMRegressor (2 trees, one
    feature index range, ``num_class=1``) whose model text's header line ``objective=`` reads
    ``multiclass num_class:100000``. ``trust/lightgbm_text.py`` checks the header's
    ``num_class``, ``num_tree_per_iteration``, ``max_feature_idx`` and ``tree_sizes`` and every
    tree, but leaves the ``objective`` line to LightGBM's parser. ``GBDT::LoadModelFromString``
    builds the objective from it (``MulticlassSoftmax`` takes its own ``num_class_`` from the
    ``num_class:`` token), and ``GBDT::Predict`` calls ``objective_function_->ConvertOutput(output,
    output)`` on the per-row buffer sized by the header's ``num_class`` (1 double):
    ``Common::Softmax`` reads and writes 100,000 doubles there (800 KB past a one-double
    buffer). Scan (profiles=['lightgbm']) SAFE, load_unsigned loads it, and ``predict`` of 5
    rows segfaults (or glibc aborts: "corrupted double-linked list"). The fix: the objective
    line must be one LightGBM's writer produces for the header's ``num_class`` (a multiclass
    objective's ``num_class:`` equal to it, or a single-output objective when it is 1).
    Fixed: ``lightgbm_text._objective`` allows only the writer's objective lines, each held to
    the header's ``num_class``."""
    pytest.importorskip("lightgbm")
    import safeload
    from redteam import child, write

    path = write(tmp_path, _rt41_07_lightgbm())
    code = (
        PLAIN_MODEL + "print('loaded', flush=True)\n"
        "for i in range(50):\n"
        "    model.predict(numpy.zeros((5, 3)))\n"
        "print('returned', flush=True)\n"
    )
    after = child(code, path, fresh=True)
    assert after.loaded and (after.returncode or 0) < 0, str(after)
    assert not safeload.scan(path, profiles=["lightgbm"]).safe
    with pytest.raises(safeload.SafeloadError):
        safeload.load_unsigned(path, profiles=["lightgbm"])


def _lightgbm_with_objective(kind: str, objective: str) -> bytes:
    """A LightGBM sklearn model whose header objective line is ``objective``."""
    import lightgbm as lgb

    warnings.simplefilter("ignore")
    if kind == "multiclass":
        model: Any = lgb.LGBMClassifier(n_estimators=2, num_leaves=4, verbose=-1)
        model.fit(X, np.arange(30) % 3)
    else:
        model = lgb.LGBMRegressor(n_estimators=2, num_leaves=4, verbose=-1).fit(X, X[:, 0])
    original = lgb.Booster.model_to_string

    def hostile(self: Any, *args: Any, **kwargs: Any) -> str:
        lines = original(self, *args, **kwargs).split("\n")
        at = next(i for i, line in enumerate(lines) if line.startswith("objective="))
        lines[at] = "objective=" + objective
        return "\n".join(lines)

    lgb.Booster.model_to_string = hostile  # type: ignore[method-assign]
    try:
        return pickle.dumps(model, protocol=5)
    finally:
        lgb.Booster.model_to_string = original  # type: ignore[method-assign]


@pytest.mark.parametrize(
    ("kind", "objective"),
    [
        pytest.param("regressor", "multiclassova num_class:100000 sigmoid:1", id="ova-100000"),
        pytest.param("multiclass", "multiclass num_class:100000", id="multiclass-over-3"),
        pytest.param("multiclass", "multiclass num_class:2", id="fewer-classes"),
        pytest.param("multiclass", "regression", id="single-output-over-3"),
        pytest.param("regressor", "multiclass  num_class:1", id="two-spaces"),
        pytest.param("regressor", "multiclass num_class:01", id="leading-zero"),
        pytest.param("regressor", "custom", id="not-written"),
        pytest.param("regressor", "binary sigmoid:1 num_class:100000", id="extra-token"),
    ],
)
def test_rt41_07_objective_lines_refused(kind: str, objective: str, tmp_path: Path) -> None:
    """Objective lines LightGBM's writer never writes for the header they sit in: other
    ``num_class:`` tokens than the header's (one-vs-all's ``ConvertOutput`` writes 100,000
    sigmoids into a one-value row, as multiclass's softmax does), a single-output objective
    over three classes, and forms the writer does not produce (two spaces, a leading zero, a
    name it never writes, an extra token). Refused in scan and load (lightgbm profile)."""
    pytest.importorskip("lightgbm")
    import safeload
    from redteam import write

    path = write(tmp_path, _lightgbm_with_objective(kind, objective))
    assert not safeload.scan(path, profiles=["lightgbm"]).safe
    with pytest.raises(safeload.SafeloadError):
        safeload.load_unsigned(path, profiles=["lightgbm"])


def test_rt41_07_one_vs_all_overflow_shown(tmp_path: Path) -> None:
    """The one-vs-all form of rt41-07 under plain pickle: ``multiclassova num_class:100000``
    over a one-value row, and predict of 5 rows kills the child."""
    pytest.importorskip("lightgbm")
    from redteam import child, write

    objective = "multiclassova num_class:100000 sigmoid:1"
    path = write(tmp_path, _lightgbm_with_objective("regressor", objective))
    code = (
        PLAIN_MODEL + "print('loaded', flush=True)\n"
        "for i in range(50):\n"
        "    model.predict(numpy.zeros((5, 3)))\n"
        "print('returned', flush=True)\n"
    )
    after = child(code, path, fresh=True)
    assert after.loaded and (after.returncode or 0) < 0, str(after)


def _honest_lightgbm(name: str) -> Any:
    import lightgbm as lgb

    warnings.simplefilter("ignore")
    y3 = np.arange(30) % 3
    small = {"n_estimators": 2, "num_leaves": 4, "min_child_samples": 2, "verbose": -1}
    groups = [10, 10, 10]

    def custom(p: Any, data: Any) -> tuple[Any, Any]:
        return p - data.get_label(), np.ones_like(p)

    made: dict[str, Any] = {
        "regression": lambda: lgb.LGBMRegressor(**small).fit(X, X[:, 0]),
        "regression-sqrt": lambda: lgb.LGBMRegressor(reg_sqrt=True, **small).fit(X, X[:, 0]),
        "huber": lambda: lgb.LGBMRegressor(objective="huber", **small).fit(X, X[:, 0]),
        "tweedie": lambda: lgb.LGBMRegressor(objective="tweedie", **small).fit(X, X[:, 0]),
        "binary": lambda: lgb.LGBMClassifier(**small).fit(X, Y2),
        "binary-sigmoid": lambda: lgb.LGBMClassifier(sigmoid=0.5, **small).fit(X, Y2),
        "cross-entropy": lambda: lgb.LGBMRegressor(objective="xentlambda", **small).fit(X, X[:, 0]),
        "multiclass": lambda: lgb.LGBMClassifier(**small).fit(X, y3),
        "multiclassova": lambda: lgb.LGBMClassifier(objective="multiclassova", **small).fit(X, y3),
        "lambdarank": lambda: lgb.LGBMRanker(**small).fit(X, y3, group=groups),
        "rank-xendcg": lambda: lgb.LGBMRanker(objective="rank_xendcg", **small).fit(
            X, y3, group=groups
        ),
        # a Python objective: the writer writes no objective line
        "custom-objective": lambda: lgb.train(
            {"objective": custom, "verbose": -1, "num_leaves": 4, "min_data_in_leaf": 2},
            lgb.Dataset(X, X[:, 0]),
            2,
        ),
    }
    return made[name]()


@pytest.mark.parametrize(
    "name",
    [
        "regression",
        "regression-sqrt",
        "huber",
        "tweedie",
        "binary",
        "binary-sigmoid",
        "cross-entropy",
        "multiclass",
        "multiclassova",
        "lambdarank",
        "rank-xendcg",
        "custom-objective",
    ],
)
def test_rt41_07_honest_lightgbm_load(name: str, tmp_path: Path) -> None:
    """LightGBM models as LightGBM writes them, for every objective family (with ``reg_sqrt``
    and ``sigmoid``, and without an objective line) still scan SAFE and load with the
    lightgbm profile, and predict as before."""
    pytest.importorskip("lightgbm")
    model = _honest_lightgbm(name)
    loaded = load_honest(model, tmp_path, ["lightgbm"])
    np.testing.assert_allclose(loaded.predict(X[:5]), model.predict(X[:5]))


# --- rt41-08: a multilabel one-vs-rest whose binary estimator scores several columns -----------


def _rt41_08_ovr(kind: str) -> bytes:
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    Y = np.zeros((30, 2), dtype=int)
    Y[:, 0] = X[:, 0] > 0.5
    Y[:, 1] = X[:, 1] > 0.5
    m = OneVsRestClassifier(LogisticRegression()).fit(X, Y)
    if kind == "multiclass-estimator":
        # an honest 3-class model: decision_function is (n, 3), raveled to 3n scores
        m.estimators_[1] = LogisticRegression().fit(X, np.arange(30) % 3)
    else:
        # a label present in every row: fit stores a _ConstantPredictor(y_=[1]); here 1,000
        # constants, so decision_function repeats them: 1,000 n scores
        Y[:, 1] = 1
        m = OneVsRestClassifier(LogisticRegression()).fit(X, Y)
        m.estimators_[1].y_ = np.ones(1000, dtype=np.int64)
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize("kind", ["multiclass-estimator", "constant-predictor"])
def test_rt41_08_one_vs_rest_multilabel_rows_past_the_matrix(kind: str, tmp_path: Path) -> None:
    """1.4 KB (``multiclass-estimator``) or 9 KB: a OneVsRestClassifier fitted on a 2-label
    indicator (``label_binarizer_.y_type_ == 'multilabel-indicator'``) whose second fitted
    estimator is an honest 3-class LogisticRegression, or a ``_ConstantPredictor`` whose
    ``y_`` holds 1,000 values (fit stores one). ``predict`` takes, for each estimator,
    ``np.where(_predict_binary(e, X) > thresh)[0]`` as *row* indexes of a
    ``csc_array((data, indices, indptr), shape=(n_samples, n_estimators))`` (scipy does not
    bound them), but ``_predict_binary`` ravels ``decision_function``: 3 n scores (or
    ``np.repeat(y_, n)``: 1,000 n), so row indexes run to 3n - 1 (1,000 n - 1).
    ``label_binarizer_.inverse_transform`` then densifies the matrix (``toarray()``), which
    writes each 1 at its row: up to 2 n x 8 bytes (16 KB per 1,000 rows) past the output. After
    safeload's load, ``predict`` of 1,000 rows aborts the child (glibc heap corruption).
    Scan SAFE, load_unsigned loads it: nothing holds a one-vs-rest estimator to one score per
    row (binary ``classes_``, a one-item ``y_``). Fixed: ``check_one_vs_rest`` holds each
    estimator to one score per row, ``check_constant_predictor`` a ``y_`` to one value."""
    from redteam import child, write

    path = write(tmp_path, _rt41_08_ovr(kind))
    shown = (
        PLAIN_MODEL + "def grab(indicator, threshold=None):\n"
        "    print('rows', indicator.indices.max(), indicator.shape[0], flush=True)\n"
        "    raise SystemExit(0)\n"
        "model.label_binarizer_.inverse_transform = grab\n"
        "model.predict(numpy.random.rand(10, 3))\n"
    )
    plain = child(shown, path)
    row, n_rows = printed_pair(plain.stdout, "rows")
    assert row >= n_rows, str(plain)
    crash = (
        PLAIN_MODEL + "print('loaded', flush=True)\n"
        "for n in (1000, 100000):\n"
        "    model.predict(numpy.random.rand(n, 3))\n"
        "print('returned', flush=True)\n"
    )
    after = child(crash, path, fresh=True)
    assert after.loaded and (after.returncode or 0) < 0, str(after)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


_SHOW_ROWS = (
    PLAIN_MODEL + "def grab(indicator, threshold=None):\n"
    "    print('rows', indicator.indices.max(), indicator.shape[0], flush=True)\n"
    "    raise SystemExit(0)\n"
    "model.label_binarizer_.inverse_transform = grab\n"
    "model.predict(numpy.random.rand(10, 3))\n"
)


def _rt41_08_variant(kind: str) -> bytes:
    from sklearn.cross_decomposition import PLSRegression
    from sklearn.ensemble import HistGradientBoostingRegressor
    from sklearn.linear_model import LogisticRegression, SGDRegressor
    from sklearn.multiclass import OneVsRestClassifier

    Y = np.zeros((30, 2), dtype=int)
    Y[:, 0] = X[:, 0] > 0.5
    Y[:, 1] = X[:, 1] > 0.5
    three = np.c_[Y, 1 - Y[:, :1]].astype(float)
    m: Any
    if kind == "two-classes-three-rows":
        # binary classes_, but coef_ and intercept_ of a 3-class model
        m = OneVsRestClassifier(LogisticRegression()).fit(X, Y)
        three_class = LogisticRegression().fit(X, np.arange(30) % 3)
        m.estimators_[1].coef_ = three_class.coef_
        m.estimators_[1].intercept_ = three_class.intercept_
    elif kind == "pls-raveled":
        m = OneVsRestClassifier(PLSRegression(n_components=1)).fit(X, Y)
        pls = PLSRegression(n_components=1).fit(X, three)
        pls._predict_1d = True  # predict ravels its 3 outputs
        m.estimators_[1] = pls
    elif kind == "sgd-regressor-rows":
        m = OneVsRestClassifier(SGDRegressor(random_state=0)).fit(X, Y)
        m.estimators_[1].coef_ = np.ones((3, 3))
    else:  # a histogram gradient boosting regressor with three trees per iteration
        m = OneVsRestClassifier(HistGradientBoostingRegressor(max_iter=2)).fit(X, Y)
        hgb = m.estimators_[1]
        hgb._predictors = [row * 3 for row in hgb._predictors]
        hgb.n_trees_per_iteration_ = 3
        hgb._baseline_prediction = np.ones((1, 3))  # every score above the threshold
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize(
    "kind", ["two-classes-three-rows", "pls-raveled", "sgd-regressor-rows", "hgb-regressor-rows"]
)
def test_rt41_08_variants_refused(kind: str, tmp_path: Path) -> None:
    """The same rows past the matrix from other estimators: a LogisticRegression whose
    ``classes_`` are binary but whose ``coef_`` has three rows, and regressors (which
    ``_predict_binary`` asks for ``predict``) that ravel three outputs per row: a PLS with
    ``_predict_1d`` over three targets, an SGDRegressor with a 3-row ``coef_``, a histogram
    gradient boosting regressor with three trees per iteration. Shown under plain pickle
    (row indexes past the indicator's rows); fixed by the one-score rule for a two-class
    estimator's decision columns and by holding each raveling regressor to one output."""
    from redteam import child, write

    path = write(tmp_path, _rt41_08_variant(kind))
    plain = child(_SHOW_ROWS, path)
    row, n_rows = printed_pair(plain.stdout, "rows")
    assert row >= n_rows, str(plain)
    assert parity(path.read_bytes(), tmp_path) == (False, "refused")


def test_rt41_08_constant_predictor_values_refused(tmp_path: Path) -> None:
    """A ``_ConstantPredictor`` (one-vs-one's and output codes' stand-in too) whose ``y_`` is
    not one value of a binary column: 1,000 values repeat 1,000 scores per row in an output
    code's distance matrix (memory), and a value of 7 is no column's."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OutputCodeClassifier, _ConstantPredictor

    m = OutputCodeClassifier(LogisticRegression(), random_state=0).fit(X, np.arange(30) % 3)
    m.estimators_[0] = _ConstantPredictor().fit(X, np.ones(1000, dtype=np.int64))
    assert parity(pickle.dumps(m, protocol=5), tmp_path) == (False, "refused")
    m.estimators_[0] = _ConstantPredictor().fit(X, np.array([7]))
    assert parity(pickle.dumps(m, protocol=5), tmp_path) == (False, "refused")


@functools.cache  # fitted once, not once per parameter
def _honest_one_vs_rest() -> dict[str, Any]:
    from sklearn.cross_decomposition import PLSRegression
    from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis
    from sklearn.ensemble import (
        AdaBoostClassifier,
        BaggingClassifier,
        GradientBoostingClassifier,
        HistGradientBoostingClassifier,
        RandomForestClassifier,
        StackingClassifier,
    )
    from sklearn.gaussian_process import GaussianProcessClassifier
    from sklearn.linear_model import LinearRegression, LogisticRegression, SGDClassifier
    from sklearn.model_selection import GridSearchCV
    from sklearn.multiclass import OneVsOneClassifier, OneVsRestClassifier, OutputCodeClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC, LinearSVC

    y3 = np.arange(30) % 3
    Y = np.zeros((30, 3), dtype=int)
    Y[:, 0] = X[:, 0] > 0.5
    Y[:, 1] = X[:, 1] > 0.5
    Y[:, 2] = 1  # a label on every row: fit stores a _ConstantPredictor for it
    warnings.simplefilter("ignore")
    lr = LogisticRegression()
    models: dict[str, Any] = {
        "multiclass-lr": OneVsRestClassifier(lr).fit(X, y3),
        "multiclass-linear-svc": OneVsRestClassifier(LinearSVC()).fit(X, y3),
        "multiclass-svc": OneVsRestClassifier(SVC()).fit(X, y3),
        "multiclass-pipeline": OneVsRestClassifier(make_pipeline(StandardScaler(), lr)).fit(X, y3),
        "multiclass-search": OneVsRestClassifier(GridSearchCV(lr, {"C": [1.0, 2.0]}, cv=2)).fit(
            X, y3
        ),
        "multiclass-forest": OneVsRestClassifier(RandomForestClassifier(n_estimators=3)).fit(X, y3),
        "multiclass-gb": OneVsRestClassifier(GradientBoostingClassifier(n_estimators=2)).fit(X, y3),
        "multiclass-hgb": OneVsRestClassifier(HistGradientBoostingClassifier(max_iter=2)).fit(
            X, y3
        ),
        "multiclass-sgd": OneVsRestClassifier(SGDClassifier(random_state=0)).fit(X, y3),
        "multiclass-qda": OneVsRestClassifier(QuadraticDiscriminantAnalysis()).fit(X, y3),
        "multiclass-adaboost": OneVsRestClassifier(AdaBoostClassifier(n_estimators=2)).fit(X, y3),
        "multiclass-bagging": OneVsRestClassifier(BaggingClassifier(lr, n_estimators=2)).fit(X, y3),
        "multiclass-stacking": OneVsRestClassifier(
            StackingClassifier([("lr", lr)], final_estimator=lr, cv=2)
        ).fit(X, y3),
        "multiclass-regressor": OneVsRestClassifier(LinearRegression()).fit(X, y3),
        "multiclass-pls": OneVsRestClassifier(PLSRegression(n_components=1)).fit(X, y3),
        "multilabel-constant-column": OneVsRestClassifier(lr).fit(X, Y),
        "multilabel-svc": OneVsRestClassifier(SVC()).fit(X, Y[:, :2]),
        "binary": OneVsRestClassifier(lr).fit(X, Y2),
        "one-vs-one": OneVsOneClassifier(lr).fit(X, y3),
        # a one-vs-rest of binary Laplace estimators (classes_, but no ClassifierMixin)
        "gaussian-process": GaussianProcessClassifier().fit(X, y3),
        "output-code": OutputCodeClassifier(lr, random_state=0).fit(X, y3),
    }
    return models


@pytest.mark.parametrize("name", list(_honest_one_vs_rest()))
def test_rt41_08_honest_one_vs_rest_load(name: str, tmp_path: Path) -> None:
    """One-vs-rest models as scikit-learn fits them (multiclass over classifiers, wrappers and
    regressors, multilabel with a label on every row, binary) and one-vs-one and output-code
    models still scan SAFE and load, and predict."""
    model = load_honest(_honest_one_vs_rest()[name], tmp_path)
    model.predict(X[:4])
