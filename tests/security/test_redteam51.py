"""Red team 51's reproducers (helper-94, 11:13-11:59 UTC), all fixed (normal tests): rt51-01
and rt51-02 (INST/OBJ without arguments judged as ``__new__``), rt51-03 (``_folders.real_folder``:
verify and sign use the real folder), rt51-04 (``HMACKey`` refuses public keys in every
encoding it can tell), rt51-05 (an approval only on a statement a trusted key already signed),
rt51-06 (``model_root`` resolved).

rt51-01 (HARM: SIGSEGV in load_unsigned, scan SAFE) numpy's bit generators made by the OBJ or
        INST opcode with no arguments. CPython's C unpickler (``instantiate``) calls
        ``cls.__new__(cls)`` for OBJ/INST of a class with an empty argument tuple and no
        ``__getinitargs__``: exactly what NEWOBJ does, never ``cls()``. The static pass treats
        OBJ/INST as one call step with REDUCE (``walk_calls._push_call``) and judges it as
        ``cls()``; the rt38-16 rule that refuses NEWOBJ on a bit generator or random state
        ("made bare, its native state is never set", ``call_rules._numpy_form_problem``)
        only looks at ``newobj=True``. So ``(cnumpy.random._pcg64\\nPCG64\\no.`` (40 bytes;
        likewise ``PCG64DXSM``, ``Philox``; INST forms too) is SAFE to scan, and
        ``load_unsigned`` dies with SIGSEGV in its check after building (reading ``.state``
        dereferences the state pointer ``__init__`` never allocated). With a BUILD of an
        honest PCG64 state after the OBJ, the C unpickler itself writes through that NULL
        pointer (plain ``pickle.loads`` segfaults too): scan SAFE, load_unsigned SIGSEGV.
        ``MT19937`` and ``SFC64`` made the same way load, and the loaded object's documented
        ctypes interface (``bg.ctypes.next_uint64(bg.ctypes.state)``) jumps through a NULL
        function pointer. Fix: apply the NEWOBJ rules (``newobj=True``) to OBJ and INST with
        an empty argument tuple on a class (``BIT_GENERATORS``, ``_RANDOM_CLASSES``), or refuse
        zero-argument OBJ/INST of any class not known to be safe bare.
rt51-02 (PARITY: scan SAFE, load refuses) the same form on ``numpy.random.mtrand.RandomState``
        (OBJ or INST, no arguments): scan SAFE, ``load_unsigned`` fails its check after
        building ("AttributeError: 'NoneType' object ..."), since ``RandomState.__new__``
        leaves ``_bit_generator`` unset. Same root cause and fix as rt51-01. (Found by a sweep
        of all 410 allowlisted classes by OBJ and by INST with no arguments: these four
        classes are the only disagreements.)
rt51-03 (TRUST, low: ``verify`` and ``load`` consult different signatures) a signed folder
        reached through a symlinked folder that has its own sidecar: ``current -> v2`` with
        both ``current.sig`` and ``v2.sig`` beside them. ``load('current/m.pkl')`` and
        ``verify('current/m.pkl')`` follow SECURITY.md's rule ("holds" means where the file
        really is: ``v2.sig`` governs), but ``verify('current')`` (and ``safeload verify
        current``) checks the folder against ``current.sig``: ``_loading.verified_statement``
        resolves the link only when ``current.sig`` is missing, and its outermost-folder step
        compares ``governing_folder(realpath/_)`` with the resolved path, which is ``v2``
        itself. So with ``v2.sig`` by an untrusted key (or expired, or with an older version
        than the state file holds) and ``current.sig`` valid, ``verify current`` says OK while
        every load of a file in it refuses; the other way round, a gate running ``verify
        current`` refuses a folder every load accepts. SECURITY.md: "``verify current`` /
        ``safeload verify current`` verify ``v2``". (``safeload.sign('current')`` also writes
        ``current.sig`` for a symlinked folder, a signature no load ever consults.) Fix: in
        ``verified_statement``, decide the governing folder from the real path always (a
        ``DIR.sig`` of the link's target, or of a folder above it, governs whether or not the
        link has its own ``.sig``), and have ``sign`` refuse or resolve a symlinked folder.
rt51-04 (TRUST, low: algorithm confusion guard incomplete) SECURITY.md: "Public-key bytes are
        refused as an HMAC secret." ``signing.hmac_key.HMACKey.__init__`` refuses only bytes
        that start (after whitespace) with ``-----BEGIN``: the same PEM public key with a BOM
        or an explanatory line before the armour (RFC 7468 allows text there), the key in
        OpenSSH form (``ssh-ed25519 AAAA...``), its DER SubjectPublicKeyInfo (44 bytes for
        Ed25519, 91 for P-256) and an X9.62 point are all accepted as a secret, so a verifier
        configured with ``HMACKey(Path('keys/release.pub').read_bytes())`` accepts sidecars
        anyone holding the (public) key MACs. Fix: refuse a secret containing a PEM armour line
        anywhere, an OpenSSH public-key line, and bytes that ``load_der_public_key`` parses
        (raw 32-byte keys cannot be told from random secrets; document that).
rt51-05 (TRUST: an approval signs metadata no trusted key wrote) ``safeload.sign(...,
        append=True)`` / ``safeload sign FILE --key K --append`` (``_writing.sign_locked`` and
        ``approve``) parses the existing sidecar and checks only that its statement
        ``describes`` these bytes (sizes and digests, rt26b-01); no existing signature is
        checked against any key. Whoever can hand over or replace the sidecar (the threat
        model: "a model, a sidecar, both") writes a statement for the real bytes with a junk
        signature and the metadata of their choice: version ``999``, no expiry, another model
        name. The approver's appended signature makes it valid for every keyring trusting the
        approver: loading it with a trust-state file records ``churn 999``, and the
        publisher's real 2.0 release is refused from then on as a rollback (TUF's freeze
        attack); an expiry the publisher set is dropped; a ``name`` of another model poisons
        that model's rollback record. An approval is meant to add a second key to what a
        first trusted key signed ("1 of 2 required signatures ... approvals are missing"), but
        nothing ties it to one. Fix: append only to a sidecar that already verifies under the
        keys the approver trusts (``sign --append`` takes ``--pub/--keyring``, the API a
        ``keys=``), counting at least one valid signature from a key other than the
        approver's, and show the approver the statement it signs.
rt51-06 (HONEST-REFUSED) a file of a model_signing-signed folder verified or loaded with a
        relative ``model_root`` (the documented form: ``model_root='model',
        signature='model/model.sig'``; CLI ``safeload verify model/x.pkl --model-root model
        --signature model/model.sig``): ``verify`` and ``load`` raise a raw ``ValueError``
        ("'/abs/model/x.pkl' is not in the subpath of 'model' OR one path is relative and the
        other is absolute"; not a ``SafeloadError``; the CLI exits 2 with that text) after the
        whole folder verified. The same call with the absolute path of the folder works.
        ``_folders.signed_folder`` returns ``Path(model_root)`` as given, and
        ``verify_in_folder`` takes ``real_file(p).relative_to(folder)`` (absolute against
        relative) or falls back to ``spelled(p)`` (also absolute). Fix: make the root absolute
        with its links resolved in ``signed_folder`` (as ``inside`` already does for its
        check).
rt51-07 (HARM: heap overread and SIGSEGV on an honest call, scan SAFE) a weighted distance
        metric on its own (``DistanceMetric.get_metric('seuclidean', V=np.ones(1))``,
        ``('minkowski', p=3, w=np.ones(1))``, ``('mahalanobis', VI=np.eye(2))``, 32- and
        64-bit) as the model or held anywhere but in a KD/Ball tree: ``pairwise`` checks the
        data's width against the weights only for dense input, so
        ``metric.pairwise(csr_matrix(X))`` with 5000 columns reads past ``V``/``w`` (garbage
        distances) and Mahalanobis writes its buffer at the data's column indexes (2**24
        columns: SIGSEGV, exit 139). Fixed: such a metric is refused unless
        every path to it from the model enters a tree, whose check ties its sizes to the data
        (``structures.neighbors.stray_metric_problem``, in load and scan).
"""

