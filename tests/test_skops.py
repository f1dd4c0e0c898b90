"""skops as the safer format, under the same trust rules as pickle and joblib."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest
import skops.io

import safeload
from corpus import build_corpus, probe
from safeload import (
    Limits,
    MalformedArtifactError,
    MissingSignatureError,
    SigningKey,
    UntrustedTypeError,
    convert,
    dump,
    load,
    load_unsigned,
    scan,
)
from safeload.cli import main

SKOPS_KINDS = [m for m in build_corpus() if m.name not in {"dbscan"}]


def _same(a: Any, b: Any) -> bool:
    if hasattr(a, "toarray"):
        a, b = a.toarray(), b.toarray()
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))


def test_round_trips_in_skops(tmp_path: Path, ed_key: SigningKey) -> None:
    """At least 15 estimator kinds give identical predictions after a signed skops round trip."""
    done = []
    for entry in SKOPS_KINDS:
        path = tmp_path / f"{entry.name}.skops"
        try:
            skops.io.dumps(entry.estimator)
        except Exception:  # noqa: S112 - skops cannot persist this kind at all
            continue
        dump(entry.estimator, path, ed_key)
        assert safeload.verify(path, ed_key.public_key).predicate.format == "skops"
        loaded = load(path, ed_key.public_key)
        assert _same(probe(loaded, entry.X), probe(entry.estimator, entry.X)), entry.name
        done.append(entry.name)
    assert len(done) >= 15, done


# --- one trust vocabulary: the same table of cases for all three formats ---------------------


class Unlisted:
    """A module-level class that no policy lists."""

    def __init__(self) -> None:
        self.weights = [1.0, 2.0]


def _tree_model() -> Any:
    from sklearn.tree import DecisionTreeClassifier

    x = np.random.RandomState(0).rand(40, 3)
    return DecisionTreeClassifier(random_state=0).fit(x, x[:, 0] > 0.5)


def _write(obj: Any, fmt: str, path: Path) -> Path:
    target = path.with_suffix({"pickle": ".pkl", "joblib": ".joblib", "skops": ".skops"}[fmt])
    if fmt == "pickle":
        target.write_bytes(pickle.dumps(obj))
    elif fmt == "joblib":
        joblib.dump(obj, target)
    else:
        target.write_bytes(skops.io.dumps(obj))
    return target


TRUST_CASES = [
    # (label, object factory, trusted=, expected untrusted names or None for "loads")
    ("tree trusted by default", _tree_model, [], None),
    ("unlisted class refused", Unlisted, [], [f"{__name__}.Unlisted"]),
    ("unlisted class allowed by name", Unlisted, [f"{__name__}.Unlisted"], None),
    ("unlisted class allowed by object", Unlisted, [Unlisted], None),
]


@pytest.mark.parametrize("fmt", ["pickle", "joblib", "skops"])
@pytest.mark.parametrize(
    ("label", "factory", "trusted", "refused"), TRUST_CASES, ids=[c[0] for c in TRUST_CASES]
)
def test_one_trust_vocabulary(
    tmp_path: Path,
    ed_key: SigningKey,
    fmt: str,
    label: str,
    factory: Any,
    trusted: list[Any],
    refused: list[str] | None,
) -> None:
    path = _write(factory(), fmt, tmp_path / "case")
    safeload.sign(path, ed_key)
    for loader in (
        lambda: load_unsigned(path, trusted=trusted),
        lambda: load(path, ed_key.public_key, trusted=trusted),
    ):
        if refused is None:
            assert loader() is not None
        else:
            with pytest.raises(UntrustedTypeError) as exc:
                loader()
            assert set(refused) <= set(exc.value.names), exc.value.names
            assert "trusted=[" in str(exc.value)


def test_scan_lists_skops_types_without_building(tmp_path: Path) -> None:
    path = _write(Unlisted(), "skops", tmp_path / "u")
    report = scan(path)
    assert report.format == "skops" and not report.safe
    assert f"{__name__}.Unlisted" in report.untrusted
    assert scan(_write(_tree_model(), "skops", tmp_path / "t")).safe


def test_trust_everything_is_refused(tmp_path: Path) -> None:
    path = _write(_tree_model(), "skops", tmp_path / "t")
    with pytest.raises(TypeError, match="no 'trust everything'"):
        load_unsigned(path, trusted=True)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="not a global name"):
        load_unsigned(path, trusted=["sklearn.*"])


def test_operator_functions_are_refused(tmp_path: Path) -> None:
    """CVE-2025-54412 style: an operator.methodcaller node is never trusted."""
    import operator

    from sklearn.preprocessing import FunctionTransformer

    model = FunctionTransformer(func=operator.methodcaller("__len__"))
    path = tmp_path / "op.skops"
    path.write_bytes(skops.io.dumps(model))
    with pytest.raises(UntrustedTypeError) as exc:
        load_unsigned(path)
    assert any(n.startswith("operator") for n in exc.value.names)


# --- malformed zips ---------------------------------------------------------------------------


def _good_zip() -> bytes:
    return skops.io.dumps(_tree_model())


def _rebuild(members: list[tuple[str, bytes]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def _members() -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(_good_zip())) as zf:
        return [(i.filename, zf.read(i)) for i in zf.infolist()]


def _bad_crc() -> bytes:
    data = bytearray(_rebuild([("schema.json", b'{"a": "' + b"x" * 200 + b'"}')]))
    i = data.index(b"PK\x01\x02")  # central directory: corrupt the stored CRC
    data[i + 16] ^= 0xFF
    return bytes(data)


MALFORMED = {
    "not a zip": lambda: b"PK\x03\x04 definitely not a zip",
    "duplicate names": lambda: _rebuild([*(m := _members()), m[0]]),
    "absolute name": lambda: _rebuild([*_members(), ("/etc/evil", b"x")]),
    "dot-dot name": lambda: _rebuild([*_members(), ("../evil", b"x")]),
    "bad crc": _bad_crc,
    "no schema": lambda: _rebuild([m for m in _members() if m[0] != "schema.json"]),
    "schema not json": lambda: _rebuild([("schema.json", b"{nope")]),
    "truncated": lambda: _good_zip()[:-40],
}


@pytest.mark.parametrize("label", sorted(MALFORMED))
def test_malformed_zips(tmp_path: Path, label: str) -> None:
    path = tmp_path / "bad.skops"
    path.write_bytes(MALFORMED[label]())
    with pytest.raises(MalformedArtifactError):
        load_unsigned(path)
    assert not scan(path).safe


def test_member_inflating_past_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "bomb.skops"
    path.write_bytes(_rebuild([*_members(), ("big.npy", b"\x00" * (8 << 20))]))
    with pytest.raises(MalformedArtifactError, match="size limit"):
        load_unsigned(path, limits=Limits(max_decompressed_size=1 << 20))


# --- convert ----------------------------------------------------------------------------------


def test_convert_unsigned_joblib_to_signed_skops(tmp_path: Path, ed_key: SigningKey) -> None:
    model = _tree_model()
    src = tmp_path / "third_party.joblib"
    joblib.dump(model, src)
    x = np.random.RandomState(1).rand(10, 3)
    sig = convert(src, tmp_path / "team.skops", ed_key, check=x)
    assert sig.name == "team.skops.sig"
    again = load(tmp_path / "team.skops", ed_key.public_key)
    assert again.predict(x).tolist() == model.predict(x).tolist()


def test_convert_with_keys_requires_a_signature(tmp_path: Path, ed_key: SigningKey) -> None:
    src = tmp_path / "m.joblib"
    joblib.dump(_tree_model(), src)
    with pytest.raises(MissingSignatureError):
        convert(src, tmp_path / "m.skops", ed_key, keys=ed_key.public_key)
    safeload.sign(src, ed_key)
    convert(src, tmp_path / "m.skops", ed_key, keys=ed_key.public_key)
    assert (tmp_path / "m.skops.sig").exists()


def test_convert_refuses_untrusted_source(tmp_path: Path, ed_key: SigningKey) -> None:
    src = tmp_path / "evil.pkl"
    src.write_bytes(b"cos\nsystem\n(S'true'\ntR.")
    with pytest.raises(UntrustedTypeError):
        convert(src, tmp_path / "out.skops", ed_key)
    assert not (tmp_path / "out.skops").exists()


def test_convert_cli(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    assert main(["keygen", "team", "--dir", str(keys)], stdout=io.StringIO()) == 0
    src = tmp_path / "m.joblib"
    joblib.dump(_tree_model(), src)
    probe_x = tmp_path / "x.npy"
    np.save(probe_x, np.random.RandomState(2).rand(5, 3))
    out = io.StringIO()
    code = main(
        [
            "convert",
            str(src),
            str(tmp_path / "m.skops"),
            "--key",
            str(keys / "team.key"),
            "--check",
            str(probe_x),
        ],
        stdout=out,
    )
    assert code == 0 and "predictions checked" in out.getvalue()
    assert (
        main(
            ["verify", str(tmp_path / "m.skops"), "--pub", str(keys / "team.pub")],
            stdout=io.StringIO(),
        )
        == 0
    )
    assert (
        json.loads((tmp_path / "m.skops.sig").read_text())["payloadType"]
        == "application/vnd.in-toto+json"
    )


def test_convert_check_that_errors_writes_nothing(tmp_path: Path, ed_key: SigningKey) -> None:
    """A probe the model cannot take (wrong number of columns) leaves no file behind."""
    src = tmp_path / "m.joblib"
    joblib.dump(_tree_model(), src)
    dst = tmp_path / "m.skops"
    with pytest.raises(ValueError, match="nothing was written"):
        convert(src, dst, ed_key, check=np.zeros((2, 7)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.joblib"]


def test_convert_check_never_clobbers_an_existing_destination(
    tmp_path: Path, ed_key: SigningKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The existing, good destination stays as it was when the check fails or errors."""
    src = tmp_path / "m.joblib"
    joblib.dump(_tree_model(), src)
    dst = tmp_path / "m.skops"
    convert(src, dst, ed_key)
    before = (dst.read_bytes(), (tmp_path / "m.skops.sig").read_bytes())
    with pytest.raises(ValueError):
        convert(src, dst, ed_key, check=np.zeros((2, 7)))
    assert (dst.read_bytes(), (tmp_path / "m.skops.sig").read_bytes()) == before
    # a check that runs but differs: the destination is untouched as well
    from safeload import _writing

    monkeypatch.setattr(_writing, "probe", lambda model, x: np.asarray([id(model)]))
    with pytest.raises(MalformedArtifactError, match="nothing was written"):
        convert(src, dst, ed_key, check=np.zeros((2, 3)))
    assert (dst.read_bytes(), (tmp_path / "m.skops.sig").read_bytes()) == before


