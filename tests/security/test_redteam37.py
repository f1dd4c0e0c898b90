"""Red team 37 (an independent helper session from 13:25 UTC on 87a2260, pure-Python
snapshot): its reproducers, all fixed. Each test first shows the harm under plain pickle (or
joblib) in a child process under resource limits, then asserts what safeload does: refuse, in
scan and in load_unsigned (or, for parity findings, give scan the verdict of the load)."""

from __future__ import annotations

import functools
import pickle
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import (
    GB,
    HANG_CPU,
    PLAIN_CALL,
    assert_refused,
    assert_safeload_refuses,
    assert_scan_predicts_load,
    child,
    loky_workers_call,
    workers_started,
    write,
)

# --- process counting (as rt36-13) -------------------------------------------------------------

_X = "numpy.random.RandomState(0).rand(30, 4)"


def _jobs_call(fit: str, at_least: int) -> str:
    return loky_workers_call(f"X = {_X}; y = numpy.arange(30) % 3; r = {fit}", at_least)


def _assert_processes(path: Path, fit: str, at_least: int) -> None:
    plain = child(PLAIN_CALL.format(call=_jobs_call(fit, at_least)), path, memory=8 * GB, cpu=60)
    assert workers_started(plain.stdout) >= at_least, str(plain)
    # what safeload does with the same bytes (in this process: loading starts nothing)
    assert_refused(path)


# --- rt37-01: classes that start loky processes but are not in dispatch.PROCESS_WORKERS --------


def _rt37_01_model(name: str, jobs: int) -> bytes:
    from sklearn.decomposition import MiniBatchSparsePCA, SparsePCA
    from sklearn.feature_selection import SequentialFeatureSelector
    from sklearn.gaussian_process import GaussianProcessClassifier
    from sklearn.linear_model import LinearRegression

    X = np.random.RandomState(0).rand(30, 4)
    y = np.arange(30) % 3
    m: Any
    if name == "SequentialFeatureSelector":
        m = SequentialFeatureSelector(LinearRegression(), n_features_to_select=2, cv=2)
        m.fit(X, X[:, 0])
    elif name == "SparsePCA":
        m = SparsePCA(2, max_iter=2).fit(X)
    elif name == "MiniBatchSparsePCA":
        m = MiniBatchSparsePCA(2, max_iter=2).fit(X)
    else:
        m = GaussianProcessClassifier().fit(X, y)
    m.n_jobs = jobs  # the thread_count rule allows 1 to 1,024 for these classes
    return pickle.dumps(m, protocol=5)


_RT37_01_FIT = {
    "SequentialFeatureSelector": "model.fit(X, X[:, 0])",
    "SparsePCA": "model.fit(X)",
    "MiniBatchSparsePCA": "model.fit(X)",
    "GaussianProcessClassifier": "model.fit(X, y)",
}


@pytest.mark.parametrize("name", sorted(_RT37_01_FIT))
def test_rt37_01_process_workers_missing_classes(name: str, tmp_path: Path) -> None:
    """Under 1 KB (GaussianProcessClassifier ~35 KB): rt36-13's fix caps ``n_jobs`` at 4 for
    the classes in ``dispatch.PROCESS_WORKERS``; these four also hand their ``n_jobs`` to
    joblib's default (loky, process) backend from ``fit``, a public method, but keep the
    thread cap of 1,024: SequentialFeatureSelector (``cross_val_score(..., n_jobs)``),
    SparsePCA (``dict_learning`` -> ``sparse_encode``'s ``Parallel(n_jobs)``),
    MiniBatchSparsePCA (alike) and GaussianProcessClassifier on 3 classes
    (``OneVsRestClassifier(base_estimator_, n_jobs=self.n_jobs)``). ``n_jobs=6`` (the
    test): ``fit`` starts 6 worker processes plus loky's helpers (8 child processes; 10 with
    ``n_jobs=8``, measured under plain pickle and after safeload's load alike; ``n_jobs=64``
    loads too). Scan SAFE, load_unsigned loads it. The test uses 5, one past the cap."""
    path = write(tmp_path, _rt37_01_model(name, 5))
    _assert_processes(path, _RT37_01_FIT[name], 5)


