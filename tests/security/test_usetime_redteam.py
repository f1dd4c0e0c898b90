"""Findings of the adversarial review of the use-time checks, one test each.

Every file here is built only from names on the default allowlist. Each test first shows the
harm under plain pickle in a child process (a crash, a planted module imported, a loop that
never ends), then shows safeload refusing the same bytes before anything is returned.
"""

from __future__ import annotations

import functools
import pickle
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.cluster import Birch, KMeans
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.neighbors import KNeighborsRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeRegressor

import safeload
import zygote
from harm import Child, crashes, plain
from safeload import MalformedArtifactError, SafeloadError, UnsafeStateError, scan
from safeload.validate import validate_loaded


def load_unsigned(path: Path, **kwargs: Any) -> Any:
    """``safeload.load_unsigned``, also checking that ``scan`` gives the same verdict from the
    stream alone (issue 14: no file that load refuses is reported safe)."""
    report = scan(path, trusted=kwargs.get("trusted", ()))
    try:
        loaded = safeload.load_unsigned(path, **kwargs)
    except SafeloadError:
        assert not report.safe, f"scan called safe a file that load refuses: {path}"
        raise
    assert report.safe, report.findings
    return loaded


RNG = np.random.RandomState(0)


def _plain(
    path: Path,
    call: str,
    *,
    timeout: float = 60,
    cwd: Path | None = None,
    hang_after_load: float | None = None,
    fresh: bool = False,
) -> Child:
    """Plain pickle + ``call`` in a child with 1 GiB of address space."""
    return plain(
        path,
        call,
        memory=1 << 30,
        cwd=cwd,
        timeout=timeout,
        hang_after_load=hang_after_load,
        fresh=fresh,
    )


def _write(tmp_path: Path, obj: Any, name: str = "m.pkl") -> Path:
    path = tmp_path / name
    path.write_bytes(pickle.dumps(obj, protocol=4))
    return path


def _crashes(path: Path, call: str) -> None:
    crashes(path, call, memory=1 << 30)


def test_svc_precomputed_support_past_the_samples(tmp_path: Path) -> None:
    """Finding 1: libsvm reads the input's column ``support_[i]`` for a precomputed kernel."""
    x = RNG.randn(40, 3)
    y = (x[:, 0] > 0).astype(int)
    model = SVC(kernel="precomputed").fit(x @ x.T, y)
    honest = load_unsigned(_write(tmp_path, model, "honest.pkl"))  # was refused before
    assert np.array_equal(honest.predict(x @ x.T), model.predict(x @ x.T))
    model.support_ = np.full_like(model.support_, 2**30)
    model.support_vectors_ = np.zeros((len(model.support_), 1))
    path = _write(tmp_path, model)
    _crashes(path, "model.predict(np.zeros((2, 40)))")
    with pytest.raises(MalformedArtifactError, match="support_"):
        load_unsigned(path)


def test_svc_with_empty_dual_coefficients(tmp_path: Path) -> None:
    """Finding 1b: an empty ``_dual_coef_`` reaches libsvm as a null pointer."""
    x = RNG.randn(40, 3)
    model = SVC().fit(x, (x[:, 0] > 0).astype(int))
    model._dual_coef_ = np.empty((0, len(model.support_)))
    path = _write(tmp_path, model)
    _crashes(path, "model.predict(np.ones((3, 3)))")
    with pytest.raises(MalformedArtifactError, match="dual"):
        load_unsigned(path)


def test_tree_without_n_features_in(tmp_path: Path) -> None:
    """Finding 2: without ``n_features_in_`` scikit-learn skips the input's column check."""
    from sklearn.tree._tree import Tree

    n_features = 2**28
    model = DecisionTreeRegressor(max_depth=1).fit(np.array([[0.0], [1.0]]), [0.0, 1.0])
    state = model.tree_.__getstate__()
    nodes = state["nodes"].copy()
    nodes["feature"][0] = n_features - 1
    state["nodes"] = nodes
    tree = Tree(n_features, np.array([1], dtype=np.intp), 1)
    tree.__setstate__(state)
    model.tree_ = tree
    del model.n_features_in_
    path = _write(tmp_path, model)
    _crashes(path, "model.predict(np.zeros((2, 1)))")
    with pytest.raises(MalformedArtifactError, match="n_features_in_"):
        load_unsigned(path)


