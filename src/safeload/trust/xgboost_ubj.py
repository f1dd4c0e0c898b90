"""A bounded check of xgboost's pickled model blob, before xgboost's native parser reads it.

``xgboost.core.Booster.__setstate__`` hands ``state["handle"]`` (UBJSON: ``{"Config": ...,
"Model": ...}``) to ``XGBoosterUnserializeFromBuffer``. xgboost's UBJSON reader trusts the
lengths the blob declares (a typed-array count past the end of the buffer is copied before it
is checked: red-team r15-11), and its tree loader trusts the node indices (a child index out of
range is followed by ``predict``: r15-04). This module reads the blob first:

* :func:`parse` walks the UBJSON iteratively (no recursion) and accepts only the forms
  xgboost's writer produces and its reader reads the same way: objects ``{`` whose keys are
  ``L<int64 length>`` strings, arrays ``[ ... ]``, ``[#L<count>`` and typed arrays
  ``[$<d|D|i|U|l|L>#L<count>``, strings ``SL<length>``, and the scalars ``Z T F i U I l L C d
  D``. Every declared length or count must be non-negative and fit in the bytes that remain
  (count times the element size for a typed array), nesting is at most :data:`MAX_DEPTH` deep,
  there are at most :data:`MAX_ITEMS` values, and the blob must end where the top object ends.
  Typed arrays are not decoded: they are kept as offsets into the blob.
* :func:`booster_problem` then reads, from ``Model.learner``, ``learner_model_param``
  (``num_feature``, ``num_class``, ``num_target``) and the gradient booster (``gbtree``, ``dart``
  or ``gblinear``), and checks each tree: every per-node array has ``num_nodes`` entries; a node
  is a leaf (left child -1) or has two children numbered after it and below ``num_nodes``; each
  node has at most one parent and the ``parents`` array agrees (so the trees xgboost walks are
  trees: no cycle, no index out of range); an internal node splits on a feature below
  ``num_feature``; categorical split lists are in range; ``tree_info`` names an output group
  that exists and ``iteration_indptr`` slices the trees; a linear model has
  ``(num_feature + 1) * groups`` weights.

What the numbers *mean* (thresholds, leaf values, the configuration strings) stays xgboost's
business.
"""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:  # numpy is imported when a blob is checked, not with safeload
    import numpy as np

from safeload._symbolic import _Big, _Bytes, _Const, _Global, _Obj, _Tuple

__all__ = [
    "MAX_DEPTH",
    "MAX_ITEMS",
    "Typed",
    "UBJError",
    "booster_problem",
    "parse",
    "state_blob_problem",
]

#: Deepest nesting of objects and arrays accepted (xgboost's own models nest about 8 deep).
MAX_DEPTH: Final = 64
#: Most values (object members and untyped array items) accepted in one blob. Typed arrays
#: count once however long: their elements are never decoded one by one.
MAX_ITEMS: Final = 1 << 24

#: Typed-array element types: (size in bytes, numpy dtype, big-endian as UBJSON writes).
_TYPED: Final = {
    "d": (4, ">f4"),
    "D": (8, ">f8"),
    "i": (1, "i1"),
    "U": (1, "u1"),
    "l": (4, ">i4"),
    "L": (8, ">i8"),
}
_SCALAR: Final = {
    "i": struct.Struct(">b"),
    "U": struct.Struct(">B"),
    "I": struct.Struct(">h"),
    "l": struct.Struct(">i"),
    "L": struct.Struct(">q"),
    "C": struct.Struct(">b"),
    "d": struct.Struct(">f"),
    "D": struct.Struct(">d"),
}
_I64: Final = struct.Struct(">q")
#: Strings longer than this are kept as their length only (nothing here reads long strings).
_KEEP_STR: Final = 256
#: kInvalidNodeId as xgboost writes it in ``parents`` for the root (-1, or -1 & 0x7fffffff).
_ROOT_PARENTS: Final = (-1, 0x7FFFFFFF)


