"""Red team 106 (helper, 15:49-16:34 UTC) on 02e9d5c: the fixes of red team 104's port (numpy
2.4's five-argument ``_frombuffer`` and the load's walk of permuted arrays, scan's shadow of a
protocol 0/1 named tuple, the HMAC secret's COSE head at its start only), the default policy
(no ``trusted=``). Run on the pure-Python snapshot (``SAFELOAD_PURE_PYTHON=1``,
``PYTHONPATH=/tmp/rt106p/src``) and on the compiled build of /work/main/src, which gave the
same results at 02e9d5c. From about 16:14 its working tree holds uncommitted fixes, growing
while this round ran; at 16:23 rt106-01, 02, 03, 06, 07, 08 and rt106-04's DH and COSE cases
pass there, and rt106-04's PKCS#1, OpenPGP and X9.62-point cases and rt106-05 still fail at
their safeload assertion.

Findings
--------
rt106-01 (HARM: a public key accepted as an HMAC secret, a regression of 02e9d5c;
         signing/hmac_key.py ``_public_key_form`` -> ``_binary_form(form, whole=False)``)
         The COSE_Key test of ``_binary_form`` is the three-byte map head
         (``a4``/``a5`` then ``01 01``/``01 02``: kty OKP or EC2 first, what WebAuthn stores).
         02e9d5c asks it only of the whole secret and its ``_trimmed`` forms (up to four
         whitespace bytes off), no longer of the "rests" after a text preamble
         (``_after_text``). Nothing else reads a COSE EC2 key or a 4-entry OKP key (kty, alg,
         crv, x: ``_is_cose_okp`` takes the 3-entry form only), so a real COSE public key
         behind any text the secret starts with is accepted again as an HMAC secret: a label
         line (``b"label\\n"``, ``b"# comment\\n"``, ``b"webauthn credential public key\\n"``),
         one letter, ``b"key: "``, a UTF-8 BOM, five spaces or tabs (one more than
         ``_trimmed`` takes off), and each of these whole in base64, hex or base32 text (the
         decoded form is the same preamble + key). At 11bf952 all of them were refused
         ("a COSE public key"); the bare key and a key after one newline still are. Anyone
         holding the public key (a relying party's database, an authenticator's attestation)
         then makes valid MACs. (SECURITY.md's red team 104 entry says the head "is asked at
         the start only now" and lists no limit for keys after a preamble, which rt82-09 and
         rt83-08 made a place to look.) Reproducer: ``HMACKey(b"label\\n" + cose_ec2_p256)``.
rt106-02 (HARM: a public key accepted as an HMAC secret; signing/hmac_key.py
         ``_binary_form``) COSE public keys whose first three bytes are not the head the test
         asks, at the start of the secret, are accepted (also before 02e9d5c): an EC2 key with
         a key id (``a6 01 02 02 48 <kid> 03 26 20 01 21 58 20 <x> 22 58 20 <y>``, a six-entry
         map; RFC 9052 keys carry ``kid``), an RSA key (kty 3, ``a4 01 03 03 39 01 00 20 59 01
         00 <n> 21 43 01 00 01``: WebAuthn's RS256 credential, what Windows Hello registers),
         a COSE_KeySet (a CBOR array of keys, ``81 a5 01 02 ...``), the key as a CBOR
         byte string (``58 4d a5 01 02 ...``) or tagged as encoded CBOR (tag 24), and WebAuthn's
         authenticator data and attestation object, which hold the credential public key after
         the rpIdHash, flags, counter, AAGUID and credential id (binary, not text, so no
         "rest" reaches it). All but the byte string were accepted at 11bf952 too; the byte
         string (``58 4d`` read as text "XM", then ``a5``) was refused there through a rest,
         like rt106-01. Reproducer: ``HMACKey(b"\\x81" + cose_ec2_p256)``.
rt106-03 (PARITY: scan unsafe, load loads; trust/shadow_builder.py ``_with_fields`` vs
         pickle/call_rules.py ``_sklearn_call_problem``) at protocols 0 and 1 a named tuple is
         ``copyreg._reconstructor(cls, tuple, items)``: ``tuple.__new__(cls, items)`` makes it
         of any length. The three-argument rule (THREE_ARGUMENTS: "any other count is a
         TypeError in the load") is asked of NEWOBJ/REDUCE of ``_ImputerTriplet`` only, and
         ``_reconstructor_base_problem`` asks only that ``items`` is a tuple, so an
         ``IterativeImputer`` whose triplet is ``_reconstructor(_ImputerTriplet, tuple,
         (feat_idx, neighbor_feat_idx, estimator, 1))`` (four or five items) is loaded by
         ``load_unsigned`` (the checks read the first three fields, ``transform`` works) while
         ``scan`` calls it UNSAFE ("unproven: the IterativeImputer check needs
         _ImputerTriplet.feat_idx, which only a real object has"): ``_with_fields`` drops the
         fields when ``len(items) != len(fields)``. In a pickle and in a joblib file. The same
         triplet by NEWOBJ (``__newobj__(_ImputerTriplet, a, b, c, 1)``) is refused by both.
rt106-04 (HARM: a public key accepted as an HMAC secret, older than 02e9d5c; signing/
         hmac_key.py ``_after_text``) what follows a text preamble is looked for where the
         text ends (the first control byte), where its UTF-8 ends and at the last line starts.
         A binary key written after text on the same line is found only when its first byte
         is one of those places, and two common cases miss it: (1) an RSA public key in PKCS#1
         DER (``RSAPublicKey``, ``30 82 01 0a ...``, no algorithm OID for ``_embedded_key``):
         0x30 is the ASCII digit "0" and 0x82 a code-page letter, so the text "ends" at 0x82 or
         at the first 0x01, inside the key: ``b"A"``, ``b"RSA_PUBLIC_KEY="``, ``b"rsa: "``, a
         UTF-8 BOM or five spaces before it, raw or in base64/hex, is a secret; so is the
         Diffie-Hellman public key OpenSSL writes (``openssl pkey -pubout -outform DER`` of a
         ``genpkey -algorithm DH`` key: SubjectPublicKeyInfo with PKCS#3's ``dhKeyAgreement``
         OID, which ``_KEY_ALGORITHM_OIDS`` lacks: it lists X9.42's) after ``b"A"`` or
         ``b"DH_PUBLIC_KEY="``; (2) after a label holding a Latin-1 or cp1252 letter
         (``"Schl\u00fcssel: "``, ``"cl\u00e9 publique "``; SECURITY.md, rt84-08: "a preamble
         may be UTF-8 or any 8-bit code page") UTF-8 fails at the letter, not at the key, so an
         OpenPGP export (``gpg --export``, a v4 Ed25519 key, ``98 33 04 ...``) or a COSE OKP
         key (``a3 01 01 20 ...``) after it is a secret; (3) the rests are not trimmed: a
         comment line before the key and the newline a text file ends with after it
         (``b"# deploy key\\n" + key + b"\\n"``, or CRLF) hide each of these keys again, though
         red team 82 made "a PKCS#1 or OpenPGP key after a comment line" refused (rt82-09);
         (4) text or padding after the key (a comment line after it, eight NUL bytes of a
         fixed-size buffer) hides a PKCS#1 key, an OpenPGP export or a COSE OKP key; (3) and
         (4) hide an uncompressed X9.62 P-256 point (``04 <x> <y>``) too. Bare,
         with one newline after it, or after a comment line and nothing after, each is
         refused. (At 11bf952 the same.)
rt106-05 (HARM: a public key accepted as an HMAC secret, older than 02e9d5c; signing/
         hmac_key.py ``_binary_form``) public keys in fixed binary layouts with heads of four
         bytes or more: a TPM 2.0 ``TPMT_PUBLIC`` (WebAuthn "tpm" attestation's ``pubArea``:
         ``00 23 00 0b ... 00 03 00 10 00 20 <x> 00 20 <y>``, a P-256 key), a DNSKEY's wire
         RDATA (``01 01 03 0f`` + an Ed25519 key; the text forms are refused since rt65-08) and
         a minisign key's decoded bytes (``"Ed"``, key id, key; its base64 line is refused).
rt106-06 (PARITY: scan unsafe, load loads; trust/shadow_builder.py ``_check_tuple_build``)
         a BUILD of ``(None, {})`` (no state, an empty slot state) on a named tuple: the C
         unpickler sets no slot and goes on, so ``load_unsigned`` loads an ``IterativeImputer``
         whose ``_ImputerTriplet`` carries it (by ``copyreg._reconstructor`` at protocol 1, by
         NEWOBJ at 2 and 4; pickle and joblib), while ``scan`` calls it UNSAFE ("a BUILD with
         a state on a named tuple, which has no attributes"): the rule refuses every state but
         ``None``, where ``_build_failure`` already knows that ``(None, {})`` loads on an
         object without a ``__dict__`` (rt34-06; SECURITY.md: "scan predicts the load on ... a
         BUILD on a named tuple"). A slot item (``(None, {"feat_idx": 0})``) is refused by both.
         Other objects without a ``__dict__`` (Decimal, dates, slices, ranges, numpy scalars,
         dtypes, UUIDs, paths, partials, bit generators, ...) agree under ``(None, {})``.
rt106-07 (HARM: a public key accepted as an HMAC secret, older than 02e9d5c; signing/
         hmac_key.py ``_der_form`` / ``_KEY_ALGORITHM_OIDS``) DER is refused when
         cryptography parses it as a public key, certificate, CSR or PKCS#7 bundle, or when it
         holds a listed algorithm OID; a SubjectPublicKeyInfo of an algorithm cryptography does
         not implement, with an OID not listed, is accepted bare: a GOST R 34.10-2012 256-bit
         key (RFC 9215; Russian PKI's certificates and OpenSSL's gost engine write it:
         ``30 66 30 1f 06 08 2a 85 03 07 01 01 01 01 ...``, a real point on CryptoPro-A),
         raw or in base64 or hex.
rt106-08 (PARITY: scan unsafe, load loads; pickle/call_rules.py
         ``_reconstructor_base_problem`` / the shadow of ``copyreg._reconstructor(Bunch, dict,
         state)``) ``dict.__init__(bunch, state)`` takes a list or tuple of (key, value) pairs
         as it takes a dict, and the rule on a ``dict`` base only refuses a state made by a
         call (for a ``tuple`` base it asks for a tuple). A VotingClassifier whose
         ``named_estimators_`` is ``_reconstructor(Bunch, dict, [("lr", lr), ("dt", dt)])``
         (protocols 0-2, pickle and joblib) is loaded by ``load_unsigned`` (the load's walk
         reads the built Bunch: the same estimators) while ``scan`` calls it UNSAFE
         ("VotingClassifier.named_estimators_ unproven: a collection of estimators whose items
         the walk cannot read"); also with an empty list, or pairs with a repeated name (the
         last wins); StackingClassifier, VotingRegressor and StackingRegressor alike.
         Two-character strings as "pairs" (``["lr", "dt"]`` makes ``{"l": "r",
         "d": "t"}``) are refused by both. (scipy's dok matrices and arrays, the other dict
         subclasses made so, keep their items in ``_dict``: with pairs, a tuple of pairs or
         an empty list as the dict state, scan and load agree.)

Ported by the maintainer (16:10-16:50 UTC, df4292a and the port's commit): 6 fixed, 2 open.
* rt106-01, 02: ``hmac_key._has_cose_key`` finds a whole COSE_Key (kty OKP, EC2 or RSA with
  that type's parameters at their exact sizes) at any place in the secret and its decoded
  forms; the three-byte head stays a start-only rule.
* rt106-03: a reconstructed named tuple's fields are its first items, as the load reads them.
* rt106-06: ``(None, {})`` on a named tuple is passed over in scan, as in the load.
* rt106-07 and rt106-04's DH cases: PKCS#3 ``dhKeyAgreement`` and GOST R 34.10-2001/2012
  identifiers are in ``_KEY_ALGORITHM_OIDS``.
* rt106-08: copyreg's ``dict`` base takes a dict (both refuse pairs).
* rt106-04's PKCS#1 RSA, OpenPGP and X9.62 cases and rt106-05's TPM and DNSKEY cases (fixed
  in the next session): ``_embedded_key`` looks anywhere in a secret, and in each decoded
  form, for an RSAPublicKey whose INTEGERs fill its SEQUENCE (``_has_pkcs1_rsa``), an
  OpenPGP public-key packet whose algorithm's fields fill its body (``_has_pgp_key_packet``)
  and a point on P-256, P-384, P-521 or secp256k1, uncompressed or as a TPM's two sized
  buffers (``_curve_point_in``); ``_binary_form`` reads a DNSKEY's wire RDATA
  (``_is_dnskey_rdata``). 20,000 random secrets each of 32, 42 and 64 bytes: one refused
  (42 bytes, as before). rt106-05's minisign bytes are a documented limit: 42 bytes that
  begin "Ed" are one random 42-byte secret in 65,536, which rt57-03 keeps.

Held (tried, no finding)
------------------------
* Five-argument ``_frombuffer`` forms, scan and load (pure and compiled): axes as a list, with
  a negative, duplicate, bool or numpy-int axis, too short, ``None`` or an int; orders 'C',
  'F', 'A', 'k', ``b'K'`` with axes; a shape as a list or an int; 0-d (axes ``()``), 1-d,
  2-d transposed, a zero dimension, 32/33/64 dimensions (65 refused by both), an empty
  array of huge dimensions (refused by both), a buffer of the wrong size (refused by both),
  bytes and bytearray buffers, record (packed and aligned), big-endian, U, S, V, M8, c16,
  f2 and longdouble dtypes: agree everywhere. Permuted arrays in joblib files (inline, in
  an object array at protocols 2/4/5, zlib) and skops: SAFE and loaded. A stepped (not
  permuted) view is copied by numpy when pickled.
* ``usetime._permuted``: sound for memory (sorted strides and a C-contiguous transpose mean
  exactly ``size * itemsize`` bytes; zero and negative strides fail; size-1 axes ignored as
  numpy's flags ignore them). Native structures given permuted arrays: ``Tree.value``
  permuted across a size>1 axis is refused by both (sklearn's own C-contiguity check,
  modelled by ``tree_problem``); permutations over a size-1 axis are C-contiguous and load.
  KD/Ball tree ``node_bounds`` permuted over its size-1 axis loads (C-contiguous), ``data``
  as Fortran refused by both. No other scikit-learn native code reads a state array through
  ``PyArray_DATA`` (only ``Tree.__setstate__``, which checks); the typed memoryviews are
  ``[::1]`` and raise. Aliasing: every ``_frombuffer`` makes its own root array
  (``check_array_aliasing``), a second claim of one buffer refused.
* 5-arg arrays on known attributes: every float/int/bool attribute of LogisticRegression,
  Ridge, StandardScaler, GaussianNB, brute KNN, KMeans, PCA and LabelEncoder replaced by a
  5-arg ``_frombuffer`` of the same array under every axis order, reshaped 3-d (every
  permutation), flattened and 0-d: 156 files, scan and load agree on each. Every 3-d+ array
  of every default-fitted estimator (LogisticRegressionCV's ``coefs_paths_``) under every
  permutation: agree (loaded). Sparse matrices with 2-d or permuted 3-d ``data``/``indices``:
  refused by both (scipy's 1-D rule). joblib with F-ordered Tree ``values`` and KD/Ball
  ``node_bounds``: refused by both. Protocol 5 with ``buffer_callback`` (NEXT_BUFFER) and an
  in-band READONLY_BUFFER: refused by both. ``safeload.sign`` + ``load`` (the views path) of
  permuted f8, longdouble, c16, i1 and f4 arrays at 4 misalignments: equal arrays, aligned,
  no shared memory.
* Honest models at protocol 5 with permuted arrays: ElasticNetCV/MultiTaskElasticNetCV
  (``mse_path_``) and LogisticRegressionCV elastic-net (``n_iter_`` 4-d, 5-arg form) SAFE
  and loaded; RidgeCV/RidgeClassifierCV with stored CV results, MultiTaskLassoCV, LassoCV,
  LarsCV, LassoLarsCV, OMP-CV, GraphicalLassoCV, GMM/BGMM full, QDA, GPC, PLS, MLP: no 5-arg
  form, SAFE and loaded. Permuted big-endian, record, U, f2, c16, 4-d, readonly and large
  uint8 arrays numpy writes in the 5-arg form: SAFE and loaded, equal.
* Named tuples: ``_ImputerTriplet`` is the only named tuple in the shipped facts. Two or one
  items (refused by both: IndexError in the load's check), a tuple base with a list (refused
  by the call rules), ``object`` base, a BUILD state dict, ``(None, None)`` or ``({}, None)``
  on the triplet, fields swapped, NEWOBJ of ``(cls, tuple, items)`` (which ``_with_fields``
  would unwrap: the stored class is refused first by both), NEWOBJ_EX with keyword fields
  (refused by both, the 3-argument rule), REDUCE of the class, a BUILD of ``None``: agree.
  Scan with the shipped facts and with imported classes: the same verdicts. Honest
  IterativeImputers (KNN, forest, tree with ``n_nearest_features``, pipeline, HGB,
  descending order with ``skip_complete`` and an indicator, ``sample_posterior``) at
  protocols 0-2, pickle and joblib: SAFE and loaded. skops ``TupleNode`` of 4 or 2 items, or
  a plain tuple in its place: refused by both. ``copyreg._reconstructor(cls, base, state)``
  for every class of the default policy with the bases object, dict, tuple, list, int,
  float and str (2,912 files, 278 SAFE): scan and load agree on all. Bunch at protocols 1/2
  as ``named_estimators_`` with BUILD states (a dict, a big list, a permuted array, a str,
  an item's name, a slot pair, ``None``) which ``Bunch.__setstate__`` drops: agree.
* Random differential fuzz of the 5-arg form (1,800 files, three seeds: 17 dtypes incl.
  object, subarray, records, datetimes; 0-4 dimensions of 0-2; permuted, negative, duplicate
  or extra axes, axes as a list; orders K/C/F/A; buffers of the right size or one off, bytes
  or bytearray; bare or in a list), pure and compiled: scan and load agree on every file; 150
  more inside joblib object arrays (protocols 4/5): agree. 20,000 64-dimension 5-arg arrays
  (820 KB): scan 3.8 s, load 3.0 s, linear (2 s for 1-d ones). ``safeload.dump`` + ``load``
  of LogisticRegressionCV (elastic net) and MultiTaskElasticNetCV as pickle (protocols 4/5),
  joblib (plain, zlib, protocol 5), skops, .pkl.gz and .joblib.xz, and ``dumps``/``loads``:
  loaded, SAFE. Honest reversed, stepped, broadcast, diagonal and sliced-then-permuted views
  are copied by numpy (no 5-arg form) and load. A masked array's fill value as a 0-d 5-arg
  array (agree: loaded; of another dtype or 1x1: refused by both); HGB predictor nodes as
  2-d or 3-d 5-arg arrays: refused by both (plain: ValueError). F-ordered SVC/SVR support
  vectors and dual coefficients, KMeans/MiniBatchKMeans centers, KNN ``_fit_X`` and
  NearestCentroid centroids: loaded by both; plain and safeload-loaded methods raise
  ValueError ("not C-contiguous") or compute, no crash.
* The triplet grid: 8 BUILD states (none, ``None``, ``{}``, ``(None, {})``, ``(None,
  {"x": 1})``, ``({}, {})``, ``({"a": 1}, None)``, ``(None, None)``) x 2, 3 or 4 items x
  protocols 0-2 (72 files): the only disagreements are rt106-03 and rt106-06.
* BUILD states ``(dict, {})``, ``(dict, None)`` and ``(None, {})`` on every scikit-learn
  object of a fitted GaussianProcessRegressor, MLPClassifier, HistGradientBoosting, SGD and
  Ridge (kernels, optimizers, losses, links, bin mappers, predictors): scan and load agree;
  a second BUILD on an estimator is refused by both. ``(None, {})`` and ``(dict, {})`` on the
  first six objects of every default-fitted estimator of ``all_estimators`` (586 files):
  agree. The sharing counts of scan and load
  (``sharing_problem``) agree on protocol 0-5 IterativeImputers, also with each triplet's
  items tuple shared with another attribute.
* HMAC: a COSE key whose head is at the start, or after one newline (``_trimmed``), and in
  base64/base64url/hex/base32, in YAML, CSV and ``KEY=`` lines, as a decimal list, a Python
  bytes repr or spaced hex after a label: refused. ``generate`` retries. SPKI DER (EC, RSA,
  Ed25519, Ed448, X25519, DSA), certificates, X9.62 points and OpenSSH blobs after the same
  preambles: refused (``_embedded_key``'s OIDs, control bytes at the key's start). Not
  pursued: a random secret whose first bytes are up to four whitespace bytes and then a COSE
  head is refused too (``_trimmed`` forms are "whole"; about 3% more than the documented one
  in 4 million).
"""

