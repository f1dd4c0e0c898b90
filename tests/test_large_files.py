"""Large artifacts: read into private memory once, verified, and viewed (not copied) by arrays.

From ``safeload.io.HUGE_FROM`` bytes on, a file is read into an anonymous private mapping instead
of a ``bytearray`` (it faults in huge pages, not 4 KiB ones). These tests pin what must not change
with that: the bytes verified are the bytes loaded, nothing outside the process can change them
afterwards, tampering still fails, and every reader handles the buffer type.
"""

from __future__ import annotations

import hashlib
import mmap
import pickle
import shlex
import sys
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

import zygote
from memory import owners
from safeload import (
    MalformedArtifactError,
    SignatureError,
    SigningKey,
    UntrustedTypeError,
    dump,
    load,
    load_unsigned,
    scan,
)
from safeload import io as fileio
from safeload.pickle.unpickler import _ViewReader, load_pickle_stream
from safeload.policy import Limits, resolve_policy

BIG = fileio.HUGE_FROM // 8 + 1000  # float64 items: just over the threshold


def _weights() -> dict[str, Any]:
    return {"w": np.arange(BIG, dtype=np.float64), "name": "big"}


def test_large_files_use_private_anonymous_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * fileio.HUGE_FROM)
    data = fileio.read_once(path, 1 << 40)
    if fileio.MADV_HUGEPAGE is None:  # pragma: no cover - not Linux
        assert isinstance(data, bytearray)
    else:
        assert isinstance(data, mmap.mmap)
    assert bytes(data[:4]) == b"xxxx" and len(data) == fileio.HUGE_FROM
    small = tmp_path / "small.bin"
    small.write_bytes(b"y" * 100)
    assert isinstance(fileio.read_once(small, 1 << 40), bytearray)


@pytest.mark.parametrize("name", ["big.joblib", "big.pkl", "big.joblib.gz"])
def test_large_round_trip_signed_and_unsigned(
    tmp_path: Path, ed_key: SigningKey, name: str
) -> None:
    path = tmp_path / name
    dump(_weights(), path, ed_key)
    assert path.stat().st_size >= fileio.HUGE_FROM or name.endswith(".gz")
    for loaded in (load(path, ed_key.public_key), load_unsigned(path)):
        assert loaded["name"] == "big"
        assert np.array_equal(loaded["w"], np.arange(BIG, dtype=np.float64))
        loaded["w"][0] = 42.0  # arrays are writable, as joblib's and pickle's are
    assert scan(path).safe


def test_arrays_outlive_the_load_and_ignore_later_file_changes(
    tmp_path: Path, ed_key: SigningKey
) -> None:
    """The arrays view private memory: overwriting the file after loading changes nothing."""
    path = tmp_path / "big.joblib"
    dump(_weights(), path, ed_key)
    loaded = load(path, ed_key.public_key)
    path.write_bytes(b"\0" * path.stat().st_size)
    import gc

    gc.collect()
    assert loaded["w"][BIG - 1] == BIG - 1
    assert float(loaded["w"].sum()) == float(np.arange(BIG, dtype=np.float64).sum())


@pytest.mark.parametrize("name", ["big.joblib", "big.pkl"])
def test_large_tampered_file_is_refused(tmp_path: Path, ed_key: SigningKey, name: str) -> None:
    path = tmp_path / name
    dump(_weights(), path, ed_key)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(SignatureError, match=name):
        load(path, ed_key.public_key)


def test_large_hostile_pickle_is_refused_before_loading(tmp_path: Path) -> None:
    """A large valid stream that ends by calling os.system: plain pickle runs it, safeload
    refuses it in the static pass, before the array in front of it is built."""
    marker = tmp_path / "marker"
    command = f"touch {shlex.quote(str(marker))}".encode()
    body = pickle.dumps(np.zeros(BIG), protocol=5)[:-1] + b"0"  # drop STOP, POP the array
    payload = body + b"cos\nsystem\n(S'" + command + b"'\ntR."
    path = tmp_path / "big.pkl"
    path.write_bytes(payload)
    assert path.stat().st_size >= fileio.HUGE_FROM
    with pytest.raises(UntrustedTypeError, match="os.system"):
        load_unsigned(path)
    assert not marker.exists()
    code = f"import pickle; pickle.load(open({str(path)!r}, 'rb'))"
    zygote.subprocess_run([sys.executable, "-c", code], check=True, timeout=120)
    assert marker.exists()  # the payload is real: plain pickle executed it


