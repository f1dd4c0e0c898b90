"""The call opcodes of the walk: REDUCE, INST, OBJ and NEWOBJ(_EX), with the hooks each call
runs (its form, its arguments' sharing, allocating shapes, native-model makers, pandas' forms)
and the bookkeeping the checks after the walk read."""

from __future__ import annotations

from typing import Any

from safeload._numpy_state import frombuffer_form_problem, scalar_form_problem
from safeload._symbolic import (
    CODECS_ENCODE,
    DTYPE_CLASSES,
    FOLD_UNITS_PER_BYTE,
    _Big,
    _Bytes,
    _Const,
    _const_value,
    _Dict,
    _Global,
    _Obj,
    _Sym,
    _Tuple,
    freeze,
)
from safeload.pickle.analysis import (
    Unsafe,
)
from safeload.pickle.call_rules import (
    CYTHON_LOSSES,
    VALUE_ONLY,
    call_form_problem,
    class_from_arg,
)
from safeload.pickle.costs import (
    ARRAY_ROW_UNITS,
    BYTES_PER_NODE,
    DATA_MODULES,
    INSTANCE_BUILD_UNITS,
    charge_array,
    iterated_arg,
    iterated_text,
    unfolded,
)
from safeload.pickle.frame import Frame
from safeload.pickle.names import (
    ARRAY_MAKERS,
    CLASS_FROM_ARG,
    EMPTY_SHAPE_ARG,
    FROMBUFFER,
    JOBLIB_WRAPPER,
    MAKER_FUNCTIONS,
    MULTIARRAY_SCALAR,
    RECONSTRUCTOR,
    STATE_BUILT,
    STORING_CALLS,
)
from safeload.pickle.narrowed import _NARROWED
from safeload.pickle.state_rules import BUNCH, bunch_state_problem
from safeload.pickle.walk_values import WalkValues
from safeload.policy import format_name
from safeload.trust.native import made_by_call
from safeload.trust.pandas_forms import CALLS as PANDAS_CALLS
from safeload.trust.pandas_forms import (
    NDARRAY_BACKED,
    NEWOBJ_ONLY,
    ONE_BUILD,
    PANDAS_NAMES,
    REFERENCE_ONLY,
)
from safeload.trust.profiles import NATIVE_STATES

#: numpy copies a ``bytes`` array state of up to this many bytes (``ndarray.__setstate__``)
NUMPY_COPIES_UP_TO = 1000


def _data_bytes(data: _Sym) -> int | None:
    """How many bytes ``data`` (an array's data, or a ``_frombuffer`` buffer) holds, or
    ``None`` when the pass cannot see it."""
    if isinstance(data, _Bytes) or isinstance(data, _Big):
        return data.size
    if isinstance(data, _Const):
        value = data.value
        return len(value) if isinstance(value, (bytes, bytearray, str)) else None
    if isinstance(data, _Obj) and data.cls is not None and isinstance(data.args, _Tuple):
        items = data.args.items
        if data.cls.pair == ("builtins", "bytes") and not items:
            return 0  # protocols 0-2 write b"" as bytes()
        if data.cls.pair == CODECS_ENCODE and items:
            return _data_bytes(items[0])  # protocol 2: _codecs.encode(text, "latin1")
    return None


def _through_bytes_calls(data: _Sym) -> _Sym:
    """What ``bytes(x)`` calls return: CPython's ``bytes(B)`` is ``B`` itself for a bytes
    ``B``, and so is ``copyreg._reconstructor(bytes, bytes, B)`` (``bytes.__new__(bytes, B)``,
    rt29); a bytearray's copy is claimed as the bytearray, which refuses no honest file.
    Protocol 2's ``_codecs.encode(S, "latin1")`` is claimed as its text ``S``: each array's
    own string in numpy's pickles, one memoised string for many in a hand-written one
    (rt60-08's form for protocols 0-2)."""
    while isinstance(data, _Obj) and isinstance(data.args, _Tuple):
        cls = data.cls
        if cls is None:
            break
        items = data.args.items
        if cls.pair == ("builtins", "bytes") and len(items) in (1, 3):
            data = items[-1]
        elif cls.pair == CODECS_ENCODE and len(items) == 2:
            data = items[0]
        else:
            break
    return data


