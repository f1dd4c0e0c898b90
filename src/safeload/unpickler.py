"""Restricted unpicklers for pickle and joblib streams.

This is the only module that touches :mod:`pickle`. Every stream is first analysed statically
(:func:`safeload.scan.analyze`): a structural problem raises ``MalformedArtifactError`` and any
untrusted global raises ``UntrustedTypeError`` listing all of them, before a single object is
built. Only then does an unpickler run, and its ``find_class`` resolves nothing but exact
allowlisted names that the analysis also saw (a disagreement between the two views is refused).
"""

from __future__ import annotations

import importlib
import io
import mmap
import pickle
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from safeload._types import Buffer
from safeload.exceptions import (
    LimitExceededError,
    MalformedArtifactError,
    SafeloadError,
    UntrustedTypeError,
)
from safeload.policy import (
    Limits,
    Policy,
    format_name,
    imported_object,
    name_runs_code,
    never_trustable,
    trust_problem,
)
from safeload.scan import (
    _FROMBUFFER,
    JOBLIB_WRAPPER,
    VIEW_FROM,
    StreamAnalysis,
    analyze,
    refuse_unless_clean,
)
from safeload.trust.pandas_forms import PANDAS_NAMES, narrowed_form
from safeload.validate import check_built_dtype

__all__ = ["analyse_stream", "load_joblib_stream", "load_pickle_stream", "untrusted_error"]


def _name_note(name: str, policy: Policy | None) -> str:
    """Advice on one untrusted name: a class from a script, or a near miss of a name the
    caller trusted (a typo there leaves the real name untrusted)."""
    if name.startswith("__main__."):
        return (
            " (defined in the script that saved the model, so no other program can import it: "
            "move it to an importable module, e.g. mypkg/features.py, and save the model again)"
        )
    if policy is None:
        return ""
    import difflib

    mine = [format_name(*pair) for pair, why in policy.entries.items() if why == _BY_CALLER]
    close = difflib.get_close_matches(name, mine, n=1, cutoff=0.8)
    return f" (you trusted {close[0]}: did you mean {name}?)" if close else ""


#: The reason Policy.with_trusted records for a name the caller trusted.
_BY_CALLER = "trusted by caller"


def _split_name(name: str) -> tuple[str, str]:
    """``(module, qualname)`` of a name as reports write it; never raises (a file's names)."""
    if ":" in name:
        module, _, qualname = name.partition(":")
    else:
        module, _, qualname = name.rpartition(".")
    return module, qualname


def untrusted_error(
    names: list[str], source: str, policy: Policy | None = None
) -> UntrustedTypeError:
    """The actionable error for untrusted globals: lists all of them and how to allow them;
    but if any is a known code-execution primitive, says the file tries to run code and offers
    no way to allow anything. With the ``policy`` that refused them, near misses of the
    caller's trusted names are pointed out."""
    listed = "\n".join(f"  - {n}{_name_note(n, policy)}" for n in names)
    code = [n for n in names if name_runs_code(n)]
    known = _known_model_error(names, code, source, listed)
    if known is not None:
        return known
    if code:
        return UntrustedTypeError(
            f"{source} tries to run code: it refers to {len(code)} known code-execution "
            f"primitive(s) ({', '.join(code)}), which can run commands, evaluate code, import "
            f"modules or open files. All {len(names)} untrusted global(s):\n{listed}\n"
            "Nothing was deserialized. Do not load this file; these names cannot be trusted. "
            "Get the model from its author again, or report the file.",
            names=names,
            path=source,
        )
    advice = _profile_advice(names, source, listed, policy)
    if advice is not None:
        return advice
    never = never_trustable(names)
    if never:
        return UntrustedTypeError(
            f"{source} refers to {len(never)} name(s) that can never be trusted:\n"
            + "\n".join(f"  - {n}: {why}" for n, why in never.items())
            + f"\nAll {len(names)} untrusted global(s):\n{listed}\nNothing was deserialized. "
            "Do not load this file; ask its author for a model saved without them.",
            names=names,
            path=source,
        )
    as_arg = ", ".join(repr(n) for n in names)
    flags = " ".join(f"--trust {n}" for n in names)
    unchecked = [n for n in names if imported_object(*_split_name(n)) is None]
    caveat = (
        f" Only classes can be trusted; {', '.join(unchecked)} could not be checked without "
        "importing it, which safeload does not do for names a file chose: trusting a name "
        "imports it and refuses anything but a class."
        if unchecked
        else ""
    )
    return UntrustedTypeError(
        f"{source} refers to {len(names)} global(s) that the policy does not trust:\n{listed}\n"
        "Nothing was deserialized. If, and only if, you trust the code behind every one of these "
        f"names, allow them explicitly: load(..., trusted=[{as_arg}]) or on the CLI {flags}. "
        f"A name that can run code, open files or import modules must never be trusted.{caveat}",
        names=names,
        path=source,
    )


