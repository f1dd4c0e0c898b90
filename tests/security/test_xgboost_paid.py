"""What xgboost sizes from one number must be paid for by the file (red team 45): the
Booster blob's ``num_feature`` (rt45-04) and output groups (rt45-07), checked in the blob
check both ``load`` and ``scan`` run (:mod:`safeload.trust.xgboost_model`), and an
``XGBClassifier``'s ``n_classes_``, held to its Booster after building and on scan's shadows
(:mod:`safeload.trust.xgboost_wrapper`, rt45-03). The harm of each is shown in
``test_redteam45.py``; here are the rules' edges and the honest models they must keep
loading: every form of model xgboost's scikit-learn wrappers fit, loaded and scanned SAFE."""

from __future__ import annotations

import json
import pickle
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.parity import load_unsigned

import safeload
from safeload import SafeloadError
from safeload.trust import xgboost_model
from safeload.trust.xgboost_model import FEATURES_PER_BLOB_BYTE, FREE_FEATURES, booster_problem

xgb = pytest.importorskip("xgboost")

RNG = np.random.RandomState(0)
X = RNG.rand(120, 4)
Y = (X[:, 0] > 0.5).astype(int)


def _classes(k: int) -> Any:
    return (X[:, 1] * k).astype(int)


def _early_stopped() -> Any:
    valid = RNG.rand(60, 4)
    return xgb.XGBClassifier(
        n_jobs=1, n_estimators=200, early_stopping_rounds=2, learning_rate=0.5
    ).fit(X, _classes(3), eval_set=[(valid, (valid[:, 1] * 3).astype(int))], verbose=False)


def _sparse_text() -> Any:
    """A bag-of-words-like model: 100,000 sparse columns, three small trees (a 6 KB blob:
    about 17 features per byte, inside the 2**20 free features; refused for its interaction
    values since rt62-06)."""
    import scipy.sparse as sp

    rng = np.random.RandomState(1)  # COO triples: scipy's sp.random takes seconds here
    rows, columns = rng.randint(0, 500, 50_000), rng.randint(0, 100_000, 50_000)
    words = sp.csr_matrix((rng.rand(50_000), (rows, columns)), shape=(500, 100_000))
    labels = (np.asarray(words[:, :500].sum(axis=1)).ravel() > 0).astype(int)
    return xgb.XGBClassifier(n_jobs=1, n_estimators=3, max_depth=3, tree_method="exact").fit(
        words, labels
    )


def _named() -> Any:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(RNG.rand(120, 300), columns=[f"column_{i}" for i in range(300)])
    return xgb.XGBClassifier(n_jobs=1, n_estimators=2, max_depth=2).fit(frame, Y)


