r"""Red team 79: reproducers (strict xfails) for the open findings, 09:23-10:21 UTC 2026-12-04,
on 5039e9e (red team 78's fixes 03b4f78: _check_fitted_dimensions, CALL_UNITS, attributes
grouped in RepeatedOutputs / own_arrays, the HMAC PFX shape, tar members, GnuPG colon
listings, the bounded asn1parse line; 22b35b0's naive Bayes CLASS_VECTORS; 5039e9e's
_add_items / _collect_items / _spend_on_objects refactor).

"pure" is a snapshot of /work/main/src at 5039e9e in /tmp/rt79p (SAFELOAD_PURE_PYTHON=1),
the main target: every test below XFAILs there. "compiled" is /work/main's .venv build,
whose trust, pickle and signing modules are the working tree's Python, which the maintainer
was changing during the window: at 10:04 it refused rt78-05's empty dicts and chains of
TUPLE1 ("N containers in M bytes", f18321c: a container a byte and a half of the budget),
and from about 10:15 it had rt79-03, rt79-04's plain tar, rt79-06 and rt79-07 fixed (its
_tar_members reads the 512-byte headers itself; its PFX check reads BER's indefinite length
and never opens a store): at 10:20 under "compiled" those nine tests XPASS and the other
twelve XFAIL (rt79-01, 02, 05, 08). Before 10:06 every test XFAILed under "compiled" too. No
parity finding: 3,511 mutated models (below) got the same verdict from scan and
load_unsigned in both builds. Sizes are joblib files (``compress=("xz", 6)``) unless said;
CPU times are process times on the shared 2-core machine (noisy by some 30%).

Attack window: 09:23:30 to 10:21 UTC, continuous, 58 minutes (the last minutes also
writing this docstring).

rt79-01 (HARM: CPU; against MAX_GRAM_COMPONENTS = 8,192 (rt68-04), a bound on the memory of
        the (k, k) Gram, not on the work) DictionaryLearning / MiniBatchDictionaryLearning /
        SparseCoder with 4 fitted atoms repeated to 8,192 (``np.resize`` of components_ or
        the dictionary) over 20 features: 1.3-5 KB, scan SAFE, load loads; transform costs
        1-2 s for the Gram, then per row 0.16 s (omp: orthogonal_mp_gram copies the 512 MB
        Gram per row), 0.46 s (lasso_lars), some 2 s (SparseCoder, lasso_lars): 2,000 rows
        are 5 minutes to over an hour. FactorAnalysis inverts its (k, k) latent covariance on
        every transform: 8,192 repeated components (2.1 KB) 28 s of CPU for 2 rows (4,096:
        5.9 s); NMF's coordinate descent over the (k, k) Gram: 1.4 KB, 4.5 s for 2 rows,
        38.6 s for 200. An honest 4-atom model: milliseconds. Found by a fuzzer (below) that
        gave a DictionaryLearning's components_ more rows: transform of 500 rows took 30 s
        at 5,000 atoms.
rt79-02 (HARM: CPU of safeload itself; against rt78-06's fix, which groups one container
        held by many attributes of ONE estimator: the idea red team 78 left untested)
        RepeatedOutputs.add runs once per estimator, and every estimator whose attribute
        holds the one list L merges L's cached parts again (``for part, occurrences in
        parts.items()`` and _add_items' merge; names.py's ``roots.update(known[1])`` alike):
        1,000 Normalizers, each with ``w = L``, L a list of 12,000 distinct 1-element arrays,
        with 3 MB of zeros that pay the unfolding budget: 10 KB, SAFE, scan 8.1 s + load
        8.4 s (pure; 1,000 x 10 arrays: 0.5 s + 1.0 s); 3,000 x 3,000: 6.3 KB, SAFE, 5.9 s +
        6.7 s; 6,000 x 6,000: 7.6 KB, scan 41.6 s + load 21.7 s, refused only at the end
        (compiled: scan 41.2 s). cProfile: 4.2 s of 17.5 s in add itself, 36.6 million
        dict.get calls.
rt79-03 (TRUST; against rt78-07's fix, the PFX shape read with _der_length, DER's definite
        form only) ``openssl pkcs12 -export -certpbe NONE`` under a password of its own (with
        or without the key), its outer SEQUENCE in BER's indefinite form (``30 80 ... 00
        00``, what NSS's pk12util and BouncyCastle's "PKCS12" key store write; cryptography's
        load_pkcs12 parses it, with a "falling back to parsing as BER" warning): accepted,
        the certificate's DER in plain sight; in base64 too (the DER form in base64 or hex is
        refused). Found re-encoding the stores rt78-07 wrote.
rt79-04 (HARM: CPU; against rt78-08's fix, _tar_members, on Python 3.11.7) tarfile's pax
        header reader searches ``rb"\d+ hdrcharset=([^\n]+)\n"`` over the header (CVE-2024-6232,
        fixed in 3.11.10 / 3.12.6): from every digit of a run, \d+ takes the rest and backs
        off. A tar whose member has a pax "comment" of n digits (what tarfile.open(format=
        PAX_FORMAT) writes for ``pax_headers={"comment": ...}``): 32 KB 0.9 s, 64 KB 3.5 s
        (pure and compiled alike), 128 KB some 14 s, 4 MB some four hours (the GNU sparse
        reader's ``re.findall(rb"\d+ GNU.sparse.offset=...")`` alike). Inflated forms are
        read as tars too: a .tar.gz of 200,000 digits is a 354-byte secret that takes over
        15 s (some 35 s), of 900,000 a 1,043-byte one, over 20 s (some 12 minutes); 64,000:
        227 bytes, 3.4 s. Found reading what the new tar path hands untrusted bytes to.
rt79-05 (HARM: memory; a non-``_``-suffixed count no check reads) bagging and
        IsolationForest's ``_n_samples`` / ``_max_samples``, a forest's ``_n_samples`` /
        ``_n_samples_bootstrap`` (ExtraTrees without bootstrap: ``_n_samples``), plain ints
        fit stores, set to 10**9 on 10 members fitted on 60 rows: 4.3-12.6 KB, scan SAFE,
        load loads; the public estimators_samples_ draws randint(0, _n_samples,
        _max_samples) per member (or np.arange(_n_samples)): 4-8 GB each (10**8: MemoryError
        under 2 GB after 2-4 s of CPU). No call is needed in a notebook: _repr_html_ (what
        Jupyter runs to show a cell's value) lists fitted attributes through
        inspect.getmembers, which reads every property. (``_max_samples`` alone is refused:
        it must not exceed ``_n_samples``.) Found by a fuzzer setting every int attribute of
        every estimator to 10**7 and 10**9 and reading every property (1,363 mutants).
rt79-06 (HARM: CPU; against rt76-05's load_pkcs12 fallback, reached by what rt78-07's shape
        check misses) OpenSSL verifies a PKCS#12's MAC before anything else, with the
        iteration count its MacData gives, and _key_store_form tries three passwords: a BER
        PFX (rt79-03) or a DER one whose version INTEGER says 2, MacData iterations
        2**31 - 1: a 1,043-byte secret, some nine minutes (10**7 iterations 2.5 s, 10**8 over
        12 s; 2**32 and more are refused by OpenSSL at once).
rt79-07 (HARM: memory; against CLASS_VECTORS / FEATURE_AXES / _check_fitted_dimensions,
        which read an array's shape) an object array of the right shape whose items are
        arrays of 100,000 zeros: MultinomialNB ``class_log_prior_`` (1.2 KB: predict of 2,000
        rows makes (2,000, 2) arrays of 100,000, 3.2 GB), PCA ``mean_`` (3.6 KB:
        score_samples, 32 GB); scan SAFE, load loads. The fuzzer (every fitted numeric array
        of 1-400 items, any name, given object arrays of 50,000-item arrays; 500 rows under
        1 GB) found also AdaBoostRegressor estimator_weights_, BernoulliRBM
        intercept_hidden_, FactorAnalysis / IncrementalPCA / SparsePCA / MiniBatchSparsePCA
        mean_, FastICA mixing_, GaussianNB theta_, MultinomialNB feature_log_prob_ and LDA
        xbar_ (MemoryError in predict, transform, inverse_transform, score or
        score_samples); CategoricalNB class_log_prior_ alike, and a PCA inside a Pipeline.
        (LDA/QDA priors_ and GaussianNB class_prior_: ValueError/TypeError; an MLP's
        intercepts_ item: refused.)
rt79-08 (HARM: CPU of safeload itself; rt78-05's family in a form the working tree's
        container rule still passes) ``N\x85\x85`` (None in a 1-tuple in a 1-tuple: two
        containers per 3 bytes) in a list attribute of a Ridge: 1 MB (333,333 pairs, 664
        bytes as xz): compiled (10:04) scan 14.6 s + load 12.5 s, SAFE and loaded; pure,
        300 KB: 5.0 s + 4.9 s (``}2``, an empty dict and a DUP: 3.4 s + 4.0 s, passed by the
        working tree too); plain pickle 0.05 s. Other forms, pure, 200 KB (imports included,
        some 0.4 s scan, 1 s load): EMPTY_LIST 3.2 s + 4.1 s, EMPTY_SET 3.2 + 4.1, MARK LIST
        1.7 + 2.6, TUPLE1 of None 2.1 + 2.7, chains of TUPLE1 of depth 2-17 3.2-4.6 s +
        4.1-5.2 s (400 KB: 9.9 + 9.9, linear), MEMOIZE'd lists 1.7 + 2.6, BINPUT'd lists
        1.3 + 2.3, EMPTY_TUPLE 1.3 + 1.7, DUP 0.7 + 1.7. Reported as rt78-05's family (the
        empty-dict form is known), for the form the fix in progress misses.

Held (tried, refused or harmless):
- Fitted arrays, a fuzzer over scikit-learn's all_estimators() fitted on 60 x 20 (every
  fitted numeric array of up to 20,000 items as (N, 1) + shape, (N,) + shape, a (10**6, 1)
  column, a 100,000-item vector, more rows, more columns, transposed, 0-d; 2,491 mutants;
  every public method but the training ones on 500 rows under 1 GB): 3-D forms refused by
  the new rule; the loaded wider forms stay in the output-width budget (GaussianMixture
  weights_, BayesianGaussianMixture mean_precision_ / degrees_of_freedom_ of 100,000 on 20
  features: MemoryError under 1 GB at 500 rows, but within 65,536 + 4,096 columns per input
  column; 10**6 refused), fit-time hyperparameters are documented (rt70-08/09).
- 3-D private arrays (no trailing underscore) load: KNNImputer _fit_X / _mask_fit_X,
  FastICA _unmixing, MiniBatchDictionaryLearning _A / _B, MiniBatchNMF numerators, PLS
  _y_std / _x_scores / _y_scores, SVC _num_iter, bagging _seeds, SGD
  _expanded_class_weight, HDBSCAN _raw_data: no method reads them, or reads them in place
  (ValueError) or through check_array (ValueError).
- DIAGNOSTIC_ARRAYS: IterativeImputer.transform reads n_iter_ as a number (an array:
  ValueError); no method reads mse_path_, cv_results_, cv_values_. A full mixture's
  precisions_cholesky_ of (5,000, 20, 20) beside 2 means: ValueError.
- Work parameters: NMF / MiniBatchNMF max_iter 10**9 and LDA max_doc_update_iter 10**9
  refused (100,000 and 1,000); NMF at 100,000 iterations and tol 0: 0.6 s for 100 rows.
  PolynomialFeatures _max_degree 8: refused. MLPRegressor with one 50 x 50 layer listed
  3,000-100,000 times: predict linear (3,000 layers, 10 rows, 0.03 s); joblib writes every
  occurrence (a 2 GB stream from 382 KB of xz: the documented max_decompressed_size), scan
  25 s + load 17.5 s for it, linear.
- Parity: 3,511 mutants (the array forms above, ints at 10**7 and 10**9, tol 0), scan
  against load_unsigned: no mismatch, pure and compiled. Values nested past 18 levels
  (chains of 900 lists or tuples): scan unproven, load loads (documented false alarms).
- Object budgets: nesting past 1,000 refused at once; K0, None, True, short strings,
  BINFLOAT: 0.3-0.5 s per 200 KB; memo reference fan-out (BINGET, DUP) cheap.
- HMAC: the DER PFX in base64 and hex, refused; ``gpg --list-packets -vv`` prints no key
  values (gpg 2.2.40); _GPG_COLONS and the bounded _ASN1PARSE_LINE are linear by
  construction (one anchor per line start, a bounded prefix).

Ideas not tested: BKS / UBER key stores (no BouncyCastle here) and NSS's own pk12util output
(rt79-03 rests on the encoding, built by hand); object arrays inside list attributes
(coefs_ / intercepts_ items) and in meta-estimators' members; the working tree's container
rule against memo-get-heavy forms; FactorAnalysis get_precision and score at 8,192
components; tar GNU longname chains and sparse maps beyond the pax search.

Ported by the maintainer at 10:35 UTC: all eight fixed, plain tests (the maintainer's working
tree had rt79-03/04/06/07 before the report). rt79-01: a Gram model has at most 1,024
components, or 8 per feature past that (FREE_GRAM_COMPONENTS), and FactorAnalysis at most
one per feature, as fit makes it. rt79-02: whole_model_problem and the names bound read a
list the attributes hold once for the whole model (own_array_groups, _RootUnions), and
RepeatedOutputs counts a container's parts at the total, once for all its holders. rt79-03
and rt79-06: a PKCS#12 is told by its shape alone, BER's indefinite length too, and no
secret is opened with cryptography's load_pkcs12 any more. rt79-04: tar headers are read by
safeload (512-byte headers, sizes in octal), not by tarfile. rt79-05: over all members, at
most 2**27 sample indexes (MAX_DRAWS; first proposed with a proof by the trees' roots,
which red team 80 showed is a number in the file too: rt80-02); a draw without replacement
of more than 1% costs the population. rt79-07: a fitted
object array holds labels, names or numbers (tuples, lists and dicts of them, a record's
fields), but KBinsDiscretizer's bin edges (1-D arrays of numbers) and gradient boosting's
trees. rt79-08: a stream makes at most one container per 2 bytes, plus 4,096
(BYTES_PER_CONTAINER): ``N\x85\x85`` is refused at three quarters of the stream. The honest
counterparts are the tests after rt79-08.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from redteam import (
    GB,
    HANG_CPU,
    HMAC_OF_FILE,
    PLAIN_JOBLIB_CALL,
    SCAN_THEN_LOAD,
    assert_refused_with,
    child,
    compressed_joblib,
    joblib_out_of_memory,
    ridge_holding,
)

# --- rt79-01: a sparse coder's transform is quadratic in its atoms, per row -----------------


@pytest.mark.parametrize(
    "kind",
    [
        "DictionaryLearning-lasso_lars",
        "DictionaryLearning-omp",
        "SparseCoder-lasso_lars",
        "FactorAnalysis-",
        "NMF-",
    ],
)
def test_rt79_01_sparse_coder_atoms(tmp_path, kind):
    from sklearn import decomposition

    # MAX_GRAM_COMPONENTS (rt68-04) bounds a sparse coder's atoms at 8,192 for the memory of
    # its (k, k) Gram matrix (512 MB); the work is not bounded: every transform computes the
    # Gram (k**2 x features), and OMP copies it for every row (orthogonal_mp_gram's
    # copy_Gram), LARS and lasso-LARS walk it per row. 8,192 copies of 4 atoms over 20
    # features: 1.3-1.5 KB (xz), scan SAFE, load loads; transform takes 0.16 s (omp), 0.46 s
    # (lasso_lars) and some 2 s (SparseCoder, lasso_lars) of CPU per row, after 1-2 s for
    # the Gram: 2,000 rows are 5 min to over an hour. FactorAnalysis (one of the
    # GRAM_COMPONENTS) inverts the (k, k) latent covariance on every transform, whatever the
    # rows: 8,192 repeated components, 2.1 KB, 28 s of CPU for 2 rows (4,096: 5.9 s); NMF's
    # coordinate descent walks (k, k) per iteration: 1.4 KB, 4.5 s for 2 rows, 38.6 s for
    # 200. An honest 4-atom model: milliseconds
    cls, algorithm = kind.split("-")
    features = 20
    x = np.random.RandomState(0).rand(60, features)
    model: Any
    if cls == "SparseCoder":
        model = decomposition.SparseCoder(
            np.random.RandomState(0).rand(4, features), transform_algorithm=algorithm
        ).fit(x)
        model.dictionary = np.resize(model.dictionary, (8192, features))
    elif cls in ("FactorAnalysis", "NMF"):
        model = getattr(decomposition, cls)(n_components=4, random_state=0).fit(x)
        model.components_ = np.resize(model.components_, (8192, features))
        model.n_components = 8192
        if cls == "NMF":
            model._n_components = model.n_components_ = 8192
    else:
        model = getattr(decomposition, cls)(
            n_components=4, transform_algorithm=algorithm, max_iter=5, random_state=0
        ).fit(x)
        model.components_ = np.resize(model.components_, (8192, features))
        model.n_components = 8192
    path = compressed_joblib(tmp_path, model, 4_000, ("xz", 6))
    call = f"model.transform(numpy.random.RandomState(1).rand(20, {features}))"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt79-02: many estimators holding one list add its parts once each ---------------------


def test_rt79_02_list_in_many_estimators(tmp_path):
    from sklearn.linear_model import Ridge
    from sklearn.preprocessing import Normalizer

    # rt78-06's fix groups one container held by many attributes of ONE estimator;
    # RepeatedOutputs.add runs per estimator, and each estimator whose attribute holds the one
    # list L merges all of L's cached parts again (``for part, occurrences in
    # parts.items()``, and _add_items' ``for key, count in once.items()``; names.py's
    # ``roots.update(known[1])`` alike). 1,000 Normalizers, each with ``w = L``, L a list of
    # 12,000 distinct 1-element arrays, with 3 MB of zeros to pay the unfolding budget: 10 KB
    # (xz), scan 8.1 s + load 8.4 s (pure), and SAFE (1,000 x 10 arrays: 0.5 s + 1.0 s).
    # 3,000 x 3,000: 6.3 KB, SAFE, 5.9 s + 6.7 s; 6,000 x 6,000: 7.6 KB, scan 41.6 s + load
    # 21.7 s, both refusing only at the end (compiled alike: scan 41.2 s)
    x = np.random.RandomState(0).rand(20, 2)
    model: Any = Ridge().fit(x, x[:, 0])
    shared = [np.zeros(1) + i for i in range(12_000)]
    members = []
    for _ in range(1_000):
        member: Any = Normalizer()
        member.w = shared
        members.append(member)
    model.members = members
    model.pad = np.zeros(3_000_000)
    path = compressed_joblib(tmp_path, model, 12_000, ("xz", 6))
    # (linear since the fix: some 1.2 s for scan and load together compiled, 2.4 s pure, in
    # a child that has imported scikit-learn: the walk of 13,000 objects and arrays)
    done = child(SCAN_THEN_LOAD, path, cpu=5.0)
    assert "verdict" in done.stdout and "load " in done.stdout, str(done)


# --- rt79-03: a PKCS#12 in BER (indefinite lengths) escapes the PFX shape check -------------


def _openssl_certificate(tmp_path: Any) -> tuple[Any, Any]:
    """A P-256 key and its self-signed certificate, written by openssl as PEM files."""
    import subprocess

    key = tmp_path / "key.pem"
    cert = tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"),
            *("-nodes", "-keyout", str(key), "-out", str(cert), "-subj", "/CN=signer"),
            *("-days", "1"),
        ],
        capture_output=True,
        check=True,
        timeout=30,
    )
    return key, cert


@pytest.mark.parametrize("form", ["cert_only", "key_and_cert", "cert_only_base64"])
def test_rt79_03_pkcs12_ber(tmp_path, form):
    import base64
    import subprocess

    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey, _der_length

    # rt78-07's fix refuses a PFX by its shape, whatever its password: a DER SEQUENCE whose
    # content starts with version 3 and PKCS#7 data. _der_length reads the definite form
    # only, so a PFX whose SEQUENCE has BER's indefinite length (30 80 ... 00 00, as NSS's
    # pk12util and BouncyCastle's "PKCS12" key store write; cryptography's load_pkcs12
    # parses it, warning that it falls back to BER) is not recognised, and under a password
    # other than none or "changeit" it does not open: accepted, its certificate's DER in
    # plain sight with ``-certpbe NONE`` (the DER form is refused: rt78-07)
    key, cert = _openssl_certificate(tmp_path)
    out = tmp_path / "store.p12"
    args = ["openssl", "pkcs12", "-export", "-in", str(cert), "-certpbe", "NONE"]
    args += ["-passout", "pass:model-signing", "-out", str(out)]
    args += ["-nokeys"] if form.startswith("cert_only") else ["-inkey", str(key)]
    subprocess.run(args, capture_output=True, check=True, timeout=30)
    der = out.read_bytes()
    with pytest.raises(KeyFormatError):
        HMACKey(der)  # (refused since rt78-07)
    header = _der_length(der, 1)
    assert der[:1] == b"\x30" and header is not None and sum(header) == len(der)
    secret = b"\x30\x80" + der[header[1] :] + b"\x00\x00"
    if form.endswith("base64"):
        secret = base64.b64encode(secret)  # (the DER form in base64 is refused)
    with pytest.raises(KeyFormatError):
        HMACKey(secret)


# --- rt79-04: a tar's pax header of digits: tarfile's hdrcharset search is quadratic --------


@pytest.mark.parametrize("form", ["tar", "tar.gz"])
def test_rt79_04_tar_pax_digits(tmp_path, form):
    import io
    import tarfile

    # rt78-08's fix opens any secret whose bytes 257-262 are "ustar" with tarfile. Python
    # 3.11.7's tarfile (CVE-2024-6232, fixed in 3.11.10 / 3.12.6) searches a pax header
    # with re.search(rb"\d+ hdrcharset=([^\n]+)\n", buf): from every digit of a run, \d+
    # takes the rest of the run and backs off, n**2 / 2 steps. A tar whose member has a pax
    # "comment" of n digits (tarfile.open(format=PAX_FORMAT) writes it): 32 KB 0.9 s, 64 KB
    # 3.5 s (pure and compiled alike), 128 KB some 14 s, 4 MB some four hours. The inflated
    # forms are read as tars too: a .tar.gz of 64,000 digits is a 227-byte secret, 3.4 s; of
    # 200,000, 354 bytes, over 15 s (some 35 s); of 900,000, 1,043 bytes, some 12 minutes.
    # The test: 128 KB, and the .tar.gz of 200,000 (linear, either is some 0.4 s), past the
    # child's HANG_CPU
    digits = 128 * 1024 if form == "tar" else 200_000
    buffer = io.BytesIO()
    mode = "w" if form == "tar" else "w:gz"
    with tarfile.open(fileobj=buffer, mode=mode, format=tarfile.PAX_FORMAT) as archive:
        info = tarfile.TarInfo("secret.bin")
        info.pax_headers = {"comment": "7" * digits}
        data = b"x" * 40
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    secret = buffer.getvalue()
    assert secret[257:262] == b"ustar" if form == "tar" else len(secret) < 400
    path = tmp_path / "secret.tar"
    path.write_bytes(secret)
    done = child(HMAC_OF_FILE, path, cpu=HANG_CPU)
    assert "made" in done.stdout or "refused" in done.stdout, str(done)


# --- rt79-05: an ensemble's private sample counts size estimators_samples_ ------------------


@pytest.mark.parametrize(
    "kind",
    [
        "BaggingClassifier",
        "IsolationForest",
        "RandomForestClassifier",
        "ExtraTreesRegressor",
        "RandomForestClassifier-repr_html",
    ],
)
def test_rt79_05_ensemble_sample_counts(tmp_path, kind):
    from sklearn import ensemble

    # fit stores the training set's size and the bootstrap's as plain ints without a trailing
    # underscore (bagging and IsolationForest: _n_samples, _max_samples; forests: _n_samples,
    # _n_samples_bootstrap), which no check reads: the public estimators_samples_ draws, for
    # every member, randint(0, _n_samples, _max_samples) (or np.arange(_n_samples) without
    # bootstrap). 10**9 each, on 10 members fitted on 60 rows: 4.3-12.6 KB, scan SAFE, load
    # loads; estimators_samples_ asks 4-8 GB per member (10**8: MemoryError under 2 GB after
    # 2-4 s of CPU). No call is needed in a notebook: _repr_html_ (what Jupyter calls to show
    # a cell's value) lists the fitted attributes through inspect.getmembers, which reads
    # every property, estimators_samples_ included
    kind, _, how = kind.partition("-")
    x = np.random.RandomState(0).rand(60, 4)
    y = np.r_[[0] * 30, [1] * 30]
    model: Any = getattr(ensemble, kind)(n_estimators=10, random_state=0).fit(x, y)
    names = {
        "BaggingClassifier": ("_n_samples", "_max_samples"),
        "IsolationForest": ("_n_samples", "_max_samples"),
        "RandomForestClassifier": ("_n_samples", "_n_samples_bootstrap"),
        "ExtraTreesRegressor": ("_n_samples",),  # (no bootstrap: np.arange(_n_samples))
    }[kind]
    for name in names:
        assert isinstance(getattr(model, name), int), name
        setattr(model, name, 10**9)
    path = compressed_joblib(tmp_path, model, 20_000, ("xz", 6))
    call = "model._repr_html_()" if how else "model.estimators_samples_"
    shown = child(PLAIN_JOBLIB_CALL.format(call=call), path, memory=GB // 2, cpu=30)
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    assert_refused_with(path)


# --- rt79-06: a PKCS#12 the shape check misses is opened with its own MAC iteration count ---


def _der_children(data: bytes) -> list[bytes]:
    """The elements (tag, length and content) of the DER SEQUENCE ``data``, in order."""
    from safeload.signing.hmac_key import _der_length

    header = _der_length(data, 1)
    assert data[:1] == b"\x30" and header is not None and sum(header) == len(data)
    found, at = [], header[1]
    while at < len(data):
        length, content = _der_length(data, at + 1) or (0, 0)
        found.append(data[at : content + length])
        at = content + length
    return found


def _der_sequence(items: list[bytes]) -> bytes:
    body = b"".join(items)
    size = len(body).to_bytes(4, "big").lstrip(b"\x00") or b"\x00"
    length = bytes([len(body)]) if len(body) < 0x80 else bytes([0x80 | len(size)]) + size
    return b"\x30" + length + body


@pytest.mark.parametrize("form", ["ber", "version_2"])
def test_rt79_06_pkcs12_mac_iterations(tmp_path, form):
    import subprocess

    # _key_store_form opens any other secret that starts with a SEQUENCE with
    # pkcs12.load_pkcs12 under three passwords (rt76-05); OpenSSL verifies the MAC first, with
    # the iteration count the file's MacData gives. rt78-07's shape check refuses a DER PFX of
    # version 3 before that, but a BER one (rt79-03) or one whose version INTEGER says 2 goes
    # on to load_pkcs12: 10**7 iterations 2.5 s, 10**8 over 12 s, 2**31 - 1 (a 1,043-byte
    # secret) some nine minutes. The test: 2**31 - 1, past the child's HANG_CPU
    key, cert = _openssl_certificate(tmp_path)
    out = tmp_path / "store.p12"
    subprocess.run(
        [
            *("openssl", "pkcs12", "-export", "-in", str(cert), "-inkey", str(key)),
            *("-passout", "pass:model-signing", "-out", str(out)),
        ],
        capture_output=True,
        check=True,
        timeout=30,
    )
    version, auth_safe, mac_data = _der_children(out.read_bytes())
    assert version == b"\x02\x01\x03"
    digest, salt, iterations = _der_children(mac_data)
    assert iterations[:1] == b"\x02"
    mac_data = _der_sequence([digest, salt, b"\x02\x04\x7f\xff\xff\xff"])
    if form == "ber":
        secret = b"\x30\x80" + version + auth_safe + mac_data + b"\x00\x00"
    else:
        secret = _der_sequence([b"\x02\x01\x02", auth_safe, mac_data])
    path = tmp_path / "secret.p12"
    path.write_bytes(secret)
    done = child(HMAC_OF_FILE, path, cpu=HANG_CPU)
    assert "made" in done.stdout or "refused" in done.stdout, str(done)


# --- rt79-07: an object array of arrays passes the shape checks, and stacks an axis ---------


def _object_array(items: list[Any]) -> Any:
    """A 1-D object array holding ``items`` (arrays) as they are."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