# --- one read of the file: skops' node tree built once, members inflated once -----------------


def test_skops_load_without_skops_private_tree_api(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A load builds skops' node tree once (``skops.io._audit.get_tree``), for skops' audit
    and for the build. Where a skops has no such function, the load takes skops' public
    calls instead, with the same verdicts: an honest model loads, an untrusted type is
    refused."""
    import sys

    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    honest = tmp_path / "m.skops"
    skops.io.dump(model, honest)
    untrusted = tmp_path / "u.skops"
    skops.io.dump({"f": zipfile.ZipFile}, untrusted)
    for private in (True, False):
        if not private:
            monkeypatch.setitem(sys.modules, "skops.io._audit", None)  # import fails
        got = load_unsigned(honest)
        assert got.predict([[3.0]]).tolist() == [1], private
        with pytest.raises(UntrustedTypeError):
            load_unsigned(untrusted)


def test_skops_members_read_once_are_the_checked_bytes(tmp_path: Path) -> None:
    """``check_zip`` keeps the bytes it inflated and checked; every later read of a member
    (the stream check's, skops') gets those bytes, without inflating the member again."""
    from safeload.skops_format import check_zip

    path = tmp_path / "m.skops"
    skops.io.dump({"w": np.arange(1000.0)}, path)
    data = path.read_bytes()
    zf = check_zip(data, Limits(), str(path))
    names = zf.namelist()
    assert names and all(zf.read(n) == zipfile.ZipFile(io.BytesIO(data)).read(n) for n in names)
    zf.fp = None  # the archive is not read again: every member comes from the checked bytes
    assert all(zf.read(zf.getinfo(n)) for n in names)


def test_encrypted_zip_member_is_a_safeload_error(tmp_path: Path) -> None:
    """A skops file whose member is flagged encrypted: zipfile raises ``RuntimeError`` on
    reading it (skops' own load does), which had escaped ``load_unsigned`` and ``scan`` as a
    bare ``RuntimeError``. It is a malformed file, refused with a safeload error naming it."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    raw = bytearray(skops.io.dumps(model))
    local, central = raw.find(b"PK\x03\x04"), raw.find(b"PK\x01\x02")
    raw[local + 6] |= 1  # general purpose flag bit 0: encrypted
    raw[central + 8] |= 1
    path = tmp_path / "enc.skops"
    path.write_bytes(bytes(raw))
    with pytest.raises(RuntimeError, match="encrypted"):
        skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))
    with pytest.raises(MalformedArtifactError, match="encrypted") as caught:
        load_unsigned(path)
    assert str(path) in str(caught.value)
    report = scan(path)
    assert not report.safe and "encrypted" in report.findings[0].message


