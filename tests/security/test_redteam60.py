"""Red team 60 (helper-111, START 03:56:21, END 04:47 UTC 2026-12-03): sixteen findings, all
fixed during the round (rt60-15 kept as the documented free-width bound, its test pinning
that bound), so each test asserts the safe behaviour as a regression test; the maintainer's
cases beside the fixes follow them. A HARM test first shows the harm under
plain pickle in a child under limits (1 GB more address space, 30 s CPU:
``redteam.memory_harm_file``), then checks safeload in this process.

"pure" is the 2991778 snapshot in /tmp/rt60p (SAFELOAD_PURE_PYTHON=1); "compiled" is
/work/main's .venv build at 2991778.

rt60-01 (HARM: memory, category_encoders profile; red team 59's third suspicion, verified)
        a category_encoders OneHotEncoder's output width is its ``mapping`` DataFrames'
        columns: ``get_dummies`` does ``mod.reindex(X[col])`` per encoded input column, and a
        value whose ordinal code is not in ``mod.index`` comes back as an all-NaN float64
        row (8 bytes per column per input row). The mapping DataFrames sit inside the
        ``mapping`` list of dicts, which neither RepeatedOutputs' parts walk (lists and tuples
        only) nor any per-estimator rule enters, so nothing ties them to the ordinal mapping
        (an honest one is (categories + 2) x categories int64) and nothing notices one
        DataFrame shared by all of them. 100 encoded columns whose mapping entries are *one*
        (1, 4096) int8 DataFrame (RangeIndex columns): 56 KB; ``transform`` of 2000 rows
        reindexes 100 x (2000, 4096) float64, 6.5 GB, before pd.concat's duplicate-label
        ValueError. scan SAFE, load loads (profiles=["category_encoders"]): pure and compiled.
        Found by building red team 59's suspected (1, W) mapping.
rt60-02 (HARM: memory, pandas profile; red team 59's first suspicion, verified) rt59-10/-14
        through pandas wrappers: ``_part_keys`` keys a pandas part by the object itself
        (``vars(DataFrame)`` holds a BlockManager, not an array, so the shared block's
        buffer is never a key). A MultiOutputRegressor of 200 distinct
        LinearRegression(fit_intercept=False) whose ``coef_`` are 200 distinct (4096, 4)
        DataFrames over *one* int8 block array (built in Python with ``new_block`` and
        ``BlockManager``: plain pickle memoises the shared ndarray, no hand-written stream
        needed): 54 KB; each ``predict`` computes ``X @ coef_.T`` as a (2000, 4096) float64
        DataFrame, 200 of them, 13 GB. check_linear_shapes reads only ndarray coefs. scan SAFE,
        load loads (profiles=["pandas"]): pure and compiled. Found by building red team 59's
        suspected shared block.
rt60-03 (HARM: CPU) the whole-model "used" bound (rt38-01, rt40-03: each instance's own
        arrays times its meetings, at most 8 x stored or 64 MiB) counts ndarrays among an
        instance's attributes, and a fitted tree's arrays live inside its ``Tree``, a native
        object with no ``__dict__``: a tree's nodes count nothing. A VotingClassifier of 120
        *distinct* DecisionTreeClassifier wrappers (``copy.copy``: _held_once sees distinct
        instances) sharing one ``tree_``, a valid chain of depth 30,000 (every input above the
        thresholds walks all of it; check_tree_depth only asks max_depth to be the real
        depth): 4.8 MB; ``predict`` walks the chain 120 times per row: 0.96 s CPU for 100 rows
        against 0.008 s with one voter (115x), ~10 s for 1,000 rows (killed at 3 s CPU under
        plain pickle). The unfold bound (16 units a byte, the tree's arrays charged per
        reference) allows about 250 references; named_estimators_ lists only one.
        RepeatedOutputs charges nothing (each wrapper met once; the Tree has no output
        method). scan SAFE, load loads: pure and compiled. Found by asking which instances'
        work lives outside their ``__dict__`` arrays.
rt60-04 (TRUST) GnuPG's own public keyring file is accepted as an HMAC secret. rt57-03
        refuses an OpenPGP public key as ``gpg --export`` writes it (packets that exactly
        cover the bytes), but GnuPG >= 2.1 keeps public keys in a *keybox*,
        ``~/.gnupg/pubring.kbx``: a 32-byte header blob (``00 00 00 20 01 01``, magic
        ``KBXf`` at offset 8), then one blob per key holding the OpenPGP keyblock (the
        public-key packet, user ids, signatures) at an offset. No rule reads it: not packets
        from byte 0, not DER, not text. A 406-byte pubring.kbx of one Ed25519 key (made by
        ``gpg --quick-gen-key``, embedded as hex) is accepted by HMACKey (pure and compiled),
        so anyone with the public keyring (``--keyring``, a CI image's /root/.gnupg) can MAC.
        Found by listing where GnuPG keeps the keys ``gpg --export`` reads.
rt60-05 (TRUST, low) more public-key texts with fixed heads and checksums, rt59-12's kind:
        a PASERK public key (``k4.public.`` + base64url of the Ed25519 key: PASETO's key
        format), a Stellar account id (StrKey: version byte 'G', the Ed25519 key and a CRC16,
        56 base32 characters), a DNSKEY resource record (``IN DNSKEY 257 3 15 <base64 key>``,
        what ``dig DNSKEY`` prints), and bech32 public keys other than ``age1``/``npub1``
        (Cardano's ``ed25519_pk1``, Cosmos' ``cosmospub1``). All accepted (pure and
        compiled). Found by listing Ed25519 public-key text formats after rt59-12.
rt60-06 (HARM: CPU) rt60-03 through a neighbours tree: a KD or Ball tree (``_tree``, a
        native BinaryTree with no ``__dict__``) holds the samples a kd_tree/ball_tree KNN
        queries, and the whole-model "used" bound counts only what the KNN holds itself.
        check_neighbors ties ``_fit_X`` to the tree by its row count only, so each wrapper's
        ``_fit_X`` can be an *empty* (4096, 64) CSR matrix (4096 rows is not past
        MAX_EMPTY_AXIS). A VotingClassifier of 120 distinct KNeighborsClassifier(kd_tree)
        wrappers sharing one KDTree of 4,096 x 64 samples: 4.4 MB; ``predict`` of 20 rows
        0.97 s CPU against 0.009 s for one voter (110x), ~50 s for 1,000 rows (killed at 3 s
        CPU under plain pickle for 200). Ball trees alike (4.3 MB). Honest fit never keeps a
        sparse ``_fit_X`` beside a tree (sparse input means brute force). scan SAFE, load
        loads: pure (2991778) and compiled with the working tree's rt60-03 fix (which adds
        ``sklearn.tree._tree.Tree`` arrays only). Found by asking which other native objects
        hold an estimator's work.
rt60-07 (HARM: CPU, xgboost / lightgbm profiles) rt60-03 through a native booster: an
        XGBClassifier's or LGBMClassifier's trees live in its ``_Booster`` (C memory behind a
        ctypes handle after the load; nothing in any ``__dict__`` is an array), so the "used"
        bound counts a booster met 120 times as 120 x 4 KiB. A VotingClassifier of 120
        distinct wrappers (``copy.copy``) over one booster: xgboost, 300 trees of depth 6:
        846 KB, ``predict`` of 1,000 rows 0.47 s CPU against 0.0043 s for one voter (110x);
        lightgbm, 300 trees of 63 leaves: 2.1 MB, 3.1 s against 0.026 s (118x). Killed at 3 s
        CPU under plain pickle (10,000 and 2,000 rows). The unfold bound charges the booster's
        raw bytes or model text per reference, which allows the ~120. scan SAFE, load loads
        (profiles=[lib]): pure and compiled (with the working tree's Tree-only fix). Found
        alongside rt60-06.
rt60-08 (HARM: memory) the whole-model bounds' "stored bytes" can be bought at 1/25 the
        price: ``paid_bytes`` (and ``stored``) sum the ``nbytes`` of each distinct root
        array, and numpy *copies* a ``bytes`` array state of at most 1000 bytes, so the
        static pass lets any number of arrays take their state from one memoised 1000-byte
        ``bytes`` object (claim_array_data refuses a second claim only past
        NUMPY_COPIES_UP_TO; the unfold bound charges 62 units a reference, of 16 a file
        byte). 1,700 (125,) float64 arrays over one ``bytes(1000)``, in a list attribute of
        the union (met once, so the "used" bound does not multiply them), add 1.7 MB of
        "stored" arrays for ~40 bytes each; that raises RepeatedOutputs' allowance from 32,768
        to ~850,000 columns, enough for rt58-09's union listing one PolynomialFeatures(2) of 90
        inputs (4,186 columns) 200 times, refused today with "828,828 more output columns".
        82 KB; ``transform`` of 2000 rows 200 x (2000, 4186) float64, 13.4 GB. The same
        inflation raises the "used" bound (8 x stored), so it reopens rt38-01/rt60-03's
        repeats too. scan SAFE, load loads: pure and compiled. Found by asking what makes
        stored bytes cheap.
rt60-09 (HARM: memory, category_encoders profile) e4f80f3's fix for rt60-01 reads the
        mapping entries only when each is a plain ``dict`` (``_check_encoder_frames``:
        ``type(entry) is dict``; ``RepeatedOutputs._add_parts`` walks ``list, tuple, dict``
        by exact type), but category_encoders reads them with ``switch.get('col')`` and
        ``switch.get('mapping')``, which an ``OrderedDict`` (an allowlisted class) answers as
        well. rt60-01's model with each entry an ``OrderedDict(col=..., mapping=frame)``: one
        (1, 4096) int8 frame for 100 columns, 56 KB, 6.5 GB on ``transform`` of 2000 rows.
        scan SAFE, load loads: pure (2991778) and compiled at 23fea00. (Entries as an
        object-dtype Series are refused by the pandas profile.) Found by reading the fix.
rt60-10 (HARM: memory) pass-through branches that are not the identity: check_composite_width
        bounds the branches that pass their input through (``_is_identity``: "passthrough",
        FunctionTransformer(func=None), pipelines of them; several without a recorded width
        are refused, rt32-13/rt33-06), and RepeatedOutputs charges an instance met many
        times its stored widths. A stateless transformer as wide as its input, *unfitted*
        (``transform`` needs no fit), stores no width and is no identity: Normalizer(),
        Binarizer(), FunctionTransformer(np.sqrt). One listed 10,000 times in a FeatureUnion:
        119 KB; ``transform`` of a (20, 1000) input (160 KB) makes 10,000 copies, 1.6 GB,
        and hstacks them (another 1.6 GB): 10,000 output columns per input column. The "used"
        bound allows 16,384 meetings of a small instance; the unfold bound stops a second
        layer. scan SAFE, load loads: pure and compiled (23fea00). Found by asking which
        other branches pass their input's width through.
rt60-11 (HARM: memory) an *unfitted* AdditiveChi2Sampler listed many times: its width is
        n_features x (2 sample_steps - 1), and RepeatedOutputs charges a repeated sampler
        ``n_features_in_ * (2 * steps - 1)`` (rt58), which is 0 for an unfitted one (the
        sampler is stateless: ``transform`` needs no fit; ``sample_steps`` up to
        MAX_TRANSFORM_ROUNDS = 1000 with a ``sample_interval``). One
        AdditiveChi2Sampler(sample_steps=1000, sample_interval=0.1) listed 2000 times in a
        FeatureUnion: 23 KB; ``transform`` of a (2, 100) input gives 2000 x (2, 199,900)
        float64, 6.4 GB (3,998,000 output columns per input column). scan SAFE, load loads:
        pure and compiled (23fea00). Found next to rt60-10.
rt60-12 (HARM: CPU, xgboost / lightgbm profiles) 9577fbf's fix for rt60-07 refuses a
        native part (Tree, KD/Ball tree, Booster) with more than one holder, and leaves "one
        holder met many times" to the whole-model "used" bound; but that bound reads native
        arrays only for Tree, KDTree and BallTree (``names.NATIVE_STATE_HOLDERS``), not for
        boosters. So share the *wrapper*: a VotingClassifier of 120 distinct
        ``Pipeline([("m", clf)])`` over one XGBClassifier (the Booster has one holder; the
        classifier is met 120 times, charged 120 x 4 KiB). xgboost: 835 KB, ``predict`` of
        1,000 rows 0.81 s CPU against 0.007 s (115x); lightgbm: 2.1 MB, 3.1 s against 0.027
        s. scan SAFE, load loads (profiles=[lib]): pure (2991778) and compiled at 9577fbf.
        Found by reading the fix.
rt60-13 (HARM: memory, pandas profile) e4f80f3's fix for rt60-02 keys a pandas part by
        its blocks' arrays, but a categorical column's block is a ``Categorical`` (codes
        and categories), which the keys do not include. 200 LinearRegression whose
        ``coef_`` are 200 distinct (4096, 4) DataFrames whose four columns are *one*
        ``Categorical`` of 4,096 int8 codes over one category (``DataFrame(..., copy=False)``
        keeps it: plain pickle memoises it): 55 KB; each ``predict`` computes ``X @
        coef_.T`` as a (2000, 4096) *object* DataFrame (a pointer and a Python float per
        cell, ~260 MB), 200 of them. scan SAFE, load loads (profiles=["pandas"]): pure and
        compiled at 9577fbf. Found by reading the fix.
rt60-14 (HONEST-REFUSED, low; new at 9577fbf) "a native model part may have one holder"
        refuses a model saved beside its own booster or tree: ``pickle.dump({"model": clf,
        "booster": clf.get_booster()})`` (xgboost; ``clf.booster_`` for lightgbm, both
        common for SHAP or for ``save_model`` later), ``{"model": tree, "tree": tree.tree_}``,
        ``{"model": knn, "index": knn._tree}``: "a native model part ... held by 2 objects".
        A second holder that is no estimator walks nothing when the model predicts. All four
        load at 2991778 (pure); refused at 9577fbf (compiled, 12-20 KB each). Found by asking
        who else honestly holds a booster.
rt60-15 (HARM: memory) rt58-09 with *distinct* copies: one PolynomialFeatures(2) of 90 inputs
        (4,186 columns) listed 60 times in a FeatureUnion is refused by RepeatedOutputs ("58 x
        4,186 more output columns"), but 60 *distinct* fitted PolynomialFeatures(2) cost ~60
        bytes each (a polynomial stores no array: its width is its parameters and input), are
        met once each (RepeatedOutputs reads nothing), and each stays under the free-width
        rule's 4,096 columns per input column (MAX_FREE_COLUMNS counts only the excess).
        3.8 KB; ``transform`` of a (2000, 90) input: 60 x (2000, 4186) float64, 4 GB, then
        hstack, another 4 GB (251,160 columns per row). Only the names bound stops it at ~60
        (it charges each polynomial's ``powers_``). scan SAFE, load loads: pure and compiled
        (9577fbf). Found by asking what sharing buys that distinct array-free copies do not.
rt60-16 (HONEST-REFUSED; new at e4f80f3) category_encoders' BaseNEncoder(base=1) (unary
        coding, which category_encoders documents) with ``handle_unknown="indicator"`` and
        ``handle_missing="indicator"`` fits a mapping frame one column wider than tall: (n + 2,
        n + 3) for n categories ((3, 4) for one category, (42, 43) for 40), which rt60-01's
        fix refuses ("a category encoder's mapping frame is wider than its rows"). Loads at
        2991778 (pure); refused at 7b2bf5a (compiled). Found by fitting every mapping-frame
        encoder under every handle_unknown / handle_missing after the fix.
"""

