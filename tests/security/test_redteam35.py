"""Red team 35 (an independent helper session from 11:18 to 12:04 UTC on 5a347e5): its
reproducers. Each test first shows the harm under plain pickle in a child process under
resource limits, then asserts what safeload does: refuse, in scan and in load_unsigned (or,
for the parity findings, that scan's verdict equals load's). All fifteen findings are fixed
(commits f1709fe, b15c294 and 426c124)."""

from __future__ import annotations

import pickle
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import (
    GB,
    HANG_CPU,
    MB,
    PLAIN_CALL,
    PLAIN_JOBLIB_CALL,
    assert_safeload_refuses,
    assert_scan_predicts_load,
    binunicode,
    child,
    global_,
    open_finding,
    write,
)

OPEN = partial(open_finding, 35)
_child = partial(child, cpu=20)
_assert_safeload_refuses = partial(assert_safeload_refuses, cpu=20)


_NAMES = "r = model.get_feature_names_out()"


# --- rt35-01: ColumnTransformer's _transformer_to_input_indices repeats one long name ----------


def _rt35_01_column_indices(n: int) -> bytes:
    from sklearn.compose import ColumnTransformer

    ct = ColumnTransformer([("p", "passthrough", [0])]).fit(np.random.RandomState(0).rand(5, 1))
    ct.feature_names_in_ = np.array(["f" * 1024], dtype=object)
    del ct.transformers_[0][1].n_features_in_  # the identity FunctionTransformer checks no length
    ct._transformer_to_input_indices = {"p": np.zeros(n, dtype=np.int8), "remainder": []}
    return pickle.dumps(ct, protocol=5)


def test_rt35_01_column_transformer_input_indices(tmp_path: Path) -> None:
    """4 MB: ColumnTransformer.get_feature_names_out takes each branch's input names as
    ``feature_names_in_[self._transformer_to_input_indices[name]]``, a stored dict of index
    arrays nothing checks (not against n_features_in_, not for repeats) and names.py does not
    count. 4 x 10**6 one-byte zeros repeat one 1,024-character name; the fitted pass-through
    FunctionTransformer, without ``n_features_in_``, hands them back unchecked, and the
    ``"{transformer_name}__{feature_name}"`` prefix makes 4 x 10**6 new 1,027-character
    strings: 4.3 GB (MemoryError under 1 GiB; ~1,100 bytes per file byte). Scan SAFE,
    load_unsigned loads it (10**6 zeros: 1.2 GB peak RSS measured after safeload's load)."""
    path = write(tmp_path, _rt35_01_column_indices(4_000_000))
    # (under 512 MiB, not 1 GiB: the same MemoryError of 4.3 GB asked, in half the time)
    plain = _child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _NAMES)


# --- rt35-02: scan SAFE, load refuses: an array as a parameter, a container as estimator_ -------


def _rt35_02_model(name: str) -> Any:
    from sklearn.ensemble import BaggingRegressor, IsolationForest, RandomForestClassifier
    from sklearn.linear_model import LinearRegression
    from sklearn.tree import DecisionTreeClassifier

    X = np.random.RandomState(0).rand(20, 3)
    y = (X[:, 0] > 0.5).astype(int)
    if name == "tree criterion=array(2)":
        m: Any = DecisionTreeClassifier(max_depth=2).fit(X, y)
        m.criterion = np.array(2)
    elif name == "forest max_depth=arange(3)":
        m = RandomForestClassifier(2, max_depth=2, random_state=0).fit(X, y)
        m.max_depth = np.arange(3)
    elif name == "linear copy_X=array(True)":
        m = LinearRegression().fit(X, X[:, 0])
        m.copy_X = np.array(True)
    elif name == "forest estimator_=[]":
        m = RandomForestClassifier(2, max_depth=2, random_state=0).fit(X, y)
        m.estimator_ = []
    elif name == "bagging estimator_={}":
        m = BaggingRegressor(LinearRegression(), n_estimators=2, random_state=0).fit(X, X[:, 0])
        m.estimator_ = {}
    elif name == "pipeline steps=[0, 1]":
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler

        m = Pipeline([("s", StandardScaler()), ("l", LinearRegression())]).fit(X, X[:, 0])
        m.steps = [0, 1]
    elif name == "column transformer transformers_={}":
        from sklearn.compose import ColumnTransformer

        m = ColumnTransformer([("p", "passthrough", [0])]).fit(X)
        m.transformers_ = {}
    elif name == "hgb _scorer=1":
        from sklearn.ensemble import HistGradientBoostingClassifier

        m = HistGradientBoostingClassifier(max_iter=2).fit(X, y)
        m._scorer = 1
    elif name == "bagging estimator_params=arange(3)":
        m = BaggingRegressor(n_estimators=2, random_state=0).fit(X, X[:, 0])
        m.estimator_params = np.arange(3)
    else:
        m = IsolationForest(n_estimators=2, random_state=0).fit(X)
        m.estimator = (1,)
    return m


