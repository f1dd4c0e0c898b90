"""The two checks every stream passes: the static pass before anything is built, and the
``find_class`` that resolves names while building.

:func:`_analyse_or_refuse` runs the static pass (:func:`safeload.pickle.walker.analyze`): a
structural problem raises ``MalformedArtifactError`` and any untrusted global raises
``UntrustedTypeError`` listing all of them, before a single object is built. :class:`_Guard` is
then the unpickler's ``find_class``: it resolves nothing but exact allowlisted names that the
analysis also saw (a disagreement between the two views is refused).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from safeload._trust_checks import is_stdlib
from safeload._types import Buffer
from safeload.exceptions import LimitExceededError, MalformedArtifactError, UntrustedTypeError
from safeload.pickle.advice import _near, untrusted_error
from safeload.pickle.analysis import StreamAnalysis, refuse_unless_clean
from safeload.pickle.discards import RECORDER
from safeload.pickle.narrowed import _NARROWED
from safeload.pickle.walker import analyze
from safeload.policy import Limits, Policy, format_name, own_packages, runs_code, trust_problem
from safeload.trust.pandas_calls import narrowed_form
from safeload.trust.pandas_forms import PANDAS_NAMES

__all__ = ["JoblibContentError"]


def _resolve(module: str, qualname: str) -> Any:
    """Import ``module`` and follow the exact, already-allowlisted qualname inside it."""
    mod = sys.modules.get(module)
    if mod is None:
        mod = importlib.import_module(module)
    obj: Any = mod
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


def _before_import_problem(policy: Policy, module: str, name: str) -> str | None:
    """Why a name the policy allows but no list reviewed is refused before its module is
    imported (importing antigravity opens a browser, rt88-10), or ``None``: a known
    code-execution primitive, or a standard-library name off the default allowlist."""
    if policy.reviewed(module, name):
        return None
    if runs_code(module, name):
        return "it is a known code-execution primitive"
    if is_stdlib(module):
        return "it is a name of the Python standard library that is not on the default allowlist"
    return None


def trusted_name_problem(policy: Policy, module: str, name: str) -> str | None:
    """Why a load would refuse the name ``module.name`` that ``policy`` allows when it
    resolves it, or ``None``: a name no list reviewed (a policy built by hand, a caller's
    name not importable when it was trusted) must be neither a standard-library nor a
    primitive name, and must resolve to a class :func:`trust_problem` accepts. ``scan``
    asks the same of the names a file uses (rt96-04); a name that cannot be imported is
    refused by the load too."""
    if policy.reviewed(module, name) or (module, name) in _NARROWED:
        return None
    if (module, name) in PANDAS_NAMES:
        return None  # (handed out narrowed, however trusted)
    why = _before_import_problem(policy, module, name)
    if why is not None:
        return why
    try:
        obj = _resolve(module, name)
    except Exception as exc:  # (the load refuses it too: rt98-04, a RuntimeError on import)
        return f"it cannot be imported here ({type(exc).__name__}: {exc})"
    return trust_problem(obj, own=own_packages(policy.given))


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
        #: the caller's names already found trustable in this load (checked once each)
        self.checked: set[tuple[str, str]] = set()
        #: the list that keeps what the stream discards, handed out for ``RECORDER`` only in a
        #: stream the load rewrote (see safeload.pickle.discards); ``None``: not rewritten
        self.recorder: list[Any] | None = None

    def __call__(self, raw_module: str, raw_name: str) -> Any:
        if self.recorder is not None and (raw_module, raw_name) == RECORDER:
            return self.recorder
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
        why = _before_import_problem(self.policy, module, name)
        if why is not None:  # (a policy built by hand may hold such a name)
            raise UntrustedTypeError(
                f"{self.source}: the policy trusts {format_name(module, name)}, but {why}; "
                "it was not imported, and nothing was built from it",
                names=[format_name(module, name)],
                path=self.source,
            )
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
        if not self.policy.reviewed(module, name) and (module, name) not in self.checked:
            # a caller's name not importable when it was trusted is checked now (rt14 f05),
            # once a load (160,000 GLOBALs of one name took 21 s, rt98-05)
            problem = trust_problem(obj, own=own_packages(self.policy.given))
            if problem is None:
                self.checked.add((module, name))
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
