"""Red team 108 (helper, 18:14-18:59 UTC) on f82a69b: the default policy (no ``trusted=``),
this round's fixes (copyreg ``_reconstructor`` scalar and dict bases, ``params._refuse``,
numpy 2.4's five-argument ``_frombuffer``, reconstructed named tuples and Bunches, the HMAC
secret's public-key checks). Run on the pure-Python snapshot (``SAFELOAD_PURE_PYTHON=1``,
``PYTHONPATH=/tmp/rt108p/src:/tmp/rt108p/tests``). Harm is shown in fresh child interpreters
under CPU limits or measured there (RSS); nothing here runs code, so no marker files. The file
runs in some 20-35 s with the machine's load (most of it rt108-01's two CPU-limited children
and rt108-09's two).

Findings
--------
rt108-01 (HARM: CPU at load, 19.6 s for 628 bytes and unbounded with a longer ring, and a bare
         RecursionError out of ``load_unsigned``; trust/in_place.py ``grid_value_problem``,
         reached from object_checks.check_instance -> params.check_grid) the rt105-05 fix made
         ``params._refuse`` name a refused parameter value by its type, but the parameter
         *grid* check still prints the value: ``grid_value_problem`` builds its refusal with
         ``f"is {value!r}: ..."`` for an in-place parameter (``copy``, ``copy_X``,
         ``copy_x``) whose candidate is not true. A candidate that is rt97-01's ring of
         SimpleImputers (each the dict key of the next one's ``fill_value``) runs
         scikit-learn's printer inside the load, before ``printing.printed_problem`` is
         reached: ``GridSearchCV(LinearRegression(), {"copy_X": [<ring of 3>]})`` (628 bytes):
         scan refuses it at once ("unproven: a candidate the stream walk cannot read"),
         ``load_unsigned`` spends 19.6 s of CPU and then raises a bare RecursionError (not a
         SafeloadError); with two imputers 0.6 s and the same bare error. A list of grids
         (``[{"copy_X": [...]}]``), a bare candidate (``{"copy_X": ring}``), a nested key
         (``"a__b__copy"``) and ``RandomizedSearchCV.param_distributions`` alike. A sweep of
         the ring as a grid candidate for all 372 parameter names of ``all_estimators`` (x3
         forms, 1,116 files) found only the three in-place names: every other grid row quotes
         values with ``short()``.
rt108-02 (KEY-ACCEPTED; signing/hmac_key.py ``_binary_form`` (its four curves) and
         ``_COSE_EC2_CURVES``) an uncompressed X9.62 point, and the bare ``x || y`` pair, is
         refused on P-256, P-384, P-521 and secp256k1 only. The same public keys on the other
         named curves cryptography/OpenSSL writes are accepted as HMAC secrets, raw, as hex,
         ``0x``-hex of ``x || y`` and base64: brainpoolP256r1/P384r1/P512r1 (RFC 5639: TLS,
         German eID and health cards, smart cards), secp224r1 and secp192r1, and SM2
         (GB/T 32918: Chinese PKI; its points written as ``04 || x || y``). The on-curve test
         that makes the P-256 rule safe for random secrets (once in 2**256) applies to these
         curves alike. A COSE EC2 key on brainpoolP256r1 (IANA COSE curve 256) after a label
         line is accepted too (``_has_cose_key`` knows curves 1, 2, 3 and 8); at the start it
         is refused by the three-byte head.
rt108-03 (KEY-ACCEPTED; signing/hmac_key.py ``_text_form`` / ``_TEXT_KEYS``) an RSA public key
         as XML: .NET's ``RSA.ToXmlString(false)`` (``<RSAKeyValue><Modulus>...</Modulus>
         <Exponent>AQAB</Exponent></RSAKeyValue>``, flat or indented) and W3C XML Signature's
         ``<ds:KeyInfo><ds:KeyValue><ds:RSAKeyValue>`` (SAML metadata, WS-Security) are
         accepted; the same key as a JWK (JSON or ``kty:`` text) is refused. (A bare modulus
         cannot be told from random bytes, but the element names can.)
rt108-04 (KEY-ACCEPTED; signing/hmac_key.py ``_binary_form``) Windows' binary public-key blobs:
         CNG ``BCRYPT_RSAPUBLIC_BLOB`` (magic ``RSA1``, 2048, 3, 256, 0, 0, exponent,
         modulus), CryptoAPI ``PUBLICKEYBLOB`` (``CryptExportKey``, .NET
         ``ExportCspBlob(false)``: ``06 02 00 00 00 a4 00 00 RSA1 ...`` and the CALG_RSA_SIGN
         form) and CNG ``BCRYPT_ECCPUBLIC_BLOB`` (``ECS1``/``ECK1``, 32, x, y: a P-256 key),
         raw, in base64 and in hex, are accepted: fixed 8- to 16-byte headers that random
         bytes hold once in 2**64 or less.
rt108-05 (KEY-ACCEPTED; signing/hmac_key.py ``_text_key_form`` / ``_DNSKEY`` /
         ``_OPENSSL_KEY_TEXT``) a public key in a record or printout that labels it as one:
         RFC 8463's DKIM key record (``v=DKIM1; k=ed25519; p=<base64 key>``, the TXT data or
         its zone line) and a WireGuard peer's ``PublicKey = <base64 key>`` line are accepted,
         where the same Ed25519 key in a DNSKEY record (algorithm 15) is refused (rt65-08's
         rule reads the record, not the key); Java's ``PublicKey.toString()`` (``Sun RSA
         public key, 2048 bits / modulus: <decimal> / public exponent: 65537``, and SunEC's
         ``Sun EC public key, 256 bits / public x coord: ... / public y coord: ...``, a P-256
         point in decimal) is accepted where OpenSSL's printouts of the same keys are refused
         (rt76-04's rule). (A DKIM RSA record is refused: its ``p=`` is an SPKI.)
rt108-06 (KEY-ACCEPTED, the class of rt106-07; signing/hmac_key.py ``_der_form`` /
         ``_KEY_ALGORITHM_OIDS``) DER is refused when cryptography parses it or it holds a
         listed algorithm OID; a SubjectPublicKeyInfo (exactly ``SEQUENCE { SEQUENCE { OID,
         params }, BIT STRING }``, to its last byte) of an algorithm off the list is accepted,
         bare and in base64: SECG's id-ecDH and id-ecMQV with a P-256 point, RFC 4055's
         id-RSAES-OAEP and X.509's id-ea-rsa (2.5.8.1.1) with a PKCS#1 key, BSI's ECGDSA on
         brainpoolP256r1, SM2's own identifier (1.2.156.10197.1.301), and Open Quantum Safe's
         Dilithium3 (1.3.6.1.4.1.2.267.7.6.5). The list grows one algorithm per red team; the
         SPKI shape itself (an AlgorithmIdentifier and a BIT STRING covering the whole
         secret) is what no random secret has.
rt108-07 (SCAN-DISAGREES: scan unsafe, load loads, with an object no check of the load saw;
         trust/usetime.py ``_children``: ``o.items()`` on a dict subclass) a dok matrix or
         array is a ``dict`` subclass (``_dok_base(_spbase, IndexMixin, dict)``) whose
         ``items()``/``keys()``/``values()`` scipy answers from its ``_dict`` attribute;
         ``dok.__reduce__`` is ``dict.__reduce__``, so pickle writes it as
         ``copyreg._reconstructor(dok_matrix, dict, items)`` and a BUILD of its state, and
         ``dict.__init__(obj, items)`` puts the file's items into the dok's own dict storage,
         beside ``_dict``. The load's use-time walk reads a dict through ``o.items()``, so it
         never visits them: ``_reconstructor(dok_matrix, dict, {"hidden": <LogisticRegression
         with C="not a number">})`` + an honest dok's BUILD state (pickle protocols 1 and 2,
         joblib protocols 1, 2 and 4; dok_array alike) is UNSAFE to scan (it models the
         items: "LogisticRegression.C ... refused") and loaded by ``load_unsigned``, the
         estimator kept unchecked in the dok (``dict.__getitem__(dok, "hidden")``); the same
         estimator anywhere else is refused by both. (Only dict's own methods reach the
         hidden items: scipy's methods, pickling and copying go through ``_dict``; no harm
         found beyond what the file keeps unchecked.)
rt108-08 (KEY-ACCEPTED, the class of rt66-05/rt67-08/rt68-05; signing/hmac_key.py
         ``_separated_bytes`` / ``_PREFIXED_BYTES``) the printed-bytes readers take items of
         one byte (``0x30``, ``\\x30``, ``030h``, decimals, bits ...) and ``od``-style dump
         words, but not ``0x``-prefixed 32- or 64-bit words: a P-256 SubjectPublicKeyInfo as a
         firmware's ``static const uint32_t pubkey[] = {0x13305930, ...}`` (memory order,
         little-endian), as big-endian ``0x30593013U`` words, as ``0x...ULL`` 64-bit words,
         or as a devicetree property of cells (``key = <0x30593013 ...>;``) is accepted;
         the same key as a C array of bytes is refused. (Bare uuencode lines without their
         ``begin`` line, quoted-printable and ROT13 of base64 are accepted too; not reported:
         no one keeps a key so.)
rt108-09 (HARM: memory kept after the load returns, 1,000 times a compressed file's size, for
         the process's life; trust/params.py ``VALID_ATOMS``, filled by ``check_params``) the
         load caches every parameter value it found valid as ``(cls, name, (type, value))``
         in a module-level set (up to 100,000 entries, with no bound in bytes): the file's own
         str objects stay referenced after ``load_unsigned`` returns or raises, whether the
         file was loaded or refused. ``SimpleImputer(strategy="constant", fill_value=<32 MB
         str>)`` as a zlib-compressed joblib file is 33 KB; ``load_unsigned`` refuses it (its
         repr would cost the printer too much) after ``check_params`` cached the 32 MB string:
         three such files leave 95 MB resident, eight files of 64 MB (65 KB each, 520 KB in
         all) 512 MB (RSS 155 -> 683 MB), and it grows with every file a long-running service
         loads (a model registry's scanner, an upload check). Plain joblib frees each string
         once the model is dropped; ``scan`` keeps nothing (its walk does not fill the set).
rt108-10 (SCAN-DISAGREES on honest models, HONEST-REFUSED by scan; trust/static_params.py
         ``param_value`` / ``_MAX_PARAM_NODES`` and trust/static_state.py's "unproven" branch)
         scan builds no parameter value that unfolds into more than 100,000 nodes, and calls a
         data value it did not build "unproven" where the class checks its parameters; the
         load checks the real list. An honest ``CountVectorizer(vocabulary=<100,001 terms>)``
         (a fixed vocabulary from a lexicon; 120,000 terms alike) or
         ``CountVectorizer``/``TfidfVectorizer(stop_words=<100,001 words>)``, and
         ``OneHotEncoder``/``OrdinalEncoder(categories=[<100,001 categories>])`` (zip codes,
         product ids), fitted and pickled by scikit-learn, is loaded by ``load_unsigned``
         (repr 0.1 s, transform in milliseconds) and UNSAFE to ``scan``
         ("CountVectorizer.vocabulary unproven: a box, a value the stream walk cannot build,
         where the class checks its parameters");
         ``safeload scan`` exits 1 on it. With 99,990 items both say SAFE/loaded. (At 200,000
         terms the load refuses too, by the printing cost: "some 0.7 s" estimated where repr
         takes 0.16 s.)

Ported by the maintainer (the next session, 19:00-19:25 UTC)
-----------------------------------------------------------
* rt108-01: a grid candidate, a thread count and LightGBM's settings are quoted by
  ``dtype_kinds.short`` (exact builtin types only), never printed whole.
* rt108-02 to 06: ``HMACKey`` finds points on P-224, P-192, the Brainpool r1 curves and SM2
  (and COSE's Brainpool ids), Windows CNG and CryptoAPI blobs, XML key values, DKIM records,
  WireGuard key lines, Java's printed keys, and any SubjectPublicKeyInfo by its shape.
* rt108-07: the use-time walk reads a dict subclass's own storage (``dict.items``).
* rt108-09: ``params.VALID_ATOMS`` keeps texts of at most 200 characters.
* rt108-08: runs of four or more 32- or 64-bit hex words (C's ``U``/``L`` suffixes, devicetree
  cells) are read as bytes in both byte orders (``hmac_key._separated_bytes``).
* Documented limit: rt108-10 (scan stricter than the load on parameters of more than 100,000
  items).

Held (tried, no finding)
------------------------
* copyreg ``_reconstructor(cls, base, state)``: 14 classes (int, str, float, list, tuple, dict,
  set, frozenset, object, bool, Bunch, Counter, OrderedDict, LinearRegression) x 9 bases
  (object, int, str, float, list, tuple, dict, set, frozenset) x 27 protocol-2 states (None,
  ints, bools, floats, str/bytes constants, empty and full tuples/lists/dicts/sets, pairs,
  big ints, "12", "nan", " 1_0 ", a 5,000-char text): 3,402 files, 74 SAFE, scan and load
  agree on all. Protocol 0 text states (``I5``, ``I01``/``I00`` booleans, ``I010``, ``I-0``,
  ``L5L``, ``L5``, ``F1.5``, ``Fnan``, ``F1e400``, ``S'ab'``, ``V`` with escapes, 30-digit
  ``I``, ``(l``/``(d``/``(t``) by REDUCE and by INST: 2,156 files, 30 SAFE, agree. With a
  BUILD after the call (none, ``None``, ``{}``, ``{"a": 1}``, ``(None, {})``, ``(None,
  {"a": 1})``, a list) for 8 classes (int, str, float, list, dict, Bunch,
  LinearRegression, dok_matrix) x 6 bases x 7 states: 2,352 files, 60 SAFE, agree. A dict or
  list handed to ``_reconstructor`` then changed by SETITEMS/APPENDS through the memo:
  refused by both (frozen). BINSTRING/SHORT_BINSTRING/STRING/UNICODE/BINUNICODE texts of
  10 B-300 KB with an ASCII, 0x80 or 0xff last byte, as a parameter and as a ``str`` base's
  state (150 files): agree.
* ``params._refuse``: rt97-01's ring of three imputers as every parameter of every
  ``all_estimators`` class (1,623 files): each refused within 0.5 s, never printed (the fix
  holds); a 6,000-digit int as a parameter is SAFE (``LogisticRegression(C=10**6000)``,
  ``SimpleImputer(fill_value=...)``; ``repr`` then raises Python's digit-limit ValueError,
  no harm), as a grid key or a thread count refused by both. A ring as ``_sklearn_version``
  in a BUILD state (InconsistentVersionWarning's ``str`` in ``__setstate__``): refused before
  loading. ScoringMonitor's listener connect in ``__setstate__``: ``sklearn.callback`` is a
  code primitive.
* Grids: ``[{"n_jobs": range(1000)}] * 1000`` and ``[{"verbose": range(2**20)}] * 10``
  (memo-shared): refused at once (thread-count row; printing cost). In-place rules over
  grids (HDBSCAN/TSNE/LinearModelCV/OneClassSVM conditions, exact and loose targets, steps
  replaced by the grid): read, not pursued further.
* Named tuples: IterativeImputer triplets ``_reconstructor(_ImputerTriplet, tuple, (a, b, c,
  extra))`` with 11 kinds of 4th item (None, int, a long str, an array, estimators, an
  estimator with a refused parameter, in a list/dict/tuple, a function) at protocols 1/2:
  agree (22 files). Slot states on triplets (``(None, OrderedDict())``, Counter, Bunch,
  defaultdict, ``(None, {})``, ``(OrderedDict(), None)``, a bare OrderedDict or Bunch) at
  protocols 1, 2, 4 (27 files): agree (all but ``(None, {})`` refused by both).
* Bunch as ``named_estimators_`` made by ``NEWOBJ(Bunch, items)``, ``NEWOBJ_EX`` with keyword
  items, NEWOBJ + SETITEMS, NEWOBJ + BUILD of the items (dropped by ``Bunch.__setstate__``),
  NEWOBJ with an argument + SETITEMS, NEWOBJ + BUILD ``{}``, at protocols 2, 4, 5 (18 files):
  agree.
* The ring in every fitted attribute of every ``all_estimators`` estimator fitted on 40 x 4
  data (the ring itself, a dict/list/object array holding it, a dict keyed by it: 3,565
  files): each refused within 0.5 s, none printed, no raw exception.
* Five-argument ``_frombuffer``: 300 random permuted arrays (2-5 dimensions of 1-3, 12 dtypes:
  f8, >f8, i1, u2, c16, f2, longdouble, U3, S2, M8[s], a record, bool), numpy's own protocol
  5 pickles in a list with a slice of them: SAFE and loaded, and after ``safeload.sign``,
  ``safeload.load`` (the views path) gives the same shape, dtype and bytes, aligned.
* Duplicate keys in a crafted SETITEMS of ``CountVectorizer.vocabulary_`` and
  ``DictVectorizer.vocabulary_`` (the last one wins: an out-of-range index first or last, two
  terms on one index) at protocols 2 and 4: agree (10 files). numpy field titles (any object
  numpy keeps in ``fields``, printed by ``repr`` of the array): str, tuple and int titles on
  an array as an extra attribute, ``mean_``, a ``fill_value`` record or the top object are
  SAFE and loaded; an estimator or a ring as the title is refused by both (25 files). A dok
  made by NEWOBJ with SETITEMS before its BUILD (protocols 2/4, 16 files): agree.
* Honest models under the new copyreg rules: every ``all_estimators`` estimator that fits on
  40 x 4 data (173), pickled at protocols 0 and 1 (346 files): SAFE and loaded but for the
  documented BisectingKMeans.
* Large fitted state: CountVectorizer and TfidfVectorizer fitted on 150,000 distinct terms
  (``vocabulary_`` of 150,000 entries, 2-3 MB) and a OneHotEncoder fitted on 150,000
  categories: SAFE and loaded (only parameters meet rt108-10's bound).
* A DAG of MultiOutputClassifiers (``estimators_ = [child] * 2``, 20 deep, 3 KB; its
  ``predict_proba`` availability check walks every estimator): refused before loading
  (unfolding budget).
* HMAC, honest secrets: 400,000 seeded random 32-byte secrets, and 60,000 each as hex, hex
  with a newline, base64, URL-safe base64, base32, 64 raw bytes and 33 raw bytes: none
  refused. Public keys refused as they should be: OpenSSH lines (tabs, NBSP, upper case),
  blobs in base64, DKIM RSA records, X9.62 P-256 in XML-DSig ECKeyValue, PKCS#1 DER bare.
  Tezos edpk/sppk, Polkadot/Substrate SS58, Cardano and Cosmos bech32, BIP 32 xpub, did:key,
  libp2p peer ids: refused. Not reported: Keybase's KID (``0120`` + key + ``0a`` in hex:
  three fixed bytes, too few to refuse random secrets on). Not reported (cannot be told from
  random bytes): a bare RSA modulus (raw, hex, decimal), a bare WireGuard key file, a
  compressed secp256k1 point in hex.
"""

