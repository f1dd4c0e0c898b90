"""Red team 89's trust findings (rt89-06, 07, 08), fixed beside its reproducers: classes of
development, test and scanning tools installed next to safeload (mypy, pytest, xdist,
pygments, modelscan, skops' model cards) act while they are built (run a name their settings
give, load another pickle, delete a path, start a process, import a module, bind a socket,
walk a tree, dup file descriptors). Their modules joined ``CODE_MODULES``: ``trusted=`` refuses
them, a refusal's advice never offers them (it says the file tries to run code), and
``scan(trusted=...)`` does not call such a file safe.

Every stream here is written opcode by opcode: none of these classes is built in this
process, by the test or by safeload. A user's own class is still trusted, and skops.io still
loads.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import safeload
from redteam import write
from safeload.exceptions import SafeloadError, UsageError
from safeload.policy import Policy, name_runs_code, runs_code


def call_stream(module: str, qualname: str, *args: object) -> bytes:
    """A protocol-2 pickle that calls ``module.qualname(*args)``: GLOBAL, the arguments' tuple
    (plain values, pickled on their own), REDUCE. Nothing is imported to write it."""
    assert "." not in qualname
    arguments = pickle.dumps(tuple(args), protocol=2)[2:-1]  # no PROTO, no STOP
    return b"\x80\x02c" + f"{module}\n{qualname}\n".encode() + arguments + b"R."


#: (the package a case needs, the class's module, its name, harmless arguments of the arity
#: the class takes). The arguments name nothing that exists: were a class built by mistake,
#: it would find no file, folder, command or module to act on.
CASES = [
    ("modelscan", "modelscan.modelscan", "ModelScan", ({"scanners": {}, "middlewares": {}},)),
    ("skops.card", "skops.card._model_card", "Card", ("no-such-model.pkl",)),
    ("mypy", "mypy.build", "WorkerClient", ("no-such-status.json", "{}", {})),
    ("mypy", "mypy.dmypy_server", "Server", ({}, "no-such-status.json")),
    ("mypy", "mypy.options", "Options", ()),
    ("mypy", "mypy.stubgenc", "InspectionStubGenerator", ("no_such_module_rt89", [])),
    ("mypy", "mypy.moduleinspect", "ModuleInspect", ()),
    ("mypy", "mypy.ipc", "IPCServer", ("no-such-socket",)),
    ("mypy", "mypy.metastore", "SqliteMetadataStore", ("no-such-folder",)),
    ("pygments", "pygments.formatters.img", "FontManager", ("No Such Font",)),
    ("xdist", "xdist.looponfail", "StatRecorder", (["no-such-tree"],)),
    ("_pytest", "_pytest.capture", "FDCapture", (1,)),
]
IDS = [f"{module}.{name}" for _, module, name, _ in CASES]


def _needs(package: str, module: str, name: str) -> None:
    """Skip when the package is absent; the class must exist where the case says (else the
    case tests nothing). Importing the module builds none of its classes."""
    pytest.importorskip(package)
    loaded = pytest.importorskip(module)
    assert isinstance(getattr(loaded, name, None), type), f"{module}.{name} is not a class"


@pytest.mark.parametrize(("package", "module", "name", "args"), CASES, ids=IDS)
def test_trusted_refuses_the_class(package: str, module: str, name: str, args: tuple) -> None:
    _needs(package, module, name)
    assert runs_code(module, name)
    # by name and by the class itself (the object is read, never called)
    with pytest.raises(UsageError, match="known code-execution primitive"):
        Policy.default().with_trusted([f"{module}.{name}"])
    cls = getattr(pytest.importorskip(module), name)
    with pytest.raises(UsageError, match="code-execution primitive"):
        Policy.default().with_trusted([cls])


@pytest.mark.parametrize(("package", "module", "name", "args"), CASES, ids=IDS)
def test_refusal_does_not_offer_the_class(
    tmp_path: Path, package: str, module: str, name: str, args: tuple
) -> None:
    _needs(package, module, name)
    path = write(tmp_path, call_stream(module, name, *args))
    with pytest.raises(SafeloadError) as info:
        safeload.load_unsigned(path)
    message = str(info.value)
    assert "trusted=[" not in message, message
    assert "tries to run code" in message, message
    assert f"{module}.{name}" in message, message


@pytest.mark.parametrize(("package", "module", "name", "args"), CASES, ids=IDS)
def test_scan_trusting_the_class_is_not_safe(
    package: str, module: str, name: str, args: tuple
) -> None:
    _needs(package, module, name)
    data = call_stream(module, name, *args)
    assert not safeload.scan(data).safe
    try:
        report = safeload.scan(data, trusted=[f"{module}.{name}"])
    except UsageError:
        return  # refused before anything is read: not SAFE either
    assert not report.safe, report.findings


def test_advice_refuses_the_names_without_importing_their_modules() -> None:
    # the file chose the names: they are known primitives by their module's name alone, so
    # the advice needs no import (whatever is installed)
    for name in [
        "mypy.build.WorkerClient",
        "mypyc.build.Anything",
        "_pytest.capture.FDCapture",
        "pytest.Anything",
        "xdist.looponfail.StatRecorder",
        "pluggy.PluginManager",
        "pygments.formatters.img.FontManager",
        "pygments.lexers.Anything",
        "modelscan.modelscan.ModelScan",
        "picklescan.scanner.Anything",
        "fickling.fickle.Pickled",
        "skops.card._model_card.Card",
        "hypothesis.Anything",
        "catboost.eval.catboost_evaluation.CatboostEvaluation",
    ]:
        assert name_runs_code(name), name


@pytest.mark.parametrize(
    ("module", "qualname"),
    [
        # skops.io stays usable: only its model cards are primitives
        ("skops.io._general", "Anything"),
        ("skops", "Anything"),
        # a prefix must be a whole module name
        ("mypy_extensions", "TypedDict"),
        ("pytest_fixtures_of_mine", "Model"),
        ("pygmentsish", "Model"),
        ("pyodide", "Model"),
        ("catboost.core", "CatBoostClassifier"),
        ("mymodels.mypy", "Model"),
    ],
)
def test_neighbouring_names_are_not_primitives(module: str, qualname: str) -> None:
    assert not runs_code(module, qualname)


# --- the honest side ---------------------------------------------------------------------------


class OwnModel:
    """A user's own class, defined in a test module (run by pytest, beside pytest's and
    xdist's modules): still trustable."""

    def __init__(self, weights: list[float]) -> None:
        self.weights = weights