class UBJError(ValueError):
    """The blob is not UBJSON as xgboost writes it, or declares more than it holds."""


class Typed:
    """A typed array of the blob, not decoded: ``count`` elements of type ``code`` at
    ``offset``."""

    __slots__ = ("code", "count", "offset")

    def __init__(self, code: str, offset: int, count: int) -> None:
        self.code = code
        self.offset = offset
        self.count = count

    def array(self, blob: Any) -> np.ndarray[Any, Any]:
        """The elements, as a native-endian numpy array (a copy)."""
        import numpy as np

        dtype = np.dtype(_TYPED[self.code][1])
        got = np.frombuffer(blob, dtype, self.count, self.offset)
        return got.astype(dtype.newbyteorder("="))


class _LongStr:
    """A string value longer than :data:`_KEEP_STR`, kept as its length."""

    __slots__ = ("size",)

    def __init__(self, size: int) -> None:
        self.size = size


def parse(blob: Any) -> Any:
    """The value of the UBJSON ``blob`` (bytes-like): dicts, lists, ints, floats, bools,
    ``None``, ``str`` (long strings as :class:`_LongStr`) and :class:`Typed` arrays. Raises
    :class:`UBJError` for anything xgboost's writer does not produce, any length or count that
    does not fit in what remains, nesting deeper than :data:`MAX_DEPTH`, more than
    :data:`MAX_ITEMS` values, or bytes after the top value."""
    with memoryview(blob) as outer, outer.cast("B") as view:
        return _parse(view)


def _parse(view: memoryview) -> Any:
    return _Reader(view).parse()


#: What :meth:`_Reader.value` returns when it opened a container instead of reading a value.
_OPENED = object()


