"""``scan`` of a skops file: the load's checks after building, on what the schema says.

A load of a skops file builds the objects with skops and then runs the same checks as for a
pickle (:func:`safeload.validate.validate_loaded`: the use-time rules and the native-structure
checks). ``scan`` builds nothing from the file, so until red team 15 (r15-17) it checked only
the names in a skops schema and called files safe that a load refuses (a crafted decision tree,
a vocabulary out of range, SVM support counts...), which then crash plain skops at ``predict``.

Here the schema is turned into the pickle stream that pickling the built object would give:
every node becomes a stand-in whose ``__reduce_ex__`` says exactly what skops does with it
(``cls.__new__(cls)`` then the state for an ``ObjectNode``, ``constructor(*args)`` then the
state for a ``ReduceNode`` / ``TreeNode`` / ``LossNode``), arrays are read from their ``.npy``
members with ``allow_pickle=False`` (after checking that the header's size fits the member),
and plain values (JSON, containers, slices, dtypes, numpy random states, sparse matrices) are
the values skops makes of them, made by numpy and scipy from data only. Nothing of a class
named in the file runs: stand-ins are pickled, not built. The stream then goes through the
pickle path's static analysis (:func:`safeload.pickle.walker.analyze`), whose use-time rules,
tree rule and shadows give a load's verdict. A node this module does not model, or one skops itself
would fail on, is a finding: unproven is unsafe.
"""

from __future__ import annotations

import collections
import functools
import io
import json
import operator
import pickle
import zipfile
from typing import Any

import numpy as np

from safeload.policy import Limits, Policy, format_name
from safeload.trust.skops_nodes import (
    CallStandIn,
    NewStandIn,
    Refused,
    has_stand_in,
    is_numpy_scalar_type,
    read_npy,
    resolve_trusted,
)

__all__ = ["skops_findings"]

_MAX_DEPTH = 400


