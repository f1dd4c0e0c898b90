"""Red team 61 (helper-112, START 04:54:44, END 05:39:51 UTC 2026-12-03): ten findings.
rt61-01 to -07 and -09 were fixed during the round and are regression tests; rt61-08 (pandas
at protocols 0-1) is kept as a documented refusal, its test pinning it; rt61-10 (a compressed
joblib file buying stored bytes) was fixed after it, as the others.

"pure" is the snapshot of /work/main at e06c03f in /tmp/rt61p (SAFELOAD_PURE_PYTHON=1; rt61-09
and -10 at cc777c2 in /tmp/rt61q); "compiled" is /work/main's .venv build with
PYTHONPATH=/work/main/src (the working tree at the time). Status at ceeb696: rt61-01 to -07
fixed (their tests XPASS), rt61-08 kept refused and documented, rt61-09 and rt61-10 open.

rt61-01 (HARM: memory) rt60-10 with *distinct* copies: INPUT_WIDE / MAX_INPUT_COPIES charges
        the meetings past two of one stateless transformer (Normalizer, Binarizer, ...), but
        10,000 *distinct* unfitted ``Binarizer()`` in a FeatureUnion are each met once: 0
        input copies; each costs MEET_BYTES in both the "used" and the "stored" sums (ratio
        1), the objects-given-state bound (32 bytes' worth an object) passes at ~38 bytes a
        Binarizer (a Normalizer's ~31 bytes is refused), and a stateless transformer stores
        no width for RepeatedOutputs. 379 KB; ``transform`` of a (20, 1000) input (160 KB)
        makes 10,000 copies, 1.6 GB, and hstacks them. scan SAFE, load loads: pure and
        compiled. Found by asking what distinct copies buy that rt60-10's fix counts per
        instance.
rt61-02 (HARM: CPU, xgboost / lightgbm profiles) the whole-model "used" bound counts a
        Booster's trees at BOOSTER_TREE_BYTES = 4 KiB each per meeting (rt60-12's fix),
        whatever a tree's depth: a tree's work per row is its depth, not 4 KiB. One
        XGBClassifier whose single tree is a valid chain of depth 20,000 (breadth-first order:
        node 2k splits at k + 0.5, its left child a leaf, its right the next split; xgboost's
        checks hold: every node reached once), met 200 times as the step of 200 distinct
        Pipelines in a VotingClassifier (one booster holder, so shared_native_problem passes):
        1.4 MB; "used" 200 x (4 KiB + 4 KiB) is far under 64 MiB. ``predict`` of 100 rows 2.8 s
        CPU (one voter: 0.014 s), 2,000 rows ~55 s; killed at 3 s under plain pickle. LightGBM
        alike (one tree of 20,001 leaves, a chain; 1.2 MB; 1.3 s for 100 rows). scan SAFE, load
        loads (profiles=[lib]): pure (e06c03f) and compiled (b0d77fa). Found by asking what a
        tree's 4 KiB does not pay for.
rt61-03 (HARM: crash / CPU, xgboost / lightgbm profiles) the same single chain tree, no
        repetition: the boosters' dumps recurse per level. ``get_booster().get_dump()`` and
        ``trees_to_dataframe()`` segfault (stack overflow) at depth 20,000, and get_dump is
        super-linear below that (depth 1,000: 0.4 s, 2,000: 6.6 s, 3,000: 18.7 s, 5,000: > 120 s);
        LightGBM's ``booster_.dump_model()`` and ``trees_to_dataframe()`` segfault at depth
        20,000 (RecursionError in json at 2,000-5,000). Nothing bounds a booster tree's depth
        (xgboost_model / lightgbm_text check that each node is reached once). scan SAFE, load
        loads: pure and compiled. Found while timing rt61-02.
rt61-04 (HONEST-REFUSED, lightgbm profile) a LightGBM Booster loaded from its own model
        file (``lgb.Booster(model_file="model.txt")``, the documented way to reload one) and
        pickled or joblib-dumped is refused: LightGBM fills ``params`` with every parameter of
        the file's ``parameters:`` section, defaults included (``tree_learner: serial``,
        ``local_listen_port: 12400``, ``num_machines: 1``, ``time_out: 120``, ``header``,
        ``two_round``, ``pre_partition``), and LIGHTGBM_FORBIDDEN refuses the names whatever
        their value. The same booster straight from ``lgb.train`` loads. Pure and compiled.
        Found while building rt61-02's LightGBM chain with ``Booster(model_str=...)``.
rt61-05 (TRUST, low) rt60-05's kind, more Ed25519 public-key forms with fixed heads accepted
        as HMAC secrets: Tor's ``hs_ed25519_public_key`` file (a 32-byte tag ``== ed25519v1-
        public: type0 ==``, then the key; 64 bytes), a W3C ``did:key:z6Mk...`` and its bare
        multibase ``z6Mk...`` (base58btc of multicodec 0xed01 + key), a libp2p peer id
        (``12D3KooW...``), and a DNSKEY record as ``dig +multi`` and BIND zone files print it
        (the key inside parentheses: ``_DNSKEY`` wants the base64 right after the algorithm).
        Pure and compiled. Found by listing Ed25519 public-key encodings after rt60-05.
rt61-06 (HARM: memory) rt61-01 with fitted transformers that store no width: a fitted
        ``StandardScaler(with_mean=False, with_std=False)`` (mean_, var_, scale_ None;
        n_samples_seen_ an int) or ``RobustScaler(with_centering=False, with_scaling=False)``
        is not in INPUT_WIDE and stores only ``n_features_in_`` (``TfidfTransformer(use_idf=
        False)`` alike: no ``idf_``). 10,000 distinct ones of 200
        features in a FeatureUnion: 500 KB; the names bound allows 2,000,000 names (1,000
        features are refused by it); ``transform`` of a (100, 200) input (160 KB) makes
        10,000 copies, 1.6 GB, then hstack. scan SAFE, load loads: pure and compiled with the
        maintainer's working-tree fix for rt61-01 (which refuses rt61-01's Binarizers).
        Found by asking which fitted transformers are as wide as their input and store nothing.
rt61-07 (HONEST-REFUSED, lightgbm profile) ``OneVsRestClassifier(LGBMClassifier())``, the
        documented way to get one-vs-rest LightGBM (2 or 3 classes), is refused: "a
        OneVsRestClassifier estimator has a decision function of a kind not known to score one
        column" (labels._decision_columns_problem knows scikit-learn's boosting families,
        not LightGBM's binary wrapper, whose raw score is one column). OneVsOne, output-code
        and OneVsRest over XGBClassifier load. Pure and compiled. Found by a sweep of booster
        ensembles (voting, stacking, bagging, calibration, frozen, chains, grid search, dart,
        rf, multi-class, dict bundles: all others load).
rt61-08 (HONEST-REFUSED, low; pandas / category_encoders profiles) a DataFrame or Series
        pickled with protocol 0 or 1 (``pickle.dumps(obj, 0)``, what Python 2-era code and
        text-protocol callers write) is refused before loading: "pandas.DataFrame made by
        copyreg._reconstructor: pandas pickles make it only one way". Below protocol 2,
        ``object.__reduce_ex__`` writes ``copyreg._reconstructor(cls, object, None)`` and a
        BUILD of the pandas state, which is pandas' own pickle at those protocols; a
        category_encoders OrdinalEncoder (its mapping Series) alike. scikit-learn models
        with only numpy state load at protocols 0 and 1. Pure and compiled. Found by a sweep
        of honest objects over protocols 0-5 and joblib (numpy, scipy, pandas, small shared
        arrays and scalars: all others load).
rt61-09 (PARITY, lightgbm profile; new at 7e156c7) rt61-02's fix counts a LightGBM
        Booster's nodes with ``text_nodes``: every line ``num_leaves=N`` anywhere in the model
        text, MULTILINE. The text's ``feature_importances:`` section (after ``end of trees``)
        is ``<feature name>=<split count>``, so a feature named ``num_leaves`` writes such a
        line. scan reads the stream's text; load reads ``model_to_string()`` of the built
        Booster, which LightGBM writes again from the real trees. A VotingClassifier of 10
        Pipelines over one 3-tree LGBMClassifier whose stream text says
        ``num_leaves=999999999`` in that section (9 KB): scan counts 2e9 nodes, "met
        1,408,000,328,400 bytes' worth ... (a load refuses it)", and load loads. The other
        direction (stored bytes inflated by 128 GB in scan only, so scan passes what load's
        "used" bound refuses) is the same miscount with more meetings of real work; and an
        honest model with a feature named ``num_leaves`` is over-counted on both sides.
        Compiled and pure at cc777c2. Found by reading the fix.
rt61-10 (HARM: memory; against 7e156c7's fix for rt61-06) the fix counts one-to-one
        transformers "fitted without arrays"; a no-op StandardScaler fitted on data with a
        NaN keeps ``n_samples_seen_`` as one count per feature, a (200,) int64 array, so it
        counts as paid. 10,000 distinct such scalers in a FeatureUnion: 16.7 MB as a pickle,
        160 KB with ``joblib.dump(compress=3)`` (the counts are identical and compress ~100x);
        the whole-model bounds count the decompressed 16 MB as stored, and distinct
        instances met once add nothing to RepeatedOutputs. ``transform`` of a (100, 200)
        input makes 10,000 copies (1.6 GB, MemoryError under 1 GB). scan SAFE, load loads:
        pure and compiled at cc777c2. Found by asking what an array makes "paid" after the
        fix.
"""