@pytest.mark.parametrize(
    "name",
    [
        "tree criterion=array(2)",
        "forest max_depth=arange(3)",
        "linear copy_X=array(True)",
        "forest estimator_=[]",
        "bagging estimator_={}",
        "isolation estimator=(1,)",
        "pipeline steps=[0, 1]",
        "column transformer transformers_={}",
        "hgb _scorer=1",
        "bagging estimator_params=arange(3)",
    ],
)
def test_rt35_02_scan_safe_load_refuses(name: str, tmp_path: Path) -> None:
    """Under 10 KB each, harmless: the load's use-time walk holds a parameter to the class's
    ``_parameter_constraints`` (an ndarray fails them: "holds a value ... itself refuses") and
    an ``estimator``/``estimator_`` slot to an estimator ("holds a builtins.list where an
    estimator is used"); scan's static pass builds no ndarray parameter value
    (``static_params.param_value`` gives up, and a value it cannot build is skipped rather
    than unproven) and judges no list/tuple/dict in those slots, so it calls the file SAFE
    (with the class facts and with the classes imported alike). Found by mutating the
    attributes of fitted trees and forests one at a time (964 disagreements, all of these two
    kinds), and a wider run over 18 estimators: a Pipeline's ``steps`` or a column
    transformer's ``transformers_`` of the wrong shape, HGB's ``_scorer`` holding an atom (not
    a callable), bagging's ``estimator_params`` as an array (each "holds ..., not a ...")."""
    data = pickle.dumps(_rt35_02_model(name), protocol=5)
    assert_scan_predicts_load(data, tmp_path, refused=True)


# --- rt35-03: _n_features_out as a property of an empty array's axis, per branch of a union ------


def _rt35_03_union_of_pcas(branches: int) -> bytes:
    from sklearn.decomposition import PCA
    from sklearn.pipeline import FeatureUnion

    X = np.random.RandomState(0).rand(10, 3)
    empty = np.zeros((2**20, 0))  # no data: an axis within MAX_EMPTY_DIM
    pad = np.zeros(2**20, dtype=np.uint8)  # one shared 1 MB array pays every branch's bound
    subs = []
    for i in range(branches):
        p = PCA(2).fit(X)
        p.components_ = empty
        p.pad_ = pad
        subs.append((f"{i:03d}" + "p" * 253, p))
    return pickle.dumps(FeatureUnion(subs), protocol=5)


def test_rt35_03_union_of_property_n_features_out(tmp_path: Path) -> None:
    """1.1 MB: PCA (TruncatedSVD and KernelPCA alike, checked; LDA, FastICA, FactorAnalysis,
    SparsePCA, DictionaryLearning, NCA and TSNE define the same kind of property; NMF is
    caught by its _n_components rule) name their outputs ``range(self._n_features_out)``,
    where ``_n_features_out`` is a *property*, ``components_.shape[0]``. names.py reads
    ``_n_features_out`` from the instance's dict only, so it counts each PCA as its 3
    inputs; check_linear_shapes bounds the property by the elements the estimator stores,
    counted per estimator, so one 1 MB array shared by every branch (a spare attribute) pays
    each branch's 2**20. ``components_`` is an empty
    (2**20, 0) array (no data). A FeatureUnion of 20 such PCAs with 256-character branch
    names writes 20 x 2**20 names of 259 characters (~6.6 GB; MemoryError under 1 GiB, ~6,000
    bytes per file byte; 2 branches: 1 GB peak RSS measured after safeload's load). Scan SAFE."""
    path = write(tmp_path, _rt35_03_union_of_pcas(20))
    # (under 512 MiB, not 1 GiB: the same MemoryError of 6.6 GB asked, in half the time)
    plain = _child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _NAMES)