# ruff: noqa: E501
from __future__ import annotations

import functools
import pickle

import numpy as np
import pytest

from redteam import (
    GB,
    HANG_CPU,
    HEAVY_IMPORTS,
    PLAIN_CALL,
    assert_refused,
    assert_refused_with,
    bech32,
    crc16_xmodem,
    ed25519_public,
    memory_harm_file,
    run_child,
    write,
)

CE = ["category_encoders"]


def _spins(path, call, *modules):
    """Plain pickle + ``call`` in a child killed at :data:`HANG_CPU` of CPU, counted after
    the imports (:data:`HEAVY_IMPORTS` and ``modules``, the booster's library), where the
    call of an honest model of the file's size takes milliseconds: killed after the load."""
    imports = (*HEAVY_IMPORTS, *modules)
    code = PLAIN_CALL.format(call=call)
    plain = run_child(code, path, grow=3 * GB, cpu=HANG_CPU, timeout=180, imports=imports)
    assert plain.crashed and "loaded" in plain.stdout, str(plain)  # SIGXCPU
    assert "call done" not in plain.stdout, str(plain)


# --- rt60-01: category_encoders OneHotEncoder mapping DataFrames shared -------------------------


def _one_hot_shared_mapping(columns: int = 100, width: int = 4096, entry=dict):
    import category_encoders as ce
    import pandas as pd

    names = [f"c{i}" for i in range(columns)]
    enc = ce.OneHotEncoder(cols=names).fit(pd.DataFrame({c: ["x", "y"] for c in names}))
    index = enc.mapping[0]["mapping"].index[:1]  # the ordinal code of "x" only
    shared = pd.DataFrame(
        np.zeros((1, width), dtype=np.int8), index=index, columns=pd.RangeIndex(width)
    )
    # every encoded column reindexes this one frame
    enc.mapping = [entry(col=item["col"], mapping=shared) for item in enc.mapping]
    return enc, names


