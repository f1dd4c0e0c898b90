"""Red team 43's xgboost findings (rt43-01, rt43-09): a Booster blob that xgboost's native
loader reads differently from safeload's check, or sizes memory from without bound. Each test
first shows the harm under plain pickle in a child process, then asserts that safeload refuses
the file in scan and in load_unsigned (xgboost profile); honest models keep loading. The rules
are in :mod:`safeload.trust.xgboost_ubj` (no key twice in an object) and
:mod:`safeload.trust.xgboost_model` (categorical split lists as xgboost writes them, their bit
sets within :data:`~safeload.trust.xgboost_model.CATEGORY_BYTES_PER_BLOB_BYTE` per byte)."""

from __future__ import annotations

import json
import pickle
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from tests.parity import load_unsigned

import safeload
from harm import crashes
from redteam import child, write
from safeload import SafeloadError
from safeload.trust.xgboost_model import CATEGORY_BYTES_PER_BLOB_BYTE, booster_problem
from safeload.trust.xgboost_ubj import Typed, UBJError, parse

xgb = pytest.importorskip("xgboost")

X = np.random.RandomState(0).rand(50, 4)
Y = (X[:, 0] > 0.5).astype(int)


def _key(name: str) -> bytes:
    raw = name.encode()
    return b"L" + struct.pack(">q", len(raw)) + raw


def _handle(model: Any) -> bytearray:
    booster = model if isinstance(model, xgb.Booster) else model.get_booster()
    handle = booster.__getstate__()["handle"]
    assert isinstance(handle, bytearray)
    return handle


def _pickled(model: Any, handle: bytes | bytearray, monkeypatch: pytest.MonkeyPatch) -> bytes:
    """``model`` pickled (protocol 5) with ``handle`` as its Booster's state."""
    real = xgb.core.Booster.__getstate__

    def getstate(self: Any) -> dict[str, Any]:
        return {**real(self), "handle": bytearray(handle)}

    with monkeypatch.context() as patch:
        patch.setattr(xgb.core.Booster, "__getstate__", getstate)
        return pickle.dumps(model, protocol=5)


def _refused(path: Path, match: str) -> None:
    """scan calls the file unsafe and load_unsigned refuses it, saying ``match``."""
    report = safeload.scan(path, profiles=["xgboost"])
    assert not report.safe and match in str(report), report
    with pytest.raises(SafeloadError, match=re.escape(match)):
        safeload.load_unsigned(path, profiles=["xgboost"])


# --- rt43-01: a key written twice: safeload checked the last, xgboost reads the first ----------


def _classifier() -> Any:
    return xgb.XGBClassifier(n_estimators=2, max_depth=2, n_jobs=1).fit(X, Y)


def _with_duplicate(blob: bytes, *, keep_honest: bool = True) -> bytes:
    """``blob`` with tree 0's ``left_children`` written once more just before it, the root's
    left child 100,000,000 (past the tree's nodes); ``keep_honest=False``: the crafted array
    replaces the honest one (no duplicate)."""
    key = _key("left_children")
    at = blob.index(key)
    p = at + len(key)
    assert blob[p : p + 5] == b"[$l#L"
    (n,) = struct.unpack(">q", blob[p + 5 : p + 13])
    evil = np.frombuffer(blob[p + 13 : p + 13 + 4 * n], ">i4").copy()
    evil[0] = 100_000_000
    crafted = key + b"[$l#L" + struct.pack(">q", n) + evil.tobytes()
    if keep_honest:
        return blob[:at] + crafted + blob[at:]
    return blob[:at] + crafted + blob[p + 13 + 4 * n :]


def test_rt43_01_duplicate_ubjson_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """~4.8 KB: a fitted XGBClassifier whose Booster blob names tree 0's ``left_children``
    twice, the first with the root's left child 100,000,000. xgboost's
    ``UBJReader::ParseObject`` (``results.emplace``) keeps the first, so the loaded Booster
    follows the crafted child and ``predict_proba`` segfaults under plain pickle. safeload's
    walk kept the last (a dict) and checked the honest array; now any object naming a key twice
    is refused. The crafted array alone (no duplicate) is refused by the tree checks."""
    model = _classifier()
    blob = bytes(_handle(model))
    path = write(tmp_path, _pickled(model, _with_duplicate(blob), monkeypatch))
    crashes(path, "model.predict_proba(np.random.RandomState(1).rand(200, 4))")
    _refused(path, "names the key 'left_children' twice")
    alone = write(
        tmp_path, _pickled(model, _with_duplicate(blob, keep_honest=False), monkeypatch), "a.pkl"
    )
    _refused(alone, "children 100000000")


