"""Red team 34 (an independent helper session from 10:29 to 11:14 UTC on 2bd28c4): its
reproducers, kept as written but for the shared helpers. Each test first shows the harm under
plain pickle in a child process under resource limits, then asserts what safeload does: refuse,
in scan and in load_unsigned (or, for the parity findings, that scan's verdict equals load's).
All eleven findings are fixed (commits 10bb080 and 5a347e5)."""

from __future__ import annotations

import pickle
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from redteam import (
    GB,
    PLAIN_CALL,
    PLAIN_JOBLIB_CALL,
    assert_safeload_refuses,
    assert_scan_predicts_load,
    binunicode,
    child,
    global_,
    open_finding,
    until_crash,
    write,
)

OPEN = partial(open_finding, 34)
_child = partial(child, cpu=20)
_assert_safeload_refuses = partial(assert_safeload_refuses, cpu=20)


_NAMES = "r = model.get_feature_names_out()"


# --- rt34-01: VotingClassifier's soft names: estimators x classes (one shared classes_ array) ----


def _rt34_01_voting(n_classes: int, n_estimators: int, strategy: str = "prior") -> bytes:
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import VotingClassifier

    X, y = np.random.RandomState(0).rand(20, 3), np.arange(20) % 2
    steps = [(f"{i:03d}" + "e" * 253, DummyClassifier()) for i in range(n_estimators)]
    m = VotingClassifier(steps, voting="soft").fit(X, y)
    labels = np.zeros(n_classes, dtype=bool)  # kind "b": held equal to le_.classes_, not codes
    m.le_.classes_ = m.classes_ = labels
    for sub in m.estimators_:
        sub.classes_, sub.n_classes_ = labels, n_classes  # the same array, once in the file
        sub.class_prior_ = np.full(2, 0.5)
        sub.strategy = sub._strategy = strategy
    return pickle.dumps(m, protocol=5)


def test_rt34_01_voting_soft_names(tmp_path: Path) -> None:
    """1 MB: VotingClassifier(voting="soft").get_feature_names_out writes
    ``f"votingclassifier_{name}{i}"`` for every estimator and every class in ``classes_``.
    Step names may have 256 characters; check_voting_classifier holds each sub-estimator's
    ``classes_`` equal to ``le_.classes_``, which one shared 10**6-byte bool array satisfies
    (no uniqueness rule), so 100 DummyClassifiers make 10**8 names of ~280 characters
    (~35 GB; MemoryError under 1 GiB, ~30,000 bytes per file byte). names.py counts only the
    estimators' own ``n_features_in_``: nothing for VotingClassifier."""
    path = write(tmp_path, _rt34_01_voting(10**6, 100))
    # (under 512 MiB, not 1 GiB: the same MemoryError of ~35 GB asked, sooner)
    plain = _child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _NAMES)


def test_rt34_01_voting_soft_predict_proba(tmp_path: Path) -> None:
    """1 MB, the same model with DummyClassifier(strategy="uniform"): each estimator's
    predict_proba is ``ones((n_samples, n_classes_))`` (n_classes_ equals its classes_, the
    shared 10**6-item array), so VotingClassifier.predict_proba (and transform) of 4 rows
    collects 100 x 4 x 10**6 floats: 3.2 GB, MemoryError under 1 GiB (800 MB per input row
    from a 1 MB file; an honest model of this width stores 100 arrays)."""
    path = write(tmp_path, _rt34_01_voting(10**6, 100, "uniform"))
    call = "r = model.predict_proba(numpy.random.rand(4, 3))"
    # (under 512 MiB, not 1 GiB: the same MemoryError of 3.2 GB asked, sooner)
    plain = _child(PLAIN_CALL.format(call=call), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, call)


# --- rt34-02: StackingRegressor's _n_feature_outs is a bare count --------------------------------


def _rt34_02_stacking(count: int) -> bytes:
    from sklearn.ensemble import StackingRegressor
    from sklearn.linear_model import LinearRegression

    X = np.random.RandomState(0).rand(20, 3)
    m = StackingRegressor([("a", LinearRegression())], final_estimator=LinearRegression(), cv=2)
    m.fit(X, X[:, 0])
    m._n_feature_outs = [count]
    return pickle.dumps(m, protocol=5)


