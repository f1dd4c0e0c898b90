r"""Red team 64: findings against red team 63's fixes (peak_input_copies' width rules, xgboost's
interaction steps, the HMAC public-key refusals), helper-115, 10:22-11:08 UTC 2026-12-03. Each
test asserts the safe behaviour; all fifteen were fixed during the round, rt64-12 and rt64-13
by keeping the refusal (SECURITY.md): rt64-15 showed that letting the file's bytes pay for
wider models, their first fix, is no payment. Red team 64 = helper START 10:22:01 UTC 2026-12-03,
END 11:08. At 11:07 the maintainer's working tree (commits 7a36cc0, c655ebb and uncommitted
changes) made every test but rt64-15 XPASS (compiled and pure). Times: each test under 10 s
but rt64-02 (~50 s: scan and load each parse a 60,000-tree blob; a smaller model is within
the bound it attacks) and rt64-15 (~11 s).

"pure" is a snapshot of /work/main in /tmp/rt64p (SAFELOAD_PURE_PYTHON=1); "compiled" is
/work/main's .venv build with PYTHONPATH=/work/main/src.

rt64-01 (HARM: memory; against rt63-04's fix, _width_factor) the columns-per-input-column bound
        (POLYNOMIAL_SPREAD) weighs a fitted transformer by ``_width_factor``, which reads only
        polynomial/spline widths, one-hot categories, KBins bins and target-encoder classes.
        Every other fitted transformer whose output is wider than its input counts 1 column
        per input column: kernel approximations (``RBFSampler``, ``SkewedChi2Sampler``: output
        ``n_components`` columns whatever the input width) and random projections
        (``GaussianRandomProjection`` / ``SparseRandomProjection`` with ``n_components`` above
        the input's width, which scikit-learn allows with a warning). A FeatureUnion of 30
        distinct ``RBFSampler(n_components=4096)`` fitted on ONE column, their weights and
        offsets zeroed (compress=3 shrinks them to nothing): a ~12 KB joblib file, scan SAFE,
        load loads (pure and compiled), counted 30 copies and 1 column per input column, while
        it holds 122,880 columns per input column. ``transform`` of a (3000, 1) input (24 KB)
        asks 2.9 GB (MemoryError under 1 GB). (300 of them: 118 KB; one of 2**20 components,
        73 KB, is also admitted.) Found by listing transformers whose output width is a
        parameter.
rt64-02 (HARM: CPU, xgboost profile; against rt63-02/-14's interaction-step bound) xgboost's
        CPU predictor computes SHAP contributions per row by looping over every output group
        and, inside it, over EVERY tree (zeroing a (num_feature + 1) buffer before it even
        checks ``tree_info[j] == gid``): a call costs ``groups x trees`` iterations a row, and
        ``pred_interactions`` makes ``2 (num_feature + 1) + 1`` such calls. The bound counts
        ``2 (F + 1) (squared depths + 256 x trees)``: linear in trees, blind to groups. A
        crafted XGBClassifier of G = 60,000 classes, one one-leaf tree per class, one feature
        (the interaction output is G x 4 values a row, within the free-column bound, which
        admits up to about 66,000 groups at F = 1): joblib compress=3, ~480 KB; scan SAFE,
        load loads (profiles=["xgboost"], compiled; counted 6e7 steps, 1.4 % of 2**32).
        ``get_booster().predict(DMatrix(zeros((1, 1))), pred_interactions=True)`` takes about
        58 s of CPU for ONE row (measured: G = 20,000 7.0 s, G = 50,000 40 s; quadratic);
        ``pred_contribs`` about 11 s a row. (The test is slow, ~35 s: scan and load each
        parse the 60,000-tree blob; its harm is shown under a 3 s CPU limit.) Found by reading
        how the predictor's per-group loop visits trees.
rt64-03 (TRUST, low: CPU of HMACKey itself; "the checks are linear") the DNSKEY pattern
        ``C?DNSKEY\s+\(?\s*\d+...`` lets ``\s+`` and ``\s*`` split one run of whitespace
        every way (the ``(``  between them is optional), so a secret holding ``DNSKEY`` and a
        long run of whitespace without the digits after it backtracks quadratically:
        ``HMACKey(b"DNSKEY" + b" " * 40_000 + b"x")`` takes 14 s of CPU, 10,000 spaces 1 s
        (the same secret as the 64 KB hex file ``from_file`` reads, 32 KB: about 9 s). The
        same split sits after the record's algorithm (``\s+\(?\s*[A-Za-z0-9+/]``). Pure and
        compiled (the module is pure Python either way). Found by reading each pattern of
        hmac_key.py for adjacent quantifiers over one class.
rt64-04 (HARM: memory; against rt63-04's fix and the OUTPUT_AXES fix of rt64-01)
        ``RandomTreesEmbedding.transform`` is ``one_hot_encoder_.transform(apply(X))``: one
        column per leaf of every tree (``sparse_output=False``), or ``n_estimators`` stored
        values a row (sparse, the default), whatever the input's width. It counts as one
        fitted transformer, 1 column per input column (its fitted ``one_hot_encoder_``, met
        below it, counts its leaves per TREE, since its input is ``apply``'s n_estimators
        columns). One RandomTreesEmbedding of 100 distinct trees of depth 10 fitted on one
        column (47,800 dense columns a row), four copies in a FeatureUnion: joblib
        ``compress=("xz", 3)`` (its window spans whole trees), ~30 KB; scan SAFE, load loads
        (pure and compiled). ``transform`` of a (1000, 1) input asks 1.5 GB (MemoryError under
        1 GB). (A single one, 23 KB, holds 47,800 columns per input column; sparse, 30
        RandomTreesEmbeddings of 100 depth-1 trees are 3,000 values a row per input value.)
        Found by listing transformers whose width is their fitted parts'. (Aside: scan's cost
        per estimator is about 1.6 ms compiled: 10 RandomTreesEmbeddings of 2,000 depth-1
        trees, an 851 KB joblib file, took 33 s to scan, 50 s pure.)
rt64-05 (HARM: memory; against rt63-04 / rt64-01's width rules) ``KNeighborsTransformer``
        and ``RadiusNeighborsTransformer`` return the sparse neighbours graph: ``n_neighbors
        + 1`` values a row (up to ``n_samples_fit_``), or every fitted sample within the
        radius, whatever the input's width; each counts one copy and 1 column per input
        column (``_fit_X`` is not in OUTPUT_AXES). Ten distinct
        ``KNeighborsTransformer(n_neighbors=19_999)`` fitted on 20,000 zero rows of one
        column in a FeatureUnion: joblib compress=3, 8.6 KB; scan SAFE, load loads (pure and
        compiled): 200,000 stored values a row per input column. ``transform`` of a (1000, 1)
        input runs out of 1 GB (each graph is 20 million entries, 16 bytes each before the
        union's hstack): a MemoryError, or for the k-neighbours one under plain joblib a
        SEGFAULT (return code -11: sklearn's argkmin reduction does not survive the failed
        allocation; the radius one prints "MemoryError: std::bad_alloc" as an ignored
        exception and then fails building the graph). The radius transformer alike (radius 1
        over zeros). Found by listing transformers whose output is as wide as what they were
        fitted on.
rt64-06 (HARM: memory, lightgbm profile; the LightGBM side of rt62-06) LightGBM's
        ``predict(X, pred_contrib=True)`` gives ``num_class x (num_feature + 1)`` values a row
        (one SHAP vector per class), and nothing bounds it for LightGBM: ``booster_shape``
        prices only xgboost's interaction values ("LightGBM has no interaction values"), and
        a class costs one tree of one leaf (about 60 bytes of text that compresses to
        nothing), a feature one name in ``feature_names``. A crafted LGBMClassifier of 20,000
        classes (one one-leaf tree each, ``multiclass num_class:20000``) over 10,000 features:
        joblib compress=3, ~150 KB; scan SAFE, load loads (profiles=["lightgbm"], compiled).
        ``predict(zeros((1, 10000)), pred_contrib=True)`` of ONE row (80 KB) asks 1.6 GB
        (20,000 per input column, past POLYNOMIAL_SPREAD's 4,096; at 1,000 features one row
        is 160 MB and 2.5 s). xgboost's ``pred_contribs`` is held under the same size only
        indirectly, by the interaction bound. Found by asking which output widths
        booster_shape prices for xgboost and not for LightGBM.
rt64-07 (TRUST, low; rt61-05 / rt63-05's kind) multibase did:key public keys of other
        curves are accepted as HMAC secrets: ``_is_multibase_key`` knows only the Ed25519
        multicodec head (``0xed01``, ``z6Mk``), not secp256k1 (``0xe701``, ``zQ3s``), P-256
        (``0x8024``, ``zDn``), P-384 (``0x8124``, ``z82``) or X25519 (``0xec01``, ``z6LS``): each
        a fixed 2-byte head at an exact length, the same evidence as the refused Ed25519 form,
        and what did:key resolvers and DIDComm print. Also a Filecoin ``f3`` address (``f3``,
        base32 of a 48-byte BLS public key and a 4-byte BLAKE2b check over the protocol byte
        and the key: a checksum like Algorand's, which is refused). Pure and compiled.
        (Not in the test, weaker: a Monero address, base58 in 8-byte blocks of a network byte,
        the public spend and view keys and a Keccak check.) Found by listing multicodec key
        types beside the one refused.
rt64-08 (HONEST-REFUSED; against rt63-16's fix) ``densify`` is computed once for the whole
        model: if ANY column transformer has ``sparse_threshold`` < 0.3 or a fitted
        ``sparse_output_`` that is not True, every sparse one-hot encoder anywhere counts its
        categories as dense columns, even one inside another column transformer whose own
        stored ``sparse_output_`` is True (whose result stays sparse). Any column transformer
        of only dense branches (scaling numeric columns) stores ``sparse_output_ = False``. So
        an honest soft VotingClassifier of two pipelines, one a
        ``ColumnTransformer([(StandardScaler(), ["age", "inc"])])`` before a
        HistGradientBoostingClassifier, the other a ``ColumnTransformer([(OneHotEncoder(
        handle_unknown="ignore"), ["user"])])`` of ~5,700 users (sparse_output_ True) before a
        LogisticRegression, pickled, is refused ("5,7xx columns per input column", pure and
        compiled, profiles=["pandas"]), while the second pipeline alone loads. The densifying
        should follow the column transformer that holds the encoder (and what it stacks),
        not any in the model. Found by reading where ``densify`` is computed.
rt64-09 (HARM: memory; against rt63-09's fix and the in-progress rt64-01 fix)
        ``_width_factor`` divides by the stored ``n_features_in_`` and returns 1.0 when there
        is none, but scikit-learn's ``transform`` does not need it: ``_check_n_features``
        skips the check when the attribute is missing. A dense ``OneHotEncoder`` of 4,096
        categories on one column, or an ``RBFSampler(n_components=4096)`` / a
        ``GaussianRandomProjection(4096)`` with zeroed weights, each with ``n_features_in_``
        deleted, 30 copies in a FeatureUnion: 177 KB / 12 KB / 7 KB with compress=3, scan
        SAFE, load loads (pure and compiled; the working tree at 10:52 with OUTPUT_AXES),
        122,880 columns per input column. ``transform`` of a (3000, 1) input asks 2.9 GB
        (MemoryError under 1 GB). (PolynomialFeatures, SplineTransformer and KBinsDiscretizer
        hold: their structure checks need the attribute.) A width with no stored input
        width should count its whole output (fail closed), or the input width be read from
        the arrays (``categories_`` count, ``random_weights_.shape[0]``). Found by asking what
        _width_factor does when its denominator is missing.
rt64-10 (HARM: memory; against rt64-04's fix in the working tree at 10:52) the fix reads
        the embedding's own ``sparse_output`` to decide between a value per tree and a column
        per leaf, but ``transform`` is ``one_hot_encoder_.transform(apply(X))``: the stored
        encoder's ``sparse_output`` decides. rt64-04's model with the embedding's flag set to
        True and its encoder left dense: counted 100 values a row (the encoder below it,
        fed ``apply``'s 100 columns, counts 478 per ITS column), returns a dense (n, 47,800)
        array; four in a union, xz, 29 KB, scan SAFE, load loads (pure), and ``transform``
        of (1000, 1) asks 1.5 GB. Found by reading the fix against ``transform``.
rt64-11 (HARM: memory; against rt63-01's fix, voting/stacking count one copy) a soft
        ``VotingClassifier.transform`` returns every member's ``predict_proba`` side by side
        (``n_estimators x n_classes`` columns), a stacking one its members' predictions
        (beside the input with ``passthrough``): as wide as the classes, whatever the input.
        Each counts one copy, width 1. Twelve distinct soft
        ``VotingClassifier([DummyClassifier(strategy="prior")])`` fitted on 100,000 labels of
        one zero column, in a FeatureUnion: joblib ``compress=("xz", 3)`` (the label arrays are
        aranges), 34 KB; scan SAFE, load loads (pure), 1.2 million columns a row per input
        column (the names bound refuses 30 of them, not 12). ``transform`` of a (300, 1)
        input asks 2.9 GB (MemoryError under 1 GB). The classes are stored, but met in a
        union side by side, as OUTPUT_AXES now counts a PCA's components. Found by asking
        which composite transforms return predictions rather than the input.
rt64-12 (HONEST-REFUSED; against the OUTPUT_AXES fix of rt64-01, commit 7a36cc0) a
        clusterer counts its ``cluster_centers_`` as output columns (``transform`` is the
        distance to every centre) even when it is the whole model and only ``predict`` is
        used: an honest vector-quantization model, ``MiniBatchKMeans(n_clusters=9000)`` fitted
        on 30,000 two-dimensional points (a codebook of places by latitude and longitude;
        ``KMeans`` alike), pickled (337 KB), is refused with "4,500 columns per input column
        at once (at most 4,096)", pure and compiled. A standalone estimator's own width is
        "honest whatever it is" elsewhere (a count sketch of 40,000 components, rt58-06);
        the repeated-width bound is meant for expansions side by side. (Birch on the same
        30,000 points, 8,893 subclusters, is refused too, but by the older memo-unfolding
        bound: "memo references reuse memoised containers so often ...", 2.3 MB; not in the
        test.) Found by fitting honest clusterers past the new bound.
rt64-13 (HONEST-REFUSED; against the rt64-05 fix in the working tree at 10:57) a
        ``RadiusNeighborsTransformer`` now counts every fitted sample as output columns, so
        scikit-learn's documented pattern of a precomputed sparse neighbours graph,
        ``make_pipeline(RadiusNeighborsTransformer(radius=0.05, mode="distance"),
        KNeighborsClassifier(metric="precomputed"))`` fitted on 10,000 two-dimensional points
        (about 75 neighbours a row), pickled, is refused: "5,000 columns per input column at
        once (at most 4,096)" (pure). The graph is sparse (one stored value per neighbour
        within the radius); counting it as dense as the fitted set refuses any radius graph
        over more than 4,096 samples per input column. Found by fitting the documented
        pipeline past the new bound.
rt64-14 (TRUST, low; against rt64-07's fix in the working tree at 11:00) the multicodec
        table lists Ed25519, X25519, secp256k1, P-256/384/521, Ed448, X448 and BLS12-381,
        not RSA (``rsa-pub``, ``0x8524``, did:key ``z4MX...``: the head and a PKCS#1
        RSAPublicKey DER, which parses, so the form is certain), and the multibase tokens
        are read at most 200 characters long, while an RSA-2048 did:key is 381 characters
        (4096-bit: 730). Both are accepted as HMAC secrets (pure; compiled alike). Found by
        reading the fix's table and token length.
rt64-15 (HARM: memory; against the rt64-12/13 fix in the working tree at 11:06,
        WIDE_COLUMN_BYTES) the columns per input column held at once may now be
        ``file_size // 32`` past 4,096: paid by the file's bytes, whatever they are, which
        rt62-07 showed is no payment ("paying for copies with file bytes let 3,000 scalers in
        a 5 MB file copy any input 3,000 times"). Forty honest ``RBFSampler(n_components=
        4096)`` (random weights) fitted on one column in a FeatureUnion, and 3 MB of random
        bytes in an attribute of the union (``padding_``): a 5.6 MB joblib file (compress=0),
        scan SAFE, load loads (pure), 163,840 columns a row per input column. ``transform``
        of a (2000, 1) input (16 KB) asks 2.6 GB (MemoryError under 1 GB). Found by reading
        the fix.
"""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest

from redteam import (
    GB,
    PLAIN_JOBLIB_CALL,
    assert_refused_with,
    assert_secret_refused,
    base58,
    child,
    compressed_joblib,
    joblib_memory_harm,
    joblib_out_of_memory,
    one_leaf_xgboost,
    write,
    xgboost_interactions_spin,
)

# --- rt64-01: transformers wider than their input that _width_factor does not read ----------


def _zeroed(est):
    for key, value in list(vars(est).items()):
        if key.endswith("_") and isinstance(value, np.ndarray) and value.dtype.kind == "f":
            setattr(est, key, np.zeros_like(value))
    return est


def _wide_transformer(kind):
    import warnings

    from sklearn.kernel_approximation import RBFSampler, SkewedChi2Sampler
    from sklearn.random_projection import GaussianRandomProjection, SparseRandomProjection

    x = np.random.RandomState(0).rand(5, 1)
    make = {
        "rbf": lambda: RBFSampler(n_components=4096, random_state=0),
        "chi2": lambda: SkewedChi2Sampler(n_components=4096, random_state=0),
        "gaussian": lambda: GaussianRandomProjection(n_components=4096, random_state=0),
        "sparse": lambda: SparseRandomProjection(n_components=4096, random_state=0),
    }[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _zeroed(make().fit(x))


@pytest.mark.parametrize("kind", ["rbf", "gaussian"])
def test_rt64_01_union_of_wide_samplers(tmp_path, kind):
    from sklearn.pipeline import FeatureUnion

    one = _wide_transformer(kind)
    union = FeatureUnion([(f"r{i}", copy.deepcopy(one)) for i in range(30)])
    path = compressed_joblib(tmp_path, union, 40_000)
    joblib_memory_harm(path, "model.transform(numpy.full((3000, 1), 0.5))")
    assert_refused_with(path)


# --- rt64-02: xgboost's per-row SHAP loop is groups x trees -----------------------------------


def test_rt64_02_xgboost_many_groups_interactions(tmp_path):
    from safeload.trust.xgboost_model import booster_problem

    # (red team 64's was 60,000 classes over one feature; 17,000 over 15 features, 33 passes
    # of 17,000 x 17,000 tree visits, cost as much, about 30 s a row, from half the trees)
    model = one_leaf_xgboost(17_000, groups=17_000, features=15)
    path = compressed_joblib(tmp_path, model, 1_000_000)
    xgboost_interactions_spin(path, 15)  # SIGXCPU
    found = booster_problem(model.get_booster().__getstate__()["handle"])
    assert "a visit of every tree by each of 17000 output group(s)" in str(found)


def test_rt64_02_honest_multiclass_passes():
    """Fifty classes of 40 rounds (2,000 trees) over 50 features pass the bound."""
    import xgboost as xgb

    from safeload.trust.xgboost_model import booster_problem

    rs = np.random.RandomState(0)
    model = xgb.XGBClassifier(n_estimators=40, max_depth=3, n_jobs=1).fit(
        rs.rand(500, 50), np.arange(500) % 50
    )
    assert booster_problem(model.get_booster().__getstate__()["handle"]) is None


# --- rt64-03: the DNSKEY pattern backtracks quadratically over whitespace ----------------------


@pytest.mark.parametrize("tail", [b"", b" 257 3 15"])
def test_rt64_03_dnskey_pattern_is_quadratic(tail):
    import time

    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    secret = b"DNSKEY" + tail + b" " * 16_000 + b"!"
    start = time.process_time()
    try:
        HMACKey(secret)
    except KeyFormatError:
        pass
    assert time.process_time() - start < 0.5  # linear checks: milliseconds; today 2-3 s


# --- rt64-04: a random-trees embedding is as wide as its leaves --------------------------------


def _random_trees_embedding(trees, depth):
    import warnings

    from sklearn.ensemble import RandomTreesEmbedding
    from sklearn.preprocessing import OneHotEncoder

    x = np.arange(2 ** (depth + 1), dtype=float).reshape(-1, 1)
    embedding = RandomTreesEmbedding(
        n_estimators=1, max_depth=depth, sparse_output=False, random_state=0
    ).fit(x)
    # (copies through one pickle: a deepcopy copies the node records' padding bytes as
    # they lie in memory, and xz then compresses the copies unevenly)
    first = pickle.dumps(embedding.estimators_[0], protocol=5)
    embedding.estimators_ = [pickle.loads(first) for _ in range(trees)]
    embedding.n_estimators = trees
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        encoder = OneHotEncoder(sparse_output=False, handle_unknown="ignore")
        embedding.one_hot_encoder_ = encoder.fit(embedding.apply(x))
    embedding._n_features_out = sum(encoder._n_features_outs)
    return embedding


def test_rt64_04_random_trees_embedding_width(tmp_path):
    from sklearn.pipeline import FeatureUnion

    one = _random_trees_embedding(100, 10)
    data = pickle.dumps(one, protocol=5)
    union = FeatureUnion([(f"e{i}", pickle.loads(data)) for i in range(4)])
    path = compressed_joblib(tmp_path, union, 100_000, ("xz", 3))
    joblib_out_of_memory(path, "model.transform(numpy.full((1000, 1), 7.0))")
    assert_refused_with(path)


# --- rt64-05: a neighbours transformer is as wide as its fitted samples --------------------------


@pytest.mark.parametrize("kind", ["knn", "radius"])
def test_rt64_05_neighbours_transformer_width(tmp_path, kind):
    from sklearn.neighbors import KNeighborsTransformer, RadiusNeighborsTransformer
    from sklearn.pipeline import FeatureUnion

    samples = np.zeros((20_000, 1))
    if kind == "knn":
        one = KNeighborsTransformer(n_neighbors=19_999, algorithm="brute").fit(samples)
    else:
        one = RadiusNeighborsTransformer(radius=1.0, algorithm="brute").fit(samples)
    union = FeatureUnion([(f"k{i}", copy.deepcopy(one)) for i in range(10)])
    path = compressed_joblib(tmp_path, union, 20_000)
    call = "model.transform(numpy.zeros((1000, 1)))"
    shown = child(PLAIN_JOBLIB_CALL.format(call=call), path, memory=GB // 2, cpu=30, timeout=60)
    # out of memory: a MemoryError (the radius reduction's native code swallows its
    # std::bad_alloc and fails later), or (the k-neighbours one's) a segfault
    assert "loaded" in shown.stdout, str(shown)
    assert "MemoryError" in shown.output or shown.crashed, str(shown)
    assert_refused_with(path)


# --- rt64-06: LightGBM's SHAP contributions are classes x features a row -----------------------


def _many_class_lightgbm(classes, features):
    """An LGBMClassifier of ``classes`` classes (one one-leaf tree each) over ``features``
    features, its model text edited from a real fit (counts, names, one-leaf trees)."""
    import re
    import warnings

    import lightgbm as lgb
    from sklearn.preprocessing import LabelEncoder

    x = np.random.RandomState(0).rand(60, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = lgb.LGBMClassifier(
            n_estimators=1, num_leaves=2, min_child_samples=1, verbose=-1
        ).fit(x, np.arange(60) % 3)
    text = model.booster_.model_to_string()
    head, rest = text.split("\nTree=0", 1)
    tail = rest[rest.index("end of trees") :]
    tail = tail[: tail.index("feature_importances")]
    for key, value in (
        ("num_class", str(classes)),
        ("num_tree_per_iteration", str(classes)),
        ("max_feature_idx", str(features - 1)),
        ("objective", f"multiclass num_class:{classes}"),
        ("feature_names", " ".join(f"f{i}" for i in range(features))),
        ("feature_infos", " ".join("[0:1]" for _ in range(features))),
    ):
        head = re.sub(rf"(?m)^{key}=.*$", lambda _, k=key, v=value: f"{k}={v}", head)
    trees = [
        f"Tree={i}\nnum_leaves=1\nnum_cat=0\nshrinkage=1\nleaf_value=0\nis_linear=0\n\n\n"
        for i in range(classes)
    ]
    sizes = " ".join(str(len(t)) for t in trees)
    head = re.sub(r"(?m)^tree_sizes=.*$", lambda _: f"tree_sizes={sizes}", head)
    model._Booster = lgb.Booster(model_str=head + "\n" + "".join(trees) + tail)
    model._n_classes = classes
    model._classes = np.arange(classes)
    model._n_features = model._n_features_in = features
    model._le = LabelEncoder().fit(np.arange(classes))
    return model


def test_rt64_06_lightgbm_contributions_width(tmp_path):
    model = _many_class_lightgbm(20_000, 10_000)
    path = compressed_joblib(tmp_path, model, 300_000)
    call = "model.predict(numpy.zeros((1, 10000)), pred_contrib=True)"
    shown = child(PLAIN_JOBLIB_CALL.format(call=call), path, memory=GB // 2, cpu=30, timeout=60)
    assert "loaded" in shown.stdout, str(shown)
    assert "MemoryError" in shown.output or "bad_alloc" in shown.output or shown.crashed, str(shown)
    assert_refused_with(path, ["lightgbm"])


# --- rt64-07: did:key of other curves, Filecoin f3 addresses ------------------------------------


def _other_key_forms():
    import base64
    import hashlib

    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import ec, x25519

    def point(curve):
        key = ec.derive_private_key(12345, curve).public_key()
        return key.public_bytes(ser.Encoding.X962, ser.PublicFormat.CompressedPoint)

    x = x25519.X25519PrivateKey.from_private_bytes(b"\x07" * 32).public_key()
    raw_x = x.public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)
    bls = bytes(range(48))  # (any 48 bytes: the form and check are what is recognisable)
    check = hashlib.blake2b(b"\x03" + bls, digest_size=4).digest()
    return {
        "did-key-secp256k1": "did:key:z" + base58(b"\xe7\x01" + point(ec.SECP256K1())),
        "multibase-secp256k1": "z" + base58(b"\xe7\x01" + point(ec.SECP256K1())),
        "did-key-p256": "did:key:z" + base58(b"\x80\x24" + point(ec.SECP256R1())),
        "did-key-p384": "did:key:z" + base58(b"\x81\x24" + point(ec.SECP384R1())),
        "did-key-x25519": "did:key:z" + base58(b"\xec\x01" + raw_x),
        "filecoin-f3": "f3" + base64.b32encode(bls + check).decode().lower().rstrip("="),
    }


@pytest.mark.parametrize(
    "form",
    [
        "did-key-secp256k1",
        "multibase-secp256k1",
        "did-key-p256",
        "did-key-p384",
        "did-key-x25519",
        "filecoin-f3",
    ],
)
def test_rt64_07_other_multicodec_keys(form):

    assert_secret_refused(_other_key_forms()[form])


# --- rt64-08: one dense column transformer densifies every sparse one-hot encoder --------------


def test_rt64_08_densify_is_model_wide(tmp_path):
    import warnings

    import pandas as pd
    from sklearn.compose import make_column_transformer
    from sklearn.ensemble import HistGradientBoostingClassifier, VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    import safeload

    rs = np.random.RandomState(0)
    n = 10_000
    frame = pd.DataFrame(
        {"user": rs.randint(0, 8_000, n).astype(str), "age": rs.rand(n), "inc": rs.rand(n)}
    )
    y = rs.randint(0, 2, n)
    numeric = make_pipeline(
        make_column_transformer((StandardScaler(), ["age", "inc"])),
        HistGradientBoostingClassifier(max_iter=3),
    )
    users = make_pipeline(
        make_column_transformer((OneHotEncoder(handle_unknown="ignore"), ["user"])),
        LogisticRegression(max_iter=5),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = VotingClassifier([("n", numeric), ("u", users)], voting="soft").fit(frame, y)
    assert model.estimators_[1][0].sparse_output_ is True
    assert len(model.estimators_[1][0].transformers_[0][1].categories_[0]) > 4_096
    alone = write(tmp_path, pickle.dumps(model.estimators_[1], protocol=5), "alone.pkl")
    assert safeload.scan(alone, profiles=["pandas"]).safe  # the sparse pipeline alone loads
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    assert safeload.scan(path, profiles=["pandas"]).safe
    safeload.load_unsigned(path, profiles=["pandas"])


# --- rt64-09: no n_features_in_, no width ------------------------------------------------------


@pytest.mark.parametrize("kind", ["onehot", "rbf", "gaussian"])
def test_rt64_09_width_without_features_in(tmp_path, kind):
    from sklearn.pipeline import FeatureUnion
    from sklearn.preprocessing import OneHotEncoder

    if kind == "onehot":
        one = OneHotEncoder(sparse_output=False).fit(np.arange(4096.0).reshape(-1, 1))
    else:
        one = _wide_transformer(kind)
    del one.n_features_in_
    union = FeatureUnion([(f"w{i}", copy.deepcopy(one)) for i in range(30)])
    path = compressed_joblib(tmp_path, union, 250_000)
    joblib_memory_harm(path, "model.transform(numpy.zeros((3000, 1)))")
    assert_refused_with(path)


# --- rt64-10: the embedding's flag, not its encoder's ------------------------------------------


def test_rt64_10_embedding_flag_not_encoder(tmp_path):
    from sklearn.pipeline import FeatureUnion

    one = _random_trees_embedding(100, 10)
    one.sparse_output = True  # (its one_hot_encoder_ stays dense: transform is dense)
    data = pickle.dumps(one, protocol=5)
    union = FeatureUnion([(f"e{i}", pickle.loads(data)) for i in range(4)])
    path = compressed_joblib(tmp_path, union, 100_000, ("xz", 3))
    joblib_out_of_memory(path, "model.transform(numpy.full((1000, 1), 7.0))")
    assert_refused_with(path)


# --- rt64-11: a soft voting classifier's transform is as wide as its classes -------------------


def test_rt64_11_union_of_voting_probabilities(tmp_path):
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import VotingClassifier
    from sklearn.pipeline import FeatureUnion

    labels = 100_000
    one = VotingClassifier([("d", DummyClassifier(strategy="prior"))], voting="soft").fit(
        np.zeros((labels, 1)), np.arange(labels)
    )
    union = FeatureUnion([(f"v{i}", copy.deepcopy(one)) for i in range(12)])
    path = compressed_joblib(tmp_path, union, 100_000, ("xz", 3))
    joblib_memory_harm(path, "model.transform(numpy.zeros((300, 1)))")
    assert_refused_with(path)


# --- rt64-12: a codebook of 9,000 centres in two dimensions is refused ------------------------


def _refused_for_width(path):
    import safeload
    from safeload.exceptions import SafeloadError

    report = safeload.scan(path)
    assert not report.safe and "columns per input column" in str(report.findings)
    with pytest.raises(SafeloadError, match="columns per input column at once"):
        safeload.load_unsigned(path)


def test_rt64_12_kmeans_codebook_kept_refused(tmp_path):
    """Kept as a documented refusal (SECURITY.md): a clusterer's ``transform`` gives a column
    per centre, and more than 4,096 per input column are refused whatever pays for them
    (rt64-15). The codebook's centres saved as an array load."""
    import warnings

    from sklearn.cluster import MiniBatchKMeans

    import safeload

    # (red team 64's was 9,000 centres over 30,000 points in two dimensions; 4,200 in one
    # dimension are as many per input column, and quicker to fit)
    points = np.random.RandomState(0).rand(8_400, 1) * 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MiniBatchKMeans(
            n_clusters=4_200, n_init=1, max_iter=1, batch_size=8_400, random_state=0
        ).fit(points)
    _refused_for_width(write(tmp_path, pickle.dumps(model, protocol=5)))
    centres = write(tmp_path, pickle.dumps(model.cluster_centers_, protocol=5), "c.pkl")
    assert safeload.load_unsigned(centres).shape == (4_200, 1)


def test_rt64_13_radius_graph_kept_refused(tmp_path):
    """Kept as a documented refusal: a radius graph may hold every fitted sample in a row."""
    from sklearn.neighbors import KNeighborsClassifier, RadiusNeighborsTransformer
    from sklearn.pipeline import make_pipeline

    rs = np.random.RandomState(0)
    x, y = rs.rand(10_000, 2), rs.randint(0, 2, 10_000)
    model = make_pipeline(
        RadiusNeighborsTransformer(radius=0.05, mode="distance"),
        KNeighborsClassifier(metric="precomputed", n_neighbors=5),
    ).fit(x, y)
    _refused_for_width(write(tmp_path, pickle.dumps(model, protocol=5)))


def test_rt64_13_small_graphs_and_embeddings_load(tmp_path):
    """The maintainer's honest cases beside rt64-04/05/11/13: neighbours graphs, random
    trees embeddings and voting transforms of ordinary size."""
    import warnings

    from sklearn.datasets import load_iris
    from sklearn.ensemble import RandomTreesEmbedding, StackingClassifier, VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsTransformer, RadiusNeighborsTransformer
    from sklearn.pipeline import make_pipeline, make_union
    from sklearn.tree import DecisionTreeClassifier

    from redteam import load_honest

    x, y = load_iris(return_X_y=True)
    voters = [("a", LogisticRegression(max_iter=200)), ("b", DecisionTreeClassifier())]
    union = make_union(
        KNeighborsTransformer(n_neighbors=10),
        RadiusNeighborsTransformer(radius=0.5),
        RandomTreesEmbedding(n_estimators=20, random_state=0),
        RandomTreesEmbedding(n_estimators=5, sparse_output=False, random_state=0),
        VotingClassifier(voters, voting="soft"),
        StackingClassifier(voters, passthrough=True),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = make_pipeline(union, LogisticRegression(max_iter=50)).fit(x, y)
    assert load_honest(model, tmp_path).predict(x[:3]).shape == (3,)


# --- rt64-14: an RSA did:key -------------------------------------------------------------------


@pytest.mark.parametrize("bits", [2048, 4096])
def test_rt64_14_rsa_did_key(bits):
    from cryptography.hazmat.primitives import serialization as ser
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(65537, bits).public_key()
    der = key.public_bytes(ser.Encoding.DER, ser.PublicFormat.PKCS1)
    assert_secret_refused("did:key:z" + base58(b"\x85\x24" + der))


# --- rt64-15: the wide-column allowance is paid by any bytes of the file -----------------------


def test_rt64_15_padding_pays_for_width(tmp_path):
    import joblib
    from sklearn.kernel_approximation import RBFSampler
    from sklearn.pipeline import FeatureUnion

    x = np.random.RandomState(0).rand(5, 1)
    union = FeatureUnion(
        [(f"r{i}", RBFSampler(n_components=4096, random_state=i).fit(x)) for i in range(40)]
    )
    union.padding_ = np.random.RandomState(0).bytes(3_000_000)
    path = tmp_path / "m.joblib"
    joblib.dump(union, path, compress=0)
    assert path.stat().st_size < 6_000_000, path.stat().st_size
    joblib_memory_harm(path, "model.transform(numpy.full((2000, 1), 0.5))")
    assert_refused_with(path)
