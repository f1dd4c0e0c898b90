"""pytest plugin (entry point ``safeload``): security regression tests in one line.

* ``safeload_attack_case``: a fixture parametrized over :func:`safeload.testing.attack_corpus`;
  a test that takes it runs once per published attack technique.
* ``--safeload-models DIR``: one test per model file under DIR (as ``safeload verify DIR``
  finds them: by name or by their first bytes; a signed folder is one test, and a symbolic
  link out of DIR a failing one), asserting that it carries a valid signature from a key in
  ``--safeload-keyring DIR|FILE.json`` (a folder of ``*.pub`` files or a JSON keyring, as for
  ``safeload verify --keyring``; or ``--safeload-pub FILE``) and loads under the default policy
  (plus ``--safeload-trust NAME``). Nothing is loaded without its signature being checked first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register the ``--safeload-*`` options."""
    group = parser.getgroup("safeload", "safeload model checks")
    group.addoption(
        "--safeload-models",
        metavar="DIR",
        default=None,
        help="check every model file under DIR: signed by a trusted key, loads safely",
    )
    group.addoption(
        "--safeload-keyring",
        metavar="DIR|FILE.json",
        default=None,
        help="trusted keys for --safeload-models: a directory of *.pub files, or a JSON "
        "keyring file (which sets its own threshold)",
    )
    group.addoption(
        "--safeload-pub",
        metavar="FILE",
        action="append",
        default=[],
        help="a trusted public key for --safeload-models (repeatable)",
    )
    group.addoption(
        "--safeload-threshold",
        type=int,
        default=None,
        help="distinct trusted keys that must have signed each model (default 1)",
    )
    group.addoption(
        "--safeload-trust",
        metavar="NAME",
        action="append",
        default=[],
        help="also trust this exact global when loading the models (repeatable)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Parametrize ``safeload_attack_case`` over the attack corpus."""
    if "safeload_attack_case" in metafunc.fixturenames:
        import importlib

        cases = importlib.import_module("safeload.testing").attack_corpus()
        metafunc.parametrize("safeload_attack_case", cases, ids=[c.name for c in cases])


class SafeloadModelItem(pytest.Item):
    """One model file: verify its signature, then load it through the restricted reader."""

    def __init__(self, *, path_to_check: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path_to_check = path_to_check

    def runtest(self) -> None:
        import safeload
        from safeload.cli._paths import list_folder

        ring = self.config.stash[_RING]
        trusted = self.config.getoption("--safeload-trust")
        path = self.path_to_check
        if path.is_symlink():
            raise safeload.SafeloadError(
                f"{path} is a symbolic link out of --safeload-models; the gate does not follow "
                "it (copy the model in, or name its folder)"
            )
        if path.is_dir():  # a signed folder: its signature as a whole, then each model in it
            safeload.verify(path, ring)
            for model in list_folder(path).files:
                safeload.load(model, ring, trusted=trusted)
            return
        safeload.load(path, ring, trusted=trusted)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        import safeload

        if isinstance(excinfo.value, safeload.SafeloadError):
            return f"{self.path_to_check}: {type(excinfo.value).__name__}: {excinfo.value}"
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path_to_check, 0, f"safeload model {self.path_to_check.name}"


_RING = pytest.StashKey[Any]()


def _keyring(config: pytest.Config) -> Any:
    """The keyring the options name, read once before any test runs: a missing or unreadable
    one is one usage error, not a failure with a traceback in every model's test."""
    import safeload
    from safeload.signing.keyring import Keyring
    from safeload.signing.keys import VerifyKey

    ring = config.getoption("--safeload-keyring")
    pubs = config.getoption("--safeload-pub")
    threshold = config.getoption("--safeload-threshold")
    try:
        if ring and Path(ring).is_file():
            if threshold is not None:
                raise pytest.UsageError(
                    f"--safeload-threshold conflicts with the keyring file {ring}, which sets its "
                    "own threshold; change it there, or drop --safeload-threshold"
                )
            return Keyring.from_file(ring)
        if ring:
            return Keyring.from_dir(ring, threshold=threshold or 1)
        if pubs:
            return Keyring([VerifyKey.from_file(p) for p in pubs], threshold=threshold or 1)
    except safeload.SafeloadError as exc:
        raise pytest.UsageError(f"safeload: {exc}") from None
    raise pytest.UsageError(
        "--safeload-models needs the keys that must have signed the models: "
        "--safeload-keyring DIR (*.pub files) or FILE.json (a JSON keyring), or "
        "--safeload-pub FILE (repeatable)"
    )


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Add one :class:`SafeloadModelItem` per model file under ``--safeload-models``."""
    root = config.getoption("--safeload-models")
    if not root:
        return
    base = Path(root)
    if not base.is_dir():
        raise pytest.UsageError(f"--safeload-models: {base} is not a directory")
    config.stash[_RING] = _keyring(config)
    from safeload.cli._paths import expand

    # what `safeload verify DIR` checks: every model file whatever its name (its first bytes
    # tell), each signed folder as a whole, and the links out of DIR, reported rather than
    # passed over (rt43-04: a suffix filter and rglob skipped finalized_model.sav,
    # model.pkl.gz, a symlinked folder and a tampered signed folder's files)
    for entry in expand([str(base)]):
        path = Path(entry)
        rel = path.relative_to(base).as_posix()
        items.append(
            SafeloadModelItem.from_parent(
                session, name=f"safeload-model[{rel}]", path_to_check=path
            )
        )