# --- rt37-02: partial(mutual_info_classif, n_jobs=N) as a selector's score_func ----------------


def _rt37_02_selector(jobs: int) -> bytes:
    from sklearn.feature_selection import SelectKBest, mutual_info_classif

    X = np.random.RandomState(0).rand(30, 4)
    m = SelectKBest(functools.partial(mutual_info_classif), k=2).fit(X, np.arange(30) % 3)
    # what fit with the n_jobs partial stores, without starting its workers in this process
    m.score_func = functools.partial(mutual_info_classif, n_jobs=jobs)
    return pickle.dumps(m, protocol=5)


def test_rt37_02_partial_mutual_info_n_jobs(tmp_path: Path) -> None:
    """456 bytes: ``mutual_info_classif`` and ``mutual_info_regression`` are on the callable
    allowlist (a selector's ``score_func``), and a ``functools.partial`` of one may bind
    keywords with plain-data values; nothing bounds the ``n_jobs`` keyword, which
    ``_estimate_mi`` hands to ``Parallel(n_jobs=n_jobs)`` on joblib's default backend (loky
    worker processes). ``SelectKBest(partial(mutual_info_classif, n_jobs=64)).fit`` on 30 rows
    starts 64 worker processes and loky's helpers: 66 child processes measured after
    safeload's load (the PROCESS_WORKERS cap is 4; nothing bounds the keyword, so 10**5 loads
    as well; the same partial as a value in a search's ``param_grid`` for a selector's
    ``score_func`` loads too, where ``{'u__n_jobs': [8]}`` is refused). Scan SAFE,
    load_unsigned loads it. The test uses 5, one past the cap."""
    path = write(tmp_path, _rt37_02_selector(5))
    _assert_processes(path, "model.fit(X, y)", 5)


# --- rt37-03: NMF's per-call max_iter is not counted over the model (rt36-07 for NMF) -----------


def _rt37_03_union_of_nmf(branches: int) -> bytes:
    from sklearn.decomposition import NMF
    from sklearn.pipeline import FeatureUnion

    m = NMF(3, max_iter=200, random_state=0).fit(np.random.RandomState(0).rand(20, 5))
    m.max_iter = 100_000  # object_checks.MAX_ITERATIONS: allowed for one NMF
    m.tol = 0.0
    # the same NMF (one memo reference each) as every branch
    return pickle.dumps(FeatureUnion([(f"b{i}", m) for i in range(branches)]), protocol=5)


_NMF_CALL = "r = model.transform(numpy.random.RandomState(1).rand(5, 5))"


def test_rt37_03_union_repeats_nmf_solver(tmp_path: Path) -> None:
    """2.9 KB: NMF.transform runs its coordinate-descent solver for W with the stored
    ``max_iter`` (``ITERATING_AT_USE``, capped at 100,000 per estimator) and ``tol=0`` never
    stops early: 0.93 s CPU for 5 rows. rt36-07's fix sums only ``PER_ROW_LIMITS``
    (``max_doc_update_iter``, ``transform_max_iter``) over how often the model meets each
    estimator, not NMF's ``max_iter``: a FeatureUnion listing one such NMF as 200 branches
    (memo references) runs the solver 200 times, ~185 s CPU per ``transform`` of 5 rows
    (killed at the HANG_CPU limit under plain pickle). Scan SAFE, load_unsigned loads it."""
    path = write(tmp_path, _rt37_03_union_of_nmf(200))
    plain = child(PLAIN_CALL.format(call=_NMF_CALL), path, cpu=HANG_CPU)
    assert plain.crashed and "loaded" in plain.stdout, str(plain)  # SIGXCPU
    assert "call done" not in plain.stdout, str(plain)
    assert_refused(path)  # (after safeload's load the call hangs alike)


