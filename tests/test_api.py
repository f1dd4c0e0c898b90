"""The public API: formats from extensions, read-once verification, unsigned loading."""

from __future__ import annotations

import dataclasses
import os
import pickle
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

import safeload
from safeload import (
    MalformedArtifactError,
    MissingSignatureError,
    SignatureError,
    SigningKey,
    UntrustedTypeError,
    dump,
    dumps,
    load,
    load_unsigned,
    loads,
    verify,
)
from safeload import api as api_module

EXTENSIONS = {
    "m.pkl": "pickle",
    "m.pickle": "pickle",
    "m.joblib": "joblib",
    "m.joblib.gz": "joblib",
    "m.joblib.z": "joblib",
    "m.joblib.bz2": "joblib",
    "m.joblib.xz": "joblib",
    "m.joblib.lzma": "joblib",
}


@pytest.mark.parametrize("name", sorted(EXTENSIONS))
def test_dump_load_every_extension(
    tmp_path: Path, ed_key: SigningKey, home_model: LinearRegression, name: str
) -> None:
    path = tmp_path / name
    sig = dump(home_model, path, ed_key, version="1.2.3")
    assert sig == path.with_name(name + ".sig")
    st = verify(path, ed_key.public_key)
    assert st.predicate.format == EXTENSIONS[name]
    assert st.predicate.version == "1.2.3"
    model = load(path, ed_key.public_key)
    assert model.predict([[5000]])[0] == pytest.approx(859554.79, abs=0.01)
    np.testing.assert_array_equal(model.coef_, home_model.coef_)


def test_compressed_extension_really_compresses(tmp_path: Path, ed_key: SigningKey) -> None:
    dump(np.zeros(10000), tmp_path / "z.joblib.gz", ed_key)
    assert (tmp_path / "z.joblib.gz").read_bytes()[:2] == b"\x1f\x8b"
    dump(np.zeros(10000), tmp_path / "x.joblib", ed_key, compress=("xz", 1))
    assert (tmp_path / "x.joblib").read_bytes()[:5] == b"\xfd7zXZ"
    assert load(tmp_path / "x.joblib", ed_key.public_key).shape == (10000,)


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4, 5])
@pytest.mark.parametrize("ext", ["pkl", "joblib"])
def test_every_protocol(
    tmp_path: Path, ed_key: SigningKey, home_model: LinearRegression, protocol: int, ext: str
) -> None:
    path = tmp_path / f"m.{ext}"
    dump(home_model, path, ed_key, protocol=protocol)
    assert load(path, ed_key.public_key).predict([[5000]])[0] == pytest.approx(859554.79, abs=0.01)


def test_dumps_loads_and_name_binding(ed_key: SigningKey, home_model: LinearRegression) -> None:
    payload, sidecar = dumps(home_model, ed_key, format="joblib", name="home.joblib")
    assert loads(payload, sidecar, ed_key).coef_ == pytest.approx(home_model.coef_)
    assert loads(payload, sidecar, ed_key, name="home.joblib").intercept_ == pytest.approx(
        home_model.intercept_
    )
    with pytest.raises(SignatureError, match="signed under the name"):
        loads(payload, sidecar, ed_key, name="other.joblib")


