"""The values a scan makes for real rather than as shadows: pandas objects, standard-library
values (dates, ``Decimal``, ``UUID``, pure paths...), sparse matrices and ``functools.partial``.
Each is made exactly as the restricted unpickler makes it (its narrowed form or constructor,
then its own ``__setstate__``, or scipy's plain ``__dict__``), from values the builder has
already converted, so that a load's checks test it as they test a loaded one: what fails here
fails there. :class:`MadeForReal` is the base of
:class:`~safeload.trust.shadow_builder.Builder`, which decides what is made this way.
"""

from __future__ import annotations

import collections
import datetime
import decimal
import functools
import inspect
import pathlib
import types
import uuid
from typing import Any

import numpy as np

from safeload.policy import format_name
from safeload.trust.graph import value_leaf, value_leaf_problem
from safeload.trust.shadow_state import dict_state
from safeload.trust.shadow_values import Shadow, Unknown, is_real, opaque
from safeload.trust.static_values import reconstructed_from_dict

#: Value classes pickled as ``copyreg.__newobj__(cls)`` and a state (no ``__reduce__`` of their
#: own): made without calling them when the stream gives no arguments.
_NEW_WITHOUT_ARGS = frozenset({("uuid", "UUID")})
_BUNCH = ("sklearn.utils._bunch", "Bunch")
_PLAIN_ATOMS = (type(None), bool, int, float, complex, str, bytes)
_DEFAULTDICT = ("collections", "defaultdict")


def is_plain(value: Any, depth: int = 0, *, scalars: bool = False) -> bool:
    """Whether ``value`` is plain data (atoms, and tuples, lists, sets and dicts of them), which
    the pass holds exactly as a load builds it: hashing it or handing it to a builtin behaves
    the same in both. With ``scalars``, numpy's number scalars count as atoms (the pass reads
    them from their bytes; they hash as the Python numbers they equal)."""
    kind = type(value)
    if kind in _PLAIN_ATOMS or (scalars and isinstance(value, (np.number, np.bool_))):
        return True
    if depth > 32:
        return False
    if kind in (tuple, list, set, frozenset):
        return all(is_plain(v, depth + 1, scalars=scalars) for v in value)
    if kind is dict:
        return all(
            is_plain(k, depth + 1, scalars=scalars) and is_plain(v, depth + 1, scalars=scalars)
            for k, v in value.items()
        )
    return False


def is_plain_or_named(value: Any, depth: int = 0) -> bool:
    """:func:`is_plain`, where classes and functions the stream names (resolved globals) may
    stand as leaves too: a call of ``dict`` stores them as they are or fails on them (a class
    or function is neither a mapping nor a pair) the same way whatever form the load hands
    out, so ``dict(((1, object),))`` is made as the load makes it."""
    if is_plain(value, depth):
        return True
    kind = type(value)
    if kind is type or kind in _NAMED_KINDS:
        return True
    if depth > 32:
        return False
    if kind in (tuple, list):
        return all(is_plain_or_named(v, depth + 1) for v in value)
    return False


def is_dict_source(value: Any) -> bool:
    """Whether ``dict(value)`` (or ``dict.__init__(obj, value)``) fills a dict exactly as the
    load's does: from a mapping the builder made for real (its keys hashed as the load's),
    from plain data (:func:`is_plain_or_named`: it succeeds or fails the same way), or from a
    list or tuple of pairs whose keys hash as the load's (:func:`is_key`), whatever values
    they hold (a dict stores them as they are): ``dict([('a', array)])`` (rt50-02's
    neighbour, unseen while the load made it)."""
    if is_real(value, dict) or is_plain_or_named(value):
        return True
    if type(value) not in (list, tuple):
        return False
    return all(type(p) in (list, tuple) and len(p) == 2 and is_key(p[0]) for p in value)


#: The kinds of functions a resolved global is (numpy's ufuncs among them).
_NAMED_KINDS = (types.FunctionType, types.BuiltinFunctionType, np.ufunc)


#: Standard-library values the builder makes for real (:meth:`MadeForReal._value_object`) that
#: hash by their value, the same in a scan as in a load: a dict may be keyed by them.
_VALUE_KEYS = (
    datetime.date,
    datetime.datetime,
    datetime.time,
    datetime.timedelta,
    datetime.timezone,
    decimal.Decimal,
    uuid.UUID,
    pathlib.PurePosixPath,
    pathlib.PureWindowsPath,
)


