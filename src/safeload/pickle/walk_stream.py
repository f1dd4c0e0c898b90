"""The walk of one pickle stream: the opcode loop (:meth:`WalkStream._stream`) with its inline
fast path for the opcodes that make up most of a pickle (constants, the memo, MARK), and the
handlers of the stream's own opcodes (PROTO, FRAME, STOP, GLOBAL and STACK_GLOBAL, POP, DUP and
the refused ones). The walk's state, its budget and the checks at its end are
:mod:`~safeload.pickle.walk_base`'s; containers are :mod:`~safeload.pickle.walk_values`', calls
:mod:`~safeload.pickle.walk_calls`' and BUILD :mod:`~safeload.pickle.walk_build`'s; every opcode
the loop does not model inline goes to its handler in the table the final class sets
(``Walker.handlers``)."""

from __future__ import annotations

from typing import Any, Final

from safeload._symbolic import (
    _Big,
    _Bytes,
    _Const,
    _Dict,
    _Global,
    _Obj,
    _Sym,
    _Tuple,
)
from safeload._threads import switch_point
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
from safeload.pickle.costs import const_nodes
from safeload.pickle.frame import (
    CONST_OPS,
    FAST,
    FIXED,
    GET_OPS,
    PUT_OPS,
    Frame,
    fetched_again,
)
from safeload.pickle.names import (
    JOBLIB_WRAPPER,
    JOBLIB_WRAPPER_NAMES,
    REFUSED_OPCODES,
)
from safeload.pickle.walk_base import WalkBase
from safeload.policy import format_name

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


class WalkStream(WalkBase):
    """The opcode loop and the stream opcodes' handlers; see the module docstring."""

    def run(self) -> StreamAnalysis:
        try:
            value = self._stream(top=True)
            end = self.cur.pos
            self.result.end = end
            if end != self.size:
                raise Unsafe(end, "STOP", f"{self.size - end} byte(s) after STOP")
            self._check_all_built()
            # what the load keeps of the dropped values is walked as the model is (rt50-03)
            walked = _Tuple([value, *self.discarded]) if self.discarded else value
            self._check_unfolded_result(walked, end, 1 if self.discarded else 0)
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
            SystemError,  # (numpy's, on data it cannot decode: rt115-05)
        ) as exc:
            self.result.problems.append(
                Finding(self.cur.pos, "", f"malformed stream: {type(exc).__name__}: {exc}")
            )
        return self.result

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
                        elif isinstance(got, _Const):
                            # (a long int too, as LONG_BINGET charges it: a 1 MB int
                            # fetched 20,000 times by BINGET went uncharged, rt117-03)
                            units = const_nodes(got.value) - 1
                            if units:
                                self.spend(units, pos, name)
                        else:
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
                    elif op == 0x29:  # EMPTY_TUPLE: the one empty tuple (rt80-09)
                        stack.append(self.empty_tuple)
                    elif op == 0x7D:  # EMPTY_DICT
                        stack.append(_Dict())
                        self.charge_container(pos, name)
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
        big = _Big(arg, name == "BYTEARRAY8")
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
            self.note_discard(pos, name, [popped], fr.dup)
        else:
            fr.pop_mark(pos, name)
        return None

    def _op_dup(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        top = fr.peek(pos, name)
        fr.dup = True
        fetched_again(top)
        self.refetched(top, pos, name)
        fr.stack.append(top)
        return None