def test_kmeans_centers_wider_than_the_input(tmp_path: Path) -> None:
    """Finding 3: k-means' native code takes the row stride of the input from the centers."""
    model = KMeans(n_clusters=2, n_init=1, random_state=0).fit(RNG.randn(20, 10))
    model.cluster_centers_ = np.zeros((2, 4_000_000))
    path = _write(tmp_path, model)
    _crashes(path, "model.predict(np.zeros((64, 10)))")
    with pytest.raises(MalformedArtifactError, match="cluster_centers_"):
        load_unsigned(path)


def test_output_container_found_in_the_working_directory(tmp_path: Path) -> None:
    """Finding 4: set_output imports the container by name; polars is not installed here, so
    the import takes a ``polars.py`` in the working directory."""
    model = StandardScaler().fit(RNG.randn(10, 3))
    model._sklearn_output_config = {"transform": "polars"}
    path = _write(tmp_path, model)
    marker = tmp_path / "marker"
    (tmp_path / "polars.py").write_text(f"open({str(marker)!r}, 'w').close()\nraise ImportError\n")
    _plain(
        path,
        "try:\n    model.transform(np.zeros((2, 3)))\nexcept Exception:\n    pass",
        cwd=tmp_path,
    )
    assert marker.exists(), "plain pickle + transform should import the planted module"
    marker.unlink()
    code = (
        "import safeload, sys\n"
        "try:\n"
        f"    safeload.load_unsigned({str(path)!r})\n"
        "except safeload.UnsafeStateError as exc:\n"
        "    print('refused', exc)\n"
    )
    proc = zygote.subprocess_run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert "refused" in proc.stdout and "working directory" in proc.stdout, proc.stdout
    assert not marker.exists()


def test_a_stored_out_argument(tmp_path: Path) -> None:
    """Finding 5: ``partial(np.mean, out=A)`` writes into an array the model holds, after the
    checks ran (the review aimed it at a KD tree's validated index array)."""
    target = np.zeros(3)
    model = FunctionTransformer(functools.partial(np.mean, axis=0, out=target)).fit(np.ones((2, 3)))
    path = _write(tmp_path, model)
    with pytest.raises(UnsafeStateError, match="out"):
        load_unsigned(path)
    holder = FunctionTransformer(np.log1p, kw_args={"out": np.zeros((2, 3))})
    with pytest.raises(UnsafeStateError, match="out"):
        load_unsigned(_write(tmp_path, holder, "kw.pkl"))


def test_birch_leaf_chain_with_a_cycle(tmp_path: Path) -> None:
    """Finding 6: ``Birch._get_leaves`` follows ``next_leaf_`` until None."""
    model = Birch(n_clusters=None).fit(RNG.randn(20, 2))
    leaf = model.dummy_leaf_.next_leaf_
    leaf.next_leaf_ = leaf
    path = _write(tmp_path, model)
    child = _plain(path, "model.partial_fit(np.zeros((2, 2)))", hang_after_load=1.5)
    assert child.returncode != 0, "plain pickle + partial_fit should loop until memory runs out"
    with pytest.raises(MalformedArtifactError, match="cycle"):
        load_unsigned(path)


def _shared_pipelines(depth: int) -> Any:
    inner: Any = FunctionTransformer().fit(np.zeros((5, 2)))
    for _ in range(depth):
        pipe = Pipeline([("a", FunctionTransformer()), ("b", FunctionTransformer())])
        pipe.steps = [("a", inner), ("b", inner)]
        inner = pipe
    return inner