def _known_model_error(
    names: list[str], code: list[str], source: str, listed: str
) -> UntrustedTypeError | None:
    """The error for two honest models that name code primitives, with what their owner can
    do instead: a search holding scipy.stats distributions, a BisectingKMeans keeping its
    k-means routine. None when the file names any other primitive."""
    distributions = _scipy_distributions(names)
    # the friendlier message only when getattr is the sole code primitive: a file cannot make
    # its other primitives look harmless by naming a distribution next to them
    if distributions and all(n in _GETATTR for n in code):
        return UntrustedTypeError(
            f"{source} holds scipy.stats distributions ({', '.join(distributions)}), the "
            "kind a RandomizedSearchCV keeps in param_distributions. They cannot be allowed: "
            "scipy rebuilds them by executing source text kept in their own state, and they "
            "pickle a bound method through builtins.getattr, which can reach any attribute of "
            f"any object. All {len(names)} untrusted global(s):\n{listed}\nNothing was "
            "deserialized. If this is your own search, save the refitted model instead, "
            "safeload.dump(search.best_estimator_, path, signer), which holds no "
            "distributions (and best_params_ / cv_results_ as plain data if you need them); "
            "otherwise ask its author for that file.",
            names=names,
            path=source,
        )
    routines = [n for n in names if n in _KMEANS_ROUTINES]
    if routines and all(n in _KMEANS_ROUTINES for n in code):
        return UntrustedTypeError(
            f"{source} holds a BisectingKMeans, which keeps a reference to the k-means routine "
            f"its fit uses ({', '.join(routines)}). That routine is native code that trusts the "
            "shapes of its arrays, and a file that may name it may also call it while loading, "
            f"so it cannot be allowed. All {len(names)} untrusted global(s):\n{listed}\n"
            "Nothing was deserialized. predict never uses the reference and fit sets it again, "
            "so if this is your own model, drop it before saving: "
            "del model._kmeans_single (for a BisectingKMeans inside a pipeline or search, on "
            "that step), then save again; the file then loads by default.",
            names=names,
            path=source,
        )
    return None


def _profile_advice(
    names: list[str], source: str, listed: str, policy: Policy | None
) -> UntrustedTypeError | None:
    """The error for names that reviewed trust profiles cover, all of them: name the profiles
    (not ``trusted=``, which accepts classes only and skips the profiles' own checks)."""
    from safeload.trust.profiles import PROFILES, profile_for_name

    wanted: list[str] = []
    for name in names:
        found = profile_for_name(*_split_name(name))
        if not found:
            return None
        if found[0] not in wanted:
            wanted.append(found[0])
    have = set(policy.profiles) if policy is not None else set()
    if all(w in have for w in wanted):
        return UntrustedTypeError(
            f"{source} refers to {len(names)} global(s) that the policy does not trust:\n"
            f"{listed}\nNothing was deserialized. They are other names (aliases) for classes "
            "the trust profile(s) you enabled trust under the names pickle writes (such as "
            "xgboost.core.Booster); pickle never writes these, and a native-model class may not "
            "be trusted by hand (trusted=). Re-save the model with the library and load that "
            "file (r15-09).",
            names=names,
            path=source,
        )
    wanted = [w for w in wanted if w not in have] or wanted
    libraries = ", ".join(sorted({PROFILES[w].library for w in wanted}))
    as_arg = ", ".join(repr(w) for w in wanted)
    flags = " ".join(f"--profile {w}" for w in wanted)
    return UntrustedTypeError(
        f"{source} refers to {len(names)} global(s) that the default policy does not trust:\n"
        f"{listed}\nNothing was deserialized. They are {libraries} names reviewed in the "
        f"opt-in trust profile(s) {as_arg}: if you trust files of {libraries}, load it with "
        f"profiles=[{as_arg}] (CLI: {flags}). `safeload profiles` lists what each profile "
        "trusts, and what it rests on.",
        names=names,
        path=source,
    )


