"""The shipped class facts (``safeload.trust.facts``) against the installed libraries.

``scan`` clears a stream from data about the trusted classes instead of importing them. The
data may only be as strict as the classes or stricter (a refusal is decided again with the
classes), never looser; these tests hold it equal:

* the shipped table is what the installed scikit-learn, numpy, scipy and joblib give (a
  maintainer who upgrades one of them regenerates it);
* every question the static pass asks of a class gets the same answer from its facts;
* the constraint checker agrees with scikit-learn's ``validate_parameter_constraints`` on every
  parameter of every allowlisted class, for boundary numbers, every option, wrong strings,
  ``None``, booleans and wrong types;
* ``scan`` of a plain scikit-learn pickle imports no scikit-learn, scipy, cryptography, joblib
  or skops, and gives the same findings with and without the facts.
"""

from __future__ import annotations

import ast
import copy
import json
import math
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import safeload
from safeload.trust import (
    _gen_facts,
    _sklearn_facts,
    classes,
    facts,
    facts_rules,
    facts_versions,
    literal_state,
)
from safeload.trust.dispatch import ROWS
from safeload.trust.profiles import INSTANCE_DEFAULTS, PROFILE_ROWS

DATA = json.loads(_sklearn_facts.DATA)
CLASSES = {tuple(key.split(":", 1)): row for key, row in DATA["CLASSES"].items()}
CLASS_PAIRS = sorted(pair for pair, row in CLASSES.items() if row is not None)


def test_the_facts_apply_here() -> None:
    """The suite runs on the facts' versions, so every scan in it takes the data path."""
    assert facts.data_available()


@pytest.mark.parametrize(("dist", "package", "version"), [tuple(s) for s in DATA["SOURCES"]])
def test_installed_version_is_importlib_metadata(dist: str, package: str, version: str) -> None:
    import importlib.metadata

    assert facts_versions.installed_version(dist, package) == importlib.metadata.version(dist)


def test_installed_version_of_something_absent() -> None:
    assert facts_versions.installed_version("no-such-dist", "no_such_package_here") is None


def test_shipped_facts_equal_the_installed_libraries() -> None:
    text = _gen_facts.render(_gen_facts.compute()).split("DATA = ", 1)[1]
    computed = json.loads(ast.literal_eval(text.strip()))
    assert computed["SOURCES"] == DATA["SOURCES"], (
        "the installed libraries differ from the ones the facts were generated from: run "
        "`python -m safeload.trust._gen_facts`"
    )
    for key in ("PYTHON", "CODE", "KNOWN", "CHECK_KINDS", "VARS"):  # after pickling, too
        assert computed[key] == DATA[key], key
    assert computed["CLASSES"].keys() == DATA["CLASSES"].keys()
    for key, row in computed["CLASSES"].items():
        assert row == DATA["CLASSES"][key], key


def test_render_reads_back() -> None:
    text = _gen_facts.render(_gen_facts.compute())
    namespace: dict[str, Any] = {}
    exec(compile(text, "<facts>", "exec"), namespace)  # noqa: S102 - our own generated text
    assert json.loads(namespace["DATA"]) == DATA


# --- every question the static pass asks -------------------------------------------------------


def _instance_names() -> set[tuple[str | None, ...]]:
    return {
        row.values
        for row in (*ROWS, *PROFILE_ROWS)
        if row.kind in ("instance_of", "each_instance_of", "rebuilt")
    }


@pytest.mark.parametrize("pair", CLASS_PAIRS, ids=lambda p: f"{p[0]}:{p[1]}")
def test_facts_answer_as_the_class(pair: tuple[str, str]) -> None:
    cls = classes.resolve_class(*pair)
    known = facts.facts_for(*pair)
    assert cls is not None and known is not None
    assert facts_rules.dispatch_rows(known) == classes.fitted_dispatch_rows(cls)
    assert facts_rules.literal_attributes(known) == literal_state.literal_attributes(cls)
    assert facts.mro_names(known) == classes.mro_names(cls)
    names = known.class_names
    for base in known.mro:
        names -= INSTANCE_DEFAULTS.get(base, frozenset())
    # copyreg caches __slotnames__ on a class once an instance is pickled: the facts leave it
    # out, and a dunder state key is refused whatever the class defines
    assert names == classes.class_names(cls) - {"__slotnames__"}
    for question in (
        facts.has_dict,
        facts.qualname,
        facts.short_name,
        facts.fields,
        facts.has_setstate,
        facts.is_kernel,
        facts.is_search,
        facts.is_estimator,
        facts.is_scorer,
        facts.is_container,
        facts.is_partial,
    ):
        assert question(known) == question(cls), question.__name__
    for values in _instance_names():
        assert facts.is_subclass_of_named(known, values) == facts.is_subclass_of_named(
            cls, values
        ), values
    assert (known.constraints is None) == (classes.constraints_of(cls) is None)


