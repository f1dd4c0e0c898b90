"""The walk of one pickle stream: the opcode loop with its inline fast path, the memo,
FRAME and PROTO, and the opcodes that build values (tuples, lists, dicts, sets and what fills
them). Calls are :mod:`~safeload.pickle.walk_calls`' and BUILD is
:mod:`~safeload.pickle.walker`'s; every opcode the loop does not model inline goes to its
handler in the table the final class sets (``Walker.handlers``)."""

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
from safeload._threads import switch_point
from safeload._types import Buffer
from safeload.exceptions import LimitExceededError
from safeload.pickle.analysis import (
    MAX_CONST,
    VIEW_FROM,
    Finding,
    GlobalRef,
    StreamAnalysis,
    Unsafe,
    py3_name,
)
from safeload.pickle.costs import BYTES_PER_NODE, const_nodes, unfolded
from safeload.pickle.frame import (
    CONST_OPS,
    FAST,
    FIXED,
    GET_OPS,
    PUT_OPS,
    Frame,
    Handler,
    fetched_again,
)
from safeload.pickle.names import (
    JOBLIB_WRAPPER,
    JOBLIB_WRAPPER_NAMES,
    PRINTED_WHOLE,
    REFUSED_OPCODES,
)
from safeload.policy import Limits, Policy, format_name

#: ``FAST`` as two tables indexed by the opcode byte (argument length -1: not inline), so the
#: hot loop indexes a tuple instead of hashing a key.
_FAST_ARG: Final[tuple[int, ...]] = tuple(FAST[b][1] if b in FAST else -1 for b in range(256))
_FAST_NAME: Final[tuple[str, ...]] = tuple(FAST[b][0] if b in FAST else "" for b in range(256))


#: Every 4096 opcodes the walker calls an interpreted function, where the interpreter may hand
#: the GIL to a thread that has waited for it (see safeload._threads). Compiled with mypyc the
#: walker never does so on its own, and a large load hashes the file in another thread that
#: needs the GIL to start each chunk: without this, hashing stalled for the whole pass and
#: verification waited for it afterwards.
_YIELD_MASK: Final = 4095


def _memo_put(memo: list[_Sym | None], idx: int, value: _Sym) -> int:
    """Store ``value`` at memo index ``idx`` (already bounds-checked by the caller), growing the
    list as needed; returns 1 if the index was unset (the memo has one entry more), else 0."""
    if idx >= len(memo):
        memo.extend([None] * (idx + 1 - len(memo)))
    added = 1 if memo[idx] is None else 0
    memo[idx] = value
    return added


#: Why a state dict holding ``_sklearn_version`` is not also held elsewhere (rt30-08).
SHARED_VERSION_STATE: Final = (
    "BUILD state dict with '_sklearn_version' that the stream also uses elsewhere: "
    "scikit-learn's __setstate__ removes that key from the dict it is given, so the other "
    "holder (a dtype's fields, another object) would change after the pass read it"
)