def test_rt60_01_one_hot_shared_mapping(tmp_path):
    pytest.importorskip("category_encoders")
    enc, names = _one_hot_shared_mapping()
    call = (
        f"model.transform(__import__('pandas').DataFrame({{c: ['y'] * 2000 for c in {names!r}}}))"
    )
    path = memory_harm_file(tmp_path, pickle.dumps(enc, protocol=5), call, limit=80_000)
    assert_refused_with(path, CE)


# --- rt60-02: distinct DataFrames over one block as 200 regressors' coef_ ------------------------


def _shared_block_regressors(copies: int = 200, width: int = 4096):
    import copy

    import pandas as pd
    from pandas._libs.internals import BlockPlacement
    from pandas.core.internals.blocks import new_block
    from pandas.core.internals.managers import BlockManager
    from sklearn.linear_model import LinearRegression
    from sklearn.multioutput import MultiOutputRegressor

    rng = np.random.RandomState(0)
    model = MultiOutputRegressor(LinearRegression(fit_intercept=False)).fit(
        rng.rand(10, 4), rng.rand(10, 2)
    )
    block = np.zeros((4, width), dtype=np.int8)  # one buffer; pickle memoises it

    def frame():
        mgr = BlockManager(
            (new_block(block, placement=BlockPlacement(slice(0, 4)), ndim=2),),
            [pd.RangeIndex(4), pd.RangeIndex(width)],
        )
        return pd.DataFrame._from_mgr(mgr, axes=mgr.axes)  # a distinct (width, 4) DataFrame

    estimators = []
    for _ in range(copies):
        est = copy.copy(model.estimators_[0])
        est.coef_ = frame()
        estimators.append(est)
    model.estimators_ = estimators
    return model


