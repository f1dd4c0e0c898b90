"""Red team 26b: folders, --jobs, streaming/early rejection, signing (BLAKE3, approvals, folder
manifests), facts.  Each test shows a problem and asserts what should hold; they fail today.

Payloads are harmless: the only "command" is `touch <marker in tmp_path>`, and nothing in
these tests loads a payload with a plain unpickler.  Memory-heavy cases run in a child process
with an address-space limit and report their peak RSS.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import io
import json
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

import safeload
from safeload import _progress
from safeload.cli import main
from safeload.sidecar import Envelope, Signature, Statement, parse_statement

blake3 = pytest.importorskip("blake3")

SRC = Path(__file__).resolve().parents[2] / "src"

#: 785 bytes of bzip2 (one stream, level 9) that decompress to 1 GiB of zero bytes.
BZ2_1GIB = base64.b64decode(
    "QlpoOTFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1kOCeLfAV+OQADAAAAIIAAwgE1GQqAlqQqAlzFBWSZTWQ4J4t8BX45AAMAAAAggADCATUZCoCWpCoCXMUFZJlNZDgni3wFfjkAAwAAACCAAMIBNRkKgJakKgJcxQVkmU1lIfF/JAIpSyADAAAAEAAggADDMBSmmkSJDYUSJDxdyRThQkPaI5AI="
)

#: Peak RSS of a child that scans or loads a small file is ~40-180 MB; anything near the
#: decompressed size means the whole bomb was held in memory.
RSS_BUDGET_MB = 300


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _system_payload(marker: Path) -> bytes:
    """Protocol 2, raw opcodes: posix.system('touch marker') (never loaded here)."""
    command = f"touch {marker}".encode()
    return (
        b"\x80\x02cposix\nsystem\nq\x00X" + len(command).to_bytes(4, "little") + command + b"\x85R."
    )


def _child(body: str, timeout: int = 240) -> dict[str, object]:
    """Run ``body`` in a fresh interpreter (address space capped at 8 GiB); it sets
    ``result``; returns it with the child's peak RSS in MB."""
    prelude = textwrap.dedent(
        """
        import io, json, resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))
        result = {}
        """
    )
    epilogue = textwrap.dedent(
        """
        # VmHWM: this process's own peak (ru_maxrss keeps the parent's across exec on Linux,
        # so a big pytest worker would count)
        try:
            hwm = [x for x in open("/proc/self/status") if x.startswith("VmHWM:")][0]
            result["maxrss_mb"] = int(hwm.split()[1]) // 1024
        except (OSError, IndexError):
            result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print("RESULT " + json.dumps(result))
        """
    )
    env = dict(os.environ, PYTHONPATH=str(SRC), SAFELOAD_PURE_PYTHON="1")
    proc = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(body) + epilogue],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    lines = [x for x in proc.stdout.splitlines() if x.startswith("RESULT ")]
    assert lines, (
        f"child failed: rc={proc.returncode}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}"
    )
    found: dict[str, object] = json.loads(lines[-1][len("RESULT ") :])
    return found


def _two_models() -> tuple[bytes, bytes]:
    """An honest and a backdoored LinearRegression pickle of exactly the same size."""
    X = np.arange(10.0).reshape(-1, 1)
    honest = pickle.dumps(LinearRegression().fit(X, 2 * X.ravel()), protocol=5)
    evil = pickle.dumps(LinearRegression().fit(X, -2 * X.ravel()), protocol=5)
    assert len(honest) == len(evil) and honest != evil
    return honest, evil


def _resign(envelope: Envelope, statement: Statement, key: safeload.SigningKey) -> bytes:
    payload = statement.to_json()
    sig = Signature(key.keyid, key.sign(Envelope(payload).pae()))
    return Envelope(payload, envelope.payload_type, (sig,)).to_json()


# --- rt26b-01 (critical): an approval checks SHA-256, verifiers check BLAKE3 -----------------


