"""Arrays read straight from the stream, without building anything else: the literal
arrays of a ``_reconstruct`` + BUILD, a protocol 5 ``_frombuffer`` or a joblib inline array,
and the check of a scikit-learn ``Tree`` on its node arrays as the stream holds them (what
``scan`` runs so that it refuses what ``load`` refuses after building)."""

from __future__ import annotations

from typing import Any

from safeload._numpy_state import _NotCanonical, frombuffer_shape, real_dtype
from safeload._symbolic import (
    _OPAQUE,
    CODECS_ENCODE,
    DTYPE_CLASSES,
    FoldBudget,
    _Array,
    _Big,
    _Bytes,
    _Const,
    _const_value,
    _Dict,
    _Global,
    _Obj,
    _Sym,
    _Tuple,
)
from safeload.pickle.names import (
    FROMBUFFER,
    MULTIARRAY_SCALAR,
    RECONSTRUCT,
)

#: numpy's array class, as ``_reconstruct`` names it for a plain array.
NDARRAY = ("numpy", "ndarray")


def _native_as_loaded(array: Any) -> Any:
    """``array`` in the byte order the load gives it: numpy's ``ndarray.__setstate__`` (a
    ``_reconstruct`` + BUILD, protocols 0-4) and safeload's joblib reader both swap an array of
    a plain non-native dtype (``>f8``, ``>i8``) to native, keeping its values and its C or
    Fortran layout; a record dtype (``|``, whatever its fields' order) is kept as written, as
    is a protocol 5 ``_frombuffer`` array. Checks of Cython's views read the byte order
    (a big-endian buffer is refused there): judged as written, a float64 tree pickled with
    protocol 2 was unsafe to scan while it loaded."""
    dt = array.dtype
    if dt.isnative or dt.byteorder == "|":
        return array
    return array.astype(dt.newbyteorder("="), order="K")


