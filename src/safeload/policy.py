"""The allowlist: which globals a pickle or joblib stream may resolve, and the resource limits.

Entries are exact ``(module, qualname)`` pairs, each with a one-line reason. There are no
prefixes, wildcards or "trust everything" switches: a name is trusted only if that exact pair is
listed. A dotted qualname (``"Outer.Inner"``) is trusted only if that dotted qualname itself is
listed; safeload never walks attributes from a trusted module to reach something else.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any

from safeload._global_names import CODE_MODULES as CODE_MODULES
from safeload._global_names import CODE_NAMES as CODE_NAMES
from safeload._global_names import INERT_NAMES as INERT_NAMES
from safeload._global_names import format_name, name_runs_code, parse_name, runs_code
from safeload._trust_checks import ONLY_CLASSES as ONLY_CLASSES
from safeload._trust_checks import (
    TrustedSpec,
    _import_name,
    _spec_pair,
    is_stdlib,
    never_trustable,
    own_packages,
    trust_problem,
)
from safeload._trust_checks import imported_object as imported_object
from safeload.exceptions import UsageError

__all__ = [
    "Limits",
    "Policy",
    "TrustedSpec",
    "format_name",
    "name_runs_code",
    "never_trustable",
    "own_packages",
    "parse_name",
    "reviewed",
    "runs_code",
    "trust_problem",
]

# The names of globals and the code-execution primitives live in safeload._global_names, the
# checks of what a caller may trust in safeload._trust_checks; both are re-exported here.


# --- what a caller may trust: classes only --------------------------------------------------


def reviewed(module: str, qualname: str) -> bool:
    """True if the pair is on the default allowlist: reviewed, with a reason, functions
    included. Any other name a policy holds must be a class (see :func:`trust_problem`)."""
    return (module, qualname) in Policy.default().entries


def _given_pairs(specs: Iterable[TrustedSpec]) -> frozenset[tuple[str, str]]:
    """The names among ``specs`` given as the objects themselves (not as text)."""
    return frozenset(
        _spec_pair(spec)
        for spec in specs
        if not isinstance(spec, (str, bytes, bool)) and spec is not None
    )


def _spec_to_pair(spec: TrustedSpec, own: frozenset[str] = frozenset()) -> tuple[str, str]:
    pair = _spec_pair(spec)
    if runs_code(*pair):
        raise UsageError(
            f"refusing to trust {format_name(*pair)}: it is a known code-execution primitive "
            "(it can run code, import modules, open files or start processes). A file that "
            "refers to it tries to run code: do not load that file."
        )
    if reviewed(*pair):
        return pair
    if isinstance(spec, str) and is_stdlib(pair[0]):
        # refused before anything is imported: importing a module the name chose may run
        # code of its own (antigravity opens a browser, rt87-06)
        import difflib

        # (a near miss among the names the module already holds, when it is imported: read,
        # not imported here)
        loaded = sys.modules.get(pair[0])
        known = [q for m, q in Policy.default().entries if m == pair[0]]
        known += [str(n) for n in vars(loaded)] if loaded is not None else []
        close = difflib.get_close_matches(pair[1], known, n=1, cutoff=0.8)
        hint = f" (did you mean {format_name(pair[0], close[0])}?)" if close else ""
        raise UsageError(
            f"refusing to trust {format_name(*pair)}: it is a name of the Python standard "
            "library that is not on the default allowlist; many such names open files, "
            f"sockets or processes. Ask for it to be reviewed.{hint}"
        )
    if isinstance(spec, str):
        try:
            obj = _import_name(*pair)
        except Exception:  # not importable here: checked when a load resolves it
            return pair
    else:
        obj = spec
    problem = trust_problem(obj, own=own)
    if problem is not None:
        raise UsageError(f"refusing to trust {format_name(*pair)}: {problem}.")
    return pair


@dataclass(frozen=True)
class Limits:
    """Resource limits for reading one artifact. Exceeding any raises ``LimitExceededError``.

    The defaults fit scikit-learn models of many gigabytes; lower them for untrusted input.
    """

    #: Largest artifact file read from disk, in bytes.
    max_file_size: int = 32 * 2**30
    #: Largest decompressed joblib stream, in bytes (decompression bombs).
    max_decompressed_size: int = 32 * 2**30
    #: Deepest container nesting the stream may build.
    max_depth: int = 1000
    #: Most opcodes in one stream.
    max_opcodes: int = 200_000_000
    #: Largest single length a stream may claim (strings, bytes, arrays), in bytes.
    max_item_size: int = 32 * 2**30

    def __post_init__(self) -> None:
        # A negative or non-integer limit would make every comparison meaningless (``-1``
        # refuses everything, ``float("inf")`` or ``None`` breaks the checks): refuse it here,
        # where the caller made it, rather than at the first load.
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise UsageError(
                    f"Limits({f.name}={value!r}): every limit is a positive whole number "
                    f"(the default is {f.default})"
                )


@dataclass(frozen=True)
class Policy:
    """An exact allowlist of globals, each ``(module, qualname)`` mapped to the reason it is safe.

    Build one with :meth:`default` and :meth:`with_trusted`; a ``Policy`` is immutable and can be
    shared between threads.
    """

    entries: Mapping[tuple[str, str], str] = field(default_factory=dict)
    #: The trust profiles this policy includes (:meth:`with_profiles`); their names are
    #: reviewed like the default's, so functions among them may be trusted.
    profiles: tuple[str, ...] = ()
    #: The names the caller trusted by passing the class object itself (:meth:`with_trusted`):
    #: a class of the caller's own installed package, checked when trusted.
    given: frozenset[tuple[str, str]] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", MappingProxyType(dict(self.entries)))
        object.__setattr__(self, "profiles", tuple(self.profiles))
        object.__setattr__(self, "given", frozenset(self.given))

    def with_profiles(self, names: Iterable[str]) -> Policy:
        """Return a copy that also trusts every name of the given trust profiles (and of the
        profiles they require), each with the profile's reason.

        Raises :class:`~safeload.UsageError` for an unknown profile name; ``safeload
        profiles`` lists the known ones and what each trusts.
        """
        from safeload.trust.profiles import resolve_profiles

        found = resolve_profiles(names)
        new = dict(self.entries)
        for profile in found:
            for module, qualname, reason in profile.entries:
                new.setdefault((module, qualname), f"[profile {profile.name}] {reason}")
        added = tuple(p.name for p in found if p.name not in self.profiles)
        return Policy(new, (*self.profiles, *added), self.given)

    def reviewed(self, module: str, qualname: str) -> bool:
        """True if the pair is on the default allowlist or in one of this policy's profiles:
        reviewed with a reason, so it may be a function (any other name must be a class)."""
        if reviewed(module, qualname):
            return True
        if not self.profiles or (module, qualname) not in self.entries:
            return False
        from safeload.trust.profiles import PROFILES

        return any((module, qualname) in PROFILES[name].names() for name in self.profiles)

    @classmethod
    def default(cls) -> Policy:
        """The built-in allowlist: scikit-learn estimators and their internals, numpy, scipy
        sparse matrices, harmless builtins. Built once, on first use."""
        return _default_policy()

    @classmethod
    def empty(cls) -> Policy:
        """A policy that trusts nothing (every global is refused)."""
        return cls({})

    def with_trusted(
        self, trusted: Iterable[TrustedSpec], reason: str = "trusted by caller"
    ) -> Policy:
        """Return a copy that also trusts each name or object in ``trusted``.

        Accepts ``"module.Name"``, ``"module:Outer.Inner"`` or the class itself. Refuses ``True``,
        anything that is not one exact name, and (``UsageError``) a name that resolves to
        anything but a class, or to a class :func:`trust_problem` refuses; a name that cannot be
        imported yet is checked when a load resolves it. A class of an installed package other
        than scikit-learn is refused by name; passed as the class object itself, it is taken
        as the caller's own.
        """
        specs: list[Any] = [trusted] if isinstance(trusted, (str, bytes, bool)) else list(trusted)
        new = dict(self.entries)
        given = self.given | _given_pairs(specs)
        # (a class passed as the object makes its package the caller's, for every name
        # trusted with it: a class of one's own package deriving from another's, rt96-06)
        own = own_packages(given)
        for spec in specs:
            new.setdefault(_spec_to_pair(spec, own), reason)
        return Policy(new, self.profiles, given)

    def allows(self, module: str, qualname: str) -> bool:
        """True if exactly ``module`` / ``qualname`` is on the list."""
        return (module, qualname) in self.entries

    def reason(self, module: str, qualname: str) -> str | None:
        """The reason recorded for an entry, or ``None`` if it is not trusted."""
        return self.entries.get((module, qualname))

    def __contains__(self, name: object) -> bool:
        if isinstance(name, tuple) and len(name) == 2:
            return name in self.entries
        if isinstance(name, str):
            try:
                return parse_name(name) in self.entries
            except ValueError:
                return False
        return False

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(sorted(self.entries))

    def __len__(self) -> int:
        return len(self.entries)


_lock = threading.Lock()
_default: Policy | None = None


def _default_policy() -> Policy:
    global _default
    with _lock:
        if _default is None:
            from safeload._allowlist import default_entries

            _default = Policy(default_entries())
        return _default


def resolve_policy(
    policy: Policy | None, trusted: Iterable[TrustedSpec], profiles: Iterable[str] = ()
) -> Policy:
    """The policy a load runs under: ``policy`` (or the default) plus the names of the trust
    ``profiles`` plus ``trusted``."""
    from safeload.trust.profiles import resolve_profiles

    specs: list[Any] = [trusted] if isinstance(trusted, (str, bytes, bool)) else list(trusted)
    wanted = [p.name for p in resolve_profiles(profiles)]  # usage errors before any work
    own = own_packages(_given_pairs(specs))
    for spec in specs:
        _spec_to_pair(spec, own)  # validates before the (lazy) default list is built
    base = policy if policy is not None else Policy.default()
    if wanted:
        base = base.with_profiles(wanted)
    return base.with_trusted(specs) if specs else base
