"""What scan can tell about a class the caller trusted that no list reviewed (``trusted=``: the
caller's own classes, scikit-learn's by name), without running the caller's code.

The load runs such a class's code on the file's values: its ``__new__`` for every object, its
``__init__`` and its metaclass's ``__call__`` when the stream calls the class, and with a state
its ``__setstate__``, or the ``__dict__``, ``__setattr__``, ``__getattr__`` and
``__getattribute__`` a BUILD goes through. Whether that code accepts the file's values is known
only by running it, which scan never does: :func:`own_hook` names the first such method the
caller's code defines, and scan calls the object unproven. What the builtins define instead
(``object.__new__``, ``map.__new__``, ``BaseException.__setstate__``) scan can judge:
:func:`builtin_new_failure` asks the builtin ``__new__`` itself, which runs no code of the
file's choosing (an abstract class and ``class Mapped(map)`` fail there, rt99-01).
"""

from __future__ import annotations

import functools
import os
import types
from typing import Any

__all__ = [
    "attrs_setstate",
    "defining_class",
    "builtin_args_problem",
    "builtin_new_failure",
    "call_hook",
    "has_initargs",
    "own_hook",
]


#: ``Py_TPFLAGS_HEAPTYPE``: set on every class made by a class statement.
_HEAP_TYPE = 1 << 9


def _meta_lookup(cls: type) -> str | None:
    """The metaclass's own attribute look-up, which every look-up on ``cls`` runs (scan's
    too): read before anything else is read off the class (rt101-01)."""
    meta = type(cls)
    for name in ("__getattribute__", "__getattr__"):
        found = getattr(meta, name, None)
        if found is not None and found is not getattr(type, name, None):
            return f"{meta.__qualname__}.{name} (its metaclass's)"
    return None


def own_hook(cls: Any, *, with_state: bool) -> str | None:
    """The first ``__new__``, ``__getattribute__``, ``__getattr__``, ``__dict__`` property (and
    for an extension subclass ``__reduce_ex__``/``__reduce__``; with a BUILD's state,
    ``__setstate__``) that a trusted class or a base of it defines outside scikit-learn, the
    reviewed lists and ``object``: code the load runs on the file's values and scan cannot.
    A builtin base's ``__setstate__`` (``BaseException``'s) counts too: no rule models it
    (rt99-12)."""
    if not isinstance(cls, type):
        return None
    return _meta_lookup(cls) or _own_hook_of(cls, with_state)


def _skipped(base: type) -> bool:
    """A base whose methods are not the caller's: scikit-learn's and the reviewed classes."""
    from safeload._installed import installed_package
    from safeload._trust_checks import reviewed_pair

    module = str(getattr(base, "__module__", ""))
    if reviewed_pair((module, str(base.__qualname__))):
        return True
    return module != "builtins" and installed_package(module) == "scikit-learn"


@functools.lru_cache(maxsize=256)
def _own_hook_of(cls: type, with_state: bool) -> str | None:
    """:func:`own_hook` of a class, read once (every object a stream makes of it asked it,
    each time finding the packages of its bases again)."""
    state_owner = defining_class(cls, "__setstate__")
    if (
        with_state
        and state_owner is not None
        and _skipped(state_owner)
        and state_owner.__qualname__ != "BaseEstimator"
        and any(
            _own_functions(b, _setstate_reads(state_owner))
            for b in cls.__mro__
            if not _skipped(b) and b is not object
        )
    ):
        # scikit-learn's own __setstate__ (IsotonicRegression's) calls methods the caller's
        # subclass may override (_build_f, rt101-10); a helper of a new name it never calls
        # is no hook (rt107-07)
        return f"{state_owner.__qualname__}.__setstate__ (calling what the class overrides)"
    # (a compiled base, not a heap type: scikit-learn's Cython losses, the builtins)
    extension = any(not b.__flags__ & _HEAP_TYPE for b in cls.__mro__ if b is not object)
    for base in cls.__mro__:
        if base is object or _skipped(base):
            continue
        if base.__module__ == "builtins":
            # (a builtin's __new__ is asked by builtin_new_failure; its __setstate__ by none)
            names: tuple[str, ...] = ("__setstate__",) if with_state else ()
        else:
            # (the load's walk reads every object's __dict__, and its checks read attributes
            # an object may lack: an own __getattribute__, __getattr__ or __dict__ property
            # runs there with no BUILD at all, rt99-02, rt101-06; attrs' cached_property
            # __getattr__ is attrs' code, rt99-17. An extension subclass's parts are read
            # through its __reduce_ex__, so an own one runs there, rt99-21: only there, an own
            # transformer's __reduce_ex__ is never called, rt101-12)
            names = ("__new__", "__getattribute__", "__getattr__", "__dict__")
            if extension:
                names = (*names, "__reduce_ex__", "__reduce__")
            if with_state:
                names = (*names, "__setstate__")
        for name in names:
            if name not in vars(base):
                continue
            found = vars(base)[name]
            if name == "__setstate__" and attrs_setstate(found):
                continue
            if name == "__getattr__" and _attrs_getattr(found):
                continue
            if name == "__dict__" and type(found) is types.GetSetDescriptorType:
                continue
            if name == "__new__" and _builtin_new(found) is not None:
                continue  # (a deprecation decorator's wrapper round a builtin __new__)
            return f"{base.__qualname__}.{name}"
    return None