class _Converter:
    def __init__(
        self, zf: zipfile.ZipFile, policy: Policy, limits: Limits, protocol: Any = None
    ) -> None:
        self.zf = zf
        self.policy = policy
        self.limits = limits
        self.memo: dict[Any, Any] = {}
        self.busy: set[Any] = set()
        #: the schema's protocol: skops reads some nodes of protocol 0 and 1 files otherwise
        self.protocol = protocol

    def value(self, node: Any, depth: int = 0) -> Any:
        if depth > _MAX_DEPTH:
            raise Refused("the schema is nested too deeply to check")
        if not isinstance(node, dict):
            raise Refused("a schema node is not an object")
        loader = node.get("__loader__")
        ident = node.get("__id__")
        if loader == "CachedNode":
            if ident not in self.memo:
                raise Refused(f"a cached node refers to an unknown object id {ident!r}")
            if ident in self.busy:
                raise Refused("an object contains itself (skops cannot build it)")
            return self.memo[ident]
        if ident and ident in self.memo:  # skops reuses the first node with this id
            if ident in self.busy:
                raise Refused("an object contains itself (skops cannot build it)")
            return self.memo[ident]
        method = getattr(self, f"_{loader}", None) if isinstance(loader, str) else None
        if method is None:
            raise Refused(f"skops node {loader!r} is not modelled by scan")
        if ident:
            self.busy.add(ident)
            self.memo[ident] = None
        try:
            made = method(node, depth + 1)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise Refused(f"a {loader} that skops cannot build ({exc})") from None
        if ident:
            self.busy.discard(ident)
            self.memo[ident] = made
        return made

    def _cls(self, node: dict[str, Any]) -> Any:
        return resolve_trusted(node["__module__"], node["__class__"], self.policy)

    def _JsonNode(self, node: dict[str, Any], depth: int) -> Any:
        return json.loads(node["content"])

    def _items(self, node: dict[str, Any], depth: int) -> list[Any]:
        content = node["content"]
        if not isinstance(content, list):
            raise Refused("a container's content is not a list")
        return [self.value(v, depth) for v in content]

    def _ListNode(self, node: dict[str, Any], depth: int) -> Any:
        if self._cls(node) is not list:
            raise Refused("a list of another class")
        return self._items(node, depth)

    def _SetNode(self, node: dict[str, Any], depth: int) -> Any:
        cls = self._cls(node)
        if cls not in (set, frozenset):
            raise Refused("a set of another class")
        return cls(self._items(node, depth))

    def _TupleNode(self, node: dict[str, Any], depth: int) -> Any:
        cls = self._cls(node)
        items = tuple(self._items(node, depth))
        if cls is tuple:
            return items
        if not self.policy.reviewed(str(node["__module__"]), str(node["__class__"])):
            # (nothing is read off a trusted class the lists did not review: a look-up of
            # _fields ran its metaclass's __getattr__, rt101-02)
            raise Refused(f"unproven: a tuple of the trusted class {node['__class__']!r}")
        if not (isinstance(cls, type) and issubclass(cls, tuple)):
            raise Refused(f"a tuple of class {_named(node)}")
        if cls.__bases__ != (tuple,) or not isinstance(getattr(cls, "_fields", None), tuple):
            return items  # (skops makes a plain tuple of anything else, its isnamedtuple)
        if not _namedtuple_made(cls) or not self.policy.reviewed(
            str(cls.__module__), str(cls.__qualname__)
        ):
            # (a trusted named tuple's own __hash__, __reduce__ or metaclass would run here and
            # when the stand-in stream is pickled, rt101-02: only reviewed ones are made)
            # skops calls cls(*items): a __new__ or __init__ of the caller's would run, in
            # scan too (rt99-06)
            raise Refused(f"unproven: {_named(node)} is made by a constructor of its own")
        return cls(*items)  # a named tuple the policy trusts, made as skops makes it

    def _DictNode(self, node: dict[str, Any], depth: int) -> Any:
        cls = self._cls(node)
        # skops makes cls() and sets each item: dict, OrderedDict, or a dict subclass a list
        # reviewed (scikit-learn's Bunch, which stacking and voting estimators keep); of any
        # other class, whose __init__ and __setitem__ would run in scan too (rt99-06), nothing
        # is asked, by identity or by the schema's names (rt102-04: its metaclass's code)
        plain = cls is dict or cls is collections.OrderedDict
        if not plain and not self.policy.reviewed(str(node["__module__"]), str(node["__class__"])):
            raise Refused(f"unproven: a dict of class {_named(node)}, filled by its own code")
        if not (isinstance(cls, type) and issubclass(cls, dict)):
            raise Refused(f"a dict of class {_named(node)}")
        key_types = self.value(node["key_types"], depth)
        content = node["content"]
        if not isinstance(key_types, list) or not isinstance(content, dict):
            raise Refused("a dict whose key types are not a list")
        if len(key_types) != len(content):
            # skops builds every key type and zips them with the items: one that pairs with
            # no item is built all the same, and was never checked here (rt46-03)
            raise Refused("a dict with as many key types as items it does not have")
        out = cls()
        for kind, (key, val) in zip(key_types, content.items(), strict=True):
            if not (kind in (str, int, float) or is_numpy_scalar_type(kind)):
                raise Refused(f"a dict key of type {kind!r}")
            out[kind(key)] = self.value(val, depth)
        if len(out) != len(content):
            # "1" and "01" as int keys: skops built both values, the dict keeps the last
            # (rt46-07)
            raise Refused("a dict two of whose keys are one key once converted")
        return out

    def _DefaultDictNode(self, node: dict[str, Any], depth: int) -> Any:
        if self._cls(node) is not collections.defaultdict:
            raise Refused("a defaultdict of another class")
        main = self.value(node["content"]["main"], depth)
        factory = self.value(node["content"]["default_factory"], depth)
        if not isinstance(main, dict) or not all(isinstance(k, str) for k in main):
            raise Refused("a defaultdict whose keys are not all str")
        out: Any = collections.defaultdict(None, main)
        out.default_factory = factory
        return out

    def _FunctionNode(self, node: dict[str, Any], depth: int) -> Any:
        if self.protocol == 0:
            # skops' protocol-0 FunctionNode imports what its content names, not its header
            # (the name the policy and scan judge): they must agree (rt46-02)
            content = node.get("content")
            named = {"module_path": node["__module__"], "function": node["__class__"]}
            if content != named:
                raise Refused("a protocol-0 function whose content names another function")
        return self._cls(node)

    def _TypeNode(self, node: dict[str, Any], depth: int) -> Any:
        return self._cls(node)

    def _SliceNode(self, node: dict[str, Any], depth: int) -> Any:
        c = node["content"]
        return slice(c["start"], c["stop"], c["step"])

    def _BytesNode(self, node: dict[str, Any], depth: int) -> Any:
        member = node["file"]
        if not isinstance(member, str) or member not in self.zf.NameToInfo:
            raise Refused(f"bytes member {member!r} is missing")
        return self.zf.read(member)

    def _BytearrayNode(self, node: dict[str, Any], depth: int) -> Any:
        return bytearray(self._BytesNode(node, depth))

    def _PartialNode(self, node: dict[str, Any], depth: int) -> Any:
        c = node["content"]
        func = self.value(c["func"], depth)
        args = self.value(c["args"], depth)
        kwds = self.value(c["kwds"], depth)
        namespace = self.value(c["namespace"], depth)
        if not callable(func) or not isinstance(args, tuple):
            raise Refused("a partial of something scan cannot call by name")
        made = functools.partial(func, *args, **(kwds or {}))
        if namespace:
            made.__dict__.update(namespace)
        return made

    def _OperatorFuncNode(self, node: dict[str, Any], depth: int) -> Any:
        cls = self._cls(node)
        if cls not in (operator.attrgetter, operator.itemgetter):
            raise Refused(f"an operator function {_named(node)}")
        attrs = self.value(node["attrs"], depth)
        if not isinstance(attrs, tuple):
            raise Refused("an operator function with arguments that are not a tuple")
        return cls(*attrs)

    def _ObjectNode(self, node: dict[str, Any], depth: int) -> Any:
        cls = self._cls(node)
        if not isinstance(cls, type):
            raise Refused(f"{format_name(node['__module__'], node['__class__'])} is no class")
        made = NewStandIn(cls)
        ident = node.get("__id__")
        if ident:  # before its state, as skops memoises the node before its children
            self.memo[ident] = made
        content = node.get("content")
        if content is not None:
            made._state = self.value(content, depth)
        return made

    def _reduce(self, func: Any, node: dict[str, Any], depth: int) -> Any:
        state = self.value(node["content"], depth)
        args = self.value(node["__reduce__"]["args"], depth)
        if not isinstance(args, (tuple, list)):
            raise Refused("constructor arguments that are not a sequence")
        return CallStandIn(func, tuple(args), state)

    def _ReduceNode(self, node: dict[str, Any], depth: int) -> Any:
        return self._reduce(self._cls(node), node, depth)

    def _ConstructorFromReduceNode(self, node: dict[str, Any], depth: int) -> Any:
        """skops 0.16 writes a value whose ``__reduce__`` is its own class and arguments (a
        date, a timedelta, a frozenset, a range, a Decimal) as this node, and builds it with
        ``cls(*args)``: pickle's REDUCE of the class, which the pickle path judges with its
        narrowed forms. A load refuses what scan refuses before skops calls anything
        (``skops_format.read_skops``), so skops' real call sees only what the narrowed
        form takes (rt41-09)."""
        cls = self._cls(node)
        args = self.value(node["content"], depth)
        if not isinstance(args, (tuple, list)):
            raise Refused("constructor arguments that are not a sequence")
        return CallStandIn(cls, tuple(args), None)

    _LossNode = _ReduceNode

    def _TreeNode(self, node: dict[str, Any], depth: int) -> Any:
        return self._reduce(resolve_trusted("sklearn.tree._tree", "Tree", self.policy), node, depth)

    def _NdArrayNode(self, node: dict[str, Any], depth: int) -> Any:
        cls = numpy_type(node) or self._cls(node)
        kind = node["type"]
        if kind == "numpy":
            arr = read_npy(self.zf, node["file"])
            if cls is np.ndarray:
                return arr
            if is_numpy_scalar_type(cls):
                return cls(arr)
            raise Refused(f"an array of class {_named(node)}")
        if kind == "json":
            shape = self.value(node["shape"], depth)
            items = self._items(node, depth)
            if not isinstance(shape, (list, tuple)) or not all(
                type(n) is int and n >= 0 for n in shape
            ):
                # skops builds the shape's items and takes only its length: anything but
                # counts there was built unchecked (rt46-03)
                raise Refused("an object array whose shape is not a sequence of counts")
            if len(shape) == 1:
                out = np.empty(len(items), dtype=object)
                for i, v in enumerate(items):
                    out[i] = v
                return out
            if any(isinstance(v, (NewStandIn, CallStandIn)) for v in items):
                raise Refused("a nested object array of objects")
            return np.array(items, dtype=object)
        raise Refused(f"a numpy node of type {kind!r}")

    def _DTypeNode(self, node: dict[str, Any], depth: int) -> Any:
        arr = self.value(node["content"], depth)
        if not isinstance(arr, np.ndarray):
            raise Refused("a dtype that is not stored as an array")
        if arr.dtype.kind == "O" and any(has_stand_in(v) for v in arr.ravel()):
            # skops built the array's items; only its dtype is kept (rt46-07)
            raise Refused("a dtype stored as an array of objects")
        return arr.dtype

    def _MaskedArrayNode(self, node: dict[str, Any], depth: int) -> Any:
        if self._cls(node) is not np.ma.MaskedArray:
            raise Refused("a masked array of another class")
        data = self.value(node["content"]["data"], depth)
        mask = self.value(node["content"]["mask"], depth)
        if not isinstance(data, np.ndarray) or not isinstance(mask, (np.ndarray, bool, np.bool_)):
            raise Refused("a masked array of values that are not arrays")
        return np.ma.MaskedArray(data, mask)

    def _RandomStateNode(self, node: dict[str, Any], depth: int) -> Any:
        if self._cls(node) is not np.random.RandomState:
            raise Refused("a random state of another class")
        state = self.value(node["content"], depth)
        if has_stand_in(state):
            raise Refused("a random state holding objects")
        made = np.random.RandomState()
        made.set_state(state)  # numpy checks it, as skops' set_state does in a load
        return made

    def _RandomGeneratorNode(self, node: dict[str, Any], depth: int) -> Any:
        if self._cls(node) is not np.random.Generator:
            raise Refused("a random generator of another class")
        if self.protocol in (0, 1):
            raise Refused("a random generator of skops' protocol 0 or 1, read by older code")
        seed = self.value(node["content"]["seed_seq"], depth)
        state = self.value(node["content"]["bit_generator"], depth)
        if has_stand_in(seed) or has_stand_in(state) or not isinstance(state, dict):
            raise Refused("a random generator holding objects")
        if not isinstance(seed, dict) or seed.get("pool_size", 4) != 4:
            raise Refused("a random generator with an unusual seed sequence")
        entropy = seed.get("entropy")
        if isinstance(entropy, int) and entropy.bit_length() > 4096:
            raise Refused("a random generator with a huge seed")
        keys = seed.get("spawn_key", ())
        if not isinstance(keys, (list, tuple)) or len(keys) > 64:
            raise Refused("a random generator with an unusual spawn key")
        kind = getattr(np.random, str(state.get("bit_generator")), None)
        if not (isinstance(kind, type) and issubclass(kind, np.random.BitGenerator)):
            raise Refused("a random generator whose bit generator is not numpy's")
        bits = kind(np.random.SeedSequence(**seed))
        bits.state = state
        return np.random.Generator(bits)

    def _SparseMatrixNode(self, node: dict[str, Any], depth: int) -> Any:
        from scipy.sparse import load_npz

        self._cls(node)
        member = node["file"]
        if not isinstance(member, str) or member not in self.zf.NameToInfo:
            raise Refused(f"sparse member {member!r} is missing")
        with zipfile.ZipFile(io.BytesIO(self.zf.read(member))) as inner:
            infos = inner.infolist()
            # zipfile reads no more than a member's declared size: bound the declared sizes
            total = sum(info.file_size for info in infos)
            if len(infos) > 16 or total > self.limits.max_decompressed_size:
                raise Refused(f"sparse member {member!r} inflates past the size limit")
            for info in infos:
                arr = read_npy(inner, info.filename)
                del arr
        return load_npz(io.BytesIO(self.zf.read(member)))