class StreamArrays:
    """The arrays of one stream (``data``, its bytes as the cursor reads them, and the walk's
    fold budget), read on demand by the tree check and by the shadows of
    :mod:`safeload.trust.shadow`."""

    def __init__(self, data: Any, buf: Any, fold: FoldBudget) -> None:
        self.data = data
        self.buf = buf
        self.fold = fold

    def literal_array(self, sym: _Sym) -> Any:
        """The numpy array ``sym`` denotes, read from the stream without building anything
        else, or ``None`` when the pass cannot prove what it holds: a ``_reconstruct`` + BUILD
        with literal data, a protocol 5 ``_frombuffer`` of literal bytes, or a joblib inline
        array."""
        import numpy as np

        axes: Any = None
        try:
            if isinstance(sym, _Array):
                located: Any = np.frombuffer(self.data, sym.dtype, sym.count, sym.start)
                return _native_as_loaded(located.reshape(sym.shape, order=sym.order))
            if not (isinstance(sym, _Obj) and sym.cls is not None):
                return None
            if sym.cls.pair in RECONSTRUCT:
                st = sym.state
                if not (isinstance(st, _Tuple) and len(st.items) == 5):
                    return None
                dtype, raw = st.items[2], _literal_bytes(st.items[4], self.fold)
                shape = _const_value(st.items[1], self.fold)
                order = "F" if _const_value(st.items[3], self.fold) else "C"
            elif sym.cls.pair in FROMBUFFER:
                args = sym.args
                if not (isinstance(args, _Tuple) and len(args.items) in (4, 5)):
                    return None
                buf = args.items[0]
                if isinstance(buf, _Bytes):
                    raw = memoryview(self.buf)[buf.pos + 9 : buf.pos + 9 + buf.size]
                else:
                    raw = _literal_bytes(buf, self.fold)
                dtype = args.items[1]
                shape = _const_value(args.items[2], self.fold)
                order = _const_value(args.items[3], self.fold)
                if len(args.items) == 5:  # (order 'K': C-ordered, then the axes permuted)
                    axes = _const_value(args.items[4], self.fold)
                    if frombuffer_shape(args.items, self.fold) is None:
                        return None
                    order = "C"
            else:
                return None
            if raw is None or not isinstance(dtype, _Obj) or dtype.cls is None:
                return None
            if dtype.cls.pair not in DTYPE_CLASSES:
                return None
            data: Any = np.frombuffer(raw, real_dtype(dtype, self.fold))
            data = data.reshape(shape, order=order)
            if axes is not None:
                data = data.transpose(axes)
            return _native_as_loaded(data) if sym.cls.pair in RECONSTRUCT else data
        except (_NotCanonical, KeyError, ValueError, TypeError, AttributeError):
            return None

    def array_shape(self, sym: _Sym) -> Any:
        """The shape of an array the pass located (as for :meth:`_literal_array`), or ``None``."""
        try:
            if isinstance(sym, _Array):
                return tuple(sym.shape)
            if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair in RECONSTRUCT:
                if isinstance(sym.state, _Tuple) and len(sym.state.items) == 5:
                    return _const_value(sym.state.items[1], self.fold)
            if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair in FROMBUFFER:
                if isinstance(sym.args, _Tuple) and len(sym.args.items) in (4, 5):
                    return frombuffer_shape(sym.args.items, self.fold)
        except KeyError:
            return None
        return None

    def plain_array_shape(self, sym: _Sym) -> Any:
        """:meth:`array_shape` of a plain ``numpy.ndarray`` (``_reconstruct(ndarray, ...)``
        with its state, a protocol 5 ``_frombuffer``, a joblib inline array), or ``None``: a
        masked array or another subclass is made by other code than the one modelled."""
        if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair in RECONSTRUCT:
            args = sym.args
            first = args.items[0] if isinstance(args, _Tuple) and args.items else None
            if not (isinstance(first, _Global) and first.pair == NDARRAY):
                return None
        shape = self.array_shape(sym)
        if not (type(shape) is tuple and all(type(n) is int for n in shape)):
            return None
        return shape

    def tree_form_problem(self, tree: _Obj, state: _Sym) -> str | None:
        """Why the load refuses a scikit-learn ``Tree`` before building it (load and scan
        alike), or ``None``: the forms scikit-learn writes, whose native code the checks after
        building then judge. ``Tree.__setstate__`` reads ``nodes.shape[0]`` through Cython's C
        view of the array's dimensions, which a 0-d array or a numpy scalar does not have: the
        process crashed inside ``load_unsigned`` (rt48-05). So ``nodes``, ``values`` and
        ``n_classes`` must be plain arrays the pass sees, of 1, 3 and 1 dimensions; the counts
        ints or numpy integers; ``node_count`` the nodes' length and ``n_classes`` as long as
        ``n_outputs`` (Tree clamps or cuts the others, which scan cannot follow, rt48-06)."""
        what = "a sklearn Tree not in the form scikit-learn writes"
        args = tree.args
        if not (isinstance(state, _Dict) and isinstance(args, _Tuple) and len(args.items) == 3):
            return f"{what} (its arguments or state are not literal)"
        items = state.items
        nodes = self.plain_array_shape(items.get("nodes", _OPAQUE))
        values = self.plain_array_shape(items.get("values", _OPAQUE))
        n_classes = self.plain_array_shape(args.items[1])
        if nodes is None or values is None or n_classes is None:
            return f"{what} (nodes, values and n_classes must be plain arrays in the stream)"
        if len(nodes) != 1 or len(values) != 3 or len(n_classes) != 1:
            return f"{what} (nodes, values or n_classes of the wrong number of dimensions)"
        try:
            node_count = self.index_value(items["node_count"])
            self.index_value(items["max_depth"])
            self.index_value(args.items[0])
            n_outputs = self.index_value(args.items[2])
        except KeyError:
            return f"{what} (its counts are not ints)"
        if node_count != nodes[0] or n_outputs != n_classes[0]:
            return f"{what} (node_count or n_outputs disagrees with its arrays)"
        return None

    def tree_problem(self, tree: _Obj, state: _Sym) -> str | None:
        """Why a scikit-learn ``Tree`` built from this stream would read out of bounds in
        ``predict`` (the checks of ``validate._check_tree``, on the arrays as the stream holds
        them), or that the pass cannot prove it would not: ``scan`` must refuse what ``load``
        refuses (issue 14, item 6)."""
        import numpy as np

        from safeload.validate import MAX_TREE_FEATURES

        unproven = "sklearn Tree whose node arrays the pass cannot read from the stream"
        args = tree.args
        if not (isinstance(state, _Dict) and isinstance(args, _Tuple) and len(args.items) == 3):
            return unproven
        try:
            n_features = self.index_value(args.items[0])
            n_outputs = self.index_value(args.items[2])
            node_count = self.index_value(state.items["node_count"])
        except KeyError:
            return unproven
        n_classes = self.literal_array(args.items[1])
        nodes = self.literal_array(state.items.get("nodes", _OPAQUE))
        values_shape = self.array_shape(state.items.get("values", _OPAQUE))
        if n_classes is None or nodes is None or values_shape is None:
            return unproven
        try:
            bad = "crafted sklearn Tree (predict would read out of bounds): "
            nodes = nodes_as_tree_takes(nodes)
            if nodes is None:
                return (
                    "crafted sklearn Tree whose node records scikit-learn's Tree refuses (not "
                    "its layout at either bitness, in one byte order): the load fails"
                )
            if nodes.ndim != 1 or nodes.shape[0] != node_count or node_count < 1:
                return bad + "node_count disagrees with its nodes"
            left = nodes["left_child"].astype(np.int64)
            right = nodes["right_child"].astype(np.int64)
            leaf = left == -1
            if not np.array_equal(leaf, right == -1):
                return bad + "a node has exactly one child"
            idx = np.arange(node_count)
            inner = ~leaf
            li, ri, ii = left[inner], right[inner], idx[inner]
            if not (
                np.all((li > ii) & (li < node_count)) and np.all((ri > ii) & (ri < node_count))
            ):
                return bad + "a child index is out of range"
            parents = np.bincount(np.concatenate([li, ri]), minlength=node_count)
            if parents[0] != 0 or not np.all(parents[1:] == 1):
                return bad + "the nodes are not a tree (a node has no parent or several)"
            if not 1 <= n_features <= MAX_TREE_FEATURES:
                return bad + "n_features is out of range"
            feature = nodes["feature"].astype(np.int64)[inner]
            if not np.all((feature >= 0) & (feature < n_features)):
                return bad + "a feature index is out of range"
            if not np.all(nodes["feature"][leaf] == -2):  # TREE_UNDEFINED (rt18-07)
                return bad + "a leaf has a split feature (export_text would never finish)"
            if not (n_classes.dtype.kind == "i" and n_classes.dtype.itemsize in (4, 8)):
                # Tree() converts 32- and 64-bit ints of either byte order to its intp buffer
                # (rt47-05) and fails on any other (rt35-06)
                return bad + "n_classes is not an array of 32- or 64-bit ints"
            counts = n_classes.astype(np.int64)
            if counts.shape != (n_outputs,) or not np.all(counts >= 1):
                return bad + "n_classes is malformed"
            if values_shape != (node_count, n_outputs, int(counts.max())):
                return bad + "the value array has the wrong shape"
            values = self.literal_array(state.items.get("values", _OPAQUE))
            if values is None:
                return unproven
            if values.dtype.newbyteorder("=") != np.float64 or not values.flags.c_contiguous:
                # Tree.__setstate__ refuses them: scan must too (rt35-06); it converts a
                # float64 array of the other byte order (rt48-06)
                return bad + "the value array is not C-contiguous float64"
            if "missing_go_to_left" in (nodes.dtype.names or ()):
                if not np.all(nodes["missing_go_to_left"] <= 1):
                    return bad + "missing_go_to_left is not 0 or 1"
            max_depth = self.index_value(state.items["max_depth"])
            if _node_depth(left, right, inner) != max_depth:
                return bad + "max_depth is not the tree's real depth"
        except (KeyError, ValueError, TypeError, IndexError, OverflowError):
            return unproven
        return None

    def index_value(self, sym: _Sym) -> int:
        """The number a Cython ``intp_t`` argument takes from ``sym`` (``__index__``): an int
        or bool constant, or a numpy integer scalar as the stream makes it
        (``multiarray.scalar(dtype, bytes)``: the load converts it, rt47-05). Raises KeyError
        where the pass cannot tell, or where the load's conversion fails (a float, a numpy
        bool, a value past intp): unproven either way."""
        import numpy as np

        if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair in MULTIARRAY_SCALAR:
            args = sym.args
            if not (isinstance(args, _Tuple) and len(args.items) == 2):
                raise KeyError("scalar")
            dtype, raw = args.items[0], _literal_bytes(args.items[1], self.fold)
            if not isinstance(dtype, _Obj) or raw is None:
                raise KeyError("scalar")
            try:
                dt = real_dtype(dtype, self.fold)
            except _NotCanonical:
                raise KeyError("scalar") from None
            if dt is None or dt.kind not in "iu" or len(raw) != dt.itemsize:
                raise KeyError("scalar")
            value = int(np.frombuffer(raw, dt, count=1)[0])
        else:
            value = _const_value(sym, self.fold)
            if type(value) not in (int, bool):
                raise KeyError("not an int")
            value = int(value)
        if not -(2**63) <= value < 2**63:
            raise KeyError("past intp")
        return value