class _Reader:
    """One pass over a UBJSON blob, iterative (a frame per open container, no recursion), each
    length and count checked against what remains before anything is allocated for it.

    A frame is ``[container, is_object, remaining count (-1: until the end marker), key]``.
    """

    def __init__(self, view: memoryview) -> None:
        self.view = view
        self.end = len(view)
        self.pos = 0
        self.items = 0
        self.stack: list[list[Any]] = []

    def parse(self) -> Any:
        while True:
            if self.stack:  # inside a container: its end, or (in an object) the next key
                closed = self.end_of_container()
                if closed is not _OPENED:
                    if self.attach(closed):
                        result = closed
                        break
                    continue
                if self.stack[-1][1]:
                    self.key()
            value = self.value()
            if value is _OPENED:
                continue
            if self.attach(value):
                result = value
                break
        if self.pos != self.end:
            raise UBJError(f"{self.end - self.pos} byte(s) after the model")
        return result

    def attach(self, value: Any) -> bool:
        """Put ``value`` into the open container; True when there is none (it is the blob)."""
        if not self.stack:
            return True
        frame = self.stack[-1]
        if frame[1]:
            frame[0][frame[3]] = value
        else:
            frame[0].append(value)
        if frame[2] > 0:
            frame[2] -= 1
        return False

    def end_of_container(self) -> Any:
        """The open container, popped, if it ends here (its count is spent or its end marker
        is next); else ``_OPENED`` (it stays open)."""
        view, pos = self.view, self.pos
        container, is_object, remaining = self.stack[-1][:3]
        if remaining < 0:
            if pos >= self.end:
                raise UBJError(f"byte {pos}: the blob ends inside a container")
            if view[pos] != (0x7D if is_object else 0x5D):  # '}' / ']'
                return _OPENED
            self.pos = pos + 1
        elif remaining != 0:
            return _OPENED
        self.stack.pop()
        return container

    def length(self, at: int, what: str) -> tuple[int, int]:
        """``(n, position after it)``: xgboost writes every length and count as 'L' + int64
        (big-endian)."""
        if at < self.end and self.view[at] != 0x4C:  # 'L'
            raise UBJError(f"{what} at byte {at}: xgboost writes its lengths as 'L' + int64")
        if at + 9 > self.end:
            raise UBJError(f"{what} at byte {at}: the blob ends")
        (n,) = _I64.unpack_from(self.view, at + 1)
        if n < 0:
            raise UBJError(f"{what} at byte {at}: negative length {n}")
        return n, at + 9

    def key(self) -> None:
        n, pos = self.length(self.pos, "an object key")
        if n > self.end - pos:
            raise UBJError(
                f"an object key of {n} bytes at byte {pos}: only {self.end - pos} remain"
            )
        self.stack[-1][3] = bytes(self.view[pos : pos + n]).decode("utf-8", "replace")
        self.pos = pos + n

    def value(self) -> Any:
        """The value at the current position, or ``_OPENED`` after opening a container."""
        view, end, pos = self.view, self.end, self.pos
        if pos >= end:
            raise UBJError(f"byte {pos}: the blob ends where a value should be")
        self.items += 1
        if self.items > MAX_ITEMS:
            raise UBJError(f"more than {MAX_ITEMS} values")
        marker = chr(view[pos])
        start = pos
        self.pos = pos = pos + 1
        if marker == "{" or marker == "[":
            if len(self.stack) >= MAX_DEPTH:
                raise UBJError(f"nesting deeper than {MAX_DEPTH} at byte {start}")
            if marker == "{":
                self.stack.append([{}, True, -1, None])
                return _OPENED
            return self.array(start)
        if marker == "Z":
            return None
        if marker == "T":
            return True
        if marker == "F":
            return False
        if marker == "S":
            n, pos = self.length(pos, "a string length")
            if n > end - pos:
                raise UBJError(f"a string of {n} bytes at byte {start}: only {end - pos} remain")
            self.pos = pos + n
            if n <= _KEEP_STR:
                return bytes(view[pos : pos + n]).decode("utf-8", "replace")
            return _LongStr(n)
        if marker in _SCALAR:
            fmt = _SCALAR[marker]
            if pos + fmt.size > end:
                raise UBJError(f"a number at byte {start}: the blob ends")
            self.pos = pos + fmt.size
            return fmt.unpack_from(view, pos)[0]
        raise UBJError(f"byte {start}: {marker!r} is not a value xgboost writes")

    def array(self, start: int) -> Any:
        """After '[' at ``start``: a typed array (returned as a :class:`Typed` over its bytes),
        or a counted or open array (opened: ``_OPENED``)."""
        view, end, pos = self.view, self.end, self.pos
        if pos < end and view[pos] == 0x24:  # '$': typed array
            if pos + 2 >= end:
                raise UBJError(f"a typed array at byte {start}: the blob ends")
            code = chr(view[pos + 1])
            if code not in _TYPED:
                raise UBJError(
                    f"a typed array of {code!r} at byte {start}: xgboost writes only d, i, U, l, L"
                )
            if view[pos + 2] != 0x23:  # '#'
                raise UBJError(f"a typed array at byte {start} without a count")
            n, pos = self.length(pos + 3, "a typed-array count")
            size = _TYPED[code][0]
            if n > (end - pos) // size:
                raise UBJError(
                    f"a typed array at byte {start} declares {n} elements of {size} "
                    f"byte(s); only {end - pos} bytes remain"
                )
            self.pos = pos + n * size
            return Typed(code, pos, n)
        if pos < end and view[pos] == 0x23:  # '#': counted array
            n, pos = self.length(pos + 1, "an array count")
            if n > end - pos:  # every value takes at least one byte
                raise UBJError(
                    f"an array at byte {start} declares {n} values; only {end - pos} bytes remain"
                )
            self.pos = pos
            self.stack.append([[], False, n, None])
            return _OPENED
        self.stack.append([[], False, -1, None])
        return _OPENED


