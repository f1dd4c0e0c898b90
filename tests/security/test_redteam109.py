r"""Red team 109 (helper, 19:18-20:05 UTC) on 6bc189e: this session's fixes (hash-collision
keys, the HMAC secret's new public-key checks, own classes' trust rules, ``VALID_ATOMS``).
Snapshot /tmp/rt109p; run from /work/rt109 with SAFELOAD_PURE_PYTHON=1 and
PYTHONPATH=/tmp/rt109p/src:/tmp/rt109p/tests (Python 3.11, numpy 2.4.6, scikit-learn 1.9,
skops 0.16). Each finding is a strict xfail asserting the safe behaviour; harm is shown first
with plain pickle/joblib (children under CPU or memory limits for the hangs, the crash and
the allocation; the own modules are written to tmp_path); code effects are marker folders in
tmp_path. The file runs in some 20 s.

Findings
--------
rt109-01 (HARM: CPU at load and at use, quadratic; _numpy_state.py ``_key_value`` /
         ``shared_hash_problem``, walk_values ``_crowd``/``call_keys``) the rt105-08 count
         only knows keys that are int/float/bool/complex constants, folded tuples and
         frozensets of them, ``complex()`` and ``multiarray.scalar``. Keys made by the other
         allowed calls whose hash the file chooses are not counted: ``decimal.Decimal(str(k *
         (2**61 - 1)))`` (a Decimal hashes as its rational value modulo 2**61 - 1: all 0),
         ``range(k*P, k*P + 1)`` (hashes as ``(1, start, None)``, start modulo P), a tuple or
         frozenset holding either, and an object array of them. A plain dict of 20,000 Decimal
         keys (675 KB): scan SAFE in 5.5 s and ``load_unsigned`` loads it in 5.5 s (plain
         pickle 3.7 s); tuples of Decimals 7.2 s + 7.7 s; ranges 0.8 s + 5.8 s; square growth
         (50,000 keys: some 35 s each). At use: an ``OrdinalEncoder`` fitted on 10,000 such
         Decimals (316 KB) is SAFE, loads in 0.3 s, and ``transform`` of 5 rows takes 2.1 s
         (its dict of categories); the same with ints is refused by both. ``uuid.UUID`` keys
         (Python-level ``__eq__``: 12 s for 20,000 in plain pickle) are refused by the object
         budget only. Keys made by scikit-learn's ``_ImputerTriplet(k*P, 0, None)`` (a named
         tuple, hashed as its items): scan says unproven, but ``load_unsigned`` loads 15,000
         of them (314 KB) in 3.6 s (plain 3.0 s). The test: 200 Decimal, range or triplet
         keys of hash 0 (the rule's limit is 32) and the encoder of 200: loaded (the Decimal,
         range and encoder files SAFE to scan); the harm in a CPU-limited plain child.
rt109-02 (HARM: SIGSEGV at predict, critical; _trust_checks.py ``_computed_state``, the
         rt107-05 fix) the rule looks for own descriptors (anything with ``__get__``) under
         names the scikit-learn base reads, and skips dunders and functions: an own
         ``__getattr__`` (or ``__getattribute__``) that answers ``coef_``/``intercept_`` from
         the project's ``weights_``/``bias_`` is the same alias and stays trustable.
         rt107-05's multilabel OneVsRestClassifier over two ``NamedRidge`` whose ``bias_`` is
         (1000, 1) of 5.0 (17 KB): scan says "unproven ... made by its own
         NamedRidge.__getattr__", ``load_unsigned(trusted=[NamedRidge])`` loads it, and
         ``predict`` dies of SIGSEGV in ``toarray`` (plain pickle alike).
rt109-03 (CODE RUN AT LOAD: the caller's code on the file's arguments; trusted_classes.py
         ``init_args_problem`` / ``_runs_own_init``, the rt107-06 fix) the fix refuses
         REDUCE/OBJ/INST with arguments when ``__init__`` or a metaclass ``__call__`` is own
         code; an own ``__new__`` is not looked at, and NEWOBJ with arguments is not among
         the calls checked: ``NEWOBJ(CachedScaler, (<path>,))`` without a BUILD runs the own
         ``__new__(cls, cache_dir)`` (it makes the cache folder) on the file's path: scan
         says unproven, ``load_unsigned`` loads, and the folder is made where the file said.
         (With a BUILD after it: refused.) A class with an own ``__new__`` and no own
         ``__init__`` (a flyweight keeping one instance per name in a class dict) is called
         by REDUCE with the file's arguments: loaded, and the class keeps every name each
         file asks for (3 files: 3 entries; process-wide growth with the name's size).
rt109-04 (HARM: CPU in ``HMACKey``, quadratic, low; signing/hmac_key.py ``_raw_read``) after a raw
         stream ends the reader starts a fresh decompressor on ``reader.unused_data +
         data[at:]``, a copy of the rest of the secret, and raw LZMA1 reads zero bytes as
         back-to-back streams of a byte or so (262,140 decompressors for 256 KB): a secret
         of zero bytes costs 64 KB 0.37 s, 256 KB 2.4 s, 1 MB 32 s (512 KB of zeros then 512
         KB of random bytes 22 s; 1 MB of "A" 20 s and of "0" 8.9 s, decoded first), refused
         at the end as "a raw LZMA1 (xz) stream of 1,048,576 bytes or more". Honest large
         secrets are near the 2 s bound too: 1 MB random 1.1 s, hex 1.5 s, base64 1.3 s,
         base64 in 76-character lines (``base64 /dev/urandom | head -c 1M``) 2.9 s, random
         printable text 2.6 s (all accepted). Low: ``from_file`` reads at most 64 KB of hex
         (a 32 KB secret: cheap), so only callers of ``HMACKey(bytes)`` meet it.
rt109-05 (HONEST-REFUSED, low; signing/hmac_key.py ``_base58_key_form`` (SS58),
         ``_is_stellar_account``, ``_is_multibase_key``: 2-byte checks on tokens) every run of
         40-120 base58 characters that decodes to 35 or 36 bytes with a fitting first byte
         is held to a 2-byte BLAKE2b check, so random text secrets are refused as "a
         Substrate (SS58) address" once in 2**16 such runs: per secret ~1.3e-7 (base32 of 32
         random bytes, a TOTP-style secret) to 1.3e-6 (base32 of 256), 1.4e-6 for 48 random
         base58 characters, 4e-7 for 128 alphanumerics (20,000 samples each, runs
         counted). Met in the sweep: one base32 secret of 128 random bytes in 8,000 (the
         test's). ``_is_stellar_account`` alike: a whole base32 token of 56 to 201
         characters (a Stellar id is 56, a muxed one 69) is decoded at any length and held to
         one of 9 version bytes and a CRC16: base32 of 35 to 125 random bytes is refused once
         in some 1.9 million ("a Stellar account id or NATS public nkey"; the test builds one
         such draw of 64 bytes). A fast sweep of the token readers alone over 4,035,096 random text
         secrets (base64, base64url, base32 padded, unpadded and lower case, alphanumerics;
         20 to 96 bytes) met two more: base32 of 40 bytes in lower case (SS58) and base32 of
         35 bytes read as a multibase Ed25519 key (``B`` + base32 decoding to ``ed01`` and 32
         bytes: 3 heads of 2 bytes, once in some 700,000 such secrets).
rt109-06 (HARM: memory kept for the process's life; trust/params.py ``VALID_ATOMS``, the
         rt108-09 fix) the 200-character cap is for str only; an int of any size is cached:
         ``LogisticRegression(C=2**64,000,000)`` as a zlib joblib file is 35 KB, refused
         ("its repr would cost scikit-learn's printer ..."), and its 8 MB int stays in the
         module-level set: three files, RSS 155 -> 224 MB, every file adding its own (up to
         the set's 100,000 entries). The test: a 4 MB int.
rt109-07 (KEY-ACCEPTED, the class of rt108-02; signing/hmac_key.py ``_CURVES``) an
         uncompressed point (raw, hex, base64, or the bare ``x || y``) on the other prime
         curves OpenSSL makes keys on is accepted: brainpoolP256t1/P384t1 (the twisted
         Brainpool curves), brainpoolP224r1, brainpoolP320r1, secp224k1, secp192k1,
         prime239v1, secp160r1 (``openssl ecparam -name <curve> -genkey``: the point taken from
         its SPKI, which is refused), and ANSSI's FRP256v1. The on-curve test is as safe for
         random secrets on every prime curve (once in 2**160 or less).
rt109-08 (KEY-ACCEPTED, the class of rt108-05; signing/hmac_key.py ``_TEXT_KEYS``, WireGuard)
         the WireGuard rule reads ``PublicKey = <key>`` (wg-quick's file); ``wg show``'s
         printout (``interface: wg0 / public key: <key> / private key: (hidden)``) and its
         ``peer: <key>`` lines, the standard way to read a WireGuard public key, are accepted,
         as is NetworkManager's ``[wireguard-peer.<key>]`` keyfile section. (``PrivateKey =``
         and ``PresharedKey =`` lines are rightly accepted.)
rt109-09 (HARM: memory at use, 1.1 GB from 280 bytes; trust/object_checks.py ``_count_of``,
         the rt107-01 fix) int subclasses cannot be trusted now, but an own class that is no
         int and is registered as ``numbers.Integral`` (``numbers.Integral.register(Count)``,
         with ``__index__``) passes scikit-learn's ``Interval(Integral, ...)`` and numpy's
         shapes, while ``_count_of`` counts only ``type(v) is int`` or a numpy integer:
         ``GaussianProcessRegressor(n_targets=Count(2**20))`` (280 bytes; the plain int is
         refused, "1,048,576 output columns") is loaded with ``trusted=[Count]``, and
         ``predict(60 rows, return_std=True)`` reaches maxrss 1.1 GB (200 rows: 3.2 GB);
         scan says the constraints refuse it. ``RBFSampler``, ``GaussianRandomProjection``
         and ``Nystroem`` with ``n_components=Count(2**22)`` load alike (the plain int is
         refused: "get_feature_names_out could write 4,194,304 names ..."); a thread count
         (``n_jobs=Count(5000)``) and ``ngram_range=(1, Count(5000))`` are refused.
rt109-10 (KEY-ACCEPTED, the class of rt108-05; signing/hmac_key.py ``_TEXT_KEYS``, Java's
         printout) SunEC's ``toString()`` is refused, but BouncyCastle's, the other common
         Java provider (``EC Public Key [<fingerprint>] / X: <hex> / Y: <hex>``,
         ``ECUtil.publicKeyToString``), and Go's ``fmt.Printf("%+v", pub)`` of an
         ``*ecdsa.PublicKey`` (``&{Curve:P-256 X:+<decimal> Y:+<decimal>}``) are accepted:
         both print the P-256 point whole, which the bare-pair rule would find on the curve.
         Python cryptography's ``repr(key.public_numbers())`` (``<EllipticCurvePublicNumbers(
         curve=secp256r1, x=..., y=...)>``, and ``<RSAPublicNumbers(e=65537, n=...)>``) alike.
rt109-11 (HARM: CPU at every use, quadratic; the rt105-08 count covers dicts, sets and
         object arrays, never a list a class hashes at use) ``CountVectorizer``'s (and
         Tfidf's, Hashing's) ``stop_words`` may be any list; ``text._check_stop_list`` makes
         ``frozenset(stop_words)`` at every ``build_analyzer``, i.e. every transform: 20,000
         ints ``k * (2**61 - 1)`` (240 KB) are SAFE to scan and loaded, and each
         ``transform`` of one short text spends 2.3 s (50,000: some 15 s a call). An unfitted
         ``CountVectorizer(vocabulary=<the same list>)`` alike: SAFE, loaded, ``transform``
         builds the vocabulary dict in 2.1 s.
rt109-12 (KEY-ACCEPTED, the class of rt108-04; signing/hmac_key.py ``_WINDOWS_MAGIC`` /
         ``_windows_blob_in``) CNG's ``BCRYPT_ECCPUBLIC_BLOB`` is read with the named-curve
         magics (``ECS1/3/5``, ``ECK1/3/5``) only; the generic ones, ``ECDP``
         (BCRYPT_ECDSA_PUBLIC_GENERIC_MAGIC) and ``ECKP`` (ECDH), which CNG writes for a key
         whose curve is set by name (.NET's ``ECDsa.Create(ECCurve)`` on Windows exports so,
         any curve), are accepted with a P-256 point, raw and in base64. CryptoAPI's DSA
         ``PUBLICKEYBLOB`` (``06 02 00 00 00 22 00 00 DSS1``, bits, p, q, g, y, DSSSEED;
         .NET's ``DSACryptoServiceProvider.ExportCspBlob(false)``) alike: ``_WINDOWS_MAGIC``
         knows ``RSA1`` only.
rt109-13 (KEY-ACCEPTED, the class of rt106-05; signing/hmac_key.py ``_DNSKEY_SIZES``) a
         DNSKEY record's wire RDATA (flags 256/257, protocol 3, algorithm, key) is refused for
         algorithms 13-16 and the RSA ones; algorithm 17 (SM2SM3, RFC 9563: an SM2 point, 64
         bytes) and 23 (ECC-GOST12, RFC 9558), 64-byte keys, are accepted, raw and in
         base64, though the bare SM2 ``x || y`` of the same record is refused (its pair rule
         reads a whole secret) and the fixed header is as rare in random bytes (2**-31).
         Algorithm 12 (ECC-GOST, RFC 5933) alike with random key bytes (with the test's SM2
         point its ``0c`` happens to start a raw LZMA2 chunk that exposes the pair).

Ported by the maintainer (the same session, 20:03-20:12 UTC)
-----------------------------------------------------------
* rt109-01: the hash count evaluates ``Decimal(text or int)``, ``range(...)``, scikit-learn's
  ``_ImputerTriplet`` and tuples holding them (``_numpy_state._key_value``).
* rt109-02: a subclass of a reviewed class that defines ``__getattr__`` or
  ``__getattribute__`` cannot be trusted (``_trust_checks._computed_state``).
* rt109-03: NEWOBJ with arguments of a class whose ``__new__`` is the caller's is refused, and
  an own ``__new__`` counts as an own constructor for REDUCE, unless the class writes such
  arguments itself (``__getnewargs__``, ``__reduce__``).
* rt109-06: ``VALID_ATOMS`` keeps ints of at most 64 bits.
* rt109-08, 10: ``wg show``'s and NetworkManager's WireGuard forms; BouncyCastle's, Go's and
  Python cryptography's printed keys.
* rt109-09: ``object_checks._count_of`` reads a registered ``numbers.Integral`` by its index.
* rt109-11: the hash count covers lists (LIST, APPEND, APPENDS) and tuples of more than 32
  items, which scikit-learn may turn into sets at use.
* Left open that session, fixed the next (2026-12-05 21:00-21:40 UTC):

  - rt109-04: a raw stream after another is not given a copy of the rest of the secret; each
    new decompressor is charged ``STREAM_CHARGE`` (256) bytes of the reading budget, so a
    megabyte of zero bytes is refused in about a second (pure Python) instead of 32 s.
  - rt109-05: SS58's 2-byte check applies to a whole token only (no letter or digit beside
    it); a Stellar StrKey must be exactly its version's length (35, 43, or a signed payload's
    own length); multibase base32 and base64 must be canonical (spare bits zero).
  - rt109-07: ``_CURVES`` gains brainpoolP256t1/P384t1/P224r1/P320r1, secp224k1, secp192k1,
    prime239v1, secp160r1 (p, a and b read from ``openssl ecparam -param_enc explicit``,
    each checked on a key OpenSSL made) and FRP256v1 (its generator checked on the curve).
  - rt109-12: CNG's generic ``ECDP``/``ECKP`` blobs and CryptoAPI's ``DSS1`` blob.
  - rt109-13: DNSKEY algorithms 12, 17 and 23 (64-byte points) and DSA (3, 6; RFC 2536).

Held (tried, no finding)
------------------------
* Hash counting, 20,000 ints of hash 0 in every container form: ``OrderedDict(pairs)`` by
  REDUCE and NEWOBJ, ``_reconstructor(OrderedDict|Counter|dict, dict, pairs)``,
  ``dict(pairs)``, ``set(list)``, ``defaultdict(None, pairs)``, ``Counter(list)``: refused by
  both at once (9 files); the same keys as an OrdinalEncoder's object categories (pickle,
  joblib raw and zlib) and as a skops dict with int ``key_types`` (200 and 15,000 keys):
  refused. Tuples of 71 items in an object array (past ``_ITEM_TUPLE_NODES``): refused as a
  category kind no fit stores. NaT/NaN numpy scalars hash by identity (no shared hash).
  Floats: at most ~34 distinct floats share a hash (2**(61 k)): below any harm.
* HMAC secrets: 424,000 random secrets (raw, hex, HEX, base64, base64url, base32, hex and
  base64 with a newline; 32, 33, 48, 64, 65, 128, 256, 512 bytes) and 3,400 raw ones of 4 KB
  and 64 KB: one refusal (rt109-05); the new binary rules (PKCS#1 and PGP packets anywhere,
  curve points, DNSKEY, Windows blobs, SPKI) refused none. WireGuard ``PrivateKey``/
  ``PresharedKey`` lines, hexdumps, C arrays, decimal lists and word lists of 1 MB: accepted,
  under 1.6 s each. RSA keys as JSON without ``kty`` (``{"n", "e"}``, .NET's ``{"Modulus",
  "Exponent"}``): refused; as ``n:``/``e:`` YAML, ``modulus=<hex> exponent=65537`` text or a
  Ruby-style inspect: accepted (not reported separately: rt109-10's class of labelled text).
  ``from_hex``/``from_file``/``from_env`` read hex only, so the text forms (rt109-05, 08, 10)
  reach ``HMACKey(bytes)`` callers only.
* ``init_args_problem``: ``_reconstructor(Own, Own, path)`` and ``_reconstructor(Child, Own,
  path)`` at protocols 1 and 2, ``partial(Own, path)`` then REDUCE, NEWOBJ_EX with keyword
  arguments, NEWOBJ with arguments + BUILD, OBJ, INST, REDUCE of a class with an own
  ``__init__``; dotted names (``Own.__init__``, ``Own.__class_getitem__``,
  ``Own.set_params``, by GLOBAL and STACK_GLOBAL); ``_reconstructor(Interned, Interned,
  name)`` at protocols 0 and 2 and ``_reconstructor(CachedScaler, CachedScaler, path)`` (own
  ``__new__`` bases): refused by both, no folder made (14 files).
* Trust rules: an own ``numpy.int64`` subclass as ``n_targets`` (pickled by numpy as a plain
  int64, or by NEWOBJ/REDUCE of the subclass): refused. Honest own classes using
  ``available_if`` over ``transform``/``predict`` and ``singledispatchmethod`` over
  ``decision_function``: trustable and SAFE. An own ``enum.Flag`` of 24 members asked for
  100 compositions by REDUCE, NEWOBJ, NEWOBJ_EX and ``_reconstructor``, 100 negative values
  (plain pickle adds 200 pseudo-members) and values with a bit no member has: refused, no
  member added (the cap is per file; every file may still add 16, process-wide). Honest
  wrappers with properties over ``classes_``, ``n_features_in_``, ``coef_`` and
  ``feature_names_in_`` (a MetaEstimatorMixin classifier, a regressor, a transformer):
  trustable and SAFE.
* Use-time walk of dict subclasses: an OrderedDict, Counter and defaultdict with a refused
  estimator as an attribute set by BUILD (protocols 2 and 4): refused or failing in both.
* ``dtype_kinds.short``: an int of 5,001 digits as a grid candidate, a thread count and a
  parameter (``repr`` raises Python's digit limit): refused with a SafeloadError, no raw
  exception; ``n_jobs=-10**5000`` is SAFE and loaded (joblib makes it 1 worker: no harm).
* Regex and n-gram parameters: ``token_pattern`` of three backtracking patterns and
  ``ngram_range=(1, 2000..5000)`` (char, char_wb, word): refused (reviewed patterns; 32).
* ``_pth_tops`` read, not pursued: it reads 1 MiB and UTF-8 (site reads the whole file in
  the locale's encoding), splits on ``str.splitlines`` separators site does not, and skips
  entries that are files (an egg's zip on ``sys.path``).
"""