def test_a_name_the_facts_do_not_know_needs_the_class() -> None:
    known = facts.facts_for("sklearn.linear_model._base", "LinearRegression")
    assert known is not None
    with pytest.raises(facts.NeedsImport):
        known.is_a("sklearn.somewhere:NewBase")
    with pytest.raises(facts.NeedsImport):
        facts.facts_for("sklearn.somewhere", "NotOnTheAllowlist")


# --- the constraint checker against scikit-learn's -----------------------------------------------


class _Values:
    """Values kept apart by type and repr (a set would merge 0, 0.0 and False)."""

    def __init__(self) -> None:
        self.found: dict[tuple[str, str], Any] = {}

    def add(self, *values: Any) -> None:
        for value in values:
            self.found.setdefault((type(value).__name__, repr(value)), value)


def _bounds(encoded: Any, found: _Values) -> None:
    if isinstance(encoded, list) and encoded and encoded[0] == "interval":
        for bound in encoded[2:4]:
            if bound is None:
                continue
            found.add(bound, -bound, float(bound))
            for step in (1, 0.5, 1e-9):
                found.add(bound - step, bound + step)
            if isinstance(bound, float) and math.isfinite(bound):
                found.add(math.nextafter(bound, -math.inf), math.nextafter(bound, math.inf))
            if isinstance(bound, int):
                found.add(bound - 1, bound + 1)
    elif isinstance(encoded, list) and encoded and encoded[0] == "options":
        found.add(*encoded[2])
        found.add(*(f"{o}x" for o in encoded[2] if isinstance(o, str)))
    elif isinstance(encoded, list):
        for part in encoded:
            _bounds(part, found)


def _values() -> list[Any]:
    found = _Values()
    for pair in CLASS_PAIRS:
        for encoded in (CLASSES[pair][11] or {}).values():
            _bounds(encoded, found)
    found.add(None, True, False, math.nan, math.inf, -math.inf)
    found.add(0, 1, -1, 2, 3, 10, -(10**6), 2**31, 2**32 - 1, 2**32, 2**63, 10**30)
    found.add(0.0, -0.0, 0.5, 1.0, -0.5, 1.5, 2.0, 1e-300, 1e300)
    found.add("", "auto", "wrong", "None", "True", "nan", "split", "fit", "array-like")
    return list(found.found.values())


VALUES = _values()


@pytest.mark.parametrize("pair", CLASS_PAIRS, ids=lambda p: f"{p[0]}:{p[1]}")
def test_constraint_checker_is_sklearns(pair: tuple[str, str]) -> None:
    from sklearn.utils._param_validation import (
        InvalidParameterError,
        validate_parameter_constraints,
    )

    cls = classes.resolve_class(*pair)
    known = facts.facts_for(*pair)
    assert cls is not None and known is not None
    raw = classes.constraints_of(cls)
    encoded_all = known.constraints
    if raw is None or encoded_all is None:
        return
    for name, encoded in encoded_all.items():
        if encoded is None:
            continue  # the data cannot say: the pass imports the class for this parameter
        for value in VALUES:
            try:
                validate_parameter_constraints({name: raw[name]}, {name: value}, "X")
            except InvalidParameterError:
                theirs = False
            else:
                theirs = True
            ours = facts_rules.params_valid({name: encoded}, {name: value})
            assert ours == theirs, (name, value, raw[name])


def test_checker_needs_the_class_for_what_the_data_cannot_say() -> None:
    with pytest.raises(facts.NeedsImport):
        facts_rules.params_valid({"a": None}, {"a": 1})
    with pytest.raises(facts.NeedsImport):
        facts_rules.params_valid({"a": [["type", ["int"]]]}, {"a": (1, 2)})
    assert facts_rules.params_valid({"a": "no_validation"}, {"a": 1})
    assert facts_rules.params_valid({}, {"a": object()})


def _instance_targets() -> set[type]:
    """Every class an allowlisted estimator's constraints test ``isinstance`` of."""
    from sklearn.utils import _param_validation as pv

    targets: set[type] = set()
    todo: list[Any] = []
    for pair in CLASS_PAIRS:
        cls = classes.resolve_class(*pair)
        raw = classes.constraints_of(cls) if cls is not None else None
        for value in (raw or {}).values():
            if isinstance(value, list):
                todo.extend(pv.make_constraint(c) for c in value)
    while todo:
        constraint = todo.pop()
        if isinstance(constraint, pv._InstancesOf):
            targets.add(constraint.type)
        todo.extend(getattr(constraint, "_constraints", ()))
    return targets


