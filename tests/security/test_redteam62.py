"""Red team 62 (helper-113, START 07:06:47, END 07:51:44 UTC 2026-12-03): eleven findings.
Ten were fixed during the round or just after it (0127cb1, b4255bc, 08b1550, the commit after
it, 6536673); rt62-03 is kept as a documented refusal, its test pinning it. Each test now
asserts the safe behaviour as a regression test; the maintainer's cases follow them. A HARM
test first shows the harm under plain pickle or joblib in a child under limits.

"pure" is the snapshot of /work/main at 660291a in /tmp/rt62p (SAFELOAD_PURE_PYTHON=1);
"compiled" is /work/main's .venv build with PYTHONPATH=/work/main/src (the working tree at
the time). rt62-07, -08 and -11 are against the maintainer's uncommitted working-tree fixes
of rt62-01/-05 (snapshots /tmp/rt62q, /tmp/rt62r, /tmp/rt62s); 660291a refused their files.

rt62-01 (HARM: memory; against the rt61-06/rt61-10 fix) ONE_TO_ONE lists the scalers,
        imputers and TF-IDF, not the feature selectors, whose ``transform`` is ``X[:, mask]``,
        a full copy when every feature is kept. 3,000 (the test: 1,500) distinct fitted ``VarianceThreshold()``
        (``variances_`` all ones: every feature kept) or ``SelectKBest(k="all")`` in a
        FeatureUnion, ``joblib.dump(compress=3)``: 46 KB / 84 KB (the statistics compress
        ~100x, as rt61-10's counts did). ``transform`` of a (350, 200) input makes 3,000
        copies (1.7 GB, MemoryError under 1.5 GB). scan SAFE, load loads: pure and compiled.
        ``KBinsDiscretizer(encode="ordinal")`` and ``OrdinalEncoder`` fitted on two rows
        (138 KB, 151 KB) and ``SelectPercentile(percentile=100)`` also load (scan SAFE) and
        give the input's width; their transform loops per feature in Python, so their copies
        are slow to show (70 s for 1,500; not in the test). Found by asking
        which other transformers return their input's width.
rt62-02 (HARM: CPU, xgboost / lightgbm profiles; against the rt61-02/-03 fixes) the depth bounds
        (xgboost 256 levels, LightGBM 1,024) and BOOSTER_NODE_BYTES (64 a node) price a tree
        by its nodes, as ``predict`` walks it; TreeSHAP (LightGBM ``predict(pred_contrib=True)``
        on the scikit-learn wrapper itself, xgboost ``Booster.predict(pred_contribs=True)`` /
        ``pred_interactions=True``) costs O(leaves x depth^2) a tree and row (times the
        features for interactions) when the path's features are distinct. One LGBMClassifier
        whose single tree is a chain of depth 1,000 splitting features 0..999 (124 KB):
        ``predict(X, pred_contrib=True)`` takes 2.5 s CPU a row (plain predict of 1,000 rows:
        4 ms). One XGBClassifier whose tree is a chain of depth 250 on features 0..249
        (22 KB): ``get_booster().predict(DMatrix(X), pred_interactions=True)`` 16.8 s a row
        (pred_contribs 0.04 s a row a tree: 100 such trees, 4 s a row). scan SAFE, load loads:
        pure and compiled. Found by asking what a deep tree's 64 bytes a node do not pay for.
rt62-03 (HONEST-REFUSED, low) scikit-learn's neighbours estimators accept a fitted
        ``NearestNeighbors`` (or any fitted neighbours estimator) as ``X`` in ``fit``
        (``NeighborsBase._fit``: ``isinstance(X, NeighborsBase)`` takes its ``_fit_X`` and
        ``_tree``, the way to build several models over one index without building it again).
        Such a model keeps no ``n_features_in_`` and is refused: "fitted neighbours without an
        int n_features_in_"; a KNeighborsClassifier and a KNeighborsRegressor over one index,
        saved in a dict, are also refused by the new shared_native_problem ("held by 2
        objects", scan) although each walks its own queries once. Pure and compiled. Found
        by listing the ways scikit-learn itself gives two estimators one native part.
rt62-04 (TRUST, low) rt60-05 / rt61-05's kind, more Ed25519 public-key text forms with a
        checkable head or checksum accepted as HMAC secrets: bech32 written upper case (BIP 173
        allows it, QR codes use it: ``NPUB1...``, ``AGE1...``; ``_BECH32`` and the age/npub
        pattern read lower case only); Cardano verification keys (CIP-5 ``addr_vk1``,
        ``stake_vk1``, ``drep_vk1``: the human-readable part says ``vk``, not ``pub``/``pk``);
        an Algorand address (58 base32 characters: the key and the last 4 bytes of its
        SHA-512/256, a 32-bit check as strong as Stellar's CRC16 is weak); and a Tor v3 onion
        address in upper case (``...D.ONION``) or without ``.onion`` (the 56 characters carry
        a SHA3 checksum and version 3). Pure and compiled. Found by listing Ed25519 key
        encodings after rt61-05.
rt62-05 (HONEST-REFUSED; against the rt61-01/-06/-10 fix) MAX_INPUT_COPIES counts every
        one-to-one transformer's meetings as a copy of the whole input, whether it sees one
        column (a ColumnTransformer) or its copy is dropped before the next (a bagging
        ensemble predicts one member at a time). A ColumnTransformer scaling each of 600
        columns on its own (``[(f"c{i}", StandardScaler(), [i]) ...]``, what generated
        pipelines and per-column strategies write) is counted 1,200 copies (each scaler is met
        through ``transformers_`` and again, it seems, through ``named_transformers_``), and
        refused, though the code's own comment says "a column transformer scaling each of
        1,000 columns on its own is 1,000"; its output is the input's width. A
        ``BaggingClassifier(make_pipeline(StandardScaler(), DecisionTreeClassifier()),
        n_estimators=1100)`` is counted 1,102 copies and refused, though it holds at most one
        scaled copy at a time (600 members of an imputer + scaler pipeline alike, 1,204).
        Pure and compiled. Found by asking what honest models the new count adds up.
rt62-06 (HARM: memory, xgboost profile) ``Booster.predict(pred_interactions=True)`` gives
        rows x (num_feature + 1)^2 values, and nothing in the model pays for num_feature: an
        XGBRegressor fitted on a (20, 20000) input with one depth-1 tree is a 4.8 KB pickle
        (scan SAFE, load loads), and ``get_booster().predict(DMatrix(numpy.zeros((1,
        20000))), pred_interactions=True)`` (a 160 KB input, one row) asks for 1.6 GB
        (``XGBoostError: std::bad_alloc`` under a 1.5 GB limit; with the memory, it takes it).
        A crafted blob can say any num_feature. Pure and compiled. Found while timing rt62-02.
rt62-07 (HARM: memory; against the maintainer's working-tree fix for rt62-05, not yet
        committed at 660291a) the fix allows one input copy per 1,024 bytes of the file past
        MAX_INPUT_COPIES; a copy costs the caller's input size, which the file does not
        bound, so a file of N KB makes N copies of any input. rt61-10's own construct,
        uncompressed: 3,000 distinct no-op StandardScalers fitted on data with a NaN (each
        keeps a (200,) ``n_samples_seen_``) in a FeatureUnion, a 5.0 MB pickle (4,900 copies
        allowed): scan SAFE, load loads (pure snapshot of the working tree in /tmp/rt62q, and
        compiled); ``transform`` of a (350, 200) input (560 KB) makes 3,000 copies, 1.7 GB
        (MemoryError under 1 GB). At 660291a it was refused (3,000 > 1,024). The bytes that
        pay need not be the transformers': any 3 MB array in the model buys 3,000 unfitted
        Binarizers (rt61-01's). (The test: 2,000 scalers, 3.3 MB, a (525, 200) input.) Found by
        reading the fix.
rt62-08 (HONEST-REFUSED; against the working-tree fix for rt62-05) one copy per KB of file
        does not pay for honest ensembles of small pipelines: ``BaggingClassifier(
        make_pipeline(SimpleImputer(), VarianceThreshold(), StandardScaler(),
        DecisionTreeClassifier(max_depth=2)), n_estimators=500)`` is a 554 KB pickle counted
        1,500 input copies (three one-to-one steps a member, now that selectors count) and
        refused (at most 1,024). A bagging ensemble predicts one member at a time: it never
        holds more than one member's copies. Pure snapshot of the working tree (/tmp/rt62q).
        Found by reading the fix.
rt62-09 (TRUST, low; rt61-05 / rt62-04's kind, at HEAD and with the working-tree fix)
        Ed25519 public keys with fixed text heads still accepted as HMAC secrets: NEAR's
        ``ed25519:<base58 key>`` (the key type spelled out); an IPNS name of an Ed25519 key
        (a CIDv1 of the libp2p key: base36 ``k51qzi5uqu5...``, base32 ``bafzaa...``, and as
        ``/ipns/k51...``; rt61-05 refused the libp2p peer id ``12D3KooW`` only); and the
        multicodec key (0xed01) in the other multibase encodings (``f`` hex ``fed01...``,
        ``u`` base64url ``u7QE...``, ``b`` base32 ``b5uaq...``; only ``z6Mk`` is refused).
        Found by listing Ed25519 key encodings after rt62-04.
rt62-10 (PARITY, lightgbm profile) ``booster_nodes`` reads a built LightGBM Booster's
        nodes from ``model_to_string()``, whose default ``num_iteration=None`` is the
        Booster's ``best_iteration``: only the trees up to it. scan reads the stream's text,
        which LightGBM's ``__getstate__`` writes with ``num_iteration=-1`` (every tree). A
        VotingClassifier of 200 Pipelines over one LGBMClassifier of 11 trees of ~950 leaves
        with ``best_iteration = 1`` (what early stopping leaves; 1.1 MB): scan "met
        273,614,976 bytes' worth ... (a load refuses it)", load loads. (With best_iteration
        0 both refuse.) Pure (working tree, /tmp/rt62q) and compiled. Found by reading which
        arguments the count's re-serialisation takes.
rt62-11 (HARM: memory, pandas profile; against the maintainer's working-tree
        ``peak_input_copies``, not committed at 660291a) a column transformer's branch is
        weighted by ``len(columns) / n_features_in_``, and ``n_features_in_`` is the file's:
        ColumnTransformer.transform checks it against the input only for arrays; fitted on a
        DataFrame (``feature_names_in_``), a frame input is checked by column names. 1,500
        branches, each a fitted no-op StandardScaler over all 200 named columns, with
        ``n_features_in_ = 200_000``: each branch counts 0.001 copies (1.5 in all), 1.5 MB;
        scan SAFE, load loads (profiles=["pandas"]; with n_features_in_ 200 both refuse,
        "1,500 copies"). Holding n_features_in_ to ``feature_names_in_`` is not enough: with
        20,000 names of which the branches read 20, a frame of just those 20 columns passes
        the missing-names check (it covers the columns the branches use) and the model
        loads too. ``transform`` of a (700, 200) frame makes 1,500 copies (1.7 GB,
        MemoryError under 1 GB; the test: 1,100 branches of 20 columns, n_features_in_ 20,000,
        a (10000, 20) frame). Pure snapshot
        of the working tree (/tmp/rt62r). Found by
        reading the fix.
"""