from __future__ import annotations

import base64
import importlib
import pickle
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import (
    COUNT_MODULE,
    HANG_CPU,
    P61,
    PLAIN,
    PLAIN_CALL,
    PREDICT_ROWS,
    binunicode,
    child,
    crc16_xmodem,
    global_,
    own_class_child,
    scan_and_load,
    until_crash,
    write,
)
from safeload import SafeloadError
from safeload.exceptions import KeyFormatError


def _module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, source: str) -> Any:
    (tmp_path / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    return importlib.import_module(name)


# --- rt109-01: keys of one hash made by Decimal and range ---------------------------------------


def _colliding_dict(n: int, kind: str) -> bytes:
    """A plain dict of ``n`` distinct keys that all hash to 0, each made by a call."""
    if kind == "decimal":
        head = global_("decimal", "Decimal")
    else:
        head = global_("builtins", "range")
    out = b"\x80\x02" + head + b"q\x000" + b"}("  # memoise the callable, pop it; EMPTY_DICT MARK
    for k in range(1, n + 1):
        v = k * P61
        if kind == "decimal":
            key = b"h\x00" + binunicode(str(v)) + b"\x85R"
        else:
            lo = v.to_bytes((v.bit_length() + 8) // 8, "little", signed=True)
            hi = (v + 1).to_bytes(((v + 1).bit_length() + 8) // 8, "little", signed=True)
            key = b"h\x00\x8a" + bytes([len(lo)]) + lo + b"\x8a" + bytes([len(hi)]) + hi + b"\x86R"
        out += key + b"K\x00"
    return out + b"u."


def test_rt109_01_decimal_and_range_keys(tmp_path: Path) -> None:
    big = write(tmp_path, _colliding_dict(20_000, "decimal"), "big.pkl")
    # the harm: plain pickle spends seconds of CPU building the dict (3.7 s here; 35 s at
    # 50,000 keys), killed at its limit of some 1 s
    plain = child(PLAIN, big, cpu=HANG_CPU)
    assert plain.crashed and not plain.loaded, plain.output
    # the same structure far below the harm, but far above the rule's own limit of 32 keys of
    # one hash: safeload should refuse it as it refuses 33 int keys k * (2**61 - 1)
    for kind in ("decimal", "range"):
        small = write(tmp_path, _colliding_dict(200, kind), f"{kind}.pkl")
        safe, loaded = scan_and_load(small)
        assert not safe, kind
        assert loaded.startswith("refused"), (kind, loaded)
    # scikit-learn's IterativeImputer triplet (a named tuple: hashes as its items) as the key:
    # scan says unproven ("whose own __hash__ a load runs"), the load loads it (15,000 keys,
    # 314 KB: load_unsigned 3.6 s, plain pickle 3.0 s)
    triplets = b"\x80\x02" + global_("sklearn.impute._iterative", "_ImputerTriplet") + b"q\x000}("
    for k in range(1, 201):
        v = (k * P61).to_bytes(9, "little", signed=True)
        triplets += b"h\x00\x8a\x09" + v + b"K\x00N\x87RK\x00"
    path = write(tmp_path, triplets + b"u.", "triplets.pkl")
    assert scan_and_load(path)[1].startswith("refused"), scan_and_load(path)
    # the use-time form: an OrdinalEncoder fitted on such Decimals keeps them as an object
    # array (the rule counts an object array's items too), and transform maps them through
    # a dict: 10,000 categories (316 KB) scan SAFE, load in 0.3 s, transform 2.1 s
    from decimal import Decimal

    from sklearn.preprocessing import OrdinalEncoder

    column = np.empty((200, 1), dtype=object)
    column[:, 0] = [Decimal(k * P61) for k in range(1, 201)]
    encoder = write(tmp_path, pickle.dumps(OrdinalEncoder().fit(column), 4), "oe.pkl")
    safe, loaded = scan_and_load(encoder)
    assert not safe and loaded.startswith("refused"), loaded


# --- rt109-02: __getattr__ aliasing coef_/intercept_ -------------------------------------------

_ALIAS_MODULE = '''
from sklearn.linear_model import Ridge


class NamedRidge(Ridge):
    """Keeps its fitted line as weights_ and bias_ (the project's names); scikit-learn's
    names are answered by __getattr__."""

    _ALIASES = {"coef_": "weights_", "intercept_": "bias_"}

    def __getattr__(self, name):
        alias = type(self)._ALIASES.get(name)
        if alias is None or alias not in self.__dict__:
            raise AttributeError(name)
        return self.__dict__[alias]
'''


def _alias_child(how: str) -> str:
    return own_class_child("rt109_alias", "NamedRidge", PREDICT_ROWS, how)


def test_rt109_02_getattr_alias(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from sklearn.multiclass import OneVsRestClassifier

    own = _module(tmp_path, monkeypatch, "rt109_alias", _ALIAS_MODULE)
    x = np.random.RandomState(0).rand(12, 3)
    y = np.c_[np.arange(12) % 2, (np.arange(12) // 2) % 2]
    model = OneVsRestClassifier(own.NamedRidge()).fit(x, y)
    for est in model.estimators_:
        est.weights_ = est.__dict__.pop("coef_")
        del est.__dict__["intercept_"]
        est.bias_ = np.full((1000, 1), 5.0)  # rt42-08's intercept, under the project's name
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    plain = until_crash(lambda: child(_alias_child("plain"), path, cpu=20))
    assert plain.loaded and plain.crashed and not plain.returned, plain.output
    # today: scan says unproven, load_unsigned loads it and predict dies of SIGSEGV alike
    after = until_crash(lambda: child(_alias_child("safeload"), path, cpu=20))
    assert "refused" in after.stdout and not after.crashed, after.output


# --- rt109-03: an own __new__ on the file's arguments --------------------------------------------

_NEW_MODULE = '''
import os

from sklearn.base import BaseEstimator, TransformerMixin


class CachedScaler(TransformerMixin, BaseEstimator):
    """A transformer whose instances share a cache folder, made when one is created."""

    def __new__(cls, cache_dir="cache", factor=2.0):
        os.makedirs(cache_dir, exist_ok=True)
        return super().__new__(cls)

    def __init__(self, cache_dir="cache", factor=2.0):
        self.cache_dir = cache_dir
        self.factor = factor

    def transform(self, X):
        return X * self.factor


class Interned(TransformerMixin, BaseEstimator):
    """One instance per name (a flyweight): the class keeps each one."""

    instances = {}

    def __new__(cls, name="default"):
        obj = cls.instances.get(name)
        if obj is None:
            obj = cls.instances[name] = super().__new__(cls)
        return obj
'''


def test_rt109_03_own_new_on_file_arguments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    own = _module(tmp_path, monkeypatch, "rt109_new", _NEW_MODULE)
    marker = tmp_path / "chosen_by_the_file"
    data = (
        b"\x80\x02" + global_("rt109_new", "CachedScaler") + binunicode(str(marker)) + b"\x85\x81."
    )
    path = write(tmp_path, data)
    pickle.loads(data)  # plain pickle: the own __new__ makes the folder the file names
    assert marker.is_dir()
    marker.rmdir()
    interned = b"\x80\x02" + global_("rt109_new", "Interned") + binunicode("x" * 50) + b"\x85R."
    interned_path = write(tmp_path, interned, "interned.pkl")
    # today: scan says unproven, load_unsigned loads and the folder is made
    safe, loaded = scan_and_load(path, [own.CachedScaler])
    assert not safe
    assert loaded.startswith("refused"), loaded
    assert not marker.exists()
    safe, loaded = scan_and_load(interned_path, [own.Interned])
    assert loaded.startswith("refused") and not own.Interned.instances, loaded


# --- rt109-04: HMACKey's raw-stream reader is quadratic on zero bytes ----------------------------


def test_rt109_04_hmac_zero_bytes_cpu() -> None:
    from safeload.signing.hmac_key import HMACKey

    secret = bytes(160 * 1024)  # 1 MB takes 32 s; the brief's bound is 2 s for 1 MB
    start = time.process_time()
    # (each raw stream after the first is charged to the reading budget now, which runs out)
    with pytest.raises(KeyFormatError, match="LZMA1|more text than a random secret"):
        HMACKey(secret)
    spent = time.process_time() - start
    # linear at 2 s per MB: 0.31 s for 160 KB (today some 1 s, and x4 per doubling)
    assert spent < 0.32, spent


# --- rt109-05: random text secrets read as SS58 addresses ---------------------------------------

#: base32 of 128 random bytes (from the sweep): its run "U66XPZKY...XK" of 47 base58
#: characters decodes to 35 bytes whose last two match BLAKE2b's check
_SS58_SECRET = (
    b"BW6RHRMPUKN7NDLD3A744QKTBAXDZLRT73PSWREJK3CX6AL2ZA7EJWMA3SOU66XPZKYHD3WTBJKVMS3C3QFDMXC2"
    b"QKPEVFXRNMUDQEGYXKIJKVLVUQBZUR2FFBTJ3CNN2KR77K37JSZGAJ2DZYWZHLVQOA4IB2KVPTD2ULLRLYDDWPTV"
    b"Q2QBKDLQ6UXTCDORSNWO4X4H"
)


def test_rt109_05_random_base32_secret_refused() -> None:
    from safeload.signing.hmac_key import HMACKey

    assert len(base64.b32decode(_SS58_SECRET + b"=" * (-len(_SS58_SECRET) % 8))) == 125
    # base32 of 64 random bytes whose first byte is 0x30 and last two its CRC16 (one draw in
    # 1.9 million has both)
    raw = bytearray(random.Random(109).randbytes(64))
    raw[0] = 0x30
    raw[-2:] = crc16_xmodem(bytes(raw[:-2])).to_bytes(2, "little")
    secrets = [
        _SS58_SECRET,  # "a Substrate (SS58) address"
        base64.b32encode(bytes(raw)),  # "a Stellar account id or NATS public nkey"
        *_SWEEP_SECRETS,  # SS58, and "an Ed25519 multibase key" (B + ed01 + 32 bytes)
    ]
    refused = []
    for secret in secrets:
        try:
            HMACKey(secret)
        except KeyFormatError as exc:
            refused.append(str(exc)[:60])
    assert not refused, refused


#: two more random draws the fast sweep met (4,035,096 text secrets): base32 of 40 random
#: bytes in lower case, and base32 of 35 random bytes (B, then ed01 and 32 bytes once decoded)
_SWEEP_SECRETS = (
    b"vatp2ojirp5pkawtzmdxmufwwwxnry3555hf7nnthyf52pdcqlfl4cu3lrmrswym",
    b"B5UAYME63K4CMABGJJUPO2OXCBSRIZHYLZTMHLVYKYF3FWQE46FVFAZF",
)


# --- rt109-06: VALID_ATOMS keeps ints of any size ----------------------------------------------


def test_rt109_06_valid_atoms_keeps_huge_ints(tmp_path: Path) -> None:
    import gc

    import joblib
    from sklearn.linear_model import LogisticRegression

    from safeload.trust import params

    bits = 8 * 4_000_000  # a 4 MB int
    path = tmp_path / "m.joblib"
    joblib.dump(LogisticRegression(C=1 << bits), path, compress=3)
    assert path.stat().st_size < 40_000
    before = set(params.VALID_ATOMS)
    try:
        with pytest.raises(SafeloadError):  # refused by the printing cost
            safeload.load_unsigned(path)
        gc.collect()
        kept = [a for a in params.VALID_ATOMS - before if type(a[2][1]) is int]
        sizes = [a[2][1].bit_length() // 8 for a in kept]
        # today: the 4 MB int is kept for the process's life (plain joblib frees it with the
        # model); every such file adds its own
        assert not any(size > 10_000 for size in sizes), sizes
    finally:
        params.VALID_ATOMS.intersection_update(before)


# --- rt109-07: points on OpenSSL's other prime curves -------------------------------------------

#: (name, coordinate bytes, p, a, b) of named prime curves OpenSSL generates keys on
#: (``openssl ecparam -name ... -genkey``) that ``_CURVES`` does not list; p = 3 (mod 4)
_OTHER_CURVES = (
    (
        "brainpoolP256t1",
        32,
        int("A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377", 16),
        -3,
        int("662C61C430D84EA4FE66A7733D0B76B7BF93EBC4AF2F49256AE58101FEE92B04", 16),
    ),
    (
        "brainpoolP320r1",
        40,
        int("D35E472036BC4FB7E13C785ED201E065F98FCFA6F6F40DEF4F92B9EC7893EC28FCD412B1F1B32E27", 16),
        int("3EE30B568FBAB0F883CCEBD46D3F3BB8A2A73513F5EB79DA66190EB085FFA9F492F375A97D860EB4", 16),
        int("520883949DFDBC42D3AD198640688A6FE13F41349554B49ACC31DCCD884539816F5EB4AC8FB1F1A6", 16),
    ),
    (
        "brainpoolP224r1",
        28,
        int("D7C134AA264366862A18302575D1D787B09F075797DA89F57EC8C0FF", 16),
        int("68A5E62CA9CE6C1C299803A6C1530B514E182AD8B0042A59CAD29F43", 16),
        int("2580F63CCFE44138870713B1A92369E33E2135D266DBB372386C400B", 16),
    ),
    ("secp192k1", 24, 2**192 - 2**32 - 4553, 0, 3),
)


def _point(size: int, p: int, a: int, b: int, seed: int) -> bytes:
    import random

    rng = random.Random(seed)
    while True:
        x = rng.randrange(p)
        rhs = (x**3 + a * x + b) % p
        y = pow(rhs, (p + 1) // 4, p)
        if y * y % p == rhs:
            return b"\x04" + x.to_bytes(size, "big") + y.to_bytes(size, "big")


def test_rt109_07_points_on_other_curves() -> None:
    from safeload.signing.hmac_key import HMACKey

    accepted = []
    for name, size, p, a, b in _OTHER_CURVES:
        point = _point(size, p, a, b, 7)
        for form in (point, point.hex().encode(), base64.b64encode(point)):
            try:
                HMACKey(form)
                accepted.append(name)
            except KeyFormatError:
                pass
    assert not accepted, accepted  # today: every curve, in every form


# --- rt109-08: WireGuard keys as ``wg show`` prints them -----------------------------------------


def test_rt109_08_wg_show_public_key() -> None:
    from safeload.signing.hmac_key import HMACKey

    key = base64.b64encode(bytes(range(7, 39))).decode()
    with pytest.raises(KeyFormatError, match="WireGuard"):
        HMACKey(f"[Peer]\nPublicKey = {key}\n".encode())  # rt108-05's form: refused
    shown = (
        f"interface: wg0\n  public key: {key}\n  private key: (hidden)\n  listening port: 51820\n"
    )
    accepted = []
    for text in (shown, f"peer: {key}\n  endpoint: 192.0.2.1:51820\n  allowed ips: 10.0.0.2/32\n"):
        try:
            HMACKey(text.encode())
            accepted.append(text.split(":")[0])
        except KeyFormatError:
            pass
    assert not accepted, accepted


# --- rt109-09: a count that is a registered numbers.Integral ------------------------------------


_COUNT_CHILD = """
sys.path.insert(0, ".")
import pickle, numpy
import rt109_count
if "{how}" == "plain":
    model = pickle.load(open(sys.argv[1], "rb"))
else:
    import safeload
    try:
        model = safeload.load_unsigned(sys.argv[1], trusted=[rt109_count.Count])
    except safeload.SafeloadError as exc:
        print("refused", str(exc)[:200], flush=True)
        raise SystemExit(0)
print("loaded", flush=True)
try:
    model.predict(numpy.random.RandomState(0).rand(200, 2), return_std=True)
    print("returned", flush=True)
except MemoryError:
    print("MemoryError", flush=True)
"""


def test_rt109_09_registered_integral_count(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sklearn.gaussian_process import GaussianProcessRegressor

    from redteam import GB

    own = _module(tmp_path, monkeypatch, "rt109_count", COUNT_MODULE)
    # rt107-01's plain int is refused ("1,048,576 output columns ..."), and an int subclass
    # cannot be trusted any more
    control = write(tmp_path, pickle.dumps(GaussianProcessRegressor(n_targets=2**20), 5), "i.pkl")
    assert scan_and_load(control)[1].startswith("refused")
    model = GaussianProcessRegressor(n_targets=own.Count(2**20))
    path = write(tmp_path, pickle.dumps(model, 5))
    assert path.stat().st_size < 400
    # the harm: predict(200 rows, return_std=True) asks some 3.2 GB (60 rows: maxrss 1.1 GB)
    plain = child(_COUNT_CHILD.format(how="plain"), path, memory=GB // 2, cpu=20)
    assert plain.loaded and "MemoryError" in plain.stdout, plain.output
    # today: scan says the constraints refuse it, but load_unsigned loads it (the
    # constraints take any numbers.Integral; the width rules count only type(v) is int)
    after = child(_COUNT_CHILD.format(how="safeload"), path, memory=GB // 2, cpu=20)
    assert "refused" in after.stdout, after.output


# --- rt109-10: EC public keys as BouncyCastle and Go print them ----------------------------------


def test_rt109_10_printed_ec_points() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    from safeload.signing.hmac_key import HMACKey

    numbers = ec.derive_private_key(12345678901234567890, ec.SECP256R1()).public_key()
    x, y = numbers.public_numbers().x, numbers.public_numbers().y
    with pytest.raises(KeyFormatError, match="Java"):  # rt108-05's SunEC printout: refused
        HMACKey(
            f"Sun EC public key, 256 bits\n  public x coord: {x}\n  public y coord: {y}\n"
            "  parameters: secp256r1 [NIST P-256,X9.62 prime256v1] (1.2.840.10045.3.1.7)\n".encode()
        )
    forms = {
        # org.bouncycastle's BCECPublicKey.toString() (ECUtil.publicKeyToString)
        "bouncycastle": "EC Public Key [9f:3a:10:c2:5e:77:01:aa:02:bb:03:cc:04:dd:05:ee:06:"
        "ff:07:11]\n"
        f"            X: {x:x}\n            Y: {y:x}\n",
        # Go's fmt.Printf("%+v", pub) of an *ecdsa.PublicKey
        "go": f"&{{Curve:P-256 X:+{x} Y:+{y}}}",
        # Python cryptography's repr(public_key.public_numbers())
        "python": repr(numbers.public_numbers()),
    }
    accepted = []
    for name, text in forms.items():
        try:
            HMACKey(text.encode())
            accepted.append(name)
        except KeyFormatError:
            pass
    assert not accepted, accepted


# --- rt109-11: a list parameter that the class hashes at use ------------------------------------


def test_rt109_11_stop_words_hashed_at_use(tmp_path: Path) -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    model = CountVectorizer().fit(["the cat sat", "on the mat"])
    # text.py _check_stop_list: frozenset(stop_words), at every build_analyzer (transform)
    model.stop_words = [k * P61 for k in range(1, 20_001)]
    path = write(tmp_path, pickle.dumps(model, 4))
    assert path.stat().st_size < 250_000
    # the harm: plain pickle loads it, and one transform of one short text spends 2.3 s
    # (50,000 items: some 15 s per call), killed here at its limit
    plain = child(PLAIN_CALL.format(call="model.transform(['the cat'])"), path, cpu=HANG_CPU)
    assert plain.loaded and "call done" not in plain.stdout and plain.crashed, plain.output
    # today: scan SAFE (0.8 s), load_unsigned loads it (0.1 s)
    safe, loaded = scan_and_load(path)
    assert not safe
    assert loaded.startswith("refused"), loaded


# --- rt109-12: CNG's generic ECC public blobs ----------------------------------------------------


def test_rt109_12_cng_generic_ecc_blob() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    from safeload.signing.hmac_key import HMACKey

    numbers = ec.derive_private_key(987654321987654321, ec.SECP256R1()).public_key()
    pn = numbers.public_numbers()
    xy = pn.x.to_bytes(32, "big") + pn.y.to_bytes(32, "big")
    with pytest.raises(KeyFormatError, match="Windows CNG"):  # rt108-04's named-curve magic
        HMACKey(b"ECS1" + (32).to_bytes(4, "little") + xy)
    accepted = []
    for magic in (b"ECDP", b"ECKP"):  # BCRYPT_ECDSA/ECDH_PUBLIC_GENERIC_MAGIC
        blob = magic + (32).to_bytes(4, "little") + xy
        for form in (blob, base64.b64encode(blob)):
            try:
                HMACKey(form)
                accepted.append(magic)
            except KeyFormatError:
                pass
    # CryptoAPI's DSA PUBLICKEYBLOB (CALG_DSS_SIGN, "DSS1", bits, p, q, g, y, DSSSEED)
    from cryptography.hazmat.primitives.asymmetric import dsa

    key = dsa.generate_private_key(1024).public_key().public_numbers()  # noqa: S505
    params = key.parameter_numbers
    blob = bytes([6, 2, 0, 0, 0, 0x22, 0, 0]) + b"DSS1" + (1024).to_bytes(4, "little")
    for value, size in ((params.p, 128), (params.q, 20), (params.g, 128), (key.y, 128)):
        blob += value.to_bytes(size, "little")
    blob += b"\xff" * 4 + bytes(20)
    try:
        HMACKey(blob)
        accepted.append(b"DSS1")
    except KeyFormatError:
        pass
    assert not accepted, accepted


# --- rt109-13: DNSKEY RDATA of the SM2 and GOST algorithms -------------------------------------


def test_rt109_13_dnskey_sm2_and_gost() -> None:
    from safeload.signing.hmac_key import HMACKey

    sm2 = _point(
        32,
        int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16),
        -3,
        int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16),
        3,
    )[1:]
    with pytest.raises(KeyFormatError, match="SM2"):
        HMACKey(sm2)  # the bare x || y: refused (rt108-02)
    with pytest.raises(KeyFormatError, match="DNSKEY"):
        HMACKey(b"\x01\x01\x03\x0d" + sm2)  # algorithm 13 (P-256), same length: refused
    accepted = []
    for algorithm in (17, 23):  # SM2SM3 (RFC 9563), ECC-GOST12 (RFC 9558)
        rdata = b"\x01\x01\x03" + bytes([algorithm]) + sm2
        for form in (rdata, base64.b64encode(rdata)):
            try:
                HMACKey(form)
                accepted.append(algorithm)
            except KeyFormatError:
                pass
    assert not accepted, accepted
