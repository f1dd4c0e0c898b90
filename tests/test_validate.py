"""Native structures: crafted trees, predictors and neighbor trees are refused after building.

Each test first shows the legitimate file loads, then corrupts one stored index array. In a
subprocess, the corrupted model really crashes or hangs plain scikit-learn (the child-index case),
so the check is needed; safeload refuses every variant with MalformedArtifactError.
"""

from __future__ import annotations

import pickle
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier, RandomForestClassifier
from sklearn.neighbors import BallTree, KDTree, KNeighborsClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

import zygote
from safeload import MalformedArtifactError, SafeloadError, load_unsigned, scan, validate
from safeload.trust.structures import common
from safeload.trust.structures import trees as tree_checks

RNG = np.random.RandomState(0)
X = RNG.rand(120, 4)
Y = (X[:, 0] + X[:, 1] > 1).astype(int)


def _load(tmp_path: Path, obj: Any, name: str = "m.pkl") -> Any:
    """Load ``obj`` through a protocol 5 file, checking that ``scan`` gives load's verdict:
    scan refuses (from the stream alone) every file load refuses after building it."""
    path = tmp_path / name
    path.write_bytes(pickle.dumps(obj, protocol=5))
    needed = list(scan(path).untrusted)  # trust exactly what this legitimate file references
    report = scan(path, trusted=needed)
    try:
        loaded = load_unsigned(path, trusted=needed)
    except SafeloadError:
        assert not report.safe, "scan called safe a file that load refuses"
        raise
    assert report.safe, report.findings
    return loaded


def _tree_model(mutate: Callable[[np.ndarray, dict[str, Any]], None]) -> DecisionTreeClassifier:
    model = DecisionTreeClassifier(random_state=0).fit(X, Y)
    cls, args, state = model.tree_.__reduce__()
    state = dict(state)
    state["nodes"] = state["nodes"].copy()
    mutate(state["nodes"], state)
    tree = cls(*args)
    tree.__setstate__(state)
    model.tree_ = tree
    return model


def _set(field: str, index: int, value: int) -> Callable[[np.ndarray, dict[str, Any]], None]:
    def mutate(nodes: np.ndarray, state: dict[str, Any]) -> None:
        nodes[field][index] = value

    return mutate


def test_valid_tree_loads(tmp_path: Path) -> None:
    model = _load(tmp_path, _tree_model(lambda n, s: None))
    assert model.predict(X[:5]).tolist() == Y[:5].tolist()


@pytest.mark.parametrize(
    ("label", "mutate"),
    [
        ("left child out of range", _set("left_child", 0, 10**6)),
        ("right child negative", _set("right_child", 0, -7)),
        ("feature out of range", _set("feature", 0, 10**6)),
        ("feature negative", _set("feature", 0, -5)),
        ("one child only", _set("left_child", 0, -1)),
        ("child points back (cycle)", _set("left_child", 2, 0)),
        (
            "a node with two parents",
            lambda n, s: n["right_child"].__setitem__(0, n["left_child"][0]),
        ),
    ],
)
def test_crafted_tree_is_refused(tmp_path: Path, label: str, mutate: Any) -> None:
    model = _tree_model(mutate)
    if model.tree_.node_count < 3:  # pragma: no cover - the fixture tree is larger
        pytest.skip("tree too small")
    with pytest.raises(MalformedArtifactError, match="invalid Tree|crafted sklearn Tree"):
        _load(tmp_path, model)


TREE_MUTATIONS = [
    _set("left_child", 0, 10**6),
    _set("right_child", 0, -7),
    _set("feature", 0, 10**6),
    _set("feature", 0, -5),
    _set("left_child", 0, -1),
    _set("left_child", 2, 0),
    _set("missing_go_to_left", 0, 7),
    # the edges of the batched check's unsigned comparisons
    lambda nodes, state: nodes["right_child"].__setitem__(0, nodes.shape[0]),  # one past the end
    _set("left_child", 0, 0),  # a node that is its own child
    _set("right_child", 0, -(2**63)),  # wraps around when one is subtracted
    _set("feature", 0, X.shape[1]),  # one past the last feature
    _set("feature", 0, -(2**63)),
    # not a tree: node 0's children are the same node (and its old right child is orphaned)
    lambda nodes, state: nodes["right_child"].__setitem__(0, nodes["left_child"][0]),
]