def _own_functions(base: type, names: frozenset[str]) -> bool:
    """Whether ``base`` (a class of the caller's, not a builtin) defines a function, or a
    property, under one of ``names``."""
    if base.__module__ == "builtins":
        return False
    return any(
        name in names
        and (isinstance(getattr(v, "__func__", v), types.FunctionType) or isinstance(v, property))
        for name, v in vars(base).items()
    )


def _setstate_reads(owner: type) -> frozenset[str]:
    """The names the code of ``owner``'s MRO mentions (``__setstate__`` and what it calls)."""
    from safeload._trust_checks import names_read

    found: set[str] = set()
    for base in owner.__mro__:
        if base is not object:
            found |= names_read(base)
    return frozenset(found)


def _attrs_getattr(hook: Any) -> bool:
    """Whether ``hook`` is the ``__getattr__`` attrs generates for a slots class's
    ``cached_property`` (compiled from text attrs writes, named after the class)."""
    code = getattr(hook, "__code__", None)
    return (
        type(hook) is types.FunctionType
        and code is not None
        and str(code.co_filename).startswith("<attrs generated getattr ")
    )


def builtin_new_failure(cls: Any) -> str | None:
    """Why ``cls.__new__(cls)``, which the load runs for every object of ``cls``, fails or
    cannot be judged, where that ``__new__`` is compiled (``object``'s, ``map``'s, a Cython
    class's of scikit-learn), told without making one (an object made in scan would run the
    class's ``__del__``, and a look-up its metaclass's code, rt101-01): ``object.__new__``
    refuses an abstract class; any other compiled ``__new__`` (``map.__new__`` and the
    ``__cinit__`` of scikit-learn's ``Tree`` want arguments, rt99-01) is unproven. A
    ``__new__`` written in Python is :func:`own_hook`'s or a reviewed class's."""
    if not isinstance(cls, type):
        return None
    return _new_failure_of(cls)


@functools.lru_cache(maxsize=256)
def _new_failure_of(cls: type) -> str | None:
    owner = _builtin_new(vars(_new_owner(cls))["__new__"])
    if owner is None:
        return None  # (written in Python: the caller's is own_hook's, a reviewed one is known)
    name = f"{cls.__module__}.{cls.__qualname__}"
    if owner is object:
        try:
            abstract = type.__dict__["__abstractmethods__"].__get__(cls, type)
        except AttributeError:  # (never set: not abstract)
            abstract = None
        if abstract:
            return f"{name} is abstract: object.__new__ fails on it, so a load fails on this object"
        return None
    if issubclass(owner, BaseException):
        return None  # (an own exception: honest, rt102-09; a container's reduce runs its
        # own __iter__ in the load's walk, rt101-10: unproven)
    return (
        f"unproven: {name} is made by the compiled {owner.__qualname__}.__new__, which only "
        "making one can judge"
    )


def call_hook(cls: Any) -> str | None:
    """The method the caller trusted that a call of ``cls`` without arguments runs beyond
    ``__new__``: its metaclass's own ``__call__``, or an ``__init__`` not of a builtin; or the
    metaclass's ``__getattr__``/``__getattribute__``, which the unpickler's look-up of
    ``__getinitargs__`` runs. ``None`` where the call runs only builtins."""
    if not isinstance(cls, type):
        return None
    meta = type(cls)
    if meta.__call__ is not type.__call__:
        return f"{meta.__qualname__}.__call__ (its metaclass's)"
    looked_up = _meta_lookup(cls)
    if looked_up:
        return looked_up
    for base in cls.__mro__:
        if "__init__" in vars(base):
            return None if base.__module__ == "builtins" else f"{base.__qualname__}.__init__"
    return None