# --- rt35-04: stored feature indexes that repeat: RFE's support_, MissingIndicator's features_ ----


def _rt35_04_indexes(kind: str, n: int) -> bytes:
    from sklearn.feature_selection import RFE
    from sklearn.impute import MissingIndicator
    from sklearn.linear_model import LinearRegression
    from sklearn.pipeline import FeatureUnion

    X = np.random.RandomState(0).rand(10, 3)
    long_names = np.array(["f" * 1024, "g", "h"], dtype=object)
    if kind == "knn_imputer":
        from sklearn.impute import KNNImputer

        k = KNNImputer().fit(X)
        k.feature_names_in_ = long_names
        k._valid_mask = np.zeros(n, dtype=np.int8)  # names = input_features[_valid_mask]
        return pickle.dumps(FeatureUnion([("u" * 256, k)]), protocol=5)
    if kind == "rfe":
        r = RFE(LinearRegression(), n_features_to_select=1).fit(X, X[:, 0])
        r.feature_names_in_ = long_names
        r.support_ = np.zeros(n, dtype=np.int8)  # indexes, not a mask: 0 repeated n times
        return pickle.dumps(FeatureUnion([("u" * 256, r)]), protocol=5)
    X[0, :] = np.nan
    mi = MissingIndicator(features="all").fit(X)
    mi.feature_names_in_ = long_names
    mi.features_ = np.zeros(n, dtype=np.int8)
    return pickle.dumps(mi, protocol=5)


@pytest.mark.parametrize("kind", ["rfe", "missing_indicator", "knn_imputer"])
def test_rt35_04_stored_feature_indexes(kind: str, tmp_path: Path) -> None:
    """4 MB: SelectorMixin.get_feature_names_out returns ``input_features[self.get_support()]``
    (RFE's, RFECV's, SequentialFeatureSelector's support is the stored ``support_``),
    KNNImputer's ``input_features[self._valid_mask]``, and MissingIndicator's writes
    ``f"missingindicator_{name}"`` for each name in ``input_features[self.features_]``;
    nothing checks these arrays (only SVMs' support_ is).
    An int8 array of 4 x 10**6 zeros is a fancy index that repeats the 1,024-character first
    name: MissingIndicator writes 4 x 10**6 new 1,041-character strings, an RFE (a KNNImputer)
    as the branch
    of a FeatureUnion named with 256 characters 4 x 10**6 of 1,282 (4.4 to 5.3 GB;
    MemoryError under 3 GiB; ~1,100 to 1,300 bytes per file byte; 10**6 zeros: 1.25 to 1.5 GB
    peak RSS measured after safeload's load). names.py counts either as its 3 inputs.
    ``transform`` alike: ``X[:, support_]`` / ``mask[:, features_]`` make n columns of every
    input row. Scan SAFE."""
    path = write(tmp_path, _rt35_04_indexes(kind, 4_000_000))
    # (under 512 MiB, not the 3 GiB default: the same MemoryError of 4.4 GB or more asked,
    # sooner)
    plain = _child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _NAMES)


# --- rt35-05: feature_names_in_ as a list: names.py measures "x63", the encoder writes 1 KB -----