@pytest.mark.parametrize("index", range(len(TREE_MUTATIONS)))
def test_batched_tree_check_agrees_with_the_per_tree_check(index: int) -> None:
    """Forests are checked in one vectorized pass; it must never pass a tree the per-tree
    check refuses, wherever the bad tree sits in the batch."""
    good = [_tree_model(lambda n, s: None).tree_ for _ in range(3)]
    bad = _tree_model(TREE_MUTATIONS[index]).tree_
    with pytest.raises(common.Bad):
        tree_checks.check_tree(bad, None)
    assert tree_checks.trees_all_valid(good)
    for position in range(4):
        trees = [*good[:position], bad, *good[position:]]
        assert not tree_checks.trees_all_valid(trees)


def test_batches_split_large_forests(monkeypatch: pytest.MonkeyPatch) -> None:
    good = _tree_model(lambda n, s: None).tree_
    bad = _tree_model(_set("left_child", 2, 0)).tree_
    monkeypatch.setattr(tree_checks, "C_TREE_CHECK", False)  # the numpy batches
    monkeypatch.setattr(tree_checks, "_TREE_BATCH_NODES", 1)  # one tree per batch
    assert tree_checks.trees_all_valid([good, good, good])
    assert not tree_checks.trees_all_valid([good, good, bad])


def test_one_bad_tree_in_a_forest_is_refused_by_name(tmp_path: Path) -> None:
    forest = RandomForestClassifier(n_estimators=6, random_state=0).fit(X, Y)
    assert _load(tmp_path, forest).predict(X[:4]).tolist() == forest.predict(X[:4]).tolist()
    victim = forest.estimators_[4]
    cls, args, state = victim.tree_.__reduce__()
    state = dict(state)
    state["nodes"] = state["nodes"].copy()
    state["nodes"]["feature"][0] = 10**6
    tree = cls(*args)
    tree.__setstate__(state)
    victim.tree_ = tree
    # load refuses it after building (the static pass leaves trees to that check) ...
    with pytest.raises(MalformedArtifactError, match="Tree feature index out of range"):
        _load(tmp_path, forest)
    # ... and scan, which reads the trees from the stream, agrees (issue 14, item 6)
    path = tmp_path / "bad.pkl"
    path.write_bytes(pickle.dumps(forest, protocol=5))
    report = scan(path)
    assert report.verdict == "unsafe"
    assert any("feature index is out of range" in f.message for f in report.findings)
    # the check after building names the bad tree
    with pytest.raises(MalformedArtifactError, match="invalid Tree: Tree feature index out of"):
        validate.validate_loaded(forest, "m.pkl")


def test_plain_pickle_really_crashes_on_bad_child(tmp_path: Path) -> None:
    """Proof that the check matters: scikit-learn itself segfaults on this file."""
    path = tmp_path / "bad.pkl"
    path.write_bytes(pickle.dumps(_tree_model(_set("left_child", 0, 10**7))))
    code = textwrap.dedent(f"""
        import pickle, numpy as np
        m = pickle.loads(open({str(path)!r}, 'rb').read())
        m.predict(np.random.rand(50, 4))
    """)
    proc = zygote.subprocess_run(
        [sys.executable, "-c", code], capture_output=True, timeout=120, check=False
    )
    assert proc.returncode != 0


def test_hist_gradient_boosting_predictor(tmp_path: Path) -> None:
    model = HistGradientBoostingClassifier(max_iter=3, random_state=0).fit(X, Y)
    assert _load(tmp_path, model).predict(X[:3]).tolist() == model.predict(X[:3]).tolist()
    pred = model._predictors[0][0]
    internal = np.flatnonzero(~pred.nodes["is_leaf"].astype(bool))
    pred.nodes["left"][internal[0]] = 10**6
    with pytest.raises(MalformedArtifactError, match="invalid"):
        _load(tmp_path, model)
    model = HistGradientBoostingClassifier(max_iter=3, random_state=0).fit(X, Y)
    pred = model._predictors[0][0]
    pred.nodes["feature_idx"][internal[0]] = 4  # X has 4 features: index 4 is out of range
    with pytest.raises(MalformedArtifactError, match="feature index out of range"):
        _load(tmp_path, model)