def has_initargs(cls: type) -> bool:
    """Whether the unpickler's ``instantiate`` finds ``__getinitargs__`` on ``cls`` (a look-up
    on the class, through its metaclass): OBJ and INST without arguments then call ``cls()``.
    Any value counts, ``None`` too (``__getinitargs__ = None``, rt99-03)."""
    meta: Any = type(cls)
    bases: list[type] = [*cls.__mro__, *meta.__mro__]
    return any("__getinitargs__" in vars(b) for b in bases)


#: The qualified name of the ``__setstate__`` attrs writes into a ``@define`` (slots) class.
_ATTRS_SETSTATE = "_ClassBuilder._make_getstate_setstate.<locals>.slots_setstate"


def attrs_setstate(hook: Any) -> bool:
    """Whether ``hook`` is the ``__setstate__`` attrs generates for a slots class: it sets the
    class's own fields from a dict state (those the state holds) or a tuple, and nothing else,
    so it is not the caller's code (an honest skops file of an own ``@define`` class was
    refused for it). Only a plain function of attrs' installed ``attr._make`` counts."""
    from safeload._installed import installed_package

    return (
        type(hook) is types.FunctionType
        and hook.__module__ == "attr._make"
        and hook.__qualname__ == _ATTRS_SETSTATE
        and installed_package("attr") == "attrs"
    )


def build_on_call_problem(result: Any, policy: Any) -> tuple[int, str] | None:
    """``(offset, why)`` for the first BUILD on what a call (REDUCE, INST, OBJ) of a class the
    caller trusted returned, or ``None``. Such a call may return an object the class shares:
    an enum's member, looked up by value, whose ``__dict__`` a BUILD rewrites for the whole
    process before any check after building runs, and stays rewritten when the load then
    refuses the file (rt101-03). Pickle makes such a class's objects by NEWOBJ and BUILD; the
    reviewed classes' calls (scikit-learn's ``Tree``) are judged by their own rules."""
    from safeload._symbolic import _Tuple
    from safeload.policy import format_name
    from safeload.trust.pandas_forms import PANDAS_NAMES

    called = {id(made) for _pos, made in result.arg_calls}
    called.update(id(made) for _pos, _opcode, made in result.bare_calls)
    for pos, target, _state in result.builds:
        pair = getattr(getattr(target, "cls", None), "pair", None)
        if pair is None or pair in PANDAS_NAMES:
            continue
        if not policy.allows(*pair) or policy.reviewed(*pair):
            continue
        args = getattr(target, "args", None)
        if _reconstructed(target, args) or not _may_share(pair):
            # (object.__new__, BaseException.__new__ and the like always make a new object:
            # an own exception's REDUCE and BUILD is honest, rt102-05)
            continue
        # (a call, or NEWOBJ's cls.__new__(cls, *args): an enum's __new__ returns its member
        # for a value, rt101-03; so may an own __new__, or a metaclass's __call__, for any)
        if id(target) in called or isinstance(args, _Tuple):
            return pos, (
                f"a BUILD on what a call of {format_name(*pair)}, a class the caller trusted, "
                "returned: such a call may return an object the class shares (an enum's "
                "member), which the state would rewrite before any check"
            )
    return None