#: The scipy.stats modules whose classes (distribution generators and their frozen wrappers)
#: rebuild themselves with ``exec`` in ``__setstate__``.
_SCIPY_STATS_PREFIX = "scipy.stats."
_KMEANS_ROUTINES = frozenset(
    {"sklearn.cluster._kmeans._kmeans_single_lloyd", "sklearn.cluster._kmeans._kmeans_single_elkan"}
)
_GETATTR = frozenset({"builtins.getattr", "__builtin__.getattr", "__builtins__.getattr"})


def _scipy_distributions(names: list[str]) -> list[str]:
    """The names in ``names`` that are scipy.stats distribution classes (``*_gen``, ``*_frozen``
    and the ``rv_*`` bases). Only a name: nothing is imported."""
    found = []
    for name in names:
        if not name.startswith(_SCIPY_STATS_PREFIX):
            continue
        last = name.rsplit(".", 1)[-1]
        if last.endswith(("_gen", "_frozen")) or last.startswith("rv_"):
            found.append(name)
    return found


def _resolve(module: str, qualname: str) -> Any:
    """Import ``module`` and follow the exact, already-allowlisted qualname inside it."""
    mod = sys.modules.get(module)
    if mod is None:
        mod = importlib.import_module(module)
    obj: Any = mod
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


class JoblibContentError(MalformedArtifactError):
    """Read as a plain pickle, the stream names joblib's array placeholder: it is joblib
    content, and only the joblib reading says what ``joblib.load`` would do with it. Callers
    that guessed the format read it again as joblib; callers told "pickle" refuse it."""


def _analyse_or_refuse(
    data: Buffer, policy: Policy, limits: Limits, source: str, *, joblib: bool
) -> StreamAnalysis:
    if len(data) > limits.max_file_size:
        raise LimitExceededError(
            f"{source} is {len(data)} bytes, over the limit of {limits.max_file_size}",
            path=source,
        )
    # the trees and the state a load builds are checked after building (validate.py and
    # trust.usetime, which see everything): reading them from the stream is scan's business
    analysis = analyze(
        data, policy=policy, limits=limits, joblib=joblib, check_trees=False, use_time=False
    )
    first = analysis.problems[0] if analysis.problems else None
    if first is not None and first.limit and not first.use_time:
        # refuse_unless_clean would say "run `safeload scan`", which runs with the default
        # limits: the caller's own limits= are what refused this file.
        more = f" (and {len(analysis.problems) - 1} more)" if len(analysis.problems) > 1 else ""
        raise LimitExceededError(
            f"{source} was refused before loading: {first.message} at byte {first.offset}"
            f"{more}. Nothing was deserialized. This is a resource limit (safeload.Limits): if "
            "you expect a file this large or this deeply nested, pass limits=Limits(...) with "
            "a higher value.",
            path=source,
        )
    if analysis.joblib_content:
        first = analysis.problems[0]
        raise JoblibContentError(
            f"{source} was refused before loading: {first.message} (at byte {first.offset}). "
            "Nothing was deserialized.",
            path=source,
        )
    if analysis.untrusted and all(p.use_time for p in analysis.problems):
        # refused either way: the names it needs say more (and what to do) than the state
        # rule one of their objects broke
        raise untrusted_error(analysis.untrusted, source, policy)
    refuse_unless_clean(analysis, source)
    if analysis.untrusted:
        raise untrusted_error(analysis.untrusted, source, policy)
    return analysis