# ruff: noqa: E501
from __future__ import annotations

import pickle

import numpy as np
import pytest

from redteam import (
    GB,
    HANG_CPU,
    HEAVY_IMPORTS,
    PLAIN_CALL,
    PLAIN_JOBLIB_CALL,
    assert_refused,
    assert_refused_with,
    assert_scan_predicts_load,
    base58,
    child,
    compressed_joblib,
    lightgbm_chain,
    memory_harm_file,
    run_child,
    write,
    xgboost_chain,
)

# --- rt61-01: 10,000 distinct unfitted Binarizers in a FeatureUnion -----------------------------


def test_rt61_01_distinct_stateless_copies(tmp_path):
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import Binarizer

    # (the round used 10,000 and a (20, 1000) input; 3,000 and (70, 1000) show it sooner)
    union = FeatureUnion([(f"b{i}", Binarizer()) for i in range(3_000)])
    data = pickle.dumps(union, protocol=5)
    path = memory_harm_file(
        tmp_path, data, "model.transform(numpy.ones((70, 1000)))", limit=400_000
    )
    assert_refused(path)


# --- rt61-02 / rt61-03: an xgboost tree that is a chain of depth 20,000 ---------------------------


def _voting_over_chain_pipelines(lib: str = "xgboost", copies: int = 200):
    from sklearn.ensemble import VotingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.utils import Bunch

    if lib == "xgboost":
        from xgboost import XGBClassifier as Classifier

        clf = xgboost_chain(20_000)
    else:
        from lightgbm import LGBMClassifier as Classifier

        clf = lightgbm_chain(20_000)
    X = np.random.RandomState(0).rand(50, 1)
    model = VotingClassifier([("m0", clf)]).fit(X, (X[:, 0] > 0.5).astype(int))
    model.estimators = [(f"m{i}", Pipeline([("m", Classifier())])) for i in range(copies)]
    model.estimators_ = [Pipeline([("m", clf)]) for _ in range(copies)]  # one booster holder
    model.named_estimators_ = Bunch(m0=model.estimators_[0])
    return model