def builtin_args_problem(result: Any, policy: Any) -> tuple[int, str, str] | None:
    """``(offset, opcode, why)`` for the first call or NEWOBJ with arguments of a trusted,
    unreviewed class whose ``__new__`` is compiled, other than ``object``'s and the
    exceptions': ``bytes.__new__(Blob, 2**31 - 1)`` makes 2 GiB of a 26-byte file, and
    ``str.__new__(Text, raw, "punycode")`` decodes in quadratic time (rt103-09). The rules
    that narrow the builtins, and those on the arguments of scikit-learn's ``Tree``, never
    meet a subclass, so only the form pickle writes passes: for a builtin, one argument of
    exactly its type (``__getnewargs__`` of a ``str`` subclass gives ``(str(self),)``), or
    none; for a library's extension class, none. ``None`` where there is no such call."""
    from safeload.policy import format_name

    calls = [(pos, "REDUCE", made) for pos, made in result.arg_calls]
    calls += [(pos, "NEWOBJ", made) for pos, made in result.new_calls]
    # (pair -> its flag's bits and its sizing builtin: each class resolved once, however
    # many calls of it a file holds)
    classes: dict[tuple[str, str], tuple[int | None, type | None, bool]] = {}
    composites: dict[tuple[str, str], set[Any]] = {}
    for pos, opcode, made in calls:
        pair = getattr(getattr(made, "cls", None), "pair", None)
        if pair is None or not policy.allows(*pair) or policy.reviewed(*pair):
            continue
        known = classes.get(pair)
        if known is None:
            bits = _flag_bits(pair)
            missing = bits is None and _own_missing(pair)
            known = classes[pair] = (bits, _sizing_builtin(pair), missing)
        bits, owner, missing = known
        if bits is not None:
            flag = _flag_value_problem(pair, made.args, bits, composites.setdefault(pair, set()))
            if flag is not None:
                return pos, opcode, flag
        if missing:
            asked = _missing_value_problem(pair, made.args, composites.setdefault(pair, set()))
            if asked is not None:
                return pos, opcode, asked
        if owner is None:
            continue
        items = getattr(made.args, "items", None)
        if not _newargs_of(items, owner):
            return (
                pos,
                opcode,
                (
                    f"{format_name(*pair)}, a class the caller trusted, is made by "
                    f"the {_kind_of_new(owner)} {owner.__qualname__}.__new__ on arguments from "
                    "the file "
                    "that pickle never writes for such a subclass: no rule judges what it "
                    "would make of them"
                ),
            )
    return None


def init_args_problem(result: Any, policy: Any) -> tuple[int, str, str] | None:
    """``(offset, opcode, why)`` for the first call with arguments (REDUCE, OBJ, INST) of a
    trusted, unreviewed class whose ``__init__`` (or metaclass ``__call__``) is the caller's
    own code, where the class does not write such calls itself (its own ``__reduce__`` or
    ``__reduce_ex__``); ``None`` where there is none. Pickle writes such objects by NEWOBJ and
    BUILD, which run no ``__init__``; the call runs the caller's constructor on the file's
    arguments while loading, with whatever effects it has (rt107-06: an honest
    ``CachedScaler(cache_dir=...)`` made its cache folder where the file said), as a
    finalizer ran on the file's state (rt103-06). Scan calls such a call unproven
    (``static._constructed_problem``); the load now refuses it before building."""
    from safeload.policy import format_name

    judged: dict[tuple[str, str], bool] = {}
    calls = list(result.arg_calls)
    # (and NEWOBJ with arguments where the class's __new__ is the caller's: NEWOBJ runs
    # cls.__new__(cls, *args), which made the cache folder without a BUILD, rt109-03)
    calls += [(pos, made) for pos, made in result.new_calls if _own_new(made)]
    for pos, made in calls:
        pair = getattr(getattr(made, "cls", None), "pair", None)
        if pair is None or not policy.allows(*pair) or policy.reviewed(*pair):
            continue
        runs = judged.get(pair)
        if runs is None:
            runs = judged[pair] = _runs_own_init(pair)
        if runs:
            return (
                pos,
                "REDUCE",
                f"{format_name(*pair)}, a class the caller trusted, is called with arguments "
                "from the file: its own __init__ or __new__ would run on them while loading, with "
                "whatever effects it has (a folder, a log, a worker); pickle writes such an "
                "object by NEWOBJ and BUILD, which run none of its code",
            )
    return None


def _own_new(made: Any) -> bool:
    """Whether the class ``made`` (a NEWOBJ's object) names has a ``__new__`` of the
    caller's (not object's, a builtin's, the standard library's or a reviewed library's)."""
    from safeload.trust.classes import resolve_class

    pair = getattr(getattr(made, "cls", None), "pair", None)
    cls = resolve_class(*pair) if pair is not None else None
    if not isinstance(cls, type):
        return False
    owner = _new_owner(cls)
    if owner is object or _builtin_new(vars(owner)["__new__"]) is not None:
        return False

    names = ("__getnewargs__", "__getnewargs_ex__")
    if any(_callers_code(defining_class(cls, n), n) for n in names):
        return False  # the class writes NEWOBJ with arguments itself: its own design
    return _callers_code(owner, "__new__")