# --- the model ---------------------------------------------------------------------------------


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            raise UBJError(f"the model has no {'.'.join(path)}")
        obj = obj[key]
    return obj


def _int(value: Any, what: str, low: int = 0, high: int = 1 << 31) -> int:
    """An integer xgboost writes as a string ("4") or a number, within [low, high)."""
    if isinstance(value, bool):
        raise UBJError(f"{what} is not an integer")
    if isinstance(value, str):
        text = value.strip()
        if not text.lstrip("-").isdigit() or len(text) > 20:
            raise UBJError(f"{what} is {value!r}, not an integer")
        got = int(text)
    elif isinstance(value, int):
        got = value
    else:
        raise UBJError(f"{what} is not an integer")
    if not low <= got < high:
        raise UBJError(f"{what} is {got}, outside [{low}, {high})")
    return got


def _ints(blob: Any, value: Any, what: str) -> np.ndarray[Any, Any]:
    """An integer array: a typed array (i, U, l, L) or a list of ints."""
    import numpy as np

    if isinstance(value, Typed):
        if value.code in ("d", "D"):
            raise UBJError(f"{what} is an array of floats")
        return value.array(blob).astype(np.int64)
    if isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        return np.asarray(value, dtype=np.int64).reshape(-1)
    raise UBJError(f"{what} is not an array of integers")


def _size(value: Any, what: str) -> int:
    if isinstance(value, Typed):
        return value.count
    if isinstance(value, list):
        return len(value)
    raise UBJError(f"{what} is not an array")


_NODE_ARRAYS: Final = (
    "left_children", "right_children", "parents", "split_indices", "split_conditions",
    "default_left", "split_type", "loss_changes", "sum_hessian",
)  # fmt: skip