@pytest.mark.parametrize("kind", ["MultinomialNB.class_log_prior_", "PCA.mean_"])
def test_rt79_07_object_array_vectors(tmp_path, kind):
    from sklearn.decomposition import PCA
    from sklearn.naive_bayes import MultinomialNB

    # CLASS_VECTORS and FEATURE_AXES compare an array's shape, and _check_fitted_dimensions
    # counts its dimensions (rt78-01..03); an object array of the right shape whose items are
    # arrays passes all three, and numpy broadcasts each item: class_log_prior_ as two
    # arrays of 100,000 zeros makes predict's joint likelihood (rows, 2) arrays of 100,000
    # (3.2 GB for 2,000 rows), a PCA's mean_ as 20 such arrays makes score_samples' X -
    # mean_ 2,000 x 20 arrays of 100,000 (32 GB). 1.2 KB and 3.6 KB (xz), scan SAFE, load
    # loads. (rt69-09's rule refuses object arrays for intercept_ and the other
    # ARRAYS_IN_ARITHMETIC only; these names are not among them.) Found giving every fitted
    # numeric array of 1-400 items an object array of 50,000-item arrays of its shape
    features = 20
    rs = np.random.RandomState(0)
    model: Any
    if kind.startswith("MultinomialNB"):
        model = MultinomialNB().fit(rs.randint(0, 3, (60, features)), np.r_[[0] * 30, [1] * 30])
        model.class_log_prior_ = _object_array([np.zeros(100_000) for _ in range(2)])
        call = f"model.predict(numpy.zeros((2000, {features}), dtype=int))"
    else:
        model = PCA(2).fit(rs.rand(60, features))
        model.mean_ = _object_array([np.zeros(100_000) for _ in range(features)])
        call = f"model.score_samples(numpy.zeros((2000, {features})))"
    path = compressed_joblib(tmp_path, model, 5_000, ("xz", 6))
    joblib_out_of_memory(path, call)
    assert_refused_with(path)