def _callers_code(owner: type | None, name: str) -> bool:
    """Whether ``name``, defined on the class ``owner``, is the caller's code: not object's
    or type's, not a skipped (reviewed) class's, and a function whose module is not the
    standard library's. The function's own module decides, not the class's: an enum's
    ``__new__`` is set on the caller's class by EnumType, and is the enum module's code."""
    from safeload._installed import is_stdlib

    if owner is None or owner is object or owner is type or _skipped(owner):
        return False
    found = vars(owner)[name]
    func = getattr(found, "__func__", found)
    module = str(getattr(func, "__module__", None) or getattr(owner, "__module__", ""))
    if module.startswith("namedtuple_") and _namedtuple_code(func):
        return False  # (collections.namedtuple's generated __new__: rt110-03)
    return not is_stdlib(module)


def _namedtuple_code(func: Any) -> bool:
    """Whether ``func`` is the ``__new__`` that ``collections.namedtuple`` generates (also for
    ``typing.NamedTuple``): compiled in a namespace named ``namedtuple_<name>`` whose only
    helper is ``tuple.__new__``, so its module is no package's."""
    helpers = getattr(func, "__globals__", None)
    return isinstance(helpers, dict) and helpers.get("_tuple_new") is tuple.__new__


def _runs_own_init(pair: tuple[str, str]) -> bool:
    """Whether calling the class ``pair`` names runs an ``__init__`` or a metaclass
    ``__call__`` of the caller's (not the standard library's, not a reviewed library's),
    and the class has no ``__reduce__``/``__reduce_ex__`` of the caller's writing the call."""
    from safeload.trust.classes import resolve_class

    cls = resolve_class(*pair)
    if not isinstance(cls, type):
        return False

    def own(of: type, name: str) -> bool:
        return _callers_code(defining_class(of, name), name)

    if any(own(cls, name) for name in ("__reduce__", "__reduce_ex__")):
        return False  # the class writes (cls, args) itself: its own design
    return own(cls, "__init__") or own(cls, "__new__") or own(type(cls), "__call__")


def _flag_bits(pair: tuple[str, str]) -> int | None:
    """The bits of the members of the ``enum.Flag`` class ``pair`` names, or ``None`` for a
    class that is no flag."""
    import enum

    from safeload.trust.classes import resolve_class

    cls = resolve_class(*pair)
    if not (isinstance(cls, type) and issubclass(cls, enum.Flag)):
        return None
    known = 0
    for member in vars(cls).get("_member_map_", {}).values():
        known |= int(member._value_) if isinstance(member._value_, int) else 0
    return known


#: How many values that are no member of a flag yet (compositions: ``Perm.R | Perm.W``) one
#: file may ask a trusted ``enum.Flag`` for: each becomes a pseudo-member the class keeps.
MAX_NEW_COMPOSITES = 16


def _flag_value_problem(
    pair: tuple[str, str], args: Any, known: int, asked: set[int]
) -> str | None:
    """Why ``Flag(value)`` of a trusted ``enum.Flag`` class whose members have the bits
    ``known`` is refused: a value with other bits, or past :data:`MAX_NEW_COMPOSITES`
    compositions of members the class does not hold yet (``asked``: those this file asked
    for so far). ``Flag._missing_`` keeps a new pseudo-member for every value it is asked,
    for the life of the process (a boundary ``KEEP`` flag takes any int): 20,000 values grew
    the class by 20,000 members even in a load that then refused (rt105-10), and a flag of
    24 members has 2**24 compositions (rt107-03: 100,000 of them, 50 MB kept). Pickle writes
    a member's value, or a composition an honest model holds a few of."""
    from safeload._symbolic import _Const
    from safeload.policy import format_name
    from safeload.trust.classes import resolve_class

    items = getattr(args, "items", None)
    value = items[0].value if items and len(items) == 1 and isinstance(items[0], _Const) else None
    if type(value) is int and value >= 0 and not value & ~known:
        cls = resolve_class(*pair)
        if value in vars(cls).get("_value2member_map_", {}):
            return None
        asked.add(value)
        if len(asked) <= MAX_NEW_COMPOSITES:
            return None
        return (
            f"{format_name(*pair)}, a flag the caller trusted, is asked for more than "
            f"{MAX_NEW_COMPOSITES} compositions of its members it does not hold yet: its "
            "_missing_ would keep a new member for each for the life of the process"
        )
    return (
        f"{format_name(*pair)}, a flag the caller trusted, is asked for a value with bits none "
        "of its members has (or no int): its _missing_ would keep a new member for it for the "
        "life of the process"
    )