from __future__ import annotations

import pickle
from datetime import UTC

import numpy as np
import pytest

from redteam import child, global_, parity

# --- rt51-01 / rt51-02: OBJ and INST with no arguments are NEWOBJ, not a call --------------

_SCAN_THEN_LOAD = (
    "import safeload\n"
    "data = open(sys.argv[1], 'rb').read()\n"
    "print('scan_safe', safeload.scan(data).safe, flush=True)\n"
    "try:\n"
    "    model = safeload.load_unsigned(sys.argv[1])\n"
    "except safeload.SafeloadError as exc:\n"
    "    print('refused', str(exc)[:200], flush=True)\n"
    "    raise SystemExit(0)\n"
    "print('loaded', type(model).__name__, flush=True)\n"
)


def _bare(module: str, name: str, opcode: str, state: bytes = b"") -> bytes:
    """``module.name`` made by OBJ or INST with no arguments (``cls.__new__(cls)`` in the C
    unpickler), then a BUILD of ``state`` when given (pickled value opcodes)."""
    if opcode == "OBJ":
        made = b"\x80\x02(" + global_(module, name) + b"o"
    else:
        made = b"\x80\x02(i" + module.encode() + b"\n" + name.encode() + b"\n"
    return made + (state + b"b" if state else b"") + b"."


_BARE_CRASHING = [
    ("numpy.random._pcg64", "PCG64"),
    ("numpy.random._pcg64", "PCG64DXSM"),
    ("numpy.random._philox", "Philox"),
]


@pytest.mark.parametrize("opcode", ["OBJ", "INST"])
@pytest.mark.parametrize("cls", _BARE_CRASHING, ids=lambda c: c[1])
def test_rt51_01_bare_bit_generator_crashes_load(tmp_path, cls, opcode):
    path = tmp_path / "m.pkl"
    path.write_bytes(_bare(*cls, opcode))
    ran = child(_SCAN_THEN_LOAD, path, cpu=20, timeout=120)
    # the safe behaviour: no crash, and both refuse (no writer makes a bit generator so)
    assert ran.returncode == 0, ran
    assert "scan_safe False" in ran.stdout and "refused" in ran.stdout, ran


def _pcg64_state() -> bytes:
    """An honest PCG64's pickled BUILD state (value opcodes, no PROTO/STOP)."""
    return pickle.dumps(np.random.PCG64(1).__getstate__(), protocol=2)[2:-1]


def test_rt51_01_plain_pickle_crashes_too(tmp_path):
    """The attack works on plain pickle: an OBJ of PCG64 and an honest state segfaults in
    ``pickle.loads`` (the BUILD writes through the state pointer ``__init__`` never set)."""
    path = tmp_path / "m.pkl"
    path.write_bytes(_bare("numpy.random._pcg64", "PCG64", "OBJ", _pcg64_state()))
    ran = child("import pickle\npickle.loads(open(sys.argv[1], 'rb').read())\n", path)
    assert ran.returncode != 0, ran  # SIGSEGV


@pytest.mark.parametrize("opcode", ["OBJ", "INST"])
def test_rt51_01_bare_bit_generator_with_state(tmp_path, opcode):
    path = tmp_path / "m.pkl"
    path.write_bytes(_bare("numpy.random._pcg64", "PCG64", opcode, _pcg64_state()))
    ran = child(_SCAN_THEN_LOAD, path, cpu=20, timeout=120)
    assert ran.returncode == 0, ran
    assert "scan_safe False" in ran.stdout and "refused" in ran.stdout, ran


@pytest.mark.parametrize("name", ["MT19937", "SFC64"])
def test_rt51_01_bare_bit_generator_loads_broken(tmp_path, name):
    module = {"MT19937": "numpy.random._mt19937", "SFC64": "numpy.random._sfc64"}[name]
    path = tmp_path / "m.pkl"
    path.write_bytes(_bare(module, name, "OBJ"))
    # what an honest MT19937 does fine, this one does through a NULL function pointer
    call = "model.ctypes.next_uint64(model.ctypes.state)\nprint('called', flush=True)\n"
    ran = child(_SCAN_THEN_LOAD + call, path, cpu=20, timeout=120)
    assert ran.returncode == 0, ran
    assert "scan_safe False" in ran.stdout and "refused" in ran.stdout, ran