def test_rt43_01_duplicate_key_through_skops(tmp_path: Path) -> None:
    """The skops reader checks the Booster's blob member with the same walk: the duplicate is
    refused there too (scan agreeing: ``tests.parity.load_unsigned``)."""
    skops_io = pytest.importorskip("skops.io")
    model = _classifier()
    honest = tmp_path / "honest.skops"
    skops_io.dump(model, honest)
    assert np.array_equal(load_unsigned(honest, profiles=["xgboost"]).predict(X), model.predict(X))
    blob = bytes(_handle(model))
    with zipfile.ZipFile(honest) as zf:
        members = {name: zf.read(name) for name in zf.namelist()}
    (name,) = [n for n, data in members.items() if data == blob]
    members[name] = _with_duplicate(blob)
    crafted = tmp_path / "duplicate.skops"
    with zipfile.ZipFile(crafted, "w") as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    with pytest.raises(SafeloadError, match="names the key 'left_children' twice"):
        load_unsigned(crafted, profiles=["xgboost"])


_ONE = struct.pack(">q", 1)
_DUPLICATES = {
    "top": b"{" + _key("a") + b"Z" + _key("a") + b"T}",
    "nested": b"{" + _key("o") + b"{" + _key("b") + b"i\x01" + _key("b") + b"i\x01}}",
    "in-array": b"{" + _key("l") + b"[#L" + _ONE + b"{" + _key("c") + b"Z" + _key("c") + b"Z}}",
    # two keys UTF-8 cannot decode, read alike: fail closed
    "undecodable": b"{L" + _ONE + b"\xff" + b"ZL" + _ONE + b"\xfe" + b"Z}",
}


@pytest.mark.parametrize("blob", list(_DUPLICATES.values()), ids=list(_DUPLICATES))
def test_walker_refuses_any_duplicate_key(blob: bytes) -> None:
    with pytest.raises(UBJError, match="twice"):
        parse(blob)


def test_walker_keeps_equal_keys_of_different_objects() -> None:
    blob = b"{" + _key("a") + b"{" + _key("a") + b"Z}" + _key("b") + b"{" + _key("a") + b"T}}"
    assert parse(blob) == {"a": {"a": None}, "b": {"a": True}}


def test_json_text_handle_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """safeload reads only the UBJSON xgboost's ``__getstate__`` writes, never a JSON text
    (whose duplicate keys its JSON reader would resolve its own way): a handle holding the
    model as JSON text is refused before xgboost sees it (xgboost 3 refuses it too)."""
    model = _classifier()
    booster = model.get_booster()
    text = json.dumps(
        {"Config": json.loads(booster.save_config()), "Model": json.loads(booster.save_raw("json"))}
    ).encode()
    assert booster_problem(text) is not None
    path = write(tmp_path, _pickled(model, text, monkeypatch))
    _refused(path, "xgboost writes its lengths as 'L' + int64")


# --- rt43-09: a category near 2**31 makes xgboost's loader allocate a 2**31-bit set ---------


def _categorical_model(n_categories: int = 5) -> Any:
    """rt43-09's model: 2 trees, a categorical and a numeric column, partition splits."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(0)
    codes = rng.randint(0, n_categories, 200)
    frame = pd.DataFrame(
        {"c": pd.Categorical(codes, categories=range(n_categories)), "x": rng.rand(200)}
    )
    y = ((codes % 2) ^ (codes > n_categories // 2)).astype(int)
    return xgb.XGBClassifier(
        n_estimators=2, max_depth=2, enable_categorical=True, tree_method="hist", n_jobs=1,
        max_cat_to_onehot=1,
    ).fit(frame, y)  # fmt: skip


def _high_cardinality_model(n_categories: int, onehot: int) -> Any:
    """A model whose splits name the highest categories of a feature of ``n_categories``
    (half the rows fall in the top three, the rest spread over all of them)."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(3)
    codes = rng.randint(0, n_categories, 3000)
    codes[::2] = n_categories - 1 - np.arange(1500) % 3
    frame = pd.DataFrame({"c": pd.Categorical(codes, categories=range(n_categories))})
    y = ((codes == n_categories - 1) | (codes % 2 == 0)).astype(int)
    return xgb.XGBClassifier(
        n_estimators=3, max_depth=3, enable_categorical=True, tree_method="hist", n_jobs=1,
        max_cat_to_onehot=onehot,
    ).fit(frame, y)  # fmt: skip