def test_rt60_02_shared_block_coefficients(tmp_path):
    data = pickle.dumps(_shared_block_regressors(), protocol=5)
    path = memory_harm_file(tmp_path, data, "model.predict(numpy.ones((2000, 4)))", limit=70_000)
    assert_refused_with(path, ["pandas"])


# --- rt60-03: one deep Tree shared by 120 distinct tree wrappers in a voting model -------------


def _chain_tree(depth: int):
    """A DecisionTreeClassifier whose Tree is a valid chain: node i splits feature 0 at i + 0.5,
    its left child a leaf, its right child node i + 1 (a large input walks all ``depth``)."""
    from sklearn.tree import DecisionTreeClassifier
    from sklearn.tree._tree import Tree

    X = np.arange(20.0).reshape(-1, 1)
    est = DecisionTreeClassifier().fit(X, np.arange(20) % 2)
    _, args, state = est.tree_.__reduce__()
    n = 2 * depth + 1
    nodes = np.zeros(n, dtype=state["nodes"].dtype)
    inner = np.arange(depth)
    nodes["left_child"][:depth] = depth + 1 + inner
    nodes["right_child"][:depth] = inner + 1
    nodes["feature"][:depth] = 0
    nodes["threshold"][:depth] = inner + 0.5
    nodes["n_node_samples"][:depth] = 2 * (depth - inner) + 1
    nodes["weighted_n_node_samples"][:depth] = 2 * (depth - inner) + 1
    nodes["left_child"][depth:] = -1
    nodes["right_child"][depth:] = -1
    nodes["feature"][depth:] = -2
    nodes["threshold"][depth:] = -2.0
    nodes["n_node_samples"][depth:] = 1
    nodes["weighted_n_node_samples"][depth:] = 1
    values = np.zeros((n, 1, 2))
    values[:, 0, 0] = 1
    tree = Tree(*args)
    tree.__setstate__(dict(state, nodes=nodes, values=values, node_count=n, max_depth=depth))
    est.tree_ = tree
    return est


def _voting_over_shared_tree(depth: int = 30_000, copies: int = 120):
    import copy

    from sklearn.ensemble import VotingClassifier
    from sklearn.tree import DecisionTreeClassifier
    from sklearn.utils import Bunch

    tree = _chain_tree(depth)
    X = np.arange(20.0).reshape(-1, 1)
    model = VotingClassifier([("t0", DecisionTreeClassifier())]).fit(X, np.arange(20) % 2)
    model.estimators = [(f"t{i}", DecisionTreeClassifier()) for i in range(copies)]
    model.estimators_ = [copy.copy(tree) for _ in range(copies)]  # distinct wrappers, one Tree
    model.named_estimators_ = Bunch(t0=model.estimators_[0])
    return model


def test_rt60_03_shared_deep_tree(tmp_path):
    path = write(tmp_path, pickle.dumps(_voting_over_shared_tree(), protocol=5))
    call = "model.predict(numpy.full((1000, 1), 1e9))"
    _spins(path, call)
    assert_refused(path)


# --- rt60-04: GnuPG's keybox (pubring.kbx) as an HMAC secret -------------------------------------

#: ``~/.gnupg/pubring.kbx`` after ``gpg --quick-gen-key 'rt60 <rt60@example.com>' ed25519``:
#: the keybox header blob, then the OpenPGP blob (public-key packet 0x98 at offset 0x5e).
PUBRING_KBX = bytes.fromhex(
    "00000020010100024b425866000000006b10eb076b10eb07000000000000000000000176020100000000005e00000104"
    "0001001c4971e087b00cb9efa47d405d7a5b6cb0b4aff769000000200000000000000001000c000000a3000000170000"
    "000000010004000000000000000000000000000000006b10eb07000000009833046b10eb0716092b06010401da470f01"
    "0107407a80e9fa7705c04a624e66074f8162212d1d65163c3a1a5d71873a96bb26e93cb00c0000677067010000000000"
    "00b41772743630203c72743630406578616d706c652e636f6d3eb00c0000677067020000000000008890041316080038"
    "1621044971e087b00cb9efa47d405d7a5b6cb0b4aff76905026b10eb07021b03050b0908070206150a09080b02041602"
    "0301021e01021780000a09107a5b6cb0b4aff769c84f0100e6d2eb7cf7721285cd8a5ac4121a71467ddda18b3a7ed2e9"
    "9f42dc07855d47d00100cc696855cecd162393e221fe5322b3d020f8d8def427e287571728a1fb850a03b00600006770"
    "67001b2253cad9219b6de37dd4c838f7887a5bcdeb0b"
)


