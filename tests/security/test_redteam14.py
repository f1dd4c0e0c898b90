"""Findings f04, f05 and f09 of the rt14 red-team review, one group of tests each.

Each attack is first shown working where safeload is not involved (plain ``joblib.load`` in a
child process creates a marker file; or the old rule, reproduced here, would have let it
through), then refused by safeload, with the honest path next to it still working.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import joblib
import pytest
from sklearn.linear_model import LogisticRegression

import safeload
from safeload import MalformedArtifactError, SafeloadError, SigningKey, UntrustedTypeError

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
    subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, check=False)


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