# --- rt79-08: rt78-05 in other forms: nested one-item tuples, 1.5 bytes each --------------


def test_rt79_08_nested_one_item_tuples(tmp_path):
    import lzma

    # rt78-05's empty dicts stay open (one byte each, 1,000,000: scan 19 s + load 15 s); the
    # other cheap containers walk alike (pure, per 200-300 KB: EMPTY_LIST and EMPTY_SET 3 s +
    # 3 s, MEMOIZE'd lists 1.4 s + 1.5 s, chains of TUPLE1 4 s + 4 s). The form the working
    # tree at 10:04 (compiled: "N containers in M bytes", a container 3 bytes' worth) still
    # passes: ``N\x85\x85``, None in a 1-tuple in a 1-tuple, 3 bytes for two tuples (and
    # ``}2``, an empty dict and a DUP). 1 MB (333,333 pairs, 664 bytes as xz): compiled scan
    # 14.6 s + load 12.5 s, SAFE and loaded; pure 300 KB 5.0 s + 4.9 s; plain pickle 0.05 s.
    # The test: 200 KB
    data = ridge_holding(b"N\x85\x85" * 66_666)
    path = tmp_path / "m.joblib"
    path.write_bytes(lzma.compress(data))
    assert path.stat().st_size < 1_000, path.stat().st_size
    done = child(SCAN_THEN_LOAD, path, cpu=HANG_CPU)
    assert "verdict" in done.stdout and "load " in done.stdout, str(done)