def test_rt34_02_stacking_n_feature_outs(tmp_path: Path) -> None:
    """1 KB: _BaseStacking.get_feature_names_out writes ``range(n)`` names per estimator from
    the stored list ``_n_feature_outs``; nothing bounds it (names.py reads only
    ``_n_features_out`` and ``n_features_out_``). ``[10**8]``: 10**8 names
    "stackingregressor_a123..." (~8 GB, MemoryError under 1 GiB; ~8 million bytes per file
    byte; 10**12 is a hang as well). StackingClassifier alike."""
    path = write(tmp_path, _rt34_02_stacking(10**8))
    # (under 512 MiB, not 1 GiB: the same MemoryError of ~8 GB asked, sooner)
    plain = _child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _NAMES)


# --- rt34-03: AdditiveChi2Sampler writes 2 * sample_steps - 1 names per feature ------------------


def _rt34_03_chi2(steps: int, width: int) -> bytes:
    from sklearn.kernel_approximation import AdditiveChi2Sampler

    m = AdditiveChi2Sampler(sample_steps=steps, sample_interval=0.1).fit(np.ones((2, 3)))
    m.n_features_in_ = width  # up to MAX_EMPTY_DIM needs no stored array
    return pickle.dumps(m, protocol=5)


def test_rt34_03_additive_chi2_names(tmp_path: Path) -> None:
    """169 B: AdditiveChi2Sampler.get_feature_names_out writes one ``_sqrt`` name and a
    ``_cos{j}``/``_sin{j}`` pair per sample step for every input feature; sample_steps may be
    1,000 (MAX_TRANSFORM_ROUNDS) and ``n_features_in_`` 2**20 without a stored array, and
    names.py counts one name per feature. 2**20 x 1,999 = 2.1 x 10**9 names
    ("additivechi2sampler_x1048575_cos999"): ~190 GB, MemoryError under 1 GiB (10**9 bytes
    per file byte)."""
    path = write(tmp_path, _rt34_03_chi2(1000, 2**20))
    # (under 512 MiB, not 1 GiB: the same MemoryError of ~190 GB asked, sooner)
    plain = _child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _NAMES)


# --- rt34-04: a vectorizer's vocabulary keys are names no rule measures --------------------------


def _rt34_04_vocabulary_then_one_hot(key: int, categories: int) -> bytes:
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    vectorizer = CountVectorizer().fit(["w" * key])  # one word: one 100 KB name
    encoder = OneHotEncoder(handle_unknown="ignore").fit(np.array([[0], [1]], dtype=np.int8))
    encoder.categories_ = [np.zeros(categories, dtype=np.int8)]  # duplicates are not checked
    encoder._n_features_outs = [categories]
    return pickle.dumps(Pipeline([("v", vectorizer), ("o", encoder)]), protocol=5)


def test_rt34_04_vocabulary_key_times_categories(tmp_path: Path) -> None:
    """1.1 MB: names.py takes the longest name from ``feature_names_in_`` only and skips the
    vectorizers ("its names are its vocabulary's keys, stored"), and no rule caps a
    vocabulary key's length (feature_names_in_ is capped at 1,024). A CountVectorizer with
    one 100,000-character word, then a OneHotEncoder of 10**6 one-byte categories: the
    pipeline's get_feature_names_out writes 10**6 names of 100 KB (100 GB; MemoryError under
    3 GiB; ~90,000 bytes per file byte). check_one_hot_names measures the encoder's own
    "x0". DictVectorizer's ``feature_names_`` alike; PolynomialFeatures after it joins the
    long key up to ``degree`` times."""
    path = write(tmp_path, _rt34_04_vocabulary_then_one_hot(100_000, 10**6))
    plain = _child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)  # the same, sooner
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _NAMES)


# --- rt34-05: a feature name that is not a str escapes the name cap and the ledger ---------------


def _rt34_05_path_named_target_encoder(length: int, classes: int) -> bytes:
    from pathlib import PurePosixPath

    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    m = TargetEncoder(random_state=0).fit(rng.randint(0, 3, (60, 1)), rng.randint(0, 3, 60))
    assert m.target_type_ == "multiclass"
    m.feature_names_in_ = np.array([PurePosixPath("a" * length)], dtype=object)
    m.classes_ = np.zeros(classes, dtype=np.uint8)
    return pickle.dumps(m, protocol=5)


