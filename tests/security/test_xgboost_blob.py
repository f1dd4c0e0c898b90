"""The xgboost profile reads the Booster's UBJSON blob before xgboost does (red-team r15-04,
r15-11; :mod:`safeload.trust.xgboost_ubj`): the harm under plain pickle in a child process,
then safeload refusing the same bytes with ``scan`` agreeing; unit tests of the bounded walker
and of the tree checks; and honest models of every kind passing."""

from __future__ import annotations

import copyreg
import io
import json
import pickle
import struct
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.parity import load_unsigned

from harm import Child, plain
from safeload import SafeloadError
from safeload.trust import xgboost_ubj
from safeload.trust.xgboost_model import booster_problem
from safeload.trust.xgboost_ubj import UBJError, parse

xgb = pytest.importorskip("xgboost")

RNG = np.random.RandomState(0)
X = RNG.rand(200, 4)
Y = (X[:, 0] > 0.5).astype(int)


def _plain(path: Path, *, loads: bool) -> Child:
    """Unpickle ``path`` with plain pickle in a child and predict; assert whether it loaded."""
    return plain(path, "model.predict(X[:3])", loads=loads, data=X.shape, timeout=120)


def _classifier() -> Any:
    return xgb.XGBClassifier(n_estimators=2, max_depth=2).fit(X, Y)


def _handle(model: Any) -> bytearray:
    booster = model if isinstance(model, xgb.Booster) else model.get_booster()
    handle = booster.__getstate__()["handle"]
    assert isinstance(handle, bytearray)
    return handle