from __future__ import annotations

import base64
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import safeload
from redteam import write

# --- rt108-01: a search's grid of an in-place parameter is printed inside the load ------------


def _imputer_ring(n: int) -> Any:
    """``n`` SimpleImputers, each the dict key of the next one's fill_value (rt97-01's ring,
    rt105-01/05): scikit-learn's printer goes round it until RecursionError, formatting the
    ring again at every level on the way down."""
    from sklearn.impute import SimpleImputer

    imputers = [SimpleImputer(strategy="constant") for _ in range(n)]
    for i, imputer in enumerate(imputers):
        imputer.fill_value = {imputers[(i + 1) % n]: 0}
    return imputers[0]


_GRID_CHILD = """
import math, pickle, resource, sys, time, warnings
warnings.simplefilter("ignore")
import safeload, sklearn.impute, sklearn.linear_model, sklearn.model_selection
used = resource.getrusage(resource.RUSAGE_SELF)
used = used.ru_utime + used.ru_stime
limit = math.ceil(used + {cpu})  # (RLIMIT_CPU counts whole seconds: {cpu} to {cpu} + 1 s)
resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 60))
start = time.process_time()
if "{how}" == "plain":
    model = pickle.load(open(sys.argv[1], "rb"))
    print("loaded", flush=True)
    try:
        repr({candidate})  # what in_place.grid_value_problem's message does
        print("returned", flush=True)
    except RecursionError:
        print("RecursionError", flush=True)
else:
    try:
        safeload.load_unsigned(sys.argv[1])
        print("loaded", flush=True)
    except safeload.SafeloadError as exc:
        print("refused", str(exc)[:200], flush=True)
    except RecursionError:
        print("raw RecursionError", flush=True)
print("cpu", round(time.process_time() - start, 2), flush=True)
"""