def _rt35_05_target_encoder_listed_names(container: type, classes: int) -> bytes:
    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    m = TargetEncoder(random_state=0).fit(rng.randint(0, 3, (60, 64)), rng.randint(0, 3, 60))
    assert m.target_type_ == "multiclass"
    m.feature_names_in_ = container(f"{i:04d}" + "f" * 1020 for i in range(64))
    m.classes_ = np.arange(classes, dtype=np.int32)  # distinct labels
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize("container", [list, tuple], ids=["list", "tuple"])
def test_rt35_05_feature_names_in_list(container: type, tmp_path: Path) -> None:
    """260 KB: check_paid_widths allows ``feature_names_in_`` as a list or tuple of str of up
    to 1,024 characters, and scikit-learn's ``_check_feature_names_in`` returns it as the
    input names whatever it is; names.py's ledger reads the longest name only ``if
    isinstance(names, np.ndarray)`` and otherwise measures ``f"x{n_in - 1}"`` (3 characters).
    A multiclass TargetEncoder with 64 names of 1,024 characters (a list) and 44,000 distinct
    int32 classes: the ledger counts 2.8M names of 36 characters (518 MB, under 512 MiB),
    get_feature_names_out writes 2.8M names of ~1,030 characters (~3 GB; MemoryError under
    2 GiB; ~12,000 bytes per file byte; 20,000 classes: 1.5 GB peak RSS measured after
    safeload's load). check_one_hot_names measures "x0" for a list the same way."""
    path = write(tmp_path, _rt35_05_target_encoder_listed_names(container, 44_000))
    # (under 512 MiB, not 2 GiB: the same MemoryError of ~3 GB asked, sooner)
    plain = _child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _NAMES, memory=2 * GB)


# --- rt35-06: scan's Tree check reads n_classes and values by shape, not by dtype or order ------


def _rt35_06_tree(name: str) -> bytes:
    import io

    from sklearn.tree import DecisionTreeClassifier
    from sklearn.tree._tree import Tree

    X = np.random.RandomState(0).rand(60, 4)
    m = DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, (X[:, 0] > 0.5).astype(int))

    class Crafted(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if type(obj) is not Tree:
                return NotImplemented
            _cls, args, state = obj.__reduce__()
            args, state = list(args), dict(state)
            if name == "n_classes float64":
                args[1] = args[1].astype(np.float64)
            elif name == "n_classes uint8":
                args[1] = args[1].astype(np.uint8)
            elif name == "values float32":
                state["values"] = state["values"].astype(np.float32)
            else:  # "values Fortran order"
                state["values"] = np.asfortranarray(state["values"])
            return (Tree, tuple(args), state)

    out = io.BytesIO()
    Crafted(out, protocol=5).dump(m)
    return out.getvalue()


@pytest.mark.parametrize(
    "name", ["n_classes float64", "n_classes uint8", "values float32", "values Fortran order"]
)
def test_rt35_06_tree_dtypes_scan_safe_load_refuses(name: str, tmp_path: Path) -> None:
    """About 3 KB, harmless: ``StreamArrays.tree_problem`` (scan's check of a ``Tree`` on the
    arrays in the stream, the only one on the facts path and with classes imported alike)
    casts ``n_classes`` with ``astype(int64)`` and compares only the shape of ``values``;
    scikit-learn's ``Tree.__cinit__``/``__setstate__`` refuse a non-int64 ``n_classes``, a
    non-float64 or non-C-contiguous ``values`` ("incompatible dtype", "should be a
    C-contiguous array"), so plain pickle and load_unsigned fail while scan says SAFE. A
    single tree and a forest alike (found by mutating a Tree's arguments and state)."""
    data = _rt35_06_tree(name)
    with pytest.raises(ValueError):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path, refused=True)


# --- rt35-07: load_unsigned raises a raw ValueError from names.py ------------------------------


def test_rt35_07_names_raw_value_error(tmp_path: Path) -> None:
    """~1 KB, fails closed but breaks the API: a TargetEncoder whose ``target_type_`` is an
    object array: names.py's ``attrs.get("target_type_") == "multiclass"`` compares element
    by element and ``and`` asks the truth of the array, so ``load_unsigned`` raises
    ``ValueError: The truth value of an array ... is ambiguous`` instead of a SafeloadError
    (a caller that catches SafeloadError to reject untrusted files crashes). Scan calls it
    unsafe ("unproven: the pass cannot model this state")."""
    from sklearn.preprocessing import TargetEncoder

    import safeload

    rng = np.random.RandomState(0)
    m = TargetEncoder(random_state=0).fit(rng.randint(0, 3, (60, 2)), np.arange(60) % 3)
    m.target_type_ = np.array(["multiclass", "x"], dtype=object)
    path = write(tmp_path, pickle.dumps(m, protocol=5))
    with pytest.raises(safeload.SafeloadError):
        safeload.load_unsigned(path)