def numpy_type(node: dict[str, Any]) -> Any:
    """The numpy type an ``NdArrayNode`` names when skops trusts it by default (its numpy
    scalar types, ``numpy.str_`` among them): the load calls it on the array without asking
    safeload's policy (``skops_format._DATA_LOADERS``), so scan takes it as the load does
    (rt41-09: a ``numpy.str_`` scalar was "not trusted" to scan); ``None`` for any other."""
    from skops.io._trusted_types import NUMPY_DTYPE_TYPE_NAMES

    module, name = node.get("__module__"), node.get("__class__")
    if module != "numpy" or f"numpy.{name}" not in NUMPY_DTYPE_TYPE_NAMES:
        return None
    found = getattr(np, str(name), None)
    return found if is_numpy_scalar_type(found) else None


def skops_findings(
    zf: zipfile.ZipFile, policy: Policy, limits: Limits, file_size: int | None = None
) -> list[Any]:
    """The findings a pickle of what skops builds from ``zf`` gets from the static pass: the
    use-time rules and the native-structure checks of a load, or why the schema could not be
    modelled (unproven, so unsafe). Call only once every name in the schema is trusted."""
    from safeload.pickle.analysis import Finding
    from safeload.pickle.walker import analyze

    try:
        from safeload.skops_format import read_schema

        # parsed once by the checks before this one (a load and scan both read it first)
        schema = read_schema(zf, "the skops file")
        protocol = schema.get("protocol") if isinstance(schema, dict) else None
        root = _Converter(zf, policy, limits, protocol).value(schema)
        stream = pickle.dumps(root, protocol=5)
    except Refused as exc:
        return [Finding(0, "", f"unproven: {exc}; a load decides when it builds the file")]
    except RecursionError:
        return [Finding(0, "", "unproven: the skops schema is too deep to check statically")]
    except Exception as exc:  # fail closed: what cannot be modelled is not proven
        return [Finding(0, "", f"unproven: scan cannot model this skops file ({exc})")]
    result = analyze(stream, policy=policy, limits=limits, file_size=file_size)
    findings = list(result.problems)
    untrusted = sorted({g.name for g in result.globals if not g.trusted})
    if untrusted and not findings:
        findings.append(
            Finding(
                0,
                "",
                f"unproven: the objects skops builds name {', '.join(untrusted)}, "
                "which the checks of a pickle do not trust",
            )
        )
    return findings


def _namedtuple_made(cls: type) -> bool:
    """Whether ``cls`` is a class ``collections.namedtuple`` (or ``typing.NamedTuple``) made,
    with the ``__new__`` namedtuple writes and no ``__init__`` of anyone's: calling it runs
    only ``tuple.__new__``."""
    new = vars(cls).get("__new__")
    func = getattr(new, "__func__", new)
    spaces = getattr(func, "__globals__", None)
    return (
        isinstance(spaces, dict)
        and spaces.get("_tuple_new") is tuple.__new__
        and all("__init__" not in vars(b) for b in cls.__mro__[:-1])
    )


def _named(node: dict[str, Any]) -> str:
    """The class a schema node names, as its text says (a refusal never formats the class
    itself: a trusted class's metaclass ``__repr__`` would run in scan, rt102-04)."""
    return repr(f"{node.get('__module__')}.{node.get('__class__')}")
