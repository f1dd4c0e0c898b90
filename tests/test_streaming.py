"""`verify` and `scan` of a file much larger than the memory they use (issue 18).

verify hashes a file as it streams through one small buffer (nothing is deserialized, so it
never needs the bytes again); scan maps a large file and its static pass touches only opcodes
and the few values it checks. Each runs in a child process that reports its peak resident
memory, on a 768 MiB file: a whole-file read would show at least that much.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from safeload import SigningKey, api
from safeload import io as fileio
from safeload.cli import main

pytestmark = pytest.mark.skipif(
    not os.path.exists("/proc/self/status"), reason="peak memory is read from Linux's /proc"
)

SIZE = 768 << 20
#: A child that imports safeload, numpy and scikit-learn starts at about 150 MB on Linux.
CEILING = 256 << 20

# VmHWM, this process's own peak: ru_maxrss would also count the parent's memory at the
# fork that started this child (Linux keeps it across exec).
_PEAK = """
import json, sys
import safeload
kind, path, pub = sys.argv[1:4]
if kind == "verify":
    safeload.verify(path, safeload.load_public_key(pub))
    verdict = "verified"
else:
    verdict = safeload.scan(path).verdict
status = open("/proc/self/status").read().split("VmHWM:")[1].split()
peak = int(status[0]) * 1024
print(json.dumps({"verdict": verdict, "peak": peak}))
"""


def _peak(kind: str, path: Path, pub: Path | str = "") -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _PEAK, kind, str(path), str(pub)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    result: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    return result


def _array_pickle(path: Path) -> None:
    """numpy's own protocol-5 pickle of a float64 array of SIZE bytes. ``np.zeros`` maps zero
    pages and pickle writes them straight from the array, so this costs disk, not memory."""
    import pickle

    import numpy as np

    with path.open("wb") as fh:
        pickle.dump({"weights": np.zeros(SIZE // 8)}, fh, protocol=5)


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "weights.pkl"
    _array_pickle(path)
    return path


def test_verify_streams_a_large_file(tmp_path: Path, big: Path) -> None:
    key = SigningKey.generate()
    pub = key.public_key.save(tmp_path / "k.pub")
    subprocess.run(  # signing reads the whole file: in a child, so this process stays small
        [
            sys.executable,
            "-c",
            "import sys, safeload; "
            "safeload.sign(sys.argv[1], safeload.load_signing_key(sys.argv[2]))",
            str(big),
            str(key.save(tmp_path / "k.key")),
        ],
        check=True,
        timeout=300,
    )
    result = _peak("verify", big, pub)
    assert result["verdict"] == "verified"
    assert isinstance(result["peak"], int) and result["peak"] < CEILING, result


def test_scan_maps_a_large_file(big: Path) -> None:
    result = _peak("scan", big)
    assert result["verdict"] == "safe"
    assert isinstance(result["peak"], int) and result["peak"] < CEILING, result


def test_verify_of_a_changed_large_file_still_fails(tmp_path: Path) -> None:
    """The streamed digest is compared like the whole-file one: one changed byte fails."""
    key = SigningKey.generate()
    path = tmp_path / "m.pkl"
    path.write_bytes(
        b"\x80\x05" + b"\x8e" + (3 << 20).to_bytes(8, "little") + b"\x00" * (3 << 20) + b"."
    )
    api.sign(path, key)
    raw = bytearray(path.read_bytes())
    raw[1 << 20] ^= 1
    path.write_bytes(bytes(raw))
    code = main(["verify", str(path), "--pub", str(key.public_key.save(tmp_path / "k.pub"))])
    assert code != 0


def test_small_files_are_still_read_not_mapped(tmp_path: Path) -> None:
    path = tmp_path / "small.pkl"
    path.write_bytes(b"\x80\x04K\x01.")
    data = fileio.read_for_scan(path, 1 << 30)
    assert isinstance(data, bytearray) or not hasattr(data, "madvise")


def _signed(blake3: bool, **kw: object) -> tuple[bytes, bytes, SigningKey]:

    from safeload.signing import sign_bytes

    key = SigningKey.generate()
    data = b"\x80\x04K\x01." * 1000
    env = sign_bytes(data, key, name="m.pkl", format="pickle", blake3=blake3, **kw)
    return data, env.to_json(), key


def _verify_sha256(data: bytes, sidecar: bytes, key: SigningKey, **kw: Any) -> object:
    """verify_digest with the SHA-256 of ``data``."""
    import hashlib

    from safeload.signing import verify_digest

    digest = ("sha256", hashlib.sha256(data).hexdigest())
    return verify_digest(len(data), digest, sidecar, key.public_key, name="m.pkl", **kw)


def test_verify_digest_follows_verify_bytes_rules() -> None:
    """The digest-only check refuses what verify_bytes refuses: a wrong size, a wrong digest,
    a digest of the algorithm the statement is not checked with, another name, expiry."""
    import hashlib
    from datetime import datetime, timedelta, timezone

    from safeload.exceptions import SignatureError
    from safeload.signing import checked_algorithm, verify_bytes, verify_digest

    data, sidecar, key = _signed(blake3=False)
    sha = hashlib.sha256(data).hexdigest()
    statement = verify_digest(len(data), ("sha256", sha), sidecar, key.public_key, name="m.pkl")
    assert statement == verify_bytes(data, sidecar, key.public_key, name="m.pkl").statement
    assert checked_algorithm(statement.subject) == "sha256"
    bad = [
        (len(data) + 1, ("sha256", sha), "m.pkl"),
        (len(data), ("sha256", "0" * 64), "m.pkl"),
        (len(data), ("blake3", sha), "m.pkl"),  # the statement has no BLAKE3 digest
        (len(data), ("sha256", sha), "other.pkl"),
    ]
    for size, digest, name in bad:
        with pytest.raises(SignatureError):
            verify_digest(size, digest, sidecar, key.public_key, name=name)
    later = datetime.now(timezone.utc) + timedelta(days=2)
    data, sidecar, key = _signed(blake3=False, expires=later - timedelta(days=1))
    with pytest.raises(SignatureError, match="expired"):
        _verify_sha256(data, sidecar, key, now=later)


def test_verify_digest_checks_blake3_where_the_statement_has_it() -> None:

    import blake3

    from safeload.exceptions import SignatureError
    from safeload.signing import verify_digest

    data, sidecar, key = _signed(blake3=True)
    b3 = blake3.blake3(data).hexdigest()
    verify_digest(len(data), ("blake3", b3), sidecar, key.public_key, name="m.pkl")
    with pytest.raises(SignatureError):  # SHA-256 is in the statement, but BLAKE3 is checked
        _verify_sha256(data, sidecar, key)


def test_scan_of_a_large_bytes_constant_stays_small(tmp_path: Path) -> None:
    """A pickle that is one bytes value of SIZE bytes (written sparse: PROTO 5, BINBYTES8, a
    hole, STOP): plain pickle would hold it whole; scan neither reads nor copies it."""
    import pickle

    path = tmp_path / "blob.pkl"
    with path.open("wb") as fh:
        fh.write(b"\x80\x05\x8e" + SIZE.to_bytes(8, "little"))
        fh.seek(SIZE, 1)
        fh.write(b".")
    with path.open("rb") as fh:  # what it is: plain pickle reads SIZE bytes back
        head = fh.read(11)
    assert pickle.loads(head[:2] + b"\x8e" + (3).to_bytes(8, "little") + b"abc.") == b"abc"
    result = _peak("scan", path)
    assert result["verdict"] == "safe"
    assert isinstance(result["peak"], int) and result["peak"] < CEILING, result


def test_a_mapped_scan_reports_what_a_read_scan_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mapping a file instead of reading it changes only where the bytes live: on every case of
    the attack corpus and on fitted models in pickle and joblib, the report is the same."""
    import pickle

    import joblib
    import numpy as np
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    import safeload
    from safeload.testing import attack_corpus

    paths = []
    for case in attack_corpus():
        path = tmp_path / f"{case.name}{Path(case.filename).suffix}"
        path.write_bytes(case.build(str(tmp_path / f"{case.name}.marker")))
        paths.append(path)
    x = np.random.RandomState(0).rand(40, 3)
    y = (x[:, 0] > 0.5).astype(int)
    models = [LogisticRegression().fit(x, y), RandomForestClassifier(3).fit(x, y)]
    for i, model in enumerate(models):
        (tmp_path / f"m{i}.pkl").write_bytes(pickle.dumps(model, protocol=5))
        joblib.dump(model, tmp_path / f"m{i}.joblib")
        paths += [tmp_path / f"m{i}.pkl", tmp_path / f"m{i}.joblib"]

    def report(path: Path) -> tuple[object, ...]:
        r = safeload.scan(path)
        return (r.verdict, r.format, r.findings, r.globals)

    read = [report(p) for p in paths]
    monkeypatch.setattr(fileio, "MAP_FROM", 0)
    mapped = [report(p) for p in paths]
    assert read == mapped
    assert sum(r[0] == "safe" for r in read) >= 4  # the fitted models are clean