def _plainly_reconstructed(pair: tuple[str, str], args: _Tuple) -> bool:
    """Whether the call of ``pair`` on ``args`` is ``copyreg._reconstructor(cls, object,
    None)``: how protocols 0 and 1 write an object of a class without its own ``__reduce__``.
    It runs ``object.__new__(cls)`` and no code of the class's; the BUILD after it gives the
    state, as after protocol 2's NEWOBJ without arguments (rt111-03: honest xgboost, lightgbm
    and pandas pickles of protocol 0 or 1 were refused)."""
    if pair != RECONSTRUCTOR or len(args.items) != 3:
        return False
    base, state = args.items[1], args.items[2]
    return (
        isinstance(base, _Global)
        and base.pair == ("builtins", "object")
        and isinstance(state, _Const)
        and state.value is None
    )


#: What a call's result costs of the stream's budget (8 bytes' worth; see
#: ``WalkCalls._charge_instance``).
CALL_UNITS = 8 * FOLD_UNITS_PER_BYTE


class WalkCalls(WalkValues):
    """The call opcodes and their hooks, on top of
    :class:`~safeload.pickle.walk_values.WalkValues`."""

    def _native_call(self, pair: tuple[str, str], args: _Sym, pos: int, name: str) -> None:
        """Refuse a call that makes a native-model class (or a reconstructor given one): their
        constructors read model files named by the arguments (see safeload.trust.native)."""
        if pair in NATIVE_STATES:
            raise Unsafe(pos, name, made_by_call(pair))
        if pair in CLASS_FROM_ARG and isinstance(args, _Tuple) and args.items:
            first = args.items[0]
            if isinstance(first, _Global) and first.pair in NATIVE_STATES:
                if not _plainly_reconstructed(pair, args):
                    raise Unsafe(pos, name, made_by_call(first.pair))

    def _pandas_made(
        self, pair: tuple[str, str], args: _Sym, pos: int, name: str, made: _Obj | None
    ) -> None:
        """The ways pickle makes pandas objects (safeload.trust.pandas_forms), and no other:
        its functions by a call, its frames, managers and dtypes by NEWOBJ without arguments,
        its Index and array classes never (only named to _new_Index and its array maker)."""
        newobj = name in ("NEWOBJ", "NEWOBJ_EX")
        if pair in CLASS_FROM_ARG and isinstance(args, _Tuple) and args.items:
            first = args.items[0]
            if (
                isinstance(first, _Global)
                and first.pair in NEWOBJ_ONLY
                and _plainly_reconstructed(pair, args)
            ):
                # protocols 0 and 1 write what protocol 2 makes by NEWOBJ without arguments
                # as _reconstructor(cls, object, None): object.__new__(cls) too (rt111-03)
                if made is not None and first.pair in ONE_BUILD:
                    self.pandas_objects.append((pos, made))
                return
            if isinstance(first, _Global) and first.pair in PANDAS_NAMES:
                raise Unsafe(
                    pos,
                    name,
                    f"{format_name(*first.pair)} made by {format_name(*pair)}: pandas pickles "
                    "make it only one way, which the pandas profile checks",
                )
        if pair not in PANDAS_NAMES:
            return
        label = format_name(*pair)
        if name in ("INST", "OBJ"):
            raise Unsafe(pos, name, f"{name} on {label}: pandas pickles never write it")
        if pair in REFERENCE_ONLY:
            raise Unsafe(
                pos,
                name,
                f"{label} is made by {name}: pandas pickles only name it to _new_Index or "
                "__pyx_unpickle_NDArrayBacked, whose checked forms make it",
            )
        if pair in NEWOBJ_ONLY:
            if name != "NEWOBJ" or not isinstance(args, _Tuple) or args.items:
                raise Unsafe(
                    pos,
                    name,
                    f"{label} is made by {name} with arguments: pandas pickles make it by "
                    "NEWOBJ without arguments and give it its state by one BUILD",
                )
        elif newobj:
            raise Unsafe(pos, name, f"{name} on {label}, which pandas pickles call")
        if made is not None and pair in ONE_BUILD:
            self.pandas_objects.append((pos, made))

    def _op_reduce(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        args = fr.pop(pos, name)
        func = fr.pop(pos, name)
        if not isinstance(func, _Global):
            raise Unsafe(pos, name, "REDUCE calls a computed object, not a named global")
        self._push_call(fr, func, args, pos, name)
        return None

    def _op_newobj(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        """NEWOBJ, NEWOBJ_EX."""
        kwargs: _Sym = _Const(None)
        if name == "NEWOBJ_EX":
            kwargs = fr.pop(pos, name)
        args = fr.pop(pos, name)
        cls = fr.pop(pos, name)
        if not isinstance(cls, _Global):
            raise Unsafe(pos, name, f"{name} on a computed class")
        if not isinstance(args, _Tuple):
            raise Unsafe(
                pos,
                name,
                f"{name} on arguments made by a call: the pass cannot prove what "
                f"{format_name(*cls.pair)}.__new__ receives; pickle writes them as a tuple",
            )
        if cls.pair in _NARROWED:
            # the unpickler hands these names out as checked functions, and NEWOBJ needs a
            # class: a load fails here (rt33-11); pickle writes them by REDUCE
            raise Unsafe(
                pos,
                name,
                f"{name} on {format_name(*cls.pair)}, which the restricted unpickler hands out "
                "as a function (pickle calls it)",
            )
        if cls.pair in MAKER_FUNCTIONS or cls.pair in VALUE_ONLY:
            raise Unsafe(
                pos,
                name,
                f"{name} on {format_name(*cls.pair)}, a function: the unpickler's {name} takes "
                "only a class (pickle calls a function by REDUCE)",
            )
        if cls.pair in CYTHON_LOSSES:
            # __new__ skips the __init__ that converts its parameter (rt47-04): pickle calls it
            raise Unsafe(
                pos, name, f"{name} on {format_name(*cls.pair)}: pickle calls it by REDUCE"
            )
        problem = call_form_problem(cls.pair, args, self.policy, newobj=True)  # str.__new__
        if problem:
            raise Unsafe(pos, name, problem)
        if cls.pair in EMPTY_SHAPE_ARG:
            self._empty_shape(cls.pair, args, pos, name)
        if name == "NEWOBJ_EX" and (cls.pair in DTYPE_CLASSES or cls.pair in ARRAY_MAKERS):
            raise Unsafe(pos, name, "NEWOBJ_EX on a numpy dtype or array (numpy never writes it)")
        if name == "NEWOBJ_EX" and not (
            isinstance(kwargs, _Dict) and not (kwargs.items or kwargs.lossy or kwargs.unknown_keys)
        ):
            # cls.__new__(cls, *args, **kwargs): keywords the shadows do not model could size
            # an allocation (bytes(source=2**40)); only __getnewargs_ex__ classes write them,
            # and none is on the allowlist (rt23-07)
            raise Unsafe(
                pos,
                name,
                f"NEWOBJ_EX on {format_name(*cls.pair)} with keyword arguments: no allowlisted "
                "class is pickled with them",
            )
        freeze(args)
        freeze(kwargs)
        self._shared_args(args, pos, name)
        made = _Obj(cls, args)
        self._charge_made(made, pos, name)
        self._charge_instance(made, cls.pair, pos, name)
        self._pandas_made(cls.pair, args, pos, name, made)
        if args.items:
            self.result.new_calls.append((pos, made))
        fr.stack.append(made)
        if cls.pair in NATIVE_STATES:
            if name != "NEWOBJ" or not isinstance(args, _Tuple) or args.items:
                raise Unsafe(pos, name, made_by_call(cls.pair))
            self.native_objects.append((pos, made))
        if cls.pair in STORING_CALLS:
            self.result.calls.append((pos, made))
            self.call_keys(cls.pair, args, pos, name, made)
        if cls.pair in STATE_BUILT:
            self.state_built.append((pos, made))
        if self.joblib and cls.pair == JOBLIB_WRAPPER:
            self.joblib_wrappers.append((pos, made))
        return None

    def _made_by_new(self, func: _Global, args: _Sym, name: str, pos: int, made: _Obj) -> None:
        """Hook: list an object of a class in ``STATE_BUILT`` that a call makes by its
        ``__new__`` alone (``newObj(cls)``, ``copyreg.__newobj__(cls)``, or OBJ/INST of the
        class without arguments, which the C unpickler runs as ``cls.__new__(cls)``), so that
        the end of the walk refuses it if no BUILD gives it its state."""
        if not isinstance(args, _Tuple):
            return
        items = args.items
        if func.pair[1] in ("newObj", "__newobj__") and items:
            first = items[0]
            if isinstance(first, _Global) and first.pair in STATE_BUILT:
                self.state_built.append((pos, made))
        elif name in ("OBJ", "INST") and not items and func.pair in STATE_BUILT:
            self.state_built.append((pos, made))

    def _op_inst(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        module, qualname = arg
        g = self._global(module, qualname, pos, name, fr.proto)
        # pop_mark replaces ``fr.stack``: take the arguments first, then push
        self._push_call(fr, g, _Tuple(fr.pop_mark(pos, name)), pos, name)
        return None

    def _push_call(self, fr: Frame, func: _Global, args: _Sym, pos: int, name: str) -> None:
        """REDUCE, INST and OBJ: one call step. The C unpickler calls ``func(*args)`` for all
        three (INST and OBJ call ``func.__new__(func)`` when there are no arguments), so they
        get the same checks and make the same object: a call of ``copyreg._reconstructor``
        makes an object of its first argument's class whichever opcode calls it (rt23-02/03)."""
        freeze(args)
        self._shared_args(args, pos, name)
        self._check_call(func.pair, args, pos, name)
        if func.pair in CLASS_FROM_ARG:
            made = class_from_arg(func, args)
            made_cls = made.cls
            if made_cls is not None:
                self._charge_instance(made, made_cls.pair, pos, name)
            if self.joblib and made_cls is not None and made_cls.pair == JOBLIB_WRAPPER:
                # joblib's pickler writes the header this way at protocols 0 and 1, then its
                # BUILD; made without one, the header stayed a value of the model (rt72-01)
                self.joblib_wrappers.append((pos, made))
            if (
                func.pair == RECONSTRUCTOR
                and made_cls is not None
                and isinstance(args, _Tuple)
                and len(args.items) == 3
            ):
                # _reconstructor(cls, base, state): base.__init__(obj, state) gives the state
                self._reconstructed(made_cls, args.items[2], pos, name)
        else:
            made = _Obj(func, args)
            # (100,000 builtins.object() calls of 4 bytes each were a 186-byte file that scan
            # took 7.4 s over, rt78-05; an OrderedDict or Counter a call makes is an instance
            # the checks after building visit, some 90 us each: 60,000 of one entry, 660 KB,
            # took load 5.5 s and scan 7 s at 8 bytes' worth each, rt90-06)
            units = INSTANCE_BUILD_UNITS if func.pair[0] == "collections" else CALL_UNITS
            self._charge_instance(made, func.pair, pos, name, units, final=False)
            self._record_call(pos, func.pair, made)
            self._made_by_new(func, args, name, pos, made)
            self._count_buffer_use(made, args, pos, name)
            if isinstance(args, _Tuple) and args.items:
                self.result.arg_calls.append((pos, made))
            elif isinstance(args, _Tuple):
                self.result.bare_calls.append((pos, name, made))
        self._charge_made(made, pos, name)
        fr.stack.append(made)
        self._nest(made, [])

    def _reconstructed(self, made_cls: _Global, state: _Sym, pos: int, name: str) -> None:
        """What ``copyreg._reconstructor(made_cls, base, state)`` is judged as. Protocols 0-1
        write a namedtuple as ``_reconstructor(cls, tuple, fields)``: its fields are judged as
        the arguments of a call of cls (rt24-08); a dict's items are ``dict.__init__(obj,
        state)``'s one argument, as in ``dict(state)`` (rt50-02: ``dict(*state)`` was judged).
        (The other builtins fail in the load: the unpickler hands them out narrowed, and other
        rules refuse them.) A Bunch is written as ``_reconstructor(Bunch, dict, items)``: the
        items it answers attributes with (rt52-03)."""
        if made_cls.pair in STORING_CALLS:
            if made_cls.pair == ("builtins", "dict"):
                state = _Tuple([state])
                freeze(state)
            self.result.calls.append((pos, _Obj(made_cls, state)))
            self.call_keys(made_cls.pair, state, pos, name)
        if made_cls.pair == BUNCH:
            problem = bunch_state_problem(state)
            if problem:
                raise Unsafe(pos, name, problem)

    def _op_obj(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        items = fr.pop_mark(pos, name)
        cls = items[0] if items else None
        if not isinstance(cls, _Global):
            raise Unsafe(pos, name, "OBJ on a computed class")
        self._push_call(fr, cls, _Tuple(items[1:]), pos, name)
        return None

    # --- hooks: the checks and bookkeeping the handlers run, each tested on its own ---------

    def _check_call(self, pair: tuple[str, str], args: _Sym, pos: int, name: str) -> None:
        """Hook: what REDUCE refuses in the call of ``pair`` on ``args`` (frozen already): an
        allocating shape, a native-model maker, a pandas object made another way than pickle
        makes it."""
        if pair in EMPTY_SHAPE_ARG:
            self._empty_shape(pair, args, pos, name)
        if pair in CYTHON_LOSSES and name != "REDUCE":
            # INST or OBJ without arguments makes it by __new__, skipping the __init__ whose
            # C double scan checks (trust.structures.cython_args); pickle writes REDUCE
            raise Unsafe(pos, name, f"{name} on {format_name(*pair)}: pickle calls it by REDUCE")
        # INST and OBJ without arguments make a class by __new__ alone, as NEWOBJ does
        # (CPython's instantiate): the rules on objects __new__ leaves half made apply (rt51-01)
        bare_new = name in ("INST", "OBJ") and isinstance(args, _Tuple) and not args.items
        problem = call_form_problem(pair, args, self.policy, bare_new=bare_new)
        if not problem and pair in FROMBUFFER and isinstance(args, _Tuple):
            problem = frombuffer_form_problem(args.items, self.fold)
        if not problem and pair in MULTIARRAY_SCALAR and isinstance(args, _Tuple):
            problem = scalar_form_problem(args.items, self.fold)
        if problem:
            raise Unsafe(pos, name, problem)
        self._native_call(pair, args, pos, name)
        self._pandas_made(pair, args, pos, name, None)

    def _shared_args(self, args: _Sym, pos: int, name: str) -> None:
        """Hook: refuse arguments that unfold into more nodes than the fold budget allows
        (16 per byte of the stream, plus 65,536). Through the memo a few hundred bytes make a
        tuple that is shared ``fan ** depth`` times, and a call that hashes, prints or
        converts it (``dict(((T, 0),))``, ``frozenset(T)``, ``numpy.float64(T)``) walks every
        path while loading (rt25-02). Each container is counted once (memoised; the arguments
        are frozen, so the count cannot go stale), so this is linear in the stream."""
        cap = self.work_cap
        cost = unfolded(args, cap, self.unfolded)
        if cost > cap:
            raise Unsafe(
                pos,
                name,
                "call arguments that share one container so many times that the callee would "
                "visit more items than the file's size allows",
            )
        self.spend(cost, pos, name)

    def _charge_made(self, made: _Obj, pos: int, name: str) -> None:
        """Hook: what a call makes beyond copying its arguments (charged by
        :meth:`_shared_args`): ``list(S)`` of a string makes an 8-byte pointer per character
        (a new string object per character past U+00FF), so it is charged one unit per
        character (rt28-06); ``list(A)`` of an array a new array or scalar per row, however
        little data the array has (``A`` of shape (10**8, 0): rt29)."""
        items = iterated_text(made)
        arg = iterated_arg(made)
        if not items and arg is not None:
            rows = self._array_rows(arg)
            if rows is not None:
                items = rows * ARRAY_ROW_UNITS
        if items:
            self.spend(items, pos, name)
            if arg is not None:
                cap = self.work_cap
                cost = 1 + items + unfolded(arg, cap, self.unfolded)
                self.unfolded[id(made)] = (made, min(cost, cap + 1))

    def _charge_instance(
        self,
        made: _Obj,
        pair: tuple[str, str],
        pos: int,
        name: str,
        units: int = INSTANCE_BUILD_UNITS,
        final: bool = True,
    ) -> None:
        """An object of a class other than numpy's and joblib's costs
        :data:`~safeload.pickle.costs.INSTANCE_BUILD_UNITS` when it is made, state or none
        (each is a Python-level object the model's use and safeload's checks walk); its BUILD,
        if any, is not charged again (see ``Walker._charge_build``). Charged at the BUILD
        alone, 100,000 objects made without state were a 756-byte file that scan took 8.7 s
        and load 5.5 s over (rt77-04). A call's result costs ``units`` (less: a call of 15
        bytes, a ``Decimal``, is honest) and its BUILD, not ``final``, its own."""
        if pair[0].startswith(DATA_MODULES) or id(made) in self.made_charged:
            return
        if final:
            self.made_charged[id(made)] = made
        self.instance_builds += 1
        self._spend_on_objects(units, pos, name)

    def _spend_on_objects(self, units: int, pos: int, name: str) -> None:
        """:meth:`spend` for an object made or given state; past the budget, a refusal that
        names the objects when they are most of what was spent."""
        self.spent += units
        if self.spent > self.work_cap:
            self.over_budget(pos, name)

    def _array_rows(self, sym: _Sym) -> int | None:
        """Hook: how many rows the array ``sym`` has (its first dimension; 1 for a 0-d
        array), or ``None`` when ``sym`` is not an array the pass located."""
        return None

    def _record_call(self, pos: int, pair: tuple[str, str], made: _Obj) -> None:
        """Hook: list what a REDUCE on a named callable made for the checks after the walk
        (pandas' array-backed objects and functions, calls that store their arguments)."""
        result = self.result
        if pair == NDARRAY_BACKED:
            self.pandas_objects.append((pos, made))
        if pair in PANDAS_CALLS:
            result.pandas_calls.append((pos, made))
        if pair in STORING_CALLS:
            result.calls.append((pos, made))
            if made.args is not None:
                self.call_keys(pair, made.args, pos, "REDUCE", made)

    def _count_buffer_use(self, made: _Obj, args: _Sym, pos: int, name: str) -> None:
        """Hook (``_frombuffer`` bookkeeping): a large top-level bytearray (:class:`_Bytes`)
        given as the buffer of a numpy ``_frombuffer`` call has one consumer more. Only a
        bytearray used once, and never fetched again, may become a view of the file. The
        buffer becomes the array's memory (:meth:`claim_array_data`)."""
        if isinstance(args, _Tuple) and args.items and made.cls is not None:
            if made.cls.pair in FROMBUFFER:
                buffer = args.items[0]
                if isinstance(buffer, _Bytes):
                    buffer.uses += 1
                self.claim_array_data(made, buffer, pos, name)

    def claim_array_data(self, array: _Sym, data: _Sym, pos: int, name: str) -> None:
        """``data`` becomes ``array``'s memory. numpy keeps a ``bytes`` state of more than 1000
        bytes, and any ``_frombuffer`` buffer, as the array's writeable memory instead of
        copying it: two arrays over one such object (a memo reference) are one buffer, and an
        in-place write through one (an honest ``partial_fit``) rewrites the other, a tree's
        nodes after their check (rt27-06). numpy's own pickles make a new object for each
        array, so a second claim is refused. Objects numpy copies (up to 1000 bytes) are
        claimed too: a second claim bought an array the model stores for a memo reference
        (rt60-08). Only ``b""`` and one-byte objects, which CPython shares and honest pickles
        therefore memoise, are not claimed. The array costs its
        size wherever a call is given it (:func:`~safeload.pickle.costs.unfolded`).
        ``bytes(B)`` returns ``B`` itself, so the claim goes through it (rt28-02)."""
        data = _through_bytes_calls(data)
        size = _data_bytes(data)
        if size is not None:
            charge_array(array, 1 + size // BYTES_PER_NODE, self.unfolded)
            self.data_arrays[id(array)] = self.unfolded[id(array)]
        else:  # an object array's list of items, or data the pass cannot see
            cap = self.work_cap
            charge_array(array, unfolded(data, cap, self.unfolded), self.unfolded)
            self.data_arrays.pop(id(array), None)
        if size is not None and size < 2:
            return  # CPython shares b"" and one-byte bytes: honest pickles memoise them
        copied = (
            size is not None
            and size <= NUMPY_COPIES_UP_TO
            and not (isinstance(data, _Bytes) or id(data) in self.bytearrays)
        )
        key = id(data)
        if key in self.array_data:
            if copied:
                # numpy copies it, so no memory is shared, but each copy is an array the
                # model stores and pays for once: 1,700 arrays over one memoised 1000-byte
                # object bought 1.7 MB of the whole-model bounds' stored bytes (rt60-08)
                raise Unsafe(
                    pos,
                    name,
                    "two arrays from one bytes object: numpy copies it into each, so the file "
                    "pays once for many arrays (pickle writes each array's own bytes)",
                )
            raise Unsafe(
                pos,
                name,
                "two arrays over one bytes object: numpy keeps it as both arrays' memory, so "
                "writing one array rewrites the other after the checks",
            )
        self.array_data[key] = data  # kept alive, so the id is not reused

    def _empty_shape(self, pair: tuple[str, str], args: _Sym, pos: int, name: str) -> None:
        """numpy's own pickles call these with shape ``(0,)`` and set the data by BUILD; a
        non-empty shape allocates before any state is set (``numpy.ndarray((2**28,), 'O')``
        fills 2 GiB with None while loading), so it is refused."""
        index = EMPTY_SHAPE_ARG[pair]
        shape: Any = None
        if isinstance(args, _Tuple) and len(args.items) > index:
            try:
                shape = _const_value(args.items[index], self.fold)
            except KeyError:
                shape = None
        if type(shape) is int:
            shape = (shape,)
        if not (type(shape) is tuple and all(type(n) is int and n >= 0 for n in shape)):
            raise Unsafe(pos, name, f"{format_name(*pair)} with a shape the pass cannot see")
        count = 1
        for n in shape:
            count *= n
        if count != 0:
            raise Unsafe(
                pos,
                name,
                f"{format_name(*pair)} with shape {shape!r}: numpy writes (0,) and sets the data "
                "by BUILD; a non-empty shape allocates memory before anything is checked",
            )