from __future__ import annotations

import base64
import copyreg
import io
import pickle
import pickletools
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import assert_scan_predicts_load

# --- rt106-01 and rt106-02: COSE public keys ----------------------------------------------------


def _cbor_bytes(raw: bytes) -> bytes:
    """A CBOR byte string (major type 2) holding ``raw``."""
    n = len(raw)
    if n < 24:
        return bytes([0x40 + n]) + raw
    if n < 256:
        return bytes([0x58, n]) + raw
    return b"\x59" + n.to_bytes(2, "big") + raw


def _p256_point() -> tuple[bytes, bytes]:
    """A fixed P-256 public key's coordinates."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.derive_private_key(12345678901234567890, ec.SECP256R1()).public_key()
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return point[1:33], point[33:]


def _cose_ec2() -> bytes:
    """The COSE_Key of a P-256 ES256 credential, as WebAuthn stores it: {1: 2 (kty EC2),
    3: -7 (alg ES256), -1: 1 (crv P-256), -2: x, -3: y}."""
    x, y = _p256_point()
    return b"\xa5\x01\x02\x03\x26\x20\x01\x21" + _cbor_bytes(x) + b"\x22" + _cbor_bytes(y)


def _cose_okp() -> bytes:
    """The COSE_Key of an Ed25519 EdDSA credential: {1: 1 (OKP), 3: -8 (EdDSA), -1: 6
    (Ed25519), -2: x}."""
    from redteam import ed25519_public

    return b"\xa4\x01\x01\x03\x27\x20\x06\x21" + _cbor_bytes(ed25519_public())


def _assert_is_p256_cose(key: bytes) -> None:
    """``key`` holds the fixed P-256 public key (the harm: it is public)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    x, y = _p256_point()
    assert x in key and y in key
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
    )
    numbers.public_key()  # (on the curve)