@pytest.mark.parametrize("cls", [KDTree, BallTree])
def test_neighbor_trees(tmp_path: Path, cls: Any) -> None:
    tree = cls(X, leaf_size=8)
    assert _load(tmp_path, tree).query(X[:2], k=1)[1].ravel().tolist() == [0, 1]
    state = list(tree.__getstate__())
    bad_idx = state[1].copy()
    bad_idx[0] = 10**6
    state[1] = bad_idx
    broken = cls.__new__(cls)
    broken.__setstate__(tuple(state))
    with pytest.raises(MalformedArtifactError, match="permutation"):
        _load(tmp_path, broken)
    state = list(tree.__getstate__())
    nd = state[2].copy()
    nd["idx_end"][0] = 10**6
    state[2] = nd
    broken.__setstate__(tuple(state))
    with pytest.raises(MalformedArtifactError, match="out of bounds"):
        _load(tmp_path, broken)


def test_knn_estimator_with_kd_tree(tmp_path: Path) -> None:
    model = KNeighborsClassifier(algorithm="kd_tree").fit(X, Y)
    assert _load(tmp_path, model).predict(X[:4]).tolist() == model.predict(X[:4]).tolist()


def test_svm_support_counts(tmp_path: Path) -> None:
    model = SVC().fit(X, Y)
    assert _load(tmp_path, model).predict(X[:4]).tolist() == model.predict(X[:4]).tolist()
    model._n_support = model._n_support + 1000
    with pytest.raises(MalformedArtifactError, match="support vector counts"):
        _load(tmp_path, model)


def test_svm_regressors_and_one_class_load(tmp_path: Path) -> None:
    from sklearn.svm import SVR, NuSVC, OneClassSVM

    y = X[:, 0]
    for model in (
        SVR().fit(X, y),
        OneClassSVM().fit(X),
        NuSVC().fit(X, Y),
        SVC().fit(X, (X[:, 0] * 3).astype(int)),
    ):
        loaded = _load(tmp_path, model)
        assert loaded.predict(X[:4]).tolist() == model.predict(X[:4]).tolist()
    bad = SVR().fit(X, y)
    bad._n_support = bad._n_support + 5
    with pytest.raises(MalformedArtifactError, match="support vector counts"):
        _load(tmp_path, bad)


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo"])
def test_crafted_sparse_matrix_is_refused(tmp_path: Path, fmt: str) -> None:
    """A csr_matrix whose indices point past its shape crashes toarray() in plain scipy."""
    import scipy.sparse as sp

    good = sp.random(5, 4, density=0.5, format=fmt, random_state=0)
    assert (_load(tmp_path, good).toarray() == good.toarray()).all()
    bad = good.copy()
    if fmt == "coo":
        bad.row[0] = 10**6
    else:
        bad.indices[0] = 10**6
    with pytest.raises(MalformedArtifactError, match="invalid"):
        _load(tmp_path, bad)


def test_hist_gradient_boosting_with_categorical_features(tmp_path: Path) -> None:
    """It stores functools.partial(check_array, ...): loads under the default policy."""
    from safeload import load_unsigned

    rng = np.random.RandomState(0)
    xc = np.c_[rng.rand(200, 2), rng.randint(0, 4, 200)]
    model = HistGradientBoostingClassifier(
        max_iter=5, categorical_features=[2], random_state=0
    ).fit(xc, xc[:, 2] > 1)
    path = tmp_path / "hgb.pkl"
    path.write_bytes(pickle.dumps(model))
    assert load_unsigned(path).predict(xc[:10]).tolist() == model.predict(xc[:10]).tolist()


_BUILT_DTYPE = """
import pickle, sys
from safeload._attacks import _bad_field_dtype, _octal_itemsize_dtype
from safeload.validate import validate_loaded
from safeload import MalformedArtifactError
for build in (_octal_itemsize_dtype, _bad_field_dtype):
    built = pickle.loads(build("unused"))  # what numpy received; nothing reads it yet
    try:
        validate_loaded({"model": [built]}, "x.pkl")
    except MalformedArtifactError as exc:
        print("refused", "never make" in str(exc))
"""