# ruff: noqa: E501
from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from redteam import (
    GB,
    HANG_CPU,
    HEAVY_IMPORTS,
    PLAIN_CALL,
    assert_refused_with,
    assert_scan_predicts_load,
    base58,
    bech32,
    child,
    compressed_joblib,
    joblib_memory_harm,
    lightgbm_chain,
    run_child,
    write,
    xgboost_chain,
)

# --- rt62-01: 3,000 distinct keep-everything feature selectors, joblib-compressed ---------------


@pytest.mark.parametrize("kind", ["variance", "kbest"])
def test_rt62_01_keep_all_selectors(tmp_path, kind):
    from sklearn.feature_selection import SelectKBest, VarianceThreshold, f_classif
    from sklearn.pipeline import FeatureUnion

    X = np.random.RandomState(0).rand(6, 200)
    if kind == "variance":
        one = VarianceThreshold().fit(X)
        one.variances_ = np.ones(200)  # every feature kept
    else:
        one = SelectKBest(f_classif, k="all").fit(X, np.arange(6) % 2)
        one.scores_, one.pvalues_ = np.ones(200), np.ones(200)
    union = FeatureUnion([(f"s{i}", copy.deepcopy(one)) for i in range(1_500)])
    path = compressed_joblib(tmp_path, union, 160_000)
    joblib_memory_harm(path, "model.transform(numpy.ones((700, 200)))")
    assert_refused_with(path)