@pytest.mark.parametrize("kind", ["file", "folder"])
def test_rt26b_01_one_key_holder_passes_a_two_key_threshold(tmp_path: Path, kind: str) -> None:
    """`sign --append` (the documented two-person approval) checks that the sidecar "describes
    this exact file" with SHA-256 only, but every default verifier checks the BLAKE3 digest
    instead. Alice (one key) signs a statement whose SHA-256 is the reviewed model's and whose
    BLAKE3 is a backdoored model's of the same size; Bob approves the reviewed file; the
    backdoored file then loads under Keyring([alice, bob], threshold=2)."""
    alice, bob = safeload.SigningKey.generate(), safeload.SigningKey.generate()
    bob_key = tmp_path / "bob.key"
    bob.save(bob_key)
    alice.public_key.save(tmp_path / "alice.pub")  # bob trusts alice (rt51-05)
    honest, evil = _two_models()
    if kind == "file":
        target = tmp_path / "model.pkl"
        target.write_bytes(honest)
        env = safeload.signing.sign_bytes(honest, alice, name="model.pkl", format="pickle")
        st = parse_statement(env.payload)
        forged = Statement(
            (dataclasses.replace(st.subject, blake3=blake3.blake3(evil).hexdigest()),),
            st.predicate,
        )
        signed, sig = target, tmp_path / "model.pkl.sig"
    else:
        signed = tmp_path / "release"
        signed.mkdir()
        target = signed / "model.pkl"
        target.write_bytes(honest)
        (signed / "README").write_text("churn model")
        files = {"model.pkl": honest, "README": b"churn model"}
        env = safeload.signing.sign_folder(files, alice)
        st = parse_statement(env.payload)
        subjects = tuple(
            dataclasses.replace(s, blake3=blake3.blake3(evil).hexdigest())
            if s.name == "model.pkl"
            else s
            for s in st.subjects
        )
        forged = Statement(subjects, st.predicate)
        sig = tmp_path / "release.sig"
    sig.write_bytes(_resign(env, forged, alice))

    # Bob reviews the honest bytes on disk and approves them, as README's release flow says
    pub = ["--pub", str(tmp_path / "alice.pub")]
    code, _, err = _run("sign", str(signed), "--key", str(bob_key), "--append", *pub)
    print("bob's append exit code:", code, err)

    target.write_bytes(evil)  # what reaches the deployment
    ring = safeload.Keyring([alice.public_key, bob.public_key], threshold=2)
    with pytest.raises(safeload.SignatureError):
        model = safeload.load(target, ring)
        pytest.fail(f"backdoored model loaded with 2-of-2: predict(1) = {model.predict([[1.0]])}")


# --- rt26b-02 (high): a signed load decompresses unverified bytes ----------------------------


@pytest.mark.parametrize("same_size", [False, True])
def test_rt26b_02_signed_load_decompresses_before_verifying(
    tmp_path: Path, same_size: bool
) -> None:
    """For files of 1 MiB and more, `load` runs the static pass beside the hash, and for joblib
    that pass first decompresses the whole container: ~1 MiB of bzip2 with a sidecar that does
    not match is inflated to 1 GiB (scales to the 32 GiB default limit) before the signature
    failure is raised. An attacker who can only swap the file OOMs a signed load."""
    bomb = tmp_path / "bomb.bz2"
    bomb.write_bytes(BZ2_1GIB + b"\0" * ((1 << 20) + 16))  # >= 1 MiB: the overlapped path
    result = _child(
        f"""
        import shutil
        from pathlib import Path
        import safeload
        key = safeload.SigningKey.generate()
        p = Path({str(tmp_path / "victim.joblib")!r})
        import numpy as np
        if {same_size!r}:  # a large honest model, and the bomb padded to its signed size
            safeload.dump({{"w": np.random.RandomState(0).rand(300_000)}}, p, key)
            size = p.stat().st_size
            bomb = Path({str(bomb)!r}).read_bytes()
            assert len(bomb) <= size
            p.write_bytes(bomb + b"\\0" * (size - len(bomb)))  # swapped; its .sig is kept
        else:
            safeload.dump({{"w": [1.0, 2.0]}}, p, key)        # an honest signed artifact
            shutil.copyfile({str(bomb)!r}, p)                  # swapped; its .sig is kept
        try:
            safeload.load(p, key.public_key)
            result["error"] = None
        except Exception as exc:
            result["error"] = type(exc).__name__
        """
    )
    assert result["error"] == "InvalidSignatureError"
    assert result["maxrss_mb"] < RSS_BUDGET_MB, (
        f"peak RSS {result['maxrss_mb']} MB: unverified bytes were decompressed before the "
        "signature was checked"
    )


# --- rt26b-03 (high): decompression bombs and sparse zips in scan -----------------------------