def _categories(blob: bytes | bytearray) -> list[Typed]:
    trees = parse(bytes(blob))["Model"]["learner"]["gradient_booster"]["model"]["trees"]
    found = [tree["categories"] for tree in trees]
    assert all(isinstance(c, Typed) and c.code == "l" for c in found)
    return found


def _with_categories(blob: bytes | bytearray, category: int) -> bytearray:
    """``blob`` with every entry of its trees' ``categories`` arrays set to ``category`` (the
    same length: nothing else moves)."""
    out = bytearray(blob)
    patched = 0
    for cats in _categories(blob):
        for j in range(cats.count):
            struct.pack_into(">i", out, cats.offset + 4 * j, category)
            patched += 1
    assert patched
    return out


def _categorical_nodes(blob: bytes | bytearray) -> int:
    booster = parse(bytes(blob))["Model"]["learner"]["gradient_booster"]
    model = booster["gbtree"]["model"] if booster["name"] == "dart" else booster["model"]
    trees = model["trees"]
    return sum(tree["categories_nodes"].count for tree in trees)


_RSS_GROWTH = (
    "def rss():\n"
    "    line = [x for x in open('/proc/self/status') if x.startswith('VmRSS:')][0]\n"
    "    return int(line.split()[1]) // 1024\n"
    "before = rss()\n"
    "model = pickle.load(open(sys.argv[1], 'rb'))\n"
    "print('loaded', flush=True)\n"
    "print('grew_mb', rss() - before, flush=True)\n"
)


def test_rt43_09_category_bit_sets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """5.9 KB: a fitted 2-tree XGBClassifier on a categorical column whose trees'
    ``categories`` entries are all ``2**30 - 1``. xgboost's ``RegTree::LoadCategoricalSplit``
    sizes each categorical node's bit set by its largest category (``max_cat + 1`` bits):
    128 MiB per node inside ``Booster.__setstate__``, ~260 MB more resident after a plain
    pickle load, where the same model with its real categories adds a few MB. safeload now
    refuses bit sets over 256 bytes per byte of the blob; at ``2**31 - 1`` (``max_cat + 1``
    overflows xgboost's int32) the category itself is refused."""
    model = _categorical_model()
    blob = _handle(model)
    honest = write(tmp_path, _pickled(model, _with_categories(blob, 4), monkeypatch), "h.pkl")
    crafted = write(tmp_path, _pickled(model, _with_categories(blob, 2**30 - 1), monkeypatch))
    assert abs(honest.stat().st_size - crafted.stat().st_size) < 16
    grew = {}
    for name, path in (("honest", honest), ("crafted", crafted)):
        out = child(_RSS_GROWTH, path, memory=2 << 30, cpu=60).stdout
        assert "loaded" in out, out
        grew[name] = int(out.split("grew_mb")[1].split()[0])
    assert grew["honest"] < 50 and grew["crafted"] > 250, grew
    _refused(crafted, "bytes of category bit sets")
    assert load_unsigned(honest, profiles=["xgboost"]) is not None
    overflow = write(
        tmp_path, _pickled(model, _with_categories(blob, 2**31 - 1), monkeypatch), "o.pkl"
    )
    _refused(overflow, "a category is negative or too large")


def test_category_bound_is_per_byte_of_the_blob() -> None:
    """The largest category each node may name so that all the bit sets stay within
    ``CATEGORY_BYTES_PER_BLOB_BYTE`` times the blob: at the bound the blob passes, one word
    (32 categories) more per node and it is refused."""
    blob = _handle(_categorical_model())
    nodes = _categorical_nodes(blob)
    assert nodes >= 2
    words = CATEGORY_BYTES_PER_BLOB_BYTE * len(blob) // (4 * nodes)  # 32-bit words per node
    assert booster_problem(_with_categories(blob, 32 * words - 1)) is None  # max_cat+1 = 32*w
    got = booster_problem(_with_categories(blob, 32 * words))
    assert got is not None and "bytes of category bit sets" in got, got