# --- the maintainer's honest counterparts and forms beside the fixes ------------------------


@pytest.mark.parametrize(("atoms", "features"), [(1_024, 20), (512, 64)])
def test_rt79_01_honest_overcomplete_dictionaries(tmp_path, atoms, features):
    # up to 1,024 atoms over any features, or 8 per feature past that, load (FREE_GRAM_COMPONENTS)
    from sklearn.decomposition import SparseCoder

    from redteam import load_honest

    atoms_array = np.random.RandomState(0).rand(atoms, features)
    coder = SparseCoder(atoms_array, transform_algorithm="omp", transform_n_nonzero_coefs=3)
    coder.fit(np.zeros((2, features)))
    loaded = load_honest(coder, tmp_path)
    assert loaded.transform(np.ones((2, features))).shape == (2, atoms)


def test_rt79_01_factor_analysis_at_most_one_component_per_feature(tmp_path):
    import pickle

    from sklearn.decomposition import FactorAnalysis

    import safeload

    x = np.random.RandomState(0).rand(60, 20)
    model = FactorAnalysis(n_components=30).fit(x)
    assert model.components_.shape == (20, 20)  # (fit makes at most one per feature)
    model.components_ = np.resize(model.components_, (21, 20))
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model))
    assert not safeload.scan(path).safe
    with pytest.raises(safeload.SafeloadError, match="at most 20"):
        safeload.load_unsigned(path)