_PREAMBLES = {
    "label-line": b"label\n",
    "comment-line": b"# comment\n",
    "heading": b"webauthn credential public key\n",
    "letter": b"A",
    "yaml-key": b"key: ",
    "utf8-bom": b"\xef\xbb\xbf",
    "five-spaces": b"     ",
    "five-tabs": b"\t\t\t\t\t",
}
_TEXT_FORMS = {
    "raw": lambda raw: raw,
    "base64": base64.b64encode,
    "hex": lambda raw: raw.hex().encode(),
    "base32": base64.b32encode,
}


@pytest.mark.parametrize("form", sorted(_TEXT_FORMS))
@pytest.mark.parametrize("preamble", sorted(_PREAMBLES))
@pytest.mark.parametrize("kind", ["ec2", "okp"])
def test_rt106_01_cose_key_after_preamble(kind: str, preamble: str, form: str) -> None:
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    key = _cose_ec2() if kind == "ec2" else _cose_okp()
    assert _cose_key_in(key)[1] == (2 if kind == "ec2" else 1)  # (kty EC2 / OKP)
    if kind == "ec2":
        _assert_is_p256_cose(key)
    # the bare key, and the key after a newline, are refused (the documented COSE head)
    with pytest.raises(KeyFormatError, match="COSE public key"):
        HMACKey(key)
    with pytest.raises(KeyFormatError, match="COSE public key"):
        HMACKey(b"\n" + key)
    secret = _TEXT_FORMS[form](_PREAMBLES[preamble] + key)
    with pytest.raises(KeyFormatError):
        HMACKey(secret)  # 02e9d5c: accepted (11bf952 refused it)