#: Every form of model the xgboost profile's wrappers fit, by name (built once per worker).
_FORMS: dict[str, Any] = {
    "binary": lambda: xgb.XGBClassifier(n_jobs=1, n_estimators=3, max_depth=2).fit(X, Y),
    "one-class": lambda: xgb.XGBClassifier(n_jobs=1, n_estimators=2).fit(X, np.zeros(len(X), int)),
    **{
        f"softprob-{k}": (
            lambda k=k: xgb.XGBClassifier(n_jobs=1, n_estimators=2).fit(X, _classes(k))
        )
        for k in (3, 5, 10)
    },
    **{
        f"softmax-{k}": (
            lambda k=k: xgb.XGBClassifier(n_jobs=1, n_estimators=2, objective="multi:softmax").fit(
                X, _classes(k)
            )
        )
        for k in (3, 10)
    },
    "multiclass-multi-output-tree": lambda: xgb.XGBClassifier(
        n_jobs=1, n_estimators=2, multi_strategy="multi_output_tree"
    ).fit(X, _classes(4)),
    "n-estimators-1": lambda: xgb.XGBClassifier(n_jobs=1, n_estimators=1).fit(X, _classes(3)),
    "no-trees-binary": lambda: xgb.XGBClassifier(n_jobs=1, n_estimators=0).fit(X, Y),
    "no-trees-multiclass": lambda: xgb.XGBClassifier(n_jobs=1, n_estimators=0).fit(X, _classes(3)),
    "early-stopped": _early_stopped,
    "dart": lambda: xgb.XGBClassifier(n_jobs=1, booster="dart", n_estimators=3).fit(X, _classes(3)),
    "gblinear": lambda: xgb.XGBClassifier(n_jobs=1, booster="gblinear", n_estimators=2).fit(
        X, _classes(3)
    ),
    "regressor": lambda: xgb.XGBRegressor(n_jobs=1, n_estimators=2).fit(X, X[:, 0]),
    "multi-target": lambda: xgb.XGBRegressor(n_jobs=1, n_estimators=2).fit(X, X[:, :3]),
    "multi-target-multi-output-tree": lambda: xgb.XGBRegressor(
        n_jobs=1, n_estimators=2, multi_strategy="multi_output_tree"
    ).fit(X, X[:, :3]),
    "multi-target-no-trees": lambda: xgb.XGBRegressor(n_jobs=1, n_estimators=0).fit(X, X[:, :2]),
    "multi-target-dart": lambda: xgb.XGBRegressor(n_jobs=1, booster="dart", n_estimators=2).fit(
        X, X[:, :2]
    ),
    "multi-target-gblinear": lambda: xgb.XGBRegressor(
        n_jobs=1, booster="gblinear", n_estimators=2
    ).fit(X, X[:, :2]),
    "ranker": lambda: xgb.XGBRanker(n_jobs=1, n_estimators=2).fit(
        X, _classes(3), qid=np.repeat(np.arange(12), 10)
    ),
    "rf-classifier": lambda: xgb.XGBRFClassifier(n_jobs=1, n_estimators=3).fit(X, _classes(3)),
    "rf-regressor": lambda: xgb.XGBRFRegressor(n_jobs=1, n_estimators=3).fit(X, X[:, 0]),
    "rf-multi-target": lambda: xgb.XGBRFRegressor(n_jobs=1, n_estimators=3).fit(X, X[:, :2]),
    "named-features": _named,
    "raw-booster-softprob": lambda: xgb.train(
        {"objective": "multi:softprob", "num_class": 4, "nthread": 1},
        xgb.DMatrix(X, _classes(4)),
        2,
    ),
}

_BUILT: dict[str, Any] = {}


def _model(name: str) -> Any:
    if name not in _BUILT:
        _BUILT[name] = _FORMS[name]()
    return _BUILT[name]


def _blob(model: Any) -> bytearray:
    booster = model if isinstance(model, xgb.Booster) else model.get_booster()
    handle = booster.__getstate__()["handle"]
    assert isinstance(handle, bytearray)
    return handle


def _param(model: Any) -> dict[str, Any]:
    booster = model if isinstance(model, xgb.Booster) else model.get_booster()
    param: dict[str, Any] = json.loads(booster.save_config())["learner"]["learner_model_param"]
    return param


# --- honest models ------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", [2, 5])
@pytest.mark.parametrize("name", sorted(_FORMS))
def test_honest_forms_load_and_scan_safe(name: str, protocol: int, tmp_path: Path) -> None:
    """Each form loads (``load_unsigned`` asserts that ``scan`` calls it SAFE) and predicts as
    the model it was; a classifier keeps its ``n_classes_``."""
    model = _model(name)
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps(model, protocol=protocol))
    loaded = load_unsigned(path, profiles=["xgboost"])
    assert type(loaded) is type(model)
    data: Any = X
    if name == "named-features":
        pd = pytest.importorskip("pandas")
        data = pd.DataFrame(RNG.rand(5, 300), columns=[f"column_{i}" for i in range(300)])
    if isinstance(model, xgb.Booster):
        assert np.array_equal(loaded.predict(xgb.DMatrix(X)), model.predict(xgb.DMatrix(X)))
        return
    assert np.array_equal(loaded.predict(data), model.predict(data))
    if hasattr(model, "n_classes_"):
        assert loaded.n_classes_ == model.n_classes_
        assert list(loaded.classes_) == list(range(model.n_classes_))