#: How long a value no member of a trusted enum has may be (its repr), for its own
#: ``_missing_``.
MISSING_VALUE_CHARS = 200


def _own_missing(pair: tuple[str, str]) -> bool:
    """Whether ``pair`` names an ``enum.Enum`` (not a flag) whose ``_missing_`` is the
    caller's code: ``Enum(value)`` runs it on a value no member has."""
    import enum

    from safeload.trust.classes import resolve_class

    cls = resolve_class(*pair)
    if not (isinstance(cls, type) and issubclass(cls, enum.Enum)):
        return False
    return _callers_code(defining_class(cls, "_missing_"), "_missing_")


def _missing_value_problem(pair: tuple[str, str], args: Any, asked: set[Any]) -> str | None:
    """Why ``Enum(value)`` of a trusted enum with its own ``_missing_`` is refused: past
    :data:`MAX_NEW_COMPOSITES` values no member has in one file (``asked``: those so far), or
    a value the pass cannot read. Pickle writes a member as ``Enum(its value)``; an own
    ``_missing_`` that keeps a pseudo-member for an unknown code (the pattern of
    ``enum.Flag``) kept 20,000 of them from one refused 94 KB file (rt110-07)."""
    from safeload._symbolic import _fold
    from safeload.policy import format_name
    from safeload.trust.classes import resolve_class

    items = getattr(args, "items", None)
    try:
        value, _size = _fold(items[0]) if items and len(items) == 1 else (None, 0)
        hash(value)
    except (KeyError, TypeError):
        value = None
    if value is None:
        return (
            f"{format_name(*pair)}, an enum the caller trusted with its own _missing_, is "
            "asked for a value the pass cannot read: its _missing_ would run on it"
        )
    if value in vars(resolve_class(*pair)).get("_value2member_map_", {}):
        return None
    too_long = (
        value.bit_length() > 4 * MISSING_VALUE_CHARS  # (repr of a 4,300-digit int raises)
        if type(value) is int
        else type(value) not in (float, str, bytes) or len(repr(value)) > MISSING_VALUE_CHARS
    )
    if too_long:
        # (a value no member has is small and plain: 16 tuples of 5,000 1 KB texts kept 80 MB
        # as pseudo-members, rt112-05)
        return (
            f"{format_name(*pair)}, an enum the caller trusted with its own _missing_, is "
            f"asked for a value none of its members has that is not a number or a text of at "
            f"most {MISSING_VALUE_CHARS} characters: its _missing_ would run on it, and may "
            "keep it for the life of the process"
        )
    asked.add((type(value), value))
    if len(asked) <= MAX_NEW_COMPOSITES:
        return None
    return (
        f"{format_name(*pair)}, an enum the caller trusted with its own _missing_, is asked "
        f"for more than {MAX_NEW_COMPOSITES} values none of its members has: its _missing_ "
        "runs on each, and may keep a member for each for the life of the process"
    )


def _kind_of_new(owner: type) -> str:
    """``"compiled"`` for a class whose ``__new__`` is compiled, else ``"library's"``."""
    return "compiled" if _builtin_new(vars(owner)["__new__"]) is not None else "library's"


def _sizing_builtin(pair: tuple[str, str]) -> type | None:
    """The class whose ``__new__`` makes objects of the class ``pair`` names where that is not
    the caller's code: a compiled one (a builtin's, a library's extension class's) other than
    ``object``'s and the exceptions' (which take no sizes), or a reviewed library's written in
    Python."""
    from safeload.trust.classes import resolve_class

    cls = resolve_class(*pair)
    if cls is None:
        return None
    new_owner = _new_owner(cls)
    owner = _builtin_new(vars(new_owner)["__new__"])
    if owner is None:
        # a __new__ written in Python by a reviewed library (numpy.ma's MaskedArray, pandas'
        # Index) runs that library's code on the file's arguments, not the caller's: an own
        # MaskedArray subclass made np.array([0], dtype='S1000000000'), rt105-09
        return new_owner if new_owner is not cls and _skipped(new_owner) else None
    if owner is object or issubclass(owner, BaseException):
        return None
    return owner


