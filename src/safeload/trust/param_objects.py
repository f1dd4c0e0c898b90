"""A constrained parameter holding an object the stream walk does not build, judged by its class.

A load holds every parameter to the class's ``_parameter_constraints``, with the objects it
built: an estimator, a sparse matrix or a ``RandomState`` as ``alpha``, or a tuple of pairs
where the constraint is ``list``, are refused (rt36-03). The walk cannot build those objects,
but scikit-learn's constraints judge an object by its class (``isinstance``, ``callable``,
the methods it has): :func:`object_refused` asks the encoded constraints
(:mod:`safeload.trust._gen_facts`) about the class the stream makes, and answers "refused"
only where every constraint is sure to refuse; anything it cannot be sure of is left to the
load, as before.
"""

from __future__ import annotations

import functools
from typing import Any

from safeload.trust import facts

#: Functions that make an instance of one known class (numpy's unpickling helpers).
_MADE_BY: dict[tuple[str, str], tuple[str, str]] = {
    ("numpy.random._pickle", "__randomstate_ctor"): ("numpy.random.mtrand", "RandomState"),
    ("numpy.random", "__RandomState_ctor"): ("numpy.random.mtrand", "RandomState"),
    ("numpy.random._pickle", "__generator_ctor"): ("numpy.random._generator", "Generator"),
}
#: numpy's helpers that make an instance of the class given as their first argument, with
#: the base that class must have.
_MADE_FROM_FIRST: dict[tuple[str, str], str] = {
    ("numpy.random._pickle", "__bit_generator_ctor"): "numpy.random.bit_generator:BitGenerator",
    ("numpy.random.bit_generator", "__pyx_unpickle_SeedSequence"): (
        "numpy.random.bit_generator:SeedSequence"
    ),
}
#: The bit generators older numpy pickles by name.
_BIT_GENERATOR_NAMES: dict[str, tuple[str, str]] = {
    "MT19937": ("numpy.random._mt19937", "MT19937"),
    "PCG64": ("numpy.random._pcg64", "PCG64"),
    "PCG64DXSM": ("numpy.random._pcg64", "PCG64DXSM"),
    "Philox": ("numpy.random._philox", "Philox"),
    "SFC64": ("numpy.random._sfc64", "SFC64"),
}
#: Classes whose instances a number or string constraint (``Interval``, ``Options``,
#: ``"nan"``) may take: a class with one of these in its MRO is not judged here.
_NUMBER_LIKE = frozenset(
    {
        "builtins:int",
        "builtins:float",
        "builtins:complex",
        "builtins:bool",
        "builtins:str",
        "builtins:bytes",
        "numpy:generic",
        "decimal:Decimal",
        "fractions:Fraction",
    }
)
_BOX_CLASSES = {"list": "list", "set": "set", "frozenset": "frozenset"}


def object_refused(cls: Any, name: str, sym: Any) -> bool:
    """Whether the class ``cls`` (or its facts) refuses ``sym`` as its parameter ``name`` by
    its constraints, sure from the class the stream makes ``sym`` as (rt36-03). ``False`` when
    some constraint takes it or may take it, or the class is not known."""
    constraints = _encoded(cls)
    encoded = constraints.get(name) if constraints else None
    if not isinstance(encoded, (list, tuple)):
        return False  # "no_validation", or constraints the data cannot express
    made = _made(sym)
    if made is None:
        return False
    keys = _instance_keys(sym, made)
    return all(_takes(c, made, keys) is False for c in encoded)


def _encoded(cls: Any) -> dict[str, Any] | None:
    """The class's constraints as data: its facts' on the facts path, else encoded from the
    class as the generator does."""
    if isinstance(cls, facts.ClassFacts):
        return cls.constraints
    return _encoded_class(cls)


@functools.lru_cache(maxsize=512)
def _encoded_class(cls: type) -> dict[str, Any] | None:
    from safeload.trust._gen_facts import _constraints

    return _constraints(cls)