def test_artifact_is_read_exactly_once(
    tmp_path: Path, ed_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Verify and deserialize the same bytes: the artifact path is opened once per load."""
    path = tmp_path / "once.joblib"
    dump({"w": np.arange(5)}, path, ed_key)
    opened: list[str] = []
    real_open = os.open

    def spy(p: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.fspath(p))
        return real_open(p, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy)  # every module's os.open: io reads the file
    load(path, ed_key.public_key)
    assert opened.count(str(path)) == 1
    assert opened.count(str(path) + ".sig") == 1


def test_swap_after_verification_has_no_effect(
    tmp_path: Path, ed_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Replace the file on disk right after it was read: what loads is what was verified."""
    path = tmp_path / "m.pkl"
    dump({"v": "signed"}, path, ed_key)
    real = safeload.signing.verify_bytes

    def verify_then_swap(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        path.write_bytes(pickle.dumps({"v": "swapped"}))
        return result

    monkeypatch.setattr(api_module, "verify_bytes", verify_then_swap)
    assert load(path, ed_key.public_key) == {"v": "signed"}


def test_load_has_no_unsigned_fallback(tmp_path: Path, ed_key: SigningKey) -> None:
    path = tmp_path / "third_party.joblib"
    joblib.dump({"w": np.ones(3)}, path)
    with pytest.raises(MissingSignatureError):
        load(path, ed_key.public_key)
    assert set(load_unsigned(path)) == {"w"}


def test_load_unsigned_still_applies_the_policy(tmp_path: Path) -> None:
    path = tmp_path / "evil.pkl"
    path.write_bytes(b"cos\nsystem\n(S'true'\ntR.")
    with pytest.raises(UntrustedTypeError) as exc:
        load_unsigned(path)
    assert exc.value.names == ("os.system",)
    assert exc.value.path == str(path)


def test_unsigned_format_detection(tmp_path: Path) -> None:
    blob = tmp_path / "model.bin"
    joblib.dump({"a": np.arange(3)}, blob, compress=3)
    assert load_unsigned(blob)["a"].tolist() == [0, 1, 2]
    plain = tmp_path / "model.dat"
    plain.write_bytes(pickle.dumps([1, 2]))
    assert load_unsigned(plain) == [1, 2]


def test_signed_format_must_match_content(tmp_path: Path, ed_key: SigningKey) -> None:
    path = tmp_path / "m.pkl"
    path.write_bytes(joblib_bytes := _gz_joblib())
    safeload.sign(path, ed_key, format="pickle")
    with pytest.raises(MalformedArtifactError, match="looks like joblib"):
        load(path, ed_key.public_key)
    assert joblib_bytes[:2] == b"\x1f\x8b"


def _gz_joblib() -> bytes:
    import io

    buf = io.BytesIO()
    joblib.dump([1], buf, compress=("gzip", 3))
    return buf.getvalue()


def test_missing_file_and_directory(tmp_path: Path, ed_key: SigningKey) -> None:
    # A missing file is not a verdict on any content (issue 16): its own class, which is also
    # the standard FileNotFoundError, and not MalformedArtifactError.
    with pytest.raises(safeload.ArtifactNotFoundError, match="does not exist") as info:
        load(tmp_path / "nothing.pkl", ed_key.public_key)
    assert isinstance(info.value, FileNotFoundError)
    assert not isinstance(info.value, MalformedArtifactError)
    for call in (lambda p: load_unsigned(p), lambda p: safeload.scan(p)):
        with pytest.raises(safeload.ArtifactNotFoundError):
            call(tmp_path / "nothing.pkl")
    (tmp_path / "dir.pkl").mkdir()
    with pytest.raises(MalformedArtifactError, match="not a regular file"):
        load_unsigned(tmp_path / "dir.pkl")


def test_trusted_true_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.pkl"
    path.write_bytes(pickle.dumps([1]))
    with pytest.raises(TypeError, match="no 'trust everything'"):
        load_unsigned(path, trusted=True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a global name"):
        load_unsigned(path, trusted=["os.*"])


def test_lz4_and_every_joblib_compression(tmp_path: Path, ed_key: SigningKey) -> None:
    pytest.importorskip("lz4")
    value = {"w": np.arange(1000.0), "names": ["a", "b"]}
    for method in ("zlib", "gzip", "bz2", "xz", "lzma", "lz4"):
        path = tmp_path / f"m-{method}.joblib"
        joblib.dump(value, path, compress=(method, 3))
        assert safeload.scan(path).safe, method
        loaded = load_unsigned(path)
        assert np.array_equal(loaded["w"], value["w"]) and loaded["names"] == ["a", "b"]
    path = tmp_path / "signed.joblib.lz4"
    dump(value, path, ed_key)
    assert path.read_bytes()[:4] == b"\x04\x22\x4d\x18"
    assert np.array_equal(load(path, ed_key.public_key)["w"], value["w"])


def test_legacy_zf_container_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "old.joblib"
    path.write_bytes(b"ZF0x00000040" + b"\x78\x9c" + b"\x00" * 20)
    with pytest.raises(MalformedArtifactError, match="legacy 'ZF' container"):
        load_unsigned(path)
    assert not safeload.scan(path).safe


@pytest.mark.parametrize("cut", [1, 10, 100])
def test_truncated_compressed_joblib_is_refused(tmp_path: Path, cut: int) -> None:
    import io as _io

    buf = _io.BytesIO()
    joblib.dump({"w": np.arange(500.0)}, buf, compress=("gzip", 3))
    path = tmp_path / "t.joblib"
    path.write_bytes(buf.getvalue()[:-cut])
    with pytest.raises(MalformedArtifactError):
        load_unsigned(path)


@dataclasses.dataclass(frozen=True)
class Third:
    """A caller's own class, trusted by object (a plain dataclass: builds, holds two ints)."""

    a: int
    b: int


def test_a_prepared_pass_is_used_only_under_the_policy_it_was_made_under() -> None:
    """Issue 14, item 12: formats.read reused a prepare() result made under another policy or
    other limits: the analysis it skipped is what enforces the limits (the name check is also
    repeated by the unpickler's find_class, which caught the policy case on its own)."""
    import pickle

    from safeload import LimitExceededError, Limits, UntrustedTypeError, formats
    from safeload.policy import resolve_policy
    from safeload.signing import unsigned_artifact

    data = bytearray(pickle.dumps(Third(1, 3)))
    lim = Limits()
    permissive = resolve_policy(None, [Third])
    strict = resolve_policy(None, [])
    prepared = formats.prepare(data, "pickle", permissive, lim, "x.pkl")
    artifact = unsigned_artifact(data, "x.pkl", "pickle")
    with pytest.raises(UntrustedTypeError, match="Third"):
        formats.read(artifact, strict, lim, "x.pkl", prepared)
    tight = Limits(max_opcodes=3)  # this stream has more: the load must refuse it
    with pytest.raises(LimitExceededError, match="opcodes"):
        formats.read(artifact, permissive, tight, "x.pkl", prepared)
    # the same policy and limits objects: the pass is reused
    assert formats.read(artifact, permissive, lim, "x.pkl", prepared) == Third(1, 3)


@pytest.mark.parametrize("name", ["nosig.joblib", "./nosig.joblib"])
def test_bare_or_relative_name_without_sidecar_is_missing_signature(
    tmp_path: Path, ed_key: SigningKey, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A name relative to the working directory has the parent '.', whose name is empty: that
    must still end in MissingSignatureError, not a ValueError from building DIR.sig."""
    monkeypatch.chdir(tmp_path)
    joblib.dump({"w": 1}, "nosig.joblib")
    with pytest.raises(MissingSignatureError, match="no signature file"):
        load(name, ed_key.public_key)


def test_relative_name_inside_a_signed_folder_loads(
    tmp_path: Path, ed_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same file gets the same treatment whether it is named absolutely or relatively."""
    folder = tmp_path / "release"
    folder.mkdir()
    joblib.dump({"w": 1}, folder / "model.joblib")
    safeload.sign(folder, ed_key)
    monkeypatch.chdir(folder)
    assert load("model.joblib", ed_key.public_key) == {"w": 1}


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_written_files_respect_the_umask_and_keys_stay_private(
    tmp_path: Path, ed_key: SigningKey, umask: int
) -> None:
    """A model signed by one user must be readable by the service account that serves it: the
    artifact, its sidecar and the trust state get 0666 & ~umask; private keys stay 0600."""
    from safeload import TrustState, convert, generate_keypair

    expected = 0o666 & ~umask
    old = os.umask(umask)
    try:
        dump({"w": 1}, tmp_path / "m.joblib", ed_key, version="1", name="m")
        (tmp_path / "third.pkl").write_bytes(pickle.dumps([1]))
        safeload.sign(tmp_path / "third.pkl", ed_key)
        convert(tmp_path / "m.joblib", tmp_path / "m.skops", ed_key)
        state = TrustState(tmp_path / "state.json")
        verify(tmp_path / "m.joblib", ed_key.public_key, state=state)
        priv, _ = generate_keypair(tmp_path / "keys", "k")
    finally:
        os.umask(old)
    for name in ("m.joblib", "m.joblib.sig", "third.pkl.sig", "m.skops", "m.skops.sig"):
        assert (tmp_path / name).stat().st_mode & 0o777 == expected, name
    assert (tmp_path / "state.json").stat().st_mode & 0o777 == expected
    assert priv.stat().st_mode & 0o777 == 0o600
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("compress", [0, 3])
@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_joblib_content_in_a_pkl_file(
    tmp_path: Path, ed_key: SigningKey, home_model: LinearRegression, compress: int, protocol: int
) -> None:
    """joblib.dump(model, "model.pkl") is common: scan, load_unsigned and sign go by content."""
    path = tmp_path / "model.pkl"
    joblib.dump(home_model, path, compress=compress, protocol=protocol)
    report = safeload.scan(path)
    assert report.safe and report.format == "joblib", report.to_dict()
    assert load_unsigned(path).coef_ == pytest.approx(home_model.coef_)
    safeload.sign(path, ed_key)
    assert verify(path, ed_key.public_key).predicate.format == "joblib"
    assert load(path, ed_key.public_key).coef_ == pytest.approx(home_model.coef_)


def test_joblib_content_signed_as_pickle_says_what_to_do(
    tmp_path: Path, ed_key: SigningKey, home_model: LinearRegression
) -> None:
    path = tmp_path / "model.pkl"
    joblib.dump(home_model, path)
    safeload.sign(path, ed_key, format="pickle")
    with pytest.raises(MalformedArtifactError, match="looks like joblib.*--format joblib"):
        load(path, ed_key.public_key)
    with pytest.raises(MalformedArtifactError, match="looks like joblib"):
        load_unsigned(path, format="pickle")


# Issue 16: mistakes in a call get a safeload error that says what to pass, not a raw
# TypeError from deep inside; UsageError is also a ValueError.


def test_load_without_keys_or_with_pem_bytes_says_what_to_pass(
    signed_joblib: Path, ed_key: SigningKey
) -> None:
    with pytest.raises(safeload.UsageError, match="keys is None"):
        load(signed_joblib, None)  # type: ignore[arg-type]
    with pytest.raises(safeload.UsageError, match=r"VerifyKey\.from_pem"):
        load(signed_joblib, ed_key.public_key.to_pem())  # type: ignore[arg-type]
    with pytest.raises(safeload.UsageError, match="not str"):
        verify(signed_joblib, "keys/x.pub")  # type: ignore[arg-type]
    with pytest.raises(safeload.UsageError, match="not int"):
        load(signed_joblib, 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):  # UsageError is a ValueError too
        loads(b"", b"", None)  # type: ignore[arg-type]


def test_a_model_or_number_given_as_the_path_says_what_to_pass(
    tmp_path: Path, ed_key: SigningKey, home_model: LinearRegression
) -> None:
    # bytes of a model passed where a file name belongs: a UsageError naming scan/loads, not
    # pathlib's TypeError; nothing is written
    data: Any = pickle.dumps([1])
    for call in (
        lambda: load_unsigned(data),
        lambda: load(data, ed_key.public_key),
        lambda: verify(data, ed_key.public_key),
        lambda: safeload.inspect_sidecar(data),
    ):
        with pytest.raises(safeload.UsageError, match=r"not bytes: .*safeload\.scan\(data\)"):
            call()
    with pytest.raises(safeload.UsageError, match="must be a file name.*not int"):
        dump(home_model, 3, ed_key)  # type: ignore[arg-type]
    with pytest.raises(safeload.UsageError, match="not NoneType"):
        safeload.sign(None, ed_key)  # type: ignore[arg-type]
    with pytest.raises(safeload.UsageError, match="source must be a file name"):
        safeload.scan(None)  # type: ignore[arg-type]
    (tmp_path / "x.pkl").write_bytes(data)
    with pytest.raises(safeload.UsageError, match="dst must be a file name"):
        safeload.convert(tmp_path / "x.pkl", b"out.skops", ed_key)  # type: ignore[arg-type]
    assert sorted(f.name for f in tmp_path.iterdir()) == ["x.pkl"]
    assert safeload.scan(data).verdict == "safe"  # (bytes are what scan takes in memory)


def test_signing_with_a_public_key_is_refused(
    tmp_path: Path, ed_key: SigningKey, home_model: LinearRegression
) -> None:
    with pytest.raises(safeload.UsageError, match=r"public key \(VerifyKey\) cannot sign"):
        dump(home_model, tmp_path / "m.joblib", ed_key.public_key)  # type: ignore[arg-type]
    assert not (tmp_path / "m.joblib").exists()
    with pytest.raises(safeload.UsageError, match="cannot sign with NoneType"):
        dumps(home_model, None)  # type: ignore[arg-type]
    (tmp_path / "x.pkl").write_bytes(pickle.dumps([1]))
    with pytest.raises(safeload.UsageError, match="cannot sign"):
        safeload.sign(tmp_path / "x.pkl", [ed_key, ed_key.public_key])  # type: ignore[list-item]


@pytest.mark.parametrize("bad", [-1, 0, 1.5, None, True])
def test_limits_must_be_positive_whole_numbers(bad: Any) -> None:
    with pytest.raises(safeload.UsageError, match="positive whole number"):
        safeload.Limits(max_depth=bad)
    with pytest.raises(safeload.UsageError, match=r"Limits\(max_file_size=-1\)"):
        safeload.Limits(-1)


def test_append_by_a_key_that_already_signed_is_refused(
    signed_joblib: Path, ed_key: SigningKey, other_key: SigningKey
) -> None:
    before = signed_joblib.with_name(signed_joblib.name + ".sig").read_bytes()
    with pytest.raises(safeload.UsageError, match="already has a signature by key id"):
        safeload.sign(signed_joblib, ed_key, append=True, keys=ed_key.public_key)
    assert signed_joblib.with_name(signed_joblib.name + ".sig").read_bytes() == before
    pub = ed_key.public_key
    safeload.sign(signed_joblib, other_key, append=True, keys=pub)  # another key: an approval
    with pytest.raises(safeload.UsageError, match="already has a signature"):
        safeload.sign(signed_joblib, other_key, append=True, keys=pub)


def test_sign_records_only_its_own_version_not_the_files(tmp_path: Path) -> None:
    # The signer did not save this file: recording its scikit-learn/numpy versions would make
    # every load warn about versions the file never had (issue 16).
    path = tmp_path / "third_party.joblib"
    joblib.dump(LinearRegression().fit([[1], [2]], [1, 2]), path)
    key = SigningKey.generate()
    safeload.sign(path, key)
    env = verify(path, key.public_key).predicate.environment
    assert set(env) == {"safeload"}
    folder = tmp_path / "folder"
    folder.mkdir()
    joblib.dump([1], folder / "m.joblib")
    safeload.sign(folder, key)
    assert set(verify(folder, key.public_key).predicate.environment) == {"safeload"}


def test_version_warning_is_safeloads_own_class(
    tmp_path: Path, ed_key: SigningKey, home_model: LinearRegression, monkeypatch: Any
) -> None:
    from safeload.signing import versions

    assert safeload.InconsistentVersionWarning is safeload.VersionMismatchWarning
    dump(home_model, tmp_path / "m.joblib", ed_key)
    running = versions.environment()  # patched where the load's version check looks it up
    monkeypatch.setattr(versions, "environment", lambda: {**running, "numpy": "0.1"})
    with pytest.warns(safeload.VersionMismatchWarning, match="saved with numpy"):
        load(tmp_path / "m.joblib", ed_key.public_key)


def test_convert_records_name_and_expiry(
    signed_joblib: Path, ed_key: SigningKey, tmp_path: Path
) -> None:
    from datetime import datetime, timezone

    until = datetime(2099, 1, 1, tzinfo=timezone.utc)
    out = tmp_path / "m.skops"
    safeload.convert(
        signed_joblib, out, ed_key, keys=ed_key.public_key, name="churn", expires=until
    )
    p = verify(out, ed_key.public_key).predicate
    assert (p.name, p.expires) == ("churn", until)


def test_a_name_that_differs_only_in_normalisation_says_so(
    tmp_path: Path, ed_key: SigningKey, home_model: LinearRegression
) -> None:
    import unicodedata

    nfc = unicodedata.normalize("NFC", "modèle.joblib")
    nfd = unicodedata.normalize("NFD", nfc)
    payload, sidecar = dumps(home_model, ed_key, format="joblib", name=nfc)
    with pytest.raises(SignatureError, match="differ in Unicode normalisation") as info:
        loads(payload, sidecar, ed_key.public_key, name=nfd)
    assert "signed: NFC, on disk: not NFC" in str(info.value)
    with pytest.raises(SignatureError) as other:
        loads(payload, sidecar, ed_key.public_key, name="model.joblib")
    assert "normalisation" not in str(other.value)


def test_write_errors_name_the_target_not_the_temp_file(
    tmp_path: Path, ed_key: SigningKey, home_model: LinearRegression, monkeypatch: Any
) -> None:
    import errno

    from safeload.io import atomic as _atomic

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_atomic.os, "fsync", full)
    target = tmp_path / "m.joblib"
    with pytest.raises(OSError, match="No space left") as info:
        dump(home_model, target, ed_key)
    assert info.value.errno == errno.ENOSPC
    assert f"cannot write {target}" in str(info.value)
    assert ".tmp" not in str(info.value)
    assert list(tmp_path.iterdir()) == []  # the temp file is gone too
    monkeypatch.undo()

    def read_only(path: Any, flags: int, mode: int = 0o777) -> int:
        raise OSError(errno.EROFS, "Read-only file system", str(path))

    monkeypatch.setattr(_atomic.os, "open", read_only)
    with pytest.raises(OSError, match=f"cannot write {target}: Read-only file system"):
        dump(home_model, target, ed_key)


# Issue 16: an untrusted or missing name says what to do about it.


def _global_pickle(path: Path, module: str, name: str) -> Path:
    """A pickle that builds module.name() (protocol 4 STACK_GLOBAL)."""
    m, n = module.encode(), name.encode()
    path.write_bytes(
        b"\x80\x04\x8c" + bytes([len(m)]) + m + b"\x8c" + bytes([len(n)]) + n + b"\x93)\x81."
    )
    return path


def test_a_class_from_main_is_told_to_move_to_a_module(tmp_path: Path) -> None:
    with pytest.raises(UntrustedTypeError, match=r"__main__\.Model \(defined in the script"):
        load_unsigned(_global_pickle(tmp_path / "m.pkl", "__main__", "Model"))


def test_a_typo_in_a_trusted_name_gets_a_did_you_mean(tmp_path: Path) -> None:
    path = _global_pickle(tmp_path / "m.pkl", "mypkg.features", "MyTransformer")
    with pytest.raises(UntrustedTypeError) as info:
        load_unsigned(path, trusted=["mypkg.features.MyTransfomer"])
    assert (
        "you trusted mypkg.features.MyTransfomer: did you mean mypkg.features.MyTransformer?"
        in str(info.value)
    )
    with pytest.raises(UntrustedTypeError) as unrelated:
        load_unsigned(path, trusted=["collections.OrderedDict"])
    assert "did you mean" not in str(unrelated.value)


def test_a_trusted_name_whose_module_is_missing_says_so(tmp_path: Path) -> None:
    path = _global_pickle(tmp_path / "m.pkl", "no_such_pkg.models", "Model")
    with pytest.raises(
        MalformedArtifactError, match="module no_such_pkg.models is not installed here"
    ):
        load_unsigned(path, trusted=["no_such_pkg.models.Model"])
    # a standard-library name is refused before its module is imported (rt87-06), and a near
    # miss of an allowlisted one is pointed out
    path = _global_pickle(tmp_path / "m.pkl", "fractions", "Fractoin")
    with pytest.raises(safeload.UsageError, match=r"did you mean fractions\.Fraction\?"):
        load_unsigned(path, trusted=["fractions.Fractoin"])


def test_a_limit_error_says_how_to_raise_the_limit_not_to_run_scan(tmp_path: Path) -> None:
    from safeload import LimitExceededError, Limits

    path = tmp_path / "deep.pkl"
    path.write_bytes(pickle.dumps([[[[[1]]]]]))
    with pytest.raises(LimitExceededError) as info:
        load_unsigned(path, limits=Limits(max_depth=2))
    assert "limits=Limits(...)" in str(info.value) and "safeload scan" not in str(info.value)


def test_key_checks_leave_other_verifier_classes_to_the_keyring(signed_joblib: Path) -> None:
    class OtherVerifier:  # e.g. a key type added later: judged by Keyring, not refused early
        keyid, algorithm = "0" * 64, "other"

        def verify(self, message: bytes, signature: bytes) -> bool:
            return False

    with pytest.raises(Exception) as info:  # whatever as_keyring makes of it
        load(signed_joblib, OtherVerifier())  # type: ignore[arg-type]
    assert not isinstance(info.value, safeload.UsageError)


def _search_with_distributions() -> Any:
    import warnings

    from scipy.stats import loguniform, randint, uniform
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import RandomizedSearchCV

    x = np.random.RandomState(0).rand(40, 3)
    y = (x[:, 0] > 0.5).astype(int)
    grid = {"C": loguniform(1e-2, 1e2), "tol": uniform(0, 1e-3), "max_iter": randint(50, 200)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return RandomizedSearchCV(LogisticRegression(), grid, n_iter=2, cv=2, random_state=0).fit(
            x, y
        )


@pytest.mark.parametrize("writer", ["p2.pkl", "p5.pkl", "m.joblib"])
def test_search_with_scipy_distributions_is_refused_with_the_way_out(
    tmp_path: Path, writer: str
) -> None:
    """Issue 15: scipy.stats distributions exec source text from their state in __setstate__
    and pickle a bound method through builtins.getattr; neither can be allowed. The refusal
    says so and names the better way (save best_estimator_), which then loads."""
    search = _search_with_distributions()
    path = tmp_path / writer
    if writer.endswith(".joblib"):
        joblib.dump(search, path)
    else:
        path.write_bytes(pickle.dumps(search, protocol=int(writer[1])))
    with pytest.raises(UntrustedTypeError) as info:
        load_unsigned(path)
    message = str(info.value)
    assert "scipy.stats distributions" in message and "RandomizedSearchCV" in message
    assert "best_estimator_" in message and "builtins.getattr" in message
    assert "tries to run code" not in message
    # a name cannot be trusted away: getattr stays refused, and scipy's distributions are
    # classes of a package safeload has not reviewed (red team 95: rt95-01)
    with pytest.raises(safeload.UsageError, match="installed package scipy"):
        load_unsigned(path, trusted=[n for n in info.value.names if "getattr" not in n])
    best = tmp_path / ("best." + writer.split(".")[-1])
    best.write_bytes(pickle.dumps(search.best_estimator_, protocol=5))
    x = np.random.RandomState(1).rand(5, 3)
    assert (load_unsigned(best).predict(x) == search.predict(x)).all()


def test_distribution_names_do_not_soften_other_code_primitives() -> None:
    """A file cannot make os.system look like a search's distribution by naming one."""
    from safeload.pickle.advice import untrusted_error

    names = ["scipy.stats._continuous_distns.uniform_gen", "builtins.getattr", "os.system"]
    assert "tries to run code" in str(untrusted_error(names, "f.pkl"))
    assert "tries to run code" not in str(untrusted_error(names[:2], "f.pkl"))


def test_the_unpickler_keeps_its_old_address() -> None:
    """Issue 19 moved the restricted reader into safeload.pickle; ``from safeload.unpickler
    import X`` still gives the same object for every name code imported from there."""
    from safeload import unpickler
    from safeload.pickle import advice, guard, joblib_stream, narrowed
    from safeload.pickle import unpickler as plain

    homes = {
        advice: ["untrusted_error"],
        guard: ["JoblibContentError", "_Guard"],
        plain: ["analyse_stream", "load_pickle_stream", "_CUnpickler", "_ViewReader"],
        joblib_stream: ["load_joblib_stream", "_ArrayRegions"],
        narrowed: ["container_args_problem", "_NARROWED", "_NARROWED_BUILTINS"],
    }
    for module, names in homes.items():
        for name in names:
            assert getattr(unpickler, name) is getattr(module, name), name
    assert set(unpickler.__all__) <= {n for names in homes.values() for n in names}