class _Guard:
    """The find_class shared by both unpicklers."""

    def __init__(
        self, policy: Policy, resolved: dict[tuple[str, str], tuple[str, str]], source: str
    ) -> None:
        self.policy = policy
        self.resolved = resolved
        self.source = source
        #: raw name -> object returned instead of the real one (joblib's array wrapper).
        self.substitutes: dict[tuple[str, str], Any] = {}

    def __call__(self, raw_module: str, raw_name: str) -> Any:
        module, name = self.resolved.get((raw_module, raw_name), (raw_module, raw_name))
        if (raw_module, raw_name) not in self.resolved:
            raise MalformedArtifactError(
                f"{self.source}: the unpickler asked for {format_name(module, name)}, which the "
                "static analysis did not see; the stream is ambiguous and was refused",
                path=self.source,
            )
        if not self.policy.allows(module, name):  # pragma: no cover - analysis refused it first
            raise untrusted_error([format_name(module, name)], self.source)
        if (raw_module, raw_name) in self.substitutes:
            return self.substitutes[(raw_module, raw_name)]
        if (module, name) in _NARROWED:
            return _NARROWED[(module, name)]
        if (module, name) in PANDAS_NAMES:
            # however it was trusted (profile or trusted=), pandas' unpicklers are handed
            # out narrowed: they check what the file gives them before pandas' code runs
            form = _pandas_form(module, name, self.source)
            if form is not None:
                return form
        try:
            obj = _resolve(module, name)
        except ImportError as exc:
            raise MalformedArtifactError(
                f"{self.source}: trusted name {format_name(module, name)} cannot be imported: "
                f"module {module} is not installed here, or fails to import ({exc}). Install "
                "the package that provides it (or check the trusted name's spelling)",
                path=self.source,
            ) from exc
        except AttributeError as exc:
            raise MalformedArtifactError(
                f"{self.source}: trusted name {format_name(module, name)} does not exist in the "
                f"installed libraries ({exc}){_near(module, name)}; the file may need other "
                "library versions",
                path=self.source,
            ) from exc
        if not self.policy.reviewed(module, name):
            # a caller's name not importable when it was trusted is checked now (rt14 f05)
            problem = trust_problem(obj)
            if problem is not None:
                label = format_name(module, name)
                raise UntrustedTypeError(
                    f"{self.source}: the trusted name {label} cannot be trusted: {problem}. "
                    "Nothing was built from it.",
                    names=[label],
                    path=self.source,
                )
        return obj


def _pandas_form(module: str, name: str, source: str) -> Any:
    """The narrowed form of a pandas name (:mod:`safeload.trust.pandas_forms`), or ``None``
    for the classes that are only named, never called (the analysis refused any call)."""
    try:
        return narrowed_form((module, name))
    except ImportError as exc:
        raise MalformedArtifactError(
            f"{source}: trusted name {format_name(module, name)} cannot be imported ({exc}); "
            "install pandas",
            path=source,
        ) from exc


def _near(module: str, qualname: str) -> str:
    """``"; did you mean module.Other"`` when the module has a name close to ``qualname``."""
    import difflib

    mod = sys.modules.get(module)
    if mod is None or "." in qualname:
        return ""
    close = difflib.get_close_matches(qualname, [n for n in dir(mod) if not n.startswith("__")])
    return f"; did you mean {format_name(module, close[0])}?" if close else ""


def _counter_from_dict(*args: Any) -> Any:
    """``collections.Counter`` as the unpickler may call it: with the plain dict that
    ``Counter.__reduce__`` writes (or nothing). ``Counter(iterable)`` counts whatever it is
    given, and a stored ``range`` of any length would keep it counting until memory runs out."""
    import collections

    if len(args) > 1 or (args and type(args[0]) is not dict):
        raise ValueError("collections.Counter is built from a plain dict only")
    return collections.Counter(*args)


def _decimal_from_str(*args: Any) -> Any:
    """``decimal.Decimal`` as the unpickler may call it: with the str that
    ``Decimal.__reduce__`` writes. From an int it converts in quadratic time (a 125 KB integer
    in the file takes seconds, a megabyte minutes)."""
    import decimal

    if len(args) != 1 or type(args[0]) is not str:
        raise ValueError("decimal.Decimal is built from a str only")
    return decimal.Decimal(args[0])


#: What a container may be built from: values already in memory, whose length the file paid
#: for. A ``range`` (lazy, so allowed itself) or an iterator would make ``list``/``set``/
#: ``tuple`` allocate as many items as a number in the file says.
_IN_MEMORY = (list, tuple, set, frozenset, dict, str, bytes, bytearray)
#: The encodings pickle writes for ``bytearray``/``bytes`` made from text (protocols 0-2).
_LATIN_1 = frozenset({"latin-1", "latin1", "latin_1"})