def _cose_variants() -> dict[str, bytes]:
    x, y = _p256_point()
    ec2 = _cose_ec2()
    n = int("c0ffee" * 85, 16) | 1 << 2047 | 1  # (an RSA-2048 modulus's size; any n reads alike)
    credential_id = bytes(range(16))
    auth_data = (
        bytes(32)  # rpIdHash
        + b"\x41"  # flags: UP, AT
        + b"\x00\x00\x00\x01"  # signCount
        + bytes(16)  # AAGUID
        + len(credential_id).to_bytes(2, "big")
        + credential_id
        + ec2
    )
    return {
        "ec2-with-kid": b"\xa6\x01\x02\x02"
        + _cbor_bytes(b"kid-0001")
        + b"\x03\x26\x20\x01\x21"
        + _cbor_bytes(x)
        + b"\x22"
        + _cbor_bytes(y),
        "rsa-rs256": b"\xa4\x01\x03\x03\x39\x01\x00\x20"
        + _cbor_bytes(n.to_bytes(256, "big"))
        + b"\x21"
        + _cbor_bytes(b"\x01\x00\x01"),
        "cose-keyset": b"\x81" + ec2,
        "cbor-byte-string": _cbor_bytes(ec2),  # (a store's CBOR record of the key's bytes)
        "cbor-tag-24": b"\xd8\x18" + _cbor_bytes(ec2),  # (an encoded CBOR data item)
        "webauthn-authdata": auth_data,
        "attestation-object": b"\xa3\x63fmt\x64none\x67attStmt\xa0\x68authData"
        + _cbor_bytes(auth_data),
    }