def test_rt60_04_gnupg_keybox_secret():
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    assert PUBRING_KBX[8:12] == b"KBXf" and PUBRING_KBX[0x7E] == 0x98  # header; public-key packet
    with pytest.raises(KeyFormatError):
        HMACKey(PUBRING_KBX)


# --- rt60-05: public-key texts with fixed heads (PASERK, Stellar, DNSKEY, bech32) ----------------


def _text_public_keys() -> dict[str, str]:
    import base64
    import struct

    key = ed25519_public()
    strkey = bytes([6 << 3]) + key  # 'G': an account id
    return {
        "paserk": "k4.public." + base64.urlsafe_b64encode(key).rstrip(b"=").decode(),
        "stellar": base64.b32encode(strkey + struct.pack("<H", crc16_xmodem(strkey))).decode(),
        "dnskey": "example.com. 3600 IN DNSKEY 257 3 15 " + base64.b64encode(key).decode(),
        "cardano": bech32("ed25519_pk", key),
        "cosmos": bech32("cosmospub", bytes.fromhex("1624de6420") + key),
    }


@pytest.mark.parametrize("form", ["paserk", "stellar", "dnskey", "cardano", "cosmos"])
def test_rt60_05_public_key_texts(form):
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    with pytest.raises(KeyFormatError):
        HMACKey(_text_public_keys()[form].encode())


# --- rt60-06: one KD tree shared by 120 KNN wrappers whose _fit_X is an empty CSR ---------------


def _voting_over_shared_kd_tree(
    algorithm: str, samples: int = 4096, width: int = 64, copies: int = 120
):
    import copy

    import scipy.sparse as sp
    from sklearn.ensemble import VotingClassifier
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.utils import Bunch

    rng = np.random.RandomState(0)
    X, y = rng.rand(samples, width), np.arange(samples) % 2
    knn = KNeighborsClassifier(algorithm=algorithm).fit(X, y)
    model = VotingClassifier([("k0", KNeighborsClassifier(algorithm=algorithm))]).fit(
        X[:10], y[:10]
    )
    estimators = []
    for _ in range(copies):
        est = copy.copy(knn)  # shares knn._tree
        est._fit_X = sp.csr_matrix((samples, width))  # its own, storing nothing
        estimators.append(est)
    model.estimators = [(f"k{i}", KNeighborsClassifier(algorithm=algorithm)) for i in range(copies)]
    model.estimators_ = estimators
    model.named_estimators_ = Bunch(k0=estimators[0])
    return model


@pytest.mark.parametrize("algorithm", ["kd_tree", "ball_tree"])
def test_rt60_06_shared_neighbours_tree(tmp_path, algorithm):
    path = write(tmp_path, pickle.dumps(_voting_over_shared_kd_tree(algorithm), protocol=5))
    call = "model.predict(numpy.random.RandomState(1).rand(200, 64))"
    _spins(path, call)
    assert_refused(path)


# --- rt60-07: one xgboost / lightgbm booster shared by 120 wrappers -------------------------------


@functools.lru_cache(maxsize=4)
def _fitted_booster(lib: str, trees: int):
    """(the wrapper class, one fitted on 5,000 x 20 rows, X, y) for ``lib``'s classifier (one
    fit per worker: rt60-07 and rt60-12 copy it, and never change it)."""
    rng = np.random.RandomState(0)
    X = rng.rand(5000, 20)
    y = (X[:, 0] + rng.rand(5000) > 1).astype(int)
    if lib == "xgboost":
        from xgboost import XGBClassifier as Classifier

        return Classifier, Classifier(n_estimators=trees, max_depth=6, n_jobs=1).fit(X, y), X, y
    from lightgbm import LGBMClassifier as Classifier

    base = Classifier(n_estimators=trees, num_leaves=63, n_jobs=1, verbose=-1).fit(X, y)
    return Classifier, base, X, y


def _voting_over_shared_booster(lib: str, trees: int = 300, copies: int = 120):
    import copy

    from sklearn.ensemble import VotingClassifier
    from sklearn.utils import Bunch

    Classifier, base, X, y = _fitted_booster(lib, trees)
    model = VotingClassifier([("m0", base)]).fit(X[:100], y[:100])
    model.estimators = [(f"m{i}", Classifier()) for i in range(copies)]
    model.estimators_ = [copy.copy(base) for _ in range(copies)]  # distinct wrappers, one _Booster
    model.named_estimators_ = Bunch(m0=model.estimators_[0])
    return model


@pytest.mark.parametrize(("lib", "rows"), [("xgboost", 40_000), ("lightgbm", 4_000)])
def test_rt60_07_shared_booster(tmp_path, lib, rows):
    pytest.importorskip(lib)
    path = write(tmp_path, pickle.dumps(_voting_over_shared_booster(lib), protocol=5))
    call = f"model.predict(numpy.random.RandomState(1).rand({rows}, 20))"
    _spins(path, call, lib)
    assert_refused_with(path, [lib])


# --- rt60-08: stored bytes bought by many small arrays over one memoised bytes object ----------


def _inflated_polynomial_union(copies: int = 200, arrays: int = 1700) -> bytes:
    import io

    from numpy._core.multiarray import _reconstruct
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import PolynomialFeatures

    X = np.random.RandomState(0).rand(5, 90)
    poly = PolynomialFeatures(2).fit(X)  # 4,186 output columns
    union = FeatureUnion([("p0", PolynomialFeatures(2))]).fit(X)
    union.transformer_list = [(f"p{i}", poly) for i in range(copies)]
    padding = [np.zeros(125) for _ in range(arrays)]
    union.padding_ = padding  # (on the union, met once)
    marked = {id(a) for a in padding}
    state = bytes(1000)  # one object: pickle memoises it, numpy copies it into each array

    class Pickler(pickle.Pickler):
        def reducer_override(self, obj):
            if id(obj) in marked:
                return (
                    _reconstruct,
                    (np.ndarray, (0,), b"b"),
                    (1, (125,), np.dtype("float64"), False, state),
                )
            return NotImplemented

    out = io.BytesIO()
    Pickler(out, protocol=4).dump(union)
    return out.getvalue()