def container_args_problem(builtin: type, args: tuple[Any, ...]) -> str | None:
    """Why the restricted unpickler refuses to call ``builtin`` (``list``, ``tuple``, ``set``,
    ``frozenset``, ``bytearray`` or ``bytes``) with ``args``, or ``None``. Sizes come only from
    data in the file: ``bytearray(2**31)`` (a 32-byte file) zero-fills 2 GiB and
    ``set(range(2**44))`` grows until the process is killed."""
    if builtin in (bytearray, bytes):
        if not args or (len(args) == 1 and type(args[0]) in (bytes, bytearray)):
            return None
        if len(args) == 2 and type(args[0]) is str and args[1] in _LATIN_1:
            return None
        return f"builtins.{builtin.__name__} is built from bytes (or latin-1 text) only"
    if not args or (len(args) == 1 and type(args[0]) in _IN_MEMORY):
        return None
    return f"builtins.{builtin.__name__} is built from a list, tuple, set, dict or string only"


def _narrowed_builtin(builtin: type) -> Callable[..., Any]:
    def make(*args: Any) -> Any:
        problem = container_args_problem(builtin, args)
        if problem:
            raise ValueError(problem)
        return builtin(*args)

    make.__qualname__ = make.__name__ = builtin.__name__
    make.__module__ = "builtins"  # as the file names it, in messages
    return make


_NARROWED_BUILTINS: dict[tuple[str, str], type] = {
    ("builtins", kind.__name__): kind for kind in (list, tuple, set, frozenset, bytearray, bytes)
}
_NARROWED_FORMS: dict[tuple[str, str], Callable[..., Any]] = {
    pair: _narrowed_builtin(kind) for pair, kind in _NARROWED_BUILTINS.items()
}
#: narrowed form -> the builtin it stands for (copyreg._reconstructor takes them as a base)
_NARROWED_BASES: dict[int, type] = {
    id(_NARROWED_FORMS[pair]): kind for pair, kind in _NARROWED_BUILTINS.items()
}


def _reconstructor(cls: Any, base: Any, state: Any) -> Any:
    """``copyreg._reconstructor`` (protocols 0-1), for bases the unpickler hands out narrowed:
    ``base.__new__(cls, state)`` and ``base.__init__(obj, state)`` consume ``state`` exactly as
    calling the base would, so the same arguments are refused."""
    import copyreg

    real = _NARROWED_BASES.get(id(base))
    if real is not None:
        problem = container_args_problem(real, (state,))
        if problem:
            raise ValueError(problem)
        base = real
    return copyreg._reconstructor(cls, base, state)  # type: ignore[attr-defined]


_reconstructor.__module__ = "copyreg"  # as the file names it, in messages


def _defaultdict(*args: Any) -> Any:
    """``collections.defaultdict(factory)``, with the real builtin as the factory when the file
    names ``builtins.list``/``set``/``tuple`` (handed out narrowed, see above): the model keeps
    the builtin itself, as it did when it was pickled (and as the use-time walk expects)."""
    import collections

    if args:
        args = (_NARROWED_BASES.get(id(args[0]), args[0]), *args[1:])
    return collections.defaultdict(*args)


#: Allowed names the unpickler hands out in a narrower form (exact resolved names).
_NARROWED: dict[tuple[str, str], Any] = {
    ("collections", "Counter"): _counter_from_dict,
    ("decimal", "Decimal"): _decimal_from_str,
    ("copyreg", "_reconstructor"): _reconstructor,
    ("collections", "defaultdict"): _defaultdict,
    **_NARROWED_FORMS,
}


class _ViewReader:
    """A read-only file over a buffer, for the C unpickler: no copy of the buffer is made.

    (``io.BytesIO`` copies anything that is not ``bytes``.) The unpickler reads frames with
    ``read``, prefetches unframed data with ``peek``, and reads large byte strings straight into
    their destination with ``readinto``.
    """

    __slots__ = ("_buf", "_pos", "_size", "_view")

    def __init__(self, buf: Buffer) -> None:
        self._buf = buf
        self._view = memoryview(buf).cast("B")
        self._pos = 0
        self._size = len(self._view)

    def read(self, n: int = -1) -> bytes:
        start = self._pos
        end = self._size if n is None or n < 0 else min(self._size, start + n)
        self._pos = end
        return bytes(self._view[start:end])

    def peek(self, n: int = 0) -> bytes:
        """Up to ``n`` bytes ahead, without moving. The C unpickler prefetches with it, so
        streams without frames (protocols 0-3) are not read one opcode per call."""
        start = self._pos
        return bytes(self._view[start : start + max(n, 1)])

    def readinto(self, target: Any) -> int:
        out = memoryview(target).cast("B")
        start = self._pos
        n = min(len(out), self._size - start)
        out[:n] = self._view[start : start + n]
        self._pos = start + n
        return n

    def readline(self, limit: int = -1) -> bytes:
        start = self._pos
        buf = self._buf
        if isinstance(buf, (bytes, bytearray, mmap.mmap)):
            nl = buf.find(b"\n", start)
        else:  # a memoryview: search a copy of the rest (protocols 0-1 only read lines)
            nl = bytes(self._view[start:]).find(b"\n")
            nl = start + nl if nl >= 0 else -1
        end = self._size if nl < 0 else nl + 1
        if limit is not None and limit >= 0:
            end = min(end, start + limit)
        self._pos = end
        return bytes(self._view[start:end])

    def tell(self) -> int:
        return self._pos


