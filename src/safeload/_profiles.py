"""The opt-in trust profiles, as the public layer shows them (re-exported by
:mod:`safeload.api`): which exist, which trust a name, and the installed version of the library
each covers.
"""

from __future__ import annotations

from safeload.trust.profiles import Profile as TrustProfile

__all__ = ["TrustProfile", "installed_version", "profiles_for_name", "trust_profiles"]


def trust_profiles() -> dict[str, TrustProfile]:
    """The opt-in trust profiles by name (``profiles=[...]``, ``--profile NAME``): each with
    the names it trusts and why, what it leaves out and why, and the library versions it was
    reviewed against."""
    from safeload.trust.profiles import PROFILES

    return dict(PROFILES)


def profiles_for_name(name: str) -> list[str]:
    """The trust profiles that trust the global ``name`` (``module.Name`` or
    ``module:Outer.Inner``, as reports write it); empty if none does."""
    from safeload.trust.profiles import profile_for_name

    module, _, qualname = name.partition(":") if ":" in name else name.rpartition(".")
    return profile_for_name(module, qualname)


def installed_version(profile: TrustProfile) -> str | None:
    """The installed version of the library ``profile`` covers, read from its distribution
    metadata (nothing is imported), or ``None`` when it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    for dist in (profile.library, f"{profile.library}-cpu"):
        try:
            return version(dist)
        except PackageNotFoundError:
            continue
    return None
