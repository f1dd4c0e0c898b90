"""The refusal messages for names a file needs: why each is refused, and what to do.

Every message names the file and all the untrusted globals. A file that names a known
code-execution primitive is told so, with no way to allow it; names that reviewed trust profiles
cover point at the profile; other names get the exact ``trusted=`` / ``--trust`` that allows them.
"""

from __future__ import annotations

import sys

from safeload._trust_checks import only_unreviewed
from safeload.exceptions import UntrustedTypeError
from safeload.policy import Policy, format_name, imported_object, name_runs_code, never_trustable

__all__ = ["untrusted_error"]


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
    if never and only_unreviewed(never):
        return UntrustedTypeError(
            f"{source} refers to {len(never)} name(s) of installed packages safeload has not "
            "reviewed, which trusted= refuses by name:\n"
            + "\n".join(f"  - {n}: {why}" for n, why in never.items())
            + f"\nAll {len(names)} untrusted global(s):\n{listed}\nNothing was deserialized. "
            "If the file is not from you, do not load it; if these classes are from a package "
            "of your own, pass the classes themselves: load(..., trusted=[TheClass]).",
            names=names,
            path=source,
        )
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


def _near(module: str, qualname: str) -> str:
    """``"; did you mean module.Other"`` when the module has a name close to ``qualname``."""
    import difflib

    mod = sys.modules.get(module)
    if mod is None or "." in qualname:
        return ""
    close = difflib.get_close_matches(qualname, [n for n in dir(mod) if not n.startswith("__")])
    return f"; did you mean {format_name(module, close[0])}?" if close else ""