def test_rt79_05_forest_draws_bounded(tmp_path, monkeypatch):
    # At most MAX_DRAWS sample indexes in all, honest or not: a tree's root sample count is a
    # number in the file too, so it proves nothing (rt80-02). The bound lowered to 1,500
    # here: 5 trees over 300 rows load, a claimed 1,000 rows each are refused by scan and load
    import pickle

    from sklearn.ensemble import RandomForestClassifier

    import safeload
    from safeload.trust.structures import ensembles

    monkeypatch.setattr(ensembles, "MAX_DRAWS", 1_500)
    x = np.random.RandomState(0).rand(300, 4)
    model = RandomForestClassifier(n_estimators=5, random_state=0).fit(x, x[:, 0] > 0.5)
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model))
    assert safeload.scan(path).safe
    assert len(safeload.load_unsigned(path).estimators_samples_) == 5
    model._n_samples = model._n_samples_bootstrap = 1_000
    path.write_bytes(pickle.dumps(model))
    assert not safeload.scan(path).safe
    with pytest.raises(safeload.SafeloadError, match="sample indexes in all"):
        safeload.load_unsigned(path)


def test_rt79_05_bagging_permutes_its_population(tmp_path):
    # without bootstrap, a draw of more than 1% of _n_samples permutes all of them: 10**8
    # draws of 10**9 each cost the population, not the draw
    import pickle

    from sklearn.ensemble import BaggingClassifier

    import safeload

    x = np.random.RandomState(0).rand(60, 4)
    model = BaggingClassifier(n_estimators=2, bootstrap=False, random_state=0)
    model.fit(x, x[:, 0] > 0.5)
    model._n_samples, model._max_samples = 10**9, 2 * 10**7
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model))
    with pytest.raises(safeload.SafeloadError, match="sample indexes in all"):
        safeload.load_unsigned(path)
    model._max_samples = 10**6  # (0.1%: tracking selection draws 10**6 each: 2 x 10**6)
    path.write_bytes(pickle.dumps(model))
    safeload.load_unsigned(path)