@pytest.mark.parametrize("lib", ["xgboost", "lightgbm"])
def test_rt61_02_deep_booster_tree_repeated(tmp_path, lib):
    pytest.importorskip(lib)
    path = write(tmp_path, pickle.dumps(_voting_over_chain_pipelines(lib), protocol=5))
    call = "model.predict(numpy.full((2000, 1), 1e9))"
    # HANG_CPU of CPU after the imports shows the spin (the library's import is not the harm)
    imports = (*HEAVY_IMPORTS, lib)
    code = PLAIN_CALL.format(call=call)
    plain = run_child(code, path, grow=3 * GB, cpu=HANG_CPU, timeout=180, imports=imports)
    assert plain.crashed and "loaded" in plain.stdout, str(plain)  # SIGXCPU
    assert "call done" not in plain.stdout, str(plain)
    assert_refused_with(path, [lib])


@pytest.mark.parametrize(
    ("lib", "call"),
    [
        ("xgboost", "model.get_booster().get_dump()"),
        ("xgboost", "model.get_booster().trees_to_dataframe()"),
        ("lightgbm", "model.booster_.dump_model()"),
        ("lightgbm", "model.booster_.trees_to_dataframe()"),
    ],
)
def test_rt61_03_deep_booster_tree_dump_crashes(tmp_path, lib, call):
    pytest.importorskip(lib)
    clf = xgboost_chain(20_000) if lib == "xgboost" else lightgbm_chain(20_000)
    path = write(tmp_path, pickle.dumps(clf, protocol=5))
    plain = child(PLAIN_CALL.format(call=call), path, cpu=20)
    assert plain.crashed and "call done" not in plain.stdout, str(plain)  # SIGSEGV
    assert_refused_with(path, [lib])