# --- rt35-08: classes_ as a range: names.py counts 0 classes, scikit-learn iterates 10**6 -------


def _rt35_08_target_encoder_range_classes(classes: int) -> bytes:
    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    m = TargetEncoder(random_state=0).fit(rng.randint(0, 3, (60, 8)), rng.randint(0, 3, 60))
    assert m.target_type_ == "multiclass"
    m.feature_names_in_ = np.array([f"{i:04d}" + "f" * 1020 for i in range(8)], dtype=object)
    m.classes_ = range(classes)  # builtins.range: allowed, lazy, 30 bytes in the file
    return pickle.dumps(m, protocol=5)


def test_rt35_08_target_encoder_range_classes(tmp_path: Path) -> None:
    """10 KB: rt33-07/rt34-10 again. names.py's ``_size`` counts items of an ndarray, list or
    tuple only and gives 0 for anything else, and ``_check_paid_widths`` checks ``classes_``
    for repeats only when it is an ndarray; ``builtins.range`` is allowed (lazy) and
    TargetEncoder.get_feature_names_out iterates ``self.classes_`` whatever it is. 8 names of
    1,024 characters x ``range(10**6)``: 8 x 10**6 names of ~1,030 characters (~9 GB;
    MemoryError under 3 GiB; ~900,000 bytes per file byte; 64 names x ``range(20000)``, an
    80 KB file: 1.5 GB peak RSS measured after safeload's load). ``transform`` alike
    allocates ``(n_samples, n_features * len(classes_))``. Scan SAFE."""
    path = write(tmp_path, _rt35_08_target_encoder_range_classes(10**6))
    plain = _child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)  # the same, sooner
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _NAMES)


# --- rt35-09: StackingRegressor._n_feature_outs as a one-item range (rt34-02 again) -------------


def _rt35_09_stacking_range(count: int, kind: str = "range") -> bytes:
    from sklearn.ensemble import StackingRegressor
    from sklearn.linear_model import LinearRegression

    X = np.random.RandomState(0).rand(20, 3)
    m = StackingRegressor([("a", LinearRegression())], final_estimator=LinearRegression(), cv=2)
    m.fit(X, X[:, 0])
    if kind == "range":
        m._n_feature_outs = range(count, count + 1)  # one item: within the range's length bound
    else:
        m._n_feature_outs = np.array([count])  # an int64 array
    return pickle.dumps(m, protocol=5)


@pytest.mark.parametrize("kind", ["range", "ndarray"])
def test_rt35_09_stacking_n_feature_outs_range(kind: str, tmp_path: Path) -> None:
    """1 KB: the rt34-02 fix counts ``_n_feature_outs`` with ``list(outs) if type(outs) in
    (list, tuple) else []``; ``_BaseStacking.get_feature_names_out`` zips the estimators with
    whatever it is. ``range(10**8, 10**8 + 1)`` has one item (the walker bounds a range's
    length at 2**20, not its values), so the one estimator writes 10**8 names
    "stackingregressor_a<i>" (~8 GB; MemoryError under 1 GiB; ~8 million bytes per file
    byte; 5 x 10**6: 647 MB peak RSS measured after safeload's load). ``np.array([10**8])``
    alike (1.1 KB). Scan SAFE."""
    path = write(tmp_path, _rt35_09_stacking_range(10**8, kind))
    # (under 512 MiB, not 1 GiB: the same MemoryError of 8 GB asked, in half the time)
    plain = _child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _NAMES)


# --- rt35-10: one estimator listed as many branches: names.py counts each instance once ---------


def _rt35_10_union_of_one_encoder(branches: int, classes: int) -> bytes:
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    te = TargetEncoder(random_state=0).fit(rng.randint(0, 3, (60, 64)), rng.randint(0, 3, 60))
    assert te.target_type_ == "multiclass"
    te.feature_names_in_ = np.array([f"{i:04d}" + "f" * 1020 for i in range(64)], dtype=object)
    te.classes_ = np.arange(classes, dtype=np.int32)
    # the same encoder (one memo reference each) as every branch
    return pickle.dumps(
        FeatureUnion([(f"{i:03d}" + "u" * 253, te) for i in range(branches)]), protocol=5
    )