def test_a_users_own_class_is_still_trusted(tmp_path: Path) -> None:
    name = f"{OwnModel.__module__}.{OwnModel.__qualname__}"
    assert not runs_code(OwnModel.__module__, OwnModel.__qualname__)
    Policy.default().with_trusted([OwnModel])
    Policy.default().with_trusted([name])
    data = pickle.dumps(OwnModel([0.5, 1.5]), protocol=5)
    path = write(tmp_path, data)
    # untrusted, the refusal still offers it
    with pytest.raises(SafeloadError) as info:
        safeload.load_unsigned(path)
    assert "trusted=[" in str(info.value), str(info.value)
    # trusted: SAFE, and it loads
    assert safeload.scan(data, trusted=[name]).safe
    loaded = safeload.load_unsigned(path, trusted=[OwnModel])
    assert isinstance(loaded, OwnModel) and loaded.weights == [0.5, 1.5]


def _own_scaler() -> type:
    from sklearn.preprocessing import StandardScaler

    class OwnScaler(StandardScaler):
        """A user's own subclass of an estimator (scikit-learn 1.9's derive from
        CallbackSupportMixin, in sklearn.callback, whose ScoringMonitor is a primitive)."""

    OwnScaler.__qualname__ = "OwnScaler"
    return OwnScaler


OwnScaler = _own_scaler()


def test_a_users_own_estimator_subclass_is_trusted(tmp_path: Path) -> None:
    import numpy as np

    from safeload.policy import trust_problem

    # 3a3082a denied sklearn.callback (rt87-03's ScoringMonitor): every estimator of
    # scikit-learn 1.9 derives from its CallbackSupportMixin, so no subclass of one could be
    # trusted; the mixin is an inert name now, ScoringMonitor stays a primitive
    assert trust_problem(OwnScaler) is None
    assert trust_problem(_own_scaler()) is None
    model = OwnScaler().fit(np.arange(20.0).reshape(10, 2))
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    loaded = safeload.load_unsigned(path, trusted=[OwnScaler])
    assert type(loaded) is OwnScaler
    assert runs_code("sklearn.callback._scoring_monitor", "ScoringMonitor")


def test_skops_io_files_still_load(tmp_path: Path) -> None:
    skops_io = pytest.importorskip("skops.io")
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression().fit([[0.0], [1.0], [2.0], [3.0]], [0, 0, 1, 1])
    path = tmp_path / "m.skops"
    path.write_bytes(skops_io.dumps(model))
    loaded = safeload.load_unsigned(path)
    assert isinstance(loaded, LogisticRegression)
    assert loaded.predict([[3.0]]).tolist() == [1]