# --- rt62-02: TreeSHAP over one deep chain of distinct features ----------------------------------


@pytest.mark.parametrize("lib", ["xgboost", "lightgbm"])
def test_rt62_02_deep_chain_shap(tmp_path, lib):
    pytest.importorskip(lib)
    if lib == "xgboost":
        model = xgboost_chain(250, features=250, always_right=True)
        call = (
            "model.get_booster().predict(__import__('xgboost').DMatrix(numpy.zeros((10, 250))),"
            " pred_interactions=True)"
        )  # 16.8 s CPU a row
    else:
        model = lightgbm_chain(1000, features=1000, always_right=True)
        call = "model.predict(numpy.zeros((100, 1000)), pred_contrib=True)"  # 2.5 s a row
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    # HANG_CPU of CPU after the imports shows the spin (the library's import is not the harm)
    imports = (*HEAVY_IMPORTS, lib)
    code = PLAIN_CALL.format(call=call)
    plain = run_child(code, path, grow=3 * GB, cpu=HANG_CPU, timeout=180, imports=imports)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path, [lib])


# --- rt62-03: neighbours estimators fitted on a fitted NearestNeighbors ------------------------------


@pytest.mark.parametrize("shape", ["one", "pair"])
def test_rt62_03_knn_fitted_on_an_index(tmp_path, shape):
    """Kept as a documented refusal (SECURITY.md): a neighbours estimator fitted on a fitted
    index keeps no ``n_features_in_``, and without it scikit-learn checks no query's width
    (rt33-01's out-of-bounds read); two estimators over one index are two holders of one
    native part. Both are refused with the reason, by scan and load alike; fitting each on
    the samples themselves loads."""
    from sklearn.neighbors import (
        KNeighborsClassifier,
        KNeighborsRegressor,
        NearestNeighbors,
    )

    import safeload

    rng = np.random.RandomState(0)
    X = rng.rand(200, 3)
    y = (X[:, 0] > 0.5).astype(int)
    index = NearestNeighbors(n_neighbors=5, algorithm="kd_tree").fit(X)
    clf = KNeighborsClassifier(algorithm="kd_tree").fit(index, y)
    obj = clf
    if shape == "pair":
        obj = {"clf": clf, "reg": KNeighborsRegressor(algorithm="kd_tree").fit(index, X[:, 1])}
    path = write(tmp_path, pickle.dumps(obj, protocol=5))
    assert not safeload.scan(path).safe
    with pytest.raises(safeload.SafeloadError, match="n_features_in_"):
        safeload.load_unsigned(path)
    honest = {
        "clf": KNeighborsClassifier(algorithm="kd_tree").fit(X, y),
        "reg": KNeighborsRegressor(algorithm="kd_tree").fit(X, X[:, 1]),
    }
    path = write(tmp_path, pickle.dumps(honest, protocol=5))
    loaded = safeload.load_unsigned(path)
    assert (loaded["clf"].predict(X[:20]) == honest["clf"].predict(X[:20])).all()