def _newargs_of(items: Any, owner: type) -> bool:
    """Whether ``items`` (symbolic) are what ``__getnewargs__`` of a subclass of the builtin
    ``owner`` gives: nothing, one value of exactly ``owner`` (``(str(self),)``), or for
    ``complex`` its two float parts."""
    from safeload.pickle.call_rules import constant_of

    if items is None:
        return False
    if owner.__module__ != "builtins":
        # a library's compiled class (scikit-learn's Tree, whose rules on its arguments are
        # keyed on the class itself, rt103-07): made without arguments only
        return len(items) == 0
    if owner is complex and len(items) == 2:
        return all(constant_of(item, float) for item in items)
    if owner is bytearray and len(items) in (1, 2):
        # bytearray.__reduce_ex__ writes (bytes(self),) from protocol 3, (text, "latin-1")
        # before: a trusted Buffer(bytearray) with content was refused (rt120-09)
        if len(items) == 1:
            return constant_of(items[0], bytes)
        return constant_of(items[0], str) and _latin1_codec(items[1])
    return len(items) == 0 or (len(items) == 1 and constant_of(items[0], owner))


def _latin1_codec(item: Any) -> bool:
    """Whether ``item`` (symbolic) is the constant ``"latin-1"`` (or ``"latin1"``)."""
    from safeload._symbolic import _Const

    return isinstance(item, _Const) and item.value in ("latin-1", "latin1")


def _may_share(pair: tuple[str, str]) -> bool:
    """Whether a call or ``__new__`` of the class ``pair`` names may return an object it
    shares: its ``__new__`` is written in Python (its own, an enum's), or its metaclass has a
    ``__call__`` of its own. A compiled ``__new__`` (``object``'s, ``BaseException``'s)
    always makes a new object."""
    from safeload.trust.classes import resolve_class

    cls = resolve_class(*pair)
    if not isinstance(cls, type):
        return True
    if type(cls).__call__ is not type.__call__:
        return True
    return _builtin_new(vars(_new_owner(cls))["__new__"]) is None


def _new_owner(cls: type) -> type:
    """The class of ``cls``'s MRO whose ``__new__`` the load runs for it."""
    return defining_class(cls, "__new__") or object


def defining_class(cls: type, name: str) -> type | None:
    """The first class of ``cls``'s MRO whose own namespace holds ``name`` (whose attribute a
    look-up of ``name`` on ``cls`` or its instances finds), or ``None``."""
    return next((b for b in cls.__mro__ if name in vars(b)), None)


def _builtin_new(new: Any) -> type | None:
    """The builtin class whose compiled ``__new__`` ``new`` is, through the wrappers of
    :func:`_unwrapped`; ``None`` for a ``__new__`` written in Python."""
    found = _unwrapped(new)
    owner = getattr(found, "__self__", None)
    if isinstance(found, types.BuiltinFunctionType) and isinstance(owner, type):
        return owner
    return None


def _unwrapped(new: Any) -> Any:
    """``new`` without the wrappers that deprecation decorators put round a class's
    ``__new__`` to warn, each of which calls the original: PEP 702's ``@deprecated``
    (typing_extensions' or warnings', rt96-03's own deprecated estimator, refused after
    rt101-03's fix) and scikit-learn's ``sklearn.utils.deprecated``, which keeps the original
    in its closure (rt103-04: an own class so marked, and own subclasses of a class
    scikit-learn deprecates)."""
    for _ in range(8):  # (a class deprecated more than once is wrapped more than once)
        func = getattr(new, "__func__", new)
        code = getattr(func, "__code__", None)
        where = str(getattr(code, "co_filename", ""))
        if where.endswith(("typing_extensions.py", "warnings.py")) and hasattr(func, "__wrapped__"):
            new = func.__wrapped__
        elif (
            code is not None and where.endswith(_SKLEARN_DEPRECATION) and "new" in code.co_freevars
        ):
            cell = func.__closure__[code.co_freevars.index("new")]
            new = cell.cell_contents
        else:
            break
    return new


#: Where ``sklearn.utils.deprecated`` is written.
_SKLEARN_DEPRECATION = os.path.join("sklearn", "utils", "deprecation.py")


def _reconstructed(target: Any, args: Any) -> bool:
    """Whether ``target`` was made by ``copyreg._reconstructor(cls, object, state)``, which
    makes a new object by ``object.__new__`` (protocols 0 and 1)."""
    from safeload._symbolic import _Global, _Tuple

    if isinstance(args, _Tuple) and len(args.items) == 3:
        base = args.items[1]
        return isinstance(base, _Global) and base.pair == ("builtins", "object")
    return False
