"""The opcodes of the walk that build values: tuples, lists, sets, frozensets and dicts, and
SETITEM(S), APPEND(S) and ADDITEMS filling them (only a container the stream is still building
may be filled: :func:`~safeload.pickle.state_rules.mutation_problem`)."""

from __future__ import annotations

from typing import Any, Final

from safeload._numpy_state import EVALUATED_KEYS, SHARED_HASH_LIMIT, shared_hash_problem
from safeload._symbolic import (
    _Array,
    _Big,
    _Box,
    _Bytes,
    _Const,
    _Container,
    _Dict,
    _fold,
    _Global,
    _Obj,
    _Opaque,
    _Sym,
    _Tuple,
)
from safeload.pickle.analysis import Unsafe
from safeload.pickle.costs import HASHED_BY_STATE, unfolded
from safeload.pickle.frame import Frame
from safeload.pickle.state_rules import (
    BUNCH,
    bunch_keys_problem,
    may_hold_globals,
    mutation_problem,
)
from safeload.pickle.walk_stream import WalkStream


class WalkValues(WalkStream):
    """The value-building opcodes, on top of :class:`WalkStream`."""

    def _op_tuple_n(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        """TUPLE1, TUPLE2, TUPLE3."""
        n = int(name[-1])
        stack = fr.stack
        if len(stack) < n:
            raise Unsafe(pos, name, "stack underflow")
        items = stack[-n:]
        del stack[-n:]
        made = _Tuple(items)
        stack.append(made)
        self._nest(made, [])
        self.charge_container(pos, name)
        return None

    def _op_tuple(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        items = fr.pop_mark(pos, name)
        if not items:  # (protocol 0's empty tuple: the one empty tuple, rt80-09)
            fr.stack.append(self.empty_tuple)
            return None
        made = _Tuple(items)
        fr.stack.append(made)
        self._nest(made, [])
        self.charge_container(pos, name)
        if len(items) > 32:  # (a long tuple a class may hash at use: see _op_list)
            self._crowd(made, items, 1, pos, name, False)
        return None

    def _op_dict(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        items = fr.pop_mark(pos, name)
        d = _Dict()
        self._set_items(d, items)
        self._hashed_objects(items, 2, pos, name)
        self._crowd(d, items, 2, pos, name)
        fr.stack.append(d)
        if may_hold_globals(items):
            self.result.stored.append((pos, d, items))
        self._nest(d, [])
        self.charge_container(pos, name)
        return None

    def _op_list(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        """LIST, FROZENSET."""
        items = fr.pop_mark(pos, name)
        made = _Box(items, "list" if name == "LIST" else "frozenset")
        if name == "FROZENSET":
            self._hashed_objects(items, 1, pos, name)
        # (a list too: scikit-learn makes sets of some lists at every use, a vectorizer's
        # stop_words by frozenset(stop_words) at each transform, rt109-11)
        self._crowd(made, items, 1, pos, name, name == "FROZENSET")
        fr.stack.append(made)
        if may_hold_globals(items):
            self.result.stored.append((pos, made, items))
        self._nest(made, [])
        self.charge_container(pos, name)
        return None

    def _op_pop_mark(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        self.note_discard(pos, name, fr.pop_mark(pos, name), fr.dup)
        return None

    def _op_fill(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        """APPEND, APPENDS, SETITEM, SETITEMS, ADDITEMS: items into the container below them."""
        if name == "APPEND":
            items = [fr.pop(pos, name)]
        elif name == "SETITEM":
            v = fr.pop(pos, name)
            k = fr.pop(pos, name)
            items = [k, v]
        else:
            items = fr.pop_mark(pos, name)
        target = fr.peek(pos, name)
        if may_hold_globals(items):
            self.result.stored.append((pos, target, items))
        if isinstance(target, _Global):
            raise Unsafe(pos, name, f"{name} on a class or function object")
        problem = mutation_problem(name, target)
        if problem:
            raise Unsafe(pos, name, problem)
        if name != "APPEND" and name != "APPENDS":
            self._hashed_objects(items, 1 if name == "ADDITEMS" else 2, pos, name)
            self._crowd(target, items, 1 if name == "ADDITEMS" else 2, pos, name)
        else:
            # (a list's items: _op_list; a list a call made too, list([]) + APPENDS, as
            # pickle writes a list subclass's items: rt115-01)
            self._crowd(target, items, 1, pos, name, False)
        if (
            name in ("SETITEM", "SETITEMS")
            and isinstance(target, _Obj)
            and target.cls is not None
            and target.cls.pair == BUNCH
        ):
            keys: list[_Sym] = []
            for i in range(0, len(items), 2):
                keys.append(items[i])
            problem = bunch_keys_problem(keys)
            if problem:
                raise Unsafe(pos, name, problem)
        if name in ("SETITEM", "SETITEMS") and isinstance(target, _Dict):
            self._set_items(target, items)
        elif isinstance(target, _Obj):
            if target.held is None:
                target.held = []
            target.held.extend(items)
        if isinstance(target, _Container):
            self._nest(target, items)
        if isinstance(target, _Box) and name in ("APPEND", "APPENDS", "ADDITEMS"):
            target.count += len(items)
            target.items.extend(items)
        return None

    def _hashed_objects(self, items: list[_Sym], step: int, pos: int, name: str) -> None:
        """Hook: the objects among dict keys (``step`` 2) or set items (1), which the
        unpickler hashes as it stores them, before any check after building: an object's
        ``__hash__`` may walk its state (a ``uuid.UUID`` hashes its ``int``, any value the state
        gives it: a tuple DAG of 10**12 leaves in 1.2 KB, rt26-05). Its state and arguments
        must unfold within the budget of :meth:`_shared_args`. Every time a key or item is
        stored it is hashed again (a tuple's hash, or a UUID's, is not cached): each store is
        charged to the stream's budget (:meth:`spend`, rt27-04)."""
        cap = self.work_cap
        for i in range(0, len(items), step):
            obj = items[i]
            if self._unhashable(obj, pos):
                raise Unsafe(
                    pos,
                    name,
                    "unhashable key: a dict key or set item of a kind Python cannot hash (a "
                    "list, set, dict, bytearray or array, or a tuple holding one): the "
                    "unpickler fails storing it, so the stream is malformed",
                )
            if isinstance(obj, _Obj):
                cost = unfolded(obj, cap, self.unfolded)
                if cost > cap:
                    raise Unsafe(
                        pos,
                        name,
                        "a dict key or set item whose state shares one container so many times "
                        "that hashing it would visit more items than the file's size allows",
                    )
            elif isinstance(obj, _Tuple):
                cost = unfolded(obj, cap, self.unfolded)
            elif isinstance(obj, _Const) and type(obj.value) is int:
                cost = unfolded(obj, cap, self.unfolded)  # an int's hash reads every digit
            else:
                continue  # a string, bytes or frozenset: hash cached; anything else cheap
            self.spend(cost, pos, name)

    def _crowd(
        self, target: _Sym, items: list[_Sym], step: int, pos: int, name: str, whole: bool = True
    ) -> None:
        """Count the keys (``step`` 2) or set items (1) stored into ``target`` by their hash,
        across every opcode that fills it, and refuse it once too many distinct ones share a
        hash (:func:`~safeload._numpy_state.shared_hash_problem`, rt105-08). The hashes of the
        tuples among them were charged by :meth:`_hashed_objects` first."""
        key = id(target)
        entry = self.key_tables.get(key)
        if entry is not None and entry[0] is target:
            table = entry[1]
        else:
            table = {}
            self.key_tables[key] = (target, table)
        # (whole=False for a list's or tuple's items, which nothing hashes while loading and
        # nothing charged: small tuples among them only, as in an object array)
        problem = shared_hash_problem(table, items, step, self.fold, whole, self._own_hash)
        for i in range(0, len(items), step):
            item = items[i]
            if isinstance(item, _Obj) and item.cls is not None and item.cls.pair in HASHED_BY_STATE:
                # (counted without its state: a BUILD after this is refused, as for a key's,
                # rt29-01; UUIDs put in a list and then given k * (2**61 - 1) each hashed
                # alike at fit, rt121-08)
                unfolded(item, self.work_cap, self.unfolded)
        if problem:
            raise Unsafe(pos, name, problem)

    def _own_hash(self, pair: tuple[str, str]) -> Any:
        """How keys of the class ``pair`` hash, where a file may choose that hash and the
        class's own Python code computes it (asked once per class): ``"tuple"`` for a named
        tuple of a class the caller trusted (its fields), the names a dataclass's generated
        ``__hash__`` reads, ``"opaque"`` for any other such ``__hash__`` (a hand-written one,
        or a reviewed class's written in Python: pandas' CategoricalDtype hashes as the XOR
        of its categories', rt112-09), ``"call"`` for a function (what it returns is of a
        class the pass cannot see), ``"enum"`` for an enum (a member hashes as its name, which
        the file chooses for an object made other than by value, rt116-04; ``"flag"`` for
        a Flag or an enum with its own ``_missing_``, whose members by value may share a
        hash), ``"number"``
        for a number class (its objects hash as
        values the file chooses, where :func:`_key_value` does not read them),
        ``"identity"`` for object's hash (each object hashes apart), ``"unhashable"`` where
        ``__hash__`` is ``None`` (the load cannot hash it), ``None`` for a hash the
        file cannot choose (a reviewed C class's data) or one :func:`_key_value` evaluates
        itself."""
        if pair in self.own_hashes:
            return self.own_hashes[pair]
        mode: Any = None
        if pair not in EVALUATED_KEYS and self.policy.allows(*pair):
            mode = _hash_mode(pair, self.policy.reviewed(*pair))
        self.own_hashes[pair] = mode
        return mode

    def call_keys(
        self, pair: tuple[str, str], args: _Sym, pos: int, name: str, made: _Sym | None = None
    ) -> None:
        """The same count for the keys a call stores: ``set(items)``, ``frozenset(items)``,
        ``dict(pairs)`` and ``defaultdict(factory, pairs)`` (protocol 2 writes a set as
        ``set([...])``). A dict or set given whole had its keys counted as it was built. The
        items are read through ``tuple(...)``, ``list(...)``, ``set(...)`` and
        ``frozenset(...)`` calls (rt114-03); a pair is a tuple or list (``tuple([k, v])``
        too), and both items of a 2-item set may be its key (a set unpacks in its own order,
        rt114-06); more than ``SHARED_HASH_LIMIT`` pairs the pass cannot read are refused.
        ``made`` (what the call made) counts on in the table of the dict or set it copies:
        ``dict(D)`` holds every key of ``D``, and a chain of copies that each add 32 keys of
        one hash held thousands (rt114-09)."""
        if not isinstance(args, _Tuple):
            return
        kind = pair[1] if pair[0] in ("builtins", "collections") else ""
        if kind in ("list", "tuple") and made is not None and len(args.items) == 1:
            # a copy of a list counts on in its source's table: L_i = list(L_(i-1)) + 32
            # APPENDS each held 15,680 ints of one hash, the count seeing 32 at a time
            # (rt120-07), and through tuple(L) too (rt121-07)
            copied = self.key_tables.get(id(args.items[0]))
            if copied is not None and copied[0] is args.items[0]:
                self.key_tables[id(made)] = (made, copied[1])
            return
        index = 1 if kind == "defaultdict" else 0
        if kind not in ("set", "frozenset", "dict", "defaultdict") or len(args.items) <= index:
            return
        given = args.items[index]
        table: dict[int, list[Any]] = {}
        # a copy of a dict's keys (any of the four calls) or of a set's items (a set or
        # frozenset call) shares its table; never a list's, whose count skips what nothing
        # hashes in a list, nor a set's read as pairs (rt116-01)
        keyed = _keyed_kind(given)
        copied = self.key_tables.get(id(given))
        shared = (
            copied is not None
            and copied[0] is given
            and (keyed == "dict" or (keyed == "set" and kind in ("set", "frozenset")))
        )
        if shared and copied is not None:
            table = copied[1]  # (shared: keys either gains later count for both)
        if made is not None:
            self.key_tables[id(made)] = (made, table)
        source = None if keyed == "dict" else _through(given)
        keys: list[_Sym] = []
        if source is None:
            if not (shared or isinstance(given, _Dict)):
                # (an array, a call's result: rt115-01's dict(array) loaded while scan
                # called it unproven)
                raise Unsafe(
                    pos,
                    name,
                    f"a {kind} made by a call on values the pass cannot read (pickle writes "
                    "a set's or dict's items, not such a call)",
                )
        elif kind == "set" or kind == "frozenset":
            keys = source[0]
        else:
            unread = 0
            for item in source[0]:
                one = _through(item)
                if one is None or len(one[0]) != 2:
                    unread += 1
                elif one[1]:
                    keys.extend(one[0])  # (a set: either may come first)
                else:
                    keys.append(one[0][0])
            if unread > SHARED_HASH_LIMIT:
                raise Unsafe(
                    pos,
                    name,
                    f"a dict made from more than {SHARED_HASH_LIMIT} pairs the pass cannot "
                    "read (pickle writes a dict's items, not a call on pairs)",
                )
        problem = shared_hash_problem(table, keys, 1, self.fold, True, self._own_hash)
        if problem:
            raise Unsafe(pos, name, problem)

    def _unhashable(self, sym: _Sym, pos: int) -> bool:
        """Whether ``sym``, a dict key or set item, is of a kind CPython cannot hash, decided
        on the symbols as CPython decides it: constants, long str/bytes, globals and
        frozensets (their items were hashed when they were made) hash; a bytearray, a list,
        set or dict, an array never; a tuple iff its items hash. An object made by a call
        hashes by its real class, which only the builder knows: it is listed in
        ``result.hashed`` (with ``pos``) for :mod:`safeload.trust.shadow`, which makes it and
        hashes it (rt44-03). Tuples are decided once (memoised by node: a tuple cannot change,
        and a memo DAG of tuples stays linear)."""
        if isinstance(sym, _Const):
            return id(sym) in self.bytearrays or isinstance(sym.value, bytearray)
        if isinstance(sym, _Big):
            return sym.mutable
        if isinstance(sym, _Bytes) or isinstance(sym, _Array):
            return True
        if isinstance(sym, _Dict):
            return True
        if isinstance(sym, _Box):
            return sym.kind != "frozenset"
        if isinstance(sym, _Tuple):
            key = id(sym)
            known = self.hash_memo.get(key)
            if known is not None:
                return known
            self.hash_memo[key] = False  # (a tuple cannot hold itself but through a list)
            found = False
            for item in sym.items:
                if self._unhashable(item, pos):
                    found = True
                    break
            self.hash_memo[key] = found
            return found
        if isinstance(sym, _Obj) or isinstance(sym, _Opaque):
            key = id(sym)
            if key not in self.hashed_ids:
                self.hashed_ids[key] = sym
                self.result.hashed.append((pos, sym))
        return False  # a global; an object's class is the builder's to judge

    def _op_empty_box(self, fr: Frame, pos: int, name: str, arg: Any) -> _Sym | None:
        """EMPTY_LIST, EMPTY_SET."""
        fr.stack.append(_Box([], "list" if name == "EMPTY_LIST" else "set"))
        self.charge_container(pos, name)
        return None

    @staticmethod
    def _set_items(d: _Dict, items: list[_Sym]) -> None:
        if len(items) % 2:
            raise Unsafe(0, "SETITEMS", "odd number of items for a dict")
        target = d.items
        for i in range(0, len(items), 2):  # an index loop: no slices, and mypyc compiles it
            k = items[i]
            if isinstance(k, _Const) and isinstance(k.value, str):
                target[k.value] = items[i + 1]
            else:
                d.lossy = True
                if d.others is None:
                    d.others = []
                d.others.append(k)
                d.others.append(items[i + 1])
                try:
                    _fold(k)
                except KeyError:
                    d.unknown_keys = True


#: calls whose one argument's items are the items of what they make
_THROUGH: Final = frozenset(
    {
        ("builtins", "tuple"),
        ("builtins", "list"),
        ("builtins", "set"),
        ("builtins", "frozenset"),
    }
)


def _keyed_kind(sym: _Sym) -> str:
    """``"dict"`` for a dict (the stream's, or one a ``dict``/``defaultdict`` call made, whose
    keys the walk counted as they were stored), ``"set"`` for a set or frozenset (the
    stream's, or a call's), ``""`` otherwise."""
    if isinstance(sym, _Dict):
        return "dict"
    if isinstance(sym, _Box):
        return "set" if sym.kind != "list" else ""
    if isinstance(sym, _Obj) and sym.cls is not None:
        pair = sym.cls.pair
        if pair in (("builtins", "dict"), ("collections", "defaultdict")):
            return "dict"
        if pair in (("builtins", "set"), ("builtins", "frozenset")):
            return "set"
    return ""


def _through(sym: _Sym) -> tuple[list[_Sym], bool] | None:
    """The items ``sym`` holds and whether they are a set's (in an order the stream does not
    decide), looking through ``_THROUGH`` calls (``set(tuple(L))`` holds ``L``'s items) and
    taking what the stream stored into a call's result after it (rt115-01: APPENDS on a
    ``list([])``); ``None`` where the pass cannot read them."""
    unordered = False
    extra: list[_Sym] = []
    for _ in range(16):
        if isinstance(sym, _Tuple):
            return sym.items + extra, unordered
        if isinstance(sym, _Box):
            return sym.items + extra, unordered or sym.kind != "list"
        if not (
            isinstance(sym, _Obj)
            and sym.cls is not None
            and sym.cls.pair in _THROUGH
            and isinstance(sym.args, _Tuple)
            and len(sym.args.items) <= 1
        ):
            return None
        if sym.cls.pair[1] in ("set", "frozenset"):
            unordered = True  # (rt115-02: a set's pair unpacks in its own order)
        if sym.held is not None:
            extra = sym.held + extra
        if not sym.args.items:
            return extra, unordered  # (list(), set(): what was stored into it, rt116-01)
        sym = sym.args.items[0]
    return None


def _enum_missing() -> Any:
    """The function of ``enum.Enum._missing_`` (a classmethod)."""
    import enum
    import inspect

    return getattr(inspect.getattr_static(enum.Enum, "_missing_"), "__func__", None)


_ENUM_MISSING: Final = _enum_missing()


def _hash_mode(pair: tuple[str, str], reviewed: bool) -> Any:
    """:meth:`WalkValues._own_hash` for a class the policy allows."""
    import enum
    import inspect
    import types

    from safeload.trust.classes import resolve_class

    try:
        cls = resolve_class(*pair)
    except Exception:  # (not importable: the load refuses it elsewhere)
        return None
    if not isinstance(cls, type):
        return "call"  # (a function's result: of a class the pass cannot see)
    found = inspect.getattr_static(cls, "__hash__", None)
    if found is enum.Enum.__hash__:
        # (a member's name: the file's, for an object not made by value). A Flag's
        # pseudo-member, or what an own _missing_ makes, may have none: KEEP's F(4), F(8),
        # ... all hash as None, so members by value tell apart only in a plain enum
        missing = getattr(inspect.getattr_static(cls, "_missing_", None), "__func__", None)
        if issubclass(cls, enum.Flag) or missing is not _ENUM_MISSING:
            return "flag"
        return "enum"
    if found is object.__hash__:
        # each object hashes apart, by an identity no file chooses (rt117-02): where a call
        # of the class makes a new object of it. An own __new__, or a metaclass's __call__,
        # may hand back a shared object (a flyweight, a sentinel) or another class's (an int
        # of the file's): what such a call makes is read as a function's result (rt118-02).
        # A reviewed class's own __new__ (RandomState's) makes a new object of it
        return "identity" if _makes_new_object(cls, reviewed, False) else "call"
    if found is None:
        # (a dict or list subclass, a class defining __eq__ alone) unless a call of it may
        # hand back another object: a factory __new__ returning int(v) made keys of hash 0
        # that the count skipped (rt121-05)
        return "unhashable" if _makes_new_object(cls, reviewed, True) else "call"
    import numbers

    import numpy as np

    if issubclass(cls, (numbers.Number, np.generic)) and not issubclass(cls, (str, bytes)):
        # a number hashes as its value, which the file chooses: an object of the class made
        # other than as _key_value reads numbers is one hash with all such (rt114-02)
        return "number"
    if reviewed:
        # (a reviewed class hashing in C hashes its own data: dates, dtypes; a path hashes
        # its parts' texts, which no file chooses, rt113-05)
        import pathlib

        if issubclass(cls, pathlib.PurePath):
            return None
        # ("reviewed": counted as "opaque" in a key; in a list's tuple one hash per class
        # beside items that tell the tuples apart, rt121-03)
        return "reviewed" if isinstance(found, types.FunctionType) else None
    if issubclass(cls, tuple) and found is tuple.__hash__:
        # (its items are its arguments only if its __new__ is tuple's or the one namedtuple
        # writes: Version("1.2.3") may be (1, 2, 3), rt114-04)
        from safeload.trust.trusted_classes import _namedtuple_code

        new = inspect.getattr_static(cls, "__new__", None)
        new = getattr(new, "__func__", new)
        # (and compared as a tuple: an own __eq__ may tell equal tuples apart, rt116-02)
        plain = all(
            inspect.getattr_static(cls, name, None) is getattr(tuple, name)
            for name in ("__eq__", "__ne__")
        )
        return "tuple" if plain and (new is tuple.__new__ or _namedtuple_code(new)) else "opaque"
    names = _dataclass_hash_fields(cls, found)
    return names if names is not None else "opaque"


def _makes_new_object(cls: type, reviewed: bool, containers: bool) -> bool:
    """Whether a call of ``cls`` makes a new object of it: its ``__new__`` is object's, a
    reviewed class's (RandomState's) or, with ``containers``, a builtin container's
    (``dict``, ``list``, ``set``, ``bytearray``), and its metaclass's ``__call__`` is
    type's."""
    import inspect

    new = inspect.getattr_static(cls, "__new__", None)
    call = inspect.getattr_static(type(cls), "__call__", None)
    made = new is object.__new__ or reviewed
    if containers and not made:
        made = any(new is vars(base).get("__new__") for base in (dict, list, set, bytearray))
    return made and call is type.__call__


def _dataclass_hash_fields(cls: type, found: Any) -> tuple[Any, ...] | None:
    """The fields the ``__hash__`` that ``dataclasses`` generated for ``cls`` hashes, in its
    order, when that is also what its generated ``__eq__`` compares and pickle gives it its
    state; ``None`` otherwise (the key then counts as one hash with its class's). The fields
    are the defining class's: a subclass may inherit the hash and add fields (rt113-02); a
    field with ``hash=False``, ``eq=False`` or an own ``__eq__`` compares what the hash does
    not read (rt113-03); an own ``__setstate__`` changes the fields after the pass read them
    (rt113-04), except dataclasses' own for a slotted frozen class, whose state is the list
    of its fields: their places in it then (rt113-06)."""
    import dataclasses
    import inspect

    owner = next((c for c in cls.__mro__ if "__hash__" in vars(c)), None)
    if owner is None or not dataclasses.is_dataclass(owner):
        return None
    if not (_generated(found) and _generated(inspect.getattr_static(cls, "__eq__", None))):
        return None
    if next((c for c in cls.__mro__ if "__eq__" in vars(c)), None) is not owner:
        return None
    fields = dataclasses.fields(owner)
    hashed = tuple(f.name for f in fields if (f.hash is None and f.compare) or f.hash)
    compared = tuple(f.name for f in fields if f.compare)
    if hashed != compared:
        return None
    setstate = inspect.getattr_static(cls, "__setstate__", None)
    if setstate is None:
        return hashed
    if setstate is not getattr(dataclasses, "_dataclass_setstate", None):
        return None
    # a slotted frozen dataclass: its state is the list of every field of its own class, in
    # order, which dataclasses' __setstate__ sets one by one (rt113-06)
    order = [f.name for f in dataclasses.fields(cls)]
    if not all(name in order for name in hashed):
        return None
    return tuple(order.index(name) for name in hashed)


def _generated(method: Any) -> bool:
    """Whether ``method`` was written by ``dataclasses``, which compiles the methods it
    writes from text (their file is "<string>")."""
    code = getattr(method, "__code__", None)
    return code is not None and code.co_filename == "<string>"