def test_shared_sub_estimators_that_unfold_exponentially(tmp_path: Path) -> None:
    """Finding 7: N nested pipelines whose two steps are one object: a DAG of a few hundred
    bytes that repr, get_params, clone and transform walk as a tree of 2**N."""
    path = _write(tmp_path, _shared_pipelines(40))
    assert _plain(path, "repr(model)", hang_after_load=1.5).hung, "repr should not finish"
    # the static pass counts the unfolded model first; the use-time bound is tested on the
    # object itself below
    with pytest.raises(safeload.SafeloadError, match="exponential|unfolds into"):
        load_unsigned(path)
    with pytest.raises(UnsafeStateError, match="exponential"):
        validate_loaded(_shared_pipelines(40), "dag")
    # ordinary sharing (estimators_ and named_estimators_) still loads
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression

    x = RNG.randn(30, 3)
    voting = VotingClassifier([("a", LogisticRegression()), ("b", LogisticRegression())])
    voting.fit(x, (x[:, 0] > 0).astype(int))
    assert load_unsigned(_write(tmp_path, voting, "v.pkl")).predict(x).shape == (30,)


def test_histogram_boosting_with_a_substituted_preprocessor(tmp_path: Path) -> None:
    """Finding 8: with a preprocessor set, HistGradientBoosting skips its own input check and
    trusts the preprocessor's output width."""
    x = RNG.randn(200, 3)
    model = HistGradientBoostingRegressor(max_iter=1, max_depth=1).fit(x, x[:, 0])
    n_features = 2**24
    model.n_features_in_ = n_features
    model._bin_mapper.is_categorical_ = np.zeros(n_features, dtype=bool)
    model._predictors[0][0].nodes["feature_idx"][0] = n_features - 1
    model._preprocessor = FunctionTransformer(validate=False).fit(x)
    path = _write(tmp_path, model)
    _crashes(path, "model.predict(np.ones((3, 3)))")
    with pytest.raises(MalformedArtifactError, match="preprocessor"):
        load_unsigned(path)