def tree_node_dtype() -> Any:
    """scikit-learn's ``NODE_DTYPE`` (the C struct of a tree node, aligned), without importing
    scikit-learn; tests/test_scan_native.py holds it equal to scikit-learn's."""
    import numpy as np

    fields = [
        ("left_child", np.intp),
        ("right_child", np.intp),
        ("feature", np.intp),
        ("threshold", np.float64),
        ("impurity", np.float64),
        ("n_node_samples", np.intp),
        ("weighted_n_node_samples", np.float64),
        ("missing_go_to_left", np.uint8),
    ]
    return np.dtype(fields, align=True)


def _node_dtype_dict(dtype: Any) -> dict[str, str]:
    """scikit-learn's ``_dtype_to_dict``: a record dtype as {field name or title: type
    string}, all it compares (not offsets, order or itemsize)."""
    return {name: field[0].str for name, field in dtype.fields.items()}


def _with_other_bitness(layout: dict[str, str]) -> dict[str, str]:
    """scikit-learn's ``_dtype_dict_with_modified_bitness``: the intp fields' type strings
    with this platform's pointer size replaced by the other one (``'<i8'`` -> ``'<i4'``)."""
    import numpy as np

    expected = str(np.dtype(np.intp).itemsize)
    allowed = "8" if expected == "4" else "4"
    changed = dict(layout)
    for name in ("left_child", "right_child", "feature", "n_node_samples"):
        changed[name] = changed[name].replace(expected, allowed)
    return changed