@pytest.mark.parametrize("protocol", [2, 5])
def test_wide_models_refused_for_their_interaction_values(protocol: int, tmp_path: Path) -> None:
    """A documented refusal (rt62-06): ``Booster.predict(pred_interactions=True)`` gives
    ``groups * (num_feature + 1) ** 2`` values a row, past 4,096 per input column free output
    columns, at most 2**18 a row. An honest bag-of-words model of 100,000 features would give
    10**10 values (40 GB) for one row: refused by scan and load alike, with the reason. The
    interaction values of one row of 4,000 features (16 million values) are within the bound,
    and that model loads."""
    wide = tmp_path / "wide.pkl"
    wide.write_bytes(pickle.dumps(_sparse_text(), protocol=protocol))
    assert not safeload.scan(wide, profiles=["xgboost"]).safe
    with pytest.raises(SafeloadError, match="output columns per input row"):
        safeload.load_unsigned(wide, profiles=["xgboost"])
    rng = np.random.RandomState(2)
    narrow = xgb.XGBClassifier(n_jobs=1, n_estimators=2, max_depth=2).fit(
        rng.rand(50, 4_000), rng.randint(0, 2, 50)
    )
    path = tmp_path / "narrow.pkl"
    path.write_bytes(pickle.dumps(narrow, protocol=protocol))
    assert type(load_unsigned(path, profiles=["xgboost"])) is xgb.XGBClassifier


def test_honest_groups_are_paid_as_the_rule_says() -> None:
    """What the rt45-07 rule reads, in the honest forms: one tree per group per round (each
    group named in ``tree_info``), leaf vectors as wide as the groups, or, without trees, one
    ``base_score`` value per group."""
    for name in ("softprob-10", "rf-classifier", "multi-target", "early-stopped", "dart"):
        groups = xgboost_model.output_groups(_param(_model(name)))
        booster = json.loads(bytes(_model(name).get_booster().save_raw("json")))
        gb = booster["learner"]["gradient_booster"]
        info = (gb.get("model") or gb["gbtree"]["model"])["tree_info"]
        assert groups > 1 and sorted(set(info)) == list(range(groups)), name
    for name in ("multi-target-multi-output-tree", "multiclass-multi-output-tree"):
        booster = json.loads(bytes(_model(name).get_booster().save_raw("json")))
        trees = booster["learner"]["gradient_booster"]["model"]["trees"]
        groups = xgboost_model.output_groups(_param(_model(name)))
        assert {t["tree_param"]["size_leaf_vector"] for t in trees} == {str(groups)}, name
    for name in ("no-trees-multiclass", "multi-target-no-trees"):
        param = _param(_model(name))
        assert param["base_score"].count(",") + 1 == xgboost_model.output_groups(param)


def test_named_features_pay_for_themselves() -> None:
    """With feature names (a DataFrame), the blob stores each name and type: at least 10
    bytes per feature, where ``num_feature`` past the free features needs 1/16 byte."""
    named = _model("named-features")
    frame = pytest.importorskip("pandas").DataFrame(
        RNG.rand(120, 300), columns=[f"column_{i}" for i in range(300)]
    )
    unnamed = xgb.XGBClassifier(n_jobs=1, n_estimators=2, max_depth=2).fit(frame.to_numpy(), Y)
    assert named.get_booster().feature_names is not None
    assert unnamed.get_booster().feature_names is None
    per_feature = (len(_blob(named)) - len(_blob(unnamed))) / 300
    assert per_feature >= 10 > 1 / FEATURES_PER_BLOB_BYTE


# --- rt45-04: num_feature ---------------------------------------------------------------


def _replaced(blob: bytes, key: str, old: str, new: str) -> tuple[bytes, int]:
    """``blob`` with every ``key`` string value ``old`` set to ``new``, and how many."""
    before = key.encode() + b"SL" + struct.pack(">q", len(old)) + old.encode()
    after = key.encode() + b"SL" + struct.pack(">q", len(new)) + new.encode()
    return blob.replace(before, after), blob.count(before)