def _cbor(data: bytes, at: int = 0) -> tuple[Any, int]:
    """A minimal CBOR reader (ints, byte and text strings, arrays, maps, tags): the item at
    ``at`` and where it ends, to show that each crafted secret is the COSE structure it
    claims to be."""
    head = data[at]
    major, info = head >> 5, head & 31
    at += 1
    if info < 24:
        arg = info
    else:
        size = {24: 1, 25: 2, 26: 4, 27: 8}[info]
        arg = int.from_bytes(data[at : at + size], "big")
        at += size
    if major == 0:
        return arg, at
    if major == 1:
        return -1 - arg, at
    if major in (2, 3):
        raw = data[at : at + arg]
        return (raw if major == 2 else raw.decode()), at + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, at = _cbor(data, at)
            items.append(item)
        return items, at
    if major == 5:
        out = {}
        for _ in range(arg):
            key, at = _cbor(data, at)
            out[key], at = _cbor(data, at)
        return out, at
    if major == 6:
        return _cbor(data, at)  # (the tag's content)
    raise ValueError(f"CBOR major type {major}")


def _cose_key_in(secret: bytes) -> dict[Any, Any]:
    """The COSE_Key ``secret`` holds (whole, in a key set, a byte string or tag 24, or as
    WebAuthn's authenticator data or attestation object), read to its last byte."""
    if secret[:1] in (b"\xa3", b"\xa4", b"\xa5", b"\xa6") and secret[1:2] == b"\x01":
        value, end = _cbor(secret)
    elif secret.startswith(b"\xa3\x63fmt"):
        value, end = _cbor(secret)
        assert end == len(secret)
        return _cose_key_in(value["authData"])
    elif secret[:1] in (b"\x81", b"\x58", b"\xd8"):
        value, end = _cbor(secret)
        assert end == len(secret)
        if isinstance(value, list):  # (a key set: its keys, decoded)
            assert isinstance(value[0], dict)
            return value[0]
        return _cose_key_in(value)
    else:  # authenticator data: 37 bytes, AAGUID, credential id length and id, then the key
        length = int.from_bytes(secret[53:55], "big")
        return _cose_key_in(secret[55 + length :])
    assert end == len(secret) and isinstance(value, dict)
    return value


@pytest.mark.parametrize("variant", sorted(_cose_variants()))
def test_rt106_02_cose_key_forms(variant: str) -> None:
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    secret = _cose_variants()[variant]
    key = _cose_key_in(secret)
    if variant == "rsa-rs256":
        assert key[1] == 3 and key[3] == -257 and len(key[-1]) == 256 and key[-2] == b"\x01\x00\x01"
    else:
        x, y = _p256_point()
        assert key[1] == 2 and key[3] == -7 and key[-1] == 1 and (key[-2], key[-3]) == (x, y)
        _assert_is_p256_cose(secret)
    with pytest.raises(KeyFormatError):
        HMACKey(secret)


# --- rt106-03 ---------------------------------------------------------------------------------


def _iterative_imputer() -> Any:
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer

    rng = np.random.RandomState(0)
    X = rng.rand(60, 4)
    return IterativeImputer(max_iter=3, random_state=0).fit(np.where(X > 0.9, np.nan, X))


def _triplets_with(model: Any, extra: tuple[Any, ...], protocol: int, fmt: str = "pickle") -> bytes:
    """``model`` pickled (``fmt``: by pickle or by joblib's pickler) at ``protocol`` with each
    ``_ImputerTriplet`` written as ``copyreg._reconstructor(_ImputerTriplet, tuple, fields +
    extra)``."""
    from joblib.numpy_pickle import NumpyPickler
    from sklearn.impute._iterative import _ImputerTriplet

    base: Any = pickle.Pickler if fmt == "pickle" else NumpyPickler

    class _Pickler(base):  # type: ignore[misc]
        def reducer_override(self, obj: Any) -> Any:
            if type(obj) is _ImputerTriplet:
                return copyreg._reconstructor, (_ImputerTriplet, tuple, tuple(obj) + extra)  # type: ignore[attr-defined]
            return NotImplemented

    buf = io.BytesIO()
    _Pickler(buf, protocol=protocol).dump(model)
    return buf.getvalue()


@pytest.mark.parametrize("extra", [(1,), (1, 2)], ids=["four", "five"])
@pytest.mark.parametrize("protocol", [0, 1])
@pytest.mark.parametrize("fmt", ["pickle", "joblib"])
def test_rt106_03_reconstructed_long_triplet(
    tmp_path: Path, fmt: str, protocol: int, extra: tuple[Any, ...]
) -> None:
    from sklearn.impute._iterative import _ImputerTriplet

    model = _iterative_imputer()
    data = _triplets_with(model, extra, protocol, fmt)
    assert b"ccopy_reg\n_reconstructor" in data  # (protocols 0-1 name copyreg so)
    # plain pickle: triplets of 3 + len(extra) items, and transform works
    if fmt == "pickle":
        plain = pickle.loads(data)
    else:
        import joblib

        plain = joblib.load(io.BytesIO(data))
    assert len(plain.imputation_sequence_[0]) == 3 + len(extra)
    X = np.random.RandomState(1).rand(5, 4)
    X[0, 1] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain.transform(X)

    # the same triplet by NEWOBJ is refused by both (the three-argument rule)
    class _NewObj(pickle.Pickler):
        def reducer_override(self, obj: Any) -> Any:
            if type(obj) is _ImputerTriplet:
                return copyreg.__newobj__, (_ImputerTriplet, *obj, *extra)  # type: ignore[attr-defined]
            return NotImplemented

    buf = io.BytesIO()
    _NewObj(buf, protocol=2).dump(model)
    (tmp_path / "newobj").mkdir()
    assert_scan_predicts_load(buf.getvalue(), tmp_path / "newobj", refused=True)
    # the reconstructed one: load_unsigned loads it, scan calls it unsafe
    assert_scan_predicts_load(data, tmp_path, name="m.pkl" if fmt == "pickle" else "m.joblib")


# --- rt106-04 and rt106-05: keys after same-line text, fixed binary layouts -----------------------