def _skops_bzip2_bomb(path: Path, mib: int) -> None:
    """A .skops whose schema.json is a bzip2 zip member (skops itself only writes deflate)
    of ``mib`` MiB of spaces inside one JSON string."""
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_BZIP2) as zf:
        with zf.open("schema.json", "w", force_zip64=True) as fh:
            fh.write(b'{"__class__": "dict", "__module__": "builtins", "x": "')
            for _ in range(mib):
                fh.write(b" " * (1 << 20))
            fh.write(b'"}')


@pytest.mark.parametrize("kind", ["joblib-bz2", "skops-zip-bzip2-member"])
def test_rt26b_03_a_lowered_limit_stops_a_tiny_bomb(tmp_path: Path, kind: str) -> None:
    """The bound SECURITY.md documents (rt26b-03, accepted): decompression stops at
    ``Limits.max_decompressed_size`` (32 GiB by default, not a ratio). 785 bytes of joblib-bz2
    inflate to 1 GiB, and a ~400-byte .skops whose schema.json is a bzip2 member was inflated
    twice, then read whole and decoded (512 MiB member: 1.5 GB peak, 21 s), under the default.
    With the limit lowered for untrusted input, as advised, both are refused as bombs."""
    if kind == "joblib-bz2":
        path = tmp_path / "model.joblib"
        path.write_bytes(BZ2_1GIB)
    else:
        path = tmp_path / "model.skops"
        _skops_bzip2_bomb(path, 24)
    limits = safeload.Limits(max_decompressed_size=16 << 20)
    report = safeload.scan(path, limits=limits)
    assert not report.safe, report
    assert any(w in f.message for f in report.findings for w in ("bomb", "inflate")), report
    with pytest.raises(safeload.SafeloadError):
        safeload.load_unsigned(path, limits=limits)


@pytest.mark.xfail(
    strict=True,
    reason="rt26b-03: a zip file is read whole (SECURITY.md: bounded by max_decompressed_size)",
)
def test_rt26b_03_scan_reads_a_sparse_zip_whole(tmp_path: Path) -> None:
    """`safeload scan third_party.pkl` (the advertised use on untrusted files) has no option
    for limits. Files of 256 MiB and more are mapped "to stay small", but a zip is then copied
    whole into a BytesIO (and again by bytes()): a 1 GiB sparse file starting with PK (4 KB on
    disk) takes the scan to ~2 GB; the 256 MiB one here (the size from which files are
    mapped), past the 300 MB budget too, in a quarter of the time."""
    path = tmp_path / "model.skops"
    with path.open("wb") as fh:
        fh.write(b"PK\x03\x04")
        fh.truncate(1 << 28)
    result = _child(
        f"""
        import os
        from safeload.cli import main
        result["disk"] = os.stat({str(path)!r}).st_blocks * 512
        result["code"] = main(["scan", {str(path)!r}], stdout=io.StringIO(), stderr=io.StringIO())
        """
    )
    assert result["disk"] <= 4096 and result["code"] == 1
    assert result["maxrss_mb"] < RSS_BUDGET_MB, (
        f"a file of {result['disk']} bytes on disk took the scan to {result['maxrss_mb']} MB"
    )


# --- rt26b-04 (high): unverified sparse files are read whole before any size check ----------


