"""BUILD, the opcode that gives an object its state, with the hooks it runs: the state's cost,
scikit-learn's version key, dunder and slot keys, the checks of dtypes, arrays, decision trees,
pandas objects and native models, and joblib's inline arrays, which joblib reads after the BUILD
of its array wrapper. :class:`WalkBuild` is the level of the walk between the calls
(:mod:`~safeload.pickle.walk_calls`) and the final class (:mod:`~safeload.pickle.walker`)."""

from __future__ import annotations

from typing import Any, Final

from safeload._numpy_state import (
    _array_state_problem,
    _dtype_layout,
    _dtype_state_problem,
    array_state_length_problem,
    empty_shape_problem,
    real_dtype,
)
from safeload._symbolic import (
    _OPAQUE,
    DTYPE_CLASSES,
    _Array,
    _Big,
    _Const,
    _const_value,
    _Container,
    _Dict,
    _Global,
    _Obj,
    _Opaque,
    _Sym,
    _Tuple,
    freeze,
)
from safeload._types import Buffer
from safeload.exceptions import LimitExceededError
from safeload.pickle.analysis import Finding, Unsafe
from safeload.pickle.costs import (
    DATA_MODULES,
    HASHED_BY_STATE,
    INSTANCE_BUILD_UNITS,
    REBUILT_FROM_STATE,
    build_nodes,
    charge_array,
    unfolded,
)
from safeload.pickle.frame import Frame
from safeload.pickle.names import (
    ARRAY_MAKERS,
    JOBLIB_WRAPPER,
    JOBLIB_WRAPPER_KEYS,
    NDARRAY_CLASSES,
    RECONSTRUCT,
    TREE,
)
from safeload.pickle.state_rules import (
    dunder_key,
    generator_state_problem,
    indexed_state_problem,
    literal_build_problem,
    partial_state_problem,
    rebuild_problem,
    slot_items_problem,
    sparse_state_problem,
    state_keys_problem,
)
from safeload.pickle.stream_arrays import StreamArrays
from safeload.pickle.walk_base import SHARED_VERSION_STATE
from safeload.pickle.walk_calls import WalkCalls
from safeload.policy import Limits, Policy, format_name
from safeload.trust.native import native_state_problem
from safeload.trust.pandas_forms import ONE_BUILD, PANDAS_NAMES
from safeload.trust.profiles import NATIVE_STATES

#: The state key scikit-learn's ``__setstate__`` pops, and the longest version it may hold.
VERSION_KEY: Final = "_sklearn_version"
MAX_VERSION_TEXT: Final = 64