# --- rt37-04: MiniBatchNMF's fitted _transform_max_iter is not an iteration limit ---------------


def _rt37_04_minibatch_nmf(iterations: int) -> bytes:
    from sklearn.decomposition import MiniBatchNMF

    m = MiniBatchNMF(3, max_iter=20, random_state=0).fit(np.random.RandomState(0).rand(20, 5))
    m._transform_max_iter = iterations  # what transform runs; only transform_max_iter is capped
    m.tol = 0.0  # _solve_W stops early only when tol > 0
    return pickle.dumps(m, protocol=5)


_MBNMF_CALL = "r = model.transform(numpy.random.RandomState(1).rand(5, 5))"


def test_rt37_04_minibatch_nmf_transform_iterations(tmp_path: Path) -> None:
    """1.3 KB: MiniBatchNMF.transform runs ``_solve_W(X, components_,
    self._transform_max_iter)``: the fitted private copy (``transform_max_iter`` or
    ``max_iter`` at fit), not the ``transform_max_iter`` parameter that ITERATION_LIMITS caps
    (and MiniBatchNMF is not in ``ITERATING_AT_USE`` either). With ``tol=0`` the loop never
    breaks: ~22 us per iteration on 5 rows, so ``_transform_max_iter = 10**12`` is ~250 days
    of CPU for ``transform`` of 5 rows (killed at a 2 s CPU limit under plain pickle).
    Scan SAFE, load_unsigned loads it."""
    path = write(tmp_path, _rt37_04_minibatch_nmf(10**12))
    plain = child(PLAIN_CALL.format(call=_MBNMF_CALL), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and plain.crashed, str(plain)
    assert "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused(path)  # (after safeload's load the call hangs alike)


# --- rt37-05: scan SAFE, load refuses: numpy.dtype on a type string numpy does not take ---------


def _rt37_05_dtype_stream(code: str) -> bytes:
    raw = code.encode()
    text = b"X" + len(raw).to_bytes(4, "little") + raw
    return b"\x80\x04cnumpy\ndtype\n" + text + b"\x89\x88\x87R."


@pytest.mark.parametrize(
    "code",
    [
        "M8[xyz]",
        "(2)f8",
        "U-1",
        "i0",
        "T",
        "U2147483647",
        "S2147483647",
        "V2147483647",
        "[('a','f8')]",
        "f8 ",
        "",
    ],
)
def test_rt37_05_dtype_type_string_parity(code: str, tmp_path: Path) -> None:
    """Under 40 bytes each, harmless: ``numpy.dtype(code, False, True)`` in the one form
    numpy writes (rt36-08's ``_numpy_form_problem`` checks the form: a str, False, True) but
    with a type string numpy refuses (an unknown datetime unit, a sub-array or list-of-fields
    string, a negative or zero size, trailing space, the empty string) or builds into a dtype
    the load then refuses (``'T'``, a StringDType: "numpy's constructors never make"; 2**31-1
    bytes per item). load_unsigned refuses every one ("could not be loaded: TypeError: data
    type ... not understood", or the dtype rules), scan calls each SAFE."""
    data = _rt37_05_dtype_stream(code)
    assert_scan_predicts_load(data, tmp_path)


# --- rt37-06: scan SAFE, load refuses: random states and bit generators given a broken state ----


class _Reduce:
    def __init__(self, func: Any, args: tuple[Any, ...], state: Any) -> None:
        self.func, self.args, self.state = func, args, state

    def __reduce__(self) -> Any:
        return (self.func, self.args, self.state)


def _rt37_06_model(name: str) -> bytes:
    import copy

    from numpy.random import _pickle as npk
    from sklearn.preprocessing import StandardScaler

    kind, _, change = name.partition(" ")
    if kind == "RandomState":
        t = np.random.RandomState(0).get_state()
        key, cached = t[1], t[4]
        if change == "negative key":
            key = -key.astype(np.int64)
        else:
            cached = "x"
        spare = _Reduce(npk.__randomstate_ctor, ("MT19937",), (t[0], key, t[2], t[3], cached))
    else:
        st = copy.deepcopy(getattr(np.random, kind)(0).state)
        if change == "uinteger=-1":
            st["uinteger"] = -1
        elif change == "uinteger=2**40":
            st["uinteger"] = 2**40
        elif change == "state=5":
            st["state"] = 5
        elif change == "huge ints":
            st["state"] = {k: 2**200 for k in st["state"]}
        elif change == "short counter":
            st["state"]["counter"] = st["state"]["counter"][:1]
        else:  # short state
            st["state"]["state"] = st["state"]["state"][:2]
        spare = _Reduce(npk.__bit_generator_ctor, (kind,), st)
    m = StandardScaler().fit(np.eye(3))
    m.spare_ = spare  # a spare fitted attribute: a valid generator here loads
    return pickle.dumps(m, protocol=4)


@pytest.mark.parametrize(
    "name",
    [
        "RandomState negative key",
        "RandomState cached gaussian str",
        "PCG64 uinteger=-1",
        "PCG64 uinteger=2**40",
        "PCG64 state=5",
        "PCG64 huge ints",
        "PCG64DXSM huge ints",
        "Philox short counter",
        "SFC64 short state",
        "SFC64 uinteger=-1",
    ],
)
def test_rt37_06_random_state_build_parity(name: str, tmp_path: Path) -> None:
    """About 6 KB each, harmless: a RandomState (``__randomstate_ctor('MT19937')``) or a bit
    generator (``__bit_generator_ctor(name)``) made by numpy's pickle helpers, then given by
    BUILD a state numpy refuses: a negative MT19937 key ("can't convert negative value to
    uint32_t"), a str cached Gaussian, ``uinteger`` out of uint32's range, a state that is an
    int, 2**200 as PCG64's ``state``/``inc``, a one-item Philox counter (IndexError), a
    two-item SFC64 state (broadcast ValueError). load_unsigned refuses each ("could not be
    loaded"), scan calls each SAFE: rt36-08's ``_random_build_failure`` replays the BUILD only
    when ``_probe_state`` accepts the state, and these leave it to the state checks, which
    pass them. (The reverse: an MT19937 bit generator with ``has_uint32=7`` is refused by
    scan and loaded.) Found by mutating the states of pickled generators."""
    data = _rt37_06_model(name)
    assert_scan_predicts_load(data, tmp_path)


# --- rt37-07: partial(check_array, dtype='S1073741824') as FunctionTransformer.func ------------


def _rt37_07_transformer(dtype: Any) -> bytes:
    from sklearn.preprocessing import FunctionTransformer
    from sklearn.utils.validation import check_array

    m = FunctionTransformer(functools.partial(check_array, dtype=dtype)).fit(np.eye(2))
    return pickle.dumps(m, protocol=5)


_CHECK_ARRAY_CALL = "r = model.transform(numpy.zeros((3, 2)))"


@pytest.mark.parametrize("dtype", ["S1073741824", "U268435456"])
def test_rt37_07_partial_check_array_dtype(dtype: Any, tmp_path: Path) -> None:
    """356 bytes: ``check_array`` is on the callable allowlist (histogram boosting stores
    ``partial(check_array, ...)``) and a partial may bind keywords with plain-data values, so
    ``FunctionTransformer(func=partial(check_array, dtype='S1073741824'))`` loads. Its
    ``transform`` calls ``np.asarray(X, dtype='S1073741824')``: 1 GiB per input element, 6 GiB
    for a 3 x 2 input (MemoryError under a 3 GiB limit under plain pickle); ``'U268435456'``
    alike (the sub-array dtype ``('f8', (2**27,))`` loads too, but numpy returns the input
    as it is). rt28 holds an estimator's ``dtype``
    parameter to a plain numeric dtype and rt27-08 bounds dtypes the stream builds at 1 MiB
    per item, but neither reaches a type string or tuple bound as a partial's keyword. Scan
    SAFE, load_unsigned loads it."""
    path = write(tmp_path, _rt37_07_transformer(dtype))
    plain = child(PLAIN_CALL.format(call=_CHECK_ARRAY_CALL), path)
    assert "call MemoryError" in plain.stdout, str(plain)
    assert_safeload_refuses(path, _CHECK_ARRAY_CALL)


# --- rt37-08: scan SAFE, load refuses: a BUILD on a namedtuple (an imputer triplet) -------------


class _WithState:
    def __init__(self, cls: Any, args: tuple[Any, ...], state: Any) -> None:
        self.cls, self.args, self.state = cls, args, state

    def __reduce__(self) -> Any:
        return (self.cls, self.args, self.state)


def _rt37_08_model(state: Any) -> bytes:
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer
    from sklearn.impute._iterative import _ImputerTriplet

    X = np.random.RandomState(0).rand(20, 2)
    X[0, 0] = np.nan
    m = IterativeImputer(max_iter=2, random_state=0).fit(X)
    triplet = m.imputation_sequence_[0]
    m.imputation_sequence_ = [
        _WithState(
            _ImputerTriplet, (triplet.feat_idx, triplet.neighbor_feat_idx, triplet.estimator), state
        )
    ]
    return pickle.dumps(m, protocol=4)


@pytest.mark.parametrize("state", [{"x": 1}, {"feat_idx": 1}], ids=["dict", "field dict"])
def test_rt37_08_namedtuple_build_parity(state: Any, tmp_path: Path) -> None:
    """About 3 KB each, harmless: IterativeImputer's ``_ImputerTriplet`` (a namedtuple,
    no ``__dict__``) made by REDUCE with its three fields, then given a BUILD state. The
    unpickler's BUILD sets a state dict through ``inst.__dict__`` ("'_ImputerTriplet' object
    has no attribute '__dict__'"), so load_unsigned refuses each ("could not be loaded");
    scan calls them SAFE (a slot state ``(None, {...})`` is refused by both) (shadow_builder's
    ``_with_fields`` merges the fields with the state as if it were an object's). Found by
    mutating how the triplets are pickled."""
    data = _rt37_08_model(state)
    assert_scan_predicts_load(data, tmp_path)


# --- rt37-09: an empty category array declares 1 MiB text items: OrdinalEncoder.inverse_transform


def _rt37_09_ordinal() -> bytes:
    from sklearn.preprocessing import OrdinalEncoder

    m = OrdinalEncoder().fit(np.array([["a", "x"], ["b", "y"]]))  # <U1 categories
    m.categories_[1] = np.array([], dtype="<U262144")  # 1 MiB per item (the dtype limit), empty
    return pickle.dumps(m, protocol=5)


_ORDINAL_CALL = "r = model.inverse_transform(numpy.zeros((3000, 2)))"


def test_rt37_09_empty_wide_categories(tmp_path: Path) -> None:
    """579 bytes: OrdinalEncoder.inverse_transform allocates its output as
    ``np.empty((n_samples, n_features), dtype=np.result_type(*categories_ dtypes))`` and
    then writes each column's labels into it. The label-width rule (text items at most 1,024
    characters wider than the longest label) refuses a non-empty ``categories_`` array of
    ``<U262144``, but not an empty one: one feature's categories as an empty ``<U262144``
    array (1 MiB per item, within the 1 MiB dtype limit) makes every output cell 1 MiB:
    ``inverse_transform`` of 3,000 rows asks for 6 GiB (MemoryError under 3 GiB under plain
    pickle; 1,000 rows: 2,143 MB peak RSS, 7 s, before the empty feature's IndexError).
    OneHotEncoder is refused ("_n_features_outs out of range"). Scan
    SAFE, load_unsigned loads it."""
    path = write(tmp_path, _rt37_09_ordinal())
    plain = child(PLAIN_CALL.format(call=_ORDINAL_CALL), path)
    assert "call MemoryError" in plain.stdout, str(plain)
    assert_safeload_refuses(path, _ORDINAL_CALL)