@pytest.mark.parametrize(
    "how",
    [
        "verify-folder",
        "load-folder",
        "load-file",
        "verify-file-bundle",
    ],
)
def test_rt26b_04_sparse_file_read_whole_before_size_check(tmp_path: Path, how: str) -> None:
    """Verifying a signed folder (and loading any file of it) reads every file under it into
    memory, then compares names with the manifest: one added sparse file (0 disk blocks) of
    1 GiB costs 1 GiB of RAM before "added ['zz.bin']" is reported (up to the 32 GiB limit).
    A signed single-file load does the same: the sidecar (read first) gives the signed size,
    but a swapped sparse file is read whole before the size mismatch fails verification.
    `verify FILE` streamed a file with a safeload sidecar, but read one with a model_signing
    bundle whole (`verified_statement`'s bundle branch), although only SHA-256 is needed: it
    streams too now (`modelsig.verify_model_digest`). The file here is 512 MiB: read whole it
    would pass the 300 MB budget, and the bundle's streamed digest hashes half of 1 GiB."""
    result = _child(
        f"""
        import pickle
        from pathlib import Path
        import safeload
        key = safeload.SigningKey.generate()
        how = {how!r}
        d = Path({str(tmp_path / "model")!r}); d.mkdir()
        if how == "load-file":
            safeload.dump({{"a": 1}}, d / "m.pkl", key)
            sparse = d / "m.pkl"                      # swapped; its .sig is kept
        elif how == "verify-file-bundle":
            from safeload.signing.ecdsa import ECDSASigningKey
            key = ECDSASigningKey.generate()
            (d / "m.pkl").write_bytes(pickle.dumps({{"a": 1}}))
            safeload.sign(d / "m.pkl", key, signature_format="model-signing")
            sparse = d / "m.pkl"                      # swapped; its bundle is kept
        else:
            (d / "m.pkl").write_bytes(pickle.dumps({{"a": 1}}))
            safeload.sign(d, key)
            sparse = d / "zz.bin"                     # one file added to the signed folder
        with open(sparse, "wb") as fh:
            fh.write(b"\\x80\\x05")
            fh.truncate(1 << 29)
        result["blocks"] = sparse.stat().st_blocks
        try:
            if how == "verify-folder":
                safeload.verify(d, key.public_key)
            elif how == "verify-file-bundle":
                safeload.verify(d / "m.pkl", key.public_key)
            else:
                safeload.load(d / "m.pkl", key.public_key)
            result["error"] = None
        except Exception as exc:
            result["error"] = type(exc).__name__
        """
    )
    assert result["blocks"] <= 8
    assert result["error"] in ("SignatureError", "InvalidSignatureError")
    assert result["maxrss_mb"] < RSS_BUDGET_MB, (
        f"peak RSS {result['maxrss_mb']} MB for a sparse file that cannot verify"
    )


# --- rt26b-05 (high): scan DIR skips files that load reads as models --------------------------


@pytest.mark.parametrize(
    "name",
    [
        "finalized_model.sav",  # the classic scikit-learn tutorial's name
        "model.bin",
        "model.dat",
        "model.pkl.gz",
        "model.gz",  # joblib.dump(m, "model.gz"); formats.format_from_name says joblib
        "model.xz",
        "symlinked-folder/evil.pkl",
    ],
)
def test_rt26b_05_scan_dir_misses_model_files(tmp_path: Path, name: str) -> None:
    """`safeload scan DIR` picks files by extension (and skips symlinked folders while it
    follows symlinked files); `load_unsigned` reads any name by content. A folder holding only
    a posix.system pickle under one of these names scans with exit 0 and no output at all."""
    marker = tmp_path / "marker"
    top = tmp_path / "downloads"
    top.mkdir()
    data = _system_payload(marker)
    if name.endswith(".gz"):
        data = gzip.compress(data)
    if name.endswith(".xz"):
        import lzma

        data = lzma.compress(data)
    if name.startswith("symlinked-folder/"):
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        file = elsewhere / "evil.pkl"
        (top / "symlinked-folder").symlink_to(elsewhere)
    else:
        file = top / name
    file.write_bytes(data)
    with pytest.raises(safeload.UntrustedTypeError):  # load reads it as a model
        safeload.load_unsigned(top / name)
    code, out, err = _run("scan", str(top))
    assert not marker.exists()
    assert code == 1, (
        f"scan {top} exit {code}, output {out!r} {err!r}: the payload was never scanned"
    )


# --- rt26b-06 (high): verify DIR drops the verdict of signed sub-folders ---------------------