def is_key(value: Any, depth: int = 0) -> bool:
    """Whether ``value`` may key a dict the builder makes for real: plain data and numpy number
    scalars (:func:`is_plain`), a numpy dtype or a standard-library value it made, or a tuple
    or frozenset of them. Each is the value the load builds, hashes as it does there and
    compares with the other keys as there (rt42-05: a dict keyed by ``Decimal('1.5')``, a
    dtype or a date as ``MultiTaskLasso.coef_`` was unknown to the class check, unproven,
    while the load loaded it)."""
    kind = type(value)
    if kind in _VALUE_KEYS or isinstance(value, np.dtype):
        return True
    if kind is np.str_ or kind is np.bytes_:
        # numpy's text scalars hash and compare as the str or bytes they are (a
        # CountVectorizer's vocabulary_ keyed by numpy.str_, rt44-04)
        return True
    if kind in (tuple, frozenset) and depth <= 32:
        return all(is_key(v, depth + 1) for v in value)
    return is_plain(value, depth, scalars=True)


def key_hash_problem(value: Any, depth: int = 0) -> str | None:
    """Why the load cannot hash ``value`` (what the builder made of a dict key or set item the
    stream makes by a call), as CPython decides it, or ``None`` when it hashes. A value made for
    real is hashed (a numpy void scalar numpy's ``scalar`` makes is writeable, which numpy
    refuses to hash; an array, an ``OrderedDict``, a ``Bunch``; a ``slice`` before 3.12); a
    shadow by its real class (``__hash__`` set to ``None``: unhashable; ``object``'s: by
    identity; any other runs code on its state, unproven); a tuple or frozenset by its items;
    a value the pass cannot see is unproven, never hashable (rt44-03)."""
    kind = type(value)
    if kind is Unknown:
        why = object.__getattribute__(value, "why")
        return f"unproven: a dict key or set item the pass cannot see ({why}), which a load hashes"
    if kind is Shadow:
        cls: Any = value.__class__
        if not isinstance(cls, type):
            from safeload.trust.facts import NeedsImport

            raise NeedsImport(f"whether a {cls.qualname} used as a dict key hashes")
        found = inspect.getattr_static(cls, "__hash__", None)
        if found is None:
            return f"unhashable key: unhashable type: {cls.__qualname__!r} (a load fails on it)"
        if found is not object.__hash__:
            return (
                f"unproven: a {cls.__qualname__} used as a dict key or set item, whose own "
                "__hash__ a load runs on its state"
            )
        return None
    if kind in (tuple, frozenset) and depth <= 32:
        for item in value:
            problem = key_hash_problem(item, depth + 1)
            if problem:
                return problem
        return None
    try:
        hash(value)
    except TypeError as exc:
        return f"unhashable key: {exc} (a load fails on it)"
    except Exception as exc:  # Unproven, or a hash that raises: not shown to hash
        return f"unproven: a dict key or set item whose hash the pass cannot show ({exc})"
    return None


def key_shadows_name(key: Any, names: Any) -> bool:
    """Whether ``key``, a key the stream makes by a call, may stand for one of the str keys
    ``names`` of the same dict: which value wins depends on an order the pass does not keep
    (a str, or a dtype, which equals its type string)."""
    if isinstance(key, str):  # also a numpy.str_, equal to the str it holds
        return key in names
    if not isinstance(key, np.dtype):
        return False
    try:
        return any(bool(key == name) for name in names)
    except Exception:  # a comparison numpy refuses: not shown either way
        return True


def failure_text(pair: tuple[str, str], exc: Exception) -> str:
    return (
        f"{format_name(*pair)} called on arguments it refuses ({type(exc).__name__}: "
        f"{str(exc)[:80]}): a load fails on this call"
    )


def _build(made: Any, state: Any) -> None:
    """BUILD as CPython's unpickler runs it (``load_build``) on a standard-library value made
    for real: its ``__setstate__`` if it has one; else a ``(state, slot state)`` pair is
    split, a state dict updates the ``__dict__`` (none: AttributeError) and each slot item is
    set as an attribute. ``(None, {})`` is a no-op, which the pass took for a failure (found
    by an opcode-grammar run next to rt43-05's fix). The static pass refuses slot states with
    items before this runs."""
    setstate = getattr(made, "__setstate__", None)
    if setstate is not None:
        setstate(state)
        return
    pair = type(state) is tuple and len(state) == 2
    slots = state[1] if pair else None
    if pair:
        state = state[0]
    if state is not None:
        if not isinstance(state, dict):
            raise TypeError("state is not a dictionary")
        made.__dict__.update(state)
    if pair:  # a slot state of None fails too
        if not isinstance(slots, dict):
            raise TypeError("slot state is not a dictionary")
        for key, value in slots.items():
            setattr(made, key, value)