class _CUnpickler(pickle.Unpickler):
    """The C unpickler with an allowlisted ``find_class`` and no persistent ids. ``buffers`` are
    only ever the views safeload itself put in place of bytearrays (:func:`_rewrite_pickle`):
    the analysis refuses any stream that has a buffer opcode of its own."""

    def __init__(self, file: io.BytesIO | _ViewReader, guard: _Guard, buffers: Any = None) -> None:
        super().__init__(
            file, fix_imports=False, encoding="ASCII", errors="strict", buffers=buffers
        )
        self._guard = guard

    def find_class(self, module: str, name: str) -> Any:
        return self._guard(module, name)


def _wrap_errors(source: str, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except SafeloadError:
        raise
    except RecursionError as exc:
        raise MalformedArtifactError(f"{source}: nested too deeply to load", path=source) from exc
    except MemoryError as exc:
        raise MalformedArtifactError(f"{source}: ran out of memory loading", path=source) from exc
    except Exception as exc:
        raise MalformedArtifactError(
            f"{source} could not be loaded: {type(exc).__name__}: {exc}", path=source
        ) from exc


def analyse_stream(
    data: Buffer, policy: Policy, limits: Limits, source: str, *, joblib: bool
) -> StreamAnalysis:
    """The static pass alone: raises for structural problems and untrusted names, builds
    nothing. Its result can be handed to :func:`load_pickle_stream` / :func:`load_joblib_stream`
    for the same bytes and policy."""
    return _analyse_or_refuse(data, policy, limits, source, joblib=joblib)


def _writable(data: Buffer) -> bool:
    return not memoryview(data).readonly


def load_pickle_stream(
    data: Buffer,
    policy: Policy,
    limits: Limits,
    source: str,
    analysis: StreamAnalysis | None = None,
    *,
    views: bool = False,
) -> Any:
    """Analyse (unless ``analysis`` is given) then load one plain pickle stream under
    ``policy``.

    ``views=True`` hands ``data`` over to the load: numpy arrays of protocol 5 (4 KiB and more)
    become views into it instead of copies, and it is rearranged to align them (see
    :func:`_rewrite_pickle`). The caller must not use ``data`` again. Read-only buffers are
    never viewed.
    """
    if analysis is None:
        analysis = _analyse_or_refuse(data, policy, limits, source, joblib=False)
    guard = _Guard(policy, analysis.resolved, source)
    if views and analysis.buffer_views and _writable(data):
        return _load_with_views(data, analysis, guard)
    f = _ViewReader(data)
    obj = _wrap_errors(source, lambda: _CUnpickler(f, guard).load())
    if f.tell() != len(data):  # pragma: no cover - the analysis checked the same thing
        raise MalformedArtifactError(f"{source}: bytes after STOP", path=source)
    return obj


#: A FRAME opcode: one byte and an 8-byte frame length.
_FRAME_OP = 9


def _splice(data: Buffer, analysis: StreamAnalysis, cuts: list[tuple[int, int, bytes]]) -> bytes:
    """``data`` as one plain stream for the C unpickler: each ``(start, end)`` range replaced by
    its bytes, and the top-level FRAME opcodes dropped (frames are only a buffering hint, and the
    cuts change the frames' lengths). Every range is at opcode boundaries the analysis found,
    and none overlap."""
    cuts += [(f, f + _FRAME_OP, b"") for f in analysis.frame_ops]
    cuts.sort()
    out = bytearray()
    cur = 0
    view = memoryview(data)
    for start, end, replacement in cuts:
        if start < cur:  # pragma: no cover - the analysis never produces overlapping cuts
            raise MalformedArtifactError("overlapping regions in the stream")
        out += view[cur:start]
        out += replacement
        cur = end
    out += view[cur:]
    return bytes(out)


#: ``BYTEARRAY8`` is one opcode byte and an 8-byte length before its data.
_BYTEARRAY8_HEADER = 9
_NEXT_BUFFER = pickle.NEXT_BUFFER
#: Not a pickle opcode.
_SPENT = 0


def _rewrite_pickle(data: Buffer, analysis: StreamAnalysis) -> tuple[bytes, list[memoryview]]:
    """The stream with each bytearray of ``analysis.buffer_views`` replaced by ``NEXT_BUFFER``
    (see :func:`_splice`), and the buffers to feed it: views of ``data``, in stream order.

    The pickler put each array's data right after its 9-byte header, at any address. Where that
    is not 16-byte aligned, the data is moved back over its own header (at most 9 bytes, which
    the new stream no longer needs) to the nearest 16- or else 8-byte boundary, so that numpy
    gets an aligned view. This is why ``data`` is spent afterwards, and marked so.
    """
    cuts = [
        (pos, pos + _BYTEARRAY8_HEADER + size, _NEXT_BUFFER) for pos, size in analysis.buffer_views
    ]
    stream = _splice(data, analysis, cuts)
    view = memoryview(data).cast("B")
    base: int = np.frombuffer(view, dtype=np.uint8).ctypes.data
    buffers: list[memoryview] = []
    for pos, size in analysis.buffer_views:
        start = pos + _BYTEARRAY8_HEADER
        back = (base + start) % 16
        if back > _BYTEARRAY8_HEADER:
            back -= 8
        if back:
            view[start - back : start - back + size] = view[start : start + size]  # memmove
        buffers.append(view[start - back : start - back + size])
    if buffers:
        # The buffer no longer holds the stream. Its final STOP (never inside an array) becomes
        # an invalid opcode, so that reading the spent buffer again fails instead of loading
        # moved bytes.
        view[len(view) - 1] = _SPENT
    return stream, buffers


def _frombuffer_standin(real: Callable[..., Any], source: str) -> Callable[..., Any]:
    """numpy's ``_frombuffer``, except that its dtype must be one numpy's constructors make
    (checked again on what was built, behind the static pass), and that an array over one of
    safeload's views that is still not aligned for its dtype (alignment 16, such as
    ``longdouble``) is copied."""
    seen: dict[int, str | None] = {}

    def _frombuffer(*args: Any) -> Any:
        if len(args) > 1:
            check_built_dtype(args[1], seen, source)
        array = real(*args)
        if isinstance(args[0], memoryview) and not array.flags.aligned:
            array = array.copy(order="K")
        return array

    return _frombuffer


def _layout_disagrees(source: str) -> MalformedArtifactError:
    """The unpickler stopped short of, or ran past, what the analysis laid out for it."""
    return MalformedArtifactError(
        f"{source}: the loader and the analysis disagree about the stream's layout", path=source
    )


def _load_with_views(data: Buffer, analysis: StreamAnalysis, guard: _Guard) -> Any:
    source = guard.source
    for raw, real in analysis.resolved.items():
        if real in _FROMBUFFER:
            guard.substitutes[raw] = _frombuffer_standin(_resolve(*real), source)
    stream, buffers = _rewrite_pickle(data, analysis)
    pending = iter(buffers)
    f = io.BytesIO(stream)
    obj = _wrap_errors(source, lambda: _CUnpickler(f, guard, pending).load())
    if next(pending, None) is not None or f.tell() != len(stream):
        raise _layout_disagrees(source)
    return obj


def _rewrite_joblib(data: Buffer, analysis: StreamAnalysis) -> bytes:
    """The opcodes of a joblib stream as one plain pickle for the C unpickler (see
    :func:`_splice`): each inline array region is cut out, and each array wrapper's BUILD
    becomes TUPLE1 + REDUCE, so the wrapper stand-in is called with its state and the array it
    returns takes the wrapper's place on the stack, as joblib's own reader does.
    """
    cuts: list[tuple[int, int, bytes]] = [(b, b + 1, b"\x85R") for b in analysis.wrapper_builds]
    cuts += [(start, end, b"") for start, end in analysis.array_regions]
    return _splice(data, analysis, cuts)


class _ArrayRegions:
    """Builds each inline array, in stream order, from the bytes the analysis located."""

    def __init__(
        self, data: Buffer, analysis: StreamAnalysis, guard: _Guard, *, views: bool
    ) -> None:
        self.data: Buffer = data
        self.regions = list(reversed(analysis.array_regions))
        self.guard = guard
        self.views = views
        self.dtypes: dict[int, str | None] = {}

    def release(self) -> None:
        """Drop the buffer: the stand-in class refers to this object and, being a class, lives
        until the garbage collector runs."""
        self.data = b""

    def build(self, state: Any) -> Any:
        source = self.guard.source
        if not isinstance(state, dict) or not self.regions:
            raise MalformedArtifactError(
                f"{source}: joblib array wrapper out of place", path=source
            )
        start, end = self.regions.pop()
        subclass, dtype, shape, order = (
            state.get("subclass"),
            state.get("dtype"),
            state.get("shape"),
            state.get("order"),
        )
        if subclass is not np.ndarray and subclass is not np.memmap:
            raise MalformedArtifactError(f"{source}: array subclass refused", path=source)
        if (
            not isinstance(dtype, np.dtype)
            or not isinstance(shape, tuple)
            or order not in ("C", "F")
        ):
            raise MalformedArtifactError(f"{source}: bad joblib array metadata", path=source)
        check_built_dtype(dtype, self.dtypes, source)  # what numpy received, behind the pass
        if dtype.hasobject:
            nested = io.BytesIO(bytes(memoryview(self.data)[start:end]))
            array = _CUnpickler(nested, self.guard).load()
            if not isinstance(array, np.ndarray) or nested.tell() != end - start:
                raise MalformedArtifactError(f"{source}: bad object array", path=source)
            return array
        offset = start
        if "numpy_array_alignment_bytes" in state:
            offset += 1 + memoryview(self.data)[start]
        count = 1
        for n in shape:
            count *= int(n)
        nbytes = count * dtype.itemsize
        if offset + nbytes != end:
            raise MalformedArtifactError(
                f"{source}: joblib array at byte {start} does not fill the region the analysis "
                "found; refused",
                path=source,
            )
        array = np.frombuffer(self.data, dtype=dtype, count=count, offset=offset)
        flags = array.flags
        # Small arrays are copied too: a view keeps the whole buffer alive, and a model's small
        # arrays (a forest's ``classes_``, say) would pin all of it after the load.
        if not self.views or nbytes < VIEW_FROM or not (flags.writeable and flags.aligned):
            array = array.copy()
        array = array.reshape(shape[::-1]).T if order == "F" else array.reshape(shape)
        if not array.dtype.isnative and array.dtype.byteorder != "|":
            array = array.byteswap().view(array.dtype.newbyteorder("="))
        return array


def _wrapper_standin(regions: _ArrayRegions) -> type:
    """A class that stands in for joblib's NumpyArrayWrapper during one load."""

    class NumpyArrayWrapper:
        __slots__ = ()

        def __call__(self, state: Any) -> Any:
            return regions.build(state)

    return NumpyArrayWrapper


def load_joblib_stream(
    data: Buffer,
    policy: Policy,
    limits: Limits,
    source: str,
    analysis: StreamAnalysis | None = None,
    *,
    views: bool = False,
) -> Any:
    """Analyse then load one (decompressed) joblib stream under ``policy`` with the C unpickler.

    ``views=True`` hands ``data`` over to the load: arrays of 4 KiB and more become views into
    it where it is writable and they are aligned (no second copy), so the caller must not use
    ``data`` again. Otherwise, and for all other arrays, they are copies.
    """
    if analysis is None:
        analysis = _analyse_or_refuse(data, policy, limits, source, joblib=True)
    guard = _Guard(policy, analysis.resolved, source)
    if not analysis.wrapper_builds:
        f = _ViewReader(data)
        return _wrap_errors(source, lambda: _CUnpickler(f, guard).load())
    regions = _ArrayRegions(data, analysis, guard, views=views)
    standin = _wrapper_standin(regions)
    raw_wrapper = next(raw for raw, real in analysis.resolved.items() if real == JOBLIB_WRAPPER)
    guard.substitutes[raw_wrapper] = standin
    stream = io.BytesIO(_rewrite_joblib(data, analysis))
    try:
        obj = _wrap_errors(source, lambda: _CUnpickler(stream, guard).load())
    finally:
        regions.release()
    if regions.regions or stream.tell() != len(stream.getbuffer()):
        raise _layout_disagrees(source)
    return obj
