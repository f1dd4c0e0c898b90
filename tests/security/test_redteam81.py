r"""Red team 81: reproducers (strict xfails) for the open findings, 13:30-14:40 UTC 2026-12-04,
on HEAD 7fc0fd6 (red team 80's fixes 72dcdfe / d1a8fea: check_drawn_total / MAX_DRAWS and
bagging's _seeds, _plain_item's dates, Decimals and Timestamps, MAX_LINEAR_SVC_COEF,
iteration_weight / FREE_ITERATING_COMPONENTS, _embedded_der / MAX_EMBEDDED_TRIES and the
shared MAX_INFLATED budget; 2f8e4f0's one empty tuple in the walk).

"pure" is the snapshot of HEAD in /tmp/rt81p (SAFELOAD_PURE_PYTHON=1), the main target;
"compiled" is /work/main's .venv build (its src was HEAD, unchanged, during the window).
Every test below XFAILs on both. Sizes are joblib files (xz) or pickles as said; CPU times
are process times on the shared 2-core machine (one thread), noisy by some 30%.

Attack window: 13:30 to 14:25 UTC, continuous (the last minutes also writing this docstring).

rt81-01 (TRUST; against rt77-08's _zip_members) only ``archive.infolist()[:4]`` is read, and a
        deflated member is in plain sight for neither _embedded_der nor the armour search:
        ``zip -r keys.zip keys/`` of a folder holding three other files (its own directory
        entry counts) and the public key, or of the key four folders deep
        (keys/prod/2026/signing/pub.pem), is accepted as an HMAC secret: PEM 688 / 729 bytes,
        DER 628 / 669, pure and compiled. Found reading _zip_members against ``zip -r``.
rt81-02 (TRUST; against rt80-04's fix, MAX_EMBEDDED_TRIES) _embedded_der parses at most 4,096
        places, in order, and every "0.0" of a CSV of decimals (a 0x30 byte, a length byte
        "." = 46, a 0x30 byte) is one: a v7 tar (rt80-04's form) of data.csv (2,500 rows, 56
        KB, some 7,500 places) and the key's DER, and a ustar tar (or .tar.gz) whose key is
        its fifth member (_tar_members reads four), are accepted (0.2 s), pure and compiled;
        refused without the CSV. (2,100 rows suffice; 1,400 do not.)
rt81-03 (HARM: CPU; against rt80-08's fix, which weighs NMF's iterations only)
        LatentDirichletAllocation's E-step runs max_doc_update_iter (at most 1,000, a per-row
        count of weight 1) rounds of (topics x words in the row) per document, and the
        columns bound allows 4,096 topics per input column: 81,920 repeated topics over 20
        words, mean_change_tol 0 (8.6 KB), scan SAFE, load loads, transform takes 2.0 s of
        CPU per row; 163,840 over 40 words (21 KB): 5.5 s per row (10 rows: 55 s). 4 topics:
        some 10 ms a row. Found by asking which per-row counts iteration_weight leaves at 1.
rt81-04 (HARM: CPU; rt80 called DictionaryLearning's lasso_cd "held" on repeated atoms)
        transform_max_iter (at most 10,000, weight 1) of coordinate descent over the (k, k)
        Gram of 1,024 atoms (FREE_GRAM_COMPONENTS): nearly collinear atoms (a base atom plus
        multiples of 1/4096, which xz packs: 8 KB) never meet lasso's fixed tolerance:
        DictionaryLearning, MiniBatchDictionaryLearning and SparseCoder with transform_alpha
        1e-6 take 2.9 s of CPU per row (4 rows: 11.6 s), scan SAFE, load loads, pure and
        compiled. Repeated atoms converge at once (rt80's 0.37 s for 10 rows).
rt81-05 (TRUST; the class of rt77-08's zstd / LZ4 magic numbers) ``compress pub.pem``
        (ncompress's LZW .Z, which ``gzip -d`` and ``zcat`` read) is accepted: pub.pem.Z 177
        bytes, pub.der.Z 104, pure and compiled (the test's encoder is checked by gzip -dc).
rt81-06 (HARM: memory; against rt79-05 / rt80-02's _check_bootstrap_count) a forest counts
        ``_n_samples_bootstrap`` per tree only when ``bootstrap is True``, else
        ``_n_samples``; scikit-learn draws ``_n_samples_bootstrap`` whenever ``bootstrap`` is
        truthy, and numpy's True passes the "boolean" constraint; check_draw_count lets the
        draws exceed the training set when ``max_samples`` equals them. RandomForest /
        ExtraTrees / RandomTreesEmbedding of 10 trees on 60 rows, bootstrap numpy.True_,
        max_samples = _n_samples_bootstrap = 10**9: 4.6 / 8.6 / 9.8 KB, scan SAFE, load
        loads, pure and compiled; estimators_samples_ (and _repr_html_) ask 8 GB a tree
        (MemoryError under 256 MB at once). Found grepping the checks for ``is True``.
rt81-07 (TRUST; against rt75-03's _decompressed) one decompressor object inflates the first
        gzip member, bzip2 stream or xz stream only: ``cat NOTE.gz pub.pem.gz > key.gz``
        (RFC 1952's "series of members"; gzip -dc prints both) is accepted (PEM 246 bytes,
        DER 186), bzip2 likewise (293 / 260), xz with the PEM (328; the DER's xz stream holds
        its bytes in plain sight: refused), pure and compiled.
rt81-08 (PARITY; the pandas profile's Timestamp, newly a plain item since rt80-06) pandas'
        _unpickle_timestamp returns the NaT singleton for the value -2**63 (iNaT), whose
        __dict__ is {'__module__': 'pandas'} (pandas 3.1.1): scan's shadow takes it for a
        Timestamp, SAFE; the load refuses it ("state sets the special attribute
        '__module__'"), as an imputer's statistic or any attribute, in any resolution, pure
        and compiled. (Timedelta's iNaT raises on both sides.)
rt81-09 (HONEST-REFUSED; the encoders' side of rt80-06) OneHotEncoder, OrdinalEncoder,
        TargetEncoder and LabelEncoder fitted on a column of datetime.date or
        decimal.Decimal objects (what database drivers return for DATE and NUMERIC) or of
        pandas Timestamps keep them, sorted, as categories_ / classes_; _searchable_items
        takes only text or real numbers: "categories_[0] is not sorted, or of a kind no fit
        stores", scan and load, pure and compiled (the imputers of the same columns load).
rt81-10 (TRUST; _decompressed's ``startswith(b"PK\x03\x04")`` gate) a zip after any preamble
        (a self-extracting archive: a shell stub, ``cat sfx.sh keys.zip``, an .exe stub),
        which zipfile and unzip open by its end record, is never opened: the key deflated
        inside is accepted (303 / 243 bytes), pure and compiled.
rt81-11 (HONEST-REFUSED; against rt80-07's fix, MAX_LINEAR_SVC_COEF) the cap counts pairs x
        features as if coef_ were dense; a linear SVC fitted on sparse rows (TF-IDF) has a
        CSR coef_ of the support vectors' nonzeros: 30 classes over a 100,000-word vocabulary,
        120 documents of 20 words: coef_ (435, 100000) holds 69,573 values (0.36 s), the
        pickle 96 KB, refused by scan and load ("43,500,000 numbers"), pure and compiled; 26
        classes load.
rt81-12 (HARM: CPU; against rt80-08's fix) iteration_weight is 1 up to 32 components whatever
        the features, and a round of NMF's transform costs rows x components x features: 32
        components over 100,000 features (a TF-IDF vocabulary's width; a pattern xz packs
        into 4.5 KB, MiniBatchNMF 6.3 KB), tol 0, NMF max_iter 100,000 / MiniBatchNMF
        _transform_max_iter 10,000: scan SAFE, load loads, pure and compiled; transform of
        ONE row takes 5.3 ms a round: some 9 minutes (NMF), 53 s (MiniBatchNMF); linear in the
        features (1,000: 0.05 s per 1,000 rounds).
rt81-13 (HARM: CPU; the class of rt80-05, outside its MAX_INFLATED budget) _ebcdic_text reads a
        non-ASCII secret in five EBCDIC pages, each form as long as the secret, kept when it
        holds a printable run, and every form is read again 3 levels deep: a secret holding,
        for every chain of up to three pages, 30 bytes the chain reads as text (125 runs,
        3.9 KB) keeps ~150 full-size forms alive through the text readers: with 64 KB of
        random bytes (69 KB) 5.4 s, with 256 KB (266 KB) 20 s of CPU, pure and compiled (the
        random bytes alone: 0.26 s); the secret is then accepted. Found profiling which forms
        a large secret makes.
rt81-14 (HARM: CPU and memory; against rt80-01's fix) check_bagging reads ``_seeds`` and
        counts the draws only under ``if attrs.get("_max_samples") is not None``, and returns
        at once without ``estimators_``; estimators_samples_ (no fitted check) iterates
        ``_seeds`` either way (``randint(0, n, None)`` draws one index when ``_max_samples``
        is None) and makes a RandomState per seed: BaggingClassifier or IsolationForest of 10
        members, ``_max_samples`` None and 2,000,000 zero seeds (6.6 KB), or estimators_
        deleted and the same seeds (3.1 KB): scan SAFE, load loads, pure and compiled;
        estimators_samples_ (and _repr_html_) takes 83 us a seed, some 165 s; estimators_
        deleted and ``_n_samples = _max_samples = 10**8`` over 10 seeds (800 bytes): 8 GB
        asked (MemoryError under 2 GB after 4.8 s). Found reading the guards around the fix.
rt81-15 (HARM: memory; against rt80-07's fix) check_svm returns at once without ``support_``
        ("not fitted"), before MAX_LINEAR_SVC_COEF; the coef_ property needs only dual_coef_,
        _n_support and support_vectors_ (predict, which needs support_, fails: no native code
        runs): a linear SVC of 400 classes over 2,000 features, support_ deleted: 3.4 KB,
        scan SAFE, load loads, pure and compiled; coef_ (and _repr_html_) asks 1.28 GB
        (MemoryError under 1 GB; 1,000 classes: 8 GB). Found looking for the same guard as
        rt81-14 in the other fixes.
rt81-16 (HARM: memory; the same guard) check_polynomial_features returns when
        n_output_features_ and _n_out_full are both missing, and the names budget (which
        refuses the fitted model: "get_feature_names_out could write 2,003,001 names ... 32
        GB with the polynomial powers_") reads n_output_features_ too; powers_ and
        get_feature_names_out need only n_features_in_ and the degrees: fitted on 2,000
        features, degree 2, both counts deleted: 217 bytes, scan SAFE, load loads, pure and
        compiled; powers_ / get_feature_names_out / _repr_html_ ask 32 GB (MemoryError under
        1 GB).

Held (tried, refused or harmless):
- The one empty tuple (2f8e4f0): BUILD on it with None or (None, {}) state loads on both
  sides (harmless); with a dict, slot state, APPEND or SETITEM refused by both; MEMOIZE /
  BINGET / DUP of it, as a dict key, frozenset and set item, NEWOBJ / REDUCE args
  (``tuple()``, ``frozenset()``, ``list()`` of it): scan and load agree. A million
  one-byte EMPTY_TUPLEs in a list, a tuple, a frozenset, a set or as dict keys: 2.2-5 s per
  MB; ``)\x85`` (TUPLE1 of it, now one container per 2 bytes): scan 12.5 s, load 11 s per
  MB pure, linear (under the documented 17 s); in a frozenset 6.8 s, as dict keys 6.2 s;
  ``)0``, ``()1``, ``)Nb0`` 1.5-3.5 s per MB.
- _plain_item (rt80-06): 29 item kinds (dates and times with time zones, timedeltas,
  Decimals sNaN / NaN payloads of 64 and 65 digits / infinities / 1E+999999 / 65 digits,
  Timestamps with and without tz, Timedelta, NaT, Period, numpy NaT / timedelta64 /
  longdouble / clongdouble, UUID, PurePosixPath, Counter, OrderedDict, complex, bytearray,
  range, slice, frozenset, tuples of dates) in protocols 2 and 5, with and without the
  pandas profile: scan and load agree. Timestamps at the int64 edges in s / ms / us / ns
  load (harmless). A 4-level DAG of 64-item tuples as object-array items: the unfold and
  sharing bounds refuse it before _plain_item runs.
- Shared members: gradient boosting stages, histogram predictors and one-vs-one members
  repeated through the memo are refused by the unfold bound.
- GaussianProcessClassifier.log_marginal_likelihood(theta) with y_train_ of 2, 1.5, -1 or
  1e308: the Newton steps converge (or raise) at once.
- A linear SVC of many classes over one feature (the coef_ property's Python loop over the
  pairs): the columns-per-input bound refuses 500 classes; at the bounds' meeting point
  (some 370,000 pairs) coef_ takes some 2 s. Bagging's ``_seeds`` as a masked array, uint32,
  int8 or bool: scan and load agree. Joblib object arrays' nested streams share the outer
  walk's container count.
- PolynomialFeatures' powers_ (2,000 features, degree 2: 32 GB), fitted, is refused by the names
  budget; PCA's get_covariance of 30,000 features is a documented limit.
- HMAC: _embedded_der on 4,100 nested 1 MB candidates: 0.67 s per MB (linear); the xz
  stream of a DER (refused); a ustar tar.gz of the key as the sixth member without a decoy
  (refused by _embedded_der on the inflated tar); base32 / base85 / Ascii85 / hex / QP /
  UTF-16 / UTF-32 forms of a key, base64 in JSON or YAML (refused); _read_as_text of 63 KB
  of letters and one non-ASCII letter: 5-9 forms, 0.3-0.7 s; 4,800 random text secrets
  (base64, base32, hex, url-safe tokens, passphrases, UUIDs, digits): none refused but
  the documented 56-character "RW..." minisign look-alike; a PolynomialCountSketch of 2**24
  components (names budget: refused).
- A mutation fuzz of 400 Ridge / pipeline pickles (protocols 0-5): pure and compiled agree
  on every verdict, scan and load agree.

Ideas not tested (or only begun): bagging's feature draws (``sample_without_replacement(
n_features_in_, _max_features)`` permutes every feature past a 1% ratio, per seed, and no
draws bound counts them; n_features_in_ of 10**9 is refused by the names budget and shared
feature lists by the one-holder rule, and at 2**24 a seed costs 134 MB and 0.3 s); zips whose
entries use a method zipfile cannot read (zstd, 93); lzip / 7z / rar archives of a key; the
other multi-form readers (_wide_text, _read_as_text) nested under rt81-13's EBCDIC forms;
a NaN-free non-converging GaussianProcessClassifier.log_marginal_likelihood(theta) (up to
max_iter_predict Newton steps of O(n**3)).

Ported by the maintainer: every finding is fixed and its test is plain. HMAC (rt81-01, 02,
05, 07, 10, 13): a compressed file or an archive is refused by its form, whatever it holds
(nothing is inflated or unpacked any more: ``_archive_form``), a key's algorithm identifier
as DER anywhere in the secret is refused (``_embedded_key``, a linear search that replaces
the 4,096 parse tries), and a secret reads as at most 16 times its length of forms (1 MB at
least, ``MAX_READ``). rt81-03/04/12: ``iteration_weight`` weighs LDA's E-step by its topics
past 1,024, a ``lasso_cd`` encoding by the square of its atoms past 256 and NMF's rounds by
its features past 1,024 too. rt81-06: a forest counts the larger of its draw counts.
rt81-14: ``_seeds`` is one per member, and the draws counted, whenever it is there (and
bagging's feature draws count too, the untested idea above). rt81-15/11: the linear SVC
``coef_`` bound runs before the fitted check and counts a sparse fit's nonzeros. rt81-16:
PolynomialFeatures is checked when its degrees are there. rt81-08: a Timestamp of NaT's
value is refused by the narrowed form, in scan and load alike. rt81-09: categories of one
date, time, finite Decimal or pandas Timestamp kind, strictly increasing, are searchable.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from typing import Any

import numpy as np
import pytest

from redteam import (
    HANG_CPU,
    HMAC_OF_FILE,
    PLAIN_CALL,
    PLAIN_JOBLIB_CALL,
    assert_refused_with,
    child,
    collinear_coder,
    compressed_joblib,
    fixed_p256_key,
    hmac_refuses,
    unix_compress,
)


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def _tar(members: list[tuple[str, bytes]], form: Any = tarfile.USTAR_FORMAT) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=form) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 1_700_000_000
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _v7_tar(members: list[tuple[str, bytes]]) -> bytes:
    """What ``tar --format=v7 -cf`` writes: headers with no magic (rt80-04's form)."""
    out = b""
    for name, data in members:
        header = bytearray(512)
        header[0 : len(name)] = name.encode()
        header[100:108] = b"0000644\x00"
        header[108:116] = header[116:124] = b"0000000\x00"
        header[124:136] = b"%011o\x00" % len(data)
        header[136:148] = b"%011o\x00" % 1_700_000_000
        header[156:157] = b"0"
        header[148:156] = b" " * 8
        header[148:156] = b"%06o\x00 " % sum(header)
        out += bytes(header) + data + b"\x00" * (-len(data) % 512)
    out += b"\x00" * 1024
    return out + b"\x00" * (-len(out) % 10240)


# --- rt81-01: a zip's fifth entry is never read -------------------------------------------


#: ``zip -r keys.zip keys/``: the folder's own entry, then its files (a README, notes), the
#: public key last.
_KEY_FOLDER = [
    ("keys/", b""),
    ("keys/README.md", b"# Signing keys\n\nThe model signer's public key.\n"),
    ("keys/OWNERS", b"ml-platform@example.com\n"),
    ("keys/CHANGELOG", b"2026-12-01 rotated the signing key\n"),
]


@pytest.mark.parametrize("layout", ["files", "nested_folders"])
@pytest.mark.parametrize("form", ["pem", "der"])
def test_rt81_01_zip_fifth_entry(form, layout):
    # _zip_members inflates ``archive.infolist()[:4]`` only, and a deflated member is not in
    # plain sight for _embedded_der or the armour search: ``zip -r keys.zip keys/`` of a
    # folder with three other files and the key (a directory is an entry too), or of the key
    # four folders deep (keys/prod/2026/signing/pub.pem: four directory entries first), is
    # accepted as an HMAC secret (688 / 628 / 729 / 669 bytes), pure and compiled. As the
    # fourth entry: refused
    der, pem = fixed_p256_key()
    key = pem if form == "pem" else der
    hmac_refuses(_zip([*_KEY_FOLDER[:3], (f"keys/signer.{form}", key)]))
    if layout == "files":
        secret = _zip([*_KEY_FOLDER, (f"keys/signer.{form}", key)])
    else:
        folders = ["keys/", "keys/prod/", "keys/prod/2026/", "keys/prod/2026/signing/"]
        secret = _zip([(name, b"") for name in folders] + [(f"{folders[-1]}pub.{form}", key)])
    hmac_refuses(secret)


# --- rt81-02: MAX_EMBEDDED_TRIES spent on a CSV of decimals before the key -------------------


def _decimals_csv(rows: int) -> bytes:
    """A data file of decimals: every ``0.0`` in it (a 0x30 byte, a length byte ``.`` of 46,
    a 0x30 byte where the content starts) is a place _embedded_der parses."""
    return b"".join(b"%d,0.0%d,0.0%d,1.05\n" % (i, i % 10, (i * 7) % 10) for i in range(rows))


@pytest.mark.parametrize("form", ["v7_tar", "ustar_fifth", "ustar_fifth_gz"])
def test_rt81_02_embedded_tries_spent(form):
    import gzip

    # _embedded_der parses at most MAX_EMBEDDED_TRIES (4,096) places, in order; a CSV of
    # 2,500 rows of decimals (56 KB) holds some 7,500 "0.0" places, each a SEQUENCE of length 46
    # holding a SEQUENCE to _der_length. A v7 tar (rt80-04's form) of data.csv and the key's
    # DER, or a ustar tar (or .tar.gz) whose key is its fifth member (_tar_members reads the
    # first four), is accepted as an HMAC secret, pure and compiled (0.2 s). Without the CSV
    # (or with the key as the CSV's neighbour in a ustar tar) each is refused
    der, _ = fixed_p256_key()
    data = [("data.csv", _decimals_csv(2_500))]
    others = [(f"notes{i}.txt", b"see README\n") for i in range(3)]
    if form == "v7_tar":
        hmac_refuses(_v7_tar([("pub.der", der)]))
        secret = _v7_tar([*data, ("pub.der", der)])
    else:
        hmac_refuses(_tar([*others, ("n.txt", b"x\n"), ("pub.der", der)]))
        secret = _tar(data + others + [("pub.der", der)])
        if form == "ustar_fifth_gz":
            secret = gzip.compress(secret, mtime=0)
    hmac_refuses(secret)


# --- rt81-03: LatentDirichletAllocation's E-step is not weighed by its topics ---------------


def test_rt81_03_lda_topics(tmp_path):
    from sklearn.decomposition import LatentDirichletAllocation

    # max_doc_update_iter is a per-row count (PER_ROW_LIMITS: 1,000) and its weight is 1
    # whatever the topics (iteration_weight weighs NMF only, rt80-08); the columns bound
    # allows 4,096 topics per input column. Each E-step round is (topics x words in the row):
    # 81,920 repeated topics over 20 words, mean_change_tol 0, max_doc_update_iter 1,000:
    # 8.6 KB (xz), scan SAFE, load loads (pure and compiled); transform of ONE row takes
    # 2.0 s of CPU (163,840 over 40 words, 21 KB: 5.5 s a row). 4 topics: some 10 ms a row.
    # The test: 40,960 topics (some 1 s a row), 10 rows
    rng = np.random.RandomState(0)
    x = rng.randint(0, 5, (60, 20))
    model: Any = LatentDirichletAllocation(n_components=4, random_state=0, max_iter=5).fit(x)
    topics = 40_960
    model.components_ = np.resize(model.components_, (topics, 20))
    model.exp_dirichlet_component_ = np.resize(model.exp_dirichlet_component_, (topics, 20))
    model.n_components = topics
    model.doc_topic_prior_ = 1.0 / topics
    model.mean_change_tol = 0.0
    model.max_doc_update_iter = 1_000
    path = compressed_joblib(tmp_path, model, 12_000, ("xz", 1))
    call = "model.transform(numpy.random.RandomState(1).randint(0, 5, (10, 20)))"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt81-04: dictionary learning's lasso_cd over 1,024 nearly collinear atoms -------------


@pytest.mark.parametrize(
    "kind", ["DictionaryLearning", "MiniBatchDictionaryLearning", "SparseCoder"]
)
def test_rt81_04_lasso_cd_collinear_atoms(tmp_path, kind):

    # transform_max_iter is a per-row count (10,000 at most) of weight 1 (iteration_weight
    # is NMF's only), and a Gram model may have 1,024 atoms over any features
    # (FREE_GRAM_COMPONENTS); lasso_cd's coordinate descent over the (k, k) Gram costs k**2
    # a round, and its tolerance (1e-4, not in the file) is never met on nearly collinear
    # atoms: 1,024 atoms = a base atom + small multiples of 1/4096 (so xz packs them: 8 KB),
    # transform_alpha 1e-6: scan SAFE, load loads (pure and compiled); transform takes 2.9 s
    # of CPU a row (4 rows: 11.6 s), for each of the three classes. rt80 measured repeated
    # atoms (0.37 s for 10 rows): those converge at once
    model: Any = collinear_coder(kind)
    path = compressed_joblib(tmp_path, model, 12_000, ("xz", 9))
    call = "model.transform(numpy.random.RandomState(1).rand(10, 20))"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt81-05: compress(1)'s .Z of a public key --------------------------------------------


@pytest.mark.parametrize("form", ["pem", "der"])
def test_rt81_05_unix_compress(form):
    import shutil
    import subprocess

    # _decompressed inflates gzip, zlib, bzip2, xz and lzma; _OTHER_COMPRESSORS refuses
    # zstd's and LZ4's magic numbers (rt77-08). ``compress pub.pem`` (ncompress; ``gzip -d``
    # and ``zcat`` read .Z files) is neither: pub.pem.Z (177 bytes) and pub.der.Z (104) are
    # accepted as HMAC secrets, pure and compiled. The key is LZW-coded, not in plain sight
    der, pem = fixed_p256_key()
    key = pem if form == "pem" else der
    hmac_refuses(key)
    secret = unix_compress(key)
    if shutil.which("gzip"):
        back = subprocess.run(["gzip", "-dc"], input=secret, capture_output=True, check=True)
        assert back.stdout == key
    hmac_refuses(secret)


# --- rt81-06: a forest whose bootstrap is numpy's True draws what no check counts -----------


@pytest.mark.parametrize(
    "kind", ["RandomForestClassifier", "ExtraTreesClassifier", "RandomTreesEmbedding"]
)
def test_rt81_06_forest_numpy_bootstrap(tmp_path, kind):
    from sklearn import ensemble

    # _check_bootstrap_count counts ``_n_samples_bootstrap`` per tree only when ``bootstrap
    # is True``, else ``_n_samples``; scikit-learn's _get_estimators_indices draws
    # ``_n_samples_bootstrap`` whenever ``bootstrap`` is truthy, and numpy's True is a
    # "boolean" to the parameter constraints. check_draw_count lets the draws pass the
    # training set when ``max_samples`` says so. 10 trees fitted on 60 rows, bootstrap
    # numpy.True_, max_samples = _n_samples_bootstrap = 10**9: 4.6 KB / 8.6 KB / 9.8 KB
    # (xz), scan SAFE, load loads (pure and compiled); estimators_samples_ (and
    # _repr_html_) asks 8 GB per tree: MemoryError under 256 MB. (Bagging's check takes
    # the larger count for a bootstrap that is not True: rt80's note.)
    x = np.random.RandomState(0).rand(60, 4)
    y = np.r_[[0] * 30, [1] * 30]
    model: Any = getattr(ensemble, kind)(n_estimators=10, random_state=0)
    model.fit(x) if kind == "RandomTreesEmbedding" else model.fit(x, y)
    model.bootstrap = np.True_
    model.max_samples = model._n_samples_bootstrap = 10**9
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    shown = child(
        PLAIN_JOBLIB_CALL.format(call="model.estimators_samples_"), path, memory=1 << 28, cpu=30
    )
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    assert_refused_with(path)


# --- rt81-07: the second member of a gzip, bzip2 or xz file is never inflated ---------------


@pytest.mark.parametrize(
    ("kind", "form"),
    # (xz and the DER: its stream holds the DER's bytes in plain sight, refused)
    [("gzip", "pem"), ("gzip", "der"), ("bzip2", "pem"), ("bzip2", "der"), ("xz", "pem")],
)
def test_rt81_07_second_member(form, kind):
    import bz2
    import gzip
    import lzma

    # _decompressed runs one decompressor object over the secret: it stops at the end of
    # the first member (gzip, RFC 1952: "a series of members"), stream (bzip2, as pbzip2
    # writes) or xz stream, and the rest is never read. ``cat NOTE.gz pub.pem.gz >
    # key.gz`` (gzip's manual gives the idiom; ``gzip -dc`` prints both) is accepted as an
    # HMAC secret (246 / 186 bytes), likewise for bzip2 (293 / 260) and xz (328, the PEM;
    # the DER's xz stream holds its bytes in plain sight and is refused), pure and compiled
    der, pem = fixed_p256_key()
    key = pem if form == "pem" else der
    note = b"signing key for the model registry, rotated 2026-12-01\n"
    pack = {
        "gzip": lambda data: gzip.compress(data, mtime=0),
        "bzip2": bz2.compress,
        "xz": lzma.compress,
    }[kind]
    hmac_refuses(pack(key))
    hmac_refuses(pack(note) + pack(key))


# --- rt81-08: a Timestamp whose value is iNaT is NaT to the load, a Timestamp to scan ------


class _Call:
    """Pickles as ``func(*args)`` (REDUCE)."""

    def __init__(self, func: Any, *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> Any:
        return (self.func, self.args)


@pytest.mark.parametrize("where", ["statistics", "attribute"])
@pytest.mark.parametrize("reso", [7, 10])
def test_rt81_08_timestamp_inat(tmp_path, where, reso):
    import pickle

    import pandas as pd
    from pandas._libs.tslibs.timestamps import _unpickle_timestamp
    from sklearn.impute import SimpleImputer

    import safeload

    # the pandas profile's _unpickle_timestamp checks that the value is an int64 and the
    # resolution s, ms, us or ns; pandas' unpickler returns the NaT singleton for the value
    # -2**63 (iNaT), whose __dict__ is {'__module__': 'pandas'} (pandas 3). Scan's shadow
    # takes it for a Timestamp (a plain item of a fitted object array since rt80-06, or any
    # attribute): SAFE; the load builds NaT and refuses it ("state sets the special
    # attribute '__module__'"), pure and compiled, in any resolution. (The value 0 loads)
    frame = pd.DataFrame({"city": ["Oslo", None, "Rome", "Oslo"]})
    model: Any = SimpleImputer(strategy="most_frequent").fit(frame)
    stamp = _Call(_unpickle_timestamp, -(1 << 63), None, None, reso)
    if where == "statistics":
        items = np.empty(1, dtype=object)
        items[0] = stamp
        model.statistics_ = items
    else:
        model.trained_at = stamp
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    safe = safeload.scan(path, profiles=["pandas"]).safe
    try:
        safeload.load_unsigned(path, profiles=["pandas"])
        loaded = True
    except safeload.SafeloadError:
        loaded = False
    assert safe == loaded, (safe, loaded)


# --- rt81-09: encoders fitted on a column of dates, Decimals or Timestamps ------------------


@pytest.mark.parametrize("kind", ["date", "Decimal", "Timestamp"])
@pytest.mark.parametrize("encoder", ["OneHotEncoder", "OrdinalEncoder", "LabelEncoder"])
def test_rt81_09_encoders_of_dates(tmp_path, kind, encoder):
    import datetime
    import decimal
    import pickle

    import pandas as pd
    from sklearn import preprocessing

    import safeload

    # rt80-06 made dates, times, Decimals and pandas Timestamps plain items of a fitted
    # object array (an imputer's statistic); an encoder fitted on the same column keeps them
    # as its categories (sorted, as fit stores them), and _searchable_items takes only text
    # or real numbers: "categories_[0] is not sorted, or of a kind no fit stores", scan and
    # load, pure and compiled (TargetEncoder alike; LabelEncoder: "classes_ is not
    # sorted"). A DATE or NUMERIC column of a database driver, one-hot or ordinal encoded
    values: Any = {
        "date": [datetime.date(2024, 1, d) for d in (2, 3, 4, 2, 3, 4)],
        "Decimal": [decimal.Decimal(s) for s in ("9.99", "4.50", "1.25", "9.99", "4.50", "1.25")],
        "Timestamp": list(pd.to_datetime(["2024-01-02", "2024-01-03", "2024-01-04"] * 2)),
    }[kind]
    cls = getattr(preprocessing, encoder)
    if encoder == "LabelEncoder":
        model = cls().fit(values)
    else:
        model = cls().fit(np.array(values, dtype=object).reshape(-1, 1))
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    profiles = ["pandas"] if kind == "Timestamp" else []
    assert safeload.scan(path, profiles=profiles).safe
    loaded = safeload.load_unsigned(path, profiles=profiles)
    assert len(loaded.classes_ if encoder == "LabelEncoder" else loaded.categories_[0]) == 3


# --- rt81-10: a zip after a preamble (a self-extracting archive) is never opened -----------


@pytest.mark.parametrize("form", ["pem", "der"])
def test_rt81_10_zip_with_preamble(form):
    # _decompressed opens a zip only when the secret starts with its local header
    # (b"PK\x03\x04"); zipfile (and unzip) find a zip by its end record, after any
    # preamble: a self-extracting archive (a shell stub, ``cat sfx.sh keys.zip``, or an .exe
    # stub) holding the key deflated is accepted as an HMAC secret (303 / 243 bytes), pure
    # and compiled. The same zip alone is refused
    import zipfile

    der, pem = fixed_p256_key()
    key = pem if form == "pem" else der
    archive = _zip([(f"pub.{form}", key)])
    hmac_refuses(archive)
    secret = b"#!/bin/sh\necho self-extracting\nexit 0\n" + archive
    assert zipfile.ZipFile(io.BytesIO(secret)).read(f"pub.{form}") == key
    hmac_refuses(secret)


# --- rt81-11: a linear SVC fitted on sparse text is refused by the dense coef_ cap ----------


def test_rt81_11_sparse_linear_svc(tmp_path):
    import pickle

    import scipy.sparse as sp
    from sklearn.svm import SVC

    import safeload

    # MAX_LINEAR_SVC_COEF (rt80-07) caps pairs x features at 2**25 as if coef_ were dense;
    # fitted on sparse input (TF-IDF rows), a linear SVC's coef_ is a CSR matrix of the
    # support vectors' nonzeros: 30 classes (435 pairs) over a 100,000-word vocabulary, 120
    # documents of 20 words: coef_ is (435, 100000) with 69,573 stored values (0.36 s), the
    # pickle 96 KB, refused by scan and load ("its coef_ would hold 43,500,000 numbers"),
    # pure and compiled. 26 classes over the same vocabulary load
    rng = np.random.RandomState(0)
    x = sp.random(120, 100_000, density=20 / 100_000, format="csr", random_state=rng)
    model = SVC(kernel="linear").fit(x, np.repeat(np.arange(30), 4))
    assert model.coef_.nnz < 100_000
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    assert safeload.scan(path).safe
    safeload.load_unsigned(path)


# --- rt81-12: NMF's iteration weight counts its components, not its features ---------------


@pytest.mark.parametrize("kind", ["NMF", "MiniBatchNMF"])
def test_rt81_12_nmf_wide(tmp_path, kind):
    import warnings

    from sklearn import decomposition

    # iteration_weight (rt80-08) is 1 up to 32 components whatever the features; NMF's
    # max_iter may be 100,000 and MiniBatchNMF's _transform_max_iter 10,000 (tol 0 never
    # stops them); each round of transform costs rows x components x features: 32
    # components over 100,000 features (what NMF on a TF-IDF vocabulary has; a pattern xz
    # packs into 4.5 KB / 6.3 KB), scan SAFE, load loads (pure and compiled); transform of
    # ONE row takes 5.3 ms a round (0.54 s per 100): NMF some 9 minutes, MiniBatchNMF 53 s
    # (1,000 features: 0.05 s per 1,000 rounds; linear in the features)
    model: Any = getattr(decomposition, kind)(n_components=4, random_state=0, max_iter=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (5 rounds do not converge)
        model.fit(np.random.RandomState(0).rand(60, 20))
    rows = (np.arange(32) % 7 + 1) / 8.0
    columns = (np.arange(100_000) % 5 + 1) / 5.0
    model.components_ = rows[:, None] * columns[None, :]
    model.n_components = model.n_components_ = model._n_components = 32
    model.n_features_in_ = 100_000
    model.tol = 0.0
    if kind == "NMF":
        model.max_iter = 100_000
    else:
        model.max_iter = model.transform_max_iter = model._transform_max_iter = 10_000
    path = compressed_joblib(tmp_path, model, 8_000, ("xz", 1))
    call = "model.transform(numpy.random.RandomState(1).rand(1, 100_000))"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt81-13: EBCDIC readings of EBCDIC readings, every form the secret's full size ----------


def test_rt81_13_ebcdic_forms(tmp_path):
    import itertools
    import random

    from safeload.signing.hmac_key import _EBCDIC

    # _ebcdic_text reads a non-ASCII secret in five EBCDIC code pages, each a form of the
    # secret's full length kept when it holds a printable run of 24; _public_key_form reads
    # every form again, _MAX_DECODES (3) levels deep, and no budget counts these forms (the
    # 1 MB one, rt80-05, counts inflated bytes only). Each page is a permutation of the
    # bytes, so a secret holding, for every chain of up to three pages, 30 bytes that the
    # chain reads as text keeps up to 5 + 25 + 125 forms alive, each through the text
    # readers (27 ms per 69 KB form): 256 KB of random bytes and 125 such runs (266 KB) take
    # 20 s of CPU, pure and compiled (69 KB: 5.4 s); the random bytes alone 0.26 s. The
    # secret is then accepted (it is random). The test: 128 KB and the runs under 1 s
    text = b"the quick brown fox jumps over"
    runs = []
    for depth in (1, 2, 3):
        for pages in itertools.product(_EBCDIC, repeat=depth):
            run = text
            try:
                for page in reversed(pages):
                    run = run.decode("latin-1").encode(page)
            except UnicodeError:
                continue  # (cp1140 has the euro sign where Latin-1 has the currency sign)
            runs.append(run + b"\xff")
    secret = random.Random(0).randbytes(1 << 17) + b"".join(runs)
    path = tmp_path / "secret.bin"
    path.write_bytes(secret)
    done = child(HMAC_OF_FILE, path, cpu=1.0)
    assert "made" in done.stdout or "refused" in done.stdout, str(done)


# --- rt81-14: bagging without _max_samples skips the seeds and draws checks -----------------


@pytest.mark.parametrize("form", ["max_samples_none", "no_estimators_seeds", "no_estimators_draws"])
@pytest.mark.parametrize("kind", ["BaggingClassifier", "IsolationForest"])
def test_rt81_14_bagging_guards(tmp_path, kind, form):
    from sklearn import ensemble

    # check_bagging reads ``_seeds`` (rt80-01: one seed per member) and counts the draws only
    # under ``if attrs.get("_max_samples") is not None``, and returns at once when there is
    # no ``estimators_``; scikit-learn's estimators_samples_ (no fitted check) iterates
    # ``_seeds`` either way, making a RandomState per seed and drawing ``_max_samples``
    # (``randint(0, n, None)``: one index when it is None). 10 members fitted on 60 rows:
    # ``_max_samples`` None and 2,000,000 zero seeds (6.6 KB), or estimators_ deleted and the
    # same seeds (3.1 KB), or estimators_ deleted and ``_n_samples = _max_samples = 10**8``
    # over the 10 seeds (800 bytes): scan SAFE, load loads (pure and compiled);
    # estimators_samples_ (and _repr_html_) takes 83 us a seed (some 165 s), or asks 8 GB
    # (MemoryError under 2 GB after 4.8 s)
    x = np.random.RandomState(0).rand(60, 4)
    y = np.r_[[0] * 30, [1] * 30]
    model: Any
    if kind == "BaggingClassifier":
        model = ensemble.BaggingClassifier(n_estimators=10, random_state=0).fit(x, y)
    else:
        model = ensemble.IsolationForest(n_estimators=10, random_state=0).fit(x)
    if form == "max_samples_none":
        model._max_samples = None
    else:
        del model.estimators_
    if form == "no_estimators_draws":
        model._n_samples = model._max_samples = 10**8
        model.bootstrap = True
    else:
        model._seeds = np.zeros(2_000_000, dtype=model._seeds.dtype)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    call = "model.estimators_samples_"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, memory=1 << 28, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)
    assert_refused_with(path)


# --- rt81-15: a linear SVC without support_ skips check_svm, rt80-07's cap included ---------


def test_rt81_15_svc_without_support(tmp_path):
    # check_svm returns at once when ``support_`` is missing ("not fitted"), before the
    # linear SVM's coef_ cap (MAX_LINEAR_SVC_COEF, rt80-07); the coef_ property needs only
    # dual_coef_, _n_support and support_vectors_ (predict, which needs support_, fails: no
    # native code runs). A linear SVC of 400 classes over 2,000 features (one sample each),
    # support_ deleted: 3.4 KB, scan SAFE, load loads (pure and compiled); coef_ (and
    # _repr_html_) asks 79,800 x 2,000 numbers, 1.28 GB: MemoryError under 1 GB (1,000
    # classes: 8 GB)
    import warnings

    from sklearn.svm import SVC

    x = np.zeros((400, 2_000))
    x[np.arange(400), np.arange(400)] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (more classes than half the samples)
        model: Any = SVC(kernel="linear").fit(x, np.arange(400))
    del model.support_
    path = compressed_joblib(tmp_path, model, 8_000, ("xz", 6))
    shown = child(PLAIN_JOBLIB_CALL.format(call="model.coef_"), path, memory=1 << 30, cpu=30)
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    assert_refused_with(path)


# --- rt81-16: PolynomialFeatures without its output counts skips every width check ---------


@pytest.mark.parametrize("call", ["model.powers_", "model.get_feature_names_out()"])
def test_rt81_16_polynomial_without_counts(tmp_path, call):
    import pickle

    from sklearn.preprocessing import PolynomialFeatures

    # check_polynomial_features returns at once when n_output_features_ and _n_out_full are
    # both missing ("not fitted"), and the names budget (which refuses the fitted model:
    # "get_feature_names_out could write 2,003,001 names ... 32,336,448,144 bytes with the
    # polynomial powers_") reads n_output_features_ too; powers_ and get_feature_names_out
    # need only n_features_in_ and the degrees. Fitted on 2,000 features, degree 2, both
    # counts deleted: 217 bytes, scan SAFE, load loads (pure and compiled); powers_ asks
    # 2,003,001 x 2,000 int64, 32 GB: MemoryError under 1 GB
    model: Any = PolynomialFeatures(degree=2).fit(np.zeros((2, 2_000)))
    del model.n_output_features_, model._n_out_full
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    shown = child(PLAIN_CALL.format(call=call), path, memory=1 << 30, cpu=30)
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    assert_refused_with(path)
