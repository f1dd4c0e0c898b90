"""Findings f04, f05 and f09 of the rt14 red-team review, one group of tests each.

Each attack is first shown working where safeload is not involved (plain ``joblib.load`` in a
child process creates a marker file; or the old rule, reproduced here, would have let it
through), then refused by safeload, with the honest path next to it still working.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import joblib
import pytest
from sklearn.linear_model import LogisticRegression

import safeload
import zygote
from safeload import (
    MalformedArtifactError,
    SafeloadError,
    SignatureError,
    SigningKey,
    UntrustedTypeError,
    UsageError,
)
from safeload.cli import main

# --- f04: joblib content under a .pkl name, its placeholder spelled past the byte sniff -------


def _su(text: str) -> bytes:
    raw = text.encode()
    return b"\x8c" + bytes([len(raw)]) + raw  # SHORT_BINUNICODE


def _hidden_wrapper(marker: Path, spelling: str) -> bytes:
    """A joblib stream whose placeholder global the byte sniff does not see.

    joblib reads 2 bytes of uint8 array data after the wrapper's BUILD (the opcode and length
    byte of a SHORT_BINUNICODE) and then runs ``GLOBAL posix.system`` + ``REDUCE``; read as a
    plain pickle those opcodes are the text of a harmless string.
    """
    pad = b""
    if spelling == "escape":  # UNICODE text opcode: "\\u002e" is the dot
        glob = b"Vjoblib\\u002enumpy_pickle\n" + _su("NumpyArrayWrapper") + b"\x93"
    elif spelling == "dotted":  # protocol 4 walks the dotted qualname from "joblib"
        glob = _su("joblib") + _su("numpy_pickle.NumpyArrayWrapper") + b"\x93"
    else:  # "late": the ordinary spelling, after the first 4 MiB the sniff reads
        pad = b"\x8d" + (5 << 20).to_bytes(8, "little") + b"x" * (5 << 20) + b"0"
        glob = _su("joblib.numpy_pickle") + _su("NumpyArrayWrapper") + b"\x93"
    dtype = b"cnumpy\ndtype\n" + _su("u1") + b"\x89\x88\x87R"
    state = (
        b"}("
        + _su("subclass")
        + b"cnumpy\nndarray\n"
        + _su("shape")
        + b"K\x02\x85"
        + _su("order")
        + _su("C")
        + _su("dtype")
        + dtype
        + _su("allow_mmap")
        + b"\x89u"
    )
    head = b"\x80\x04" + pad + glob + b")\x81" + state + b"b"
    payload = f"cposix\nsystem\n(S'touch {marker}'\ntR".encode()
    return head + b"\x8c" + bytes([len(payload)]) + payload + b"0."


def _joblib_load_in_child(path: Path) -> None:
    code = "import sys, joblib; joblib.load(sys.argv[1])"
    zygote.subprocess_run([sys.executable, "-c", code, str(path)], capture_output=True)


@pytest.mark.parametrize("spelling", ["escape", "dotted", "late"])
def test_f04_hidden_joblib_wrapper_in_a_pkl(tmp_path: Path, spelling: str) -> None:
    marker = tmp_path / "marker"
    path = tmp_path / "model.pkl"
    path.write_bytes(_hidden_wrapper(marker, spelling))
    assert safeload.formats.sniff_format(path.read_bytes()) == "pickle"  # the sniff misses it
    _joblib_load_in_child(path)
    assert marker.exists(), "plain joblib.load should run the payload"
    marker.unlink()

    report = safeload.scan(path)
    assert not report.safe
    if spelling == "dotted":  # an alias of the placeholder is not on the allowlist
        assert report.untrusted == ("joblib:numpy_pickle.NumpyArrayWrapper",)
        with pytest.raises(UntrustedTypeError):
            safeload.load_unsigned(path)
        return
    assert report.format == "joblib"  # the analysis, not the name, decided
    explicit = safeload.scan(path, format="pickle")
    assert not explicit.safe
    assert "format='joblib'" in explicit.findings[0].message
    with pytest.raises(SafeloadError):
        safeload.load_unsigned(path)
    with pytest.raises(MalformedArtifactError, match="joblib content"):
        safeload.load_unsigned(path, format="pickle")
    assert not marker.exists()


def test_f04_signed_as_pickle_but_joblib_content(tmp_path: Path, ed_key: SigningKey) -> None:
    """A signature that records "pickle" never makes the joblib placeholder an object."""
    marker = tmp_path / "marker"
    path = tmp_path / "model.pkl"
    path.write_bytes(_hidden_wrapper(marker, "escape"))
    safeload.sign(path, ed_key)
    with pytest.raises(MalformedArtifactError, match="joblib content"):
        safeload.load(path, ed_key.public_key)
    assert not marker.exists()


def test_f04_honest_joblib_dump_under_a_pkl_name(tmp_path: Path, ed_key: SigningKey) -> None:
    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    path = tmp_path / "model.pkl"
    joblib.dump(model, path)
    report = safeload.scan(path)
    assert report.safe and report.format == "joblib", report.findings
    assert safeload.load_unsigned(path).predict([[3.0]])[0] == 1
    safeload.sign(path, ed_key)
    assert safeload.load(path, ed_key.public_key).predict([[0.0]])[0] == 0


def test_f04_placeholder_alias_refused_as_joblib(tmp_path: Path) -> None:
    """Read as joblib, only the exact name is the placeholder: an alias (here trusted by the
    caller, as a class may be) would desynchronise, so it is refused, in either reading."""
    marker = tmp_path / "marker"
    trusted = ["joblib:numpy_pickle.NumpyArrayWrapper"]
    for name in ("model.joblib", "model.pkl"):
        path = tmp_path / name
        path.write_bytes(_hidden_wrapper(marker, "dotted"))
        report = safeload.scan(path, trusted=trusted)
        assert not report.safe and report.format == "joblib"
        assert any("under another name" in f.message for f in report.findings)
        with pytest.raises(MalformedArtifactError, match="under another name"):
            safeload.load_unsigned(path, trusted=trusted)
    assert not marker.exists()


# --- f09: a signed folder reached through a symlinked path ------------------------------------


def _lexical_governing_folder(path: Path) -> Path | None:
    """The rule before the fix: the folders of the path as written, symlinks not resolved."""
    found = None
    for folder in Path(os.path.abspath(path)).parents:
        if folder.name and folder.with_name(folder.name + ".sig").is_file():
            found = folder
    return found


@pytest.fixture()
def releases(tmp_path: Path, ed_key: SigningKey) -> Path:
    """``old/model.joblib`` signed on its own, ``v2/`` signed as a folder, ``current -> v2``."""
    old = tmp_path / "old"
    old.mkdir()
    safeload.dump({"version": "old"}, old / "model.joblib", ed_key)
    v2 = tmp_path / "v2"
    v2.mkdir()
    joblib.dump({"version": "new"}, v2 / "model.joblib")
    safeload.sign(v2, ed_key)
    (tmp_path / "current").symlink_to(v2, target_is_directory=True)
    return tmp_path


def test_f09_symlinked_folder_is_governed_by_the_real_folder(
    releases: Path, ed_key: SigningKey
) -> None:
    via_link = releases / "current" / "model.joblib"
    pub = ed_key.public_key
    assert safeload.load(via_link, pub) == {"version": "new"}  # was MissingSignatureError
    assert safeload.verify(via_link, pub).predicate.format == "directory"
    assert safeload.verify(releases / "current", pub).predicate.format == "directory"
    assert (
        main(["verify", "--pub", str(_pub_file(releases, ed_key)), str(releases / "current")]) == 0
    )

    # someone who can write into v2 drops in the old model with its old, valid sidecar
    v2 = releases / "v2"
    shutil.copy(releases / "old" / "model.joblib", v2 / "model.joblib")
    shutil.copy(releases / "old" / "model.joblib.sig", v2 / "model.joblib.sig")
    assert _lexical_governing_folder(via_link) is None  # the old rule saw no signed folder...
    alone = releases / "alone"
    alone.mkdir()
    for name in ("model.joblib", "model.joblib.sig"):
        shutil.copy(v2 / name, alone / name)
    assert safeload.load(alone / "model.joblib", pub) == {"version": "old"}  # ...and this passes

    for path in (via_link, v2 / "model.joblib"):
        with pytest.raises(SignatureError):
            safeload.load(path, pub)
        with pytest.raises(SignatureError):
            safeload.verify(path, pub)
    with pytest.raises(SignatureError):
        safeload.verify(releases / "current", pub)
    pubfile = str(_pub_file(releases, ed_key))
    assert main(["verify", "--pub", pubfile, str(releases / "current")]) == 1
    assert main(["verify", "--pub", pubfile, str(via_link)]) == 1


def test_f09_symlink_out_of_a_signed_folder_is_refused(releases: Path, ed_key: SigningKey) -> None:
    """A path through the signed v2 that a symlink inside it leads to another signed folder
    (an old release): neither signature may govern silently."""
    old_folder = releases / "oldfolder"
    old_folder.mkdir()
    joblib.dump({"version": "old"}, old_folder / "model.joblib")
    safeload.sign(old_folder, ed_key)
    (releases / "v2" / "sub").symlink_to(old_folder, target_is_directory=True)
    for path in (
        releases / "current" / "sub" / "model.joblib",
        releases / "v2" / "sub" / "model.joblib",
    ):
        with pytest.raises(SignatureError, match="signed folder"):
            safeload.load(path, ed_key.public_key)
        with pytest.raises(SignatureError, match="signed folder"):
            safeload.verify(path, ed_key.public_key)
    # by its real path the old folder verifies as what it is
    assert safeload.load(old_folder / "model.joblib", ed_key.public_key) == {"version": "old"}


def test_f09_plain_paths_unchanged(tmp_path: Path, ed_key: SigningKey) -> None:
    """No symlink: the file's own sidecar outside signed folders, the folder's inside."""
    safeload.dump({"a": 1}, tmp_path / "m.joblib", ed_key)
    assert safeload.load(tmp_path / "m.joblib", ed_key.public_key) == {"a": 1}
    link = tmp_path / "link"
    link.symlink_to(tmp_path, target_is_directory=True)  # no signed folder anywhere
    assert safeload.load(link / "m.joblib", ed_key.public_key) == {"a": 1}


def _pub_file(root: Path, key: SigningKey) -> Path:
    path = root / "keys" / "key.pub"
    if not path.exists():
        path.parent.mkdir()
        key.public_key.save(path)
    return path


# --- f05: trusted= names only classes ---------------------------------------------------------

#: Names the denylist let through (rt14 f05): functions, builtins and classes that open or write
#: files, import modules or load another pickle. Each is refused by ``trusted=`` now.
F05_GADGETS = [
    "codecs.open",
    "numpy.lib._npyio_impl.load",
    "_frozen_importlib._gcd_import",
    "bz2.open",
    "gzip.open",
    "lzma.open",
    "dbm.open",
    "mmap.mmap",
    "linecache.getline",
    "site.addsitedir",
    "site.main",
    "py_compile.compile",
    "compileall.compile_dir",
    "zipapp.create_archive",
    "xml.etree.ElementTree.parse",
    "readline.write_history_file",
    "joblib.dump",
    "joblib.Memory",
    "joblib.Parallel",
    "numpy.savetxt",
    "numpy.savez_compressed",
    "numpy.lib.format.open_memmap",
    "numpy.lib.format.read_array",
    "numpy._core.memmap.memmap",
    "numpy.ctypeslib.load_library",
    "numpy.DataSource",
    "scipy.io.savemat",
    "scipy.io.mmread",
    "scipy.sparse.load_npz",
    "scipy.sparse.save_npz",
    "pandas.eval",
    "pandas.read_parquet",
    "_imp.create_dynamic",
    "_frozen_importlib_external.SourceFileLoader",
    "atexit.register",
    "fcntl.ioctl",
    "resource.setrlimit",
    "locale.setlocale",
    "sklearn.utils.estimator_checks.check_estimator",
    "builtins.print",
    "fractions.Fraction",  # harmless, but a standard library class not reviewed
]


def _call(module: str, name: str, args: bytes) -> bytes:
    return b"\x80\x02c" + f"{module}\n{name}\n".encode() + b"(" + args + b"tR."


def _text(value: str) -> bytes:
    return f"V{value}\n".encode()


@pytest.mark.parametrize("name", F05_GADGETS)
def test_f05_only_classes_can_be_trusted(name: str) -> None:
    from safeload.policy import Policy, parse_name

    module = parse_name(name)[0]
    pytest.importorskip(module)
    with pytest.raises(UsageError, match="refusing to trust"):
        Policy.default().with_trusted([name])
    with pytest.raises(UsageError):
        safeload.scan(b"\x80\x02N.", trusted=[name])


def test_f05_trusting_a_gadget_ran_it_and_now_is_refused(tmp_path: Path) -> None:
    """What the old ``trusted=['codecs.open']`` / ``['numpy.lib._npyio_impl.load']`` let a
    file do (shown with plain pickle, which is what a trusted name resolves to), and that
    neither trusting nor the refusal message lets it through now."""
    marker_a = tmp_path / "marker_a"
    marker_b = tmp_path / "marker_b"
    inner = tmp_path / "inner.npy"  # a pickle under an .npy name: numpy.load(allow_pickle)
    inner.write_bytes(_call("posix", "system", _text(f"touch {marker_b}")))
    payloads = {
        "codecs.open": _call("codecs", "open", _text(str(marker_a)) + _text("w")),
        "numpy.lib._npyio_impl.load": _call(
            "numpy.lib._npyio_impl", "load", _text(str(inner)) + b"N\x88"
        ),
    }
    for name, data in payloads.items():
        path = tmp_path / f"{name}.pkl"
        path.write_bytes(data)
        code = "import pickle, sys; pickle.load(open(sys.argv[1], 'rb'))"
        zygote.subprocess_run([sys.executable, "-c", code, str(path)], capture_output=True)
        with pytest.raises(UsageError, match="refusing to trust"):
            safeload.load_unsigned(path, trusted=[name])
        with pytest.raises(UntrustedTypeError) as info:
            safeload.load_unsigned(path)
        assert "trusted=[" not in str(info.value) and "--trust" not in str(info.value)
        assert not safeload.scan(path).safe
    assert marker_a.exists() and marker_b.exists()  # plain pickle ran both
    marker_a.unlink()
    marker_b.unlink()
    for name in payloads:
        with pytest.raises(SafeloadError):
            safeload.load_unsigned(tmp_path / f"{name}.pkl")
    assert not marker_a.exists() and not marker_b.exists()


def _module(tmp_path: Path, name: str, source: str) -> None:
    (tmp_path / f"{name}.py").write_text(source)


def test_f05_a_name_not_importable_when_trusted_is_checked_at_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caller's name whose module is not importable yet is accepted when trusted; the load
    that resolves it refuses it if it is not a class, before calling it."""
    import importlib

    from safeload.policy import Policy

    marker = tmp_path / "marker"
    policy = Policy.default().with_trusted(["rt14_late.helper"])  # not importable yet
    _module(
        tmp_path,
        "rt14_late",
        f"import pathlib\ndef helper():\n    pathlib.Path({str(marker)!r}).touch()\n",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    path = tmp_path / "m.pkl"
    path.write_bytes(_call("rt14_late", "helper", b""))
    with pytest.raises(UntrustedTypeError, match="not a class"):
        safeload.load_unsigned(path, policy=policy)
    assert not marker.exists()


def test_f05_honest_user_classes_still_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib
    import pickle

    _module(
        tmp_path,
        "rt14_honest",
        "class Model:\n    def __init__(self):\n        self.w = [1.0, 2.0]\n",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.invalidate_caches()
    mod = importlib.import_module("rt14_honest")
    path = tmp_path / "m.pkl"
    path.write_bytes(pickle.dumps(mod.Model(), protocol=4))
    with pytest.raises(UntrustedTypeError, match=r"trusted=\['rt14_honest.Model'\]"):
        safeload.load_unsigned(path)  # the advice is offered for a class
    for trusted in (["rt14_honest.Model"], [mod.Model]):
        assert safeload.load_unsigned(path, trusted=trusted).w == [1.0, 2.0]
        assert safeload.scan(path, trusted=trusted).safe
    assert main(["scan", str(path), "--trust", "rt14_honest.Model"]) == 0
    assert main(["scan", str(path), "--trust", "codecs.open"]) == 2