class WalkBuild(WalkCalls):
    """BUILD and joblib's inline arrays, on top of :class:`WalkCalls`; see the module
    docstring."""

    def __init__(self, data: Buffer, policy: Policy, limits: Limits, joblib: bool):
        super().__init__(data, policy, limits, joblib)
        self.arrays = StreamArrays(self.data, self.cur.buf, self.fold)

    def _op_build(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        state = fr.pop(pos, name)
        target = fr.peek(pos, name)
        if isinstance(target, _Global):
            raise Unsafe(pos, name, f"BUILD sets state on {format_name(*target.pair)} itself")
        if isinstance(target, _Opaque) or isinstance(target, _Const):
            # a joblib inline array, a large constant: pickle writes no state for them, and
            # one would change data the checks have read (a tree's nodes, rt26-07)
            raise Unsafe(pos, name, "BUILD on a constant or on array data the pass has read")
        problem = literal_build_problem(state, target)
        if problem:
            raise Unsafe(pos, name, problem)
        self._charge_build(target, state, pos, name)
        self._version_state(state, pos, name)
        problem = state_keys_problem(state, target, self.policy)
        if problem:
            raise Unsafe(pos, name, problem)
        dunder = self._note_dunder_state(state, target, pos, name)
        problem = (
            slot_items_problem(state, target, self.policy)
            or sparse_state_problem(state, target)
            or partial_state_problem(state, target)
            or generator_state_problem(state, target)
        )
        if problem and dunder is None:  # a dunder is refused as such, above
            raise Unsafe(pos, name, problem)
        freeze(state)
        if isinstance(target, _Container):
            self._nest(target, [state])
        if isinstance(target, _Obj):
            self._build_object(fr, target, state, pos, name)
        problem = self._array_build_problem(target, state, pos)
        if problem:
            raise Unsafe(pos, name, problem)
        problem = self._tree_build_problem(target, state)
        if problem:
            raise Unsafe(pos, name, problem)
        return None

    def _version_state(self, state: _Sym, pos: int, name: str) -> None:
        """Hook: scikit-learn's ``BaseEstimator.__setstate__`` pops ``_sklearn_version`` from
        the state dict it is given and, when it is not the installed version, formats it into
        a warning's text, even for a filtered warning. So that value must be a short string
        (a cyclic list there made the load itself spin, rt30-07), and the dict must be the
        BUILD's alone: shared with a dtype's fields, it lost a field numpy still listed
        (rt30-08). Honest pickles write a new dict for each object and never fetch it again."""
        if not (isinstance(state, _Dict) and VERSION_KEY in state.items):
            return
        version = state.items[VERSION_KEY]
        if not (
            isinstance(version, _Const)
            and type(version.value) is str
            and len(version.value) <= MAX_VERSION_TEXT
        ):
            raise Unsafe(
                pos,
                name,
                f"BUILD state whose '_sklearn_version' is not a string of at most "
                f"{MAX_VERSION_TEXT} characters: scikit-learn formats it into a warning while "
                "loading",
            )
        if id(state) in self.shared_dicts:
            raise Unsafe(pos, name, SHARED_VERSION_STATE)
        self.popped_states[id(state)] = state

    def _build_object(self, fr: Frame, target: _Obj, state: _Sym, pos: int, name: str) -> None:
        """BUILD on an object the stream made: the checks of its class, then its state."""
        cls = target.cls
        if cls is None:
            raise Unsafe(
                pos,
                name,
                "BUILD on an object whose class the pass cannot see (made by a call from "
                "arguments that are themselves made by a call); its state could be a numpy "
                "dtype's, an array's or a joblib wrapper's",
            )
        problem = rebuild_problem(target) or indexed_state_problem(target, state)
        if problem:
            raise Unsafe(pos, name, problem)
        self._pandas_build(target, pos, name)
        if cls.pair in NATIVE_STATES:
            problem = self._native_build(target, state)
            if problem:
                raise Unsafe(pos, name, problem)
        target.state = state
        self.result.builds.append((pos, target, state))
        problem = self._dtype_build_problem(target, state)
        if problem:
            raise Unsafe(pos, name, problem)
        if self.joblib and cls.pair == JOBLIB_WRAPPER:
            fr.stack[-1] = self._joblib_wrapper_build(fr, target, pos, name)

    def _pandas_build(self, target: _Obj, pos: int, name: str) -> None:
        """BUILD on a pandas object: exactly one, before anything uses it, and only on what
        pandas gives a state (its NEWOBJ classes and its array-backed objects)."""
        pair = target.cls.pair if target.cls is not None else None
        if pair is None or pair not in PANDAS_NAMES:
            return
        if pair not in ONE_BUILD:
            raise Unsafe(
                pos,
                name,
                f"BUILD on what {format_name(*pair)} makes: pandas never writes a state for it",
            )
        if target.state is not None or target.frozen:
            raise Unsafe(
                pos,
                name,
                f"a second BUILD on a pandas object made by {format_name(*pair)}, or one after "
                "it was used: pandas writes one state, checked before anything uses it",
            )

    def _native_build(self, target: _Obj, state: _Sym) -> str | None:
        """What is wrong with the one BUILD of a native-model class (safeload.trust.native)."""
        cls = target.cls
        if cls is None:  # pragma: no cover - the caller checked
            return "BUILD on an object whose class the pass cannot see"
        if target.state is not None or target.frozen:
            return (
                f"a second BUILD on {format_name(*cls.pair)}, or one after it was used: the "
                "library writes one state, read by its native parser once"
            )
        rule = NATIVE_STATES[cls.pair]
        return native_state_problem(rule, state, self.data, self.bytearrays)

    def _array_rows(self, sym: _Sym) -> int | None:
        """The first dimension of an array the pass located (see
        :meth:`WalkCalls._array_rows`)."""
        shape = self.arrays.array_shape(sym)
        if not isinstance(shape, tuple):
            return None
        if not shape:
            return 1
        first = shape[0]
        return first if type(first) is int and first >= 0 else None

    def _charge_build(self, target: _Sym, state: _Sym, pos: int, name: str) -> None:
        """Hook: a BUILD copies its state into the object (see
        :func:`~safeload.pickle.costs.build_nodes`); charged to the stream's budget
        before any other check reads the state, so that one memoised state built thousands of
        times is refused before the pass, too, reads it thousands of times (rt28-07, rt28-08).
        A UUID already counted (given to a call, hashed as part of a key) is refused: what
        holds it was counted without the state, and a UUID given its ``int`` after its tuple
        key was counted made the key's hash walk 10**10 items (rt29-01). Pickle builds a UUID
        before anything holds it. (Other objects hash by identity; honest streams, scipy's
        frozen distributions among them, do reference objects before their BUILD.) A class whose
        ``__setstate__`` rebuilds arrays from its state is charged its state's data once per
        copy it makes (``REBUILT_FROM_STATE``, rt29-02). A BUILD on any other object than
        numpy's and joblib's data costs :data:`~safeload.pickle.costs.INSTANCE_BUILD_UNITS`
        more: each such object is a Python-level call when the model is used (rt40-03's note)."""
        cap = self.work_cap
        cls = target.cls if isinstance(target, _Obj) else None
        native = cls is not None and (cls.pair == TREE or cls.pair in NATIVE_STATES)
        if cls is not None and cls.pair in HASHED_BY_STATE and id(target) in self.unfolded:
            raise Unsafe(
                pos,
                name,
                "BUILD on an object that a call argument or a dict key already holds: pickle "
                "gives an object its state before anything uses it, and what holds it was "
                "sized without that state",
            )
        rebuilt = REBUILT_FROM_STATE.get(cls.pair, 0) if cls is not None else 0
        units = build_nodes(state, cap, self.unfolded, copies_data=native or rebuilt > 0)
        units *= max(rebuilt, 1)
        if (
            cls is not None
            and not cls.pair[0].startswith(DATA_MODULES)
            and id(target) not in self.made_charged
        ):
            units += INSTANCE_BUILD_UNITS
            self.instance_builds += 1
        self._spend_on_objects(units, pos, name)

    def _note_dunder_state(self, state: _Sym, target: _Sym, pos: int, name: str) -> str | None:
        """Hook: a BUILD state that sets a dunder attribute is a use-time finding, recorded
        while the walk goes on (the file is refused either way, and the names it needs say
        more). Only the first problem of a file is such a note, and none is made for an object
        of an untrusted class (the file is refused by that name). Returns the dunder (or
        ``None``), looked up once per state: a state is frozen at its first BUILD."""
        seen = self.dunder_states.get(id(state))
        if seen is not None:
            dunder = seen[1]
        else:
            dunder = dunder_key(state)
            self.dunder_states[id(state)] = (state, dunder)  # kept: the id stays its own
        if dunder is None or self.result.problems:
            return dunder
        if (
            isinstance(target, _Obj)
            and target.cls is not None
            and not self.policy.allows(*target.cls.pair)
        ):
            return dunder
        self.result.problems.append(
            Finding(
                pos,
                name,
                f"BUILD state sets {dunder!r}: dunder attributes are refused (a slot item "
                "__class__ swaps the object's class, an instance one shadows the class's)",
                use_time=True,
            )
        )
        return dunder

    def _dtype_build_problem(self, target: _Obj, state: _Sym) -> str | None:
        """Hook: why the state BUILD gives a numpy dtype is refused (see
        ``_numpy_state._dtype_state_problem``), or ``None``; ``None`` for any other object."""
        if target.cls is not None and target.cls.pair in DTYPE_CLASSES:
            return _dtype_state_problem(target, state, self.fold)
        return None

    def _array_build_problem(self, target: _Sym, state: _Sym, pos: int) -> str | None:
        """Hook: why a BUILD state is refused as an array state (see
        ``_numpy_state._array_state_problem``), or ``None``. Every BUILD state is looked at
        (an array state hides in any object's); the state of what ``ARRAY_MAKERS`` make must be
        a literal array state checked in full. A load checks the arrays it builds, so after the
        check the state forgets its data (except a tree's nodes); scan reads them again in the
        native-structure checks."""
        strict = (
            isinstance(target, _Obj) and target.cls is not None and target.cls.pair in ARRAY_MAKERS
        )
        problem = _array_state_problem(state, self.fold, strict=strict)
        if not problem and strict and isinstance(target, _Obj) and isinstance(state, _Tuple):
            problem = array_state_length_problem(target, state)
        if problem:
            return problem
        if strict and isinstance(state, _Tuple):
            for data in state.items[4:6]:  # the data, and a masked array's mask
                self.claim_array_data(target, data, pos, "BUILD")
            for extra in state.items[6:]:  # a masked array's fill value
                self._charge_fill_value(target, extra)
        if strict and isinstance(state, _Tuple) and not self.check_trees:
            _forget_unless_nodes(state)
        return None

    def _charge_fill_value(self, array: _Sym, fill: _Sym) -> None:
        """A masked array's fill value is converted by ``numpy.asarray(fill, dtype)`` in its
        ``__setstate__``: numpy walks every leaf of a nested value and allocates an array of
        that shape, so a tuple shared through the memo (``Tk = (Tk-1,) * 16``, six levels,
        2.4 KB) asked for 128 MiB inside the load (rt49-07). Its unfolded size is added to the
        array's count, which the end-of-walk bound compares with the file's size."""
        cost = unfolded(fill, self.work_cap, self.unfolded)
        charge_array(array, cost, self.unfolded)
        if id(array) in self.data_arrays:
            self.data_arrays[id(array)] = self.unfolded[id(array)]

    def _tree_build_problem(self, target: _Sym, state: _Sym) -> str | None:
        """Hook: why the state BUILD gives a scikit-learn ``Tree`` is refused (its form, in a
        load and a scan; with ``check_trees``, scan, its nodes too: ``tree_problem``), or
        ``None``; ``None`` for any other object."""
        if isinstance(target, _Obj) and target.cls is not None and target.cls.pair == TREE:
            problem = self.arrays.tree_form_problem(target, state)
            if problem or not self.check_trees:
                return problem
            return self.arrays.tree_problem(target, state)
        return None

    def _joblib_wrapper_build(self, fr: Frame, wrapper: _Obj, pos: int, name: str) -> _Sym:
        """Hook: the BUILD of joblib's ``NumpyArrayWrapper`` in a joblib stream, after which
        joblib reads the raw array bytes. Refused inside a FRAME or a nested object array;
        records the BUILD's offset, skips (or, for an object array, walks) the array data, and
        returns what takes the wrapper's place on the stack."""
        if fr.frame_end is not None:
            raise Unsafe(pos, name, "joblib array data inside a FRAME")
        if not fr.top:
            raise Unsafe(pos, name, "joblib array wrapper inside an object array")
        self.result.wrapper_builds.append(pos)
        return self._joblib_array(wrapper, pos)

    def _joblib_array(self, wrapper: _Obj, pos: int) -> _Sym:
        """Skip (and for object arrays, scan) the raw array data joblib put after the BUILD;
        return what takes the wrapper's place on the stack."""
        state = wrapper.state
        if not isinstance(state, _Dict):
            raise Unsafe(pos, "BUILD", "joblib array wrapper state is not a dict")
        s = state.items
        if state.lossy or state.unknown_keys or not JOBLIB_WRAPPER_KEYS.issuperset(s):
            # joblib reads only the keys it needs and the load's stand-in did too, while the
            # use-time rules refuse a key that is no attribute name: joblib never writes
            # another key, so both refuse any (rt52-09)
            raise Unsafe(pos, "BUILD", "joblib array wrapper state with a key joblib never writes")
        sub = s.get("subclass")
        if not (isinstance(sub, _Global) and sub.pair in NDARRAY_CLASSES):
            raise Unsafe(pos, "BUILD", "joblib array subclass must be numpy.ndarray or memmap")
        try:
            shape = _const_value(s["shape"], self.fold)
            order = _const_value(s["order"], self.fold)
            itemsize, hasobject = _dtype_layout(s["dtype"], self.fold)
            align = (
                _const_value(s["numpy_array_alignment_bytes"], self.fold)
                if ("numpy_array_alignment_bytes" in s)
                else None
            )
        except KeyError as exc:
            raise Unsafe(pos, "BUILD", f"joblib array metadata not understood: {exc}") from None
        if not (isinstance(shape, tuple) and all(type(n) is int and n >= 0 for n in shape)):
            raise Unsafe(pos, "BUILD", "joblib array shape is not a tuple of sizes")
        empty = empty_shape_problem(shape)
        if empty:
            raise Unsafe(pos, "BUILD", empty)
        if order not in ("C", "F"):
            raise Unsafe(pos, "BUILD", "joblib array order must be 'C' or 'F'")
        dtype = s["dtype"]
        if isinstance(dtype, _Obj) and real_dtype(dtype, self.fold).subdtype is not None:
            # numpy adds a sub-array's axes to the array's, so joblib's reshape to the stated
            # shape fails (rt56-02); no array has a sub-array dtype to write
            raise Unsafe(pos, "BUILD", "joblib array of a sub-array dtype (joblib fails)")
        start = self.cur.pos
        if hasobject:
            nested = self._stream(top=False)  # a nested pickle of the object array
            if not (
                isinstance(nested, _Obj)
                and nested.cls is not None
                and nested.cls.pair in RECONSTRUCT
                and nested.state is not None
            ) and all(ref.trusted for ref in self.result.globals):
                # joblib pickles the array itself there, which numpy writes as _reconstruct and
                # a BUILD; the load refuses anything else ("bad object array"), and joblib
                # fails on it (rt54-04). (A name the policy does not trust is refused as that.)
                raise Unsafe(start, "BUILD", "a joblib object array whose pickle makes no array")
            self.result.array_regions.append((start, self.cur.pos))
            # its value, in the load's pass too: what it holds counts in the model's unfolded
            # size (rt30-05: opaque to the load, a 266 KB array printed 6.5 GB)
            return nested
        count = 1
        for n in shape:
            count *= n
        nbytes = count * itemsize
        if nbytes > self.limits.max_item_size:
            raise LimitExceededError(f"array of {nbytes} bytes")
        if align is not None:
            if start >= self.size:
                raise Unsafe(start, "BUILD", "truncated joblib array padding")
            pad = self.cur.buf[start]
            if pad > 64:
                raise Unsafe(start, "BUILD", "joblib array padding too long")
            self.cur.pos = start + 1 + pad
        data_start = self.cur.pos
        if data_start + nbytes > self.size:
            raise Unsafe(start, "BUILD", "joblib array data runs past the end of the file")
        self.cur.pos = data_start + nbytes
        self.result.array_regions.append((start, data_start + nbytes))
        dtype = s["dtype"]
        if isinstance(dtype, _Obj) and dtype.real is not None:
            return _Array(data_start, count, dtype.real, shape, order)
        return _OPAQUE


def _forget_unless_nodes(state: _Tuple) -> None:
    """An array state has been checked: drop the large data it holds unless its dtype is a
    decision tree's node dtype, whose indexes the Tree check reads (keeps the pass's memory
    at what it was for every other array)."""
    dtype = state.items[2]
    names = dtype.real.names if isinstance(dtype, _Obj) and dtype.real is not None else None
    if names is not None and "left_child" in names:
        return
    raw = state.items[4]
    if isinstance(raw, _Obj) and isinstance(raw.args, _Tuple) and raw.args.items:
        raw = raw.args.items[0]
    if isinstance(raw, _Big) and not isinstance(raw.value, memoryview):
        # (a view of the stream costs nothing to keep, and a list's tuple may hold the same
        # bytes: scan kept and counted them while the load dropped and skipped them,
        # rt120-04; a text, protocol 2's, is a copy and is dropped)
        raw.value = None