def test_histogram_boosting_with_categories_still_loads(tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame({"a": RNG.randn(120), "c": pd.Categorical(RNG.choice(["x", "y"], 120))})
    model = HistGradientBoostingRegressor(max_iter=3, categorical_features=["c"])
    model.fit(frame, RNG.randn(120))
    loaded = load_unsigned(_write(tmp_path, model))
    assert np.allclose(loaded.predict(frame), model.predict(frame))


# Where the over-read lands depends on what the allocator put after the array (one CI run in
# about fifty found it mapped and read it without a fault).  The child therefore moves the
# loaded bounds, values unchanged, to the end of a buffer followed by an inaccessible page, and
# puts them back with the tree's own __setstate__: the first read past them faults every time.
_GUARDED_BOUNDS = """
import ctypes, mmap
state = list(model._tree.__getstate__())
bounds = state[3]
page = mmap.PAGESIZE
body = -(-bounds.nbytes // page) * page
buffer = mmap.mmap(-1, body + page)
start = ctypes.addressof(ctypes.c_char.from_buffer(buffer))
assert ctypes.CDLL(None).mprotect(ctypes.c_void_p(start + body), page, 0) == 0
guarded = np.frombuffer(buffer, bounds.dtype, bounds.size, body - bounds.nbytes)
guarded = guarded.reshape(bounds.shape)
guarded[...] = bounds
state[3] = guarded
model._tree.__setstate__(tuple(state))
"""


def test_kd_tree_bounds_with_one_side(tmp_path: Path) -> None:
    """Finding 9: a KD tree reads node_bounds[0] and [1]; a (1, nodes, features) array makes
    every query read past it."""
    from sklearn.neighbors._kd_tree import KDTree, newObj

    x = RNG.randn(2**16, 16)
    model = KNeighborsRegressor(algorithm="kd_tree", leaf_size=2).fit(x, x[:, 0])
    state = list(model._tree.__getstate__())
    state[3] = np.ascontiguousarray(state[3][:1])

    class _Tree:  # pickles as KDTree does: newObj(KDTree) and the state tuple
        def __reduce__(self) -> Any:
            return (newObj, (KDTree,), tuple(state))

    model._tree = _Tree()
    path = _write(tmp_path, model)
    child = _plain(path, _GUARDED_BOUNDS + "model.predict(np.full((3, 16), 100.0))")
    assert child.returncode != 0, "plain pickle + predict should read past the bounds"
    with pytest.raises(MalformedArtifactError, match="node_bounds"):
        load_unsigned(path)


def test_shared_kernels_that_unfold_exponentially(tmp_path: Path) -> None:
    """Finding 10 (around the fix for 7): ``Sum(k, k)`` nested, one kernel object at every
    level; predict evaluates 2**N kernels. The bound now counts every object with behaviour."""
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, Sum

    x = RNG.randn(10, 2)
    model = GaussianProcessRegressor(kernel=RBF()).fit(x, x[:, 0])
    kernel = model.kernel_
    for _ in range(60):
        kernel = Sum(kernel, kernel)
    model.kernel_ = kernel
    path = _write(tmp_path, model)
    assert _plain(path, "model.predict(np.zeros((2, 2)))", hang_after_load=1.5).hung
    with pytest.raises(safeload.SafeloadError, match="exponential|unfolds into"):
        load_unsigned(path)
    with pytest.raises(UnsafeStateError, match="exponential"):
        validate_loaded(model, "kernels")  # the use-time bound, on the object itself


def test_a_partial_with_positional_arguments(tmp_path: Path) -> None:
    """Finding 11 (around the fix for 5): partial puts stored arguments first, so a ufunc gets
    the caller's X as ``out``: ``partial(np.log1p, A)(X)`` writes into X (and, chained after a
    ``partial(check_array, A)`` that hands on a model array, into the model)."""
    model = FunctionTransformer(functools.partial(np.log1p, np.full((2, 3), -2.0)))
    model.fit(np.ones((2, 3)))
    path = _write(tmp_path, model)
    call = "x = np.ones((2, 3))\ntry:\n    model.transform(x)\nexcept Exception:\n    pass\n"
    child = _plain(path, call + "sys.exit(3 if np.isnan(x).any() else 0)")
    assert child.returncode == 3, "plain pickle + transform should overwrite the caller's input"
    with pytest.raises(UnsafeStateError, match="positional"):
        load_unsigned(path)


def test_every_finding_is_refused_by_scan_or_load(tmp_path: Path) -> None:
    """The post-build check is the guard; scan may say safe only for what load refuses after
    building (native structures), never for a file load would return."""
    model = _shared_pipelines(40)
    path = _write(tmp_path, model)
    with pytest.raises(safeload.SafeloadError):
        load_unsigned(path)


# --- second review round --------------------------------------------------------------------
# Each case: a builder (honest model, then the file's change), the call that does harm under
# plain pickle ("crash": the child dies of a signal; "hang": it does not finish in 8 s), and
# the text of safeload's refusal. The honest model of each case must still load.


def _r2_list_dag() -> tuple[Any, Any]:
    from sklearn.preprocessing import OneHotEncoder

    honest = OneHotEncoder().fit([[0], [1]])
    bad = OneHotEncoder().fit([[0], [1]])
    nested: list[Any] = ["a"]
    for _ in range(60):
        nested = [nested, nested]
    bad.categories = nested
    return honest, bad


def _r2_minibatch_counts() -> tuple[Any, Any]:
    from sklearn.cluster import MiniBatchKMeans

    x = RNG.randn(20, 1)
    honest = MiniBatchKMeans(n_clusters=2, n_init=1, random_state=0).fit(x)
    bad = MiniBatchKMeans(n_clusters=2, n_init=1, random_state=0).fit(x)
    centers = np.full((1_000_000, 1), 1e300)
    centers[-1, 0] = 0.0
    bad.cluster_centers_, bad._counts, bad._n_features_out = centers, np.zeros(0), 1_000_000
    bad.n_clusters = 1_000_000
    return honest, bad


def _r2_sgd_coef() -> tuple[Any, Any]:
    from sklearn.linear_model import SGDRegressor

    x = RNG.randn(20, 300_000)
    honest = SGDRegressor(max_iter=2, tol=None).fit(x[:, :5], x[:, 0])
    bad = SGDRegressor(max_iter=2, tol=None).fit(x, x[:, 0])
    bad.coef_ = np.zeros(1)
    return honest, bad


def _r2_knn_y() -> tuple[Any, Any]:
    from sklearn.neighbors import KNeighborsClassifier

    x, y = RNG.randn(6, 3), [0, 1, 0, 1, 0, 1]
    honest = KNeighborsClassifier(n_neighbors=1, algorithm="brute", metric="manhattan").fit(x, y)
    bad = KNeighborsClassifier(n_neighbors=1, algorithm="brute", metric="manhattan").fit(x, y)
    bad._y = np.full(6, 10**9, dtype=np.intp)
    return honest, bad


def _r2_gb_width() -> tuple[Any, Any]:
    from sklearn.ensemble import GradientBoostingRegressor

    x = RNG.randn(20, 2)
    honest = GradientBoostingRegressor(n_estimators=1, max_depth=1, random_state=0).fit(x, x[:, 0])
    bad = GradientBoostingRegressor(n_estimators=1, max_depth=1, random_state=0).fit(x, x[:, 0])
    stages = np.empty((1, 3000), dtype=object)
    for k in range(3000):
        stages[0, k] = bad.estimators_[0, 0]
    bad.estimators_, bad.n_trees_per_iteration_ = stages, 3000
    return honest, bad


def _r2_svr_n_support() -> tuple[Any, Any]:
    from sklearn.svm import SVR

    x = RNG.randn(30, 3)
    honest, bad = SVR().fit(x, x[:, 0]), SVR().fit(x, x[:, 0])
    counts = np.zeros(3000, dtype=np.int32)
    counts[0] = len(bad.support_)
    bad._n_support = counts
    return honest, bad


def _r2_tree_depth() -> tuple[Any, Any]:
    x = RNG.randn(2000, 1)
    honest = DecisionTreeRegressor(random_state=0).fit(x, x[:, 0])
    bad = DecisionTreeRegressor(random_state=0).fit(x, x[:, 0])
    state = bad.tree_.__getstate__()
    state["max_depth"] = 0
    bad.tree_.__setstate__(state)
    return honest, bad


def _r2_tree_ladder() -> tuple[Any, Any]:
    """A decision tree whose nodes form a DAG: chain node ``c[k+1]`` is the child of both the
    chain node before it and of a shallow node ``b[k]`` reached through a balanced tree of
    splits. ``compute_node_depths`` gives each node its last parent's depth (the shallow one),
    so ``max_depth`` claims 11 while every path runs down the whole chain of 1024 nodes:
    ``decision_path`` sizes its buffer from ``max_depth`` and writes far past it."""
    from sklearn.tree._tree import Tree

    x = RNG.randn(200, 1)
    honest = DecisionTreeRegressor(max_depth=3, random_state=0).fit(x, x[:, 0])
    bad = DecisionTreeRegressor(max_depth=3, random_state=0).fit(x, x[:, 0])
    state = bad.tree_.__getstate__()
    m = 1024
    heap = m - 1  # internal nodes of a balanced tree with m leaves b[0..m-1]
    nodes = np.zeros(heap + 2 * m, dtype=state["nodes"].dtype)
    nodes["left_child"] = nodes["right_child"] = -1
    nodes["feature"] = -2

    def b(k: int) -> int:
        return heap + 2 * k

    def c(k: int) -> int:  # c[1] .. c[m]: b[k] < c[k+1] < b[k+1]
        return heap + 2 * k - 1

    def split(i: int, left: int, right: int) -> None:
        nodes[i]["left_child"], nodes[i]["right_child"] = left, right
        nodes[i]["feature"], nodes[i]["threshold"] = 0, 10.0

    for i in range(heap):
        kids = [2 * i + 1, 2 * i + 2]
        split(i, *[k if k < heap else b(k - heap) for k in kids])
    for k in range(m):
        split(b(k), c(k + 1), c(k + 1))
        if k:
            split(c(k), c(k + 1), c(k + 1))
    state.update(nodes=nodes, node_count=len(nodes), values=np.zeros((len(nodes), 1, 1)))
    tree = Tree(1, np.array([1], dtype=np.intp), 1)
    tree.__setstate__(state)
    state["max_depth"] = int(tree.compute_node_depths().max()) - 1
    tree = Tree(1, np.array([1], dtype=np.intp), 1)
    tree.__setstate__(state)
    bad.tree_ = tree
    return honest, bad


def _r2_vocabulary() -> tuple[Any, Any]:
    from sklearn.feature_extraction.text import CountVectorizer

    honest = CountVectorizer().fit(["alpha beta", "beta gamma"])
    bad = CountVectorizer().fit(["alpha beta", "beta gamma"])
    bad.vocabulary_ = {"alpha": 10**9, "beta": 1, "gamma": 2}
    return honest, bad


def _r2_lda_iterations() -> tuple[Any, Any]:
    from sklearn.decomposition import LatentDirichletAllocation

    counts = RNG.randint(0, 5, size=(20, 8))
    honest = LatentDirichletAllocation(n_components=2, max_iter=2, random_state=0).fit(counts)
    bad = LatentDirichletAllocation(n_components=2, max_iter=2, random_state=0).fit(counts)
    bad.max_doc_update_iter, bad.mean_change_tol = 10**18, 0.0
    return honest, bad


def _r2_ufunc_kernel() -> tuple[Any, Any]:
    x = RNG.randn(30, 3)
    y = (x[:, 0] > 0).astype(int)
    honest, bad = SVC().fit(x, y), SVC().fit(x, y)
    bad.kernel = np.square  # called as kernel(X, Xfit): Xfit becomes the ufunc's out
    return honest, bad


_ROUND2 = [
    ("list-dag", _r2_list_dag, "repr(model)", "hang", "shares (objects|containers)|unfolds into"),
    # partial_fit writes 8 MB past an empty _counts: whether that faults depends on the heap
    # layout (it did in the review and here, not in every fresh process), so no plain demo
    ("minibatch-counts", _r2_minibatch_counts, None, "", "_counts"),
    (
        "sgd-coef",
        _r2_sgd_coef,
        "model.partial_fit(np.ones((2, 300_000)), [1.0, 2.0])",
        "crash",
        "coef_",
    ),
    ("knn-y", _r2_knn_y, "model.predict(np.ones((2, 3)))", "crash", "_y"),
    (
        "gb-width",
        _r2_gb_width,
        "model.predict(np.ones((20_000, 2)))",
        "crash",
        "outputs|shares|unfolds into",
    ),
    ("svr-n-support", _r2_svr_n_support, "model.predict(np.ones((2, 3)))", "crash", "counts"),
    (
        "tree-depth",
        _r2_tree_depth,
        "model.decision_path(np.random.randn(100_000, 1))",
        "crash",
        "max_depth",
    ),
    (
        "tree-ladder",
        _r2_tree_ladder,
        "model.decision_path(np.zeros((100_000, 1)))",
        "crash",
        "not a tree",
    ),
    (
        "vocabulary",
        _r2_vocabulary,
        "model.transform(['alpha beta']).toarray()",
        "crash",
        "vocabulary_",
    ),
    (
        "lda-iterations",
        _r2_lda_iterations,
        "model.transform(np.ones((2, 8)))",
        "hang",
        "iterations",
    ),
    ("ufunc-kernel", _r2_ufunc_kernel, None, "", "numpy function"),
]


@pytest.mark.parametrize(
    ("build", "call", "harm", "refusal"),
    [case[1:] for case in _ROUND2],
    ids=[case[0] for case in _ROUND2],
)
def test_second_round(
    tmp_path: Path, build: Any, call: str | None, harm: str, refusal: str
) -> None:
    honest, bad = build()
    load_unsigned(_write(tmp_path, honest, "honest.pkl"))
    path = _write(tmp_path, bad)
    if call is not None:
        # a hang is given 1.5 s after the load (counted from "loaded", so a slow import on a
        # busy 2-core machine is not mistaken for it): enough to show the spin of a call an
        # honest model makes in milliseconds
        hang = 1.5 if harm == "hang" else None
        # a crash by an out-of-bounds read depends on what lies past the array (sgd-coef's
        # weights, svr-n-support's support vectors, which once read harmless memory in a
        # forked child): every crash is shown in a fresh interpreter's heap
        child = _plain(path, call, hang_after_load=hang, fresh=harm == "crash")
        if harm == "hang":
            assert child.hung, f"plain pickle + {call} should not finish"
        else:
            assert child.crashed, f"plain pickle + {call} should crash: {child}"
    with pytest.raises(safeload.SafeloadError, match=refusal):
        load_unsigned(path)


# --- the second round's bypasses of the first fixes (refusal; harm shown where it is cheap) -----


def _r2b_sgd_empty_coef() -> Any:
    from sklearn.linear_model import SGDRegressor

    x = RNG.randn(20, 300_000)
    bad = SGDRegressor(max_iter=2, tol=None).fit(x, x[:, 0])
    bad.coef_ = np.zeros(0)
    return bad


def _r2b_knn_short_y() -> Any:
    from sklearn.neighbors import KNeighborsClassifier

    bad = KNeighborsClassifier(n_neighbors=1, algorithm="brute", metric="manhattan")
    bad.fit(np.zeros((4, 1)), [0, 1, 0, 1])
    fit_x = np.full((2_000_000, 1), 1e6)
    fit_x[-1, 0] = 0.0
    bad._fit_X, bad._y, bad.n_samples_fit_ = fit_x, np.zeros(1, dtype=np.intp), 2_000_000
    return bad


def _r2b_gbc_prior() -> Any:
    from sklearn.ensemble import GradientBoostingClassifier

    x = RNG.randn(60, 2)
    bad = GradientBoostingClassifier(n_estimators=1, max_depth=1).fit(x, np.arange(60) % 3)
    bad.init_.class_prior_ = np.array([1.0])
    return bad


def _r2b_nystroem_names() -> Any:
    from sklearn.kernel_approximation import Nystroem

    bad = Nystroem(n_components=5).fit(RNG.randn(10, 2))
    bad._n_features_out = 10**15
    return bad


def _r2b_ohe_widths() -> Any:
    from sklearn.preprocessing import OneHotEncoder

    bad = OneHotEncoder(sparse_output=False).fit([[0], [1], [2]])
    bad._n_features_outs = [0]
    return bad


def _r2b_zero_strides() -> Any:
    class _ZeroStrided:  # pickles as numpy.ndarray((2**28,), float64, bytearray(8), 0, (0,))
        def __reduce__(self) -> Any:
            return (np.ndarray, ((2**28,), np.dtype(np.float64), bytearray(8), 0, (0,)))

    bad = KMeans(n_clusters=2, n_init=1, random_state=0).fit(RNG.randn(10, 2))
    bad.extra_ = _ZeroStrided()
    return bad


def _r2b_name_template() -> Any:
    from sklearn.compose import ColumnTransformer

    template = "{feature_name:>1500000000}"
    return ColumnTransformer(
        [("s", StandardScaler(), [0, 1])], verbose_feature_names_out=template
    ).fit(RNG.randn(10, 2))


_ROUND2B = [
    (
        "sgd-empty-coef",
        _r2b_sgd_empty_coef,
        "model.partial_fit(np.ones((2, 300_000)), [1.0, 2.0])",
        "coef_",
    ),
    # no plain-pickle demo: predict reads _y[1_999_999] of a 1-item array, 16 MB past it,
    # which faults or returns garbage depending on the heap (knn-y above always faults)
    ("knn-short-y", _r2b_knn_short_y, None, "_y"),
    ("gbc-prior", _r2b_gbc_prior, None, "class_prior_"),
    ("nystroem-names", _r2b_nystroem_names, "model.get_feature_names_out()", "_n_features_out"),
    ("ohe-widths", _r2b_ohe_widths, None, "_n_features_outs"),
    # refused before building now: the strided view is made by an ndarray call with a shape
    ("zero-strides", _r2b_zero_strides, "pickle.dumps(model)", "contiguous|non-empty shape"),
    ("name-template", _r2b_name_template, "model.get_feature_names_out()", "verbose_feature"),
]


@pytest.mark.parametrize(
    ("build", "call", "refusal"), [c[1:] for c in _ROUND2B], ids=[c[0] for c in _ROUND2B]
)
def test_second_round_bypasses(tmp_path: Path, build: Any, call: str | None, refusal: str) -> None:
    path = _write(tmp_path, build())
    if call is not None:  # a crash, a MemoryError under the child's 1 GiB cap, or a hang
        child = _plain(path, call, timeout=8)
        assert child.returncode != 0, f"plain pickle + {call} should fail: {child}"
    with pytest.raises(safeload.SafeloadError, match=refusal):
        load_unsigned(path)