def _tree_problem(blob: Any, tree: Any, t: int, num_feature: int) -> None:
    import numpy as np

    where = f"tree {t}"
    if not isinstance(tree, dict):
        raise UBJError(f"{where} is not an object")
    n = _int(_get(tree, "tree_param", "num_nodes"), f"{where} num_nodes", 1)
    k = _int(_get(tree, "tree_param", "size_leaf_vector"), f"{where} size_leaf_vector", 0, 1 << 20)
    for name in _NODE_ARRAYS:
        if name in tree or name in ("left_children", "right_children", "parents", "split_indices"):
            got = _size(_get(tree, name), f"{where} {name}")
            if got != n:
                raise UBJError(f"{where} {name} has {got} entries for {n} nodes")
    if "base_weights" in tree:
        got = _size(tree["base_weights"], f"{where} base_weights")
        if got != n * max(k, 1):
            raise UBJError(f"{where} base_weights has {got} entries for {n} nodes")
    left = _ints(blob, tree["left_children"], f"{where} left_children")
    right = _ints(blob, tree["right_children"], f"{where} right_children")
    parents = _ints(blob, tree["parents"], f"{where} parents")
    split = _ints(blob, tree["split_indices"], f"{where} split_indices")
    idx = np.arange(n, dtype=np.int64)
    internal = left != -1
    leaf = ~internal
    if k > 1:  # a multi-target tree: a leaf's right child is its row in leaf_weights
        weights = _size(_get(tree, "leaf_weights"), f"{where} leaf_weights")
        if weights % k:
            raise UBJError(f"{where} leaf_weights has {weights} entries, not rows of {k}")
        bad = leaf & ((right < 0) | (right >= weights // k))
    else:
        bad = leaf & (right != -1)
    bad |= internal & ((left <= idx) | (left >= n) | (right <= idx) | (right >= n))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise UBJError(
            f"{where} node {i}: children {int(left[i])}, {int(right[i])} are not a leaf's (-1) "
            f"nor two nodes after it below num_nodes {n}"
        )
    children = np.concatenate([left[internal], right[internal]])
    if len(np.unique(children)) != len(children):
        raise UBJError(f"{where}: a node is the child of two nodes")
    if int(parents[0]) not in _ROOT_PARENTS:
        raise UBJError(f"{where}: the root has parent {int(parents[0])}")
    rest = parents[1:]
    if ((rest < 0) | (rest >= idx[1:])).any():
        raise UBJError(f"{where}: a node's parent is not a node before it")
    owners = np.concatenate([idx[internal], idx[internal]])
    if (parents[children] != owners).any():
        raise UBJError(f"{where}: parents disagrees with left_children / right_children")
    if ((split[internal] < 0) | (split[internal] >= num_feature)).any():
        raise UBJError(f"{where}: an internal node splits on a feature not below {num_feature}")
    _categories_problem(blob, tree, where, n, internal)


def _categories_problem(
    blob: Any, tree: dict[str, Any], where: str, n: int, internal: np.ndarray[Any, Any]
) -> None:
    import numpy as np

    names = ("categories", "categories_nodes", "categories_segments", "categories_sizes")
    present = [name in tree for name in names]
    if not any(present) and "split_type" not in tree:
        return
    if not all(present) or "split_type" not in tree:
        raise UBJError(f"{where}: categorical split arrays are incomplete")
    kinds = _ints(blob, tree["split_type"], f"{where} split_type")
    cats = _ints(blob, tree["categories"], f"{where} categories")
    nodes = _ints(blob, tree["categories_nodes"], f"{where} categories_nodes")
    segments = _ints(blob, tree["categories_segments"], f"{where} categories_segments")
    sizes = _ints(blob, tree["categories_sizes"], f"{where} categories_sizes")
    if ((kinds != 0) & (kinds != 1)).any():
        raise UBJError(f"{where}: split_type holds a value other than 0 and 1")
    if not len(nodes) == len(segments) == len(sizes):
        raise UBJError(f"{where}: categories_nodes, _segments and _sizes differ in length")
    if ((nodes < 0) | (nodes >= n)).any() or len(np.unique(nodes)) != len(nodes):
        raise UBJError(f"{where}: categories_nodes names a node out of range or twice")
    wanted = np.flatnonzero(internal & (kinds == 1))
    if not np.array_equal(np.sort(nodes), wanted):
        raise UBJError(f"{where}: categories_nodes are not the categorical split nodes")
    if ((segments < 0) | (sizes < 0) | (segments + sizes > len(cats))).any():
        raise UBJError(f"{where}: a categories segment is out of range")
    if ((cats < 0) | (cats >= 1 << 31)).any():
        raise UBJError(f"{where}: a category is negative or too large")


def _gbtree_problem(blob: Any, model: Any, num_feature: int, groups: int) -> None:
    import numpy as np

    trees = _get(model, "trees")
    if not isinstance(trees, list):
        raise UBJError("the model's trees are not an array")
    num_trees = _int(_get(model, "gbtree_model_param", "num_trees"), "num_trees")
    if num_trees != len(trees):
        raise UBJError(f"num_trees is {num_trees}, but the model holds {len(trees)} trees")
    info = _ints(blob, _get(model, "tree_info"), "tree_info")
    if len(info) != len(trees) or ((info < 0) | (info >= groups)).any():
        raise UBJError(f"tree_info does not name one of {groups} output group(s) per tree")
    if "iteration_indptr" in model:
        ptr = _ints(blob, model["iteration_indptr"], "iteration_indptr")
        if (
            len(ptr) < 1
            or int(ptr[0]) != 0
            or int(ptr[-1]) != len(trees)
            or (np.diff(ptr) < 0).any()
        ):
            raise UBJError("iteration_indptr does not slice the trees")
    for t, tree in enumerate(trees):
        _tree_problem(blob, tree, t, num_feature)


def booster_problem(blob: Any) -> str | None:
    """Why the UBJSON ``blob`` of a pickled ``xgboost.core.Booster`` is refused before
    xgboost's parser reads it, or ``None``."""
    try:
        top = parse(blob)
        learner = _get(top, "Model", "learner")
        param = _get(learner, "learner_model_param")
        num_feature = _int(_get(param, "num_feature"), "num_feature", 0)
        num_class = _int(param.get("num_class", "0"), "num_class", 0)
        num_target = _int(param.get("num_target", "1"), "num_target", 0)
        groups = max(num_class, num_target, 1)
        config = top.get("Config") if isinstance(top, dict) else None
        if isinstance(config, dict) and isinstance(config.get("learner"), dict):
            other = config["learner"].get("learner_model_param")
            if other is not None and any(
                not isinstance(other, dict) or other.get(key) != param.get(key)
                for key in ("num_feature", "num_class", "num_target")
            ):
                raise UBJError("Config and Model disagree on learner_model_param")
        booster = _get(learner, "gradient_booster")
        name = _get(booster, "name")
        if name == "gbtree":
            _gbtree_problem(blob, _get(booster, "model"), num_feature, groups)
        elif name == "dart":
            _gbtree_problem(blob, _get(booster, "gbtree", "model"), num_feature, groups)
        elif name == "gblinear":
            weights = _size(_get(booster, "model", "weights"), "gblinear weights")
            if weights != (num_feature + 1) * groups:
                raise UBJError(
                    f"the linear model has {weights} weights for {num_feature} features and "
                    f"{groups} output group(s)"
                )
        else:
            raise UBJError(f"the gradient booster {name!r} is not gbtree, dart or gblinear")
    except UBJError as exc:
        return str(exc)
    return None


def _blob_view(sym: Any, data: Any) -> memoryview | None:
    """The whole blob the symbolic value ``sym`` stands for, as a memoryview (of the stream
    ``data`` for a large ``BYTEARRAY8`` the pass does not keep), or ``None`` when the pass
    does not hold its bytes."""
    if isinstance(sym, (_Const, _Big)):
        value = sym.value
        if isinstance(value, (bytes, bytearray, memoryview)):
            return memoryview(value)
        return None
    if isinstance(sym, _Bytes):
        start = sym.pos + 9  # BYTEARRAY8: opcode, 8-byte length, data
        if data is None or start + sym.size > len(data):
            return None
        return memoryview(data)[start : start + sym.size]
    if (
        isinstance(sym, _Obj)
        and isinstance(sym.cls, _Global)
        and sym.cls.pair in (("builtins", "bytearray"), ("builtins", "bytes"))
        and sym.state is None
        and isinstance(sym.args, _Tuple)
        and len(sym.args.items) == 1
    ):
        return _blob_view(sym.args.items[0], data)
    if (
        isinstance(sym, _Obj)
        and isinstance(sym.cls, _Global)
        and sym.cls.pair == ("_codecs", "encode")
        and sym.state is None
        and isinstance(sym.args, _Tuple)
        and len(sym.args.items) == 2
        and isinstance(sym.args.items[0], (_Const, _Big))
        and isinstance(sym.args.items[1], _Const)
        and sym.args.items[1].value in ("latin1", "latin-1")
        and isinstance(sym.args.items[0].value, str)
    ):
        # protocols 0-2 write bytes as _codecs.encode(text, "latin1")
        try:
            return memoryview(sym.args.items[0].value.encode("latin-1"))
        except UnicodeEncodeError:
            return None
    return None


def state_blob_problem(where: str, sym: Any, data: Any) -> str | None:
    """Why the Booster state blob ``sym`` (a symbolic value the pass found in the stream
    ``data``; its type, size and header already checked) is refused, or ``None``."""
    view = _blob_view(sym, data)
    if view is None:
        return (
            f"{where}: the scan does not hold the blob's bytes, so its UBJSON and trees cannot "
            "be checked before xgboost's native parser reads them"
        )
    with view:
        problem = booster_problem(view)
    if problem is None:
        return None
    return f"{where} is not a model xgboost's parser can safely read: {problem}"