def test_dtypes_numpy_received_are_checked_after_building() -> None:
    """The second line behind the static dtype check (issue 14): a dtype numpy built from a
    state its constructors never make (a field past the item, a field type that is a str) is
    refused by the walk after building, before anything reads it. Run in a child process,
    since these objects crash numpy on first use."""
    run = zygote.subprocess_run(
        [sys.executable, "-c", _BUILT_DTYPE], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["refused", "True", "refused", "True"]


def test_honest_dtypes_pass_the_check_after_building() -> None:
    from sklearn.tree._tree import NODE_DTYPE

    from safeload._numpy_state import built_dtype_problem

    seen: dict[int, str | None] = {}
    dtypes = [
        NODE_DTYPE,
        np.dtype("f8"),
        np.dtype(">i4"),
        np.dtype("U10"),
        np.dtype("V8"),
        np.dtype("O"),
        np.dtype("M8[3ms]"),
        np.dtype("m8"),
        np.dtype(("f4", (2, 3))),
        np.dtype([("a", "i1"), ("b", "f8")], align=True),
        np.dtype({"names": ["x"], "formats": ["u2"], "offsets": [4], "itemsize": 8}),
        np.dtype([(("title", "n"), "i4")]),
        np.dtype("f8", metadata={"k": "v"}),
        np.dtype(np.longdouble),
    ]
    for dt in dtypes:
        again = pickle.loads(pickle.dumps(dt))
        assert built_dtype_problem(again, seen) is None, dt


_FORMATS = ["p2.pkl", "p4.pkl", "p5.pkl", "plain.joblib", "zlib.joblib.z"]


def _write_model(path: Path, model: Any) -> None:
    import io

    import joblib

    if path.name.endswith(".pkl"):
        path.write_bytes(pickle.dumps(model, protocol=int(path.name[1])))
    else:
        buf = io.BytesIO()
        joblib.dump(model, buf, compress=("zlib", 3) if path.name.endswith(".z") else 0)
        path.write_bytes(buf.getvalue())


@pytest.mark.parametrize("fmt", _FORMATS)
def test_scan_and_load_agree_on_crafted_trees(tmp_path: Path, fmt: str) -> None:
    """Issue 14, item 6: scan said SAFE for a crafted Tree that load refuses (and on which
    scikit-learn's own predict reads out of bounds, see above). Now scan reads the node arrays
    from the stream (pickle bytes, protocol 5 buffers, joblib inline arrays) and applies the
    same checks, so its verdict is load's verdict; an honest tree still scans SAFE."""
    path = tmp_path / fmt
    _write_model(path, _tree_model(lambda n, s: None))
    assert scan(path).safe, scan(path).findings
    mutations = [
        _set("left_child", 0, 10**6),
        _set("right_child", 0, -7),
        _set("feature", 0, 10**6),
        _set("left_child", 0, -1),
        _set("left_child", 2, 0),
    ]
    for mutate in mutations:
        _write_model(path, _tree_model(mutate))
        report = scan(path)
        assert not report.safe and "crafted sklearn Tree" in report.findings[0].message
        with pytest.raises(MalformedArtifactError):
            load_unsigned(path)


@pytest.mark.parametrize("kind", ["Isomap", "KNeighborsTransformer", "LocallyLinearEmbedding"])
def test_scan_agrees_on_a_kd_tree_inside_a_transformer(kind: str, tmp_path: Path) -> None:
    # their _n_features_out bound counts stored arrays two objects deep; the KD tree's state is
    # not a dict, which scan's shadow could not count (coverage corpus, issue 15)
    from sklearn import manifold, neighbors

    module = manifold if hasattr(manifold, kind) else neighbors
    x = np.random.RandomState(0).rand(60, 4)
    model = getattr(module, kind)(n_neighbors=5).fit(x)
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    assert scan(path).safe, scan(path).findings
    got, want = load_unsigned(path).transform(x[:10]), model.transform(x[:10])
    if hasattr(want, "toarray"):  # KNeighborsTransformer gives a sparse graph
        got, want = got.toarray(), want.toarray()
    assert np.array_equal(got, want)


def test_scan_agrees_on_select_from_model_around_a_forest(tmp_path: Path) -> None:
    # reading SelectFromModel.n_features_in_ runs the forest's __sklearn_tags__, which calls
    # type(self.estimator)(...): a shadow cannot answer that, and nothing needed it (coverage
    # corpus, issue 15)
    from sklearn.feature_selection import SelectFromModel

    x = np.random.RandomState(0).rand(60, 4)
    model = SelectFromModel(RandomForestClassifier(n_estimators=3, random_state=0)).fit(
        x, (x[:, 0] > 0.5).astype(int)
    )
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    assert scan(path).safe, scan(path).findings
    assert np.array_equal(load_unsigned(path).transform(x), model.transform(x))