def test_instance_tests_of_abcs_are_isinstance_on_the_allowlist() -> None:
    """rt38-03: an ``isa`` test that says it decides (``numbers.Integral`` with ``int`` and
    ``numpy.integer`` registered, ``MutableMapping`` with ``dict``) gives ``issubclass``'s
    answer for every allowlisted class; one that cannot decide may only say "yes"."""
    import numbers
    from collections.abc import MutableMapping

    targets = _instance_targets()
    assert {numbers.Integral, numbers.Real, MutableMapping} <= targets
    allowed = [classes.resolve_class(*pair) for pair in CLASS_PAIRS]
    kinds = [k for k in allowed if isinstance(k, type)]
    for target in targets:
        names, decides = _gen_facts._instance_test(target)
        for kind in kinds:
            named = not classes.mro_names(kind).isdisjoint(names)
            if decides:
                assert named == issubclass(kind, target), (target, kind)
            elif named:
                assert issubclass(kind, target), (target, kind)
    assert _gen_facts._instance_test(numbers.Integral)[1]
    assert "numpy:integer" in _gen_facts._instance_test(numbers.Integral)[0]


# --- scan ------------------------------------------------------------------------------------

_WATCHED = ("sklearn", "scipy", "cryptography", "joblib", "skops", "pandas")


def _models() -> dict[str, Any]:
    import numpy as np
    from sklearn.ensemble import ExtraTreesRegressor, RandomForestClassifier
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.tree import DecisionTreeClassifier

    rng = np.random.RandomState(0)
    x = rng.rand(30, 3)
    y = x @ np.array([1.0, 2.0, 3.0])
    two = np.stack([y > 3, y > 2], axis=1)
    return {
        "linear": LinearRegression().fit(x, y),
        "logistic": LogisticRegression().fit(x, y > 3),
        "scaler": StandardScaler().fit(x),
        "pipeline": Pipeline([("s", StandardScaler()), ("m", LogisticRegression())]).fit(x, y > 3),
        "unfitted": Pipeline([("s", StandardScaler()), ("m", LogisticRegression(C=0.5))]),
        "tree": DecisionTreeClassifier(random_state=0).fit(x, y > 3),
        "forest": RandomForestClassifier(n_estimators=3, random_state=0).fit(x, y > 3),
        "forest_two_outputs": RandomForestClassifier(n_estimators=2, random_state=0).fit(x, two),
        "extra_trees": ExtraTreesRegressor(n_estimators=2, max_samples=None).fit(x, y),
        "unfitted_forest": RandomForestClassifier(n_estimators=2),
    }


_MODEL_NAMES = (
    "linear",
    "logistic",
    "scaler",
    "pipeline",
    "unfitted",
    "tree",
    "forest",
    "forest_two_outputs",
    "extra_trees",
    "unfitted_forest",
)


def _libraries_after_each_scan(paths: list[str]) -> list[tuple[str, str, str]]:
    """One interpreter scans each file in turn (CLI) and reports, after each scan, its exit
    code and the model libraries (:data:`_WATCHED`, top-level names) loaded so far."""
    code = (
        "import safeload.cli, sys\n"
        "for path in sys.argv[1:]:\n"
        "    code = safeload.cli.main(['scan', path])\n"
        "    print('RESULT', path, code, sorted({m.split('.')[0] for m in sys.modules} & "
        f"{set(_WATCHED)!r}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *paths], capture_output=True, text=True, check=True
    )
    results = [
        tuple(line.split(" ", 3)[1:])
        for line in out.stdout.splitlines()
        if line.startswith("RESULT")
    ]
    assert [r[0] for r in results] == paths, out.stdout + out.stderr
    return results  # type: ignore[return-value]


def test_scan_of_a_plain_model_imports_no_model_library(tmp_path: Path) -> None:
    """One interpreter scans each plain model in turn: every scan must exit 0 having imported
    no model library."""
    models = _models()
    paths = []
    for name in _MODEL_NAMES:
        path = tmp_path / f"{name}.pkl"
        path.write_bytes(pickle.dumps(models[name], protocol=5))
        paths.append(str(path))
    for path, code, loaded in _libraries_after_each_scan(paths):
        assert (code, loaded) == ("0", "[]"), path


def test_scan_of_a_plain_joblib_model_is_one_run_on_the_facts(tmp_path: Path) -> None:
    """A joblib file is scanned on the facts, once, as a pickle is: joblib's array header
    (``NumpyArrayWrapper``) is the one class it imports, and no check of a load applies to the
    header. Before, every joblib file's run on facts ended by asking for the run with the
    classes imported, and was thrown away: each joblib file was checked twice. After each
    scan the interpreter has loaded joblib only."""
    import joblib

    models = _models()
    paths = []
    for name in _MODEL_NAMES:
        path = tmp_path / f"{name}.joblib"
        joblib.dump(models[name], path)
        paths.append(str(path))
    for path, code, loaded in _libraries_after_each_scan(paths):
        assert (code, loaded) == ("0", "['joblib']"), path