class _Made:
    """What :func:`_takes` reads of the class of the object a parameter holds."""

    __slots__ = ("defined", "has_dict", "mro", "setstate")

    def __init__(self, cls: Any) -> None:
        self.mro = facts.mro_names(cls)
        self.defined = _defined(cls)
        self.has_dict = facts.has_dict(cls)
        self.setstate = facts.setstate_owner(cls)


def _made(sym: Any) -> _Made | None:
    """The class the stream makes ``sym`` as (a literal container's builtin type, a class's
    call or NEWOBJ, numpy's RandomState helpers), ``None`` when it cannot say."""
    from safeload._symbolic import _Box, _Dict, _Global, _Obj, _Tuple
    from safeload.trust.static_values import class_of, is_array

    if isinstance(sym, _Tuple):
        pair: tuple[str, str] | None = ("builtins", "tuple")
    elif isinstance(sym, _Dict):
        pair = ("builtins", "dict")
    elif isinstance(sym, _Box):
        pair = ("builtins", _BOX_CLASSES[sym.kind]) if sym.kind in _BOX_CLASSES else None
    elif isinstance(sym, _Obj) and isinstance(sym.cls, _Global) and not is_array(sym):
        if sym.cls.pair in _MADE_FROM_FIRST:
            return _made_from_first(sym, _MADE_FROM_FIRST[sym.cls.pair])
        pair = _MADE_BY.get(sym.cls.pair, sym.cls.pair)
    else:
        pair = None
    found = class_of(pair) if pair is not None else None
    if found is None:
        return None
    return _Made(found)


def _made_from_first(sym: Any, base: str) -> _Made | None:
    """The class numpy's helper makes an instance of from its first argument, a class
    (``__bit_generator_ctor(MT19937)``, ``__pyx_unpickle_SeedSequence(SeedSequence, ...)``),
    or a bit generator's name (older numpy's ``__bit_generator_ctor('MT19937')``): a class
    that is no ``base`` makes the helper raise, so it is not judged here (rt39-04)."""
    from safeload._symbolic import _Const, _Global
    from safeload.trust.static_values import class_of, items_of

    args = items_of(sym.args) if sym.args is not None else None
    first = args[0] if args else None
    pair: tuple[str, str] | None = None
    if isinstance(first, _Global):
        pair = first.pair
    elif isinstance(first, _Const) and first.value in _BIT_GENERATOR_NAMES:
        pair = _BIT_GENERATOR_NAMES[first.value]
    found = class_of(pair) if pair is not None else None
    if found is None or base not in facts.mro_names(found):
        return None
    return _Made(found)


def _defined(cls: Any) -> frozenset[str]:
    """Every name ``vars()`` of a class in the MRO holds."""
    if isinstance(cls, facts.ClassFacts):
        return cls.defined
    return frozenset(name for base in cls.__mro__ for name in vars(base))


def _instance_keys(sym: Any, made: _Made) -> frozenset[str] | None:
    """The attributes the object's state sets (empty for a literal container or an instance
    without a ``__dict__``, whose attributes are all its class's), ``None`` when the stream
    does not show them."""
    from safeload._symbolic import _Const, _Dict, _Obj, _Tuple

    if not isinstance(sym, _Obj) or not made.has_dict:
        return frozenset()  # a bit generator's state dict goes to its __setstate__ (rt39-04)
    state = sym.state
    if made.setstate == "functools.partial":
        # (func, args, keywords, instance dict): only the last sets attributes (rt39-04)
        if not (isinstance(state, _Tuple) and len(state.items) == 4):
            return None
        state = state.items[3]
    if state is None or (isinstance(state, _Const) and state.value is None):
        return frozenset()
    if isinstance(state, _Dict) and not (state.lossy or state.unknown_keys):
        return frozenset(state.items)
    return None