def _limited(program: str, path: Path) -> subprocess.CompletedProcess[str]:
    """``program`` in a fresh interpreter (``sys.argv[1]`` is ``path``), its CPU limited after
    its imports (SIGXCPU ends it): what it printed."""
    return subprocess.run(
        [sys.executable, "-c", program, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=path.parent,
        check=False,
    )


def _search(kind: str, ring: Any) -> tuple[Any, str]:
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

    if kind == "grid":
        return GridSearchCV(LinearRegression(), {"copy_X": [ring]}), "model.param_grid['copy_X'][0]"
    if kind == "grid-list":
        return (
            GridSearchCV(LinearRegression(), [{"copy_X": [ring]}]),
            "model.param_grid[0]['copy_X'][0]",
        )
    return (
        RandomizedSearchCV(LinearRegression(), {"copy_X": [ring]}),
        "model.param_distributions['copy_X'][0]",
    )


def test_rt108_01_grid_candidate_printed_in_load(tmp_path: Path) -> None:
    model, candidate = _search("grid", _imputer_ring(3))
    data = pickle.dumps(model, protocol=5)
    assert len(data) < 700
    path = write(tmp_path, data)
    # scan refuses it at once ("fit would set copy_X to a value a loaded model may not hold")
    assert not safeload.scan(data).safe
    # the harm: scikit-learn's printer on the candidate does not end within the limit
    plain = _limited(_GRID_CHILD.format(how="plain", candidate=candidate, cpu=1), path)
    assert "loaded" in plain.stdout and "returned" not in plain.stdout, plain
    assert "cpu" not in plain.stdout and plain.returncode < 0, plain  # (SIGXCPU)
    # today: object_checks.check_instance -> params.check_grid -> in_place.grid_value_problem
    # builds its message with {value!r}: the printer runs inside the load, before the
    # printing count (printed_problem); three imputers: 19.6 s, then a bare RecursionError
    run = _limited(_GRID_CHILD.format(how="safeload", candidate=candidate, cpu=1.5), path)
    assert "refused" in run.stdout, run


@pytest.mark.parametrize("kind", ["grid-list", "random"])
def test_rt108_01_two_imputers_raw_recursion_error(tmp_path: Path, kind: str) -> None:
    """Two imputers cost 0.6 s, and load_unsigned raises a bare RecursionError (not a
    SafeloadError) out of the printer; GridSearchCV with a dict or a list of dicts,
    RandomizedSearchCV alike."""
    model, _ = _search(kind, _imputer_ring(2))
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    try:
        safeload.load_unsigned(path)
    except safeload.SafeloadError:
        return
    except RecursionError:
        raise AssertionError("a bare RecursionError out of load_unsigned") from None
    raise AssertionError("loaded")


# --- rt108-02: X9.62 points on the other named curves ------------------------------------------

#: SM2 (GB/T 32918, GM/T 0003): p, a = p - 3, b and the base point.
_SM2_P = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
_SM2_B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
_SM2_G = (
    int("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7", 16),
    int("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0", 16),
)


def _sm2_point() -> bytes:
    """4G on SM2 (the public key of the private key 4), uncompressed, checked on the curve."""
    p, a = _SM2_P, _SM2_P - 3
    x, y = _SM2_G
    for _ in range(2):  # doubling twice
        slope = (3 * x * x + a) * pow(2 * y, -1, p) % p
        x, y = (slope * slope - 2 * x) % p, (slope * (x - (slope * slope - 2 * x) % p) - y) % p
    assert (y * y - x**3 - a * x - _SM2_B) % p == 0
    return b"\x04" + x.to_bytes(32, "big") + y.to_bytes(32, "big")


def _curve_point(name: str) -> bytes:
    """A fixed public key on the named curve, as X9.62's uncompressed point (04 || x || y), as
    cryptography (OpenSSL) writes it and reads it back."""
    if name == "sm2":
        return _sm2_point()
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    curve = {
        "brainpoolP256r1": ec.BrainpoolP256R1(),
        "brainpoolP384r1": ec.BrainpoolP384R1(),
        "brainpoolP512r1": ec.BrainpoolP512R1(),
        "secp224r1": ec.SECP224R1(),
        "secp192r1": ec.SECP192R1(),
    }[name]
    key = ec.derive_private_key(1234567890123, curve).public_key()
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    ec.EllipticCurvePublicKey.from_encoded_point(curve, point)  # (a valid public key)
    return point


_POINT_FORMS = {
    "raw": lambda point: point,
    "x||y": lambda point: point[1:],
    "hex": lambda point: point.hex().encode(),
    "0x-hex x||y": lambda point: b"0x" + point[1:].hex().encode(),
    "base64": lambda point: base64.b64encode(point),
}
_CURVES = [
    "brainpoolP256r1",
    "brainpoolP384r1",
    "brainpoolP512r1",
    "secp224r1",
    "secp192r1",
    "sm2",
]


@pytest.mark.parametrize("form", sorted(_POINT_FORMS))
@pytest.mark.parametrize("curve", _CURVES)
def test_rt108_02_point_on_other_curves(curve: str, form: str) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    # the same point on P-256 (and its x || y pair, and each text form) is refused
    p256 = (
        ec.derive_private_key(1234567890123, ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    with pytest.raises(KeyFormatError, match="X9.62"):
        HMACKey(_POINT_FORMS[form](p256))
    secret = _POINT_FORMS[form](_curve_point(curve))
    assert len(secret) >= 32
    with pytest.raises(KeyFormatError):
        HMACKey(secret)  # f82a69b: accepted (hmac_key._binary_form knows four curves)


def test_rt108_02_cose_brainpool_after_label() -> None:
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    point = _curve_point("brainpoolP256r1")
    # {1: 2 (EC2), 3: -26 (ES256... any alg), -1: 256 (brainpoolP256r1, IANA COSE curves),
    #  -2: x, -3: y}
    cose = (
        b"\xa5\x01\x02\x03\x38\x19\x20\x19\x01\x00\x21\x58\x20"
        + point[1:33]
        + b"\x22\x58\x20"
        + point[33:]
    )
    with pytest.raises(KeyFormatError, match="COSE"):
        HMACKey(cose)  # (the three-byte head at the start)
    with pytest.raises(KeyFormatError):
        HMACKey(b"label\n" + cose)  # _has_cose_key: _COSE_EC2_CURVES has no Brainpool curve


# --- rt108-03: an RSA public key as XML (.NET, XML-DSig) ---------------------------------------


def _rsa_modulus() -> bytes:
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(65537, 2048).public_key()
    return key.public_numbers().n.to_bytes(256, "big")


@pytest.mark.parametrize("kind", ["dotnet", "dotnet-indented", "xmldsig"])
def test_rt108_03_rsa_key_value_xml(kind: str) -> None:
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    modulus = base64.b64encode(_rsa_modulus())
    secret = {
        # .NET's RSA.ToXmlString(false) / RSACryptoServiceProvider: the public key only
        "dotnet": b"<RSAKeyValue><Modulus>"
        + modulus
        + b"</Modulus><Exponent>AQAB</Exponent></RSAKeyValue>",
        "dotnet-indented": b"<RSAKeyValue>\n  <Modulus>"
        + modulus
        + b"</Modulus>\n  <Exponent>AQAB</Exponent>\n</RSAKeyValue>\n",
        # W3C XML Signature's KeyInfo (SAML metadata, WS-Security)
        "xmldsig": b'<ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:KeyValue>'
        b"<ds:RSAKeyValue><ds:Modulus>"
        + modulus
        + b"</ds:Modulus><ds:Exponent>AQAB</ds:Exponent></ds:RSAKeyValue></ds:KeyValue>"
        b"</ds:KeyInfo>",
    }[kind]
    # the same key as a JSON Web Key ({"kty": "RSA", "n": ..., "e": "AQAB"}) is refused
    with pytest.raises(KeyFormatError):
        HMACKey(b'{"kty": "RSA", "n": "' + modulus + b'", "e": "AQAB"}')
    with pytest.raises(KeyFormatError):
        HMACKey(secret)  # f82a69b: accepted


# --- rt108-04: Windows CNG and CryptoAPI public key blobs --------------------------------------


def _windows_blobs() -> dict[str, bytes]:
    """A fixed RSA-2048 and P-256 public key as Windows writes them: CNG's
    ``BCryptExportKey(BCRYPT_RSAPUBLIC_BLOB)`` (magic ``RSA1``, bit length, exponent and
    modulus sizes, exponent and modulus big-endian), CryptoAPI's ``PUBLICKEYBLOB``
    (``CryptExportKey``, .NET's ``RSACryptoServiceProvider.ExportCspBlob(false)``: BLOBHEADER
    type 6, version 2, CALG_RSA_KEYX or CALG_RSA_SIGN, then ``RSA1``, bit length, exponent
    and the modulus little-endian) and CNG's ``BCRYPT_ECCPUBLIC_BLOB`` (``ECS1``/``ECK1``,
    the coordinate size, x, y)."""
    import struct

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    numbers = rsa.generate_private_key(65537, 2048).public_key().public_numbers()
    modulus = numbers.n.to_bytes(256, "big")
    point = (
        ec.derive_private_key(1234567890123, ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {
        "cng-rsa": struct.pack("<6I", 0x31415352, 2048, 3, 256, 0, 0) + b"\x01\x00\x01" + modulus,
        "capi-keyx": struct.pack("<BBHI3I", 6, 2, 0, 0xA400, 0x31415352, 2048, 65537)
        + modulus[::-1],
        "capi-sign": struct.pack("<BBHI3I", 6, 2, 0, 0x2400, 0x31415352, 2048, 65537)
        + modulus[::-1],
        "cng-ecdsa-p256": struct.pack("<2I", 0x31534345, 32) + point[1:],
        "cng-ecdh-p256": struct.pack("<2I", 0x314B4345, 32) + point[1:],
    }


@pytest.mark.parametrize("form", ["raw", "base64", "hex"])
@pytest.mark.parametrize("kind", sorted(_windows_blobs()))
def test_rt108_04_windows_key_blobs(kind: str, form: str) -> None:
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    blob = _windows_blobs()[kind]
    secret = {"raw": blob, "base64": base64.b64encode(blob), "hex": blob.hex().encode()}[form]
    with pytest.raises(KeyFormatError):
        HMACKey(secret)  # f82a69b: accepted


# --- rt108-05: labelled public-key records holding a raw key -----------------------------------


def _raw_keys() -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

    return (
        ed25519.Ed25519PrivateKey.generate().public_key().public_bytes_raw(),
        x25519.X25519PrivateKey.generate().public_key().public_bytes_raw(),
    )


def _java_modulus() -> int:
    return int.from_bytes(_rsa_modulus(), "big")


def _java_ec_text() -> bytes:
    """SunEC's ``ECPublicKeyImpl.toString()`` of a P-256 key: the point in decimal."""
    from cryptography.hazmat.primitives.asymmetric import ec

    point = ec.derive_private_key(99, ec.SECP256R1()).public_key().public_numbers()
    return (
        f"Sun EC public key, 256 bits\n  public x coord: {point.x}\n  public y coord: "
        f"{point.y}\n  parameters: secp256r1 [NIST P-256,X9.62 prime256v1] "
        "(1.2.840.10045.3.1.7)"
    ).encode()


@pytest.mark.parametrize(
    "kind",
    [
        "dkim-txt",
        "dkim-zone-line",
        "wireguard-peer",
        "wireguard-interface-line",
        "java-rsa-tostring",
        "java-ec-tostring",
    ],
)
def test_rt108_05_labelled_raw_key_records(kind: str) -> None:
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    ed, x = _raw_keys()
    # the same Ed25519 key as a DNSKEY record (algorithm 15) is refused (rt65-08's rule)
    with pytest.raises(KeyFormatError, match="DNSKEY"):
        HMACKey(b"example.com. 3600 IN DNSKEY 257 3 15 " + base64.b64encode(ed))
    secret = {
        # RFC 8463: a DKIM key record (the TXT data at selector._domainkey)
        "dkim-txt": b"v=DKIM1; k=ed25519; p=" + base64.b64encode(ed),
        "dkim-zone-line": b'sel._domainkey.example.com. IN TXT "v=DKIM1; k=ed25519; p='
        + base64.b64encode(ed)
        + b'"',
        # a WireGuard peer's public key as its configuration writes it
        "wireguard-peer": b"[Peer]\nPublicKey = "
        + base64.b64encode(x)
        + b"\nAllowedIPs = 10.0.0.2/32\n",
        "wireguard-interface-line": b"PublicKey = " + base64.b64encode(x) + b"\n",
        # Java's PublicKey.toString() (a log line, a debugger's view): RSA and EC (SunEC)
        "java-rsa-tostring": (
            f"Sun RSA public key, 2048 bits\n  params: null\n  modulus: {_java_modulus()}\n"
            "  public exponent: 65537"
        ).encode(),
        "java-ec-tostring": _java_ec_text(),
    }[kind]
    with pytest.raises(KeyFormatError):
        HMACKey(secret)  # f82a69b: accepted


# --- rt108-06: SubjectPublicKeyInfo of algorithms outside the OID list -------------------------


def _oid(dotted: str) -> bytes:
    parts = [int(x) for x in dotted.split(".")]
    body = bytes([parts[0] * 40 + parts[1]])
    for part in parts[2:]:
        enc = [part & 0x7F]
        part >>= 7
        while part:
            enc.append(0x80 | (part & 0x7F))
            part >>= 7
        body += bytes(reversed(enc))
    return b"\x06" + bytes([len(body)]) + body


def _tlv(tag: int, body: bytes) -> bytes:
    n = len(body)
    if n < 128:
        return bytes([tag, n]) + body
    size = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


def _spki(algorithm: str, parameters: bytes, key: bytes) -> bytes:
    """SubjectPublicKeyInfo ::= SEQUENCE { SEQUENCE { algorithm OID, parameters }, BIT STRING }"""
    return _tlv(0x30, _tlv(0x30, _oid(algorithm) + parameters) + _tlv(0x03, b"\x00" + key))


def _unlisted_spkis() -> dict[str, bytes]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    p256 = _p256_point()
    pkcs1 = (
        rsa.generate_private_key(65537, 2048)
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)
    )
    return {
        # SECG's id-ecDH and id-ecMQV (SEC 1 section C.1) with a P-256 point
        "secg-id-ecDH": _spki("1.3.132.1.12", _oid("1.2.840.10045.3.1.7"), p256),
        "secg-id-ecMQV": _spki("1.3.132.1.13", _oid("1.2.840.10045.3.1.7"), p256),
        # RFC 4055's id-RSAES-OAEP and X.509's id-ea-rsa with a PKCS#1 RSA key
        "rsaes-oaep": _spki("1.2.840.113549.1.1.7", b"", pkcs1),
        "x500-id-ea-rsa": _spki("2.5.8.1.1", b"\x02\x02\x08\x00", pkcs1),
        # BSI TR-03111's ECGDSA (ecgPublicKey) on brainpoolP256r1
        "ecgdsa": _spki(
            "1.3.36.3.3.2.5.2.1", _oid("1.3.36.3.3.2.8.1.1.7"), _curve_point("brainpoolP256r1")
        ),
        # GM/T 0009's SM2 algorithm identifier
        "sm2": _spki("1.2.156.10197.1.301", b"", _curve_point("sm2")),
        # Open Quantum Safe's OpenSSL provider: Dilithium3 (round 3), a 1,952-byte key
        "oqs-dilithium3": _spki("1.3.6.1.4.1.2.267.7.6.5", b"", bytes(range(244)) * 8),
    }


def _p256_point() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    return (
        ec.derive_private_key(99, ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


@pytest.mark.parametrize("form", ["der", "base64"])
@pytest.mark.parametrize("kind", sorted(_unlisted_spkis()))
def test_rt108_06_spki_of_unlisted_algorithms(kind: str, form: str) -> None:
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    der = _unlisted_spkis()[kind]
    # the same P-256 point under id-ecPublicKey is refused
    with pytest.raises(KeyFormatError):
        HMACKey(_spki("1.2.840.10045.2.1", _oid("1.2.840.10045.3.1.7"), _p256_point()))
    secret = der if form == "der" else base64.b64encode(der)
    with pytest.raises(KeyFormatError):
        HMACKey(secret)  # f82a69b: accepted (an exact SPKI shape, but cryptography cannot
        # parse it and its algorithm identifier is not in _KEY_ALGORITHM_OIDS)


# --- rt108-07: a dok matrix's own dict items, unseen by the load's walk ------------------------


class _DokWith:
    """Pickles as ``copyreg._reconstructor(cls, dict, items)`` and BUILD ``state``: what
    protocols 0-1 (and 2, through ``dok.__reduce__`` = ``dict.__reduce__``) write for a dok
    matrix, with ``items`` of the file's choosing in place of ``dict(dok)``."""

    def __init__(self, cls: type, items: dict[Any, Any], state: Any) -> None:
        self.cls, self.items, self.state = cls, items, state

    @property  # type: ignore[misc]
    def __class__(self) -> type:  # (pickle asks obj.__class__)
        return self.cls

    def __reduce_ex__(self, protocol: int) -> Any:
        import copyreg

        return (copyreg._reconstructor, (self.cls, dict, self.items), self.state)


def _refused_estimator() -> Any:
    """A LogisticRegression whose ``C`` its own parameter constraints refuse: what the load's
    walk refuses wherever it meets it."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression()
    model.C = "not a number"
    return model


@pytest.mark.parametrize(
    ("container", "protocol"), [("pickle", 1), ("pickle", 2), ("joblib", 2), ("joblib", 4)]
)
@pytest.mark.parametrize("kind", ["dok_matrix", "dok_array"])
def test_rt108_07_dok_dict_items_unwalked(
    tmp_path: Path, kind: str, container: str, protocol: int
) -> None:
    import io

    import joblib
    import scipy.sparse as sp

    from redteam import assert_scan_predicts_load

    def dumped(obj: Any) -> bytes:
        if container == "pickle":
            return pickle.dumps(obj, protocol=protocol)
        out = io.BytesIO()
        joblib.dump(obj, out, protocol=protocol)
        return out.getvalue()

    name = "m.pkl" if container == "pickle" else "m.joblib"
    cls = getattr(sp, kind)
    honest = cls((3, 3))
    honest[0, 1] = 2.0
    state = honest.__reduce_ex__(2)[2]  # (_shape, maxprint, _dict, dtype)
    # the estimator, alone, is refused by both
    assert_scan_predicts_load(dumped([_refused_estimator()]), tmp_path, refused=True, name=name)
    data = dumped(_DokWith(cls, {"hidden": _refused_estimator()}, state))
    loaded = joblib.load(write(tmp_path, data, "plain." + name.split(".")[1]))
    # the dok works as the honest one (its _dict), and holds the estimator in its own dict
    # storage, where only dict's own methods reach it
    assert loaded.nnz == 1 and loaded[0, 1] == 2.0
    assert dict.__len__(loaded) == 1 and dict.__getitem__(loaded, "hidden").C == "not a number"
    # today: scan calls it UNSAFE (it models the items), load_unsigned loads it: the use-time
    # walk reads a dok through items()/keys(), which scipy answers from _dict, so the object
    # in the dict storage is never checked
    assert_scan_predicts_load(data, tmp_path, name=name)


# --- rt108-08: a DER public key printed as 32- or 64-bit words ---------------------------------


def _spki_p256() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.derive_private_key(99, ec.SECP256R1()).public_key()
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _words(der: bytes, size: int, order: str) -> list[int]:
    return [int.from_bytes(der[i : i + size], order) for i in range(0, len(der), size)]  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", ["u32-le", "u32-be-upper-U", "u64-be-ULL", "dts-cells"])
def test_rt108_08_der_key_as_printed_words(kind: str) -> None:
    from safeload.exceptions import KeyFormatError
    from safeload.signing.hmac_key import HMACKey

    der = _spki_p256()
    assert len(der) == 91
    padded = der + bytes(5)  # (to whole 32- and 64-bit words, as a C array holds it)
    # the same key as a C array of bytes (``xxd -i``, MCUboot's ``imgtool getpub``) is refused
    with pytest.raises(KeyFormatError):
        HMACKey(("{" + ", ".join(f"0x{b:02x}" for b in der) + "}").encode())
    secret = {
        # a firmware's ``static const uint32_t pubkey[]`` in memory order (little-endian)
        "u32-le": "static const uint32_t pubkey[] = {"
        + ", ".join(f"0x{w:08x}" for w in _words(padded, 4, "little"))
        + "};",
        "u32-be-upper-U": "{" + ", ".join(f"0x{w:08X}U" for w in _words(padded, 4, "big")) + "}",
        "u64-be-ULL": "{" + ", ".join(f"0x{w:016x}ULL" for w in _words(padded, 8, "big")) + "}",
        # a devicetree property of 32-bit cells
        "dts-cells": "key = <" + " ".join(f"0x{w:08x}" for w in _words(padded, 4, "big")) + ">;",
    }[kind].encode()
    with pytest.raises(KeyFormatError):
        HMACKey(secret)  # f82a69b: accepted (hmac_key._separated_bytes reads bytes, not words)


# --- rt108-09: the load keeps every file's valid str parameters alive after it returns --------

_RETAINED_CHILD = """
import gc, os, sys, warnings
warnings.simplefilter("ignore")
import joblib, safeload


def rss_mb():
    pages = int(open("/proc/self/statm").read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") >> 20


paths = sys.argv[1:]
# warm up (imports, class facts): a small honest file of the same kind, loaded and dropped
import pickle, sklearn.impute
small = os.path.join(os.path.dirname(paths[0]), "small.joblib")
joblib.dump(sklearn.impute.SimpleImputer(strategy="constant", fill_value="x"), small)
joblib.load(small)
safeload.load_unsigned(small)
gc.collect()
before = rss_mb()
for path in paths:
    if "{how}" == "plain":
        model = joblib.load(path)
        assert len(model.fill_value) == 32 << 20
        del model
    else:
        try:
            safeload.load_unsigned(path)
            print("loaded", flush=True)
        except safeload.SafeloadError as exc:
            print("refused", str(exc)[:80], flush=True)
    gc.collect()
print("retained_mb", rss_mb() - before, flush=True)
"""


def test_rt108_09_valid_atoms_retain_file_strings(tmp_path: Path) -> None:
    import joblib
    from sklearn.impute import SimpleImputer

    paths = []
    for i in range(2):
        path = tmp_path / f"m{i}.joblib"
        # a 32 MB fill_value (any str is valid), zlib-compressed: 33 KB on disk
        model = SimpleImputer(strategy="constant", fill_value=chr(65 + i) * (32 << 20))
        joblib.dump(model, path, compress=("zlib", 9))
        del model
        assert path.stat().st_size < 40_000
        paths.append(str(path))
    program = _RETAINED_CHILD
    run = [sys.executable, "-c"]
    # plain joblib: each file is 32 MB while it is held, and nothing is left once dropped
    plain = subprocess.run(
        [*run, program.replace("{how}", "plain"), *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "retained_mb" in plain.stdout, plain
    assert int(plain.stdout.split("retained_mb")[1]) < 32, plain.stdout
    # safeload refuses each file (its repr would cost the printer too much) ...
    safe = subprocess.run(
        [*run, program.replace("{how}", "safeload"), *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    assert safe.stdout.count("refused") == 2, safe
    # ... but today keeps each 32 MB string: params.check_params adds every valid atom to the
    # module-level VALID_ATOMS (up to 100,000 entries, no bound in bytes), before the printing
    # cost refuses the file. 2 files of 33 KB: 64 MB kept for the process's life.
    assert int(safe.stdout.split("retained_mb")[1]) < 32, safe.stdout


# --- rt108-10: a parameter list of more than 100,000 items: scan unsafe, load loads -----------


@pytest.mark.xfail(
    strict=True,
    reason="rt108-10, a documented limit (SECURITY.md): scan builds no parameter value of "
    "more than 100,000 items and calls it unproven (stricter than the load, which checks it)",
)
@pytest.mark.parametrize(("parameter", "count"), [("vocabulary", 100_001)])
def test_rt108_10_long_parameter_list_unproven(tmp_path: Path, parameter: str, count: int) -> None:
    from sklearn.feature_extraction.text import CountVectorizer

    from redteam import parity

    words = [f"{parameter[0]}{i}" for i in range(count)]  # (stop words s0.., terms v0..)
    model = CountVectorizer(**{parameter: words}).fit(["v1 v2 v3", "v4 v5 v1"])
    data = pickle.dumps(model, protocol=5)
    # (honest: what scikit-learn makes; its repr takes 0.1 s, transform milliseconds; with
    # 99,990 stop words scan calls it SAFE)
    assert model.transform(["v1 s1 zz"]).shape[0] == 1
    safe, outcome = parity(data, tmp_path)
    assert outcome == "loaded"
    # today: scan calls it UNSAFE ("CountVectorizer.<parameter> unproven: a box, a value the
    # stream walk cannot build, where the class checks its parameters"): static_params.
    # param_value builds no parameter value of more than _MAX_PARAM_NODES (100,000) nodes, and
    # static_state calls a data value it did not build unproven; the load checks the real list
    assert safe, "scan: unsafe"
