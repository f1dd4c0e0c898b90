"""Red team 46's findings, all fixed (each was a strict xfail until then).

rt46-01 skops memo desync: ``trust/skops_stream.py``'s converter binds a schema ``__id__`` to a
        different node than skops' ``get_tree`` does (skops memoises every node in tree-building
        order, the converter in its own visiting order). A hostile constructor call hidden
        under the id that skops binds first is never seen by scan nor by the load's pre-build
        check; skops builds it inside ``load_unsigned`` (SIGSEGV: rt41-09's csc_matrix on a
        crafted CSR), while scan calls the file SAFE.
rt46-02 skops protocol 0: skops builds a ``FunctionNode`` from the function its ``content``
        names (``old/_general_v0.py``), scan's converter from the node's ``__module__`` /
        ``__class__``: scan SAFE, load refuses (parity).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from redteam import (
    GB,
    binint,
    binunicode,
    child,
    global_,
    parity,
    write,
)

# --- rt46-01: skops memo desync between skops' get_tree and scan's converter -------------------

_ID = 4242


def _crafted_csr_npz() -> bytes:
    """rt41-09's CSR matrix: one column index of 10**9 (``csc_matrix`` of it writes out of
    bounds)."""
    buf = io.BytesIO()
    np.savez(
        buf,
        indices=np.array([10**9], dtype=np.int32),
        indptr=np.array([0, 1, 1], dtype=np.int32),
        format=np.array(b"csr"),
        shape=np.array([2, 2]),
        data=np.array([1.0]),
    )
    return buf.getvalue()


def _skops_with(model: Any, extra: dict[str, bytes]) -> bytes:
    import skops.io

    base = skops.io.dumps({"model": "placeholder"})
    src = zipfile.ZipFile(io.BytesIO(base))
    schema = json.loads(src.read("schema.json"))
    schema["content"]["model"] = model
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "schema.json":
                dst.writestr(info.filename, src.read(info))
        for name, data in extra.items():
            dst.writestr(name, data)
        dst.writestr("schema.json", json.dumps(schema))
    return out.getvalue()


def _rt46_01_file(variant: str) -> bytes:
    """A skops file whose ``model`` holds two nodes with one ``__id__``: the hostile
    ``csc_matrix(crafted csr)`` call where skops' ``get_tree`` meets the id first, a harmless
    value where the converter of ``trust/skops_stream.py`` meets it first.

    - ``dict``: a DictNode whose ``key_types`` is empty: skops' ``DictNode.__init__`` builds
      the tree of every ``content`` value (memoising the hostile node), its ``_construct`` zips
      with the key types and adds nothing; the converter zips first and never visits the
      value, so the later node with that id (the harmless one) is the one it memoises.
    - ``ndarray``: an object NdArrayNode (type json): skops reads ``content`` items before
      ``shape``, the converter ``shape`` before the items.
    - ``generator``: a RandomGeneratorNode: skops reads ``bit_generator`` before
      ``seed_seq``, the converter ``seed_seq`` before ``bit_generator``.
    """
    from safeload._attacks import _Skops

    s = _Skops()
    sparse = s._node(
        "SparseMatrixNode", "scipy.sparse._csr", "csr_matrix", type="scipy", file="x.npz"
    )
    hostile = s.call("scipy.sparse._csc", "csc_matrix", sparse)
    hostile["__id__"] = _ID

    def str_keys(content: dict[str, Any]) -> dict[str, Any]:
        kinds = [s._node("TypeNode", "builtins", "str") for _ in content]
        return s._node("DictNode", "builtins", "dict", content=content, key_types=s.list(*kinds))

    if variant == "dict":
        harmless = s.json(1)
        harmless["__id__"] = _ID
        hider = s._node("DictNode", "builtins", "dict", content={"k": hostile}, key_types=s.list())
        model = s.list(hider, harmless)
    elif variant == "ndarray":
        harmless = s.tuple(s.json(1))
        harmless["__id__"] = _ID
        model = s._node(
            "NdArrayNode", "numpy", "ndarray", type="json", content=[hostile], shape=harmless
        )
    else:
        state = np.random.default_rng(0).bit_generator.state["state"]
        harmless = s.json(1)
        harmless["__id__"] = _ID
        inner = str_keys({k: s.json(v) for k, v in state.items()})
        bits = str_keys(
            {
                "bit_generator": s.json("PCG64"),
                "state": inner,
                "has_uint32": s.json(0),
                "uinteger": s.json(0),
                "zz": hostile,
            }
        )
        seed = str_keys(
            {
                "entropy": harmless,
                "spawn_key": s.list(),
                "pool_size": s.json(4),
                "n_children_spawned": s.json(0),
            }
        )
        model = s._node(
            "RandomGeneratorNode",
            "numpy.random._generator",
            "Generator",
            content={"bit_generator": bits, "seed_seq": seed},
        )
    return _skops_with(model, {"x.npz": _crafted_csr_npz()})


_REFUSES = (
    "import safeload\n"
    "try:\n"
    "    safeload.load_unsigned(sys.argv[1])\n"
    "    print('loaded', flush=True)\n"
    "except safeload.SafeloadError as exc:\n"
    "    print('refused', str(exc)[:200], flush=True)\n"
)


@pytest.mark.parametrize("variant", ["dict", "ndarray", "generator"])
def test_rt46_01_skops_memo_desync_segfaults_load(variant: str, tmp_path: Path) -> None:
    """~1 KB skops files (three ways to order one ``__id__`` differently, see
    :func:`_rt46_01_file`): ``scan`` calls each SAFE, and ``load_unsigned`` dies of SIGSEGV
    in ``scipy.sparse._csr.tocsc`` called from skops' ``ConstructorFromReduceNode`` (the
    rt41-09 payload, which ``_refuse_what_scan_refuses`` exists to keep from skops). Plain
    skops crashes too. Also: a ``bytearray(2**30)`` hidden the same way loads, 1.1 GB of
    RSS from a 421-byte file, with scan SAFE."""
    import safeload

    path = write(tmp_path, _rt46_01_file(variant), "m.skops")
    loaded = child(_REFUSES, path, memory=2 * GB, cpu=20)
    assert loaded.returncode == 0 and "refused" in loaded.stdout, str(loaded)[-500:]
    assert not safeload.scan(path).safe


# --- rt46-02: a skops protocol-0 FunctionNode: skops imports what `content` names ------------


def _rt46_02_file() -> bytes:
    """An honest ``skops.io.dumps(FunctionTransformer(func=np.log1p).fit(X))`` with
    ``"protocol": 0`` and the func node's ``content`` set to ``{"module_path": "copyreg",
    "function": "_reconstructor"}`` (its header still says ``numpy.log1p``)."""
    import skops.io
    from sklearn.preprocessing import FunctionTransformer

    honest = skops.io.dumps(FunctionTransformer(func=np.log1p).fit(np.random.rand(5, 3)))
    src = zipfile.ZipFile(io.BytesIO(honest))
    schema = json.loads(src.read("schema.json"))
    schema["protocol"] = 0
    func = schema["content"]["content"]["func"]
    assert func["__loader__"] == "FunctionNode" and func["__class__"] == "log1p"
    func["content"] = {"module_path": "copyreg", "function": "_reconstructor"}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "schema.json":
                dst.writestr(info.filename, src.read(info))
        dst.writestr("schema.json", json.dumps(schema))
    return out.getvalue()


def test_rt46_02_skops_protocol0_function_node_parity(tmp_path: Path) -> None:
    """skops 0.16 still reads protocol 0, whose ``FunctionNode`` imports
    ``content["module_path"]`` and returns its ``content["function"]``, ignoring
    ``__module__``/``__class__``. ``trust/skops_stream.py`` ignores the schema's protocol and
    models the node by its header (``numpy.log1p``, callable-allowed): scan SAFE. skops
    builds ``copyreg._reconstructor`` (policy-trusted, so skops' audit name passes) and the
    post-build check refuses it: load refuses. (Also: skops' default-trusted scipy ufunc
    names are never reported, so ``content`` may name any of them without the policy.)"""
    import safeload
    from safeload import SafeloadError

    path = write(tmp_path, _rt46_02_file(), "m.skops")
    safe = safeload.scan(path).safe
    try:
        safeload.load_unsigned(path)
        outcome = "loaded"
    except SafeloadError:
        outcome = "refused"
    assert safe == (outcome == "loaded"), (safe, outcome)


# --- rt46-03: skops values built by skops, dropped from the stream scan judges ------------------


def _rt46_03_file(where: str) -> bytes:
    """rt41-09's ``csc_matrix(crafted csr)`` call placed where ``trust/skops_stream.py``
    evaluates it but never puts it in the pickle stream it analyses, while skops constructs it:

    - ``key_types``: the only item of an empty DictNode's ``key_types`` list (skops'
      ``DictNode._construct`` constructs the whole list before zipping it with the content;
      the converter zips, checks only the kinds it uses, and the list is not in ``out``);
    - ``shape``: the ``shape`` tuple of an object NdArrayNode (skops constructs it and takes
      its ``len``; the converter takes its ``len`` too and keeps only the items);
    - ``dtype``: a DTypeNode whose content is an object NdArrayNode holding the call (both
      keep only ``arr.dtype``);
    - ``random_state``: an extra key of a RandomStateNode's state dict holding an object array
      with the call (``has_stand_in`` looks into dicts, lists and tuples, not arrays, and
      numpy's ``set_state`` ignores the key);
    - ``dup_key``: a DictNode ``{"1": call, "01": 2}`` with int key types: both keys are 1,
      the second value replaces the first in the converter's dict and in skops', but skops
      has constructed the first by then.
    """
    from safeload._attacks import _Skops

    s = _Skops()
    sparse = s._node(
        "SparseMatrixNode", "scipy.sparse._csr", "csr_matrix", type="scipy", file="x.npz"
    )
    hostile = s.call("scipy.sparse._csc", "csc_matrix", sparse)

    def objects(*items: Any) -> Any:
        return s._node(
            "NdArrayNode",
            "numpy",
            "ndarray",
            type="json",
            content=list(items),
            shape=s.tuple(s.json(len(items))),
        )

    def keyed(content: dict[str, Any], kind: str = "str") -> Any:
        kinds = [s._node("TypeNode", "builtins", kind) for _ in content]
        return s._node("DictNode", "builtins", "dict", content=content, key_types=s.list(*kinds))

    if where == "key_types":
        model = s._node("DictNode", "builtins", "dict", content={}, key_types=s.list(hostile))
    elif where == "shape":
        model = s._node(
            "NdArrayNode",
            "numpy",
            "ndarray",
            type="json",
            content=[s.json(1)],
            shape=s.tuple(hostile),
        )
    elif where == "dtype":
        model = s._node("DTypeNode", "numpy", "dtype", content=objects(hostile))
    elif where == "random_state":
        honest = np.random.RandomState(0).get_state(legacy=False)
        inner = keyed(
            {
                "key": s.list(*(s.json(int(k)) for k in honest["state"]["key"])),
                "pos": s.json(int(honest["state"]["pos"])),
            }
        )
        state = keyed(
            {
                "bit_generator": s.json("MT19937"),
                "state": inner,
                "has_gauss": s.json(0),
                "gauss": s.json(0.0),
                "zz": objects(hostile),
            }
        )
        model = s._node("RandomStateNode", "numpy.random.mtrand", "RandomState", content=state)
    elif where in ("random_state_set", "random_state_partial"):
        honest = np.random.RandomState(0).get_state(legacy=False)
        inner = keyed(
            {
                "key": s.list(*(s.json(int(k)) for k in honest["state"]["key"])),
                "pos": s.json(int(honest["state"]["pos"])),
            }
        )
        if where == "random_state_set":
            extra = s._node("SetNode", "builtins", "set", content=[hostile])
        else:
            extra = s._node(
                "PartialNode",
                "functools",
                "partial",
                content={
                    "func": s._node("FunctionNode", "numpy", "log1p"),
                    "args": s.tuple(hostile),
                    "kwds": keyed({}),
                    "namespace": s.json(None),
                },
            )
        state = keyed(
            {
                "bit_generator": s.json("MT19937"),
                "state": inner,
                "has_gauss": s.json(0),
                "gauss": s.json(0.0),
                "zz": extra,
            }
        )
        model = s._node("RandomStateNode", "numpy.random.mtrand", "RandomState", content=state)
    elif where == "generator":
        honest_bits = np.random.default_rng(0).bit_generator.state
        bits = keyed(
            {
                "bit_generator": s.json("PCG64"),
                "state": keyed({k: s.json(v) for k, v in honest_bits["state"].items()}),
                "has_uint32": s.json(0),
                "uinteger": s.json(0),
                "zz": objects(hostile),
            }
        )
        seed = keyed(
            {
                "entropy": s.json(1),
                "spawn_key": s.tuple(),
                "pool_size": s.json(4),
                "n_children_spawned": s.json(0),
            }
        )
        model = s._node(
            "RandomGeneratorNode",
            "numpy.random._generator",
            "Generator",
            content={"bit_generator": bits, "seed_seq": seed},
        )
    elif where == "dup_float_key":
        model = keyed({"1": hostile, "1.0": s.json(2)}, "float")
    else:
        model = keyed({"1": hostile, "01": s.json(2)}, "int")
    return _skops_with(model, {"x.npz": _crafted_csr_npz()})


@pytest.mark.parametrize("where", ["key_types", "shape"])
def test_rt46_03_skops_values_dropped_from_scan_stream(where: str, tmp_path: Path) -> None:
    """~1-3 KB skops files: scan SAFE (the converter builds a stand-in for the call and
    drops it, see :func:`_rt46_03_file`), and ``load_unsigned``
    dies of SIGSEGV in ``csr_tocsc`` under skops' ``ConstructorFromReduceNode`` (the very
    call ``_refuse_what_scan_refuses`` keeps from skops, rt41-09)."""
    import safeload

    path = write(tmp_path, _rt46_03_file(where), "m.skops")
    loaded = child(_REFUSES, path, memory=2 * GB, cpu=20)
    assert loaded.returncode == 0 and "refused" in loaded.stdout, str(loaded)[-500:]
    assert not safeload.scan(path).safe


# --- rt46-04: BUILD with a non-dict state on a class without __setstate__ ----------------------

_RT46_04_STATES = {
    "str": binunicode("abc"),
    "int": binint(5),
    "True": b"\x88",
    "bytes": b"C\x02ab",
    "empty list": b"]",
    "empty tuple": b")",
    "3-tuple": b"}NN\x87",
    "set": b"\x8f",
    "a class": global_("builtins", "str"),
    "1-tuple of a dict": b"}" + binunicode("a") + b"K\x01s\x85",
}


@pytest.mark.parametrize(
    "owner", ["sklearn.model_selection._split:KFold", "sklearn._loss.link:LogitLink"]
)
@pytest.mark.parametrize("state", sorted(_RT46_04_STATES))
def test_rt46_04_build_non_dict_state_parity(owner: str, state: str, tmp_path: Path) -> None:
    """``PROTO 2, GLOBAL owner, EMPTY_TUPLE, NEWOBJ, <state>, BUILD, STOP`` (~50 bytes). The
    class has no ``__setstate__``, so CPython's ``load_build`` needs a dict (or ``None``, or a
    ``(dict, dict)`` pair) and raises ``UnpicklingError: state is not a dictionary``:
    ``load_unsigned`` refuses. ``scan`` says SAFE with no finding (the shadow builder checks
    the state's type only for values it makes for real, ``shadow_made._build``, and
    estimators through ``BaseEstimator.__setstate__``). Found by a skops mutation fuzz (an
    ObjectNode whose state resolved through ``__id__`` to the TypeNode ``str``)."""
    module, name = owner.split(":")
    data = b"\x80\x02" + global_(module, name) + b")\x81" + _RT46_04_STATES[state] + b"b."
    assert parity(data, tmp_path) == (False, "refused")


@pytest.mark.parametrize(
    "owner", ["sklearn.linear_model._sgd_fast:Hinge", "sklearn._loss._loss:CyHalfSquaredError"]
)
def test_rt46_04_build_dict_state_on_extension_type(owner: str, tmp_path: Path) -> None:
    """rt46-04's neighbour: an allowed Cython type with neither ``__setstate__`` nor a
    ``__dict__`` given a BUILD with an empty dict state: the C unpickler fails
    (``AttributeError: ... has no attribute '__dict__'``), scan says SAFE."""
    module, name = owner.split(":")
    data = b"\x80\x02" + global_(module, name) + b")\x81}b."
    assert parity(data, tmp_path) == (False, "refused")


# --- rt46-05: scan ignores the types skops itself reports as untrusted ------------------------


def _rt46_05_file(case: str) -> bytes:
    import skops.io
    from sklearn.impute import SimpleImputer

    from safeload._attacks import _Skops

    if case == "bytes node os.system":
        node = _Skops()._node("BytesNode", "os", "system", file="b.bin")
        return _skops_with(node, {"b.bin": b"x"})
    honest = skops.io.dumps(SimpleImputer().fit(np.random.rand(5, 3)))
    src = zipfile.ZipFile(io.BytesIO(honest))
    schema = json.loads(src.read("schema.json"))
    dtype = schema["content"]["content"]["_fit_dtype"]
    assert dtype["__loader__"] == "DTypeNode"
    dtype["__module__"], dtype["__class__"] = case.split()[-1].rsplit(".", 1)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "schema.json":
                dst.writestr(info.filename, src.read(info))
        dst.writestr("schema.json", json.dumps(schema))
    return out.getvalue()


@pytest.mark.parametrize(
    "case", ["dtype node numpy.str", "dtype node os.system", "bytes node os.system"]
)
def test_rt46_05_skops_scan_ignores_skops_audit(case: str, tmp_path: Path) -> None:
    """A SimpleImputer's ``_fit_dtype`` DTypeNode (or a BytesNode) whose ``__module__`` /
    ``__class__`` name ``os.system`` or ``numpy.str``. ``schema_globals`` skips data loaders,
    and skops' audit (``get_unsafe_set``) reports the name; ``load_unsigned`` checks that
    report against the policy and refuses ("tries to run code: ... os.system"), ``scan``
    computes it (``skops_types``), throws it away and says SAFE, listing no such global.
    (skops builds these nodes without resolving the name, so nothing runs: a parity
    finding.)"""
    import safeload
    from safeload import SafeloadError

    path = write(tmp_path, _rt46_05_file(case), "m.skops")
    with pytest.raises(SafeloadError):
        safeload.load_unsigned(path)
    assert not safeload.scan(path).safe


# --- rt46-06: Keyring.from_file keeps the last of two settings, silently ------------------------


def _rt46_06_keyring(case: str, tmp_path: Path) -> tuple[Path, Path]:
    """A model signed by key A, and a keyring file meant to retire A."""
    from sklearn.preprocessing import StandardScaler

    import safeload
    from safeload.signing.keys import SigningKey

    a, b = SigningKey.generate(), SigningKey.generate()
    model = tmp_path / "m.pkl"
    safeload.dump(StandardScaler().fit(np.random.rand(4, 2)), model, a)
    pem_a = json.dumps(a.public_key.to_pem().decode())
    pem_b = json.dumps(b.public_key.to_pem().decode())
    if case == "not_after twice":
        text = (
            f'{{"keys": [{{"public_key": {pem_a}, "not_after": "2020-01-01T00:00:00Z"}}, '
            f'{{"public_key": {pem_a}, "not_after": "2099-01-01T00:00:00Z"}}]}}'
        )
    else:
        revoked = json.dumps(a.public_key.keyid)
        text = (
            f'{{"keys": [{{"public_key": {pem_a}}}, {{"public_key": {pem_b}}}], '
            f'"revoked": [{revoked}], "revoked": []}}'
        )
    keyring = tmp_path / "keyring.json"
    keyring.write_text(text)
    return model, keyring


@pytest.mark.parametrize("case", ["not_after twice", "revoked twice"])
def test_rt46_06_keyring_file_duplicate_settings(case: str, tmp_path: Path) -> None:
    """``not_after twice``: the same public key listed twice, retired on 2020-01-01 by its
    first entry and trusted until 2099 by its second. ``Keyring([k, k], not_after=...)`` with
    two times raises "not_after gives key ... two different times" (the intent after
    rt45-10), but ``from_file`` fills a dict by key id first, so the later time silently
    replaces the retirement, and a model signed by the key loads. ``revoked twice``: the
    JSON names ``"revoked"`` twice (``[A]``, then ``[]``); ``json.loads`` keeps the last, the
    revocation of A is dropped, and A's model loads. Either should refuse the keyring (as
    sidecars refuse duplicate keys), never load."""
    import safeload
    from safeload import SafeloadError
    from safeload.signing.keyring import Keyring

    model, keyring = _rt46_06_keyring(case, tmp_path)
    with pytest.raises(SafeloadError):
        safeload.load(model, keys=Keyring.from_file(keyring))


# --- rt46-07: more skops values built by skops and dropped from scan's stream ------------------


@pytest.mark.parametrize(
    "where",
    [
        "dtype",
        "random_state",
        "random_state_set",
        "random_state_partial",
        "generator",
        "dup_key",
        "dup_float_key",
    ],
)
def test_rt46_07_skops_more_values_dropped_from_scan_stream(where: str, tmp_path: Path) -> None:
    """rt46-03's root cause beyond its two cases (still open after the fix that pairs key
    types with items and makes an object array's shape counts): the converter of
    ``trust/skops_stream.py`` evaluates a node and keeps only something derived from it,
    while skops constructs the whole node, so rt41-09's ``csc_matrix(crafted csr)`` there
    runs inside ``load_unsigned`` (SIGSEGV) with scan SAFE:

    - ``dtype``: a DTypeNode over an object NdArrayNode holding the call (only ``.dtype``
      is kept);
    - ``random_state`` / ``random_state_set`` / ``random_state_partial`` / ``generator``: an
      extra key ``zz`` in a RandomStateNode's (or a RandomGeneratorNode's bit-generator)
      state dict, holding the call inside an object array, a set or a ``functools.partial``:
      ``has_stand_in`` looks only into dicts, lists and tuples, numpy's state setters
      ignore the key, and the built RandomState / Generator keeps none of the state dict;
    - ``dup_key`` / ``dup_float_key``: a DictNode ``{"1": call, "01": 2}`` with int key types
      (or ``{"1": call, "1.0": 2}`` with float ones): both keys convert to one, the second
      value replaces the first in the converter's dict, and skops has built the first by then.

    A fix in the converter's spirit: every value a node's children build is part of what is
    analysed (keep every stand-in made, not only those the result holds), or a node whose
    children are not all kept is refused."""
    import safeload

    path = write(tmp_path, _rt46_03_file(where), "m.skops")
    loaded = child(_REFUSES, path, memory=2 * GB, cpu=20)
    assert loaded.returncode == 0 and "refused" in loaded.stdout, str(loaded)[-500:]
    assert not safeload.scan(path).safe


# --- rt46-08: main's one-node-per-id rewrite makes a self-holding node; the level walk explodes -


@pytest.mark.parametrize("program", ["scan", "load"])
def test_rt46_08_id_rewrite_self_reference_blowup(program: str, tmp_path: Path) -> None:
    """A 351-byte skops file whose model is ``ListNode(id X)[JsonNode(id X), JsonNode(id
    X)]``. The snapshot refuses it in a fraction of a second ("an object contains itself").
    With main's fix for rt46-01 (``read_schema`` replaces every later node that carries an id
    by the first node with it), the list's two items become the list itself: the parsed
    schema is a cycle with fan-out 2, and ``_schema_index`` (one level of the schema at a
    time, bounded only by 2000 levels) extends each level by every value of every node in
    it, doubling each round; ``scan`` and ``load_unsigned`` are both killed at 15 s of CPU
    (2 GB cap). Fixed: the index walk visits each node once."""
    from safeload._attacks import _Skops

    s = _Skops()
    first, second = s.json(1), s.json(2)
    first["__id__"] = second["__id__"] = _ID + 1
    model = s.list(first, second)
    model["__id__"] = _ID + 1
    path = write(tmp_path, _skops_with(model, {}), "m.skops")
    code = "import safeload\n" + (
        "print('verdict', safeload.scan(sys.argv[1]).safe, flush=True)\n"
        if program == "scan"
        else _REFUSES
    )
    ran = child(code, path, memory=2 * GB, cpu=8, timeout=60)
    assert ran.returncode == 0, str(ran)[-300:]
    assert "verdict False" in ran.stdout or "refused" in ran.stdout, ran.stdout


_PLAIN_SKOPS = (
    "import skops.io\n"
    "data = open(sys.argv[1], 'rb').read()\n"
    "model = skops.io.loads(data, trusted=skops.io.get_untrusted_types(data=data))\n"
    "print('loaded', flush=True)\n"
)


@pytest.mark.parametrize("variant", ["dict", "ndarray", "generator"])
def test_rt46_01_plain_skops_crashes(variant: str, tmp_path: Path) -> None:
    """The harm the rt46-01 files carry, without safeload: skops, told to trust what it
    reports, builds the crafted ``csc_matrix`` and the process dies (SIGSEGV)."""
    path = write(tmp_path, _rt46_01_file(variant), "m.skops")
    ran = child(_PLAIN_SKOPS, path, memory=2 * GB, cpu=20)
    assert ran.crashed and "loaded" not in ran.stdout, str(ran)[-300:]