def _takes(constraint: Any, made: _Made, keys: frozenset[str] | None) -> bool | None:
    """Whether one encoded constraint takes an instance of ``made``: ``True``, ``False``, or
    ``None`` when the facts cannot say."""
    tag = constraint[0]
    number_like = not made.mro.isdisjoint(_NUMBER_LIKE) or any(
        n.startswith("numbers:") for n in made.mro
    )
    if tag in ("interval", "options", "nan"):
        # isinstance of Integral, Real or str, or math.isnan: no other object passes
        if number_like or (tag != "nan" and "NoneType" in constraint[1]):
            return None  # a type that takes None (object?) may take it too
        return False
    if tag == "any":
        answers = [_takes(c, made, keys) for c in constraint[1]]
        return True if True in answers else (None if None in answers else False)
    if tag != "type" or len(constraint) < 3:
        return None
    return _object_test(constraint[2], made, keys, number_like)


def _object_test(test: Any, made: _Made, keys: frozenset[str] | None, number: bool) -> bool | None:
    """A type-only constraint's test on an object (see ``_gen_facts._objects``)."""
    form = test[0]
    if form == "isa":
        if not made.mro.isdisjoint(test[1]):
            return True
        return False if test[2] else None
    if form == "call":  # callable(): the type's __call__
        return "__call__" in made.defined
    if form == "methods":  # callable(getattr(value, m, None)) for each
        missing = [m for m in test[1] if m not in made.defined]
        if missing and keys is not None and "__getattr__" not in made.defined:
            if not any(m in keys for m in missing):
                return False
        return None  # a method it has may still be unavailable (available_if)
    if form == "arraylike":  # __len__, shape or __array__, and not a scalar
        if len(test) > 1 and not made.mro.isdisjoint(test[1]):
            return False  # a sparse matrix is no array-like to scikit-learn
        if number:
            return None
        names = ("__len__", "shape", "__array__")
        if any(n in made.defined for n in names):
            return None
        if keys is None or "shape" in keys or "__getattr__" in made.defined:
            return None
        return False
    if form == "iter":  # collections.abc.Iterable, not a str
        if number:
            return None
        return "__iter__" in made.defined
    return None


#: numpy's helpers that make a random state, a generator or a bit generator: numpy's pickles
#: always give what they make its state by BUILD
_RANDOM_HELPERS = frozenset(
    {
        ("numpy.random._pickle", "__randomstate_ctor"),
        ("numpy.random._pickle", "__generator_ctor"),
        ("numpy.random._pickle", "__bit_generator_ctor"),
        ("numpy.random", "__RandomState_ctor"),
    }
)


def stateless_random_problem(result: Any) -> tuple[int, str] | None:
    """``(offset, why)`` for the first random state, generator or bit generator a call made
    that no BUILD gives a state, or ``None``. numpy writes each with its state; one without
    holds a bit generator and seed sequence that ``scan`` does not model as the load builds
    them, so the two met 6,000 references differently (rt123-04)."""
    from safeload._symbolic import _Obj, _Tuple
    from safeload.pickle.names import BIT_GENERATORS, GENERATOR_CTOR

    built = {id(target) for _pos, target, _state in result.builds}
    made_by_calls = [*result.arg_calls, *((pos, made) for pos, _op, made in result.bare_calls)]
    for pos, made in made_by_calls:
        pair = getattr(getattr(made, "cls", None), "pair", None)
        if pair == GENERATOR_CTOR:
            # (a Generator takes its state from the bit generator object numpy writes as its
            # argument, itself made with a state; a name there makes a fresh one)
            args = made.args.items if isinstance(made.args, _Tuple) else []
            if args and isinstance(args[0], _Obj):
                continue
        if (pair in _RANDOM_HELPERS or pair in BIT_GENERATORS) and id(made) not in built:
            return pos, (
                f"{pair[0]}.{pair[1]} makes a random state without the state numpy's pickle "
                "gives it by BUILD"
            )
    return None