def test_joblib_scan_gives_the_same_findings_without_the_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run on facts decides a joblib file now: its findings are the run with the classes'
    (the plain models and the crafted trees, written by joblib)."""
    import joblib

    models = {name: model for name, model in _models().items()}
    models.update({name: pickle.loads(data) for name, data in _crafted_trees().items()})
    paths = {}
    for name, model in models.items():
        paths[name] = tmp_path / f"{name}.joblib"
        joblib.dump(model, paths[name])
    with_facts = {name: safeload.scan(path) for name, path in paths.items()}
    monkeypatch.setattr(facts, "data_available", lambda: False)
    for name, path in paths.items():
        without = safeload.scan(path)
        assert with_facts[name].safe == without.safe, name
        assert with_facts[name].findings == without.findings, name
    assert any(not report.safe for report in with_facts.values())  # (the crafted trees)


def test_scan_gives_the_same_findings_without_the_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from safeload.testing import attack_corpus

    payloads = {name: pickle.dumps(model, protocol=5) for name, model in _models().items()}
    payloads.update(_crafted_trees())
    for case in attack_corpus():
        if case.container == "pickle":
            payloads[case.name] = case.build(str(tmp_path / f"{case.name}.marker"))
    with_facts = {name: safeload.scan(data) for name, data in payloads.items()}
    monkeypatch.setattr(facts, "data_available", lambda: False)
    for name, data in payloads.items():
        without = safeload.scan(data)
        assert with_facts[name].safe == without.safe, name
        assert with_facts[name].findings == without.findings, name


def _crafted_trees() -> dict[str, bytes]:
    """Decision trees and forests whose numbers disagree, which the tree and forest checks
    refuse: with the facts (``Tree`` shadows made from facts) as with the classes."""
    models = _models()
    crafted: dict[str, Any] = {}
    for name, attr, value in [
        ("tree", "n_features_in_", 7),
        ("tree", "n_outputs_", 2),
        ("forest", "n_features_in_", 5),
        ("forest", "n_outputs_", 2),
        ("forest", "n_classes_", 3),
        ("forest", "_n_samples_bootstrap", 10**9),
        ("forest_two_outputs", "n_outputs_", 1),
    ]:
        model = copy.deepcopy(models[name])
        setattr(model, attr, value)
        crafted[f"{name}_{attr}"] = model
    forest = copy.deepcopy(models["forest"])
    del forest.n_features_in_
    crafted["forest_without_n_features_in_"] = forest
    return {name: pickle.dumps(model, protocol=5) for name, model in crafted.items()}


def test_crafted_trees_are_refused_on_the_facts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run on facts itself refuses them (it does not merely fall back to the classes), and
    an honest forest is cleared on facts alone."""
    from safeload.trust import shadow

    runs: list[tuple[bool, list[Any], bool]] = []
    real = shadow._native_findings

    def recorded(
        analysis: Any, reader: Any, policy: Any, file_size: Any, *, data: bool
    ) -> list[Any]:
        found = real(analysis, reader, policy, file_size, data=data)
        needed = facts.take_needs_import()
        runs.append((data, found, needed))
        if needed:
            facts.NeedsImport("raised again for native_findings")  # sets the flag again
        return found

    monkeypatch.setattr(shadow, "_native_findings", recorded)
    for name, data in _crafted_trees().items():
        runs.clear()
        assert not safeload.scan(data).safe, name
        on_facts, found, needed_import = runs[0]
        assert on_facts and found and not needed_import, (name, runs)
    for name in ("tree", "forest", "forest_two_outputs", "extra_trees"):
        runs.clear()
        assert safeload.scan(pickle.dumps(_models()[name], protocol=5)).safe, name
        assert [(on_facts, found, needed) for on_facts, found, needed in runs] == [
            (True, [], False)
        ], name


def test_instance_tests_ignore_what_other_modules_registered() -> None:
    """The facts must not depend on what the process imported: protobuf registers its map
    containers with ``collections.abc.Mapping`` (model_signing imports it), which made the
    shipped facts differ from the ones a test process computed. Only classes a stream can
    make count."""
    import collections.abc

    before = _gen_facts._instance_test(collections.abc.MutableMapping)

    class Registered:  # a class no stream can make, registered as another library does
        pass

    collections.abc.MutableMapping.register(Registered)
    after = _gen_facts._instance_test(collections.abc.MutableMapping)
    assert after == before
    assert "builtins:dict" in after[0] and after[1]
