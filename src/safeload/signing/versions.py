"""The library versions a signature records, and the warning when a load runs with others."""

from __future__ import annotations

import functools
import warnings

from safeload.sidecar import Statement

__all__ = [
    "InconsistentVersionWarning",
    "VersionMismatchWarning",
    "environment",
    "signer_environment",
]


class VersionMismatchWarning(UserWarning):
    """The artifact was saved with library versions that differ from the running ones.

    safeload's own class, not scikit-learn's ``sklearn.exceptions.InconsistentVersionWarning``
    (which scikit-learn itself still raises when it unpickles an estimator): filter this one
    to silence safeload's warning."""


#: The name this warning had before 0.2; the same class, kept so existing filters still work.
InconsistentVersionWarning = VersionMismatchWarning


def signer_environment() -> dict[str, str]:
    """What :func:`sign` records for a file it did not write: only the signer's safeload
    version. The libraries the file was saved with are unknown to it, and recording the
    signer's would make a load warn about, and `inspect` show, versions the file never had."""
    return {k: v for k, v in environment().items() if k == "safeload"}


def _dist_version(dist: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return None


#: Distributions whose versions are recorded at save time and compared at load time.
_TRACKED = ("scikit-learn", "joblib", "numpy", "scipy", "skops", "safeload")


def environment() -> dict[str, str]:
    """Versions recorded in the predicate: Python and the libraries that shape the pickle."""
    return dict(_environment())


@functools.lru_cache(maxsize=1)
def _environment() -> tuple[tuple[str, str], ...]:
    import platform

    env = [("python", platform.python_version())]
    for dist in _TRACKED:
        v = _dist_version(dist)
        if v is not None:
            env.append((dist, v))
    return tuple(env)


def warn_versions(statement: Statement, source: str) -> None:
    running = environment()
    for dist in ("scikit-learn", "joblib", "numpy"):
        saved = statement.predicate.environment.get(dist)
        now = running.get(dist)
        if saved is not None and now is not None and saved != now:
            warnings.warn(
                f"{source} was saved with {dist} {saved} and is being loaded with {dist} {now}. "
                "This might lead to breaking code or invalid results; re-save the model with "
                "the running version if possible.",
                VersionMismatchWarning,
                stacklevel=5,
            )