def _layout_edits(blob: bytes | bytearray) -> dict[str, bytearray]:
    """Split lists xgboost's writer never produces, in place (same length)."""
    trees = parse(bytes(blob))["Model"]["learner"]["gradient_booster"]["model"]["trees"]
    tree = next(t for t in trees if t["categories_nodes"].count)
    segments, sizes = tree["categories_segments"], tree["categories_sizes"]
    assert segments.code == sizes.code == "L" and int(sizes.array(blob)[0]) >= 2
    edits = {}
    shrunk = bytearray(blob)  # the first segment one shorter: a category left over
    struct.pack_into(">q", shrunk, sizes.offset, int(sizes.array(blob)[0]) - 1)
    edits["uncovered"] = shrunk
    empty = bytearray(blob)
    struct.pack_into(">q", empty, sizes.offset, 0)
    edits["empty"] = empty
    shifted = bytearray(blob)  # the first segment starts one later, still inside categories
    struct.pack_into(">q", shifted, segments.offset, 1)
    struct.pack_into(">q", shifted, sizes.offset, int(sizes.array(blob)[0]) - 1)
    edits["shifted"] = shifted
    wrap = bytearray(blob)  # segment + size wraps an int64 negative
    struct.pack_into(">q", wrap, segments.offset, 2**62)
    struct.pack_into(">q", wrap, sizes.offset, 2**62 + 2**61)
    edits["wrap"] = wrap
    return edits


@pytest.mark.parametrize("case", ["uncovered", "empty", "shifted", "wrap"])
def test_split_lists_as_xgboost_writes_them(case: str) -> None:
    blob = _handle(_categorical_model(n_categories=9))
    assert booster_problem(blob) is None
    got = booster_problem(_layout_edits(blob)[case])
    assert got is not None and ("not laid out" in got or "out of range" in got), got


def test_shared_segment_is_refused() -> None:
    """Two categorical nodes naming the same segment (xgboost allocates a bit set for each,
    a count of the segment would see one) are not the writer's layout."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(1)
    frame = pd.DataFrame({"a": pd.Categorical(rng.randint(0, 8, 400))})
    codes = frame.a.cat.codes.to_numpy()
    model = xgb.XGBRegressor(
        n_estimators=1, max_depth=3, enable_categorical=True, tree_method="hist",
        max_cat_to_onehot=1,
    ).fit(frame, rng.rand(400) + codes * 0.3 + codes % 2)  # fmt: skip
    blob = _handle(model)
    tree = parse(bytes(blob))["Model"]["learner"]["gradient_booster"]["model"]["trees"][0]
    segments, sizes = tree["categories_segments"], tree["categories_sizes"]
    assert segments.count >= 2 and booster_problem(blob) is None
    shared = bytearray(blob)
    struct.pack_into(">q", shared, segments.offset + 8, 0)
    struct.pack_into(">q", shared, sizes.offset + 8, int(sizes.array(blob)[0]))
    got = booster_problem(shared)
    assert got is not None and "not laid out" in got, got


def test_honest_categorical_models_load(tmp_path: Path) -> None:
    """Honest categorical models, partition and one-hot splits, pandas and numpy
    (``feature_types``), up to 20,000 categories, dart: checked, loaded, predicting as
    before."""
    pd = pytest.importorskip("pandas")
    rng = np.random.RandomState(2)
    models: dict[str, Any] = {}
    for n_categories in (5, 300, 20_000):
        for onehot in (1, 10**6):
            models[f"pandas-{n_categories}-{onehot}"] = _high_cardinality_model(
                n_categories, onehot
            )
    codes = rng.randint(0, 2000, 2000)
    frame = pd.DataFrame({"a": pd.Categorical(codes % 50), "b": rng.rand(2000)})
    models["dart"] = xgb.XGBClassifier(
        booster="dart", n_estimators=3, enable_categorical=True, tree_method="hist",
        max_cat_to_onehot=1,
    ).fit(frame, (codes % 3 == 0).astype(int))  # fmt: skip
    numeric = np.c_[codes, rng.rand(2000)].astype(float)
    matrix = xgb.DMatrix(
        numeric, (codes % 7 == 0).astype(int), feature_types=["c", "q"], enable_categorical=True
    )
    models["numpy-feature-types"] = xgb.train(
        {"tree_method": "hist", "max_depth": 6, "max_cat_to_onehot": 1}, matrix, 5
    )
    for name, model in models.items():
        blob = _handle(model)
        assert _categorical_nodes(blob), name
        assert booster_problem(blob) is None, name
        path = write(tmp_path, pickle.dumps(model, protocol=5), f"{name}.pkl")
        loaded = load_unsigned(path, profiles=["xgboost"])
        if isinstance(model, xgb.Booster):
            assert np.array_equal(loaded.predict(matrix), model.predict(matrix)), name
        else:
            assert type(loaded) is type(model), name