def test_rt51_01_honest_bit_generators_load(tmp_path):
    """Guard for the fix: numpy's own pickles of bit generators and generators still load."""
    import safeload

    for made in (np.random.PCG64(3), np.random.MT19937(3), np.random.default_rng(3)):
        data = pickle.dumps(made, protocol=2)
        path = tmp_path / "g.pkl"
        path.write_bytes(data)
        assert safeload.scan(data).safe
        safeload.load_unsigned(path)


@pytest.mark.parametrize("opcode", ["OBJ", "INST"])
def test_rt51_02_bare_random_state(tmp_path, opcode):
    data = _bare("numpy.random.mtrand", "RandomState", opcode)
    safe, outcome = parity(data, tmp_path)
    assert outcome == "refused"
    assert safe == (outcome == "loaded"), (safe, outcome)


# --- rt51-03: verify of a symlinked signed folder reads the link's own .sig ----------------


def _linked_folder(tmp_path, trusted_on: str):
    """``tmp_path/v2`` (one StandardScaler file) and ``current -> v2``; ``v2.sig`` and
    ``current.sig`` each sign the folder, by the trusted key only on ``trusted_on``."""
    import os

    from sklearn.preprocessing import StandardScaler

    import safeload

    key, stranger = safeload.SigningKey.generate(), safeload.SigningKey.generate()
    v2 = tmp_path / "v2"
    v2.mkdir()
    safeload.dump(StandardScaler().fit([[0.0], [1.0]]), v2 / "m.pkl", key)
    (v2 / "m.pkl.sig").unlink()
    os.symlink("v2", tmp_path / "current")
    # current.sig: the folder's signature moved beside the link (sign(current) signs v2 now)
    safeload.sign(v2, key if trusted_on == "current" else stranger)
    (tmp_path / "v2.sig").rename(tmp_path / "current.sig")
    safeload.sign(v2, key if trusted_on == "v2" else stranger)
    assert (tmp_path / "current.sig").is_file() and (tmp_path / "v2.sig").is_file()
    return key.public_key


def _verdict(call) -> bool:
    import safeload

    try:
        call()
    except safeload.SafeloadError:
        return False
    return True


@pytest.mark.parametrize("trusted_on", ["current", "v2"])
def test_rt51_03_verify_symlinked_folder_uses_its_own_sig(tmp_path, trusted_on):
    import safeload

    pub = _linked_folder(tmp_path, trusted_on)
    loads = _verdict(lambda: safeload.load(tmp_path / "current" / "m.pkl", pub))
    assert loads == (trusted_on == "v2")  # v2.sig governs the file (SECURITY.md)
    assert _verdict(lambda: safeload.verify(tmp_path / "current" / "m.pkl", pub)) == loads
    # the folder's own verify must give the verdict of the signature that governs its files
    assert _verdict(lambda: safeload.verify(tmp_path / "current", pub)) == loads


def test_rt51_03_signed_through_link_only(tmp_path):
    """Honest use: the folder is signed through its link (``safeload sign current``); verify
    of the folder passes and every load of a file in it refuses (no signature governs it)."""
    import os

    from sklearn.preprocessing import StandardScaler

    import safeload

    key = safeload.SigningKey.generate()
    v2 = tmp_path / "v2"
    v2.mkdir()
    safeload.dump(StandardScaler().fit([[0.0], [1.0]]), v2 / "m.pkl", key)
    (v2 / "m.pkl.sig").unlink()
    os.symlink("v2", tmp_path / "current")
    safeload.sign(tmp_path / "current", key)
    pub = key.public_key
    folder = _verdict(lambda: safeload.verify(tmp_path / "current", pub))
    loads = _verdict(lambda: safeload.load(tmp_path / "current" / "m.pkl", pub))
    assert folder == loads, (folder, loads)


def _v2_and_links(tmp_path):
    """``v2`` (one file), ``latest -> v2`` and ``current -> latest``; the signing key and the
    public key written to ``k.pub`` and ``k.key``."""
    import os

    from sklearn.preprocessing import StandardScaler

    import safeload

    key = safeload.SigningKey.generate()
    v2 = tmp_path / "v2"
    v2.mkdir()
    safeload.dump(StandardScaler().fit([[0.0], [1.0]]), v2 / "m.pkl", key)
    (v2 / "m.pkl.sig").unlink()
    os.symlink("v2", tmp_path / "latest")
    os.symlink("latest", tmp_path / "current")
    (tmp_path / "k.pub").write_bytes(key.public_key.to_pem())
    key.save(tmp_path / "k.key")
    return key


@pytest.mark.parametrize("how", ["api", "cli", "model-signing"])
def test_rt51_03_sign_through_links_signs_the_real_folder(tmp_path, monkeypatch, capsys, how):
    """``sign current`` (a link to a link) writes ``v2.sig``, says so, and leaves no
    ``current.sig``; verify of the link, of ``.`` inside it, and load of a file all pass."""
    import safeload
    from safeload.cli import main

    key = _v2_and_links(tmp_path)
    pub = key.public_key
    if how == "api":
        assert safeload.sign(tmp_path / "current", key) == tmp_path / "v2.sig"
    elif how == "cli":
        assert main(["sign", str(tmp_path / "current"), "--key", str(tmp_path / "k.key")]) == 0
        out = capsys.readouterr().out
        assert "is a link to the folder" in out and str(tmp_path / "v2.sig") in out
    else:
        from safeload.signing.ecdsa import ECDSASigningKey

        ec = ECDSASigningKey.generate()
        pub = ec.public_key
        safeload.sign(tmp_path / "current", ec, signature_format="model-signing")
    assert sorted(x.name for x in tmp_path.glob("*.sig")) == ["v2.sig"]
    safeload.verify(tmp_path / "current", pub)
    safeload.load(tmp_path / "current" / "m.pkl", pub)
    monkeypatch.chdir(tmp_path / "current")
    safeload.verify(".", pub)
    if how != "model-signing":
        assert main(["verify", ".", "--pub", str(tmp_path / "k.pub")]) == 0