@pytest.mark.parametrize("field", ["extract-version", "method-lzma"])
def test_zip_header_fields_zipfile_cannot_read_are_safeload_errors(
    field: str, tmp_path: Path
) -> None:
    """Found by fuzzing a skops file's zip headers (``fuzz/fuzz_skops_zip.py``): a central
    directory entry asking for zip version 9.9 makes zipfile raise ``NotImplementedError``
    when it opens the archive, and a stored member whose method byte says LZMA makes it raise
    ``lzma.LZMAError`` on reading; both escaped ``load_unsigned`` and ``scan`` as themselves.
    Each is now a malformed file, refused with a safeload error naming it."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    raw = bytearray(skops.io.dumps(model))
    local, central = raw.find(b"PK\x03\x04"), raw.find(b"PK\x01\x02")
    if field == "extract-version":
        raw[central + 6] = 99  # version needed to extract: 9.9
    else:
        raw[local + 8] = raw[central + 10] = 14  # compression method: LZMA
    path = tmp_path / "bad.skops"
    path.write_bytes(bytes(raw))
    with pytest.raises(Exception) as plain:
        skops.io.load(path, trusted=skops.io.get_untrusted_types(file=path))
    assert not isinstance(plain.value, safeload.SafeloadError)
    with pytest.raises(MalformedArtifactError) as caught:
        load_unsigned(path)
    assert str(path) in str(caught.value)
    assert not scan(path).safe


def test_nodes_sharing_an_id_become_the_first() -> None:
    """rt46-01: skops builds the first node with an ``__id__`` that its walk meets, and the
    checks walk in their own order: ``read_schema`` makes every later node with that id the
    first one (in file order), so both read the same node."""
    from safeload.exceptions import MalformedArtifactError
    from safeload.skops_format import _one_node_per_id

    def node(value: int, ident: int) -> dict[str, Any]:
        return {"__loader__": "JsonNode", "content": str(value), "__id__": ident}

    schema = {"__loader__": "ListNode", "content": [node(1, 7), node(2, 7), node(3, 8)]}
    assert _one_node_per_id(schema, "f.skops") is True  # the second differed
    items = schema["content"]
    assert items[0] is items[1] and items[1]["content"] == "1" and items[2]["content"] == "3"
    same = {"__loader__": "ListNode", "content": [node(1, 7), node(1, 7)]}
    assert _one_node_per_id(same, "f.skops") is False
    with pytest.raises(MalformedArtifactError, match="__id__"):
        _one_node_per_id({"__loader__": "ListNode", "__id__": [1], "content": []}, "f.skops")