# --- rt62-04: more Ed25519 public-key text forms -----------------------------------------------------


def _ed25519_text_forms() -> dict[str, bytes]:
    import base64
    import hashlib

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = (
        ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    onion = base64.b32encode(
        key + hashlib.sha3_256(b".onion checksum" + key + b"\x03").digest()[:2] + b"\x03"
    ).decode()
    algorand = key + hashlib.new("sha512_256", key).digest()[-4:]
    return {
        "npub_upper": bech32("npub", key).upper().encode(),
        "age_upper": bech32("age", key).upper().encode(),
        "cardano_addr_vk": bech32("addr_vk", key).encode(),
        "cardano_stake_vk": bech32("stake_vk", key).encode(),
        "algorand": base64.b32encode(algorand).decode().rstrip("=").encode(),
        "onion_upper": (onion + ".ONION").encode(),
        "onion_bare": onion.lower().encode(),
    }


@pytest.mark.parametrize(
    "form",
    [
        "npub_upper",
        "age_upper",
        "cardano_addr_vk",
        "cardano_stake_vk",
        "algorand",
        "onion_upper",
        "onion_bare",
    ],
)
def test_rt62_04_more_ed25519_text_forms(form):
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    with pytest.raises(KeyFormatError):
        HMACKey(_ed25519_text_forms()[form])


# --- rt62-05: honest models over MAX_INPUT_COPIES ----------------------------------------------------


def test_rt62_05_honest_input_copies(tmp_path):
    """The per-column case; the bagging case (1,100 scaled trees, ~8 s) is rt62-08's, with
    three copying steps a member."""
    from sklearn.compose import ColumnTransformer
    from sklearn.preprocessing import StandardScaler

    import safeload

    X = np.random.RandomState(0).rand(50, 600)
    model = ColumnTransformer([(f"c{i}", StandardScaler(), [i]) for i in range(600)]).fit(X)
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    report = safeload.scan(path)
    assert report.safe, report
    safeload.load_unsigned(path)


# --- rt62-06: SHAP interactions over a wide, tiny xgboost model --------------------------------------


def test_rt62_06_wide_xgboost_interactions(tmp_path):
    pytest.importorskip("xgboost")
    from xgboost import XGBRegressor

    X = np.random.RandomState(0).rand(20, 20_000)
    model = XGBRegressor(n_estimators=1, max_depth=1, n_jobs=1).fit(X, X[:, 0])
    data = pickle.dumps(model, protocol=5)
    assert len(data) < 10_000
    path = write(tmp_path, data)
    call = (
        "model.get_booster().predict(__import__('xgboost').DMatrix(numpy.zeros((1, 20000))),"
        " pred_interactions=True)"
    )
    shown = child(PLAIN_CALL.format(call=call), path, memory=1 << 30, cpu=30, timeout=60)
    assert "loaded" in shown.stdout and "call done" not in shown.stdout, str(shown)
    assert "bad_alloc" in shown.output or "MemoryError" in shown.output, str(shown)
    assert_refused_with(path, ["xgboost"])


# --- rt62-07: one input copy per KB of file: rt61-10 uncompressed -------------------------------------


def test_rt62_07_copies_paid_by_file_bytes(tmp_path):
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import StandardScaler

    from redteam import assert_refused, memory_harm_file

    X = np.ones((3, 200))
    X[0, 0] = np.nan  # n_samples_seen_ is one count per feature, an array
    one = StandardScaler(with_mean=False, with_std=False).fit(X)
    union = FeatureUnion([(f"s{i}", copy.deepcopy(one)) for i in range(1_100)])
    data = pickle.dumps(union, protocol=5)
    path = memory_harm_file(
        tmp_path, data, "model.transform(numpy.ones((525, 200)))", limit=6_000_000
    )
    assert_refused(path)


# --- rt62-08: a bagging ensemble of 500 small pipelines ----------------------------------------------


def test_rt62_08_bagged_small_pipelines(tmp_path):
    from sklearn.ensemble import BaggingClassifier
    from sklearn.feature_selection import VarianceThreshold
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    import safeload

    rng = np.random.RandomState(0)
    X = rng.rand(100, 5)
    member = make_pipeline(
        SimpleImputer(),
        VarianceThreshold(),
        StandardScaler(),
        DecisionTreeClassifier(max_depth=2),
    )
    model = BaggingClassifier(member, n_estimators=350, random_state=0)  # (the round: 500)
    model.fit(X, (X[:, 0] > 0.5).astype(int))
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    report = safeload.scan(path)
    assert report.safe, report
    assert (safeload.load_unsigned(path).predict(X) == model.predict(X)).all()


# --- rt62-09: NEAR, IPNS and other multibase Ed25519 keys ---------------------------------------------


def _b36(data: bytes) -> str:
    n, out = int.from_bytes(data, "big"), ""
    while n:
        n, r = divmod(n, 36)
        out = "0123456789abcdefghijklmnopqrstuvwxyz"[r] + out
    return out


def _multibase_forms() -> dict[str, bytes]:
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = (
        ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    # CIDv1, codec libp2p-key (0x72), identity multihash of the protobuf public key
    cid = b"\x01\x72\x00\x24\x08\x01\x12\x20" + key
    multicodec = b"\xed\x01" + key
    return {
        "near": ("ed25519:" + base58(key)).encode(),
        "ipns_base36": ("k" + _b36(cid)).encode(),
        "ipns_base32": ("b" + base64.b32encode(cid).decode().lower().rstrip("=")).encode(),
        "ipns_path": ("/ipns/k" + _b36(cid)).encode(),
        "multibase_hex": ("f" + multicodec.hex()).encode(),
        "multibase_base64url": (
            "u" + base64.urlsafe_b64encode(multicodec).decode().rstrip("=")
        ).encode(),
        "multibase_base32": (
            "b" + base64.b32encode(multicodec).decode().lower().rstrip("=")
        ).encode(),
    }


@pytest.mark.parametrize(
    "form",
    [
        "near",
        "ipns_base36",
        "ipns_base32",
        "ipns_path",
        "multibase_hex",
        "multibase_base64url",
        "multibase_base32",
    ],
)
def test_rt62_09_multibase_and_near_keys(form):
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    with pytest.raises(KeyFormatError):
        HMACKey(_multibase_forms()[form])


# --- rt62-10: the load counts a LightGBM Booster's trees up to best_iteration ------------------------


def test_rt62_10_lightgbm_best_iteration_count(tmp_path):
    pytest.importorskip("lightgbm")
    from lightgbm import LGBMClassifier
    from sklearn.ensemble import VotingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.utils import Bunch

    rng = np.random.RandomState(0)
    X, y = rng.rand(3000, 5), rng.randint(0, 2, 3000)
    clf = LGBMClassifier(
        n_estimators=11, num_leaves=1000, min_child_samples=1, n_jobs=1, verbose=-1
    ).fit(X, y)
    clf._Booster.best_iteration = clf._best_iteration = 1  # as early stopping leaves it
    model = VotingClassifier([("m0", clf)]).fit(X[:50], y[:50])
    model.estimators = [(f"m{i}", Pipeline([("m", LGBMClassifier())])) for i in range(200)]
    model.estimators_ = [Pipeline([("m", clf)]) for _ in range(200)]
    model.named_estimators_ = Bunch(m0=model.estimators_[0])
    assert_scan_predicts_load(pickle.dumps(model, protocol=5), tmp_path, profiles=["lightgbm"])


# --- rt62-11: a column transformer's share read from a crafted n_features_in_ -------------------------


@pytest.mark.parametrize("names", ["alone", "consistent"])
def test_rt62_11_column_share_from_crafted_width(tmp_path, names):
    """(The round used 1,100 branches in the column transformer alone; 33 branches before a
    union of 32 scalers hold the same 1,056 copies and are cheaper to build. The round's test
    also never reached its "consistent" case: the parameter was shadowed.)"""
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    from redteam import memory_harm_file

    cols = [f"c{i}" for i in range(20)]
    frame = pd.DataFrame(np.random.RandomState(0).rand(5, 20), columns=cols)
    ct = ColumnTransformer([("s0", StandardScaler(with_mean=False, with_std=False), cols)]).fit(
        frame
    )
    one, n = ct.transformers_[0][1], 33
    labels = [f"s{i}" for i in range(n)]
    ct.transformers = [(nm, StandardScaler(with_mean=False, with_std=False), cols) for nm in labels]
    ct.transformers_ = [(nm, copy.deepcopy(one), cols) for nm in labels] + ct.transformers_[1:]
    ct._columns = [cols] * n
    ct._transformer_to_input_indices = {nm: list(range(20)) for nm in labels} | {"remainder": []}
    ct.output_indices_ = {nm: slice(20 * i, 20 * (i + 1)) for i, nm in enumerate(labels)} | {
        "remainder": slice(0, 0)
    }
    ct.n_features_in_ = 20_000  # a branch of 20 columns reads "0.001" of the input
    if names == "consistent":  # 20,000 names: a frame need hold only those a branch reads
        ct.feature_names_in_ = np.array(cols + [f"x{i}" for i in range(19_980)], dtype=object)
    wide = np.ones((5, 20 * n))
    union = _scaler_union(32, StandardScaler(with_mean=False, with_std=False), wide)
    model = Pipeline([("ct", ct), ("union", union)])
    call = (
        "model.transform(__import__('pandas').DataFrame(numpy.ones((10000, 20)),"
        " columns=[f'c{i}' for i in range(20)]))"
    )
    path = memory_harm_file(tmp_path, pickle.dumps(model, protocol=5), call, limit=2_000_000)
    assert_refused_with(path, ["pandas"])


# --- the maintainer's cases --------------------------------------------------------------------


def _scaler_union(copies: int, scaler=None, X=None):
    """A FeatureUnion of ``copies`` fitted scalers (StandardScaler() on 3 random columns
    unless ``scaler`` and ``X`` say otherwise)."""
    from sklearn.base import clone
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler() if scaler is None else scaler
    X = np.random.RandomState(0).rand(5, 3) if X is None else X
    return FeatureUnion([(f"s{i}", clone(scaler)) for i in range(copies)]).fit(X)


def test_pipeline_steps_multiply_input_copies(tmp_path):
    """Each pipeline step transforms the previous step's result: two unions of 40 scalers in
    a row hold 1,600 copies of the input (refused), one of them 40 (loads)."""
    from sklearn.pipeline import Pipeline

    import safeload

    X = np.random.RandomState(0).rand(5, 3)
    one = Pipeline([("a", _scaler_union(40))]).fit(X)
    path = write(tmp_path, pickle.dumps(one, protocol=5))
    safeload.load_unsigned(path)
    two = Pipeline([("a", _scaler_union(40)), ("b", _scaler_union(40))]).fit(X)
    path = write(tmp_path, pickle.dumps(two, protocol=5))
    assert not safeload.scan(path).safe
    with pytest.raises(safeload.SafeloadError, match="copies of the input"):
        safeload.load_unsigned(path)


@pytest.mark.parametrize("names", [True, False])
def test_column_transformer_branches_share_their_input(tmp_path, names):
    """A column transformer scaling each of its 40 columns on its own gives one copy of its
    input, by index or by name: a union of 40 scalers after it makes 40 (loads); counted as a
    copy each, the branches would make 1,600."""
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    X = pd.DataFrame(np.random.RandomState(0).rand(5, 40), columns=[f"x{i}" for i in range(40)])
    columns = [[f"x{i}"] if names else [i] for i in range(40)]
    per_column = ColumnTransformer([(f"c{i}", StandardScaler(), c) for i, c in enumerate(columns)])
    model = Pipeline([("ct", per_column), ("union", _scaler_union(40))]).fit(X)
    data = pickle.dumps(model, protocol=5)
    assert_scan_predicts_load(data, tmp_path, profiles=["pandas"])


def test_unpaid_copies_refused(tmp_path):
    """Hashing vectorizers need no fit: 1,100 in a union copy each document 1,100 times."""
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.pipeline import FeatureUnion

    import safeload

    model = FeatureUnion([(f"h{i}", HashingVectorizer()) for i in range(1_100)])
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    assert not safeload.scan(path).safe
    with pytest.raises(safeload.SafeloadError, match="copies of the input"):
        safeload.load_unsigned(path)


def test_mixed_column_lists_are_not_shared_out(tmp_path):
    """Branches that name some columns and index others may read one column twice over: each
    counts a whole copy, so 33 of them before a union of 32 scalers make 1,056 copies."""
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    import safeload

    X = pd.DataFrame(np.random.RandomState(0).rand(5, 33), columns=[f"x{i}" for i in range(33)])
    # (shared out, the 33 one-column branches would be one copy, 32 in all: they are not)
    branches = [(f"c{i}", StandardScaler(), [f"x{i}"] if i % 2 else [i]) for i in range(33)]
    model = Pipeline([("ct", ColumnTransformer(branches)), ("union", _scaler_union(32))])
    path = write(tmp_path, pickle.dumps(model.fit(X), protocol=5))
    assert not safeload.scan(path, profiles=["pandas"]).safe
    with pytest.raises(safeload.SafeloadError, match="copies of the input"):
        safeload.load_unsigned(path, profiles=["pandas"])


def test_tree_paths_bound():
    """The path bound itself: a bushy tree of 4,096 leaves 30 levels down passes; a chain of
    58 levels (57 leaves at depths 1 to 57 and one more) does not."""
    from safeload.trust.tree_paths import path_work_problem

    assert path_work_problem(4096 * 30**2, 4096, "tree 0") is None
    chain = sum(d * d for d in range(1, 59)) + 58 * 58
    assert path_work_problem(chain, 59, "tree 0") is not None
    assert path_work_problem(2 * 6 * 6 * 32, 64, "tree 0") is None