# --- rt61-04: a LightGBM Booster loaded from its model file, pickled -----------------------------


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_rt61_04_lightgbm_booster_from_model_file(tmp_path, dump):
    lgb = pytest.importorskip("lightgbm")
    import joblib

    import safeload

    rng = np.random.RandomState(0)
    X = rng.rand(300, 3)
    trained = lgb.train(
        {"objective": "binary", "verbose": -1},
        lgb.Dataset(X, (X[:, 0] > 0.5).astype(int)),
        num_boost_round=5,
    )
    trained.save_model(tmp_path / "model.txt")
    booster = lgb.Booster(model_file=tmp_path / "model.txt")  # params: every parameter, defaults
    path = tmp_path / ("m.pkl" if dump == "pickle" else "m.joblib")
    if dump == "pickle":
        path.write_bytes(pickle.dumps(booster))
    else:
        joblib.dump(booster, path)
    assert safeload.scan(path, profiles=["lightgbm"]).safe
    loaded = safeload.load_unsigned(path, profiles=["lightgbm"])
    assert loaded.num_trees() == 5


# --- rt61-05: more Ed25519 public-key forms with fixed heads -------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _more_public_keys() -> dict[str, bytes]:
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = (
        ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    b64 = base64.b64encode(key).decode()
    return {
        # Tor's hidden-service key file hs_ed25519_public_key: a 32-byte tag, then the key
        "tor": b"== ed25519v1-public: type0 ==\x00\x00\x00" + key,
        # W3C did:key and its multibase body (base58btc of multicodec 0xed01 + key: "z6Mk")
        "did_key": ("did:key:z" + base58(b"\xed\x01" + key)).encode(),
        "multibase": ("z" + base58(b"\xed\x01" + key)).encode(),
        # a libp2p peer id (identity multihash of the protobuf public key: "12D3KooW")
        "libp2p": base58(b"\x00\x24\x08\x01\x12\x20" + key).encode(),
        # `dig +multi DNSKEY` (and BIND zone files): the key inside parentheses
        "dnskey_multi": (
            "example.com.\t\t3600 IN DNSKEY 257 3 15 (\n\t\t\t\t" + b64 + "\n\t\t\t\t) ; KSK; "
            "alg = ED25519 ; key id = 12345\n"
        ).encode(),
    }


@pytest.mark.parametrize("form", ["tor", "did_key", "multibase", "libp2p", "dnskey_multi"])
def test_rt61_05_more_public_key_forms(form):
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    with pytest.raises(KeyFormatError):
        HMACKey(_more_public_keys()[form])


# --- rt61-06: 10,000 distinct fitted no-op scalers in a FeatureUnion -------------------------------


@pytest.mark.parametrize("kind", ["standard", "robust", "tfidf"])
def test_rt61_06_distinct_fitted_noop_scalers(tmp_path, kind):
    import copy

    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import RobustScaler, StandardScaler

    X = np.ones((3, 200))
    if kind == "standard":
        one = StandardScaler(with_mean=False, with_std=False).fit(X)  # stores no array
    elif kind == "robust":
        one = RobustScaler(with_centering=False, with_scaling=False).fit(X)
    else:
        one = TfidfTransformer(use_idf=False).fit(X)  # stores no idf_
    # (the round used 10,000 and a (100, 200) input; 1,500 and (700, 200) show it sooner)
    union = FeatureUnion([(f"s{i}", copy.deepcopy(one)) for i in range(1_500)])
    data = pickle.dumps(union, protocol=5)
    path = memory_harm_file(
        tmp_path, data, "model.transform(numpy.ones((700, 200)))", limit=600_000
    )
    assert_refused(path)


# --- rt61-07: OneVsRestClassifier(LGBMClassifier()) -------------------------------------------------


@pytest.mark.parametrize("classes", [2, 3])
def test_rt61_07_one_vs_rest_lightgbm(tmp_path, classes):
    pytest.importorskip("lightgbm")
    from lightgbm import LGBMClassifier
    from sklearn.multiclass import OneVsRestClassifier

    import safeload

    rng = np.random.RandomState(0)
    X, y = rng.rand(300, 5), np.arange(300) % classes
    model = OneVsRestClassifier(
        LGBMClassifier(n_estimators=5, num_leaves=7, n_jobs=1, verbose=-1)
    ).fit(X, y)
    path = write(tmp_path, pickle.dumps(model))
    assert safeload.scan(path, profiles=["lightgbm"]).safe
    loaded = safeload.load_unsigned(path, profiles=["lightgbm"])
    assert (loaded.predict(X[:20]) == model.predict(X[:20])).all()


# --- rt61-08: pandas objects pickled with protocol 0 or 1 ----------------------------------------------


@pytest.mark.parametrize("protocol", [0, 1])
@pytest.mark.parametrize("kind", ["frame", "series", "encoder"])
def test_rt61_08_pandas_low_protocols(tmp_path, protocol, kind):
    """Once a documented limit (pandas objects refused at protocols 0 and 1); since rt111-03
    ``copyreg._reconstructor(cls, object, None)`` is read as protocol 2's NEWOBJ without
    arguments, and pandas objects load at every protocol."""
    import pandas as pd

    import safeload

    profiles = ["pandas"]
    if kind == "frame":
        obj = pd.DataFrame({"a": [0.5, 1.5], "b": ["x", "y"]})
    elif kind == "series":
        obj = pd.Series([1, 2, 3])
    else:
        ce = pytest.importorskip("category_encoders")
        obj = ce.OrdinalEncoder(cols=["b"]).fit(pd.DataFrame({"b": ["x", "y", "x"]}))
        profiles = ["category_encoders"]
    path = write(tmp_path, pickle.dumps(obj, protocol=protocol))
    assert safeload.scan(path, profiles=profiles).safe
    assert type(safeload.load_unsigned(path, profiles=profiles)) is type(obj)
    newer = write(tmp_path, pickle.dumps(obj, protocol=2), "p2.pkl")
    assert safeload.scan(newer, profiles=profiles).safe
    safeload.load_unsigned(newer, profiles=profiles)


# --- rt61-09: a LightGBM text's feature importance line "num_leaves=N" counted as a tree ----------


def _lightgbm_importance_named_num_leaves(copies: int = 10, fake: str = "999999999") -> bytes:
    import re

    import lightgbm as lgb
    import pandas as pd
    from lightgbm import LGBMClassifier
    from sklearn.ensemble import VotingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.utils import Bunch

    rng = np.random.RandomState(0)
    X = pd.DataFrame(rng.rand(300, 2), columns=["num_leaves", "b"])  # a feature so named
    y = (X["num_leaves"] > 0.5).astype(int).values
    clf = LGBMClassifier(n_estimators=3, num_leaves=3, n_jobs=1, verbose=-1).fit(X, y)
    model = VotingClassifier([("m0", clf)]).fit(X, y)
    model.estimators = [(f"m{i}", Pipeline([("m", LGBMClassifier())])) for i in range(copies)]
    model.estimators_ = [Pipeline([("m", clf)]) for _ in range(copies)]
    model.named_estimators_ = Bunch(m0=model.estimators_[0])
    original = lgb.basic.Booster.model_to_string

    def written(self, *args, **kwargs):
        # the feature_importances section after "end of trees": "<feature name>=<splits>"
        text = original(self, *args, **kwargs)
        return re.sub(r"(feature_importances:\nnum_leaves=)\d+", r"\g<1>" + fake, text)

    lgb.basic.Booster.model_to_string = written
    try:
        return pickle.dumps(model, protocol=5)
    finally:
        lgb.basic.Booster.model_to_string = original


def test_rt61_09_importance_line_counted_as_tree(tmp_path):
    pytest.importorskip("lightgbm")
    data = _lightgbm_importance_named_num_leaves()
    assert b"feature_importances:\nnum_leaves=999999999" in data
    assert_scan_predicts_load(data, tmp_path, profiles=["lightgbm"])


# --- rt61-10: rt61-06 with an n_samples_seen_ array, joblib-compressed -------------------------------


def test_rt61_10_compressed_noop_scalers(tmp_path):
    import copy

    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import StandardScaler

    X = np.ones((3, 200))
    X[0, 0] = np.nan  # a NaN in fit: n_samples_seen_ is one count per feature, an array
    one = StandardScaler(with_mean=False, with_std=False).fit(X)
    assert one.n_samples_seen_.shape == (200,)
    # (the round used 10,000 and a (100, 200) input; 3,000 and (350, 200) show it sooner)
    union = FeatureUnion([(f"s{i}", copy.deepcopy(one)) for i in range(3_000)])
    path = compressed_joblib(tmp_path, union, 200_000)
    program = PLAIN_JOBLIB_CALL.format(call="model.transform(numpy.ones((350, 200)))")
    shown = child(program, path, memory=GB // 2, cpu=30, timeout=60)
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    import safeload

    assert not safeload.scan(path).safe
    with pytest.raises(safeload.SafeloadError):
        safeload.load_unsigned(path)


def test_rt61_10_honest_per_column_scalers(tmp_path):
    """A column transformer scaling each of 300 columns on its own (what generated pipelines
    write), and a union of three scalers, load: 300 and 3 input copies."""
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import MinMaxScaler, RobustScaler, StandardScaler

    import safeload

    X = np.random.RandomState(0).rand(20, 300)
    per_column = ColumnTransformer([(f"s{i}", StandardScaler(), [i]) for i in range(300)]).fit(X)
    union = FeatureUnion(
        [("a", StandardScaler()), ("b", RobustScaler()), ("c", MinMaxScaler())]
    ).fit(X)
    for model in (per_column, union):
        path = write(tmp_path, pickle.dumps(model, protocol=5))
        assert safeload.scan(path).safe
        assert safeload.load_unsigned(path).transform(X[:2]).shape[0] == 2