def test_rt34_05_path_feature_name_times_classes(tmp_path: Path) -> None:
    """1.1 MB: check_paid_widths caps ``feature_names_in_`` items at 1,024 characters only
    when they are ``str``, and names.py's ``_longest_text`` counts any other item as 32
    characters. A PurePosixPath (allowed, no length rule) of 100,000 characters is formatted
    in full by ``f"{feature}_{class}"``: a multiclass TargetEncoder with 10**6 one-byte
    classes writes 10**6 names of 100 KB (100 GB; MemoryError under 3 GiB; ~90,000 bytes per
    file byte). Decimal names (4,300 digits) alike, 134x past the 32 counted; any f-string
    name maker (SplineTransformer, AdditiveChi2Sampler, column transformer prefixes) alike."""
    path = write(tmp_path, _rt34_05_path_named_target_encoder(100_000, 10**6))
    # (under 512 MiB, not 3 GiB: the same MemoryError of 100 GB asked, sooner)
    plain = _child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _NAMES)


# --- rt34-06: a probed call followed by BUILD is not probed (scan SAFE, load refuses) ------------


_g, _u = global_, binunicode  # GLOBAL and BINUNICODE, short for the tables below


_BUILT_CALLS = {
    "dict({}, {}) BUILD {}": _g("builtins", "dict") + b"}}\x86R}b.",
    "dict({}, {}) BUILD {'a': 1}": _g("builtins", "dict") + b"}}\x86R}" + _u("a") + b"K\x01sb.",
    "dict((1, 2)) BUILD None": _g("builtins", "dict") + b"K\x01K\x02\x86\x85RNb.",
    "set([[]]) BUILD {}": _g("builtins", "set") + b"]]a\x85R}b.",
    "frozenset([[]]) BUILD {}": _g("builtins", "frozenset") + b"]]a\x85R}b.",
    "complex(2**1024) BUILD {}": (
        _g("builtins", "complex") + b"\x8a\x81" + b"\x00" * 128 + b"\x01\x85R}b."
    ),
    "list((1,)) BUILD {}": _g("builtins", "list") + b"K\x01\x85\x85R}b.",
    "slice(None) BUILD {}": _g("builtins", "slice") + b"N\x85R}b.",
    # calls the probe leaves out: copyreg._reconstructor, and _codecs.encode (the protocol 0-2
    # form of bytes), whose failure the builder turns into an unknown value no check touches
    "_codecs.encode('\\u0100', 'latin1')": (
        _g("_codecs", "encode") + _u("\u0100") + _u("latin1") + b"\x86R."
    ),
    "_reconstructor(object, set, [])": (
        _g("copyreg", "_reconstructor")
        + _g("builtins", "object")
        + _g("builtins", "set")
        + b"]\x87R."
    ),
    "_reconstructor(OrderedDict, dict, None)": (
        _g("copyreg", "_reconstructor")
        + _g("collections", "OrderedDict")
        + _g("builtins", "dict")
        + b"N\x87R."
    ),
    "_reconstructor(dict, dict, [(1,)])": (
        _g("copyreg", "_reconstructor")
        + _g("builtins", "dict")
        + _g("builtins", "dict")
        + b"]K\x01\x85a\x87R."
    ),
}


@pytest.mark.parametrize("name", sorted(_BUILT_CALLS))
def test_rt34_06_probed_call_then_build(name: str, tmp_path: Path) -> None:
    """Under 150 B each: the rt33-11 fix (``_call_failure``) probes dict/set/complex/... only
    when the call has no state (``sym.state is None``); with a BUILD after it the builder
    makes a Shadow of the builtin class instead and scan says SAFE, while the load (and
    plain pickle) fails on the call itself (TypeError, OverflowError) or on the BUILD of a
    list or slice (no ``__dict__``). Calls it never probes: ``copyreg._reconstructor`` (excluded
    by name) and ``_codecs.encode`` (a pure builtin whose exception becomes an unknown value
    that no check touches). Harmless; the invariant "no file load refuses is SAFE" breaks."""
    data = b"\x80\x02" + _BUILT_CALLS[name]
    with pytest.raises((TypeError, ValueError, OverflowError, AttributeError, UnicodeError)):
        pickle.loads(data)
    assert_scan_predicts_load(data, tmp_path, refused=True)


# --- rt34-07: an estimator built and discarded pays for scan's names allowance -----------------


def _rt34_07_popped_padding(pad: int) -> bytes:
    import io

    from sklearn.preprocessing import StandardScaler, TargetEncoder

    rng = np.random.RandomState(0)
    te = TargetEncoder(random_state=0).fit(rng.randint(0, 3, (60, 4)), rng.randint(0, 3, 60))
    te.feature_names_in_ = np.array([f"{i:04d}" + "f" * 1020 for i in range(4)], dtype=object)
    te.classes_ = np.arange(100_000, dtype=np.int32)
    padding = StandardScaler().fit(np.ones((2, 1)))
    padding.pad_ = np.zeros(pad, dtype=np.uint8)
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=2)  # one memo for both
    pickler.dump(padding)
    first = out.getvalue()
    pickler.dump(te)
    second = out.getvalue()[len(first) :]
    return first[:-1] + b"0" + second[2:]  # the scaler, POP, the encoder