class MadeForReal:
    """What the builder makes for real; see the module docstring."""

    #: id of each symbolic value -> what it was made into (the builder's memo)
    done: dict[int, Any]
    #: every instance made, for the checks after building
    instances: list[Any]
    #: calls the restricted unpickler refuses
    problems: list[str]

    def value(self, sym: Any) -> Any:
        """What the symbolic value ``sym`` is made into (memoised): the builder's."""
        raise NotImplementedError

    def _pandas(self, sym: Any, pair: tuple[str, str]) -> Any:
        """A pandas object (pandas profile), made for real by the same narrowed forms a load
        uses (:mod:`safeload.trust.pandas_forms`), from the values the stream holds: each
        checks what it is given before pandas' code runs, so what fails here fails a load.
        The static pass has already refused every other way of making these objects (a
        second BUILD, a BUILD after use, no BUILD at all)."""
        from safeload.trust.pandas_calls import narrowed_form
        from safeload.trust.pandas_forms import NEWOBJ_ONLY
        from safeload.trust.pandas_values import PandasFormError

        try:
            form = narrowed_form(pair)
        except ImportError:
            return Unknown(f"{format_name(*pair)} is not installed")
        args: Any = self.value(sym.args) if sym.args is not None else ()
        if not is_real(args, tuple) or opaque(args):
            return Unknown(f"what {format_name(*pair)} is given")
        try:
            made: Any = form.__new__(form) if pair in NEWOBJ_ONLY else form(*args)
        except PandasFormError as exc:
            self.problems.append(f"{exc}: a load refuses it")
            return Unknown(str(exc))
        except Exception as exc:  # pandas' own refusal: a load fails the same way
            self.problems.append(f"pandas refuses to make {format_name(*pair)}: {exc}")
            return Unknown(str(exc))
        self.done[id(sym)] = made
        if sym.state is not None:
            state = self.value(sym.state)
            if opaque(state):
                # pandas' checked __setstate__ holds every part to plain values (attrs, flags,
                # blocks): one the pass cannot make is unproven, not passed over (rt55-05: an
                # estimator in a frame's attrs was SAFE to scan, and the load refused it)
                why = f"unproven: the state of what {format_name(*pair)} makes holds a value "
                why += "the pass cannot make"
                self.problems.append(why)
                return Unknown(why)
            try:
                made.__setstate__(state)
            except PandasFormError as exc:
                self.problems.append(f"{exc}: a load refuses it")
                return Unknown(str(exc))
            except Exception as exc:
                self.problems.append(f"pandas refuses the state of {format_name(*pair)}: {exc}")
                return Unknown(str(exc))
        return made

    def _partial(self, sym: Any, args: Any) -> Any:
        state = self.value(sym.state) if sym.state is not None else None
        if not (is_real(args, tuple) and args and callable(args[0])):
            return Unknown("a functools.partial the pass cannot see")
        if len(args) != 1 and state is None:  # (a BUILD's state replaces what the call bound)
            return Unknown("a functools.partial the pass cannot see")
        func, bound, keywords = args[0], (), {}  # type: tuple[Any, Any, Any]
        if state is not None:
            if not (is_real(state, tuple) and len(state) == 4):
                return Unknown("a functools.partial state the pass cannot see")
            func, bound, keywords, extra = state
            if (
                not callable(func)
                or not is_real(bound, tuple)
                or not (extra is None or (is_real(extra, dict) and not extra))
            ):
                return Unknown("a functools.partial state the pass cannot see")
            if not (keywords is None or is_real(keywords, dict)):
                return Unknown("a functools.partial state the pass cannot see")
        return functools.partial(func, *bound, **(keywords or {}))

    def _mapping(self, cls: type, sym: Any, args: Any) -> Any:
        """A dict, ``OrderedDict``, ``defaultdict`` or ``Bunch`` made by a call (or by NEWOBJ,
        or ``copyreg._reconstructor(cls, dict, items)``) and filled by SETITEM(S), made for
        real as the unpickler makes it: the call (a defaultdict's narrowed form), then each
        item set in stream order; an OrderedDict's BUILD state updates its ``__dict__``, a
        Bunch's is ignored (its ``__setstate__`` does nothing). A shadow of one held no
        items, so a check or the use-time graph met none: an ``OrderedDict`` as a
        classifier's ``classes_`` had no ``len`` (scan unsafe, rt41-03), a ``Bunch`` listing
        one estimator 20 times was not met 20 times (scan safe, the load refuses)."""
        from safeload.pickle.narrowed import _NARROWED, _reconstructor

        pair = sym.cls.pair
        given = reconstructed_from_dict(sym)
        unseen = Unknown(f"a {cls.__qualname__} made from values the pass cannot see")
        try:
            if given is not None:
                # dict.__init__(obj, items) fills it as dict(items) does: from a dict, or
                # from pairs (rt50-02: a list or tuple of pairs was unseen, and loads)
                items = self.value(given)
                if not is_dict_source(items):
                    return unseen
                made: Any = _reconstructor(cls, dict, items)
            elif not is_real(args, tuple):
                return unseen
            elif pair == _BUNCH:
                if args:
                    return unseen  # pickle writes NEWOBJ without arguments
                made = dict.__new__(cls)  # NEWOBJ: no __init__, as pickle writes it
            elif pair == _DEFAULTDICT:
                factory = args[0] if args else None
                named = factory is None or is_real(factory, type) or is_plain_or_named(factory)
                rest = args[1:]
                if not named or not (is_plain(rest) or (len(rest) == 1 and is_real(rest[0], dict))):
                    return unseen
                made = _NARROWED[pair](*args)
            else:  # builtins.dict, collections.OrderedDict
                # a mapping the builder made for real (its keys hashed as the load's), or
                # pairs keyed so, is copied as it is, whatever values it holds:
                # dict(OrderedDict()), dict({k: est}), dict([(k, est)])
                copied = len(args) == 1 and is_dict_source(args[0])
                if not (copied or is_plain_or_named(args)):
                    return unseen
                made = cls(*args)
        except Exception as exc:  # on plain values: the load's call fails the same way
            failure = failure_text(pair, exc)
            self.problems.append(failure)
            return Unknown(failure)
        self.done[id(sym)] = made  # before its items: they may refer back to it
        held = [self.value(item) for item in sym.held or ()]
        keyed_by_shadow = False
        for i in range(0, len(held) - 1, 2):
            if not is_key(held[i]):
                if type(held[i]) is not Shadow or key_hash_problem(held[i]) is not None:
                    return Unknown(f"a {cls.__qualname__} with keys that are not plain values")
                # a shadow hashed by identity, as the load's object is: the load makes the
                # mapping, whose items the pass holds without making it (rt53-03)
                keyed_by_shadow = True
                continue
            made[held[i]] = held[i + 1]
        state = self.value(sym.state) if sym.state is not None else None
        if state is not None and pair != _BUNCH:
            # an OrderedDict's: _build_failure has held it to dicts of attribute names
            parts = state if is_real(state, tuple) else (state,)
            for part in parts:
                if part is None or (is_real(part, dict) and not part):
                    continue  # nothing to set (a dict's (None, {}) is a no-op in the load)
                if not is_real(part, dict):
                    return unseen
                made.__dict__.update(part)
        if keyed_by_shadow:
            # what the load's walk enters in the mapping it makes: its default factory, each
            # item once (the last value stored under a key, as the mapping keeps it) and its
            # attributes; made holds the plain-keyed items already (rt54-11: held listed them
            # a second time)
            objects = {id(held[i]): (held[i], held[i + 1]) for i in range(0, len(held) - 1, 2)}
            keyed = [part for i, pair in objects.items() if not is_key(pair[0]) for part in pair]
            attrs = getattr(made, "__dict__", None)
            parts = (*made.keys(), *made.values(), *keyed)
            if isinstance(made, collections.defaultdict):
                parts = (made.default_factory, *parts)
            parts += tuple(attrs.values()) if type(attrs) is dict else ()
            return Unknown(f"a {cls.__qualname__} keyed by an object", parts, cls)
        if type(made) is not dict:
            self.instances.append(made)  # as the load's walk counts a dict subclass
        return made

    def _value_object(self, cls: type, sym: Any, args: Any) -> Any:
        """A standard-library value (date, Decimal, UUID, a pure path...), made exactly as the
        restricted unpickler makes it (its narrowed constructor, then its own
        ``__setstate__``): pure code of the standard library, on values read from the stream.
        A load's checks then test it as they test a loaded one; what fails here fails there."""
        from safeload.pickle.narrowed import _NARROWED

        if not is_real(args, tuple):
            return Unknown(f"a {cls.__qualname__} made from values the pass cannot see")
        state = self.value(sym.state) if sym.state is not None else None
        for value in (*args, state):
            # the constructors and __setstate__ take plain values: given an instance, the
            # load fails ("'StandardScaler' object cannot be interpreted as an integer"), so
            # scan may not pass over one, nor over a value it cannot see (rt56-04, as rt55-05
            # for pandas)
            if type(value) is Shadow:
                why = f"a {cls.__qualname__} made from an instance (the load fails: it takes "
                why += "plain values)"
                self.problems.append(why)
                return Unknown(why)
            if type(value) is Unknown:
                why = f"unproven: a {cls.__qualname__} made from a value the pass cannot make"
                self.problems.append(why)
                return Unknown(why)
        make = _NARROWED.get(sym.cls.pair, cls)
        made: Any
        if len(args) == 3 and args[0] is cls and args[1] is object and args[2] is None:
            made = object.__new__(cls)  # protocols 0-1: copyreg._reconstructor(cls, object, None)
        elif args or sym.cls.pair not in _NEW_WITHOUT_ARGS:
            # REDUCE with no arguments calls the class, as the unpickler does: Counter(),
            # timedelta(), PurePosixPath() (which pickle writes for '.'), rt32-09
            made = make(*args)
        else:
            made = object.__new__(cls)  # protocol 2+: copyreg.__newobj__(UUID), then BUILD
        if state is not None:
            _build(made, state)
        self.done[id(sym)] = made
        if value_leaf(made):
            # a value the load's walk takes as a number and checks where it meets it (rt90-06:
            # as an instance, 60,000 dates took a scan 8.3 s)
            problem = value_leaf_problem(made)
            if problem:
                problem = f"crafted {problem[len('an invalid ') :]} (a load refuses it)"
                self.problems.append(problem)
                return Unknown(problem)
            return made
        self.instances.append(made)
        return made

    def _sparse(self, cls: type, sym: Any) -> Any:
        """The sparse matrix a load builds: scipy's classes keep their state in ``__dict__``
        (no ``__setstate__``, no ``__new__`` of their own: object's, or dict's for a dok), so
        setting the arrays the stream holds on a bare instance is exactly what the unpickler
        does; nothing of the class runs but a dok's ``items()``, which the load's walk calls
        too. The checks then test it as they test a loaded one."""
        from safeload.pickle.narrowed import _reconstructor

        state = self.value(sym.state) if sym.state is not None else None
        attrs = dict_state(cls, state)
        # the C allocator NEWOBJ runs (cls.__new__(cls): object's, or dict's for a dok)
        new = inspect.getattr_static(cls, "__new__")
        if new is not object.__new__ and new is not dict.__new__:
            return Unknown(f"a {cls.__qualname__} made by a __new__ the pass does not model")
        # a dok matrix is a dict subclass, which scipy pickles as dict's reduce does:
        # copyreg._reconstructor(cls, dict, items), then its __dict__ (rt41-03); by NEWOBJ
        # it is dict.__new__(cls), empty
        given = reconstructed_from_dict(sym) if issubclass(cls, dict) else None
        items = self.value(given) if given is not None else None
        if attrs is None or not (given is None or is_dict_source(items)):
            return Unknown(f"a {cls.__qualname__} whose state the pass cannot see")
        for value in attrs.values():
            if type(value) is Unknown:
                return Unknown(f"a {cls.__qualname__} whose arrays the pass cannot read")
        made: Any
        try:
            made = new(cls) if given is None else _reconstructor(cls, dict, items)
        except Exception as exc:  # dict.__init__ on plain pairs: the load fails the same way
            failure = failure_text(("copyreg", "_reconstructor"), exc)
            self.problems.append(failure)
            return Unknown(failure)
        made.__dict__.update(attrs)
        if isinstance(made, dict):
            # the load's walk meets a dict subclass's items through its own items(), which
            # scipy's dok reads from its _dict: a state without it fails the load ("the
            # check before use failed"), rt50-04
            try:
                made.items()
            except Exception as exc:
                failure = (
                    f"a {cls.__qualname__} whose state lacks what its items() reads "
                    f"({type(exc).__name__}: {str(exc)[:80]}): the load's walk fails on it"
                )
                self.problems.append(failure)
                return Unknown(failure)
        self.done[id(sym)] = made
        self.instances.append(made)
        return made