def test_rt60_08_inflated_stored_bytes(tmp_path):
    data = _inflated_polynomial_union()
    path = memory_harm_file(
        tmp_path, data, "model.transform(numpy.ones((2000, 90)))", limit=100_000
    )
    assert_refused(path)


# --- rt60-09: rt60-01 with OrderedDict mapping entries -------------------------------------------


def test_rt60_09_one_hot_ordered_dict_entries(tmp_path):
    import collections

    pytest.importorskip("category_encoders")
    enc, names = _one_hot_shared_mapping(entry=collections.OrderedDict)
    call = (
        f"model.transform(__import__('pandas').DataFrame({{c: ['y'] * 2000 for c in {names!r}}}))"
    )
    path = memory_harm_file(tmp_path, pickle.dumps(enc, protocol=5), call, limit=80_000)
    assert_refused_with(path, CE)


# --- rt60-10: a stateless transformer as wide as its input listed 10,000 times -------------------


def _union_of_stateless(kind: str, copies: int = 10_000):
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import Binarizer, FunctionTransformer, Normalizer

    branch = {
        "normalizer": Normalizer(),
        "binarizer": Binarizer(),
        "sqrt": FunctionTransformer(np.sqrt),
    }[kind]
    union = FeatureUnion([("f0", FunctionTransformer())])
    union.transformer_list = [(f"f{i}", branch) for i in range(copies)]  # unfitted: no width stored
    return union


@pytest.mark.parametrize("kind", ["normalizer", "binarizer", "sqrt"])
def test_rt60_10_stateless_branches(tmp_path, kind):
    # (the round used 10,000 and a (20, 1000) input; 1,500 and (140, 1000) show it sooner)
    data = pickle.dumps(_union_of_stateless(kind, 1_500), protocol=5)
    path = memory_harm_file(
        tmp_path, data, "model.transform(numpy.ones((140, 1000)))", limit=130_000
    )
    assert_refused(path)


# --- rt60-11: an unfitted AdditiveChi2Sampler of 1000 steps listed 2000 times --------------------


def _union_of_chi2(copies: int = 2000, steps: int = 1000):
    from sklearn.kernel_approximation import AdditiveChi2Sampler
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import FunctionTransformer

    sampler = AdditiveChi2Sampler(sample_steps=steps, sample_interval=0.1)  # unfitted
    union = FeatureUnion([("f0", FunctionTransformer())])
    union.transformer_list = [(f"s{i}", sampler) for i in range(copies)]
    return union


def test_rt60_11_unfitted_chi2_sampler(tmp_path):
    # (the round used 2,000 copies and a (2, 100) input; 1,000 and (4, 100) alike)
    data = pickle.dumps(_union_of_chi2(1_000), protocol=5)
    path = memory_harm_file(tmp_path, data, "model.transform(numpy.ones((4, 100)))", limit=30_000)
    assert_refused(path)


# --- rt60-12: one booster wrapper shared by 120 distinct pipelines ---------------------------


def _voting_over_shared_booster_wrapper(lib: str, trees: int = 300, copies: int = 120):
    from sklearn.ensemble import VotingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.utils import Bunch

    Classifier, base, X, y = _fitted_booster(lib, trees)
    model = VotingClassifier([("m0", base)]).fit(X[:100], y[:100])
    pipes = [Pipeline([("m", base)]) for _ in range(copies)]  # distinct pipelines, one classifier
    model.estimators = [(f"m{i}", Pipeline([("m", Classifier())])) for i in range(copies)]
    model.estimators_ = pipes
    model.named_estimators_ = Bunch(m0=pipes[0])
    return model


@pytest.mark.parametrize(("lib", "rows"), [("xgboost", 40_000), ("lightgbm", 4_000)])
def test_rt60_12_shared_booster_wrapper(tmp_path, lib, rows):
    pytest.importorskip(lib)
    path = write(tmp_path, pickle.dumps(_voting_over_shared_booster_wrapper(lib), protocol=5))
    call = f"model.predict(numpy.random.RandomState(1).rand({rows}, 20))"
    _spins(path, call, lib)
    assert_refused_with(path, [lib])


# --- rt60-13: rt60-02 through one Categorical shared by 200 frames' columns -----------------------


def _shared_categorical_regressors(copies: int = 200, width: int = 4096):
    import copy

    import pandas as pd
    from sklearn.linear_model import LinearRegression
    from sklearn.multioutput import MultiOutputRegressor

    rng = np.random.RandomState(0)
    model = MultiOutputRegressor(LinearRegression(fit_intercept=False)).fit(
        rng.rand(10, 4), rng.rand(10, 2)
    )
    column = pd.Categorical.from_codes(np.zeros(width, dtype=np.int8), categories=pd.Index([0.0]))
    estimators = []
    for _ in range(copies):
        est = copy.copy(model.estimators_[0])
        est.coef_ = pd.DataFrame({j: column for j in range(4)}, copy=False)  # one Categorical
        estimators.append(est)
    model.estimators_ = estimators
    return model


def test_rt60_13_shared_categorical_coefficients(tmp_path):
    data = pickle.dumps(_shared_categorical_regressors(), protocol=5)
    path = memory_harm_file(tmp_path, data, "model.predict(numpy.ones((2000, 4)))", limit=70_000)
    assert_refused_with(path, ["pandas"])


# --- rt60-14: a model saved beside its own booster or tree (honest) --------------------------------