def test_rt34_07_popped_estimator_pays_for_names(tmp_path: Path) -> None:
    """20 MB: scan's names_problem runs over ``builder.instances``, every object the stream
    builds, the load's over the instances its walk reaches. A StandardScaler holding a 20 MB
    array, built and POPped, then rt33-07's TargetEncoder at a modest size (4 names of
    1,024 characters x 100,000 classes: 890 MB by the ledger, over 512 MiB): scan counts the
    discarded 20 MB (allowance 1.3 GB) and calls the file SAFE; the load never sees the
    scaler and refuses. (Without the padding scan refuses too.)"""
    data = _rt34_07_popped_padding(20_000_000)
    assert type(pickle.loads(data)).__name__ == "TargetEncoder"
    assert_scan_predicts_load(data, tmp_path, refused=True)


# --- rt34-08: decompressed bytes pay for names ---------------------------------------------------


def _rt34_08_compressed_padding(path: Path, pad: int, classes: int = 10**6) -> None:
    import joblib
    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    m = TargetEncoder(random_state=0).fit(rng.randint(0, 3, (60, 8)), rng.randint(0, 3, 60))
    m.feature_names_in_ = np.array([f"{i:04d}" + "f" * 1020 for i in range(8)], dtype=object)
    m.classes_ = np.zeros(classes, dtype=np.uint8)
    m.pad_ = np.zeros(pad, dtype=np.uint8)  # any spare attribute
    joblib.dump(m, path, compress=("bz2", 9))


def test_rt34_08_compressed_allowance(tmp_path: Path) -> None:
    """1.8 KB: names.py allows 64 x the bytes of the model's arrays, measured after joblib's
    decompression (max_decompressed_size is 32 GiB by default). A bz2 joblib file with a
    300 MB array of zeros (~1 KB compressed) buys a 19 GB allowance: rt33-07's TargetEncoder
    (8 names of 1,024 characters x 10**6 one-byte classes, 17.8 GB by the ledger) loads, and
    get_feature_names_out writes 8.6 GB (MemoryError under 3 GiB): ~5 million bytes per file
    byte, on top of the 300 MB the load itself takes (170,000x). The test uses a third of
    each: a 100 MB array (a 6.4 GB allowance) and 3 x 10**5 classes (5.3 GB by the ledger,
    2.6 GB of names; MemoryError under 1 GiB), which compress and decompress in a third of
    the time."""
    path = tmp_path / "m.joblib"
    _rt34_08_compressed_padding(path, 100_000_000, 3 * 10**5)
    assert path.stat().st_size < 4096
    # (under 512 MiB, not 1 GiB: the same MemoryError of 2.6 GB asked, sooner)
    plain = _child(PLAIN_JOBLIB_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _NAMES)


# --- rt34-09: an SGD classifier's coef_ with no rows: partial_fit writes past it (critical) ------


def _rt34_09_sgd_without_rows(width: int) -> bytes:
    from sklearn.linear_model import SGDClassifier

    X = np.random.RandomState(0).rand(20, 3)
    m = SGDClassifier(max_iter=5, tol=None).fit(X, (X[:, 0] > 0.5).astype(int))
    m.coef_ = np.zeros((0, width))  # an empty array: no data, its axis within MAX_EMPTY_DIM
    m.n_features_in_ = width
    return pickle.dumps(m, protocol=5)


_SGD_CALL = (
    "X = __import__('scipy.sparse').sparse.csr_matrix((numpy.ones(2), "
    "numpy.array([1048575, 1048575]), numpy.array([0, 1, 2])), shape=(2, 1048576)); "
    "model.partial_fit(X, numpy.array([0, 1]))"
)