def test_large_truncated_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.joblib"
    joblib.dump(_weights(), path)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(MalformedArtifactError):
        load_unsigned(path)


@pytest.mark.parametrize("protocol", range(6))
@pytest.mark.parametrize("kind", ["bytes", "bytearray", "memoryview", "mmap"])
def test_view_reader_feeds_the_c_unpickler_for_every_buffer(protocol: int, kind: str) -> None:
    value = {"text": "line one\nline two", "n": [1, 2.5, None], "raw": b"\x00\n" * 3000}
    raw = pickle.dumps(value, protocol=protocol)
    buf: Any
    if kind == "bytes":
        buf = raw
    elif kind == "bytearray":
        buf = bytearray(raw)
    elif kind == "memoryview":
        buf = memoryview(b"junk" + raw)[4:]  # a sliced view: offsets must not leak through
    else:
        buf = mmap.mmap(-1, len(raw))
        buf.write(raw)
    policy = resolve_policy(None, ())
    assert load_pickle_stream(buf, policy, Limits(), "test") == value
    reader = _ViewReader(buf)
    assert reader.read(2) == raw[:2] and reader.tell() == 2
    target = bytearray(3)
    assert reader.readinto(target) == 3 and bytes(target) == raw[2:5]
    assert reader.read() == raw[5:] and reader.read(10) == b""


def test_view_reader_peek_does_not_move() -> None:
    reader = _ViewReader(bytearray(b"abcdef"))
    assert reader.read(1) == b"a"
    assert reader.peek(3) == b"bcd" and reader.peek() == b"b" and reader.tell() == 1
    assert reader.peek(100) == b"bcdef" and reader.read() == b"bcdef"
    assert reader.peek(4) == b""


@pytest.mark.parametrize("protocol", range(6))
def test_c_unpickler_stops_exactly_at_stop_with_prefetch(protocol: int) -> None:
    """The unpickler prefetches through peek; bytes after STOP must still be noticed."""
    policy = resolve_policy(None, ())
    raw = pickle.dumps({"k": list(range(3000))}, protocol=protocol)
    reader = _ViewReader(raw + b"trailing")
    from safeload.pickle.guard import _Guard
    from safeload.pickle.unpickler import _CUnpickler
    from safeload.pickle.walker import analyze

    analysis = analyze(raw, policy=policy)
    assert _CUnpickler(reader, _Guard(policy, analysis.resolved, "t")).load() == {
        "k": list(range(3000))
    }
    assert reader.tell() == len(raw)