def test_rt51_03_link_sig_alone_is_refused_by_verify_as_by_load(tmp_path, capsys):
    """Only ``current.sig`` (say, written by an older safeload): verify of the folder refuses,
    as every load of its files does, and says which signature would govern."""
    import safeload
    from safeload.cli import main

    key = _v2_and_links(tmp_path)
    safeload.sign(tmp_path / "v2", key)
    (tmp_path / "v2.sig").rename(tmp_path / "current.sig")
    with pytest.raises(safeload.MissingSignatureError, match="no load of its files consults"):
        safeload.verify(tmp_path / "current", key.public_key)
    with pytest.raises(safeload.SignatureError):
        safeload.load(tmp_path / "current" / "m.pkl", key.public_key)
    assert main(["verify", str(tmp_path / "current"), "--pub", str(tmp_path / "k.pub")]) == 1
    assert "safeload sign " + str(tmp_path / "v2") in capsys.readouterr().err


# --- rt51-04: public-key bytes other than bare PEM accepted as an HMAC secret --------------


def _public_forms() -> dict[str, bytes]:
    from cryptography.hazmat.primitives import serialization as ser

    import safeload

    pem = safeload.SigningKey.generate().public_key.to_pem()
    key = ser.load_pem_public_key(pem)
    return {
        "pem-after-comment": b"release signing key (public)\n" + pem,
        "pem-after-bom": b"\xef\xbb\xbf" + pem,
        "openssh": key.public_bytes(ser.Encoding.OpenSSH, ser.PublicFormat.OpenSSH),
        "der-spki": key.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo),
    }


def test_rt51_04_bare_pem_refused():
    """Guard: the form the check knows is refused."""
    import safeload
    from safeload.signing.hmac_key import HMACKey

    with pytest.raises(safeload.SafeloadError):
        HMACKey(safeload.SigningKey.generate().public_key.to_pem())


@pytest.mark.parametrize("form", ["pem-after-comment", "pem-after-bom", "openssh", "der-spki"])
def test_rt51_04_public_key_as_hmac_secret(tmp_path, form):
    import safeload
    from safeload.signing.hmac_key import HMACKey

    public = _public_forms()[form]
    assert len(public) >= 32  # long enough to pass as a secret today
    with pytest.raises(safeload.SafeloadError):
        HMACKey(public)  # anyone holding the public key could MAC with it


def _ec_forms() -> list[tuple[str, bytes]]:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    forms = []
    for curve in (ec.SECP256R1(), ec.SECP384R1(), ec.SECP521R1()):
        key = ec.generate_private_key(curve).public_key()
        for label, enc, fmt in (
            ("point", Encoding.X962, PublicFormat.UncompressedPoint),
            # (not a compressed point: like a raw Ed25519 key it is any random bytes of its
            # length half the time, and refusing it refused 1 in 256 random 33-byte secrets,
            # rt54-06)
            ("der", Encoding.DER, PublicFormat.SubjectPublicKeyInfo),
            ("openssh", Encoding.OpenSSH, PublicFormat.OpenSSH),
        ):
            forms.append((f"{curve.name}-{label}", key.public_bytes(enc, fmt)))
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    forms.append(("rsa-openssh", rsa_key.public_bytes(Encoding.OpenSSH, PublicFormat.OpenSSH)))
    forms.append(("rsa-der", rsa_key.public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)))
    return forms


def test_rt51_04_neighbours_refused_and_secrets_kept():
    """ECDSA (P-256/384/521) and RSA keys as X9.62 points, DER and OpenSSH lines are refused,
    naming the form, also as hex (``from_hex``); random secrets and ``generate`` still work."""
    import os

    import safeload
    from safeload.signing.hmac_key import HMACKey

    for label, public in _ec_forms():
        with pytest.raises(safeload.KeyFormatError, match="public key") as info:
            HMACKey.from_hex(public.hex())
        assert "not secrets" in str(info.value), label
    with pytest.raises(safeload.KeyFormatError, match="PEM"):
        HMACKey(b"# note\r\n" + safeload.SigningKey.generate().public_key.to_pem())
    for size in (32, 48, 64, 65):
        HMACKey(os.urandom(size))
    HMACKey.generate()


@pytest.mark.parametrize("helper", ["__generator_ctor", "__randomstate_ctor"])
def test_rt51_02_ctor_of_bare_bit_generator(tmp_path, helper):
    """numpy's own helpers take a bit generator instance; one made bare by OBJ makes numpy
    raise "Invalid bit generator ... must be instantiated" in the load, which scan (modelling
    the OBJ as ``MT19937()``) does not predict."""
    bare = b"(" + global_("numpy.random._mt19937", "MT19937") + b"o"
    data = b"\x80\x02" + global_("numpy.random._pickle", helper) + bare + b"\x85R."
    safe, outcome = parity(data, tmp_path)
    assert outcome == "refused"
    assert safe == (outcome == "loaded"), (safe, outcome)


# --- rt51-05: an approval (sign --append) signs an unauthenticated statement ----------------


def _forged_sidecar(path, version: str) -> None:
    """Replace ``path``'s sidecar by a statement of the same bytes with ``version``, no expiry
    and a signature by nobody (64 random bytes, no key id hint)."""
    import os
    from datetime import datetime

    from safeload.sidecar import PAYLOAD_TYPE, Envelope, Predicate, Signature, Statement
    from safeload.signing.digests import subject_of

    data = path.read_bytes()
    statement = Statement(
        (subject_of(path.name, data, None),),
        Predicate(
            format="pickle",
            size=len(data),
            created=datetime.now(UTC),
            version=version,
            name="churn",
            environment={},
        ),
    )
    envelope = Envelope(statement.to_json(), PAYLOAD_TYPE, (Signature("", os.urandom(64)),))
    path.with_name(path.name + ".sig").write_bytes(envelope.to_json())


