"""``safeload scan`` of folders, ``--jobs``, and files refused on their first bytes (issue 18)."""

from __future__ import annotations

import io
import json
import pickle
import sys
from pathlib import Path

import joblib
import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

import safeload
import zygote
from safeload import io as fileio
from safeload.cli import main
from safeload.formats import could_be_model


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _system_payload(marker: Path) -> bytes:
    """Protocol 2, raw opcodes: posix.system('touch marker')."""
    command = f"touch {marker}".encode()
    return (
        b"\x80\x02cposix\nsystem\nq\x00X" + len(command).to_bytes(4, "little") + command + b"\x85R."
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    model = LinearRegression().fit(np.arange(10.0).reshape(-1, 1), np.arange(10.0))
    top = tmp_path / "models"
    (top / "nested" / "deeper").mkdir(parents=True)
    (top / "a.pkl").write_bytes(pickle.dumps(model, protocol=4))
    joblib.dump(model, top / "nested" / "b.joblib")
    joblib.dump(model, top / "nested" / "deeper" / "c.joblib.gz", compress=("gzip", 3))
    (top / "README.txt").write_text("not a model")
    return top


def test_a_folder_stands_for_every_model_file_under_it(folder: Path) -> None:
    code, out, _ = _run("scan", str(folder), "--json")
    assert code == 0
    scanned = sorted(Path(r["source"]).name for r in json.loads(out)["reports"])
    assert scanned == ["a.pkl", "b.joblib", "c.joblib.gz"]  # README.txt is left out


def test_an_unsafe_file_in_a_folder_fails_the_scan(folder: Path, tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    bad = folder / "nested" / "bad.pkl"
    bad.write_bytes(_system_payload(marker))
    plain = f"import pickle; pickle.load(open({str(bad)!r}, 'rb'))"
    zygote.subprocess_run([sys.executable, "-c", plain], check=False, timeout=60)
    assert marker.exists()  # the attack works under plain pickle
    marker.unlink()
    code, out, err = _run("scan", str(folder))
    assert code == 1
    assert f"UNSAFE {bad}" in out and "posix.system" in out
    assert "tries to run code" in err
    assert not marker.exists()


def test_jobs_give_the_same_reports(folder: Path) -> None:
    one = json.loads(_run("scan", str(folder), "--json")[1])
    two = json.loads(_run("scan", "--jobs", "2", str(folder), "--json")[1])
    assert one == two


def test_jobs_must_be_positive(folder: Path) -> None:
    code, _, err = _run("scan", "--jobs", "0", str(folder))
    assert code == 2 and "--jobs" in err


def test_a_file_that_is_no_model_is_refused_on_its_first_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.pkl"
    with big.open("wb") as fh:
        fh.write(b"\x00" * 16)
        fh.truncate(64 << 20)  # 64 MiB, never read

    def no_full_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("the whole file was read")

    monkeypatch.setattr(fileio, "read_once", no_full_read)
    monkeypatch.setattr(fileio, "read_for_scan", no_full_read)
    report = safeload.scan(big)
    assert not report.safe
    assert "not a pickle, joblib or skops file" in report.findings[0].message


def test_could_be_model_accepts_what_the_writers_write(tmp_path: Path) -> None:
    obj = {"w": np.arange(3.0)}
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert could_be_model(pickle.dumps(obj, protocol=protocol)[:16])
    for compress in (0, ("zlib", 3), ("gzip", 3), ("bz2", 3), ("xz", 3), ("lzma", 3)):
        buf = io.BytesIO()
        joblib.dump(obj, buf, compress=compress)
        assert could_be_model(buf.getvalue()[:16]), compress
    assert could_be_model(b"PK\x03\x04")  # skops is a zip
    assert not could_be_model(b"")
    assert not could_be_model(b"\x00\x01")  # no opcode is 0x00
    assert not could_be_model(b"\x80\x09")  # PROTO of a protocol pickle does not know
    assert not could_be_model(b"\xff\xd8\xff")  # a JPEG


class _ClosedPipe(io.StringIO):
    def write(self, s: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_reader_that_goes_away_stops_the_scan_quietly(folder: Path) -> None:
    """`safeload scan DIR --json | head`: no traceback, and a failing exit (not all verdicts
    were read)."""
    err = io.StringIO()
    assert main(["scan", str(folder), "--json"], stdout=_ClosedPipe(), stderr=err) == 1
    assert "Traceback" not in err.getvalue()