def test_rt79_07_honest_object_arrays(tmp_path):
    # the object arrays fit stores: labels (tuples too), names, KBinsDiscretizer's bin edges,
    # gradient boosting's trees
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.preprocessing import KBinsDiscretizer, MultiLabelBinarizer

    from redteam import load_honest

    x = np.random.RandomState(0).rand(40, 3)
    labels = MultiLabelBinarizer().fit([[(1, "a"), (2, "b")], [(3, "c")]])
    bins = KBinsDiscretizer(n_bins=3, quantile_method="averaged_inverted_cdf").fit(x)
    boost = GradientBoostingClassifier(n_estimators=3).fit(x, np.arange(40) % 3)
    for model in (labels, bins, boost):
        load_honest(model, tmp_path)


def test_rt79_07_object_items_refused(tmp_path):
    import pickle

    from sklearn.preprocessing import KBinsDiscretizer

    import safeload

    x = np.random.RandomState(0).rand(40, 3)
    bins = KBinsDiscretizer(n_bins=3, quantile_method="averaged_inverted_cdf").fit(x)
    bins.bin_edges_ = np.array([np.zeros((2, 2))] * 3 + [None], dtype=object)[:3]
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(bins))
    with pytest.raises(safeload.SafeloadError, match="one array of numbers per feature"):
        safeload.load_unsigned(path)
    assert not safeload.scan(path).safe