@pytest.mark.parametrize("variant", ["tampered-signed-subfolder", "symlinked-unsigned-folder"])
def test_rt26b_06_verify_dir_skips_what_it_cannot_see(tmp_path: Path, variant: str) -> None:
    """`safeload verify DIR` of a plain folder verifies only files with a model extension or
    their own .sig. A signed sub-folder (`churn/` + `churn.sig`) whose files have other names
    is never verified: tampering with it leaves the exit code 0 (load refuses it). A symlinked
    sub-folder of unsigned models is skipped the same way."""
    key = safeload.SigningKey.generate()
    pub = tmp_path / "k.pub"
    key.public_key.save(pub)
    top = tmp_path / "models"
    top.mkdir()
    (top / "a.pkl").write_bytes(pickle.dumps({"a": 1}))
    safeload.sign(top / "a.pkl", key)
    if variant == "tampered-signed-subfolder":
        sub = top / "churn"
        sub.mkdir()
        (sub / "weights.sav").write_bytes(pickle.dumps({"w": [1, 2, 3]}))
        (sub / "config.json").write_text("{}")
        safeload.sign(sub, key)
        (sub / "weights.sav").write_bytes(pickle.dumps({"w": [6, 6, 6]}))  # tampered
        with pytest.raises(safeload.SignatureError):
            safeload.load(sub / "weights.sav", key.public_key)
        hidden = "churn"
    else:
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        (elsewhere / "unsigned.pkl").write_bytes(pickle.dumps({"x": 1}))
        (top / "more").symlink_to(elsewhere)
        with pytest.raises(safeload.MissingSignatureError):
            safeload.load(top / "more" / "unsigned.pkl", key.public_key)
        hidden = "more"
    code, out, err = _run("verify", str(top), "--pub", str(pub))
    assert code != 0 or hidden in out + err, f"exit {code}: {out!r}"


# --- rt26b-07 (medium): verify of a signed folder inside a signed folder ----------------------


def test_rt26b_07_verify_nested_signed_folder_ignores_the_governing_one(tmp_path: Path) -> None:
    """SECURITY.md: the outermost folder signature alone governs, "in load, verify and safeload
    verify". `verify outer/inner` checks inner.sig instead: an old inner folder dropped in with
    its old inner.sig verifies (exit 0, version 1.0) while outer.sig fails and load refuses."""
    key = safeload.SigningKey.generate()
    pub = tmp_path / "k.pub"
    key.public_key.save(pub)
    outer = tmp_path / "outer"
    inner = outer / "inner"
    inner.mkdir(parents=True)
    (inner / "m.pkl").write_bytes(pickle.dumps({"v": 1}))
    safeload.sign(inner, key, version="1.0", name="inner")
    shutil.copytree(inner, tmp_path / "old")
    shutil.copyfile(outer / "inner.sig", tmp_path / "old.sig")
    (inner / "m.pkl").write_bytes(pickle.dumps({"v": 2}))
    safeload.sign(inner, key, version="2.0", name="inner")
    safeload.sign(outer, key, version="2.0", name="outer")
    shutil.rmtree(inner)  # the attacker rolls inner back, with its own old signature
    shutil.copytree(tmp_path / "old", inner)
    shutil.copyfile(tmp_path / "old.sig", outer / "inner.sig")
    with pytest.raises(safeload.SignatureError):
        safeload.load(inner / "m.pkl", key.public_key)
    assert _run("verify", str(inner / "m.pkl"), "--pub", str(pub))[0] == 1
    code, out, _ = _run("verify", str(inner), "--pub", str(pub))
    assert code == 1, f"verify outer/inner: exit {code}, {out.strip()!r}"


# --- rt26b-08 (medium): scan's text output is not escaped -------------------------------------


@pytest.mark.parametrize("where", ["file-name", "global-name"])
def test_rt26b_08_scan_output_drives_the_terminal(tmp_path: Path, where: str) -> None:
    """verify and inspect escape control characters (rt17 f10); scan does not. A file name, or
    a module name inside the pickle, can erase the UNSAFE line and print a SAFE one."""
    forged = "\x1b[1A\x1b[2K\rSAFE model.pkl (pickle, 3 globals, 0 untrusted)\x1b[8m"
    d = tmp_path / "d"
    d.mkdir()
    if where == "file-name":
        (d / f"x{forged}.pkl").write_bytes(_system_payload(tmp_path / "m"))
    else:
        module = ("os" + forged).encode()
        stream = b"\x80\x04\x8c" + bytes([len(module)]) + module + b"\x8c\x06system\x93)R."
        (d / "x.pkl").write_bytes(stream)
    code, out, _ = _run("scan", str(d))
    assert code == 1
    assert "\x1b" not in out and "\r" not in out, repr(out)


# --- rt26b-09 (medium): SARIF leaves out the files that could not be scanned -----------------