def _pkcs1_rsa() -> bytes:
    """A fixed RSA-2048 public key as PKCS#1 DER (``RSAPublicKey``: what ``openssl rsa -pubin
    -RSAPublicKey_out -outform DER`` writes): ``30 82 01 0a 02 82 01 01 00 <n> 02 03 01 00
    01``, no algorithm identifier."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    n = int("c0ffee" * 85, 16) | 1 << 2047 | 1
    key = rsa.RSAPublicNumbers(65537, n).public_key()
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


#: ``gpg --export`` of an Ed25519 signing key (``rt106b <rt106b@example.invalid>``, made for
#: this file): a public-key packet (old format, tag 6: ``98 33 04 ...``), a user id and its
#: self-signature.
_PGP_ED25519 = bytes.fromhex(
    "9833046b14350b16092b06010401da470f01010740f23c446bd9333f64b40439e0269f5e22c706e4b5db"
    "87610a27505b7647ece15db41f727431303662203c727431303662406578616d706c652e696e76616c69"
    "643e889004131608003816210431a93109b4eba0b11ff35c0e8f7668ae89b067b505026b14350b021b03"
    "050b0908070206150a09080b020416020301021e01021780000a09108f7668ae89b067b53fe10100ee39"
    "112eead290e0ec428fc4cade7ca56c502edac2de4df3e804a045e2962c300100dd71f5c7f231ef326ecd"
    "4845137e5737dd5769e9fe936d0abe3737f64b2cb000"
)


def _cose_okp3() -> bytes:
    """The three-entry COSE OKP key ``_is_cose_okp`` reads: {1: 1, -1: 6, -2: x}."""
    from redteam import ed25519_public

    return b"\xa3\x01\x01\x20\x06\x21" + _cbor_bytes(ed25519_public())


def _der(tag: int, body: bytes) -> bytes:
    """A DER element (definite length)."""
    n = len(body)
    size = bytes([n]) if n < 128 else bytes([0x80 | (n.bit_length() + 7) // 8])
    size += n.to_bytes((n.bit_length() + 7) // 8, "big") if n >= 128 else b""
    return bytes([tag]) + size + body


def _dh_pkcs3_spki() -> bytes:
    """A Diffie-Hellman public key as OpenSSL writes it (``openssl genpkey -algorithm DH
    -pkeyopt group:ffdhe2048`` then ``pkey -pubout -outform DER``): SubjectPublicKeyInfo with
    PKCS#3's ``dhKeyAgreement`` (1.2.840.113549.1.3.1), which ``_KEY_ALGORITHM_OIDS`` lacks
    (it has X9.42's ``dhpublicnumber``, what cryptography writes)."""
    p = int(
        "FFFFFFFFFFFFFFFFADF85458A2BB4A9AAFDC5620273D3CF1D8B9C583CE2D3695A9E13641146433FBCC939D"
        "CE249B3EF97D2FE363630C75D8F681B202AEC4617AD3DF1ED5D5FD65612433F51F5F066ED0856365553DED"
        "1AF3B557135E7F57C935984F0C70E0E68B77E2A689DAF3EFE8721DF158A136ADE73530ACCA4F483A797ABC"
        "0AB182B324FB61D108A94BB2C8E3FBB96ADAB760D7F4681D4F42A3DE394DF4AE56EDE76372BB190B07A7C8"
        "EE0A6D709E02FCE1CDF7E2ECC03404CD28342F619172FE9CE98583FF8E4F1232EEF28183C3FE3B1B4C6FAD"
        "733BB5FCBC2EC22005C58EF1837D1683B2C6F34A26C1B2EFFA886B423861285C97FFFFFFFFFFFFFFFF",
        16,
    )  # (RFC 7919's ffdhe2048)

    def integer(v: int) -> bytes:
        return _der(0x02, v.to_bytes(v.bit_length() // 8 + 1, "big"))

    oid = _der(0x06, bytes.fromhex("2a864886f70d010301"))
    algorithm = _der(0x30, oid + _der(0x30, integer(p) + integer(2)))
    return _der(0x30, algorithm + _der(0x03, b"\x00" + integer(pow(2, 123456789, p))))


_SAME_LINE_KEYS = {
    "pkcs1-rsa": _pkcs1_rsa,
    "openssl-dh": _dh_pkcs3_spki,
    "openpgp": lambda: _PGP_ED25519,
    "cose-okp": _cose_okp3,
    "x962-p256": lambda: b"\x04" + b"".join(_p256_point()),
}
#: (key, label on the key's line): DER without a listed OID after any text, the others after
#: a label holding a Latin-1 or cp1252 letter (SECURITY.md, rt84-08: "a preamble may be UTF-8
#: or any 8-bit code page").
_SAME_LINE = {
    "pkcs1-rsa/letter": ("pkcs1-rsa", b"A", b""),
    "pkcs1-rsa/env": ("pkcs1-rsa", b"RSA_PUBLIC_KEY=", b""),
    "pkcs1-rsa/label": ("pkcs1-rsa", b"rsa: ", b""),
    "pkcs1-rsa/utf8-bom": ("pkcs1-rsa", b"\xef\xbb\xbf", b""),
    "pkcs1-rsa/five-spaces": ("pkcs1-rsa", b"     ", b""),
    "openssl-dh/letter": ("openssl-dh", b"A", b""),
    "openssl-dh/env": ("openssl-dh", b"DH_PUBLIC_KEY=", b""),
    "openpgp/latin1": ("openpgp", "Schl\u00fcssel: ".encode("latin-1"), b""),
    "openpgp/cp1252": ("openpgp", "cl\u00e9 publique ".encode("cp1252"), b""),
    "cose-okp/latin1": ("cose-okp", "Schl\u00fcssel: ".encode("latin-1"), b""),
    # (3) a comment line before the key and the newline a text file ends with after it
    "pkcs1-rsa/comment-line-newline": ("pkcs1-rsa", b"# deploy key\n", b"\n"),
    "openssl-dh/comment-line-newline": ("openssl-dh", b"# dh key\n", b"\n"),
    "openpgp/comment-line-crlf": ("openpgp", b"# key 1\r\n", b"\r\n"),
    "cose-okp/comment-line-newline": ("cose-okp", b"# credential\n", b"\n"),
    "x962-p256/comment-line-newline": ("x962-p256", b"# ecdsa key\n", b"\n"),
    # (4) text or padding after the key: a comment line, a fixed-size buffer's NULs
    "pkcs1-rsa/comment-after": ("pkcs1-rsa", b"", b"\n# deploy key\n"),
    "openpgp/comment-after": ("openpgp", b"", b"\r\n# key 1\r\n"),
    "cose-okp/nul-padding": ("cose-okp", b"", b"\x00" * 8),
    "x962-p256/comment-after": ("x962-p256", b"", b"\n# ecdsa key\n"),
}


@pytest.mark.filterwarnings("ignore:Diffie-Hellman over finite fields")
@pytest.mark.parametrize("form", ["raw", "base64", "hex"])
@pytest.mark.parametrize(
    "case",
    [pytest.param(case, marks=()) for case in sorted(_SAME_LINE)],
)
def test_rt106_04_key_after_same_line_text(case: str, form: str) -> None:
    from cryptography.hazmat.primitives import serialization

    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    kind, preamble, suffix = _SAME_LINE[case]
    key = _SAME_LINE_KEYS[kind]()
    if kind == "pkcs1-rsa":  # a real RSA public key (cryptography reads PKCS#1 DER too)
        public = serialization.load_der_public_key(key)
        assert public.public_numbers().e == 65537  # type: ignore[union-attr]
        assert key[:1] == b"0"  # (0x30, SEQUENCE: an ASCII digit, so it reads as text)
    elif kind == "openssl-dh":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # (cryptography deprecates finite-field DH)
            public = serialization.load_der_public_key(key)
        assert type(public).__name__ == "DHPublicKey" and key[:1] == b"0"
    elif kind == "cose-okp":
        assert _cose_key_in(key) == {1: 1, -1: 6, -2: key[-32:]}
    elif kind == "x962-p256":
        _assert_is_p256_cose(key)  # (an uncompressed point: 04, x, y)
    else:
        assert key[0] & 0x80 and (key[0] >> 2) & 0x0F == 6 and key[2] == 4  # a v4 key packet
    # bare, with a newline after it (``_trimmed``) and after a comment line (a line start is
    # one of the places looked at: rt82-09), refused
    with pytest.raises(KeyFormatError):
        HMACKey(key)
    with pytest.raises(KeyFormatError):
        HMACKey(key + b"\n")
    with pytest.raises(KeyFormatError):
        HMACKey(b"# key\n" + key)
    with pytest.raises(KeyFormatError):
        HMACKey(_TEXT_FORMS[form](preamble + key + suffix))


def _fixed_layout_keys() -> dict[str, bytes]:
    """Public keys in fixed binary layouts, each with a head of four bytes or more."""
    from redteam import ed25519_public

    x, y = _p256_point()
    ed = ed25519_public()
    return {
        # TPMT_PUBLIC (TPM 2.0 part 2, 12.2.4), the ``pubArea`` of WebAuthn's "tpm"
        # attestation: type ECC, nameAlg SHA-256, attributes, empty authPolicy, symmetric
        # and scheme NULL, curve NIST P-256, kdf NULL, then the point as two TPM2B
        "tpm-pubarea-p256": b"\x00\x23\x00\x0b\x00\x04\x00\x72\x00\x00\x00\x10\x00\x10"
        b"\x00\x03\x00\x10\x00\x20" + x + b"\x00\x20" + y,
        # a DNSKEY's RDATA on the wire (RFC 4034 2.1, RFC 8080): flags 257 (KSK), protocol 3,
        # algorithm 15 (Ed25519), the key; its text forms are refused (rt65-08)
        "dnskey-rdata-ed25519": b"\x01\x01\x03\x0f" + ed,
        # a minisign public key's bytes (its base64 line is refused): "Ed", key id, key
        "minisign-decoded": b"Ed" + bytes(range(8)) + ed,
    }


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(
            kind,
            marks=pytest.mark.xfail(
                strict=True,
                reason="rt106-05 (minisign), a documented limit (SECURITY.md): minisign's "
                "decoded key, 42 bytes that begin 'Ed', is accepted as a secret, as one random "
                "42-byte secret in 65,536 is (rt57-03 keeps them)",
            ),
        )
        if kind.startswith("minisign")
        else kind
        for kind in sorted(_fixed_layout_keys())
    ],
)
def test_rt106_05_fixed_layout_binary_keys(kind: str) -> None:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    secret = _fixed_layout_keys()[kind]
    if kind.startswith("tpm"):
        _assert_is_p256_cose(secret)  # (the point's coordinates, on the curve)
    else:
        ed25519.Ed25519PublicKey.from_public_bytes(secret[-32:])
    if kind.startswith("minisign"):  # its text form is refused
        with pytest.raises(KeyFormatError):
            HMACKey(b"untrusted comment: minisign public key\n" + base64.b64encode(secret))
    with pytest.raises(KeyFormatError):
        HMACKey(secret)


# --- rt106-06 ---------------------------------------------------------------------------------


def _triplets_built(model: Any, protocol: int, state: Any, fmt: str = "pickle") -> bytes:
    """``model`` pickled (``fmt``: by pickle or by joblib's pickler) at ``protocol`` with each
    ``_ImputerTriplet`` written as pickle writes it (``copyreg._reconstructor`` at protocols
    0-1, NEWOBJ after) and a BUILD of ``state``."""
    from joblib.numpy_pickle import NumpyPickler
    from sklearn.impute._iterative import _ImputerTriplet

    base: Any = pickle.Pickler if fmt == "pickle" else NumpyPickler

    class _Pickler(base):  # type: ignore[misc]
        def reducer_override(self, obj: Any) -> Any:
            if type(obj) is _ImputerTriplet:
                if protocol < 2:
                    return copyreg._reconstructor, (_ImputerTriplet, tuple, tuple(obj)), state  # type: ignore[attr-defined]
                return copyreg.__newobj__, (_ImputerTriplet, *obj), state  # type: ignore[attr-defined]
            return NotImplemented

    buf = io.BytesIO()
    _Pickler(buf, protocol=protocol).dump(model)
    return buf.getvalue()


@pytest.mark.parametrize("protocol", [1, 2, 4])
@pytest.mark.parametrize("fmt", ["pickle", "joblib"])
def test_rt106_06_empty_slot_state_on_named_tuple(tmp_path: Path, fmt: str, protocol: int) -> None:
    model = _iterative_imputer()
    data = _triplets_built(model, protocol, (None, {}), fmt)
    name = "m.pkl" if fmt == "pickle" else "m.joblib"

    def builds(stream: bytes) -> int:
        return [op.name for op, _, _ in pickletools.genops(stream)].count("BUILD")

    # the unpickler sets no slot from an empty slot state
    if fmt == "pickle":  # (a BUILD more per triplet; joblib's inline arrays are no opcodes)
        assert builds(data) > builds(pickle.dumps(model, protocol))
        plain = pickle.loads(data)
    else:
        import joblib

        plain = joblib.load(io.BytesIO(data))
    first = plain.imputation_sequence_[0]
    assert (first.feat_idx, len(first)) == (model.imputation_sequence_[0].feat_idx, 3)
    # a state with a slot item is refused by both (a field is read-only)
    (tmp_path / "slot").mkdir()
    assert_scan_predicts_load(
        _triplets_built(model, protocol, (None, {"feat_idx": 0}), fmt),
        tmp_path / "slot",
        refused=True,
        name=name,
    )
    # the empty one: load_unsigned loads it, scan calls it unsafe ("a BUILD with a state on a
    # named tuple, which has no attributes")
    assert_scan_predicts_load(data, tmp_path, name=name)


# --- rt106-07 ---------------------------------------------------------------------------------

#: GOST R 34.10-2001 CryptoPro-A parameters (RFC 4357 11.4), which GOST R 34.10-2012 keys of
#: 256 bits use too (RFC 9215): y^2 = x^3 + a x + b over GF(p), base point (1, y0).
_GOST_P = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97
_GOST_A = _GOST_P - 3
_GOST_B = 0xA6
_GOST_G = (1, 0x8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14)


def _on_gost_curve(point: tuple[int, int]) -> bool:
    x, y = point
    return (y * y - (x * x * x + _GOST_A * x + _GOST_B)) % _GOST_P == 0


def _gost_public(d: int) -> tuple[int, int]:
    """``d * G`` on the CryptoPro-A curve (affine double-and-add)."""
    p = _GOST_P

    def add(a: tuple[int, int] | None, b: tuple[int, int] | None) -> tuple[int, int] | None:
        if a is None or b is None:
            return a or b
        if a[0] == b[0] and (a[1] + b[1]) % p == 0:
            return None
        if a == b:
            slope = (3 * a[0] * a[0] + _GOST_A) * pow(2 * a[1], -1, p) % p
        else:
            slope = (b[1] - a[1]) * pow(b[0] - a[0], -1, p) % p
        x = (slope * slope - a[0] - b[0]) % p
        return x, (slope * (a[0] - x) - a[1]) % p

    out: tuple[int, int] | None = None
    point: tuple[int, int] | None = _GOST_G
    while d:
        if d & 1:
            out = add(out, point)
        point = add(point, point)
        d >>= 1
    assert out is not None
    return out


def _oid(dotted: str) -> bytes:
    """An OBJECT IDENTIFIER element."""
    first, second, *rest = (int(part) for part in dotted.split("."))
    body = bytes([40 * first + second])
    for arc in rest:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.append(0x80 | (arc & 0x7F))
            arc >>= 7
        body += bytes(reversed(chunk))
    return _der(0x06, body)


def _gost_spki() -> bytes:
    """A GOST R 34.10-2012 (256-bit) public key as X.509 writes it (RFC 9215, Russian PKI's
    certificates, OpenSSL's gost engine): SubjectPublicKeyInfo with the algorithm
    1.2.643.7.1.1.1.1, the parameter set CryptoPro-A and the digest Streebog-256, and the
    point as an OCTET STRING of x and y, little-endian."""
    x, y = _gost_public(123456789)
    algorithm = _der(
        0x30,
        _oid("1.2.643.7.1.1.1.1")
        + _der(0x30, _oid("1.2.643.2.2.35.1") + _oid("1.2.643.7.1.1.2.2")),
    )
    point = _der(0x04, x.to_bytes(32, "little") + y.to_bytes(32, "little"))
    return _der(0x30, algorithm + _der(0x03, b"\x00" + point))


@pytest.mark.parametrize("form", ["raw", "base64", "hex"])
def test_rt106_07_gost_public_key(form: str) -> None:
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    spki = _gost_spki()
    x, y = _gost_public(123456789)
    assert _on_gost_curve(_GOST_G) and _on_gost_curve((x, y))
    assert x.to_bytes(32, "little") + y.to_bytes(32, "little") in spki
    with pytest.raises(KeyFormatError):
        HMACKey(_TEXT_FORMS[form](spki))


# --- rt106-08 ---------------------------------------------------------------------------------


def _voting_with_bunch_pairs(protocol: int, fmt: str) -> tuple[Any, bytes]:
    """A fitted VotingClassifier whose ``named_estimators_`` Bunch is written as
    ``copyreg._reconstructor(Bunch, dict, [(name, estimator), ...])``: ``dict.__init__``
    takes the pairs as it takes a dict (pickle, or joblib's pickler, at ``protocol``)."""
    from joblib.numpy_pickle import NumpyPickler
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.tree import DecisionTreeClassifier
    from sklearn.utils import Bunch

    rng = np.random.RandomState(0)
    X = rng.rand(40, 2)
    model = VotingClassifier(
        [("lr", LogisticRegression()), ("dt", DecisionTreeClassifier(max_depth=2))]
    ).fit(X, (X[:, 0] > 0.5).astype(int))
    base: Any = pickle.Pickler if fmt == "pickle" else NumpyPickler

    class _Pickler(base):  # type: ignore[misc]
        def reducer_override(self, obj: Any) -> Any:
            if type(obj) is Bunch:
                return copyreg._reconstructor, (Bunch, dict, list(obj.items()))  # type: ignore[attr-defined]
            return NotImplemented

    buf = io.BytesIO()
    _Pickler(buf, protocol=protocol).dump(model)
    return model, buf.getvalue()


@pytest.mark.parametrize("protocol", [0, 1, 2])
@pytest.mark.parametrize("fmt", ["pickle", "joblib"])
def test_rt106_08_bunch_from_pairs(tmp_path: Path, fmt: str, protocol: int) -> None:
    import joblib

    model, data = _voting_with_bunch_pairs(protocol, fmt)
    plain = pickle.loads(data) if fmt == "pickle" else joblib.load(io.BytesIO(data))
    assert list(plain.named_estimators_) == ["lr", "dt"]  # (the same Bunch as the model's)
    assert type(plain.named_estimators_.dt).__name__ == "DecisionTreeClassifier"
    # the honest Bunch (its items as a dict) is SAFE and loads
    honest = pickle.dumps(model, protocol) if fmt == "pickle" else None
    if honest is not None:
        (tmp_path / "honest").mkdir()
        assert_scan_predicts_load(honest, tmp_path / "honest")
    # the pairs: load_unsigned loads it, scan calls it unsafe ("VotingClassifier.
    # named_estimators_ unproven: a collection of estimators whose items the walk cannot read")
    assert_scan_predicts_load(data, tmp_path, name="m.pkl" if fmt == "pickle" else "m.joblib")