def _model_with_its_part(kind: str):
    rng = np.random.RandomState(0)
    X, y = rng.rand(300, 5), rng.randint(0, 2, 300)
    if kind == "xgboost":
        from xgboost import XGBClassifier

        clf = XGBClassifier(n_estimators=5).fit(X, y)
        return {"model": clf, "booster": clf.get_booster()}
    if kind == "lightgbm":
        from lightgbm import LGBMClassifier

        clf = LGBMClassifier(n_estimators=5, verbose=-1).fit(X, y)
        return {"model": clf, "booster": clf.booster_}
    if kind == "tree":
        from sklearn.tree import DecisionTreeClassifier

        clf = DecisionTreeClassifier().fit(X, y)
        return {"model": clf, "tree": clf.tree_}
    from sklearn.neighbors import KNeighborsClassifier

    clf = KNeighborsClassifier(algorithm="kd_tree").fit(X, y)
    return {"model": clf, "index": clf._tree}


@pytest.mark.parametrize("kind", ["xgboost", "lightgbm", "tree", "kd_tree"])
def test_rt60_14_model_with_its_native_part(tmp_path, kind):
    import safeload

    if kind in ("xgboost", "lightgbm"):
        pytest.importorskip(kind)
    profiles = [kind] if kind in ("xgboost", "lightgbm") else []
    path = write(tmp_path, pickle.dumps(_model_with_its_part(kind), protocol=5))
    assert safeload.scan(path, profiles=profiles).safe
    safeload.load_unsigned(path, profiles=profiles)


# --- rt60-15: 60 distinct PolynomialFeatures(2) of 90 inputs in a union ----------------------------


def _union_of_distinct_polynomials(copies: int = 60, inputs: int = 90):
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import PolynomialFeatures

    X = np.random.RandomState(0).rand(5, inputs)
    return FeatureUnion([(f"p{i}", PolynomialFeatures(2).fit(X)) for i in range(copies)]).fit(X)


def test_rt60_15_distinct_polynomials(tmp_path):
    """Kept as the documented bound (SECURITY.md): 60 distinct expansions give 251,160 columns
    per row, under the 2**18 that parameter-set widths may give a row whatever the file's
    size (a count sketch's, a hashing encoder's); the names bound refuses 80 (334,880). The
    plain-pickle side shows what the bound allows: 4 GB for 2,000 rows."""
    import safeload

    data = pickle.dumps(_union_of_distinct_polynomials(), protocol=5)
    path = memory_harm_file(tmp_path, data, "model.transform(numpy.ones((2000, 90)))", limit=10_000)
    assert safeload.scan(path).safe
    safeload.load_unsigned(path)
    wider = write(tmp_path, pickle.dumps(_union_of_distinct_polynomials(80), protocol=5), "w.pkl")
    assert_refused(wider)


# --- rt60-16: BaseNEncoder(base=1) with indicator columns refused (honest) -------------------------


@pytest.mark.parametrize("categories", [1, 5, 40])
def test_rt60_16_base_n_unary_indicators(tmp_path, categories):
    pytest.importorskip("category_encoders")
    import category_encoders as ce
    import pandas as pd

    import safeload

    rng = np.random.RandomState(0)
    X = pd.DataFrame({"a": rng.choice([f"v{i}" for i in range(categories)], 300)})
    X.loc[::17, "a"] = np.nan
    enc = ce.BaseNEncoder(
        cols=["a"], base=1, handle_unknown="indicator", handle_missing="indicator"
    ).fit(X)
    assert enc.mapping[0]["mapping"].shape == (categories + 2, categories + 3)
    path = write(tmp_path, pickle.dumps(enc, protocol=5))
    assert safeload.scan(path, profiles=CE).safe
    safeload.load_unsigned(path, profiles=CE)


# --- the maintainer's cases beside the fixes ------------------------------------------------------


def test_rt60_01_distinct_wide_frames(tmp_path):
    """rt60-01 without the sharing: a distinct (1, 4096) int8 frame per encoded column (400
    KB) is 100 x 4,096 float64 columns per row; fit makes no frame wider than tall."""
    pytest.importorskip("category_encoders")
    import pandas as pd

    enc, names = _one_hot_shared_mapping()
    for entry in enc.mapping:
        old = entry["mapping"]
        entry["mapping"] = pd.DataFrame(
            np.zeros((1, 4096), dtype=np.int8), index=old.index[:1], columns=pd.RangeIndex(4096)
        )
    call = (
        f"model.transform(__import__('pandas').DataFrame({{c: ['y'] * 2000 for c in {names!r}}}))"
    )
    path = memory_harm_file(tmp_path, pickle.dumps(enc, protocol=5), call, limit=500_000)
    assert_refused_with(path, CE)


@pytest.mark.parametrize(
    "cls",
    [
        "OneHotEncoder",
        "BinaryEncoder",
        "BaseNEncoder",
        "BackwardDifferenceEncoder",
        "HelmertEncoder",
        "SumEncoder",
        "PolynomialEncoder",
    ],
)
@pytest.mark.parametrize("unknown", ["value", "indicator", "return_nan"])
def test_rt60_01_honest_encoders_load(cls, unknown, tmp_path):
    """Every category encoder that keeps frames, as fit makes them, with each unknown and
    missing setting."""
    ce = pytest.importorskip("category_encoders")
    import pandas as pd

    import safeload

    X = pd.DataFrame({"a": list("xyzxyzw") * 30, "b": [f"v{i % 40}" for i in range(210)]})
    for missing in ("value", "return_nan", "indicator"):
        try:
            enc = getattr(ce, cls)(handle_unknown=unknown, handle_missing=missing).fit(X)
        except AttributeError:  # category_encoders' own bug for some settings
            continue
        path = tmp_path / f"{missing}.pkl"
        path.write_bytes(pickle.dumps(enc, protocol=5))
        assert safeload.scan(path, profiles=CE).safe
        loaded = safeload.load_unsigned(path, profiles=CE)
        assert loaded.transform(X).shape == enc.transform(X).shape


