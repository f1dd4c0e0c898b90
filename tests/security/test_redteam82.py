r"""Red team 82: reproducers (strict xfails) for the open findings, 14:36-15:40 UTC 2026-12-04,
on HEAD 0d4452d (red team 81's fixes c22c4cf / dd3e5cb: _archive_form, _embedded_key,
MAX_READ / READS_PER_BYTE; iteration_weight by what a round costs, bagging's seeds and
feature draws, _check_linear_svm_coef, check_polynomial_features' guard, date categories).

"pure" is the snapshot of HEAD in /tmp/rt82p (SAFELOAD_PURE_PYTHON=1), the main target;
"compiled" is /work/main's .venv build. Every test below XFAILs on both. CPU times are
process times on the shared 2-core machine (one thread), noisy by some 30%. Sizes are joblib
files (xz) or pickles as said.

Attack window: 14:36 to 15:28 UTC, continuous (the last minutes also writing this docstring).

rt82-01 (HARM: CPU; against c22c4cf's _archive_form and its READS_PER_BYTE budget)
        _inflates decompresses every form that starts with 0x5D (lzma "alone") up to
        MAX_INFLATED (1 MB) of output, and neither that output nor the work is charged to the
        budget, which counts only the bytes of the forms: a 230-byte lzma stream of 1 MB of
        zeros cut before its end (so it is neither at its end nor past 1 MB: "not lzma") is a
        308-character base64 token, and every token (_BASE64_TOKEN) is a form. 1 MB of such
        tokens, plain ASCII: 5.8 s, accepted. With one non-ASCII character ("Š") at each end,
        _read_as_text reads each 64 KB window in 9 code pages, every reading a form holding
        the same ~210 tokens: 300 KB, 8.4 s pure / 8.0 s compiled (4,786 inflations), 600 KB
        9.9 s, accepted; random or base64 secrets of the size take 0.25 s. Found asking what
        _archive_form costs per form and which readers multiply forms under the budget.
rt82-02 (TRUST; the class of c22c4cf's _ARCHIVE_MAGIC) ``pzstd pub.pem`` (zstd's parallel
        compressor, shipped with zstd 1.5: ``zstd -dc`` reads it back) writes a skippable frame
        (magic 50 2A 4D 18, the frame sizes) before the zstd frame, whose magic _ARCHIVE_MAGIC
        asks for at the start only; the literals are Huffman-coded, so neither the armour nor
        a base64 token is in plain sight: the P-256 PEM, 178 bytes, is accepted as an HMAC
        secret, pure and compiled (``zstd pub.pem``: refused; ``pzstd pub.der`` is refused by
        its algorithm identifier, left as a literal); in base64 (240) or hex (356) too. Found
        asking which formats start with something other than their magic.
rt82-03 (HARM: CPU; against rt81-04's fix in iteration_weight) the lasso_cd weight applies only
        when ``type(transform_algorithm) is str``; scikit-learn compares it with ``==``, and
        numpy's str_ ("lasso_cd" as a numpy scalar, which the allowlist builds) is no ``str``
        to the type test: rt81-04's 1,024 nearly collinear atoms, transform_alpha 1e-6,
        transform_max_iter 10,000, with transform_algorithm = numpy.str_("lasso_cd"):
        DictionaryLearning / MiniBatchDictionaryLearning / SparseCoder 8.2 / 11.6 / 7.9 KB,
        scan SAFE, load loads, pure and compiled; transform takes 2.9-3.1 s of CPU per row
        (the same file with a plain str: refused, "16.0 times the iteration limit"). Found
        grepping the new checks for ``type(...) is not str``.
rt82-04 (HARM: memory; against rt80-07 / rt81-15's _check_linear_svm_coef) the coef_ bound
        runs only when ``type(kernel) is str``; scikit-learn's coef_ property asks
        ``self.kernel != "linear"``, and predict passes the kernel on: an honest linear SVC of
        400 classes over 2,000 features (one sample each) with kernel = numpy.str_("linear"):
        3.9 KB, scan SAFE, load loads, pure and compiled, predict works; coef_ (and
        _repr_html_) asks 79,800 x 2,000 numbers, 1.28 GB: MemoryError under 1 GB (1,000
        classes: 8 GB). Found the same way as rt82-03.
rt82-05 (HONEST-REFUSED / HARM: memory; c22c4cf's _inflates) every secret (or decoded form)
        whose first byte is 0x5D is handed to lzma.LZMADecompressor(FORMAT_ALONE) with no
        memory limit, and liblzma allocates the dictionary the next four bytes name (up to
        4 GB) before it reads one byte of data: 1 random secret in 256 starts with 0x5D, and
        about half of those name more than 2 GB. Under an address-space limit (ulimit -v, a
        2 GB RLIMIT_AS) HMACKey then raises MemoryError instead of making the key: 146 of 300
        random 64-byte secrets starting with 0x5D, 109 of 200 such 32-byte ones (what
        HMACKey.generate and ``safeload keygen --hmac`` make: about 1 key in 470), pure and
        compiled (random.Random(691)'s 64 bytes, dictionary 3.1 GB). Found reading what
        _inflates asks of liblzma.
rt82-06 (HONEST-REFUSED; c22c4cf's _ZIP_RECORDS) a zip's end record "PK\x05\x06" (or
        Zip64's "PK\x06\x06") anywhere in the secret, or in its base64 / hex decoding, makes
        it "a zip archive": four bytes, so a random secret of 4 MB holds one once in some 500
        (random.Random(971).randbytes(4 MB): refused, 1.8 s), of 1 MB once in 2,000, and
        HMACKey has no length limit. SECURITY.md documents refusing compressed or archived
        secrets, not random ones. Found estimating each new rule's rate on random bytes (the
        other rules: gzip 2**-27, .Z 2**-28, bzip2, zlib and lzma by their end, v7 tar
        2**-40, algorithm identifiers 2**-40 a place, hold).
rt82-07 (HARM: CPU; the class of rt81-04, outside iteration_weight) iteration_weight weighs
        only a ``lasso_cd`` encoding; the sparse coders' other encodings walk the same (k, k)
        Gram per row with weight 1 (lasso_lars: transform_max_iter, at most 10,000) or with no
        count at all (lars and omp: transform_n_nonzero_coefs, up to the features), and the
        widths rule allows 8 atoms per feature past 1,024. Atoms that are the shifts of 8
        base vectors (8 circulant blocks: xz packs 16 MB into 18 KB) are in general position,
        so LARS and OMP add one atom a step up to the features: 4,096 atoms over 512 features,
        transform_alpha 1e-9, n_nonzero_coefs 512: lasso_lars 10 s of CPU per row, lars 2.6 s,
        omp 1.3 s (18 KB; MiniBatchDictionaryLearning 37 KB); 8,192 atoms over 1,024 features
        (44 KB): lars 42 s per row, omp 8.9 s; scan SAFE, load loads, pure and compiled, for
        DictionaryLearning, MiniBatchDictionaryLearning and SparseCoder alike. Found timing
        the encodings iteration_weight leaves at 1 on atoms in general position.
rt82-08 (HARM: memory; against rt81-11's sparse count in _check_linear_svm_coef) the bound
        counts nonzeros when ``support_vectors_`` is sparse, but scikit-learn's coef_ for
        several classes is _one_vs_one_coef over the public ``dual_coef_``, which check_svm
        never reads (it holds ``_dual_coef_`` to ``_sparse``): a dense ``dual_coef_`` row
        times a sparse block is a dense row, and np.vstack makes (pairs, features) dense. An
        honest sparse linear SVC of 100 classes (one sample each, one nonzero) over 100,000
        features, ``dual_coef_`` made dense (its values kept): 1.8 KB, scan SAFE, load loads,
        pure and compiled, predict works; coef_ (and _repr_html_) asks 4,950 x 100,000
        float64, 3.96 GB: MemoryError under 1 GB. Found reading which attributes coef_ reads
        against the ones the checks read.
rt82-09 (TRUST; against c22c4cf's _KEY_ALGORITHM_OIDS, the class of rt80-04) _embedded_key
        knows the identifiers of RSA, RSA-PSS, EC, DSA, DH and the four Edwards / Montgomery
        keys, not those of the post-quantum signature keys (ML-DSA, FIPS 204:
        2.16.840.1.101.3.4.3.17-19; SLH-DSA, FIPS 205: .3.20-31) that OpenSSL 3.5+ and the
        installed cryptography 50 (mldsa) write; and _ARCHIVE_MAGIC knows cpio's ASCII
        headers ("070701/2/7"), not its old binary one (C7 71), what ``cpio -o`` writes by
        default: an ML-DSA-65 public key's DER in a binary cpio archive (2,048 bytes), or
        after any non-whitespace preamble, is accepted as an HMAC secret, pure and compiled
        (the same archive of a P-256 key is refused by its identifier; the bare DER is refused
        by _der_form). An RSA key in PKCS#1 form (RSAPublicKey, what ``openssl rsa
        -RSAPublicKey_out -outform DER`` writes, and the DER of ``ssh-keygen -e -m PEM``)
        holds no algorithm identifier at all: in the same cpio archive (512 bytes) or after a
        line of text (290), accepted too, and so is ``gpg --export`` of an Ed25519 key (an
        OpenPGP key names its algorithm by number and its curve by a bare OID: 512 / 259
        bytes; the export alone is refused by _is_pgp_public_key, at the start only). Found
        listing the identifiers cryptography itself loads.
rt82-10 (HONEST-REFUSED; dd3e5cb's FREE_LASSO_ATOMS) a lasso_cd encoding now weighs
        (atoms / 256)**2 per round, against transform_max_iter's per-row limit (10,000) and a
        share of at most 4: at scikit-learn's default transform_max_iter (1,000) any coder of
        more than 1,619 atoms is refused. An honest SparseCoder of 2,048 unit-norm atoms over
        256 features (an 8x overcomplete dictionary of 16x16 patches; the widths rule allows
        8 atoms per feature), transform_algorithm "lasso_cd": "6.4 times the iteration
        limit", scan and load, pure and compiled; its transform takes 0.21 s for 10 rows. Not
        a **Limit** in SECURITY.md (only NMF's weight is). Found computing where the new
        weight meets scikit-learn's defaults.
rt82-11 (HARM: CPU; against rt81-03's fix) iteration_weight weighs LDA's E-step by the rows
        of ``components_``, but transform's E-step walks ``exp_dirichlet_component_``
        (_update_doc_distribution takes its topics from that array's rows), and nothing ties
        the two: rt81-03's model with components_ left at its 4 fitted topics and
        exp_dirichlet_component_ resized to 81,920 over 20 words, mean_change_tol 0,
        max_doc_update_iter 1,000: 6.7 KB, scan SAFE, load loads, pure and compiled;
        transform takes 2.0 s of CPU per row (rt81-03's 163,840 over 40 words: 5.5 s a row).
        Found reading which array each weighed loop walks.
rt82-12 (HARM: CPU; against rt81-04's fix) the lasso_cd weight reads
        ``state.get("components_", state.get("dictionary"))``: a SparseCoder encodes with
        ``dictionary`` (it has no components_ of its own), so a stray ``components_`` of 4
        rows beside rt81-04's 1,024-atom dictionary sets the weight to 1: 7.9 KB, scan SAFE,
        load loads, pure and compiled; transform takes 2.9 s of CPU per row. Found the same
        way as rt82-11.
rt82-13 (HARM: memory; the class of rt68-12's Gaussian process bound) a fitted Gaussian
        process's samples are held to the rows of its factor L_, but not the kernel's
        hyperparameters: log_marginal_likelihood(theta, eval_gradient=True), a public method
        (hyperparameter searches call it with their own theta), builds K_gradient of (n, n,
        hyperparameters): an anisotropic RBF (one length scale per feature) fitted on 200
        samples over 4,000 features (the samples mostly zeros, xz: 21 KB; 300 over 2,000: 28
        KB), GaussianProcessRegressor and GaussianProcessClassifier (28 KB) alike, scan SAFE,
        load loads, pure and compiled; the call asks 200 x 200 x 4,000 float64, 1.28 GB:
        MemoryError under 1 GB. Found asking what else than n the Gaussian process's methods
        allocate over.
rt82-14 (TRUST; rt81-10's class, fixed for zip only) a zip is found after any preamble by its
        records (_ZIP_RECORDS), but gzip, xz, bzip2 (and zstd, LZ4 ...) only at the start
        (_ARCHIVE_MAGIC, ``secret[:3]``): a self-extracting shell archive as makeself writes
        it (a ``#!/bin/sh`` stub that pipes ``tail -n +N "$0"`` into tar, then the
        compressed tar of keys/signer.pem) is accepted as an HMAC secret: gzip 363 bytes, xz
        424, bzip2 401 (the DER: 348 / 376 / 348), pure and compiled; the compressed tar alone
        is refused. ``zstd`` and ``lz4`` output of the bare PEM after a two-line stub: 183 /
        202 bytes, accepted too. The same holds for any container whose compressed payload
        follows a header safeload does not know (an RPM's lead, ED AB EE DB, before its
        compressed cpio: distributions ship signing keys as RPMs; not built here). Found
        asking which other formats tools append to a script stub.

Held (tried, refused or harmless):
- HMAC forms: ``compress`` (.Z) in non-block mode (code 256 not CLEAR) and block mode of the
  PEM and DER: refused; zstd / LZ4 / xz / gzip / bzip2 magic at the start: refused; a
  pzstd of the DER: its identifier stays a literal (refused); ML-DSA-44/65/87 and ML-KEM
  public keys as bare DER, base64 DER and PEM: refused (raw ML-DSA / ML-KEM key bytes are
  accepted, like a raw Ed25519 key: not reported). Random secrets and the new rules: gzip
  2**-27, .Z 2**-28, bzip2 (a block magic), zlib and lzma (inflated to their end), v7 tar
  (a checksum; for random decimal-digit text about 1e-6), algorithm identifiers (2**-40 a
  place): no practical false positives but rt82-05 / rt82-06. A JSON Web Key in a binary
  cpio archive, after a comment line or twice in a JSON-lines file: refused (read as text
  anywhere). _inflates on a 1 MB zlib
  or lzma bomb as one secret: 1.5 ms (bounded by MAX_INFLATED); only many forms (rt82-01)
  add up.
- Categories (rt81-09's fix): dates, naive and aware datetimes (one zone and mixed zones),
  times with and without tzinfo, timedeltas, Decimals (finite, exponents past 1,024,
  -0 beside 0.00), pandas Timestamps (ns, s, ms; with a zone: refused), Timedeltas,
  Periods, mixed date / datetime / Timestamp: OneHotEncoder and LabelEncoder, with and
  without the pandas profile: scan and load agree on every one.
- State keys as numpy.str_ (a call-made key): refused before loading. A
  verbose_feature_names_out template as numpy.str_ with a format spec or a field twice:
  refused in scan and load. A forest whose estimators_ is an object array (to make
  check_drawn_total count one member): refused. A TargetEncoder without encodings_ and
  100,000 x 10,000 names: the names budget refuses it. The linear SVC bound's sparse count
  with support_vectors_ as CSC / COO / LIL / DOK / BSR / DIA / csr_array / coo_array /
  csc_array, with and without support_: scan and load agree. NMF at its free point (32
  components over 1,024 features, max_iter 100,000, tol 0: 5.3 s a row, cd solver) is
  what the documented weights allow; the mu solver with beta_loss 0.5 or KL is cheaper a
  round. lasso_lars / lars / omp over 1,024 atoms and 20 features: 30-60 ms for 2 rows
  (only atoms in general position over many features cost, rt82-07).
- numpy.str_ elsewhere: a kernel of numpy.str_ for KernelPCA, Nystroem and KernelRidge is
  refused by scan and load alike, SVR / SVC (rbf) load on both; ColumnTransformer branches
  of numpy.str_("passthrough") in transformers_ are counted (2,000 copies refused) and do
  not transform anyway. FeatureAgglomeration with labels_ deleted and n_clusters_ 10**8:
  get_feature_names_out stays small. GaussianProcessClassifier.log_marginal_likelihood(
  theta) with y_train_ of 0.5, 2, alternating 3 / -2, 1e6, -1e3, 1e-12 under kernels
  scaled by 1e4 and 1e-6: every Newton loop stops at once. n_jobs of SparseCoder and LDA as
  64, numpy.int64(64), int8(-1), uint64(2**63), float64, numpy.True_: refused by both; -1, None
  and 4 load (documented). Sparse coders' and LDA's joblib workers: the n_jobs rule holds.

Ideas not tested (or only begun): brotli-compressed keys (no magic; no encoder here); Apple
Archive / lzfse ("pbze", "bvx2"), lrzip ("LRZI"), raw deflate (``zopfli --deflate``); a
Gaussian process kernel of many summed terms (rt82-13's gradient without wide features:
scikit-learn's clone recursed past 1,000 nested Sums); bagging's ``_sample_weight``
(numpy's choice without replacement with skewed p loops per found index; float range caps
the loops); a LIL support_vectors_ (its ``data`` is one list per row, counted as one value)
whose rows share one list.

Ported by the maintainer: every finding is fixed and its test is plain. HMAC: each 64 KB of
a compressed stream's output is charged to the read budget before it is inflated (rt82-01),
liblzma's memory is capped at 128 MB (rt82-05), zip records are 48 bits or more (rt82-06), a
skippable frame first is refused (rt82-02), ML-DSA/SLH-DSA/ML-KEM identifiers are known,
cpio's binary header is an archive, and what follows a text preamble is read as a key and
as an archive (rt82-09, rt82-14). Use time: LARS and OMP encodings cost steps**2 x atoms a
row (rt82-07); the lasso_cd weight reads numpy's str_, the dictionary a SparseCoder encodes
with, and is free to 400 atoms (rt82-03, rt82-12, rt82-10); LDA's reads
exp_dirichlet_component_ (rt82-11); the linear SVC coef_ bound takes numpy's str_ kernel and
a dense public dual_coef_ (rt82-04, rt82-08); a Gaussian process's kernel gradient holds at
most 2**27 numbers, for the regressor and the binary classifiers a
GaussianProcessClassifier holds (rt82-13).
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest

from redteam import (
    HANG_CPU,
    HMAC_OF_FILE,
    PLAIN_JOBLIB_CALL,
    assert_refused_with,
    child,
    collinear_coder,
    compressed_joblib,
    fixed_p256_key,
    hmac_refuses,
)

# --- rt82-01: lzma inflations of base64 tokens, outside the forms budget ---------------------


def _lzma_token() -> bytes:
    """A 230-byte lzma ("alone") stream of 1 MB of zeros cut before its end, in base64 (308
    characters): _inflates decompresses it to just under MAX_INFLATED, finds no end, and
    calls it no lzma file."""
    import base64
    import lzma

    stream = lzma.compress(b"\0" * ((1 << 20) - 1), format=lzma.FORMAT_ALONE)[:230]
    reader = lzma.LZMADecompressor(lzma.FORMAT_ALONE)
    assert len(reader.decompress(stream, 1 << 20)) > 1_000_000 and not reader.eof
    return base64.b64encode(stream)


@pytest.mark.parametrize("form", ["ascii_1mb", "code_pages_300kb"])
def test_rt82_01_lzma_tokens(tmp_path, form):
    # every base64 token of 56+ characters is a form, and every form starting with 0x5D is
    # inflated by _inflates up to 1 MB (1.5 ms); the budget (16x the secret) counts the
    # forms' bytes only. 1 MB of such tokens: 5.8 s; 300 KB with "Š" at both ends (each
    # 64 KB window read in 9 code pages, each reading holding every token again): 8.4 s
    # pure, 8.0 s compiled, the secret then accepted. Random or base64 secrets of the size
    # take 0.25 s (1 MB: 0.7-0.9 s)
    token = _lzma_token()
    if form == "ascii_1mb":
        secret = b" ".join([token] * 3_240)
        cpu = 1.2
    else:
        mark = "Š".encode()
        secret = mark + b" " + b" ".join([token] * 970) + b" " + mark
        cpu = 1.0
    path = tmp_path / "secret.txt"
    path.write_bytes(secret)
    done = child(HMAC_OF_FILE, path, cpu=cpu)
    assert "made" in done.stdout or "refused" in done.stdout, str(done)


# --- rt82-02: pzstd's skippable frame before the zstd frame ----------------------------------

#: ``pzstd pub.pem`` (PZSTD 1.5.4) of :func:`_public_key`'s PEM: a skippable frame holding the
#: zstd frame's size, then the frame (``zstd -dc`` prints the PEM).
_PZSTD_PEM = bytes.fromhex(
    "502a4d1804000000a600000028b52ffd0458cd04001249221f108d375c3991197b94a69a9c04828bc4115d"
    "62d73dcb815c0ca000005040813873258ac8514ca94f736eec5207169ce7604f42431b307e8f1562ee3b"
    "45be6ab04ce15f0521428ec19202aa21f54495ce07a4ef27d52a73399cc66310f2f3a16a96e2d6fc921bc"
    "edbc50f6e771298930f51eb00aebe9e064cb1a05bcbf497d4694bf6944bd65a6b0304001a9b331e8c305f"
    "f2b28018379c80a4"
)


def test_rt82_02_pzstd_skippable_frame():
    import shutil
    import subprocess

    # _ARCHIVE_MAGIC refuses a zstd frame's magic (28 B5 2F FD) at the start only; pzstd
    # writes a skippable frame (50 2A 4D 18, 4 bytes of length, the frame's size) first. Its
    # literals are Huffman-coded: no armour, no base64 token in sight. 178 bytes, accepted,
    # pure and compiled; the zstd frame alone (what ``zstd pub.pem`` writes) is refused
    _, pem = fixed_p256_key()
    if shutil.which("zstd"):
        back = subprocess.run(["zstd", "-dc"], input=_PZSTD_PEM, capture_output=True, check=True)
        assert back.stdout == pem
    hmac_refuses(_PZSTD_PEM[12:])
    hmac_refuses(_PZSTD_PEM)


# --- rt82-03: transform_algorithm as numpy.str_ escapes the lasso_cd weight ------------------


@pytest.mark.parametrize(
    "kind", ["DictionaryLearning", "MiniBatchDictionaryLearning", "SparseCoder"]
)
def test_rt82_03_lasso_cd_numpy_str(tmp_path, kind):

    # iteration_weight weighs a lasso_cd encoding by its atoms squared only when
    # ``type(transform_algorithm) is str``; scikit-learn's _sparse_encode compares with ==,
    # and numpy.str_ (a numpy scalar the allowlist builds) passes. rt81-04's 1,024 nearly
    # collinear atoms at transform_max_iter 10,000, transform_alpha 1e-6: 8 KB, scan SAFE,
    # load loads (pure and compiled); transform takes 2.9-3.1 s of CPU per row. With a plain
    # str the same file is refused ("16.0 times the iteration limit")
    model: Any = collinear_coder(kind)
    model.transform_algorithm = np.str_("lasso_cd")
    path = compressed_joblib(tmp_path, model, 14_000, ("xz", 6))
    call = "model.transform(numpy.random.RandomState(1).rand(4, 20))"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt82-04: a linear SVC whose kernel is numpy.str_ escapes the coef_ bound ----------------


def test_rt82_04_svc_kernel_numpy_str(tmp_path):
    import warnings

    from sklearn.svm import SVC

    # _check_linear_svm_coef returns unless ``type(kernel) is str`` and it is "linear";
    # scikit-learn's coef_ property asks ``self.kernel != "linear"``, which numpy.str_
    # answers as a str does. An honest linear SVC of 400 classes over 2,000 features (one
    # sample each), kernel numpy.str_("linear"): 3.9 KB, scan SAFE, load loads (pure and
    # compiled), predict works; coef_ (and _repr_html_) asks 79,800 x 2,000 numbers,
    # 1.28 GB: MemoryError under 1 GB
    x = np.zeros((400, 2_000))
    x[np.arange(400), np.arange(400)] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (more classes than half the samples)
        model: Any = SVC(kernel="linear").fit(x, np.arange(400))
    model.kernel = np.str_("linear")
    path = compressed_joblib(tmp_path, model, 8_000, ("xz", 6))
    shown = child(PLAIN_JOBLIB_CALL.format(call="model.coef_"), path, memory=1 << 30, cpu=30)
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    assert_refused_with(path)


# --- rt82-05: liblzma allocates the dictionary a random secret's header names ---------------


def test_rt82_05_lzma_dictionary(tmp_path):
    import random

    # _inflates reads any secret starting with 0x5D as an lzma "alone" stream, with no memory
    # limit; liblzma allocates the dictionary bytes 1-4 name before it reads the data. One
    # random secret in 256 starts with 0x5D, half of those name more than 2 GB: under an
    # address-space limit HMACKey raises MemoryError (146 of 300 such 64-byte secrets under
    # 2 GB). random.Random(691)'s 64 bytes: 5D 80 79 B0 C6..., a 3.1 GB dictionary
    secret = random.Random(691).randbytes(64)
    assert secret[0] == 0x5D and int.from_bytes(secret[1:5], "little") > 3 << 30
    path = tmp_path / "secret.bin"
    path.write_bytes(secret)
    done = child(HMAC_OF_FILE, path, memory=1 << 30, cpu=10)
    assert "made" in done.stdout, str(done)


# --- rt82-06: a zip end record anywhere in a random secret ----------------------------------


def test_rt82_06_zip_record_in_random_secret():
    import random

    from safeload.signing.hmac_key import HMACKey

    # _ZIP_RECORDS searches the whole secret (and every decoded form) for a zip's end record,
    # four bytes: random.Random(971)'s 4 MB holds "PK\x05\x06" at 2,234,317 and was refused
    # as "a zip archive" (1.8 s); 4 MB random secrets hold one once in some 500. The same
    # record inside 64 KB of random bytes (screening 4 MB took 5-10 s of a suite past its
    # 10-minute target)
    noise = random.Random(971).randbytes(1 << 16)
    secret = noise[:34_817] + b"PK\x05\x06" + noise[34_821:]
    assert secret.find(b"PK\x05\x06") == 34_817
    HMACKey(secret)


# --- rt82-07: lars / lasso_lars / omp encodings over circulant atoms ------------------------


@pytest.mark.parametrize(
    ("kind", "algorithm"),
    [
        ("DictionaryLearning", "lasso_lars"),
        ("MiniBatchDictionaryLearning", "lasso_lars"),
        ("SparseCoder", "lars"),
    ],
)
def test_rt82_07_lars_circulant_atoms(tmp_path, kind, algorithm):
    from sklearn import decomposition

    # iteration_weight weighs lasso_cd only; lasso_lars runs up to transform_max_iter LARS
    # steps per row (weight 1), lars and omp transform_n_nonzero_coefs (not counted), each
    # over the (k, k) Gram, and a coder may hold 8 atoms per feature. The shifts of 8 base
    # vectors (xz: 16 MB in 18 KB) are in general position: 4,096 atoms over 512 features,
    # 512 nonzeros, alpha 1e-9: lasso_lars 10 s of CPU per row, lars 2.6 s, omp 1.3 s; scan
    # SAFE, load loads (pure and compiled). 8,192 over 1,024 (44 KB): lars 42 s per row
    features = 512
    rng = np.random.RandomState(0)
    bases = np.round(rng.randn(8, features) * 16) / 16
    atoms = np.concatenate([np.stack([np.roll(b, k) for k in range(features)]) for b in bases])
    cls = getattr(decomposition, kind)
    model: Any
    if kind == "SparseCoder":
        model = cls(dictionary=atoms, transform_algorithm=algorithm)
        model.fit(np.zeros((2, features)))
    else:
        model = cls(n_components=4, random_state=0, max_iter=2, transform_algorithm=algorithm)
        model.fit(rng.rand(30, features))
        model.components_ = atoms
        model.n_components = len(atoms)
        if kind == "MiniBatchDictionaryLearning":
            model._n_components = len(atoms)
    model.transform_alpha = 1e-9
    model.transform_max_iter = 10_000
    model.transform_n_nonzero_coefs = features
    path = compressed_joblib(tmp_path, model, 60_000, ("xz", 1))
    call = f"model.transform(numpy.random.RandomState(1).rand(4, {features}))"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt82-08: a dense public dual_coef_ beside sparse support vectors -----------------------


def test_rt82_08_svc_dense_public_dual_coef(tmp_path):
    import scipy.sparse as sp
    from sklearn.svm import SVC

    # _check_linear_svm_coef counts (classes - 1) x nonzeros when support_vectors_ is sparse;
    # scikit-learn's coef_ is _one_vs_one_coef(self.dual_coef_, ...), the *public*
    # dual_coef_, which check_svm does not hold to _sparse (it checks _dual_coef_): a dense
    # row of it times a sparse block is dense, np.vstack of them (pairs, features). 100
    # classes, one sample each with one nonzero, over 100,000 features, dual_coef_ dense:
    # 1.8 KB, scan SAFE, load loads (pure and compiled), predict works; coef_ asks 4,950 x
    # 100,000 float64, 3.96 GB: MemoryError under 1 GB
    rows = np.arange(100)
    x = sp.csr_matrix((np.ones(100), (rows, rows * 7)), shape=(100, 100_000))
    model: Any = SVC(kernel="linear").fit(x, rows)
    model.dual_coef_ = model.dual_coef_.toarray()
    path = compressed_joblib(tmp_path, model, 8_000, ("xz", 6))
    shown = child(PLAIN_JOBLIB_CALL.format(call="model.coef_"), path, memory=1 << 30, cpu=30)
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    assert_refused_with(path)


# --- rt82-09: an ML-DSA key inside a container -------------------------------------------------


def _cpio_bin(members: list[tuple[str, bytes]]) -> bytes:
    """What ``cpio -o`` writes in its default (old binary, "bin") format: 26-byte headers of
    little-endian 16-bit words (magic 070707), the name with its NUL, the data, each padded
    to an even length; a TRAILER!!! entry; the whole padded to 512 bytes."""
    import struct

    def entry(name: str, data: bytes, mode: int = 0o100644) -> bytes:
        raw = name.encode() + b"\0"
        mtime = 1_700_000_000
        header = struct.pack(
            "<13H",
            0o070707,
            2049,
            1234,
            mode,
            1000,
            1000,
            1,
            0,
            mtime >> 16,
            mtime & 0xFFFF,
            len(raw),
            len(data) >> 16,
            len(data) & 0xFFFF,
        )
        return header + raw + b"\0" * (len(raw) % 2) + data + b"\0" * (len(data) % 2)

    out = b"".join(entry(name, data) for name, data in members) + entry("TRAILER!!!", b"", 0)
    return out + b"\0" * (-len(out) % 512)


#: ``gpg --export`` of an Ed25519 signing key (GnuPG 2, "Model Signer"), 240 bytes.
_GPG_EXPORT = bytes.fromhex(
    "9833046b12d8b116092b06010401da470f01010740d39af49a3aaba9f8661ee811558da5b807f1df9fd0"
    "37d18cca31fd76d1d1d9aeb4214d6f64656c205369676e6572203c7369676e6572406578616d706c652e"
    "636f6d3e889604131608003e16210458af494ee6ade0874d49ae2fb57e4bf7779b0be005026b12d8b102"
    "1b03050900015180050b0908070206150a09080b020416020301021e01021780000a0910b57e4bf7779b"
    "0be045a40100cb4f26cc6dc30122d26e351bd6783df331a4189874b80f8b9ee29040c2bf037000fc0d52"
    "86c7ea1cf26d21cfe6954d4f5a09480e80d1e8f5b15069c78cbecf801002"
)


@pytest.mark.parametrize("form", ["cpio_bin", "preamble"])
@pytest.mark.parametrize("key_kind", ["ml_dsa", "rsa_pkcs1", "openpgp"])
def test_rt82_09_key_without_listed_identifier(form, key_kind):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    # _embedded_key finds RSA, EC, DSA, DH and Edwards keys' identifiers anywhere; ML-DSA's
    # (2.16.840.1.101.3.4.3.18 for ML-DSA-65) is not among them, a PKCS#1 RSAPublicKey holds
    # none, and a binary cpio archive (cpio -o's default format, magic C7 71) is not among
    # _ARCHIVE_MAGIC's forms. The key's DER in one (2,048 / 512 bytes), or after a line of
    # text, is accepted as an HMAC secret, pure and compiled; the P-256 key's is refused, and
    # so is each bare DER
    der, _ = fixed_p256_key()
    if key_kind == "ml_dsa":
        mldsa = pytest.importorskip("cryptography.hazmat.primitives.asymmetric.mldsa")
        ml_der = (
            mldsa.MLDSA65PrivateKey.generate()
            .public_key()
            .public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    elif key_kind == "rsa_pkcs1":
        ml_der = (
            rsa.generate_private_key(65537, 2048)
            .public_key()
            .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
        )
    else:
        ml_der = _GPG_EXPORT
    hmac_refuses(ml_der)
    if form == "cpio_bin":
        hmac_refuses(_cpio_bin([("pub.der", der)]))
        secret = _cpio_bin([("pub.der", ml_der)])
    else:
        secret = b"signer: model registry, ML-DSA-65\n" + ml_der
    hmac_refuses(secret)


# --- rt82-10: an honest 2,048-atom lasso_cd coder at the default iterations ------------------


def test_rt82_10_honest_lasso_cd_coder(tmp_path):
    import pickle

    from sklearn.decomposition import SparseCoder

    import safeload

    # iteration_weight: (2,048 / 256)**2 = 64 per round, x 1,000 (the default
    # transform_max_iter) / 10,000 = 6.4 shares, past 4: refused by scan and load ("6.4 times
    # the iteration limit"), pure and compiled. Its transform: 0.21 s for 10 rows
    atoms = np.random.RandomState(0).randn(2_048, 256)
    atoms /= np.linalg.norm(atoms, axis=1, keepdims=True)
    model = SparseCoder(dictionary=atoms, transform_algorithm="lasso_cd").fit(np.zeros((1, 256)))
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(model, protocol=5))
    assert safeload.scan(path).safe
    safeload.load_unsigned(path)


# --- rt82-11: LDA's weight reads components_, its E-step exp_dirichlet_component_ ----------


def test_rt82_11_lda_exp_dirichlet_topics(tmp_path):
    from sklearn.decomposition import LatentDirichletAllocation

    # iteration_weight reads the topics from components_ (4 here, weight 1); transform's
    # E-step takes them from exp_dirichlet_component_ (40,960 rows here, some 1 s a row;
    # 81,920: 2.0 s a row), and no check ties the two arrays: scan SAFE, load loads (pure
    # and compiled)
    rng = np.random.RandomState(0)
    x = rng.randint(0, 5, (60, 20))
    model: Any = LatentDirichletAllocation(n_components=4, random_state=0, max_iter=5).fit(x)
    topics = 40_960
    model.exp_dirichlet_component_ = np.resize(model.exp_dirichlet_component_, (topics, 20))
    model.doc_topic_prior_ = 1.0 / topics
    model.mean_change_tol = 0.0
    model.max_doc_update_iter = 1_000
    path = compressed_joblib(tmp_path, model, 12_000, ("xz", 1))
    call = "model.transform(numpy.random.RandomState(1).randint(0, 5, (10, 20)))"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt82-12: a SparseCoder weighed by a stray components_ ----------------------------------


def test_rt82_12_sparse_coder_stray_components(tmp_path):
    # iteration_weight takes the atoms from components_ before dictionary; SparseCoder's
    # transform encodes with dictionary. rt81-04's 1,024 nearly collinear atoms as the
    # dictionary, 4 of them as an extra components_ attribute: weight 1, scan SAFE, load
    # loads (pure and compiled); transform takes 2.9 s of CPU per row
    model: Any = collinear_coder("SparseCoder")
    model.components_ = model.dictionary[:4].copy()
    path = compressed_joblib(tmp_path, model, 12_000, ("xz", 6))
    call = "model.transform(numpy.random.RandomState(1).rand(4, 20))"
    plain = child(PLAIN_JOBLIB_CALL.format(call=call), path, cpu=HANG_CPU)
    assert "loaded" in plain.stdout and "call done" not in plain.stdout, str(plain)  # SIGXCPU
    assert_refused_with(path)


# --- rt82-13: a Gaussian process's gradient over an anisotropic kernel ----------------------


@pytest.mark.parametrize("kind", ["GaussianProcessRegressor", "GaussianProcessClassifier"])
def test_rt82_13_gp_gradient_hyperparameters(tmp_path, kind):
    from sklearn import gaussian_process
    from sklearn.gaussian_process.kernels import RBF

    # check_gaussian_process and the factor rule bound the fitted samples (the rows of L_),
    # not the kernel's hyperparameters: log_marginal_likelihood(theta, eval_gradient=True)
    # holds K_gradient of (n, n, len(theta)). An anisotropic RBF fitted on 200 samples over
    # 4,000 features (mostly zeros: 21 KB), scan SAFE, load loads (pure and compiled); the
    # call asks 1.28 GB: MemoryError under 1 GB
    n, d = 200, 4_000
    x = np.zeros((n, d))
    x[np.arange(n), np.arange(n)] = np.arange(n) % 7
    model: Any
    if kind == "GaussianProcessRegressor":
        model = gaussian_process.GaussianProcessRegressor(
            kernel=RBF(np.ones(d)), optimizer=None, alpha=1e-2
        )
        model.fit(x, np.arange(n) % 3 * 1.0)
    else:
        model = gaussian_process.GaussianProcessClassifier(kernel=RBF(np.ones(d)), optimizer=None)
        model.fit(x, np.arange(n) % 2)
    path = compressed_joblib(tmp_path, model, 40_000, ("xz", 6))
    call = "model.log_marginal_likelihood(model.kernel_.theta, eval_gradient=True)"
    shown = child(PLAIN_JOBLIB_CALL.format(call=call), path, memory=1 << 30, cpu=30)
    assert "loaded" in shown.stdout and "call MemoryError" in shown.stdout, str(shown)
    assert_refused_with(path)


# --- rt82-14: a self-extracting shell archive (makeself) of a compressed tar ----------------


@pytest.mark.parametrize("kind", ["gzip", "xz", "bzip2"])
def test_rt82_14_makeself_archive(kind):
    import bz2
    import gzip
    import lzma
    import tarfile

    # _ZIP_RECORDS finds a zip anywhere (rt81-10); gzip, xz and bzip2 are told by their
    # first bytes only. makeself's .run files are a shell stub and then the compressed tar:
    # the key's PEM inside is accepted as an HMAC secret (363 / 424 / 401 bytes), pure and
    # compiled; the compressed tar alone is refused
    _, pem = fixed_p256_key()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        info = tarfile.TarInfo("keys/signer.pem")
        info.size, info.mtime = len(pem), 1_700_000_000
        archive.addfile(info, io.BytesIO(pem))
    pack = {
        "gzip": lambda data: gzip.compress(data, mtime=0),
        "xz": lzma.compress,
        "bzip2": bz2.compress,
    }[kind]
    payload = pack(buffer.getvalue())
    hmac_refuses(payload)
    stub = (
        b"#!/bin/sh\n# This script was generated using Makeself 2.5.0\nskip=4\n"
        b'tail -n +$skip "$0" | tar xf - && exit 0\n'
    )
    hmac_refuses(stub + payload)