def test_rt26b_09_sarif_drops_unreadable_files(tmp_path: Path) -> None:
    """With --sarif, a file that could not be read (over the size limit, a FIFO, unreadable)
    produces no result and no tool notification: the SARIF a dashboard shows is clean."""
    big = tmp_path / "huge.pkl"
    with big.open("wb") as fh:
        fh.write(b"\x80\x04")
        fh.truncate(40 << 30)  # sparse, over the 32 GiB default limit
    fifo = tmp_path / "pipe.pkl"
    os.mkfifo(fifo)
    code, out, _ = _run("scan", "--sarif", str(big), str(fifo))
    assert code == 2
    text = json.dumps(json.loads(out))
    assert "huge.pkl" in text and "pipe.pkl" in text, text


# --- rt26b-10 (medium): early rejection disagrees with load --------------------------------------


def test_rt26b_10_early_rejection_differs_from_load(tmp_path: Path) -> None:
    """The first-bytes check refuses a .skops whose zip starts after a prefix; the load
    (Python's zipfile, safeload's check_zip and skops) read it fine. skops writes the zip at
    byte 0: load now refuses a prefixed one too, and scan and load agree."""
    import skops.io

    model = LinearRegression().fit(np.arange(10.0).reshape(-1, 1), np.arange(10.0))
    p = tmp_path / "m.skops"
    p.write_bytes(b"\x00" * 16 + skops.io.dumps(model))
    with pytest.raises(safeload.MalformedArtifactError, match="zip header"):
        safeload.load_unsigned(p)
    assert not safeload.scan(p).safe
    p.write_bytes(skops.io.dumps(model))
    assert isinstance(safeload.load_unsigned(p), LinearRegression)
    assert safeload.scan(p).safe


# --- rt26b-11 (medium): one signature, two files ---------------------------------------------


@pytest.mark.xfail(
    strict=True, reason="rt26b-11: a verifier checks one digest; approvals check both (SECURITY.md)"
)
def test_rt26b_11_sha256_and_blake3_may_name_different_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement records SHA-256 and BLAKE3, both signed, but a verifier checks only one: a
    signer can make one sidecar that verifies file X where blake3 is installed (the default)
    and file Y where it is not (or for sha256sum / in-toto tools). Audits that record the SHA-256
    then vouch for bytes that are not the ones deployed."""
    key = safeload.SigningKey.generate()
    x, y = _two_models()
    env = safeload.signing.sign_bytes(y, key, name="model.pkl", format="pickle")
    st = parse_statement(env.payload)
    forged = Statement(
        (dataclasses.replace(st.subject, blake3=blake3.blake3(x).hexdigest()),), st.predicate
    )
    p = tmp_path / "model.pkl"
    (tmp_path / "model.pkl.sig").write_bytes(_resign(env, forged, key))

    def verifies() -> bool:
        try:
            safeload.verify(p, key.public_key)
        except safeload.SignatureError:
            return False
        return True

    p.write_bytes(x)
    x_ok = verifies()
    monkeypatch.setattr(_progress, "blake3_module", lambda: None)
    p.write_bytes(y)
    y_ok = verifies()
    assert not (x_ok and y_ok), "one signed sidecar verifies two different files"


# --- rt26b-12 (low): one unlistable path aborts the scan and hides an UNSAFE verdict ----------


def test_rt26b_12_one_bad_path_hides_every_verdict(tmp_path: Path) -> None:
    """A folder path longer than PATH_MAX (made with relative mkdir) raises OSError out of the
    folder walk: the whole scan stops with exit 2, and the UNSAFE posix.system file next to
    it is never reported (an unsafe verdict is to outrank an unreadable file)."""
    top = tmp_path / "t"
    top.mkdir()
    (top / "bad.pkl").write_bytes(_system_payload(tmp_path / "marker"))
    fd = os.open(top, os.O_RDONLY)
    try:
        for _ in range(20):
            os.mkdir("d" * 250, dir_fd=fd)
            nfd = os.open("d" * 250, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = nfd
    finally:
        os.close(fd)
    try:
        code, out, _ = _run("scan", str(top))
        assert code == 1 and "UNSAFE" in out and "bad.pkl" in out, (code, out[:200])
    finally:
        shutil.rmtree(top)


# --- rt26b-13 (high): verify DIR re-reads a signed sub-folder once per file in it -------------


def test_rt26b_13_verify_dir_is_quadratic_in_a_signed_subfolder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`verify DIR` expands a plain folder into its model files; each file of a signed
    sub-folder (`sub/` + `sub.sig`) is verified as "a file of the signed folder", which reads
    every file of the folder, before even parsing sub.sig. n files: n * n reads. With a
    garbage sub.sig, 1000 four-byte files took 61 s (250: 5.4 s, 500: 15.5 s); 10,000 (a few
    hundred KB) take hours."""
    from safeload import io as fileio

    key = safeload.SigningKey.generate()
    pub = tmp_path / "k.pub"
    key.public_key.save(pub)
    top = tmp_path / "models"
    sub = top / "sub"
    sub.mkdir(parents=True)
    n = 100
    for i in range(n):
        (sub / f"m{i:03d}.pkl").write_bytes(b"\x80\x04N.")
    (top / "sub.sig").write_text("garbage")  # not even a signature
    reads = []
    real = fileio.read_once

    def counting(path: Path, *args: object, **kwargs: object) -> object:
        reads.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(fileio, "read_once", counting)
    code, _, _ = _run("verify", str(top), "--pub", str(pub))
    assert code == 1
    assert len(reads) <= 3 * n, f"{len(reads)} file reads to verify {n} files"


