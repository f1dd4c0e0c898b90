"""The base of the walk of one pickle stream: what one walk keeps (the analysis it fills in,
the values the checks after the walk read), the stream's work budget and what is charged to
it (calls, dict keys, memo references to large values), the containers' depth, and the checks
at the end of the walk. :class:`~safeload.pickle.walk_stream.WalkStream`, the opcode loop, is
built on :class:`WalkBase`; nothing here runs once per opcode except :meth:`WalkBase.refetched`,
which the loop calls for memo references to values other than tuples, bytes and constants."""

from __future__ import annotations

import mmap
from typing import Any, Final

from safeload._opcodes import Cursor
from safeload._symbolic import (
    FOLD_UNITS_BASE,
    FOLD_UNITS_PER_BYTE,
    FoldBudget,
    _Big,
    _Bytes,
    _Const,
    _Container,
    _Dict,
    _Global,
    _max_depth,
    _Obj,
    _Sym,
    _Tuple,
    freeze,
)
from safeload._types import Buffer
from safeload.exceptions import LimitExceededError
from safeload.pickle.analysis import StreamAnalysis, Unsafe
from safeload.pickle.costs import (
    BYTES_PER_CONTAINER,
    BYTES_PER_NODE,
    CONTAINER_SLACK,
    INSTANCE_BUILD_UNITS,
    DeepNesting,
    const_nodes,
    unfolded,
)
from safeload.pickle.frame import Handler
from safeload.pickle.names import JOBLIB_WRAPPER, PRINTED_WHOLE
from safeload.policy import Limits, Policy, format_name

#: Why a state dict holding ``_sklearn_version`` is not also held elsewhere (rt30-08).
SHARED_VERSION_STATE: Final = (
    "BUILD state dict with '_sklearn_version' that the stream also uses elsewhere: "
    "scikit-learn's __setstate__ removes that key from the dict it is given, so the other "
    "holder (a dtype's fields, another object) would change after the pass read it"
)


def _made_name(obj: _Obj, cls: _Global) -> str:
    """The class ``obj`` is an instance of, for findings: the first argument of a
    ``newObj(cls)`` helper, else what made it."""
    args = obj.args
    if cls.pair[1] in ("newObj", "__newobj__") and isinstance(args, _Tuple) and args.items:
        first = args.items[0]
        if isinstance(first, _Global):
            return format_name(*first.pair)
    return format_name(*cls.pair)