def test_rt60_02_frames_over_own_blocks_load(tmp_path):
    """rt60-02's honest neighbour: 50 regressors whose coef_ frames each have their own block
    (and share one column index) load."""
    pytest.importorskip("pandas")
    import pandas as pd
    from sklearn.linear_model import LinearRegression
    from sklearn.multioutput import MultiOutputRegressor

    import safeload

    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(30, 4)), rng.normal(size=(30, 50))
    model = MultiOutputRegressor(LinearRegression()).fit(X, Y)
    columns = pd.RangeIndex(4)
    for est in model.estimators_:
        est.coef_ = pd.DataFrame(est.coef_.reshape(1, 4).copy(), columns=columns)
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    assert safeload.scan(path, profiles=["pandas"]).safe
    safeload.load_unsigned(path, profiles=["pandas"])


def test_rt60_05_random_texts_kept():
    """The new text forms refuse only what carries their checksum: random 56-character base32
    tokens starting ``G``, random bech32-looking tokens with a public part, and hex and base64
    secrets of every length from 32 to 96 are kept."""
    import base64
    import random

    from safeload.signing.hmac_key import HMACKey

    rng = random.Random(60)
    alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
    kept = 0
    # (500 rounds: 2,000 made 12 s of a suite past its 10-minute target; random secrets by
    # the hundred thousand are benchmarks/hmac_secrets.py's)
    for _ in range(500):
        raw = bytes(rng.getrandbits(8) for _ in range(35))
        HMACKey(b"G" + base64.b32encode(raw)[1:56])
        HMACKey(("cosmospub1" + "".join(rng.choice(alphabet) for _ in range(60))).encode())
        n = rng.randrange(32, 97)
        secret = bytes(rng.getrandbits(8) for _ in range(n))
        HMACKey(secret.hex().encode())
        HMACKey(base64.b64encode(secret))
        kept += 4
    assert kept == 2000


def test_rt60_10_honest_repeated_stateless(tmp_path):
    """A union listing one Normalizer and one FunctionTransformer a few times each (an odd but
    honest model) loads: a handful of input copies."""
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import FunctionTransformer, Normalizer

    import safeload

    norm, ft = Normalizer(), FunctionTransformer(np.sqrt)
    union = FeatureUnion([(f"n{i}", norm) for i in range(20)] + [(f"f{i}", ft) for i in range(20)])
    union.fit(np.ones((4, 3)))
    path = write(tmp_path, pickle.dumps(union, protocol=5))
    assert safeload.scan(path).safe
    assert safeload.load_unsigned(path).transform(np.ones((2, 3))).shape == (2, 120)


@pytest.mark.parametrize("lib", ["xgboost", "lightgbm"])
def test_rt60_12_honest_boosters(tmp_path, lib):
    """Boosters as scikit-learn ensembles use them: a voting model of three (each its own
    Booster, met through estimators_ and named_estimators_) and a frozen one answering five
    outputs (one wrapper met five times) load."""
    pytest.importorskip(lib)
    from sklearn.ensemble import VotingClassifier
    from sklearn.frozen import FrozenEstimator
    from sklearn.multioutput import MultiOutputClassifier

    import safeload

    rng = np.random.RandomState(0)
    X, y = rng.rand(200, 5), (rng.rand(200) > 0.5).astype(int)
    if lib == "xgboost":
        from xgboost import XGBClassifier as Model

        make = lambda: Model(n_estimators=100, max_depth=4)  # noqa: E731
    else:
        from lightgbm import LGBMClassifier as Model

        make = lambda: Model(n_estimators=100, verbose=-1)  # noqa: E731
    voting = VotingClassifier([(f"m{i}", make()) for i in range(3)], voting="soft").fit(X, y)
    frozen = FrozenEstimator(make().fit(X, y))
    multi = MultiOutputClassifier(frozen).fit(X, np.column_stack([y] * 5))
    for model in (voting, multi):
        path = write(tmp_path, pickle.dumps(model, protocol=5))
        assert safeload.scan(path, profiles=[lib]).safe
        safeload.load_unsigned(path, profiles=[lib]).predict(X[:3])


# --- red team 60's last lead: a composite member listed many times ------------------------------


def _composite_encoder(members):
    import category_encoders as ce
    import pandas as pd

    X = pd.DataFrame({"a": ["x", "y", "z", "x"] * 5, "b": ["p", "q", "p", "q"] * 5})
    enc = ce.TargetEncoder(cols=["a", "b"], composite_cols=[("a", "b")]).fit(X, np.arange(20) % 2)
    if members is not None:
        enc.composite_members_ = {"a|b": members}
    return enc


def test_rt60_composite_member_repeated(tmp_path):
    """The lead red team 60 left unverified, verified: a composite column whose member ``b``
    is listed 1,000 times (a memo reference each, 2.5 KB) makes ``transform`` select every
    ``b`` column for each, quadratic work: killed at HANG_CPU for two rows (74 s at 800).
    Fit records distinct input columns joined by ``|``."""
    pytest.importorskip("category_encoders")
    import safeload

    path = write(tmp_path, pickle.dumps(_composite_encoder(("b",) * 1000), protocol=5))
    call = "model.transform(__import__('pandas').DataFrame({'a': ['x', 'y'], 'b': ['p', 'q']}))"
    _spins(path, call, "category_encoders")
    assert not safeload.scan(path, profiles=CE).safe
    with pytest.raises(safeload.SafeloadError):
        safeload.load_unsigned(path, profiles=CE)


def test_rt60_composite_honest(tmp_path):
    """An encoder fitted with a composite column loads and transforms."""
    pytest.importorskip("category_encoders")
    import pandas as pd

    import safeload

    path = write(tmp_path, pickle.dumps(_composite_encoder(None), protocol=5))
    assert safeload.scan(path, profiles=CE).safe
    enc = safeload.load_unsigned(path, profiles=CE)
    assert enc.transform(pd.DataFrame({"a": ["x", "y"], "b": ["p", "q"]})).shape[0] == 2