def test_rt34_09_sgd_coef_without_rows(tmp_path: Path) -> None:
    """901 B: check_linear_shapes holds coef_ to ``ndim in (1, 2)`` and its last axis to
    ``n_features_in_``, not its rows to the classes. A binary SGDClassifier with
    ``coef_ = zeros((0, 2**20))`` (an empty array: MAX_EMPTY_DIM allows the axis without
    data) and ``n_features_in_ = 2**20``: partial_fit (the width matches, so scikit-learn
    keeps coef_) passes ``coef_.ravel()``, 0 weights, to ``_plain_sgd``, whose WeightVector
    reads and writes ``w[j]`` for the input's feature indexes: 8 MB past a zero-size buffer,
    SIGSEGV, plain pickle and load_unsigned alike (scan: SAFE). ``_standard_coef`` /
    ``_average_coef`` with ``average=True``, Perceptron and PassiveAggressiveClassifier
    alike."""
    path = write(tmp_path, _rt34_09_sgd_without_rows(2**20))
    # memory corruption: whether it faults depends on the heap, so fresh interpreters
    plain = until_crash(lambda: _child(PLAIN_CALL.format(call=_SGD_CALL), path, fresh=True))
    assert plain.crashed, str(plain)
    _assert_safeload_refuses(path, _SGD_CALL)


# --- rt34-10: TargetEncoder's classes_ as a list is not counted --------------------------------


def _rt34_10_target_encoder_list_classes(classes: int) -> bytes:
    from sklearn.preprocessing import TargetEncoder

    rng = np.random.RandomState(0)
    m = TargetEncoder(random_state=0).fit(rng.randint(0, 3, (60, 64)), rng.randint(0, 3, 60))
    assert m.target_type_ == "multiclass"
    m.feature_names_in_ = np.array([f"{i:04d}" + "f" * 1020 for i in range(64)], dtype=object)
    m.classes_ = [0] * classes  # a list: 2 bytes per class in the file
    return pickle.dumps(m, protocol=5)


def test_rt34_10_target_encoder_classes_list(tmp_path: Path) -> None:
    """280 KB: rt33-07 again. names.py counts ``features x classes`` only ``if
    isinstance(classes, np.ndarray)``; get_feature_names_out iterates ``self.classes_``
    whatever it is. A list of 100,000 zeros (``K\\x00`` each) with 64 names of 1,024
    characters: 6.4M names of ~1 KB (7 GB; MemoryError under 1 GiB; ~25,000 bytes per file
    byte)."""
    path = write(tmp_path, _rt34_10_target_encoder_list_classes(100_000))
    # (under 512 MiB, not 1 GiB: the same MemoryError of 7 GB asked, sooner)
    plain = _child(PLAIN_CALL.format(call=_NAMES), path, memory=GB // 2)
    assert "call MemoryError" in plain.stdout, str(plain)
    _assert_safeload_refuses(path, _NAMES)


# --- rt34-11: HuberRegressor with warm_start: L-BFGS-B past the gradient (critical) -------------


def _rt34_11_huber_warm_start(width: int) -> bytes:
    from sklearn.linear_model import HuberRegressor

    X = np.random.RandomState(0).rand(30, 3)
    m = HuberRegressor(warm_start=True, max_iter=5).fit(X, X[:, 0])
    m.coef_ = np.zeros(width)  # as fit on `width` features writes it
    m.n_features_in_ = width
    return pickle.dumps(m, protocol=5)


_HUBER_CALL = (
    "X = numpy.random.rand(50, 1)\n"
    "    try:\n"
    "        model.fit(X, X[:, 0])\n"
    "    except ValueError:\n"
    "        pass\n"
    "    junk = [bytearray(100_000) for _ in range(2000)]"
)


def test_rt34_11_huber_warm_start_refit_on_narrower_data(tmp_path: Path) -> None:
    """8 MB, the form scikit-learn writes (HuberRegressor(warm_start=True) fitted on 10**6
    features; an upstream bug any file can switch on, like rt33-20): ``fit`` on new data
    starts L-BFGS-B from ``concatenate((coef_, [intercept_, scale_]))`` without a width check
    (validate_data resets n_features_in_), while ``_huber_loss_and_gradient`` returns a
    gradient sized by the new data (2 values): scipy's native L-BFGS-B reads and writes 8 MB
    past it. glibc aborts ("malloc_consolidate(): unaligned fastbin chunk detected" /
    "corrupted double-linked list"), plain pickle and load_unsigned alike; scan SAFE. The
    rt33-20 fix refuses warm_start only on ElasticNet and its subclasses."""
    path = write(tmp_path, _rt34_11_huber_warm_start(10**6))
    # memory corruption: whether it faults depends on the heap, so fresh interpreters
    plain = until_crash(lambda: _child(PLAIN_CALL.format(call=_HUBER_CALL), path, fresh=True))
    assert plain.crashed, str(plain)
    _assert_safeload_refuses(path, _HUBER_CALL)
