r"""Red team 95: reproducers (strict xfails) for the open findings, 08:45-10:00 UTC 2026-12-05,
on 7a00c6a. "pure" is a snapshot (``git archive HEAD src tests``, /tmp/rt95p) run with
SAFELOAD_PURE_PYTHON=1; "compiled" is /tmp/rt95c (the 7a00c6a sources with the mypyc modules
of /work/main's .venv build), run by that .venv. Every finding reproduces in both (each fails
for its stated reason under --runxfail, 09:12, 09:35 and 09:40). rt95-01 to 05 and 08 are
trusted= findings: classes of installed packages outside CODE_MODULES that
Policy.with_trusted accepts and that act while built (run the file's text, import a module
it names, take a native pointer or node buffer from it, change process-wide state); the
refusal of each file without trusted= offers "load(..., trusted=[...])" for them (scipy's
distributions excepted: their refusal says they "cannot be allowed", and trusted= allows
them). rt95-06 and 07 are scan/load disagreements with trusted=, rt95-09 one with the
default policy (what a stream discards); rt95-10 a default-policy file on which the load's
checks raise RecursionError. Harm is shown with plain pickle in a child first (a marker, an
import, SIGSEGV, a broken import), then safeload. The live /work/main at 09:40 (a8be4fb with
uncommitted edits) passes rt95-01 to 09 (XPASS) and still fails rt95-10.

Ported by the maintainer at 10:05 (red team 95, helper-157, ran 08:45-09:50, 65 minutes, on
7a00c6a): all 10 are fixed. rt95-01 to 08: trusted= by name admits the caller's own classes
and scikit-learn's, and another installed package's only where the default allowlist or a
profile reviewed it (bb716c1; a denylist of tool packages is never complete): every class
filed here is refused by name, and the refusal offers no trusted= for it. rt95-09: scan
judges a dropped tuple's or dict's items as the load's walk of what the stream discards
does. rt95-10: the printing count sees a dict key that leads back to what holds it (the
key's own count sees the paths under way) and, since red team 97 (rt97-01: scikit-learn's
printer goes round such a ring until RecursionError), refuses the file; scan calls it unsafe
too.

rt95-01 (HARM: code execution at load; trusted=, CODE_MODULES; scipy.stats) scipy.stats'
        distribution generators are not primitives: rv_generic.__setstate__ updates
        __dict__ from the state and calls _attach_methods, whose _attach_argparser_methods
        runs exec(self._parse_arg_template, ns), text the state chose (honest pickles carry
        it: it is how scipy rebuilds them). A ~300-byte pickle (norm_gen by NEWOBJ, BUILD of
        {'_parse_arg_template': code}); accepted by Policy.with_trusted
        (scipy.stats._continuous_distns.norm_gen, also rv_generic, rv_continuous_frozen,
        poisson_gen, multivariate_normal_gen, rv_histogram), scan(trusted=...) SAFE,
        load_unsigned(trusted=...) runs the code (a marker written), then fails
        (AttributeError 'numargs'). Pure and compiled. The refusal without trusted= even says
        "They cannot be allowed: scipy rebuilds them by executing source text kept in their
        own state", and trusted= allows them.
rt95-02 (HARM: code execution at load; trusted=, CODE_MODULES; pydantic) pydantic is not a
        primitive: TypeAdapter(type) takes a string as a forward reference and evaluates it
        (typing's ForwardRef: eval of the file's text in a namespace with builtins) while
        built. A ~130-byte pickle (pydantic.type_adapter.TypeAdapter by REDUCE of one string,
        "[__import__('pathlib').Path(marker).write_text('ran'), int][1]"); accepted by
        with_trusted as pydantic.type_adapter.TypeAdapter and as pydantic.TypeAdapter,
        scan(trusted=...) SAFE, load_unsigned(trusted=...) runs the code and loads (returns
        a working TypeAdapter of int). Pure and compiled.
rt95-03 (HARM: import of a module the file names, at load; trusted=, CODE_MODULES; contourpy)
        contourpy.util.mpl_renderer is not a primitive (matplotlib is): MplRenderer(nrows,
        ncols, figsize, show_frame, backend).__init__ runs matplotlib.use(backend), and with
        pyplot imported (the module imports it) that is plt.switch_backend, which imports
        "module://NAME" as NAME: a module in the working directory (first on sys.path for
        scripts, notebooks and python -c: rt93-11's harm) or any installed module with import
        side effects (antigravity opens a browser). It also switches the process's
        matplotlib backend and makes a figure. 87-byte pickle; accepted by with_trusted,
        scan(trusted=...) SAFE, load_unsigned(trusted=...) imports the module (a marker
        written), then fails (the module has no FigureCanvas). Pure and compiled.
rt95-04 (HARM: crash (SIGSEGV) at load, or when the loaded object is used or freed; trusted=,
        native handles; lightgbm, xgboost) the native-model check (_native_base: Booster
        classes only) misses the other classes that keep a native handle the file can set:
        lightgbm.basic._InnerPredictor(handle, None, {}, False).__init__ calls
        LGBM_BoosterGetNumClasses(handle) with the file's int (46 bytes: the load itself
        dies); lightgbm.basic.Dataset and xgboost.core.DMatrix made by NEWOBJ with a BUILD of
        {'_handle'/'handle': 0x10000} (49 and 46 bytes) load, and LGBM_DatasetFree /
        XGDMatrixFree of the forged pointer crash the process when the model is freed
        (DMatrix.num_row() crashes too). All three accepted by with_trusted,
        scan(trusted=...) SAFE, load_unsigned(trusted=...) crashes or loads. Pure and
        compiled.
rt95-05 (HARM: crash (SIGSEGV) at load; trusted=, native structures; scipy.spatial) scipy's
        cKDTree (and KDTree, its Python subclass) pickles its C++ tree as a raw 'S1' array of
        node records, which __setstate__ copies in and walks: the node indices are the file's.
        An honest 20-point tree (leafsize 2) with every small 8-byte word of the node buffer
        set to 10**9: 3.4 KB; accepted by with_trusted
        (scipy.spatial._ckdtree.cKDTree, scipy.spatial.KDTree), scan(trusted=...) SAFE,
        load_unsigned(trusted=...) dies in __setstate__ (plain pickle too). The class hands a
        native blob to native code, the reason _native_base refuses xgboost's and LightGBM's
        Boosters for trusted= (r15-09); scikit-learn's KD and ball trees are checked node by
        node (ATTACKS.md), scipy's are not checked at all. Pure and compiled.
rt95-06 (PARITY with trusted=: scan SAFE, load refuses; rt93-11's kind) rt93-11 was fixed by
        naming imblearn.LazyLoader a code name; any other types.ModuleType subclass that
        with_trusted accepts is still SAFE to scan and refused by the load's walk ("holds a
        ... object": a module). cryptography.utils._ModuleWithDeprecations(module) is one:
        it takes any object with a __name__ (an allowed class, numpy.float64) and forwards
        every attribute read to it. 292 bytes as a SimpleImputer's fill_value (and bare):
        scan(trusted=...) SAFE, load_unsigned(trusted=...) refuses ("model.fill_value: holds
        a _ModuleWithDeprecations object"). Pure and compiled.
rt95-07 (PARITY with trusted=: scan SAFE, load refuses) scan models a trusted class's
        instance by the stream's arguments and state; the load's instance holds what its
        constructor made. dateutil.rrule.rrule(YEARLY, dtstart, 1, None, 2, None x 11,
        cache=True) (17 positional arguments by REDUCE, 135 bytes): rrulebase.__init__ makes
        a lock and an iterator, and the load's walk refuses the object ("TypeError: cannot
        pickle 'generator' object"); scan(trusted=["dateutil.rrule.rrule"]) calls it SAFE
        (with cache=False both load it). Even a call the constructor rejects (18 arguments:
        "rrule.__init__() takes from 2 to 18 positional arguments but 19 were given") is SAFE
        to scan. Pure and compiled.
rt95-08 (HARM: process-wide state a refused load leaves behind; PARITY: scan SAFE, load
        refuses; trusted=, protobuf) google.protobuf.descriptor.FileDescriptor(name, package,
        options, serialized_options, serialized_pb).__new__ (the upb backend) adds the file's
        serialized FileDescriptorProto to the process's default descriptor pool. 146-byte
        pickle registering a bogus "google/protobuf/timestamp.proto"; accepted by
        with_trusted, scan(trusted=...) SAFE, load_unsigned(trusted=...) refuses it after
        building ("cannot pickle 'google._upb._message.FileDescriptor' object"), but the pool
        keeps the file: every later import of google.protobuf.timestamp_pb2 in that process
        fails ("duplicate file name"), and so does anything built on it (sigstore,
        in-toto's statement_pb2 with struct.proto, an application's own messages). Pure and
        compiled.
rt95-09 (PARITY: scan SAFE, load refuses; default policy; the discarded values, found by a
        grammar fuzz of 20,000 random streams) a tuple the stream builds and then POPs, which
        holds an allowed class: the load's check of what was built and discarded refuses it
        ("model[0][0]: holds the function builtins.tuple ...", "holds the class
        sklearn.impute._base.SimpleImputer as a value"), scan calls the file SAFE. 27 bytes:
        GLOBAL builtins.tuple, TUPLE1, POP, BININT1 1, STOP (plain pickle returns 1); also by
        TUPLE2 (1, tuple) or MARK ... TUPLE. The same class discarded bare, or in a list, is
        judged alike by both (bare: loaded by both; in a list: refused by both), and a crafted
        date or estimator in a discarded tuple is refused by both. A second fuzz run found
        the same: (list, list, 88) built by TUPLE3 and popped. Pure and compiled.
rt95-10 (CRASH of the load's checks: a bare RecursionError, not a refusal; default policy;
        printing.py's cost/_key; found by the value fuzz) a SimpleImputer whose fill_value is
        a dict keyed by the imputer itself ({imp: 1}, 231 bytes; also {(imp,): 1},
        {frozenset({imp}): 1}, a Counter's or an OrderedDict's key): scan refuses it
        ("unproven"), load_unsigned raises RecursionError out of whole_model_problem ->
        printed_problem -> cost -> _key -> cost ... (the printing count follows a dict key
        back into the estimator that holds it, without end): no SafeloadError, so a caller
        that catches SafeloadError, and `safeload convert` (a 999-frame traceback, exit 1),
        die on it. The same cycle through a value ([imp], {"a": imp}, a set {imp}) loads and
        is SAFE to scan. Pure and compiled.

Held (tried, no finding):
- Fuzzing scan against load (default policy): 31,500 byte mutations (1 to 3 bytes flipped,
  deleted or inserted) of 18 honest pickles (imputers holding lists, dicts, dates, Decimals,
  a 2-d object array, an OrderedDict; a fitted pipeline; a OneHotEncoder; protocols 2, 4,
  5): no disagreement, no timeout. A grammar fuzz of 125,000 random streams over 24 allowed
  globals and the container, call, memo and stack opcodes: only rt95-09. Random valid values
  (nested lists, tuples, dicts, sets, OrderedDicts, Counters, defaultdicts, Bunches,
  imputers, object arrays, shared references, dates, Decimals, timezones, numpy scalars,
  classes kept as values, partials) pickled at protocols 0 to 5 (18,000), and the same behind
  a discarded value whose memo the second pickle overwrites or, at protocols 4 and 5, whose
  MEMOIZE shifts the second pickle's memo indices (6,000 + 2 x 25,000): only rt95-10
  (twice: the shifted memo made an estimator a key of its own fill_value).
- Deep nesting: a fill_value (or a dict key) of tuples nested 30 to 500 deep loads, and
  scan calls it "unproven: a value nested more than 18 levels deep, which the stream walk
  does not judge (a load checks it after building)": scan's stated bound, not filed.
- Value leaves, scan against load (default policy), bare and as a SimpleImputer's fill_value
  (52 files): dates by bytes, by ints (REDUCE and NEWOBJ), with a day of 255, a 5-byte
  state, str and latin1 states, a BUILD after; times with fold and a fixed-offset tzinfo;
  a datetime whose timezone has a 100-character name; timedeltas by NEWOBJ at the day
  bound and from a float; timezone(timedelta()); Decimals by str, tuple, float, NEWOBJ,
  1E+5000, sNaN123, a BUILD after; PurePosixPaths by NEWOBJ, from bytes, from an int, with
  an empty slot BUILD: scan and load agree on each.
- Extension types trusted by hand (scikit-learn's Cython classes accepted by with_trusted:
  SparsePartitioner, the criteria, _QuadTree, UnionFind, the distance reductions): a call
  with arguments is refused statically ("pickle makes it without arguments and gives it its
  state by BUILD"), so SparsePartitioner(X, samples, n_samples, ...)'s unchecked
  index_to_samples[samples[p]] write, MAE(3,000,000, 1)'s objects and a _QuadTree whose
  cell_count passes its capacity are never built.
- A '__class__' item in a state handed to a __setstate__ that setattrs its items (pandas'
  NDFrame.__setstate__ with profiles=['pandas']: a DataFrame whose state switches it to a
  Series, which plain pickle returns): refused statically ("BUILD state sets '__class__'").
- scikit-learn's Python classes trusted by hand (the live rule's remaining surface): a call
  with arguments of one (sklearn.tree._reingold_tilford.DrawTree over a DAG of Tree or Bunch
  nodes, 2**22 nodes from 490 bytes: plain pickle runs out of CPU) is refused statically
  ("called without arguments: pickle makes it by NEWOBJ ...").
- numpy's SeedSequence(0, (), 60,000) (pool mixing is quadratic: 20,000 took 0.86 s) is
  refused statically ("never seeds them from the file").
- trusted= classes whose stored callables would run at use: a FunctionTransformer's func as
  an instance of a trusted callable class (numpy._pytesttester.PytestTester,
  numpy.vectorize) is refused (their constructors set __module__/__name__, refused as dunder
  state).
- trusted= sweep (an AST sweep of __init__/__new__/__setstate__/__getattr__/__del__ and
  dunders, following self-calls and module functions 4 deep, over every site-packages
  package outside CODE_MODULES; then a bytecode sweep of the imported classes that
  with_trusted accepts, resolving globals 5 deep): besides rt95-01..05 and 08, catboost's
  OfflineMetricVisualizer and MetricVisualizer read or list the folders they are given
  (regular files only, like DMatrix), pydantic.mypy's PydanticPluginConfig reads a config
  path from an object's attribute, joblib.compressor's Binary*File and lz4's LZ4FrameFile
  are io classes (refused), requests' HTTPAdapter and dateutil's rrulebase setattr every
  state item in their own __setstate__ (a '__class__' item switches the class; no gain
  found over a BUILD), xgboost.testing's DirectoryExcursion acts only as a context
  manager, urllib3's HTTPConnectionPool(maxsize=N) puts N Nones in a queue (CPU and
  memory by the file's number, not filed: a trusted constructor's cost). The advice in each
  refusal without trusted= offers trusted=[...] for every class filed here except scipy's
  distributions.
- The live /work/main (a8be4fb with uncommitted _trust_checks.py and policy.py: trusted=
  takes only scikit-learn's classes, the user's own and profiles') passes rt95-01 to 08 at
  09:02 and rt95-09 at 09:33 (XPASS); rt95-10 still fails there at 09:36. Under that rule a
  package installed from a local folder (pip install -e of a cloned library, safeload's own
  editable install here) counts as the user's own code, and a top-level module that cannot
  be found when trusted is taken as the user's own: worth a test each.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from redteam import binunicode, global_, scipy_distribution, write


def _trusted_verdicts(path: Path, names: list[str]) -> tuple[bool, str]:
    """(scan's verdict with ``trusted=names``, what load_unsigned did: 'loaded', 'refused'
    or the error's type name), for a name the policy may refuse (UsageError: not safe)."""
    import safeload
    from safeload import UsageError

    try:
        safe = bool(safeload.scan(path.read_bytes(), trusted=names).safe)
    except UsageError:
        safe = False
    try:
        safeload.load_unsigned(path, trusted=names)
    except (safeload.SafeloadError, UsageError):
        return safe, "refused"
    except Exception as exc:  # (the load's own wrapper should not let one through)
        return safe, type(exc).__name__
    return safe, "loaded"


# --- rt95-01: scipy.stats distributions exec the source text their state holds ----------------


def test_rt95_01_scipy_distribution_execs_its_state(tmp_path: Path) -> None:
    from safeload import UsageError
    from safeload.policy import Policy

    # rv_generic.__setstate__: self.__dict__.update(state); self._attach_methods() ->
    # _attach_argparser_methods: exec(self._parse_arg_template, ns). The file's text runs.
    names = ["scipy.stats._continuous_distns.norm_gen"]
    marker = tmp_path / "marker.txt"
    path = write(tmp_path, scipy_distribution(marker))
    plain = (
        "import pickle, sys\ntry:\n    pickle.load(open(sys.argv[1], 'rb'))\n"
        "except Exception:\n    pass\n"
    )
    subprocess.run([sys.executable, "-c", plain, str(path)], cwd=tmp_path, timeout=120, check=True)
    assert marker.exists()  # (the harm, with plain pickle)
    marker.unlink()
    safe, outcome = _trusted_verdicts(path, names)
    assert not marker.exists(), "load_unsigned(trusted=...) ran the file's code"
    assert (safe, outcome) == (False, "refused")
    for name in (*names, "scipy.stats._distn_infrastructure.rv_generic"):
        with pytest.raises(UsageError):
            Policy.default().with_trusted([name])


# --- rt95-02: pydantic's TypeAdapter evaluates a string annotation while built ----------------


def test_rt95_02_pydantic_type_adapter_evals_its_argument(tmp_path: Path) -> None:
    from safeload import UsageError
    from safeload.policy import Policy

    # TypeAdapter("...") resolves the string as a forward reference: eval() of the file's
    # text (builtins available). The expression writes a marker and yields int, so the load
    # then returns a working TypeAdapter.
    marker = tmp_path / "marker.txt"
    code = f"[__import__('pathlib').Path({str(marker)!r}).write_text('ran'), int][1]"
    data = b"\x80\x02" + global_("pydantic.type_adapter", "TypeAdapter") + binunicode(code)
    path = write(tmp_path, data + b"\x85R.")
    plain = "import pickle, sys\npickle.load(open(sys.argv[1], 'rb'))\n"
    subprocess.run([sys.executable, "-c", plain, str(path)], cwd=tmp_path, timeout=120, check=True)
    assert marker.exists()  # (the harm, with plain pickle)
    marker.unlink()
    names = ["pydantic.type_adapter.TypeAdapter"]
    safe, outcome = _trusted_verdicts(path, names)
    assert not marker.exists(), "load_unsigned(trusted=...) ran the file's code"
    assert (safe, outcome) == (False, "refused")
    for name in (*names, "pydantic.TypeAdapter"):
        with pytest.raises(UsageError):
            Policy.default().with_trusted([name])


# --- rt95-03: contourpy's MplRenderer imports the matplotlib backend module the file names -----

#: A child (cwd: the test's folder, first on sys.path under ``-c``) that loads argv[1] with
#: ``load_unsigned(trusted=argv[2:])`` (``plain`` as argv[2]: with plain pickle).
_LOAD_IN_CWD = """
import pickle, sys
try:
    if sys.argv[2] == "plain":
        pickle.load(open(sys.argv[1], "rb"))
    else:
        import safeload
        safeload.load_unsigned(sys.argv[1], trusted=sys.argv[2:])
    print("loaded")
except Exception as exc:
    print("refused", type(exc).__name__, str(exc)[:200])
"""


def test_rt95_03_contourpy_renderer_imports_a_backend_module(tmp_path: Path) -> None:
    import safeload
    from safeload import UsageError
    from safeload.policy import Policy

    # MplRenderer(1, 1, 1, 1, True, "module://rt95_backend_mod") -> matplotlib.use(...) ->
    # pyplot.switch_backend -> importlib.import_module("rt95_backend_mod"): the module the
    # file names, here one in the working directory that writes a marker
    names = ["contourpy.util.mpl_renderer.MplRenderer"]
    (tmp_path / "rt95_backend_mod.py").write_text(
        "import pathlib\npathlib.Path(__file__).with_name('marker.txt').write_text('imported')\n"
    )
    data = (
        b"\x80\x02"
        + global_("contourpy.util.mpl_renderer", "MplRenderer")
        + b"(K\x01K\x01K\x01K\x01\x86\x88"
        + binunicode("module://rt95_backend_mod")
        + b"tR."
    )
    path = write(tmp_path, data)
    marker = tmp_path / "marker.txt"
    env = {**os.environ, "MPLBACKEND": "agg"}
    run = [sys.executable, "-c", _LOAD_IN_CWD, str(path)]
    subprocess.run([*run, "plain"], cwd=tmp_path, env=env, timeout=120, check=True)
    assert marker.exists()  # (the harm, with plain pickle)
    marker.unlink()
    out = subprocess.run(
        [*run, *names], cwd=tmp_path, env=env, timeout=120, capture_output=True, text=True
    )
    assert not marker.exists(), "load_unsigned(trusted=...) imported the module: " + out.stdout
    try:
        safe = bool(safeload.scan(data, trusted=names).safe)
    except UsageError:
        safe = False
    assert not safe
    with pytest.raises(UsageError):
        Policy.default().with_trusted(names)


# --- rt95-04: native handles taken from the file: lightgbm's and xgboost's helper classes -------

#: A child: load argv[1] (``plain``: with plain pickle; else load_unsigned trusting argv[2]),
#: drop what it made, collect, and say whether it got that far.
_LOAD_AND_FREE = """
import gc, pickle, sys
try:
    if sys.argv[2] == "plain":
        model = pickle.load(open(sys.argv[1], "rb"))
    else:
        import safeload
        model = safeload.load_unsigned(sys.argv[1], trusted=[sys.argv[2]])
    print("loaded", flush=True)
    del model
except Exception as exc:
    print("refused", type(exc).__name__, str(exc)[:200], flush=True)
gc.collect()
print("survived", flush=True)
"""


def _handle_files(tmp_path: Path) -> dict[str, Path]:
    from redteam import binint

    made = {}
    # _InnerPredictor(handle, pandas_categorical, pred_parameter, manage_handle) by REDUCE
    inner = global_("lightgbm.basic", "_InnerPredictor") + b"(" + binint(0x10000) + b"N}\x89tR."
    made["lightgbm.basic._InnerPredictor"] = write(tmp_path, b"\x80\x02" + inner, "inner.pkl")
    for module, name, attr in (
        ("lightgbm.basic", "Dataset", "_handle"),
        ("xgboost.core", "DMatrix", "handle"),
    ):
        body = global_(module, name) + b")\x81}" + binunicode(attr) + binint(0x10000) + b"sb."
        made[f"{module}.{name}"] = write(tmp_path, b"\x80\x02" + body, f"{name}.pkl")
    return made


def test_rt95_04_native_handle_from_the_file(tmp_path: Path) -> None:
    import safeload
    from safeload import UsageError
    from safeload.policy import Policy

    for name, path in _handle_files(tmp_path).items():
        run = [sys.executable, "-c", _LOAD_AND_FREE, str(path)]
        plain = subprocess.run([*run, "plain"], timeout=120, capture_output=True, text=True)
        assert plain.returncode < 0 and "survived" not in plain.stdout, (name, plain)
        # (the maintainer's port: trusting the name is refused before anything is built, so
        # the load runs here, after that refusal is asserted, not in a child of its own)
        with pytest.raises(UsageError):
            Policy.default().with_trusted([name])
        with pytest.raises(UsageError):
            safeload.load_unsigned(path, trusted=[name])
        try:
            safe = bool(safeload.scan(path.read_bytes(), trusted=[name]).safe)
        except UsageError:
            safe = False
        assert not safe, name


# --- rt95-05: scipy's cKDTree copies a raw node buffer from the file ---------------------------


def _crafted_ckdtree() -> bytes:
    import copyreg
    import io
    import struct

    import numpy as np
    from scipy.spatial import cKDTree

    tree = cKDTree(np.random.RandomState(0).rand(20, 2), leafsize=2)
    state = tree.__getstate__()
    raw = state[0].tobytes()
    words = struct.unpack(f"<{len(raw) // 8}q", raw)
    bad = struct.pack(f"<{len(words)}q", *(10**9 if 0 <= w < 64 else w for w in words))
    state = (np.frombuffer(bad, dtype="S1").copy(), *state[1:])

    class _Pickler(pickle.Pickler):
        def reducer_override(self, obj: object) -> object:
            if obj is tree:
                return (copyreg.__newobj__, (cKDTree,), state)
            return NotImplemented

    out = io.BytesIO()
    _Pickler(out, protocol=2).dump(tree)
    return out.getvalue()


def test_rt95_05_scipy_ckdtree_raw_nodes(tmp_path: Path) -> None:
    import safeload
    from safeload import UsageError
    from safeload.policy import Policy

    name = "scipy.spatial._ckdtree.cKDTree"
    path = write(tmp_path, _crafted_ckdtree())
    run = [sys.executable, "-c", _LOAD_AND_FREE, str(path)]
    plain = subprocess.run([*run, "plain"], timeout=120, capture_output=True, text=True)
    assert plain.returncode < 0 and "survived" not in plain.stdout, plain
    safe_run = subprocess.run([*run, name], timeout=120, capture_output=True, text=True)
    assert safe_run.returncode == 0 and "refused" in safe_run.stdout, safe_run
    try:
        safe = bool(safeload.scan(path.read_bytes(), trusted=[name]).safe)
    except UsageError:
        safe = False
    assert not safe
    for trusted in (name, "scipy.spatial.KDTree"):
        with pytest.raises(UsageError):
            Policy.default().with_trusted([trusted])


# --- rt95-06: scan SAFE, the load refuses: a trusted module subclass other than LazyLoader --------


def test_rt95_06_module_subclass_scan_safe_load_refuses(tmp_path: Path) -> None:
    import cryptography.utils
    import numpy as np

    from redteam import Call, imputer

    # cryptography.utils._ModuleWithDeprecations is a types.ModuleType subclass (as
    # imblearn.LazyLoader, rt93-11, fixed by name): the load's walk refuses a module object,
    # scan's model of it does not
    names = ["cryptography.utils._ModuleWithDeprecations"]
    module = Call(cryptography.utils._ModuleWithDeprecations, np.float64)
    for model in (imputer(module), module):
        data = pickle.dumps(model, protocol=2)
        safe, outcome = _trusted_verdicts(write(tmp_path, data), names)
        assert outcome == "refused"
        assert safe == (outcome == "loaded"), (safe, outcome)


# --- rt95-07: scan SAFE, the load refuses: what a trusted class's constructor makes ---------------


def test_rt95_07_trusted_constructor_state_scan_safe_load_refuses(tmp_path: Path) -> None:
    import datetime

    from dateutil import rrule

    from redteam import Call

    names = ["dateutil.rrule.rrule"]
    start = datetime.datetime(2020, 1, 1)
    made = Call(rrule.rrule, 3, start, 1, None, 2, *([None] * 11), True)  # cache=True
    wrong = Call(rrule.rrule, 3, start, 1, None, 2, *([None] * 12), True)  # one too many
    for obj in (made, wrong):
        data = pickle.dumps(obj, protocol=2)
        safe, outcome = _trusted_verdicts(write(tmp_path, data), names)
        assert outcome == "refused"
        assert safe == (outcome == "loaded"), (safe, outcome)


# --- rt95-08: protobuf's FileDescriptor registers the file's proto in the process's pool -----

_POISONED = """
import sys
try:
    if sys.argv[2] == "plain":
        import pickle
        pickle.load(open(sys.argv[1], "rb"))
    else:
        import safeload
        safeload.load_unsigned(sys.argv[1], trusted=sys.argv[2:])
    print("loaded")
except Exception as exc:
    print("refused", type(exc).__name__, str(exc)[:200].replace(chr(10), " "))
try:
    from google.protobuf import timestamp_pb2
    timestamp_pb2.Timestamp(seconds=1)
    print("timestamp ok")
except Exception as exc:
    print("timestamp broken", type(exc).__name__, str(exc)[:200].replace(chr(10), " "))
"""


def test_rt95_08_protobuf_descriptor_pool_poisoned(tmp_path: Path) -> None:
    from google.protobuf import descriptor_pb2

    import safeload
    from safeload import UsageError
    from safeload.policy import Policy

    names = ["google.protobuf.descriptor.FileDescriptor"]
    proto = descriptor_pb2.FileDescriptorProto(name="google/protobuf/timestamp.proto")
    proto.package = "rt95"
    proto.message_type.add(name="Bogus")
    raw = proto.SerializeToString()
    assert len(raw) < 256
    data = (
        b"\x80\x02"
        + global_("google.protobuf.descriptor", "FileDescriptor")
        + b"("
        + binunicode("google/protobuf/timestamp.proto")
        + binunicode("rt95")
        + b"NNC"
        + bytes([len(raw)])
        + raw
        + b"tR."
    )
    path = write(tmp_path, data)
    run = [sys.executable, "-c", _POISONED, str(path)]
    plain = subprocess.run([*run, "plain"], timeout=120, capture_output=True, text=True)
    assert "timestamp broken" in plain.stdout, plain  # (the harm, with plain pickle)
    out = subprocess.run([*run, *names], timeout=120, capture_output=True, text=True).stdout
    assert "refused" in out, out
    assert "timestamp ok" in out, out
    try:
        safe = bool(safeload.scan(data, trusted=names).safe)
    except UsageError:
        safe = False
    assert not safe
    with pytest.raises(UsageError):
        Policy.default().with_trusted(names)


# --- rt95-09: scan SAFE, the load refuses: an allowed class in a tuple the stream discards ------


def test_rt95_09_discarded_tuple_holding_a_class(tmp_path: Path) -> None:
    from redteam import assert_scan_predicts_load

    tuple_class = global_("builtins", "tuple")
    imputer_class = global_("sklearn.impute._base", "SimpleImputer")
    for body in (
        tuple_class + b"\x85",  # (tuple,)
        b"K\x01" + tuple_class + b"\x86",  # (1, tuple)
        b"(" + tuple_class + b"t",  # MARK tuple TUPLE
        imputer_class + b"\x85",  # (SimpleImputer,)
    ):
        data = b"\x80\x02" + body + b"0K\x01."  # POP, then the result: 1
        assert pickle.loads(data) == 1
        assert_scan_predicts_load(data, tmp_path, refused=True)


# --- rt95-10: a dict keyed by its own estimator: the load's printing count recurses out -------


def test_rt95_10_dict_keyed_by_its_estimator_recursion(tmp_path: Path) -> None:
    from sklearn.impute import SimpleImputer

    import safeload

    for make in (lambda i: {i: 1}, lambda i: {(i,): 1}, lambda i: {frozenset({i}): 1}):
        model = SimpleImputer(strategy="constant")
        model.fill_value = make(model)
        data = pickle.dumps(model, protocol=2)
        path = write(tmp_path, data)
        assert not safeload.scan(data).safe
        try:  # (a refusal or a model, never a bare RecursionError out of the checks)
            safeload.load_unsigned(path)
        except safeload.SafeloadError:
            pass