def test_rt35_10_union_branches_share_one_encoder(tmp_path: Path) -> None:
    """97 KB: names_problem sums the names of the *instances* a load reaches (each object
    once), but FeatureUnion.get_feature_names_out calls every branch: one TargetEncoder
    (64 names of 1,024 characters x 3,000 classes, 192,000 names, within the 512 MiB
    allowance by itself) listed as 20 branches with 256-character names writes 20 x 192,000
    names of 1,284 characters (~5 GB; MemoryError under 1 GiB; ~50,000 bytes per file byte;
    3 branches: 1.5 GB peak RSS measured after safeload's load). The memo-reuse bound does not
    object (an estimator referred to 20 times unfolds to little). ColumnTransformer branches
    and Pipeline steps alike. Scan SAFE."""
    path = write(tmp_path, _rt35_10_union_of_one_encoder(20, 3000))
    # (under 512 MiB, not 1 GiB: the same MemoryError of 5 GB asked, in half the time)
    plain = _child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _NAMES)


# --- rt35-11: one capped transformer as many union branches: the per-estimator cap multiplies ---


def _rt35_11_union_of_one_sketch(branches: int) -> bytes:
    from sklearn.kernel_approximation import PolynomialCountSketch
    from sklearn.pipeline import FeatureUnion

    sketch = PolynomialCountSketch(degree=1, n_components=2_000_000, random_state=0)
    sketch.fit(np.random.RandomState(0).rand(5, 1))
    return pickle.dumps(FeatureUnion([(f"b{i}", sketch) for i in range(branches)]), protocol=5)


_TWO_ROWS = "r = model.transform(numpy.random.rand(2, 1))"


def test_rt35_11_union_repeats_one_sketch(tmp_path: Path) -> None:
    """1.2 KB: PolynomialCountSketch.transform writes ``n_components`` float64 columns per
    input row (plus a ``(n_samples, degree, n_components)`` complex intermediate);
    check_count_sketch caps ``degree * n_components`` at 2**24 and the names bound lets
    2 x 10**6 outputs pass: 16 MB per input row, the accepted cost of one estimator.
    FeatureUnion.transform runs every branch and stacks their outputs, and the same sketch
    listed as 64 branches (memo references; every check counts the instance once, and
    check_composite_width counts only pass-through branches) returns 64 x 2 x 10**6 columns
    per input row: 2 rows of one feature make 2 GB of branch outputs and 2 GB more for the
    stacked copy (MemoryError under 3 GiB; ~3 million bytes per file byte per input row;
    20 branches, 1 row: 1.19 GB peak RSS measured after safeload's load, from 744 bytes).
    Other capped transformers and ColumnTransformer branches alike. Scan SAFE."""
    # (the test: 8 branches under 384 MiB, 512 MB of outputs and their stacked copy)
    path = write(tmp_path, _rt35_11_union_of_one_sketch(8))
    plain = _child(PLAIN_CALL.format(call=_TWO_ROWS), path, memory=384 * MB, cpu=30)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _TWO_ROWS, cpu=30)


# --- rt35-12: LDA's E-step runs its full iteration cap per document with mean_change_tol=0 -------


def _rt35_12_lda() -> bytes:
    from sklearn.decomposition import LatentDirichletAllocation

    X = np.random.RandomState(0).randint(0, 3, (20, 10))
    m = LatentDirichletAllocation(n_components=5, max_iter=2, random_state=0).fit(X)
    m.max_doc_update_iter = 100_000  # MAX_ITERATIONS allows it
    m.mean_change_tol = 0.0  # the constraint allows 0: the loop never stops early
    return pickle.dumps(m, protocol=5)


_LDA_CALL = "r = model.transform(numpy.random.RandomState(1).randint(0, 3, (40, 10)))"