# --- rt26b-14 (low): scan DIR follows symlinks out of the folder and prints what it read ------


@pytest.mark.parametrize(
    "content, secret",
    [
        ("conf_user\nhunter2-password\n", "hunter2-password"),  # 'c' reads as GLOBAL
        ("-----BEGIN OPENSSH PRIVATE KEY-----\n", "-----BEG"),  # refused on its first bytes
    ],
)
def test_rt26b_14_scan_dir_reads_through_symlinks_out_of_the_folder(
    tmp_path: Path, content: str, secret: str
) -> None:
    """Signed folders refuse symlinks, and scan DIR does not follow symlinked folders, but it
    does follow a symlinked *file* anywhere and reports what it read: a folder from a pull
    request or a download with `x.pkl -> ~/.ssh/id_rsa` (or any file) puts its first 8 bytes,
    or for a file starting with 'c' its first two lines, into the scan output, JSON and SARIF
    (CI logs, code-scanning dashboards)."""
    outside = tmp_path / "home" / "secret"
    outside.parent.mkdir()
    outside.write_text(content)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "model.pkl").symlink_to(outside)
    _code, out, err = _run("scan", str(repo))
    assert secret not in out + err, out


# --- rt26b-15 (critical): scan --jobs runs Python files from the working directory -----------


@pytest.mark.parametrize("module", ["socket", "struct", "signal", "multiprocessing"])
def test_rt26b_15_scan_jobs_imports_code_from_the_working_directory(
    tmp_path: Path, module: str
) -> None:
    """`scan --jobs N` starts its workers through multiprocessing's forkserver, which launches
    `python -c 'from multiprocessing.forkserver import main; ...'`: with `-c`, the working
    directory is sys.path[0] while that bootstrap imports multiprocessing, socket, struct,
    signal... So `cd checkout && safeload scan --jobs 4 models/` (CI on a pull request, a
    pre-commit hook with `args: [--jobs, "4"]`, a downloaded repository) runs the checkout's
    `socket.py`. The `safeload` console script itself does not put the working directory on
    sys.path, and without --jobs nothing runs."""
    marker = tmp_path / "marker"
    checkout = tmp_path / "checkout"
    (checkout / "models").mkdir(parents=True)
    for name in ("a.pkl", "b.pkl"):
        (checkout / "models" / name).write_bytes(pickle.dumps({"w": [1.0, 2.0]}))
    (checkout / f"{module}.py").write_text(
        f"open({str(marker)!r}, 'w').write('ran')\nraise ImportError('harmless marker only')\n"
    )
    # what pip's console-script wrapper for `safeload` looks like: it lives outside the checkout
    bindir = tmp_path / "bin"
    bindir.mkdir()
    script = bindir / "safeload"
    script.write_text(
        "import sys\nfrom safeload.cli import main\n"
        "if __name__ == '__main__':\n    sys.exit(main())\n"
    )
    env = dict(os.environ, PYTHONPATH=str(SRC), SAFELOAD_PURE_PYTHON="1")
    env.pop("PYTHONSAFEPATH", None)
    one = subprocess.run(
        [sys.executable, str(script), "scan", "models"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert one.returncode == 0 and not marker.exists()  # the plain scan is fine
    subprocess.run(
        [sys.executable, str(script), "scan", "--jobs", "2", "models"],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert not marker.exists(), f"{module}.py from the working directory ran during the scan"
