"""One attack case run by one check, in this process: the result of a run, the unsafe loader
each case targets, and the checks a run can make (``plain``, ``loader``, ``signed``, ``scan``).
:mod:`safeload.testing` runs them in child processes (:mod:`safeload._attack_children`) and
re-exports the public names.
"""

from __future__ import annotations

import importlib
import inspect
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safeload._attacks import CHECKS, AttackCase
from safeload.exceptions import (
    SafeloadError,
)


@dataclass(frozen=True)
class CaseResult:
    """What happened when one check ran on one case."""

    name: str
    check: str
    #: The marker file exists afterwards: the payload ran.
    marker_created: bool
    #: ``module.QualName`` of the exception raised, ``None`` if the call returned, or
    #: ``"<timeout>"`` / ``"<crashed ...>"`` when the child process did not report.
    raised: str | None
    message: str = ""
    #: The exception is an instance of the case's ``expect``.
    expected: bool = False
    #: The exception is a :class:`~safeload.SafeloadError`.
    safeload_error: bool = False
    #: For ``scan``: the report's verdict (``safe``/``unsafe``), if it returned one.
    verdict: str | None = None
    seconds: float = 0.0

    @property
    def got_through(self) -> bool:
        """The payload ran, the load returned normally, or the scan called it safe."""
        if self.marker_created:
            return True
        if self.check == "scan":
            return self.verdict == "safe"
        return self.raised is None

    @property
    def refused(self) -> bool:
        """Cleanly refused: no marker, and a ``SafeloadError`` (or an ``unsafe`` verdict)."""
        if self.marker_created:
            return False
        return self.safeload_error or (self.check == "scan" and self.verdict == "unsafe")

    def describe(self) -> str:
        """One line for failure reports."""
        what = "MARKER CREATED; " if self.marker_created else ""
        if self.verdict is not None:
            what += f"verdict {self.verdict}"
        elif self.raised is None:
            what += "returned without raising"
        else:
            what += f"raised {self.raised}: {self.message[:200]}"
        return f"{self.name} [{self.check}]: {what}"


def use_loaded(case: AttackCase, obj: object) -> object:
    """For a use-time case, call the method it names on a loaded object, as a user would
    (``obj.predict(numpy.zeros(USE_INPUT_SHAPE))``); otherwise return ``obj``. Exceptions from the
    method are swallowed: what matters is whether the marker appears."""
    if case.use is None:
        return obj
    import numpy as np

    from safeload._usetime_attacks import USE_INPUT_SHAPE

    try:
        return getattr(obj, case.use)(np.zeros(USE_INPUT_SHAPE))
    except Exception:  # a failing predict after the write is the common case
        return None


def plain_load(case: AttackCase, data: bytes, path: str) -> object:
    """Run the UNSAFE loader ``case`` targets on its bytes / file (and, for a use-time case,
    the method it names). This executes the payload: call it only in a throwaway process (as
    :func:`run_isolated` does)."""
    return use_loaded(case, _plain_load(case, data, path))


def _plain_load(case: AttackCase, data: bytes, path: str) -> object:
    kind = case.plain_loader
    if kind == "pickle":
        import pickle

        return pickle.loads(data)  # noqa: S301
    if kind == "pickle-twice":
        import pickle

        with open(path, "rb") as fh:
            pickle.load(fh)  # noqa: S301
            return pickle.load(fh)  # noqa: S301
    if kind == "joblib":
        import joblib

        return joblib.load(path)
    if kind == "skops-trusted":
        import skops.io

        return skops.io.loads(data, trusted=skops.io.get_untrusted_types(data=data))
    return None


def _qualname(exc: BaseException) -> str:
    cls = type(exc)
    return f"{cls.__module__}.{cls.__qualname__}"


def _execute(
    case: AttackCase, check: str, workdir: str | os.PathLike[str], fn: Callable[[bytes, str], Any]
) -> CaseResult:
    """Build ``case`` into ``workdir`` and call ``fn(data, path)``; a returned string is taken
    as a scan verdict."""
    wd = Path(workdir).resolve()
    wd.mkdir(parents=True, exist_ok=True)
    marker = wd / "marker"
    data = case.build(str(marker))
    path = wd / case.filename
    path.write_bytes(data)
    start = time.monotonic()
    raised: str | None = None
    message = ""
    expected = is_safeload = False
    verdict: str | None = None
    try:
        out = fn(data, str(path))
        if isinstance(out, str):
            verdict = out
    except Exception as exc:
        raised, message = _qualname(exc), f"{exc}"
        expected, is_safeload = isinstance(exc, case.expect), isinstance(exc, SafeloadError)
    return CaseResult(
        case.name,
        check,
        marker.exists(),
        raised,
        message,
        expected,
        is_safeload,
        verdict,
        round(time.monotonic() - start, 3),
    )


def run_case(
    case: AttackCase, loader: Callable[[bytes, str], object], workdir: str | os.PathLike[str]
) -> CaseResult:
    """Write ``case`` into ``workdir`` (marker ``workdir/marker``), call ``loader(data, path)``
    in this process and report what happened. Use a fresh directory per call."""
    return _execute(
        case, "loader", workdir, lambda data, path: (use_loaded(case, loader(data, path)), None)[1]
    )


def _limits_kw(case: AttackCase) -> dict[str, Any]:
    if not case.limits:
        return {}
    from safeload.policy import Limits

    return {"limits": Limits(**case.limits)}


def _import_spec(spec: str) -> Callable[..., object]:
    module, _, attr = spec.partition(":")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    if not callable(obj):
        raise TypeError(f"{spec} is not callable")
    return obj  # type: ignore[no-any-return]


def _spec_of(loader: Callable[..., object] | str | None) -> str:
    if loader is None:
        return "safeload:load_unsigned"
    if isinstance(loader, str):
        if ":" not in loader:
            raise ValueError(f"loader spec {loader!r} must look like 'package.module:function'")
        return loader
    module, qualname = getattr(loader, "__module__", None), getattr(loader, "__qualname__", "")
    if not module or not qualname or "<" in qualname or module == "__main__":
        raise TypeError(
            f"{loader!r} cannot be imported in a subprocess; pass a module-level function or "
            "its 'package.module:function' spec"
        )
    return f"{module}:{qualname}"


def _check_fn(case: AttackCase, check: str, loader: Callable[..., object] | None) -> Any:
    import safeload

    kw = _limits_kw(case)
    if check == "plain":
        return lambda data, path: plain_load(case, data, path)
    if check == "loader":
        fn = loader or safeload.load_unsigned
        try:
            takes_limits = "limits" in inspect.signature(fn).parameters
        except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
            takes_limits = False
        return lambda data, path: use_loaded(case, fn(path, **(kw if takes_limits else {})))
    if check == "signed":

        def signed(data: bytes, path: str) -> object:
            key = safeload.SigningKey.generate()
            safeload.sign(path, key, format=case.format)
            return use_loaded(case, safeload.load(path, key.public_key, **kw))

        return signed
    if check == "scan":
        return lambda data, path: safeload.scan(path, **kw).verdict
    raise ValueError(f"unknown check {check!r}; use one of {CHECKS}")