def test_rt35_12_lda_iterations_per_document(tmp_path: Path) -> None:
    """7 KB: LatentDirichletAllocation.transform runs up to ``max_doc_update_iter`` E-step
    rounds per document and stops early when the change falls below ``mean_change_tol``.
    ITERATION_LIMITS caps the count at 100,000 (the default is 100), but
    ``mean_change_tol=0.0`` (allowed by the class's constraint, Interval(Real, 0, None)) makes
    every document run all of them: ~0.8 s of CPU per document of 10 words and 5 topics
    (3.15 s for 4 documents measured after safeload's load), so 40 documents take ~30 s
    (killed at 2 s of CPU here), 1,000 documents over 13 minutes; an honest model with the
    same arrays transforms them in milliseconds. More topics or words per document multiply
    it. Scan SAFE."""
    path = write(tmp_path, _rt35_12_lda())
    plain = _child(PLAIN_CALL.format(call=_LDA_CALL), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and plain.crashed, str(plain)
    assert "call done" not in plain.stdout, str(plain)  # SIGXCPU
    _assert_safeload_refuses(path, _LDA_CALL, cpu=4)


# --- rt35-13: rt34-06 again: calls followed by BUILD that scan still passes ----------------------


_g, _u = global_, binunicode  # GLOBAL and BINUNICODE, short for the tables below


_BUILT_CALLS_35 = {
    "range(1) BUILD {}": _g("builtins", "range") + b"K\x01\x85R}b.",
    "range(1) BUILD [1]": _g("builtins", "range") + b"K\x01\x85R]K\x01ab.",
    "object() BUILD {}": _g("builtins", "object") + b")R}b.",
    "OrderedDict() BUILD [1]": _g("collections", "OrderedDict") + b")R]K\x01ab.",
    "OrderedDict() BUILD ({'a': 1}, None)": (
        _g("collections", "OrderedDict") + b")R}" + _u("a") + b"K\x01sN\x86b."
    ),
    "Counter() BUILD {'a b': 1}": _g("collections", "Counter") + b")R}" + _u("a b") + b"K\x01sb.",
    "Counter() BUILD {'for': 1}": _g("collections", "Counter") + b")R}" + _u("for") + b"K\x01sb.",
    "_codecs.encode('ab', 'latin1') BUILD {}": (
        _g("_codecs", "encode") + _u("ab") + _u("latin1") + b"\x86R}b."
    ),
    "_codecs.encode('\\u0100', 'latin1') BUILD {}": (
        _g("_codecs", "encode") + _u("\u0100") + _u("latin1") + b"\x86R}b."
    ),
}


@pytest.mark.parametrize("name", sorted(_BUILT_CALLS_35))
def test_rt35_13_call_then_build_scan_safe_load_refuses(name: str, tmp_path: Path) -> None:
    """Under 100 B each, harmless: ``_NO_DICT`` (a BUILD on what these calls make fails) lists
    the probed builtins and the narrowed containers but not ``range`` or ``object`` (no
    ``__dict__``: "'range' object has no attribute '__dict__'"), nor ``_codecs.encode``
    (bytes; and for text latin-1 cannot encode, the rt34-06 probe only runs without a BUILD);
    an OrderedDict refuses a state that is not a dict or a (dict, dict) pair ("state is not a
    dictionary"); a Counter takes any state, but the load's use-time walk then refuses a key
    that is not an attribute name ("state key 'a b' is not an attribute name"), which
    ``Builder._check_keys`` checks only on shadows of classes. A call/BUILD fuzz (21 callees x
    19 argument tuples x 12 states) found 60 such files, all of these kinds; scan SAFE, the
    load refuses each."""
    data = b"\x80\x02" + _BUILT_CALLS_35[name]
    assert_scan_predicts_load(data, tmp_path, refused=True)


# --- rt35-14: rt34-07 again: an estimator in a KDTree's extra state item pays for scan's names ---


def _rt35_14_kdtree_hidden_padding(pad: int) -> bytes:
    import io

    from sklearn.neighbors import KDTree
    from sklearn.preprocessing import StandardScaler, TargetEncoder

    rng = np.random.RandomState(0)
    te = TargetEncoder(random_state=0).fit(rng.randint(0, 3, (60, 4)), rng.randint(0, 3, 60))
    te.feature_names_in_ = np.array([f"{i:04d}" + "f" * 1020 for i in range(4)], dtype=object)
    te.classes_ = np.arange(100_000, dtype=np.int32)
    tree = KDTree(rng.rand(10, 2))
    te.spare_ = tree  # any attribute
    scaler = StandardScaler().fit(np.ones((2, 1)))
    scaler.pad_ = np.zeros(pad, dtype=np.uint8)

    class Hide(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if obj is tree:
                made, args, state = obj.__reduce__()
                return (made, args, (*state, scaler))  # a 14th item __setstate__ ignores
            return NotImplemented

    out = io.BytesIO()
    Hide(out, protocol=5).dump(te)
    return out.getvalue()


def test_rt35_14_kdtree_state_item_pays_for_names(tmp_path: Path) -> None:
    """20 MB, harmless beyond rt34-07's size: names_problem counts the instances scan's
    ``_reached`` finds, and ``_children`` of a shadow without attributes (a KDTree, whose
    pickled state is a tuple) is every item of that tuple. BinaryTree.__setstate__ reads the
    13 items it knows and ignores a 14th, so a StandardScaler holding a 20 MB array placed
    there is built and dropped: the load's walk never meets it. Scan counts the 20 MB (a
    1.3 GB allowance) and calls rt34-07's TargetEncoder (890 MB by the ledger) SAFE; the load
    refuses it (512 MiB). Without the padding scan refuses too."""
    data = _rt35_14_kdtree_hidden_padding(20_000_000)
    assert type(pickle.loads(data).spare_).__name__ == "KDTree"
    assert_scan_predicts_load(data, tmp_path, refused=True)


# --- rt35-15: string dtypes of 1 MiB per item: every output cell (label) is 1 MiB --------------


def _rt35_15_wide_string_dtype(path: Path, kind: str) -> None:
    import joblib

    if kind == "one_hot_inverse":
        from sklearn.preprocessing import OneHotEncoder

        X = np.array([["a"] + ["p"] * 1500, ["b"] + ["q"] * 1500], dtype="<U1")
        m: Any = OneHotEncoder().fit(X)
        # the longest itemsize the dtype rule allows (1 MiB per item): two 1-character labels
        m.categories_[0] = np.array(["a", "b"], dtype="<U262144")
    else:
        from sklearn.linear_model import LogisticRegression

        X = np.random.RandomState(0).rand(40, 3)
        m = LogisticRegression().fit(X, np.array(["a", "b"])[np.arange(40) % 2])
        m.classes_ = np.array(["a", "b"], dtype="<U262144")
    joblib.dump(m, path, compress=("bz2", 9))


_WIDE_CALLS = {
    "one_hot_inverse": (
        "X = numpy.array([['a'] + ['p'] * 1500] * 3)\n"
        "    r = model.inverse_transform(model.transform(X).toarray())"
    ),
    "classifier_predict": "r = model.predict(numpy.random.rand(4000, 3))",
}


@pytest.mark.parametrize("kind", sorted(_WIDE_CALLS))
def test_rt35_15_wide_string_dtype(kind: str, tmp_path: Path) -> None:
    """~700 B (bz2 joblib files; about 2 MB as plain pickles): the dtype rule allows numpy
    str items of up to 1 MiB (``<U262144``), and a classifier's ``predict`` returns
    ``self.classes_.take(...)``, one item of that dtype per input row, while
    OneHotEncoder.inverse_transform allocates ``(n_samples, n_features)`` of the result type of
    all its categories and writes every cell. Two 1-character labels stored as ``<U262144``:
    LogisticRegression.predict of 4,000 rows returns 4 GB (500 rows: 697 MB peak RSS measured
    after safeload's load, from 713 bytes); the encoder with 1,501 features inverts 3 rows
    into 4.7 GB (2 rows of 201 features: 594 MB measured, from 680 bytes). MemoryError under
    3 GiB; ~1 MB per input row per output cell where an honest model of these labels writes
    4 bytes. Any estimator that returns its stored labels alike (trees, forests, voting's
    le_, LabelEncoder.inverse_transform). Scan SAFE."""
    path = tmp_path / "m.joblib"
    _rt35_15_wide_string_dtype(path, kind)
    assert path.stat().st_size < 4096
    plain = _child(PLAIN_JOBLIB_CALL.format(call=_WIDE_CALLS[kind]), path)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _WIDE_CALLS[kind])
