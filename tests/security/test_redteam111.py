r"""Red team 111 (helper, 20:59-21:45 UTC) on the /tmp/rt111p snapshot: mutation-based differential
testing of ``scan`` against ``load_unsigned`` against use. Run from /work/rt111 with
SAFELOAD_PURE_PYTHON=1 and PYTHONPATH=/tmp/rt111p/src:/tmp/rt111p/tests (Python 3.11, numpy
2.4.6, scipy 1.17.1, scikit-learn 1.9.1, joblib 1.6.0, xgboost 3.2.0, lightgbm 4.7.0). Each
finding is a strict xfail asserting the safe behaviour (scan's verdict equal to the load's).

Method
------
``mutate.py`` (not shipped): every ordinary kind of ``tests/corpus_kinds.py`` is fitted, every
object of the model with a dict or tuple state (estimators, ``Tree`` (its reduce arguments too),
``TreePredictor``, ``_BinMapper``, neighbour trees, sparse matrices, boosters, ...) is found
through a ``reducer_override`` walk, and one state item is changed at dump time: deleted, set to
None, an array cast to another dtype (float64/32/16, int64/32/8, uint8, bool, object, complex,
big-endian), reshaped ((n,) -> (n,1)/(1,n), an added axis, ravel, transpose, F order), emptied,
shortened or lengthened by one row or column, an element set to -1, 2**31-1, len, NaN or inf,
negated, zeroed, a 0-d array or a scalar or a list in its place; structured arrays (tree nodes)
one field of one row at a time; ints +-1, 0, -1, 2**31, 2**62, float; floats NaN/inf/neg/huge;
lists <-> tuples, emptied, shortened, doubled, reversed; the first two and last elements of a
list attribute alike. Writers rotate over pickle protocols 0-5, joblib (NumpyPickler, arrays
inline) and joblib zlib. For each file: ``scan(path).safe``, ``load_unsigned`` (loaded /
refused / raw exception), and for each loaded model every public method (predict,
predict_proba, predict_log_proba, decision_function, transform, inverse_transform,
score_samples, apply, decision_path, staged_*, kneighbors, radius_neighbors, score,
get_params, get_feature_names_out, sample, repr, then fit) in a forked child under
RLIMIT_AS (+2 GB) and RLIMIT_CPU (6 s), 20 s wall (lightgbm in a fresh interpreter: its OpenMP
pool deadlocks in a fork). ``opmut.py``: opcode-level mutations of p2/p4/p5 pickles (a BINGET
pointed at another memo slot, a BUILD duplicated through the memo, a BUILD replaced by POP, an
extra SETITEMS). ``sparse_mut.py``: compressed sparse matrices in their holders (SVC/SVR
support vectors and dual coefficients, KNN ``_fit_X``, sparsified LogisticRegression and SGD
``coef_``), index arrays in 11 dtypes, data in 7, trailing stored values, unsorted indices
under a sorted flag, fractional/NaN/huge/wrapping index values.

Findings
--------
rt111-01 (PARITY: scan SAFE, load refuses; trust/structures/arrays.py ``check_sparse`` calls
         scipy's ``check_format(full_check=True)`` on the object itself, which *repairs* it:
         it casts float/bool/object/complex index arrays to an integer dtype (with a warning)
         and ``prune()``s stored values past ``indptr[-1]``. Scan's shadow runs the checks in
         build order (the matrix before the SVC holding it, shadow.py ``for made in
         builder.instances``), the load in its use-time walk's order (the SVC first,
         validate.py ``_validate``), so ``check_svm`` sees the repaired matrix in scan and the
         file's in the load) an SVC/SVR/OneClassSVM fitted on sparse input, its
         ``support_vectors_`` or ``_dual_coef_`` given float64/float32/bool/object index
         arrays, or 5 stored values past ``indptr[-1]``: scan SAFE, ``load_unsigned`` refuses
         ("SVM support vectors indptr is not a 1-D integer array"). 18 of the state fuzz's
         files, 4 of the joblib wrapper sweep's (a float32 wrapper dtype on int32 indices) and
         68 of the sparse sweep's 608 (p2 and p5), every one an SVM holder; the same matrices
         in KNN ``_fit_X`` and sparsified linear ``coef_`` are repaired by the check and
         loaded on both sides (every method clean). Also: a check that mutates what it checks
         hands back an object other than plain pickle's (int32 indices where the file held
         float64), and the load's own verdict depends on where else the matrix is
         referenced: ``[svc, its_matrix]`` is loaded (the walk repairs the matrix first),
         ``[its_matrix, svc]`` and ``{"a": matrix, "b": svc}`` are refused. Fix: check a
         copy (or refuse non-integer index dtypes and trailing values before calling
         ``check_format``), so that no check changes what a later one sees.
rt111-02 (PARITY: scan unsafe, load loads; the static pass's model of an ndarray whose
         ``_reconstruct(ndarray, (0,), b'b')`` is never BUILT, read by the class checks' facts:
         "unproven: the <class> check needs an array whose data the pass cannot read") numpy
         makes such a REDUCE an empty int8 array of shape (0,); the load checks and accepts it
         wherever a built ``np.array([], 'int8')`` is accepted (and scan calls that SAFE). For
         NuSVC's ``dual_coef_`` and KBinsDiscretizer's ``bin_edges_`` scan even says "crafted
         ... (a load refuses it ...)" of a file the load loads. Found by the opcode fuzz (a
         BUILD replaced by POP): 69 of 2,899 mutated streams (p0-p5): DecisionTree and
         RandomForest ``classes_``, KMeans/MiniBatchKMeans ``labels_``, NuSVC ``dual_coef_``,
         KBins, CategoricalNB, OrdinalEncoder, LabelEncoder, LinearSVC and LogisticRegression
         (calibrated, stacked) arrays, a TargetEncoder's and a ColumnTransformer's. (A
         non-empty shape without BUILD is refused by both, rightly: plain pickle hands back
         uninitialised heap memory.) Fix: model an unbuilt ``_reconstruct`` as the (0,) int8
         array numpy makes.
rt111-03 (HONEST-REFUSED, low; trust/native.py ``made_by_call`` (the native-model classes'
         call rule) and the pandas profile's "made by copyreg._reconstructor" rule; rt99-16's
         sibling for own classes) pickle protocols 0 and 1 write every object without its own
         ``__reduce__`` as ``copyreg._reconstructor(cls, object, None)`` + BUILD: no
         constructor runs. An honest ``XGBClassifier``/``LGBMClassifier`` (and CatBoost's
         classes, and a category_encoders model holding pandas objects) pickled at protocol 0
         or 1 (also ``joblib.dump(protocol=0)``) is refused by both sides with its profile
         ("xgboost.core.Booster is called with arguments: ... pickle never writes such a
         call"), a ``pandas.DataFrame`` with the pandas profile alike ("pandas pickles make it
         only one way"); at protocol 2 all are SAFE and loaded. 24 of 2,244 honest files
         (every corpus kind x p0, p1, p3, joblib raw/p0/p2/gzip/bz2/lzma/xz/zlib-9): all 24 are
         these.
rt111-04 (PARITY: scan SAFE, load refuses; trust/object_checks.py's booster size reader calls
         ``Booster.model_to_string`` on the real object, which reads ``pandas_categorical``;
         the profile's state rule (trust/profiles.py) does not require the key) a LightGBM
         ``Booster`` state without ``pandas_categorical`` (LGBMClassifier, LGBMRegressor on a
         frame): scan SAFE, ``load_unsigned`` refuses ("a state the names bound cannot read
         (ValueError: a Booster's model (AttributeError))"). Plain pickle loads it; predict
         raises AttributeError (no harm). A sweep deleting or nulling every key of every
         xgboost/lightgbm state object (4 kinds) found only this one.

Ported by the maintainer (the same day, 21:45-22:20 UTC; every finding fixed)
-----------------------------------------------------------------------------
* rt111-01: scipy's full check runs on a shallow copy (``_check_compressed``); index arrays
  of other dtypes than int32/int64 and stored values past ``indptr[-1]`` are refused.
* rt111-02: an unbuilt ``_reconstruct(ndarray, shape, b"b")`` with no item is read as the
  empty int8 array numpy makes (``shadow_builder._unbuilt_empty``).
* rt111-03: ``_reconstructor(cls, object, None)`` of a native-model or NEWOBJ-only pandas
  class is read as NEWOBJ without arguments (``walk_calls._plainly_reconstructed``).
* rt111-04: the LightGBM Booster's state must hold ``pandas_categorical``.

Held (tried, no finding)
------------------------
* State mutations (``mutate.py``, seeds 1-7): 30,744 mutated files over 197 corpus kinds
  (up to 250 per kind, native kinds first: trees, forests, gradient boosting, HGB (nodes,
  bitsets, bin mappers), SVMs dense and sparse, KD/Ball tree state tuples, every KNN
  algorithm, k-means family, Birch, HDBSCAN, isotonic, calibrated classifiers, MLPs, naive
  Bayes, encoders, vectorizers, ColumnTransformer pipelines, splines, quantile/KBins,
  xgboost and lightgbm through their profiles): 16,642 unsafe/refused, 14,083 SAFE/loaded,
  19 SAFE/refused (rt111-01's 18 and rt111-04's 1), no file the load loaded that scan called
  unsafe, no raw exception from either side, nothing over 3 s. 696 honest files (each kind
  at p5, p2 and joblib zlib) SAFE and loaded. Of the 14,083 loaded mutants, every public
  method ran clean (Python exceptions at most) at predict/transform/score/get_params and the
  rest; 4,796 of them (26 native kinds, seed 7) also on hostile inputs (all NaN, all inf,
  x1e300, -x1e6, one row, 1,000 rows, integral values): no signal, no hang, no
  MemoryError, no RSS over 1.5 GB. The only harm met was in ``fit`` from hyperparameters
  (27 files: ``n_estimators``/``max_iter``/``n_init``/``n_iter``/``alphas``/
  ``n_restarts_optimizer``/``batch_size``/``n_bins``/``thresholds`` = 2**31 or 2**62 in
  LassoCV, ElasticNetCV, GradientBoosting, RandomForest, AdaBoost, HGB, the k-means family,
  SpectralClustering, GaussianMixture, GaussianProcessRegressor, BernoulliRBM, FastICA, LDA,
  TruncatedSVD, KBins, TunedThresholdClassifierCV, TheilSen, XGBRegressor: MemoryError or
  the CPU limit in ``fit``): scikit-learn's own constraints accept them and a user may set
  them, and the policy counts iterations at use only (``ITERATING_AT_USE``): not reported.
  25 lightgbm mutants "hung" in a forked child and ran clean in a fresh interpreter (fork
  after OpenMP: not harm).
* joblib wrapper fields (``wrap_mut.py``): 2,527 files over 10 kinds, each array's
  ``NumpyArrayWrapper`` given another shape (+1, -1, x2, 0 rows, an added axis,
  transposed), order, dtype (8 kinds, big-endian, object), ``allow_mmap``, no alignment,
  ``subclass`` matrix/memmap: agreed (bar rt111-01's 4), 1,005 loaded, all methods clean.
* Sparse holders (``sparse_mut.py``): 608 files, 440 loaded, all methods clean.
* Opcode mutations (``opmut.py``, p0-p5): 2,899 streams (memo slots swapped, BUILDs
  duplicated through the memo, BUILDs replaced by POP, extra SETITEMS): agreed apart from
  rt111-02's unbuilt arrays; loaded mutants' methods clean. An unbuilt ``_reconstruct`` with
  another type code (``'O'``, ``'f8'``, ``'U5'``, ``'V8'``, ``'M8'``, ``'S0'``, as bytes or
  str): refused by both ("another type code than numpy's dummy b'b'").
* Protocol 0 INT forms for ``n_neighbors`` (``05``, ``010`` (octal 8 in the C unpickler),
  ``0x5``, ``+5``, ``0X40``, ``-0x1``, ``00``/``01`` (bools), and ``5_0``, ``0o7``,
  ``0b101``, whitespace, which the pass refuses as uncertain): scan and load agree and
  model the C unpickler's value.
* Honest files (``honest.py``): 2,244 (every corpus kind x 11 writers): 2,220 SAFE and
  loaded, 24 refused (rt111-03); 11 whose outputs differ from the in-memory original
  (IncrementalPCA) give exactly plain pickle's/joblib's outputs (BLAS round trip).
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import assert_scan_predicts_load, dumps_with, write

pytestmark = pytest.mark.filterwarnings("ignore")


# --- rt111-01: check_sparse repairs the matrix it checks, scan and load check in other orders --


def _sparse_svm(kind: str) -> Any:
    import scipy.sparse as sp
    from sklearn.svm import SVC, SVR

    x = sp.random(30, 8, density=0.3, format="csr", random_state=0)
    y = np.arange(30) % 2
    return SVC().fit(x, y) if kind == "SVC" else SVR().fit(x, y.astype(float))


def _mutated(matrix: Any, how: str) -> Any:
    out = matrix.copy()
    if how == "indptr-float64":
        out.indptr = out.indptr.astype(np.float64)
    elif how == "indices-bool":
        out.indices = out.indices.astype(bool)
    elif how == "indices-object":
        out.indices = out.indices.astype(object)
    else:  # "trailing": five stored values past indptr[-1] (check_format prunes them)
        out.data = np.concatenate([out.data, [1e300] * 5])
        out.indices = np.concatenate([out.indices, [10**6] * 5]).astype(out.indices.dtype)
    return out


_RT111_01 = [
    ("SVC", "support_vectors_", "indptr-float64"),
    ("SVC", "_dual_coef_", "indices-bool"),
    ("SVR", "support_vectors_", "indices-object"),
    ("SVR", "_dual_coef_", "trailing"),
]


@pytest.mark.parametrize(("kind", "attr", "how"), _RT111_01)
def test_rt111_01_sparse_check_repairs_in_scan_order(
    tmp_path: Path, kind: str, attr: str, how: str
) -> None:
    model = _sparse_svm(kind)
    setattr(model, attr, _mutated(getattr(model, attr), how))
    data = pickle.dumps(model, protocol=5)
    # plain pickle keeps the file's arrays as they are (no harm: a parity finding)
    plain = pickle.loads(data)
    assert getattr(plain, attr).indptr.dtype == getattr(model, attr).indptr.dtype
    # today: scan SAFE (the matrix was repaired by check_format before check_svm saw it),
    # load_unsigned refuses (check_svm ran first, on the file's arrays)
    assert_scan_predicts_load(data, tmp_path)


def test_rt111_01_repaired_holders_agree(tmp_path: Path) -> None:
    """Held: the same repairs in holders no later check reads agree (both load)."""
    import scipy.sparse as sp
    from sklearn.neighbors import KNeighborsClassifier

    x = sp.random(30, 8, density=0.3, format="csr", random_state=0)
    knn = KNeighborsClassifier(3, algorithm="brute").fit(x, np.arange(30) % 2)
    knn._fit_X = _mutated(knn._fit_X, "indptr-float64")
    assert_scan_predicts_load(pickle.dumps(knn, protocol=5), tmp_path)


# --- rt111-02: an ndarray never BUILT (numpy's empty int8 array) -------------------------------


def _unbuilt(target: Any) -> Any:
    from numpy._core.multiarray import _reconstruct

    def reduce(obj: Any) -> Any:
        if obj is target:  # REDUCE with no BUILD after it: numpy's (0,) int8 array
            return (_reconstruct, (np.ndarray, (0,), b"b"))
        return NotImplemented

    return reduce


def _rt111_02_file(kind: str, protocol: int) -> bytes:
    from sklearn.svm import NuSVC
    from sklearn.tree import DecisionTreeClassifier

    x = np.random.RandomState(0).rand(60, 3)
    y = np.arange(60) % 3
    if kind == "tree.classes_":
        tree = DecisionTreeClassifier(max_depth=3).fit(x, y)
        return dumps_with(tree, _unbuilt(tree.classes_), protocol=protocol)
    svm = NuSVC().fit(x, y % 2)
    return dumps_with(svm, _unbuilt(svm.dual_coef_), protocol=protocol)


@pytest.mark.parametrize(
    ("kind", "protocol"), [("tree.classes_", 2), ("tree.classes_", 5), ("NuSVC.dual_coef_", 2)]
)
def test_rt111_02_unbuilt_empty_array(tmp_path: Path, kind: str, protocol: int) -> None:
    data = _rt111_02_file(kind, protocol)
    # what the stream makes: an empty int8 array where the honest model has its array
    plain = pickle.loads(data)
    held = plain.classes_ if kind.startswith("tree") else plain.dual_coef_
    assert held.shape == (0,) and held.dtype == np.int8
    # today: load_unsigned loads it, scan calls it unsafe ("unproven: ... an array whose data
    # the pass cannot read", or, for NuSVC, "crafted ... (a load refuses it ...)")
    assert_scan_predicts_load(data, tmp_path)


def test_rt111_02_built_empty_array_agrees(tmp_path: Path) -> None:
    """Held: the same empty int8 array, built, is SAFE and loaded."""
    from sklearn.tree import DecisionTreeClassifier

    x = np.random.RandomState(0).rand(60, 3)
    tree = DecisionTreeClassifier(max_depth=3).fit(x, np.arange(60) % 3)
    tree.classes_ = np.array([], dtype=np.int8)
    assert_scan_predicts_load(pickle.dumps(tree, protocol=5), tmp_path)


# --- rt111-03: protocols 0 and 1 write copyreg._reconstructor for Boosters and frames ----------


def _rt111_03_model(kind: str) -> tuple[Any, list[str]]:
    x = np.random.RandomState(0).rand(60, 4)
    y = (x[:, 0] > 0.5).astype(int)
    if kind == "xgboost":
        import xgboost

        return xgboost.XGBClassifier(n_estimators=3, max_depth=2, n_jobs=1).fit(x, y), ["xgboost"]
    if kind == "lightgbm":
        import lightgbm

        model = lightgbm.LGBMClassifier(n_estimators=3, verbose=-1, n_jobs=1)
        return model.fit(x, y), ["lightgbm"]
    import pandas as pd

    return pd.DataFrame(x[:5], columns=list("abcd")), ["pandas"]


@pytest.mark.parametrize("protocol", [0, 1])
@pytest.mark.parametrize("kind", ["xgboost", "lightgbm", "pandas"])
def test_rt111_03_protocol_0_1_reconstructor_refused(
    tmp_path: Path, kind: str, protocol: int
) -> None:
    import safeload

    pytest.importorskip(kind)
    model, profiles = _rt111_03_model(kind)
    data = pickle.dumps(model, protocol=protocol)
    # pickle writes these objects as copyreg._reconstructor(cls, object, None) + BUILD at
    # protocols 0 and 1 (no constructor runs: object.__new__(cls), then __setstate__)
    assert b"_reconstructor" in data
    path = write(tmp_path, data)
    plain = pickle.loads(data)
    assert type(plain) is type(model)
    # the same model at protocol 2 is SAFE and loaded with its profile
    two = write(tmp_path, pickle.dumps(model, protocol=2), "two.pkl")
    assert safeload.scan(two, profiles=profiles).safe
    safeload.load_unsigned(two, profiles=profiles)
    # today: both refuse ("xgboost.core.Booster is called with arguments: ... pickle never
    # writes such a call", "pandas.DataFrame made by copyreg._reconstructor: pandas pickles
    # make it only one way")
    assert safeload.scan(path, profiles=profiles).safe
    assert type(safeload.load_unsigned(path, profiles=profiles)) is type(model)


# --- rt111-04: a LightGBM Booster state without pandas_categorical -----------------------------


class _DropKey:
    """A pickler hook: the Booster's state without ``key``."""

    def __init__(self, key: str) -> None:
        self.key = key

    def __call__(self, obj: Any) -> Any:
        import lightgbm

        if type(obj) is lightgbm.Booster:
            func, args, state = obj.__reduce_ex__(5)[:3]
            state = {k: v for k, v in state.items() if k != self.key}
            return func, args, state
        return NotImplemented


def test_rt111_04_lightgbm_state_without_pandas_categorical(tmp_path: Path) -> None:
    lightgbm = pytest.importorskip("lightgbm")
    x = np.random.RandomState(0).rand(60, 4)
    model = lightgbm.LGBMClassifier(n_estimators=3, verbose=-1, n_jobs=1)
    model.fit(x, (x[:, 0] > 0.5).astype(int))
    data = dumps_with(model, _DropKey("pandas_categorical"), protocol=5)
    # plain pickle loads it (predict then raises a clean AttributeError: no harm)
    plain = pickle.loads(data)
    assert not hasattr(plain.booster_, "pandas_categorical")
    # today: scan SAFE (the static rule reads the model text from _handle), load_unsigned
    # refuses ("a state the names bound cannot read (ValueError: a Booster's model
    # (AttributeError))": model_to_string reads self.pandas_categorical)
    assert_scan_predicts_load(data, tmp_path, profiles=["lightgbm"])