def test_rt51_05_forged_statement_alone_is_refused(tmp_path):
    """Guard: before any approval the forged sidecar verifies under no key."""
    from sklearn.preprocessing import StandardScaler

    import safeload

    publisher = safeload.SigningKey.generate()
    path = tmp_path / "churn.pkl"
    safeload.dump(StandardScaler().fit([[0.0], [1.0]]), path, publisher, version="2.0")
    _forged_sidecar(path, "999")
    with pytest.raises(safeload.SignatureError):
        safeload.verify(path, publisher.public_key)


def test_rt51_05_append_to_unsigned_statement(tmp_path):
    from datetime import datetime, timedelta

    from sklearn.preprocessing import StandardScaler

    import safeload

    publisher, approver = safeload.SigningKey.generate(), safeload.SigningKey.generate()
    ring = safeload.Keyring([publisher.public_key, approver.public_key], threshold=1)
    path = tmp_path / "churn.pkl"
    expires = datetime.now(UTC) + timedelta(days=30)
    safeload.dump(
        StandardScaler().fit([[0.0], [1.0]]),
        path,
        publisher,
        version="2.0",
        name="churn",
        expires=expires,
    )
    honest = path.with_name("churn.pkl.sig").read_bytes()
    _forged_sidecar(path, "999")
    try:
        safeload.sign(path, approver, append=True)  # the approval the safe behaviour refuses
    except safeload.SafeloadError:
        return
    # what the approval made: a valid release of "churn" version 999 with no expiry, which
    # freezes the deployment against the publisher's real release
    statement = safeload.verify(path, ring)
    assert (statement.predicate.version, statement.predicate.expires) == ("999", None)
    state = safeload.TrustState(tmp_path / "state.json")
    safeload.load(path, ring, state=state)
    path.with_name("churn.pkl.sig").write_bytes(honest)
    safeload.load(path, ring, state=state)  # refused today: "older than version 999"


def _release(tmp_path, **extra):
    """``churn.pkl`` signed by a publisher as version 2.0; (path, publisher, approver)."""
    from sklearn.preprocessing import StandardScaler

    import safeload

    publisher, approver = safeload.SigningKey.generate(), safeload.SigningKey.generate()
    path = tmp_path / "churn.pkl"
    model = StandardScaler().fit([[0.0], [1.0]])
    safeload.dump(model, path, publisher, version="2.0", name="churn", **extra)
    return path, publisher, approver


@pytest.mark.parametrize("trust", ["publisher", "ring-2", "approver-only", "revoked", "expired"])
def test_rt51_05_append_needs_a_trusted_signature(tmp_path, trust):
    """With the keys the approver trusts, an append to the forged sidecar is refused
    (SignatureError naming the sidecar; nothing written), as is one whose only trusted
    signature is by a revoked key, or whose statement has expired; an honest one is added."""
    from datetime import datetime, timedelta

    import safeload

    path, publisher, approver = _release(tmp_path)
    sig = path.with_name("churn.pkl.sig")
    pub, own = publisher.public_key, approver.public_key
    keys = {
        "publisher": pub,
        "ring-2": safeload.Keyring([pub, own], threshold=2),
        "approver-only": own,
        "revoked": safeload.Keyring([pub, own], revoked=[pub.keyid]),
        "expired": pub,
    }[trust]
    if trust == "expired":
        past = datetime.now(UTC) - timedelta(seconds=1)
        honest = safeload.signing.sign_bytes(
            path.read_bytes(), publisher, name=path.name, format="pickle", expires=past
        )
        sig.write_bytes(honest.to_json())
    elif trust in ("publisher", "ring-2"):
        honest_sig = sig.read_bytes()
        safeload.sign(path, approver, append=True, keys=keys)  # the honest approval works
        assert safeload.verify(path, safeload.Keyring([pub, own], threshold=2))
        sig.write_bytes(honest_sig)
        _forged_sidecar(path, "999")
    before = sig.read_bytes()
    with pytest.raises(safeload.SignatureError, match="churn.pkl.sig") as info:
        safeload.sign(path, approver, append=True, keys=keys)
    assert "Nothing was written" in str(info.value)
    assert sig.read_bytes() == before


def test_rt51_05_append_api_needs_keys(tmp_path):
    import safeload

    path, publisher, approver = _release(tmp_path)
    with pytest.raises(safeload.UsageError, match="append=True needs keys="):
        safeload.sign(path, approver, append=True)
    with pytest.raises(safeload.UsageError, match="append=True"):
        safeload.sign(path, approver, keys=publisher.public_key)