class WalkStream:
    """The opcode loop and the value-building opcodes; see the module docstring."""

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
        #: id() of each constant a BYTEARRAY8 pushed (the symbols live as long as the walk)
        self.bytearrays: set[int] = set()
        #: what the calls and hashes so far cost (see ``spend``)
        self.spent = 0
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
        self.keep_values = False
        #: read decision trees' arrays from the stream and check them (scan); a load skips it,
        #: because it checks the trees it built (validate.py) before returning them
        self.check_trees = True
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

    def run(self) -> StreamAnalysis:
        try:
            value = self._stream(top=True)
            end = self.cur.pos
            self.result.end = end
            if end != self.size:
                raise Unsafe(end, "STOP", f"{self.size - end} byte(s) after STOP")
            self._check_all_built()
            self._check_unfolded_result(value, end)
            self.result.buffer_views = [
                (b.pos, b.size) for b in self.byte_arrays if b.uses == 1 and not b.shared
            ]
        # One name per clause: compiled with mypyc, a name keeps the type of its first use.
        except Unsafe as unsafe:
            self.result.problems.append(unsafe.finding)
        except LimitExceededError as limit:
            self.result.problems.append(Finding(self.cur.pos, "", f"limit: {limit}", limit=True))
        except (
            ValueError,
            EOFError,
            OverflowError,
            IndexError,
            KeyError,
            TypeError,
            UnicodeDecodeError,
            MemoryError,
            RecursionError,
        ) as exc:
            self.result.problems.append(
                Finding(self.cur.pos, "", f"malformed stream: {type(exc).__name__}: {exc}")
            )
        return self.result

    def _check_unfolded_result(self, value: _Sym, end: int) -> None:
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
        units = unfolded(value, self.work_cap, dict(self.data_arrays), ranges=False)
        if units > self.work_cap:
            raise Unsafe(
                end,
                "STOP",
                "the model unfolds into more values than the file's size allows: memo "
                "references reuse memoised containers so often that printing or comparing it "
                "would build far more than the file holds",
            )

    def _check_all_built(self) -> None:
        """Hook, at the end of the walk: every pandas object that must receive one BUILD, and
        every native-model object, was given its state (pandas' code would otherwise meet
        unset buffers, the library a missing model)."""
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
        )
        for made, harm in unset:
            for pos, obj in made:
                if obj.state is None and obj.cls is not None:
                    raise Unsafe(pos, "NEWOBJ", harm.format(format_name(*obj.cls.pair)))

    def _global(self, module: Any, qualname: Any, pos: int, opname: str, proto: int) -> _Global:
        if not isinstance(module, str) or not isinstance(qualname, str):
            raise Unsafe(pos, opname, "global name operands are not constant strings")
        raw = (module, qualname)
        module, qualname = py3_name(module, qualname, proto)
        if self.result.resolved.setdefault(raw, (module, qualname)) != (module, qualname):
            raise Unsafe(pos, opname, "one global name resolves two ways in this file")
        trusted = self.policy.allows(module, qualname)
        if trusted and qualname.rpartition(".")[2] in JOBLIB_WRAPPER_NAMES:
            self._joblib_placeholder(module, qualname, pos, opname)
        self.result.globals.append(GlobalRef(module, qualname, pos, opname, trusted))
        return _Global(module, qualname)

    def _joblib_placeholder(self, module: str, qualname: str, pos: int, opname: str) -> None:
        """Refuse a trusted joblib array placeholder the walk would not treat as one (an
        untrusted one is refused as untrusted).

        Read as a plain pickle, the placeholder is an ordinary object and the raw array bytes
        joblib skips after its BUILD are parsed as opcodes: ``joblib.load`` and this pass would
        read different streams (rt14 f04). Read as joblib, only the exact name is recognised as
        the placeholder, so any other spelling of it would desynchronise the same way.
        """
        if self.joblib and (module, qualname) == JOBLIB_WRAPPER:
            return
        what = format_name(module, qualname)
        if not self.joblib:
            self.result.joblib_content = True
            raise Unsafe(
                pos,
                opname,
                f"{what} is joblib's array placeholder: this is joblib content, which joblib "
                "reads differently from a plain pickle; read it as joblib (format='joblib', "
                "CLI: --format joblib)",
            )
        raise Unsafe(pos, opname, f"{what} is a joblib array placeholder under another name")

    def _stream(self, top: bool) -> _Sym:
        """Walk one stream to its STOP; return the value it leaves (a nested joblib object
        array's stream returns its array).

        The opcodes that make up most of a pickle (``FAST``, constants, the memo) are decoded
        and modelled inline; every other opcode goes to its handler in ``HANDLERS``. The
        stack, the FRAME end and the opcode count live in locals while the loop runs, and in
        the stream's :class:`Frame` (and ``result.opcode_count``) while a handler runs."""
        fr = Frame(top)
        stack = fr.stack
        metastack = fr.metastack
        # The memo as the C unpickler keeps it: a list indexed by memo index (None: unset), and
        # the number of indexes set, which is where MEMOIZE writes. PUT indexes are bounded
        # below, so the list stays within twice the entries plus 257.
        memo = fr.memo
        memo_len = 0
        frame_end: int | None = None
        limits = self.limits
        cur = self.cur
        buf = cur.buf
        size = cur.size
        fr.start = cur.pos
        max_ops = limits.max_opcodes
        max_depth = limits.max_depth
        result = self.result
        handlers = self.handlers
        ops = result.opcode_count  # counted in a local (this loop is hot), stored on the way out
        try:
            while True:
                pos = cur.pos
                op = buf[pos] if pos < size else 0  # 0 is not an opcode
                arg_len = _FAST_ARG[op]
                if arg_len >= 0 and pos + 1 + arg_len <= size:
                    name = _FAST_NAME[op]
                    end = cur.pos = pos + 1 + arg_len
                else:
                    op = -1
                    name, arg, pos = cur.next()
                    end = cur.pos
                ops += 1
                if ops > max_ops:
                    raise LimitExceededError(f"more than {max_ops} opcodes")
                if not ops & _YIELD_MASK:
                    switch_point()  # let other threads in: see _YIELD_MASK
                if frame_end is not None:
                    if end > frame_end:
                        raise Unsafe(pos, name, "opcode crosses the end of its FRAME")
                    if end == frame_end:
                        frame_end = None
                if op >= 0:
                    # The inline opcodes: same checks as the general branches below.
                    if op == 0x68:  # BINGET
                        idx = buf[pos + 1]
                        got = memo[idx] if idx < len(memo) else None
                        if got is None:
                            raise Unsafe(pos, name, f"memo index {idx} was never set")
                        if isinstance(got, _Tuple) or isinstance(got, _Bytes):  # no call
                            fetched_again(got)  # on this hot path for any other value
                        elif not (isinstance(got, _Const) and type(got.value) is not str):
                            self.refetched(got, pos, name)
                        stack.append(got)
                    elif op == 0x94 or op == 0x71:  # MEMOIZE, BINPUT
                        if not stack:
                            raise Unsafe(pos, name, "memoizing an empty stack")
                        # a one-byte BINPUT index is always within the bound checked below
                        idx = memo_len if op == 0x94 else buf[pos + 1]
                        memo_len += _memo_put(memo, idx, stack[-1])
                    elif op == 0x4B:  # BININT1
                        stack.append(_Const(buf[pos + 1]))
                    elif op == 0x4E:  # NONE
                        stack.append(_Const(None))
                    elif op == 0x4D:  # BININT2
                        stack.append(_Const(buf[pos + 1] | buf[pos + 2] << 8))
                    elif op == 0x88 or op == 0x89:  # NEWTRUE, NEWFALSE
                        stack.append(_Const(op == 0x88))
                    elif op == 0x29:  # EMPTY_TUPLE
                        stack.append(_Tuple([]))
                    elif op == 0x7D:  # EMPTY_DICT
                        stack.append(_Dict())
                    else:  # MARK
                        metastack.append(stack)
                        stack = []
                        if len(metastack) > max_depth:
                            raise LimitExceededError(f"nesting deeper than {max_depth}")
                    continue
                # The common opcodes first: constants and the memo.
                if name in CONST_OPS:
                    if (
                        isinstance(arg, (str, bytes, bytearray, memoryview))
                        and len(arg) > MAX_CONST
                    ):
                        stack.append(self._large_const(pos, name, arg, top))
                        continue
                    const = _Const(CONST_OPS[name] if name in FIXED else arg)
                    stack.append(const)
                    if name == "BYTEARRAY8":  # a mutable buffer, as a native parser may need
                        self.bytearrays.add(id(const))
                    continue
                if name == "MEMOIZE" or name in PUT_OPS:
                    if not stack:
                        raise Unsafe(pos, name, "memoizing an empty stack")
                    idx = memo_len if name == "MEMOIZE" else int(arg)
                    if idx < 0 or idx > 2 * memo_len + 256:
                        raise Unsafe(pos, name, f"memo index {idx} far beyond the memo size")
                    memo_len += _memo_put(memo, idx, stack[-1])
                    continue
                if name in GET_OPS:
                    idx = int(arg)
                    got = memo[idx] if 0 <= idx < len(memo) else None
                    if got is None:
                        raise Unsafe(pos, name, f"memo index {arg} was never set")
                    fetched_again(got)
                    self.refetched(got, pos, name)
                    stack.append(got)
                    continue
                # Everything else: one handler per opcode, on the frame.
                handler = handlers.get(name)
                if handler is None:
                    raise Unsafe(pos, name, f"opcode {name} is not supported")
                fr.stack = stack
                fr.frame_end = frame_end
                result.opcode_count = ops  # a nested object-array pickle counts too
                value = handler(self, fr, pos, name, arg)
                stack = fr.stack
                frame_end = fr.frame_end
                ops = result.opcode_count
                if value is not None:  # STOP
                    return value
        finally:
            result.opcode_count = ops

    def _large_const(self, pos: int, name: str, arg: Any, top: bool) -> _Sym:
        """Hook: the value of a constant longer than ``MAX_CONST``, within the item limit.

        A top-level ``BYTEARRAY8`` of at least ``VIEW_FROM`` bytes in a plain pickle becomes a
        :class:`_Bytes` that counts its consumers (``_count_buffer_use``, ``fetched_again``):
        one that only a ``_frombuffer`` call consumes is listed in ``buffer_views``. Any other
        ``BYTEARRAY8`` is recorded in ``bytearrays``, a mutable buffer as a native parser may
        need."""
        if len(arg) > self.limits.max_item_size:
            raise LimitExceededError(f"item of {len(arg)} bytes")
        if name == "BYTEARRAY8" and len(arg) >= VIEW_FROM and top and not self.joblib:
            view = _Bytes(pos, len(arg))
            self.byte_arrays.append(view)
            return view
        big = _Big(arg)
        if name == "BYTEARRAY8":
            self.bytearrays.add(id(big))
        return big

    # --- one handler per opcode (see HANDLERS): (frame, offset, opcode name, argument) -------

    def _op_proto(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        if pos != fr.start or not 0 <= arg <= 5:
            raise Unsafe(pos, name, f"unexpected PROTO {arg}")
        fr.proto = arg
        if fr.top:
            self.result.protocol = arg
        return None

    def _op_refused(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        raise Unsafe(pos, name, f"{name}: {REFUSED_OPCODES[name]} is refused")

    def _op_frame(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        if fr.top:
            self.result.frame_ops.append(pos)
        end = self.cur.pos
        if fr.frame_end is not None:
            raise Unsafe(pos, name, "FRAME inside a FRAME")
        if arg > self.size - end:
            raise Unsafe(pos, name, "FRAME claims more bytes than remain")
        fr.frame_end = end + arg if arg else None
        return None

    def _op_stop(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        """The stream's value: the one item on a balanced stack."""
        if fr.frame_end is not None:
            raise Unsafe(pos, name, "STOP inside an unfinished FRAME")
        if fr.metastack or len(fr.stack) != 1:
            raise Unsafe(pos, name, "stack not balanced at STOP")
        value = fr.stack[0]
        if fr.top and self.keep_values:
            self.result.kept = (value, list(fr.memo))
        if fr.top:
            self.result.root = value
        return value

    def _op_global(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        module, qualname = arg
        fr.stack.append(self._global(module, qualname, pos, name, fr.proto))
        return None

    def _op_stack_global(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        qn = fr.pop(pos, name)
        mod = fr.pop(pos, name)
        if not (isinstance(mod, _Const) and isinstance(qn, _Const)):
            raise Unsafe(pos, name, "STACK_GLOBAL operands are not constant strings")
        fr.stack.append(self._global(mod.value, qn.value, pos, name, fr.proto))
        return None

    def _op_pop(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        """POP: the top item, or (on an empty stack) the items since the last MARK."""
        if fr.stack:
            popped = fr.stack.pop()
            if isinstance(popped, _Obj):
                self.result.notes.append(Finding(pos, name, "the result of a call is discarded"))
        else:
            fr.pop_mark(pos, name)
        return None

    def _op_dup(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        top = fr.peek(pos, name)
        fetched_again(top)
        self.refetched(top, pos, name)
        fr.stack.append(top)
        return None

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