class WalkBase:
    """One walk's state, its budget and the checks at its end; see the module docstring."""

    def __init__(self, data: Buffer, policy: Policy, limits: Limits, joblib: bool):
        self.data = data
        self.size = len(data)
        #: the stream's work budget (see ``spend``): 16 units per byte plus 65,536
        self.work_cap = FOLD_UNITS_PER_BYTE * self.size + FOLD_UNITS_BASE
        self.cur = Cursor(data if isinstance(data, (bytes, bytearray, mmap.mmap)) else bytes(data))
        self.policy = policy
        self.limits = limits
        self.joblib = joblib
        self.result = StreamAnalysis()
        self.byte_arrays: list[_Bytes] = []
        #: (offset, object) of each object of a class that restores a native model blob
        self.native_objects: list[tuple[int, _Obj]] = []
        #: (offset, object) of each pandas object that must receive exactly one BUILD
        self.pandas_objects: list[tuple[int, _Obj]] = []
        #: (offset, object) of each object of a class in ``STATE_BUILT`` made by ``__new__``
        self.state_built: list[tuple[int, _Obj]] = []
        #: (offset, wrapper) of each joblib array wrapper a joblib stream makes
        self.joblib_wrappers: list[tuple[int, _Obj]] = []
        #: id() of each constant a BYTEARRAY8 pushed (the symbols live as long as the walk)
        self.bytearrays: set[int] = set()
        #: what the calls and hashes so far cost (see ``spend``)
        self.spent = 0
        #: BUILDs on objects other than numpy's and joblib's (see ``Walker._charge_build``)
        self.instance_builds = 0
        #: the empty tuple: one object, as CPython has one (EMPTY_TUPLE and an empty MARK TUPLE
        #: push it; neither is a container the checks visit again: rt80-09)
        self.empty_tuple = _Tuple([])
        #: containers the stream made, and the most it may make (see ``charge_container``)
        self.containers_made = 0
        self.container_cap = self.size // BYTES_PER_CONTAINER + CONTAINER_SLACK
        #: id -> each object already charged as made (see ``WalkCalls._charge_instance``)
        self.made_charged: dict[int, Any] = {}
        #: id -> what printing a dtype with fields costs (see ``refetched``)
        self.record_units: dict[int, tuple[_Obj, int]] = {}
        #: id -> what numpy makes arrays over without copying it (see ``claim_array_data``)
        self.array_data: dict[int, _Sym] = {}
        self.fold = FoldBudget(self.size)
        #: id -> (container, how many nodes it unfolds into): see _shared_args
        self.unfolded: dict[int, tuple[Any, int]] = {}
        #: the same, for the arrays whose data is bytes: their count is final when it is made
        #: (see _check_unfolded_result)
        self.data_arrays: dict[int, tuple[Any, int]] = {}
        #: id -> each dict the stream fetched again from the memo (or DUP'ed), and each dict
        #: a BUILD gave scikit-learn's ``__setstate__``, which pops a key from it: see
        #: Walker._version_state
        self.shared_dicts: dict[int, _Dict] = {}
        self.popped_states: dict[int, _Dict] = {}
        #: id -> (BUILD state, the dunder key it sets or None): see Walker._note_dunder_state
        self.dunder_states: dict[int, tuple[_Sym, str | None]] = {}
        #: id -> whether a tuple used as a key cannot be hashed (see WalkValues._unhashable)
        self.hash_memo: dict[int, bool] = {}
        #: id -> (dict or set, hash -> its distinct keys of that hash): see WalkValues._crowd
        self.key_tables: dict[int, tuple[_Sym, dict[int, list[Any]]]] = {}
        #: class -> whether its objects hash by its own code (see WalkValues._own_hash)
        self.own_hashes: dict[tuple[str, str], Any] = {}
        #: id -> each object among dict keys and set items (listed once in result.hashed)
        self.hashed_ids: dict[int, _Sym] = {}
        self.keep_values = False
        #: read decision trees' arrays from the stream and check them (scan); a load skips it,
        #: because it checks the trees it built (validate.py) before returning them
        self.check_trees = True
        #: what the stream dropped off its stack (see ``note_discard``): the load walks it
        #: too, so the end-of-walk unfold bound counts it with the model
        self.discarded: list[_Sym] = self.result.dropped  # (and scan checks it, rt52-05)
        #: the handler of every opcode not modelled inline: set by the final class
        self.handlers: dict[str, Handler] = {}

    def spend(self, units: int, pos: int, name: str) -> None:
        """Charge ``units`` of work the unpickler does on values the stream already built
        (a call copying or converting its arguments, a key hashed as it is stored) to one
        budget for the whole stream, the fold budget: 16 per byte of the stream plus 65,536.
        Each call and each key is bounded on its own as well, but a memo reference is 2 bytes:
        one 1 MB string given to 20,000 calls is 20 GB, one tuple of 100,000 items hashed as
        a key 100,000 times is 10**10 steps (rt27-04, rt27-09)."""
        self.spent += units
        if self.spent > self.work_cap:
            raise Unsafe(
                pos,
                name,
                "calls, dict keys and memo references that reuse memoised values so often "
                "that loading or printing the model would copy, hash or print more than the "
                "file's size allows",
            )

    def charge_container(self, pos: int, name: str) -> None:
        """Count a container the stream makes (the opcode ``name`` at ``pos``: EMPTY_DICT,
        TUPLE1, LIST, ...): at most one per
        :data:`~safeload.pickle.costs.BYTES_PER_CONTAINER` bytes of the stream, plus
        :data:`~safeload.pickle.costs.CONTAINER_SLACK`, as each is a node every check after
        building visits (rt78-05, rt79-08)."""
        self.containers_made += 1
        if self.containers_made > self.container_cap:
            raise Unsafe(
                pos,
                name,
                f"more than {self.container_cap:,} containers (tuples, lists, dicts, sets) in "
                f"{self.size:,} bytes: a stream makes at most one per {BYTES_PER_CONTAINER} "
                "bytes (each is an object the checks after loading visit)",
            )

    def over_budget(self, pos: int, name: str) -> None:
        """Refuse the stream past its budget, naming the objects made or given state
        (``instance_builds``) when they are most of what was spent, else the calls, keys and
        memo references (:meth:`spend`)."""
        if 2 * self.instance_builds * INSTANCE_BUILD_UNITS > self.spent:
            raise Unsafe(
                pos,
                name,
                f"{self.instance_builds:,} objects made or given state, and the memoised values "
                "the stream reuses, cost more than the file's size allows (an object "
                f"{INSTANCE_BUILD_UNITS // FOLD_UNITS_PER_BYTE} bytes' worth: each is a "
                "Python-level object when the model is used)",
            )
        self.spend(0, pos, name)

    def note_discard(self, pos: int, name: str, items: list[_Sym], dup: bool) -> None:
        """Hook: the POP or POP_MARK at ``pos`` drops ``items`` off the stack. Unless they are
        all constants or names, the offset is listed (``result.discards``), so that the load
        keeps what it drops for the checks after building, which the static pass applies to
        every object the stream builds, kept or not (rt50-03).

        With ``dup`` (the stream used DUP before), such a drop is refused: the load keeps a
        dropped value by putting a list right below the slot it lies in, in front of the
        opcode that pushed the slot, and a slot DUP pushed can hold a new value that took the
        copy in (``None DUP <obj> TUPLE2 POP``, ``cls DUP args NEWOBJ state BUILD POP``), where
        no list can go below it (rt52-01). No pickler writes DUP."""
        for item in items:
            if not (
                isinstance(item, _Const)
                or isinstance(item, _Big)
                or isinstance(item, _Bytes)
                or isinstance(item, _Global)
            ):
                if dup:
                    raise Unsafe(
                        pos,
                        name,
                        "a stream that duplicates a stack item (DUP) drops a built value: "
                        "the load could not keep it for its checks",
                    )
                self.result.discards.append(pos)
                self.discarded.extend(items)
                return

    def refetched(self, got: _Sym, pos: int, name: str) -> None:
        """Hook: a memo GET or DUP pushes ``got`` again, 1 to 5 bytes for a value that may be
        large to print or copy: a list holding one array, one long string or one wide record
        dtype 10,000 times made ``repr(model)`` build gigabytes (rt27-07). A string or bytes
        (or int) is charged one unit per 16 bytes, an array what it cost when built, a dtype with
        fields its printed length per 16 bytes, to the stream's budget (:meth:`spend`)."""
        units = 0
        if isinstance(got, _Dict):
            if id(got) in self.popped_states:
                raise Unsafe(pos, name, SHARED_VERSION_STATE)
            self.shared_dicts[id(got)] = got
        elif isinstance(got, _Const):
            units = const_nodes(got.value) - 1
        elif isinstance(got, _Big) or isinstance(got, _Bytes):
            units = got.size // BYTES_PER_NODE
        elif isinstance(got, _Obj):
            cls = got.cls
            if self.joblib and cls is not None and cls.pair == JOBLIB_WRAPPER:
                # joblib's pickler makes a new wrapper for each array and never refers to one
                # again; fetched again, the wrapper itself (the load's stand-in for it) would
                # be a value of the model, outside the allowlist (rt53-08)
                raise Unsafe(pos, name, "a joblib array wrapper referred to a second time")
            if cls is not None and cls.pair in PRINTED_WHOLE:
                # an array (see WalkCalls.claim_array_data), a container or bytes a call made
                units = self._complete_units(got)
            elif got.real is not None and got.real.names is not None:
                units = self._record_units(got)
        if units:
            self.spend(units, pos, name)

    def _complete_units(self, got: _Sym) -> int:
        """What printing ``got`` again costs (its :func:`unfolded` size, less the reference).
        A value fetched again is complete: it is frozen, so that filling it later (which
        pickle never does, except through a cycle) cannot change what was counted (rt29-03:
        ``_codecs.encode`` bytes and ``tuple(S)`` results referenced 100,000 times)."""
        freeze(got)
        return unfolded(got, self.work_cap, self.unfolded) - 1

    def _record_units(self, dtype: _Obj) -> int:
        """What printing a dtype with fields costs (cached per dtype)."""
        known = self.record_units.get(id(dtype))
        if known is not None:
            return known[1]
        units = 1 + len(repr(dtype.real)) // BYTES_PER_NODE
        self.record_units[id(dtype)] = (dtype, units)  # kept alive: the id stays its own
        return units

    def _check_unfolded_result(self, value: _Sym, end: int, wrapped: int = 0) -> None:
        """Hook, at the end of the walk: what the model unfolds into when it is printed or
        walked without regard to sharing (``repr``, ``==``, a JSON dump) is within the
        stream's budget. Memo references to values the refetch charge sees (strings, bytes,
        arrays, call results) are charged as they are made; this counts the rest: containers
        referenced again, before or after they are filled. A literal tuple around a 64 KB
        string referenced 100,000 times from a 566 KB file made ``repr`` ask for 6.5 GB
        (rt29-03). Counted afresh, linear in the values the stream made, except arrays of
        bytes data, whose count is final when they are made (reusing them halved this count's
        work on a 300-tree forest: 32.5M to 16.6M instructions, callgrind). An object array's
        items may be filled later, so it is counted again."""
        # (and the nesting the unpickler really builds is within the depth limit, less the
        # ``wrapped`` levels the walk put around the model: what the walk records as it nests
        # saw a container appended while empty and filled later at its first depth, rt87-04)
        try:
            units = unfolded(
                value,
                self.work_cap,
                dict(self.data_arrays),
                ranges=False,
                max_depth=self.limits.max_depth + wrapped,
            )
        except DeepNesting as e:
            deepest = self.limits.max_depth
            raise LimitExceededError(f"containers nested deeper than {deepest}") from e
        if units > self.work_cap:
            raise Unsafe(
                end,
                "STOP",
                "the model unfolds into more values than the file's size allows: memo "
                "references reuse memoised containers so often that printing or comparing it "
                "would build far more than the file holds",
            )

    def _check_all_built(self) -> None:
        """Hook, at the end of the walk: every pandas object that must receive one BUILD,
        every native-model object, every object of ``STATE_BUILT`` made by ``__new__`` and
        every joblib array wrapper was given its state (pandas' code would otherwise meet unset
        buffers, the library a missing model, a Mahalanobis metric a null buffer, the model a
        wrapper in place of its array)."""
        unset = (
            (
                self.pandas_objects,
                "a pandas object made by {} is never given its state: pandas' code would meet "
                "its unset buffers",
            ),
            (
                self.native_objects,
                "{} is made but never given its state: its native model would be missing when "
                "it is used",
            ),
            (
                self.state_built,
                "{} is made by its __new__ alone and never given its state: the buffer its "
                "native code writes through is unset (a crash on first use)",
            ),
            (
                # joblib puts the array its BUILD reads in the wrapper's place; without one the
                # wrapper itself would be a value of the model (rt53-08)
                self.joblib_wrappers,
                "a joblib array wrapper ({}) is made but never given its BUILD: no array takes "
                "its place",
            ),
        )
        for made, harm in unset:
            for pos, obj in made:
                if obj.state is None and obj.cls is not None:
                    raise Unsafe(pos, "NEWOBJ", harm.format(_made_name(obj, obj.cls)))

    def _nest(self, target: _Sym, children: list[_Sym]) -> None:
        """Record that ``children`` now live inside ``target``; enforce the depth limit."""
        if not isinstance(target, _Container):
            return
        if children:
            deeper = 1 + _max_depth(children)
            if deeper > target.depth:
                target.depth = deeper
        if target.depth > self.limits.max_depth:
            raise LimitExceededError(f"containers nested deeper than {self.limits.max_depth}")