def test_rt51_05_cli_append(tmp_path, capsys):
    """``sign --append`` needs ``--pub``/``--keyring`` (exit 2), refuses the forged sidecar
    (exit 1, untouched), and shows the approver the statement it signed (text and JSON)."""
    import json

    from safeload.cli import main

    path, publisher, approver = _release(tmp_path)
    publisher.public_key.save(tmp_path / "pub.pub")
    approver.save(tmp_path / "a.key")
    sign = ["sign", str(path), "--key", str(tmp_path / "a.key")]
    assert main([*sign, "--append"]) == 2
    assert "--append needs --pub" in capsys.readouterr().err
    assert main([*sign, "--pub", str(tmp_path / "pub.pub")]) == 2  # --pub without --append
    honest = path.with_name("churn.pkl.sig").read_bytes()
    _forged_sidecar(path, "999")
    forged = path.with_name("churn.pkl.sig").read_bytes()
    assert main([*sign, "--append", "--pub", str(tmp_path / "pub.pub")]) == 1
    assert "no valid signature" in capsys.readouterr().err
    assert path.with_name("churn.pkl.sig").read_bytes() == forged
    path.with_name("churn.pkl.sig").write_bytes(honest)
    assert main([*sign, "--append", "--keyring", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "approved the statement" in out and "version 2.0" in out and "expires never" in out
    assert main([*sign, "--append", "--pub", str(tmp_path / "pub.pub"), "--json"]) == 2
    assert "already has a signature" in capsys.readouterr().err
    path.with_name("churn.pkl.sig").write_bytes(honest)
    assert main([*sign, "--append", "--pub", str(tmp_path / "pub.pub"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["signed"][0]["approved"]["name"] == "churn"
    assert len(doc["signed"][0]["approved"]["sha256"]) == 64


def test_rt51_05_advice_names_the_trust_flag(tmp_path):
    import safeload

    path, publisher, approver = _release(tmp_path)
    ring = safeload.Keyring([publisher.public_key, approver.public_key], threshold=2)
    with pytest.raises(safeload.InsufficientSignaturesError, match="--append --pub"):
        safeload.verify(path, ring)


def test_rt51_01_signed_load_crashes(tmp_path):
    """The allowlist holds for signed files too ("even a validly signed file cannot ..."): a
    leaked or careless signing key turns the 40 bytes into a crash of every loader."""
    import safeload

    key = safeload.SigningKey.generate()
    (tmp_path / "k.pub").write_bytes(key.public_key.to_pem())
    path = tmp_path / "m.pkl"
    path.write_bytes(_bare("numpy.random._pcg64", "PCG64", "OBJ"))
    safeload.sign(path, key)
    code = (
        "import safeload\n"
        "pub = safeload.VerifyKey.from_file('k.pub')\n"
        "try:\n"
        "    safeload.load(sys.argv[1], pub)\n"
        "except safeload.SafeloadError as exc:\n"
        "    print('refused', str(exc)[:200], flush=True)\n"
    )
    ran = child(code, path, cpu=20, timeout=120)
    assert ran.returncode == 0 and "refused" in ran.stdout, ran


# --- rt51-06: a relative model_root fails with a raw ValueError ----------------------------


def _model_signing_folder(tmp_path):
    """``tmp_path/model`` (one StandardScaler pickle) signed as a model_signing folder bundle
    ``model/model.sig`` with a fresh ECDSA key; returns its public key."""
    from sklearn.preprocessing import StandardScaler

    import safeload
    from safeload.signing.ecdsa import ECDSASigningKey

    key = ECDSASigningKey.generate()
    folder = tmp_path / "model"
    folder.mkdir()
    plain = safeload.SigningKey.generate()
    safeload.dump(StandardScaler().fit([[0.0], [1.0]]), folder / "x.pkl", plain)
    (folder / "x.pkl.sig").unlink()
    safeload.sign(folder, key, signature_format="model-signing", signature=folder / "model.sig")
    return key.public_key


def test_rt51_06_absolute_model_root_works(tmp_path):
    """Guard: with the folder's absolute path both verify and load accept the file."""
    import safeload

    pub = _model_signing_folder(tmp_path)
    folder = tmp_path / "model"
    safeload.verify(folder / "x.pkl", pub, model_root=folder, signature=folder / "model.sig")
    safeload.load(folder / "x.pkl", pub, model_root=folder, signature=folder / "model.sig")


@pytest.mark.parametrize("call", ["verify", "load"])
def test_rt51_06_relative_model_root(tmp_path, monkeypatch, call):
    import safeload

    pub = _model_signing_folder(tmp_path)
    monkeypatch.chdir(tmp_path)
    getattr(safeload, call)("model/x.pkl", pub, model_root="model", signature="model/model.sig")


@pytest.mark.parametrize(
    ("cwd", "root", "file", "sig"),
    [
        (".", "./model", "model/x.pkl", "model/model.sig"),
        (".", "model/", "./model/x.pkl", "model/model.sig"),
        ("model", ".", "x.pkl", "model.sig"),
        ("sub", "../model", "../model/x.pkl", "../model/model.sig"),
        (".", "link", "link/x.pkl", "model/model.sig"),
    ],
)
def test_rt51_06_relative_spellings(tmp_path, monkeypatch, cwd, root, file, sig):
    """Other relative spellings of the root (``./``, a trailing slash, ``.``, ``..``, a
    symlink to the folder) verify and load, and ``safeload verify --model-root`` exits 0."""
    import os

    import safeload
    from safeload.cli import main

    pub = _model_signing_folder(tmp_path)
    (tmp_path / "sub").mkdir()
    os.symlink("model", tmp_path / "link")
    (tmp_path / "k.pub").write_bytes(pub.to_pem())
    monkeypatch.chdir(tmp_path / cwd)
    safeload.verify(file, pub, model_root=root, signature=sig)
    safeload.load(file, pub, model_root=root, signature=sig)
    argv = ["verify", file, "--pub", str(tmp_path / "k.pub"), "--model-root", root]
    assert main([*argv, "--signature", sig]) == 0


def test_rt51_06_outside_or_nameless_root_is_a_safeload_error(tmp_path, monkeypatch, capsys):
    """A file outside a relative model_root, and a root with no name to put ``.sig`` after,
    are UsageErrors naming the file (never a raw ValueError); the CLI exits 2."""
    import safeload
    from safeload.cli import main

    pub = _model_signing_folder(tmp_path)
    (tmp_path / "other").mkdir()
    (tmp_path / "k.pub").write_bytes(pub.to_pem())
    monkeypatch.chdir(tmp_path)
    for call in (safeload.verify, safeload.load):
        with pytest.raises(safeload.UsageError, match="x.pkl is not inside model_root other"):
            call("model/x.pkl", pub, model_root="other", signature="model/model.sig")
        with pytest.raises(safeload.UsageError, match="no name"):
            call("model/x.pkl", pub, model_root="/")
    argv = ["verify", "model/x.pkl", "--pub", "k.pub", "--model-root", "other"]
    assert main([*argv, "--signature", "model/model.sig"]) == 2
    assert "not inside model_root" in capsys.readouterr().err


def test_rt51_05_threshold_two(tmp_path):
    """The README's two-person workflow: after the first approval, verification says "1 of 2
    required signatures ... Another trusted key holder can add one with `safeload sign ...
    --append`"; following that advice completes a release no trusted key ever described."""
    from sklearn.preprocessing import StandardScaler

    import safeload

    publisher, approver = safeload.SigningKey.generate(), safeload.SigningKey.generate()
    ring = safeload.Keyring([publisher.public_key, approver.public_key], threshold=2)
    path = tmp_path / "churn.pkl"
    safeload.dump(StandardScaler().fit([[0.0], [1.0]]), path, publisher, version="2.0")
    _forged_sidecar(path, "999")
    try:
        safeload.sign(path, approver, append=True)
        with pytest.raises(safeload.InsufficientSignaturesError, match="--append"):
            safeload.verify(path, ring)
        safeload.sign(path, publisher, append=True)
    except safeload.SafeloadError as exc:
        if isinstance(exc, safeload.InsufficientSignaturesError):
            raise
        return  # an append refused: the safe behaviour
    assert safeload.verify(path, ring).predicate.version == "999"
    raise AssertionError("a threshold-2 release of version 999 that no trusted key described")


def test_rt51_02_bare_random_state_with_state(tmp_path):
    state = pickle.dumps(np.random.RandomState(1).__getstate__(), protocol=2)[2:-1]
    data = _bare("numpy.random.mtrand", "RandomState", "OBJ", state)
    safe, outcome = parity(data, tmp_path)
    assert outcome == "refused"
    assert safe == (outcome == "loaded"), (safe, outcome)


@pytest.mark.parametrize("opcode", ["OBJ", "INST"])
@pytest.mark.parametrize(
    "cls",
    [
        ("numpy.random._mt19937", "MT19937"),
        ("numpy.random._sfc64", "SFC64"),
        ("numpy.random.bit_generator", "SeedSequence"),
        ("numpy.random", "RandomState"),
        ("numpy.random._generator", "Generator"),
        ("numpy.random", "Generator"),
    ],
    ids=lambda c: ".".join(c),
)
def test_rt51_01_every_random_class_made_bare_is_refused_by_both(tmp_path, cls, opcode):
    """The neighbours of rt51-01/02 that do not crash on the way in: numpy never makes any
    of them by ``__new__`` alone, and both refuse each before anything is built (a Generator
    by the older rule that numpy never calls it, the rest by NEWOBJ's rule)."""
    from redteam import assert_scan_predicts_load, prepass_problems

    data = _bare(*cls, opcode)
    assert_scan_predicts_load(data, tmp_path, refused=True)
    assert prepass_problems(data)


# --- rt51-07: a weighted distance metric outside a tree reads its weights unchecked -------


def _weighted_metric(kind: str):
    from sklearn.metrics import DistanceMetric

    dtype = np.float32 if kind.endswith("32") else np.float64
    name, params = {
        "seuclidean": ("seuclidean", {"V": np.ones(1)}),
        "minkowski-w": ("minkowski", {"p": 3, "w": np.ones(1)}),
        "mahalanobis": ("mahalanobis", {"VI": np.eye(2)}),
    }[kind.removesuffix("32")]
    return DistanceMetric.get_metric(name, dtype=dtype, **params)


#: The user's own sparse data (two rows of 2**24 columns, a bag of hashed words), whose
#: column indexes a 2x2 Mahalanobis metric writes its buffer at: 128 MB past it, unmapped.
_SPARSE_PAIRWISE = (
    "import scipy.sparse\n"
    "    X = scipy.sparse.csr_matrix((numpy.ones(2), ([0, 1], [2**24 - 1, 7])), shape=(2, 2**24))\n"
    "    print(model.pairwise(X)[0, :2], flush=True)"
)


def test_rt51_07_plain_pickle_sparse_pairwise_crashes(tmp_path):
    """The harm with plain pickle: an honest ``pairwise`` on the user's own sparse data writes
    past a 2x2 Mahalanobis metric's buffer and the process dies."""
    from redteam import PLAIN_CALL

    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(_weighted_metric("mahalanobis"), protocol=5))
    ran = child(PLAIN_CALL.format(call=_SPARSE_PAIRWISE), path, cpu=20, timeout=120)
    assert "loaded" in ran.stdout and "call done" not in ran.stdout, ran
    assert ran.returncode != 0, ran  # SIGSEGV (139)


def test_rt51_07_safeload_refuses_in_child(tmp_path):
    from redteam import assert_safeload_refuses

    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(_weighted_metric("mahalanobis"), protocol=5))
    assert_safeload_refuses(path, _SPARSE_PAIRWISE, cpu=20, timeout=120)


def _held(kind: str, where: str):
    """The weighted metric ``kind`` as the model (``top``) or held somewhere in it."""
    from sklearn.preprocessing import StandardScaler

    metric = _weighted_metric(kind)
    if where == "top":
        return metric
    if where == "list":
        return [1, metric]
    if where == "dict":
        return {"metric": metric}
    if where == "set":
        return {metric}
    if where == "bunch":
        from sklearn.utils import Bunch

        return Bunch(nested=[(metric,)])
    if where == "object-array":
        arr = np.empty(1, dtype=object)
        arr[0] = metric
        return arr
    scaler = StandardScaler().fit([[0.0], [1.0]])
    scaler.metric_ = metric  # an arbitrary estimator attribute
    return scaler


@pytest.mark.parametrize("protocol", [0, 2, 5])
@pytest.mark.parametrize(
    "where", ["top", "list", "dict", "set", "bunch", "object-array", "attribute"]
)
@pytest.mark.parametrize(
    "kind", ["seuclidean", "minkowski-w", "mahalanobis", "seuclidean32", "mahalanobis32"]
)
def test_rt51_07_weighted_metric_outside_a_tree_refused(tmp_path, kind, where, protocol):
    from redteam import assert_scan_predicts_load

    data = pickle.dumps(_held(kind, where), protocol=protocol)
    assert_scan_predicts_load(data, tmp_path, refused=True)


def test_rt51_07_refused_in_joblib(tmp_path):
    import io

    import joblib

    import safeload

    buf = io.BytesIO()
    joblib.dump({"metric": _weighted_metric("seuclidean")}, buf)
    path = tmp_path / "m.joblib"
    path.write_bytes(buf.getvalue())
    assert not safeload.scan(buf.getvalue()).safe
    with pytest.raises(safeload.SafeloadError, match="weighted distance metric"):
        safeload.load_unsigned(path)


def test_rt51_07_discarded_metric_loads(tmp_path):
    """A weighted metric the stream builds and drops (POP) is out of the model's reach: both
    load the model."""
    from redteam import assert_scan_predicts_load

    body = pickle.dumps(_weighted_metric("mahalanobis"), protocol=2)[2:-1]
    data = b"\x80\x02" + body + b"0K\x01."
    assert_scan_predicts_load(data, tmp_path)
    assert parity(data, tmp_path) == (True, "loaded")


def _tree_metric(tree):
    return tree.__getstate__()[11]


@pytest.mark.parametrize("kind", ["ball_tree", "knn", "kde"])
def test_rt51_07_tree_metric_also_held_outside_refused(tmp_path, kind):
    """A tree's own metric, shared through the memo with a place outside it: reachable for a
    ``pairwise`` of any width, so refused like a metric on its own."""
    from sklearn.neighbors import BallTree, KernelDensity, KNeighborsClassifier

    from redteam import assert_scan_predicts_load

    X = np.random.RandomState(0).rand(20, 3)
    if kind == "ball_tree":
        holder = BallTree(X, metric="seuclidean", V=X.var(0))
        tree = holder
    elif kind == "knn":
        holder = KNeighborsClassifier(
            algorithm="ball_tree", metric="mahalanobis", metric_params={"VI": np.eye(3)}
        ).fit(X, np.arange(20) % 2)
        tree = holder._tree
    else:
        holder = KernelDensity(
            algorithm="ball_tree", metric="minkowski", metric_params={"p": 3, "w": np.ones(3)}
        ).fit(X)
        tree = holder.tree_
    data = pickle.dumps([holder, _tree_metric(tree)], protocol=5)
    assert_scan_predicts_load(data, tmp_path, refused=True)


@pytest.mark.parametrize("protocol", [2, 5])
@pytest.mark.parametrize(
    "kind", ["euclidean", "manhattan", "chebyshev", "minkowski", "haversine", "hamming"]
)
def test_rt51_07_unweighted_metrics_still_load_anywhere(tmp_path, kind, protocol):
    from sklearn.metrics import DistanceMetric

    import safeload
    from redteam import assert_scan_predicts_load

    params = {"p": 3} if kind == "minkowski" else {}
    for model in (DistanceMetric.get_metric(kind, **params), [DistanceMetric.get_metric(kind)]):
        data = pickle.dumps(model, protocol=protocol)
        assert safeload.scan(data).safe
        assert_scan_predicts_load(data, tmp_path)  # (so it loads)


def _honest_weighted_models():
    from sklearn.neighbors import (
        BallTree,
        KDTree,
        KernelDensity,
        KNeighborsClassifier,
        KNeighborsRegressor,
        NearestNeighbors,
    )

    X = np.random.RandomState(0).rand(30, 4)
    y = np.arange(30) % 3
    V, VI, w = X.var(0), np.linalg.inv(np.cov(X.T)), np.arange(1.0, 5.0)
    metrics = [
        ("seuclidean", {"V": V}),
        ("mahalanobis", {"VI": VI}),
        ("minkowski", {"p": 3, "w": w}),
    ]
    models = {}
    for algorithm in ("ball_tree", "brute"):
        for metric, params in metrics:
            models[f"knc-{algorithm}-{metric}"] = KNeighborsClassifier(
                algorithm=algorithm, metric=metric, metric_params=params
            ).fit(X, y)
            models[f"nn-{algorithm}-{metric}"] = NearestNeighbors(
                algorithm=algorithm, metric=metric, metric_params=params
            ).fit(X)
    models["knr-ball_tree-seuclidean"] = KNeighborsRegressor(
        algorithm="ball_tree", metric="seuclidean", metric_params={"V": V}
    ).fit(X, y)
    models["knc-kd_tree-minkowski"] = KNeighborsClassifier(algorithm="kd_tree", p=3).fit(X, y)
    models["kde-mahalanobis"] = KernelDensity(
        algorithm="ball_tree", metric="mahalanobis", metric_params={"VI": VI}
    ).fit(X)
    models["balltree-seuclidean"] = BallTree(X, metric="seuclidean", V=V)
    models["balltree-minkowski-w"] = BallTree(X, metric="minkowski", p=3, w=w)
    models["balltree-mahalanobis"] = BallTree(X, metric="mahalanobis", VI=VI)
    models["kdtree-minkowski"] = KDTree(X, metric="minkowski", p=3)
    models["two-trees"] = [BallTree(X, metric="seuclidean", V=V), KDTree(X[:, :2])]
    return models


_HONEST_NAMES = [
    "knc-ball_tree-seuclidean",
    "knc-ball_tree-mahalanobis",
    "knc-ball_tree-minkowski",
    "knc-brute-seuclidean",
    "knc-brute-mahalanobis",
    "knc-brute-minkowski",
    "nn-ball_tree-seuclidean",
    "nn-ball_tree-mahalanobis",
    "nn-brute-minkowski",
    "knr-ball_tree-seuclidean",
    "knc-kd_tree-minkowski",
    "kde-mahalanobis",
    "balltree-seuclidean",
    "balltree-minkowski-w",
    "balltree-mahalanobis",
    "kdtree-minkowski",
    "two-trees",
]


@pytest.mark.parametrize("form", ["protocol-2", "protocol-5", "joblib"])
@pytest.mark.parametrize("name", _HONEST_NAMES)
def test_rt51_07_honest_weighted_neighbours_load(tmp_path, name, form):
    """Guard for the fix: scikit-learn's own neighbours models and trees with weighted
    metrics (the metric inside the tree, or only its parameters on a brute-force model)
    scan SAFE and load."""
    import io

    import joblib

    import safeload

    model = _honest_weighted_models()[name]
    if form == "joblib":
        buf = io.BytesIO()
        joblib.dump(model, buf)
        data = buf.getvalue()
    else:
        data = pickle.dumps(model, protocol=int(form[-1]))
    path = tmp_path / "m.pkl"
    path.write_bytes(data)
    assert safeload.scan(data).safe, safeload.scan(data)
    loaded = safeload.load_unsigned(path)
    assert type(loaded) is type(model)