def nodes_as_tree_takes(nodes: Any) -> Any:
    """The node array ``Tree.__setstate__`` goes on with, made as scikit-learn's
    ``_check_node_ndarray`` makes it, or ``None`` where it raises (the load fails).

    scikit-learn takes ``NODE_DTYPE`` itself, else any record dtype whose {field name: type
    string} equals that of ``NODE_DTYPE`` at either bitness (its intp fields as ``i4`` or
    ``i8``: "cross-bitness deployment") in one byte order (rt49-01: a mix is refused), and
    casts it with ``astype(NODE_DTYPE, casting="same_kind")``. It compares neither offsets nor
    the itemsize nor the order of the fields, so packed and padded records load (rt49-02);
    numpy casts records by position, so fields in another order load with their values
    moved into other fields: the checks then judge the converted nodes, as the load's checks
    after building judge what ``Tree`` holds. (Its dimension and contiguity checks are the
    caller's: a 1-D array from the stream is contiguous.)"""
    expected = tree_node_dtype()
    dt = nodes.dtype
    if dt == expected:
        return nodes
    if dt.fields is None:
        return None
    base = _node_dtype_dict(expected)
    swapped = _node_dtype_dict(expected.newbyteorder())
    compatible = [base, _with_other_bitness(base), swapped, _with_other_bitness(swapped)]
    if _node_dtype_dict(dt) not in compatible:
        return None
    try:
        return nodes.astype(expected, casting="same_kind")
    except TypeError:  # a float field cast into an int one by position: Tree raises too
        return None


def _node_depth(left: Any, right: Any, inner: Any) -> int:
    """The depth of the deepest node (the root is 0), as scikit-learn's
    ``Tree.compute_node_depths`` finds it: it visits the nodes in order and gives each child
    its parent's depth plus one. The caller has checked that children point forward and that
    every node but the root has exactly one parent. By pointer jumping: O(n log n) however deep
    the tree."""
    import numpy as np

    n = left.shape[0]
    parent = np.full(n, -1, dtype=np.int64)
    idx = np.arange(n, dtype=np.int64)
    parent[left[inner]] = idx[inner]  # one parent each: no two writes to the same node
    parent[right[inner]] = idx[inner]
    depth = (parent >= 0).astype(np.int64)  # edges from each node to ``up``
    up = parent
    while True:
        live = up >= 0
        if not live.any():
            return int(depth.max())
        above = up[live]
        depth = depth.copy()
        depth[live] += depth[above]  # reads the old values: numpy evaluates the right side first
        up = up.copy()
        up[live] = up[above]


def _literal_bytes(sym: _Sym, budget: FoldBudget) -> Any:
    """The bytes a constant denotes (protocol 2 writes them as ``_codecs.encode(text,
    "latin1")``), large constants included, or ``None``."""
    if isinstance(sym, _Big):
        value = sym.value
        return value if isinstance(value, (bytes, bytearray, memoryview)) else None
    if (
        isinstance(sym, _Obj)
        and sym.cls is not None
        and sym.cls.pair == ("builtins", "bytes")
        and isinstance(sym.args, _Tuple)
        and not sym.args.items
        and sym.state is None
    ):
        return b""  # protocols 0-2 write empty bytes as bytes()
    if isinstance(sym, _Obj) and sym.cls is not None and sym.cls.pair == CODECS_ENCODE:
        args = sym.args
        if isinstance(args, _Tuple) and len(args.items) == 2:
            text = args.items[0]
            value = text.value if isinstance(text, (_Big, _Const)) else None
            try:
                encoding = _const_value(args.items[1], budget)
            except KeyError:
                return None
            if isinstance(value, str) and encoding in ("latin1", "latin-1"):
                return value.encode("latin-1")
        return None
    if isinstance(sym, _Const) and isinstance(sym.value, (bytes, bytearray, memoryview)):
        return sym.value
    return None