def _dump_with_handle(model: Any, handle: bytearray, path: Path) -> None:
    """Pickle ``model`` as pickle does, with ``handle`` as its Booster's state."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=4)
    pickler.dispatch_table = {  # type: ignore[assignment]
        xgb.Booster: lambda b: (copyreg.__newobj__, (xgb.Booster,), {"handle": handle})
    }
    pickler.dump(model)
    path.write_bytes(buf.getvalue())


# --- the red-team findings -----------------------------------------------------------------


def test_r15_11_ubjson_count_past_the_buffer(tmp_path: Path) -> None:
    """r15-11: one typed-array count set to 10,000,000 makes xgboost's reader copy past the
    buffer inside the load; safeload refuses the count before xgboost sees it."""
    model = _classifier()
    handle = _handle(model)
    at = handle.find(b"split_conditions") + len(b"split_conditions")
    assert handle[at : at + 5] == b"[$d#L"
    handle[at + 5 : at + 13] = struct.pack(">q", 10_000_000)
    path = tmp_path / "count.pkl"
    _dump_with_handle(model, handle, path)
    child = _plain(path, loads=False)
    assert child.crashed, child  # SIGSEGV inside pickle.load
    with pytest.raises(SafeloadError, match="declares 10000000 elements"):
        load_unsigned(path, profiles=["xgboost"])


def test_r15_04_tree_child_out_of_range(tmp_path: Path) -> None:
    """r15-04: a child index of 1e8 loads and segfaults predict; safeload refuses the tree."""
    model = _classifier()
    raw = json.loads(bytes(model.get_booster().save_raw("json")))
    raw["learner"]["gradient_booster"]["model"]["trees"][0]["left_children"][0] = 100_000_000
    bad = xgb.Booster()
    bad.load_model(bytearray(json.dumps(raw).encode()))
    model._Booster = bad
    path = tmp_path / "oob.pkl"
    path.write_bytes(pickle.dumps(model))
    child = _plain(path, loads=True)
    assert child.crashed and not child.returned, child
    with pytest.raises(SafeloadError, match="children 100000000, 2"):
        load_unsigned(path, profiles=["xgboost"])


# --- honest models --------------------------------------------------------------------------


def _pruned() -> Any:
    with warnings.catch_warnings():  # "you have manually specified the updater"
        warnings.simplefilter("ignore", UserWarning)
        return xgb.train(
            {"updater": "grow_colmaker,prune", "gamma": 0.5, "max_depth": 6},
            xgb.DMatrix(X, X[:, 0] + RNG.rand(200)),
            3,
        )


def _honest() -> dict[str, Any]:
    y3 = (X[:, 1] * 3).astype(int)
    models: dict[str, Any] = {
        "classifier": xgb.XGBClassifier(n_estimators=3, max_depth=3).fit(X, Y),
        "multiclass": xgb.XGBClassifier(n_estimators=3).fit(X, y3),
        "regressor": xgb.XGBRegressor(n_estimators=3, gamma=1).fit(X, X[:, 0]),
        "ranker": xgb.XGBRanker(n_estimators=3).fit(X, y3, qid=np.repeat(np.arange(20), 10)),
        "rf-classifier": xgb.XGBRFClassifier(n_estimators=3).fit(X, Y),
        "rf-regressor": xgb.XGBRFRegressor(n_estimators=3).fit(X, X[:, 0]),
        "gblinear": xgb.XGBClassifier(booster="gblinear", n_estimators=2).fit(X, y3),
        "dart": xgb.XGBClassifier(booster="dart", n_estimators=3).fit(X, y3),
        "multi-target": xgb.XGBRegressor(n_estimators=2).fit(X, np.c_[Y, y3]),
        "multi-output-tree": xgb.XGBRegressor(
            multi_strategy="multi_output_tree", n_estimators=2
        ).fit(X, np.c_[Y, y3]),
        # pruning leaves deleted nodes (orphans) in the arrays
        "pruned": _pruned(),
        "raw-booster": xgb.train({"max_depth": 3}, xgb.DMatrix(X, Y), 3),
    }
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"a": pd.Categorical(RNG.randint(0, 20, 200)), "b": RNG.rand(200)})
    target = (frame.a.cat.codes % 3 == 0).astype(int)
    for name, onehot in (("categorical", 1), ("categorical-onehot", 64)):
        models[name] = xgb.XGBClassifier(
            n_estimators=3, enable_categorical=True, tree_method="hist", max_cat_to_onehot=onehot
        ).fit(frame, target)
    return models


@pytest.fixture(scope="module")
def honest() -> dict[str, Any]:
    return _honest()


def test_honest_blobs_pass(honest: dict[str, Any]) -> None:
    for name, model in honest.items():
        assert booster_problem(_handle(model)) is None, name
    categorical = parse(_handle(honest["categorical"]))
    trees = categorical["Model"]["learner"]["gradient_booster"]["model"]["trees"]
    assert any(t["categories_nodes"].count for t in trees)  # the categorical check ran
    pruned = parse(_handle(honest["pruned"]))
    trees = pruned["Model"]["learner"]["gradient_booster"]["model"]["trees"]
    assert any(t["tree_param"]["num_deleted"] != "0" for t in trees)


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_honest_pickles_load(honest: dict[str, Any], tmp_path: Path, protocol: int) -> None:
    """Every way pickle writes the handle (latin-1 text under protocol 2, a BYTEARRAY8 the
    pass keeps or one it reads back from the stream) reaches the walker whole."""
    big = xgb.XGBClassifier(n_estimators=30, max_depth=6).fit(
        RNG.rand(2000, 8), RNG.rand(2000) > 0.5
    )
    for name, model in {**honest, "big": big}.items():
        path = tmp_path / f"{name}.pkl"
        path.write_bytes(pickle.dumps(model, protocol=protocol))
        assert type(load_unsigned(path, profiles=["xgboost"])) is type(model), name


# --- the walker -------------------------------------------------------------------------------


def _key(text: str) -> bytes:
    raw = text.encode()
    return b"L" + struct.pack(">q", len(raw)) + raw


def _enc(value: Any) -> bytes:
    """UBJSON as xgboost writes it (typed arrays for lists of numbers)."""
    if isinstance(value, dict):
        return b"{" + b"".join(_key(k) + _enc(v) for k, v in value.items()) + b"}"
    if isinstance(value, list):
        if value and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return b"[$L#L" + struct.pack(">q", len(value)) + struct.pack(f">{len(value)}q", *value)
        if value and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            return b"[$d#L" + struct.pack(">q", len(value)) + struct.pack(f">{len(value)}f", *value)
        return b"[#L" + struct.pack(">q", len(value)) + b"".join(_enc(v) for v in value)
    if value is None:
        return b"Z"
    if isinstance(value, bool):
        return b"T" if value else b"F"
    if isinstance(value, int):
        return b"L" + struct.pack(">q", value)
    if isinstance(value, float):
        return b"d" + struct.pack(">f", value)
    if isinstance(value, str):
        return b"S" + _key(value)
    raise TypeError(value)


def test_walker_reads_xgboost_forms() -> None:
    blob = _enc({"a": [1, 2, 3], "b": [0.5, 1.5], "c": ["x", None, True, False], "d": "text"})
    got = parse(blob)
    assert list(got["a"].array(blob)) == [1, 2, 3]
    assert list(got["b"].array(blob)) == [0.5, 1.5]
    assert got["c"] == ["x", None, True, False] and got["d"] == "text"
    assert parse(b"[i\x01U\x02I\x00\x03l\x00\x00\x00\x04]") == [1, 2, 3, 4]


def test_walker_refuses_every_truncation() -> None:
    blob = bytes(_handle(_classifier()))
    for cut in range(0, len(blob), 7):
        with pytest.raises(UBJError):
            parse(blob[:cut])
    with pytest.raises(UBJError, match="after the model"):
        parse(blob + b"Z")


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"{" + _key("a") + b"[$d#L" + struct.pack(">q", 3) + b"\0" * 10 + b"}", "declares 3"),
        (b"{" + _key("a") + b"[$L#L" + struct.pack(">q", 2**61) + b"}", "declares"),
        (b"{" + _key("a") + b"[$l#L" + struct.pack(">q", -1) + b"}", "negative"),
        (b"{" + _key("a") + b"[#L" + struct.pack(">q", 1000) + b"Z}", "declares 1000 values"),
        (b"{" + _key("a") + b"SL" + struct.pack(">q", 100) + b"abc}", "string of 100"),
        (b"{L" + struct.pack(">q", 10_000_000) + b"ab}", "key of 10000000"),
        (b"{" + _key("a") + b"[$T#L" + struct.pack(">q", 10**9) + b"}", "typed array of 'T'"),
        (b"{" + _key("a") + b"[$d" + struct.pack(">q", 1) + b"}", "without a count"),
        (b"{" + _key("a") + b"[#U\x05ZZZZZ}", "'L' \\+ int64"),
        (b"{" + _key("a") + b"H}", "not a value"),
        (b"{" + _key("a") + b"N}", "not a value"),
        (b"{i\x01a}", "'L' \\+ int64"),
    ],
)
def test_walker_refuses_bad_lengths(blob: bytes, message: str) -> None:
    with pytest.raises(UBJError, match=message):
        parse(blob)


def test_walker_bounds_nesting_and_items() -> None:
    depth = xgboost_ubj.MAX_DEPTH
    assert parse(b"[" * depth + b"]" * depth) is not None
    with pytest.raises(UBJError, match="nesting deeper"):
        parse(b"[" * (depth + 1) + b"]" * (depth + 1))
    with pytest.raises(UBJError, match="nesting deeper"):  # no recursion: no RecursionError
        parse(b"[" * 100_000)
    with pytest.raises(UBJError, match="more than 10 values"):
        parse(b"[" + b"Z" * 20 + b"]", max_items=10)
    assert xgboost_ubj.MAX_ITEMS == 1 << 24


# --- the model checks -------------------------------------------------------------------------


def _model_json(model: Any) -> dict[str, Any]:
    booster = model if isinstance(model, xgb.Booster) else model.get_booster()
    raw: dict[str, Any] = json.loads(bytes(booster.save_raw("json")))
    return raw


def _tree(raw: dict[str, Any], t: int = 0) -> dict[str, Any]:
    tree: dict[str, Any] = raw["learner"]["gradient_booster"]["model"]["trees"][t]
    return tree


def _check(raw: dict[str, Any]) -> str | None:
    return booster_problem(_enc({"Model": raw}))


def test_tree_checks(honest: dict[str, Any]) -> None:
    model = xgb.XGBRegressor(n_estimators=2, max_depth=3).fit(X, X[:, 0] + X[:, 1])
    base = _model_json(model)
    assert _check(base) is None
    left, right = _tree(base)["left_children"], _tree(base)["right_children"]
    a, b = left[0], right[0]
    c = left[a]
    leaf = left.index(-1)
    assert min(a, b, c) > 0 and c > b and left[b] != -1  # two levels of internal nodes

    def refused(change: Any, message: str, raw: dict[str, Any] | None = None) -> None:
        raw = raw or _model_json(model)
        change(raw)
        got = _check(raw)
        assert got is not None and message in got, got

    def tree(field: str, index: int, value: Any) -> Any:
        return lambda raw: _tree(raw)[field].__setitem__(index, value)

    refused(tree("left_children", 0, 0), "node 0: children 0")  # self-loop
    refused(tree("left_children", a, 0), f"node {a}: children 0")  # back to the root
    refused(tree("left_children", 0, -5), "children -5")
    refused(tree("left_children", 0, 10**8), "children 100000000")  # r15-04
    refused(tree("right_children", b, c), "child of two nodes")
    refused(tree("right_children", leaf, leaf + 1), f"node {leaf}: children -1")
    refused(tree("parents", c, b), "parents disagrees")
    refused(tree("parents", 0, 0), "the root has parent 0")
    refused(tree("split_indices", 0, 4), "not below 4")
    refused(lambda raw: _tree(raw)["split_conditions"].pop(), "split_conditions has")
    refused(lambda raw: _tree(raw)["tree_param"].__setitem__("num_nodes", "2"), "entries for 2")
    booster = ("learner", "gradient_booster")
    refused(
        lambda raw: raw[booster[0]][booster[1]]["model"]["tree_info"].__setitem__(0, 1),
        "tree_info",
    )
    refused(lambda raw: raw[booster[0]][booster[1]]["model"]["trees"].pop(), "num_trees is 2")
    refused(
        lambda raw: raw["learner"]["learner_model_param"].__setitem__("num_feature", "-1"),
        "num_feature",
    )
    refused(
        lambda raw: raw[booster[0]][booster[1]]["model"]["weights"].pop(),
        "linear model has",
        _model_json(honest["gblinear"]),
    )
    refused(lambda raw: raw[booster[0]][booster[1]].__setitem__("name", "other"), "not gbtree")
    refused(  # a multi-output tree's leaf names its row of leaf_weights
        lambda raw: _tree(raw)["right_children"].__setitem__(
            _tree(raw)["left_children"].index(-1), 10**6
        ),
        "children -1, 1000000",
        _model_json(honest["multi-output-tree"]),
    )


def test_categorical_checks(honest: dict[str, Any]) -> None:
    raw = _model_json(honest["categorical"])
    t = next(
        i
        for i, tree in enumerate(raw["learner"]["gradient_booster"]["model"]["trees"])
        if tree["categories_nodes"]
    )
    assert _check(raw) is None
    for field, value, message in (
        ("categories_sizes", 10**6, "segment is out of range"),
        ("categories_segments", -1, "segment is out of range"),
        ("categories_nodes", 10**6, "categories_nodes"),
    ):
        changed = _model_json(honest["categorical"])
        _tree(changed, t)[field][0] = value
        got = _check(changed)
        assert got is not None and message in got, got
    changed = _model_json(honest["categorical"])
    _tree(changed, t)["split_type"] = [0] * len(_tree(changed, t)["split_type"])
    assert "not the categorical split nodes" in str(_check(changed))


def test_skops_files_get_the_same_blob_checks(tmp_path: Path) -> None:
    """A skops file holds the Booster's blob as a zip member: load checks it as it checks a
    pickle's (r15-11 through skops), and scan agrees."""
    import zipfile

    import skops.io

    model = _classifier()
    honest = tmp_path / "honest.skops"
    skops.io.dump(model, honest)
    assert np.array_equal(load_unsigned(honest, profiles=["xgboost"]).predict(X), model.predict(X))
    blob = bytes(_handle(model))
    with zipfile.ZipFile(honest) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    (name,) = [n for n, data in members.items() if data == blob]
    bad = bytearray(blob)
    at = bad.find(b"split_conditions") + len(b"split_conditions")
    bad[at + 5 : at + 13] = struct.pack(">q", 10_000_000)
    members[name] = bytes(bad)
    crafted = tmp_path / "count.skops"
    with zipfile.ZipFile(crafted, "w") as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    with pytest.raises(SafeloadError, match="declares 10000000 elements"):
        load_unsigned(crafted, profiles=["xgboost"])