def test_rt45_04_free_features() -> None:
    blob = bytes(_blob(_model("binary")))
    ok, count = _replaced(blob, "num_feature", "4", str(FREE_FEATURES))
    assert count == 5  # the learner's in Model and Config, and each of three trees'
    # (paid for; but SHAP interaction values clear 2**20 values for each tree 2**21 times
    # a row, rt64-02)
    assert str(booster_problem(ok)).startswith("SHAP interaction values would take")
    bad, _ = _replaced(blob, "num_feature", "4", str(FREE_FEATURES + 1))
    assert f"num_feature is {FREE_FEATURES + 1}, more than the {FREE_FEATURES} a" in str(
        booster_problem(bad)
    )


def test_rt45_04_features_per_byte(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the free features, ``num_feature`` is at most 16 per byte of the blob."""
    monkeypatch.setattr(xgboost_model, "FREE_FEATURES", 0)
    blob = bytes(_blob(_model("binary")))
    count = blob.count(b"num_featureSL" + struct.pack(">q", 1) + b"4")
    digits = next(d for d in range(2, 12) if len(str(16 * (len(blob) + count * (d - 1)))) == d)
    size = len(blob) + count * (digits - 1)
    allowed = FEATURES_PER_BLOB_BYTE * size
    ok, _ = _replaced(blob, "num_feature", "4", str(allowed))
    assert len(ok) == size and booster_problem(ok) is None
    bad, _ = _replaced(blob, "num_feature", "4", str(allowed + 1))
    assert f"more than the {allowed} a {size}-byte blob" in str(booster_problem(bad))


def test_rt45_04_stored_n_features_in_is_refused(tmp_path: Path) -> None:
    """``n_features_in_`` is a property (the Booster's ``num_features()``); a stored one
    would only mislead checks that read an instance's own attributes, and is refused as a
    state key that hides what the class defines (an honest fit never stores it)."""
    model = _model("binary")
    assert "n_features_in_" not in vars(model)
    crafted = pickle.loads(pickle.dumps(model))
    crafted.__dict__["n_features_in_"] = 2**31
    path = tmp_path / "nfi.pkl"
    path.write_bytes(pickle.dumps(crafted, protocol=5))
    with pytest.raises(SafeloadError, match="'n_features_in_' would hide"):
        load_unsigned(path, profiles=["xgboost"])


# --- rt45-07: output groups ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "key", "old", "new", "message"),
    [
        ("binary", "num_class", "0", "5", "says 5 output groups"),
        ("regressor", "num_target", "1", "3", "its trees' tree_info names 1"),
        ("softprob-3", "num_class", "3", "4", "says 4 output groups"),
        ("multi-target", "num_target", "3", "4", "its trees' tree_info names 3"),
        ("multi-target-multi-output-tree", "num_target", "3", "4", "vectors of 3 values"),
        ("multi-target-multi-output-tree", "num_target", "3", "2", "vectors of 3 values"),
        ("multi-target-multi-output-tree", "num_target", "3", "1", "vectors of 3 values"),
        ("no-trees-multiclass", "num_class", "3", "4", "no trees and 3 base_score"),
        ("dart", "num_class", "3", "9", "says 9 output groups"),
        ("gblinear", "num_class", "3", "4", "linear model has"),
    ],
)
def test_rt45_07_unpaid_groups_refused(
    name: str, key: str, old: str, new: str, message: str
) -> None:
    blob, count = _replaced(bytes(_blob(_model(name))), key, old, new)
    assert count >= 2  # Model's and Config's learner_model_param (and the objective's)
    assert message in str(booster_problem(blob))


def test_rt45_07_no_trees_without_a_base_score_vector() -> None:
    """Without trees, groups are paid only by ``base_score`` values (xgboost 3 writes one per
    group); a single number pays for one group."""
    blob = bytes(_blob(_model("no-trees-multiclass")))
    base = _param(_model("no-trees-multiclass"))["base_score"]
    assert booster_problem(blob) is None
    scalar, count = _replaced(blob, "base_score", base, "5E-1")
    assert count == 2
    assert "no trees and 1 base_score value(s)" in str(booster_problem(scalar))
    single = bytes(_blob(_model("no-trees-binary")))
    assert booster_problem(_replaced(single, "base_score", "[5E-1]", "5E-1")[0]) is None


# --- rt45-03: n_classes_ ------------------------------------------------------------------


def _with_classes(name: str, value: Any, tmp_path: Path, protocol: int = 5) -> Path:
    model = pickle.loads(pickle.dumps(_model(name)))
    model.n_classes_ = value
    path = tmp_path / "classes.pkl"
    path.write_bytes(pickle.dumps(model, protocol=protocol))
    return path


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("binary", 2),
        ("binary", 1),  # labels of one class: fit stores 1
        ("binary", np.int64(2)),
        ("one-class", 1),
        ("softprob-3", 3),
        ("softprob-3", np.int32(3)),
        ("rf-classifier", 3),
    ],
)
def test_rt45_03_n_classes_as_the_booster_says(name: str, value: Any, tmp_path: Path) -> None:
    loaded = load_unsigned(_with_classes(name, value, tmp_path), profiles=["xgboost"])
    assert loaded.n_classes_ == value


@pytest.mark.parametrize(
    ("name", "value", "protocol"),
    [
        ("binary", 3, 5),
        ("binary", 0, 5),
        ("binary", -1, 5),
        ("binary", True, 5),
        ("binary", 2.0, 5),
        ("binary", "2", 5),
        ("binary", 2**31, 2),  # the blob as latin-1 text
        ("softprob-3", 2, 5),
        ("softprob-3", 4, 5),
        ("softprob-10", 2**31, 5),
        ("rf-classifier", 10, 4),
        ("early-stopped", 2, 5),
    ],
)
def test_rt45_03_other_n_classes_refused(
    name: str, value: Any, protocol: int, tmp_path: Path
) -> None:
    path = _with_classes(name, value, tmp_path, protocol)
    with pytest.raises(SafeloadError, match="n_classes_: is .*, but its Booster"):
        load_unsigned(path, profiles=["xgboost"])  # asserts scan calls it unsafe too


def test_rt45_03_n_classes_without_a_booster(tmp_path: Path) -> None:
    """An unfitted classifier stores neither; ``n_classes_`` alone still sizes ``classes_``."""
    model = xgb.XGBClassifier(n_jobs=1, n_estimators=2)
    model.n_classes_ = 2**31
    path = tmp_path / "unfitted.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    with pytest.raises(SafeloadError, match="n_classes_: is stored without a Booster"):
        load_unsigned(path, profiles=["xgboost"])
    assert safeload.scan(path, profiles=["xgboost"]).safe is False
    unfitted = tmp_path / "plain.pkl"
    unfitted.write_bytes(pickle.dumps(xgb.XGBClassifier(n_jobs=1, n_estimators=2), protocol=5))
    assert type(load_unsigned(unfitted, profiles=["xgboost"])) is xgb.XGBClassifier


def test_rt45_03_in_a_pipeline(tmp_path: Path) -> None:
    """The rule meets a wrapper wherever the model holds it (load's walk, scan's shadows)."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(StandardScaler(), xgb.XGBClassifier(n_jobs=1, n_estimators=2)).fit(
        X, _classes(3)
    )
    path = tmp_path / "pipe.pkl"
    path.write_bytes(pickle.dumps(pipe, protocol=5))
    assert list(load_unsigned(path, profiles=["xgboost"]).classes_) == [0, 1, 2]
    pipe[-1].n_classes_ = 2**31
    path.write_bytes(pickle.dumps(pipe, protocol=5))
    with pytest.raises(SafeloadError, match="n_classes_: is 2147483648"):
        load_unsigned(path, profiles=["xgboost"])