def test_view_reader_readline() -> None:
    reader = _ViewReader(memoryview(b"xxab\ncd\nef")[2:])
    assert reader.readline() == b"ab\n"
    assert reader.readline(1) == b"c"
    assert reader.readline() == b"d\n"
    assert reader.readline() == b"ef" and reader.readline() == b""


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 1001, 5000])
def test_hash_while_reading_is_the_hash_of_the_buffer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    monkeypatch.setattr(fileio, "HASH_CHUNK", 1000)
    path = tmp_path / "f.bin"
    content = bytes(range(256)) * (size // 256) + bytes(size % 256)
    path.write_bytes(content)
    data, digest = fileio.read_file(path, 1 << 40, hash_from=0)
    assert digest is not None and bytes(data) == content
    assert digest[0] == "sha256" and digest[1].result() == hashlib.sha256(content).hexdigest()
    assert fileio.read_file(path, 1 << 40, hash_from=size + 1)[1] is None
    blake3 = pytest.importorskip("blake3")
    _, digest = fileio.read_file(path, 1 << 40, hash_from=0, algorithm="blake3")
    assert digest is not None and digest[0] == "blake3"
    assert digest[1].result() == blake3.blake3(content).hexdigest()
    monkeypatch.setattr(fileio._progress, "blake3_module", lambda: None)
    _, digest = fileio.read_file(path, 1 << 40, hash_from=0, algorithm="blake3")
    assert digest is not None and digest[0] == "sha256"  # falls back when blake3 is missing


def test_large_load_uses_the_digest_computed_while_reading(
    tmp_path: Path, ed_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeload import _progress

    monkeypatch.setattr(_progress, "blake3_module", lambda: None)  # the SHA-256 path
    path = tmp_path / "big.joblib"
    dump(_weights(), path, ed_key)

    def no_second_hash(*args: Any, **kwargs: Any) -> str:
        raise AssertionError("load hashed the artifact twice")

    monkeypatch.setattr(_progress, "sha256_hex", no_second_hash)
    assert load(path, ed_key.public_key)["name"] == "big"
    data = bytearray(path.read_bytes())
    data[-5] ^= 0x01  # near the end: in the last chunk hashed
    path.write_bytes(bytes(data))
    with pytest.raises(SignatureError):
        load(path, ed_key.public_key)


def test_small_arrays_do_not_pin_the_file_buffer(tmp_path: Path) -> None:
    """A view keeps the whole buffer alive: the big array may view it, the small ones (a
    forest's ``classes_``, say) are copies, so a model made of small arrays frees the buffer."""
    from safeload.pickle.analysis import VIEW_FROM

    path = tmp_path / "mixed.joblib"
    small = np.arange(4, dtype=np.float64)
    joblib.dump({"w": np.arange(BIG, dtype=np.float64), "small": small}, path)
    loaded = load_unsigned(path)
    assert small.nbytes < VIEW_FROM
    buffers = (mmap.mmap, bytearray, bytes, memoryview)
    assert not any(isinstance(o, buffers) for o in owners(loaded["small"]))
    assert any(isinstance(o, (mmap.mmap, bytearray)) for o in owners(loaded["w"]))
    assert np.array_equal(loaded["small"], small)


def test_the_array_stand_in_releases_the_buffer(tmp_path: Path) -> None:
    """The joblib wrapper's stand-in class lives until the collector runs; it must not keep the
    file buffer alive until then."""
    import gc

    from safeload.pickle import joblib_stream

    seen: list[Any] = []
    real = joblib_stream._ArrayRegions.release

    def spy(self: Any) -> None:
        real(self)
        seen.append(self)

    path = tmp_path / "small.joblib"
    joblib.dump({"a": np.arange(10)}, path)
    mp = pytest.MonkeyPatch()
    mp.setattr(joblib_stream._ArrayRegions, "release", spy)
    try:
        gc.disable()
        load_unsigned(path)
    finally:
        gc.enable()
        mp.undo()
    assert len(seen) == 1 and len(seen[0].data) == 0


@pytest.mark.skipif(fileio.MADV_HUGEPAGE is None, reason="no transparent huge pages")
@pytest.mark.parametrize("slow", [True, False])
def test_a_slow_huge_page_read_falls_back_to_ordinary_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, slow: bool
) -> None:
    """A chunk read slower than _SLOW_HUGE_READ (the kernel compacting memory for huge pages)
    switches the rest of the buffer to ordinary pages, once; the bytes read are the same."""
    calls: list[int] = []
    real = fileio.no_huge_pages

    def spy(buf: mmap.mmap, start: int) -> None:
        calls.append(start)
        real(buf, start)

    monkeypatch.setattr(fileio, "no_huge_pages", spy)
    monkeypatch.setattr(fileio, "HASH_CHUNK", 1 << 20)
    # every chunk counts as slow, or none does
    monkeypatch.setattr(fileio, "SLOW_HUGE_READ", float("inf") if slow else 1e-9)
    payload = bytes(range(256)) * (6 << 12)  # 6 MiB: above _HUGE_FROM, six chunks
    path = tmp_path / "big.bin"
    path.write_bytes(payload)
    data = fileio.read_once(path, 1 << 30)
    assert isinstance(data, mmap.mmap) and data[:] == payload
    assert calls == ([1 << 20] if slow else [])
