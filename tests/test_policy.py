"""The default allowlist: reasons, resolvability, no gadgets, and no false alarms on real models.

The "no false alarms" test uses its own static global collector (below), independent of
``safeload.scan``: it walks the opcodes with ``pickletools.genops``, keeps a small symbolic stack
(so names pushed through the memo before ``STACK_GLOBAL`` are found), and for joblib streams
skips the raw array bytes joblib writes after each ``NumpyArrayWrapper``'s ``BUILD``.
"""

from __future__ import annotations

import _compat_pickle
import functools
import importlib
import importlib.util
import inspect
import io
import pickle
import pickletools
import re
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pytest

from corpus import build_corpus
from safeload import Policy
from safeload._allowlist import default_entries, hand_written_entries, refused_entries
from safeload.pickle.names import BARE_MODULES

DEFAULT = Policy.default()

# --- a static global collector, independent of safeload.scan ---------------------------------


class _Global:
    def __init__(self, module: str, name: str) -> None:
        self.pair = (module, name)


class _Obj:
    def __init__(self, func: Any, args: Any) -> None:
        self.func, self.args, self.state = func, args, None


_WRAPPER = ("joblib.numpy_pickle", "NumpyArrayWrapper")
_MEMO_PUT = {"PUT", "BINPUT", "LONG_BINPUT"}
_MEMO_GET = {"GET", "BINGET", "LONG_BINGET"}


def _py3_name(module: str, name: str, proto: int) -> tuple[str, str]:
    """The name an unpickler resolves: protocols < 3 write Python 2 names mapped by a table."""
    if proto < 3:
        if (module, name) in _compat_pickle.NAME_MAPPING:
            mapped: tuple[str, str] = _compat_pickle.NAME_MAPPING[(module, name)]
            return mapped
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
    return module, name


def _set_items(target: Any, items: list[Any]) -> None:
    if isinstance(target, dict):
        for key, value in zip(items[::2], items[1::2], strict=True):
            if isinstance(key, (str, int, float, bytes, tuple)):
                target[key] = value


def _skip_array(f: io.BytesIO, state: dict[str, Any], found: set[tuple[str, str]]) -> None:
    """Step over the data joblib wrote after an array wrapper (a nested pickle for objects)."""
    dtype = state["dtype"]
    assert isinstance(dtype, _Obj) and isinstance(dtype.state, tuple)
    type_code = dtype.args[0]
    elsize, flags = dtype.state[5], dtype.state[-1]
    if type_code == "O" or flags & 1:  # NPY_ITEM_REFCOUNT: an object array
        _walk(f, joblib_stream=False, found=found)
        return
    itemsize = elsize if elsize > 0 else np.dtype(type_code).itemsize
    count = 1
    for n in state["shape"]:
        count *= n
    if "numpy_array_alignment_bytes" in state:
        pad = f.read(1)[0]
        f.seek(pad, io.SEEK_CUR)
    f.seek(count * itemsize, io.SEEK_CUR)


def _walk(f: io.BytesIO, joblib_stream: bool, found: set[tuple[str, str]]) -> None:
    stack: list[Any] = []
    marks: list[int] = []
    memo: dict[int, Any] = {}
    proto = 0

    def pop_mark() -> list[Any]:
        start = marks.pop()
        items = stack[start:]
        del stack[start:]
        return items

    for op, arg, _pos in pickletools.genops(f):
        name = op.name
        if name == "STOP":
            return
        if name == "PROTO":
            proto = arg
        elif name == "FRAME":
            pass
        elif name == "MARK":
            marks.append(len(stack))
        elif name in ("GLOBAL", "INST", "STACK_GLOBAL"):
            if name == "STACK_GLOBAL":
                qual = stack.pop()
                module = stack.pop()
            else:
                module, qual = arg.split(" ", 1)
            assert isinstance(module, str) and isinstance(qual, str), "non-constant global name"
            glob = _Global(*_py3_name(module, qual, proto))
            found.add(glob.pair)
            stack.append(_Obj(glob, tuple(pop_mark())) if name == "INST" else glob)
        elif name in _MEMO_PUT:
            memo[arg] = stack[-1]
        elif name == "MEMOIZE":
            memo[len(memo)] = stack[-1]
        elif name in _MEMO_GET:
            stack.append(memo[arg])
        elif name == "NONE":
            stack.append(None)
        elif name in ("NEWTRUE", "NEWFALSE"):
            stack.append(name == "NEWTRUE")
        elif op.arg is not None:  # every other opcode with an argument pushes a constant
            stack.append(arg)
        elif name == "EMPTY_TUPLE":
            stack.append(())
        elif name in ("TUPLE1", "TUPLE2", "TUPLE3"):
            k = int(name[-1])
            items = tuple(stack[-k:])
            del stack[-k:]
            stack.append(items)
        elif name == "TUPLE":
            stack.append(tuple(pop_mark()))
        elif name in ("EMPTY_LIST", "EMPTY_SET"):
            stack.append([])
        elif name in ("LIST", "FROZENSET"):
            stack.append(pop_mark())
        elif name == "APPEND":
            value = stack.pop()
            stack[-1].append(value)
        elif name in ("APPENDS", "ADDITEMS"):
            values = pop_mark()
            stack[-1].extend(values)
        elif name == "EMPTY_DICT":
            stack.append({})
        elif name == "DICT":
            d: dict[Any, Any] = {}
            _set_items(d, pop_mark())
            stack.append(d)
        elif name == "SETITEM":
            value = stack.pop()
            key = stack.pop()
            _set_items(stack[-1], [key, value])
        elif name == "SETITEMS":
            items = pop_mark()
            _set_items(stack[-1], items)
        elif name == "POP":
            stack.pop()
        elif name == "POP_MARK":
            pop_mark()
        elif name == "DUP":
            stack.append(stack[-1])
        elif name in ("REDUCE", "NEWOBJ"):
            args = stack.pop()
            stack.append(_Obj(stack.pop(), args))
        elif name == "NEWOBJ_EX":
            stack.pop()
            args = stack.pop()
            stack.append(_Obj(stack.pop(), args))
        elif name == "OBJ":
            items = pop_mark()
            stack.append(_Obj(items[0], tuple(items[1:])))
        elif name == "BUILD":
            state = stack.pop()
            target = stack[-1]
            if isinstance(target, _Obj):
                target.state = state
                func = target.func
                if joblib_stream and isinstance(func, _Global) and func.pair == _WRAPPER:
                    _skip_array(f, state, found)
        else:
            raise AssertionError(f"collector does not handle opcode {name}")
    raise AssertionError("stream ended without STOP")


def collect_globals(data: bytes, *, joblib_stream: bool = False) -> set[tuple[str, str]]:
    """Every global a pickle (or joblib) stream names, as the unpickler would resolve it."""
    found: set[tuple[str, str]] = set()
    f = io.BytesIO(data)
    _walk(f, joblib_stream, found)
    assert f.tell() == len(data), "bytes after the final STOP"
    return found


def _joblib_bytes(obj: Any) -> bytes:
    buf = io.BytesIO()
    joblib.dump(obj, buf)
    return buf.getvalue()


# --- the collector itself ---------------------------------------------------------------------


def test_collector_follows_names_through_the_memo() -> None:
    # "builtins" and "dict" are memoized first, then fetched back with BINGET for STACK_GLOBAL:
    # a collector that only looks at the two preceding string opcodes would miss them.
    payload = (
        b"\x80\x04"
        b"\x8c\x08builtins\x94"  # SHORT_BINUNICODE + MEMOIZE (memo 0)
        b"\x8c\x04dict\x94"  # memo 1
        b"0"  # POP
        b"0"  # POP
        b"h\x00h\x01\x93"  # BINGET 0, BINGET 1, STACK_GLOBAL
        b")R."  # EMPTY_TUPLE, REDUCE, STOP
    )
    assert pickle.loads(payload) == {}
    assert collect_globals(payload) == {("builtins", "dict")}


def test_collector_maps_protocol_2_names_and_reads_joblib_arrays() -> None:
    assert ("builtins", "set") in collect_globals(pickle.dumps({1}, protocol=2))
    obj = {"a": np.arange(10.0), "b": np.array(["x", None], dtype=object), "c": [1]}
    found = collect_globals(_joblib_bytes(obj), joblib_stream=True)
    assert _WRAPPER in found
    assert ("numpy", "ndarray") in found


# --- reasons, names, resolution ---------------------------------------------------------------


def test_every_entry_has_a_one_line_reason() -> None:
    entries = default_entries()
    assert len(entries) == len(DEFAULT)
    for (module, qualname), reason in entries.items():
        assert isinstance(module, str) and isinstance(qualname, str)
        assert isinstance(reason, str) and reason.strip(), (module, qualname)
        assert "\n" not in reason, (module, qualname)


def test_entries_are_exact_names_without_attribute_walks() -> None:
    for module, qualname in DEFAULT:
        assert all(p.isidentifier() for p in module.split(".")), module
        assert qualname.isidentifier(), f"{module}:{qualname} walks attributes"


def _resolve(module: str, qualname: str) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpy.core.* is a deprecated alias in numpy >= 2
        obj: Any = importlib.import_module(module)
        for part in qualname.split("."):
            obj = getattr(obj, part)
    return obj


PACKAGES = sorted({module.partition(".")[0] for module, _ in DEFAULT})
_SINCE = re.compile(r"\(scikit-learn >= (\d+)\.(\d+)\)$")


@functools.cache
def _reasons() -> dict[tuple[str, str], str]:
    return default_entries()


def _in_installed_version(module: str, qualname: str) -> bool:
    """False for an entry whose reason ends "(scikit-learn >= X.Y)" when an older release is
    installed: it names a class that release does not have. Every other entry must resolve."""
    since = _SINCE.search(_reasons()[(module, qualname)])
    if since is None:
        return True
    import sklearn

    installed = tuple(int(p) for p in sklearn.__version__.split(".")[:2])
    return installed >= (int(since[1]), int(since[2]))


def test_version_marked_entries_are_few() -> None:
    marked = [e for e, reason in default_entries().items() if _SINCE.search(reason)]
    assert 0 < len(marked) <= 5, marked


@pytest.mark.parametrize("package", PACKAGES)
def test_every_entry_resolves_to_a_class_or_callable(package: str) -> None:
    if importlib.util.find_spec(package) is None:
        pytest.skip(f"optional package {package} is not installed")
    for module, qualname in DEFAULT:
        if module.partition(".")[0] != package or not _in_installed_version(module, qualname):
            continue
        obj = _resolve(module, qualname)
        assert not inspect.ismodule(obj), (module, qualname)
        assert callable(obj), (module, qualname)


def test_the_list_is_built_lazily() -> None:
    code = (
        "import sys, safeload._allowlist, safeload.policy; "
        "assert 'sklearn' not in sys.modules, 'importing the allowlist imported sklearn'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_hand_written_entries_need_no_imports() -> None:
    entries = hand_written_entries()
    assert len(entries) >= 150
    assert set(entries) <= set(DEFAULT)


# --- scikit-learn's estimators, written out --------------------------------------------------


def test_every_estimator_is_listed_under_its_pickled_name() -> None:
    """The list is written out, not derived: a scikit-learn release that adds an estimator
    fails here until the class is reviewed and added to safeload._allowlist_sklearn."""
    from sklearn.utils import all_estimators

    estimators = all_estimators()
    assert len(estimators) >= 150
    for _, cls in estimators:
        assert DEFAULT.allows(cls.__module__, cls.__qualname__), cls


def test_no_test_module_is_derived() -> None:
    for module, _ in DEFAULT:
        parts = module.split(".")
        assert not any(p in {"tests", "testing", "_testing", "estimator_checks"} for p in parts)
        assert not any(p.startswith("test_") for p in parts), module


def test_both_numpy_spellings_are_present() -> None:
    for package in ("numpy.core", "numpy._core"):
        assert DEFAULT.allows(f"{package}.multiarray", "_reconstruct")
        assert DEFAULT.allows(f"{package}.multiarray", "scalar")
        assert DEFAULT.allows(f"{package}.numeric", "_frombuffer")


def test_internal_types_real_pickles_contain() -> None:
    for name in (
        "sklearn.tree._tree.Tree",
        "sklearn.neighbors._kd_tree.KDTree",
        "sklearn.neighbors._ball_tree.BallTree",
        "sklearn.neighbors._kd_tree.newObj",
        "sklearn.neighbors._ball_tree.newObj",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn._loss.link.LogitLink",
        "sklearn.utils._bunch.Bunch",
        "sklearn.metrics._scorer._Scorer",
        "sklearn.model_selection._split.StratifiedKFold",
        "sklearn.metrics._classification.accuracy_score",
        "numpy.random._pickle.__randomstate_ctor",
        "numpy.random._mt19937.MT19937",
        "scipy.sparse._csr.csr_matrix",
        "scipy.sparse._csr.csr_array",
        "joblib.numpy_pickle.NumpyArrayWrapper",
        "collections.OrderedDict",
        "_codecs.encode",
        "copyreg._reconstructor",
    ):
        assert name in DEFAULT, name


# --- gadgets that must never be allowed -------------------------------------------------------

GADGETS = [
    # builtins that evaluate, import, open or walk attributes
    "builtins.eval",
    "builtins.exec",
    "builtins.compile",
    "builtins.open",
    "builtins.__import__",
    "builtins.getattr",
    "builtins.setattr",
    "builtins.delattr",
    "builtins.input",
    "builtins.breakpoint",
    "builtins.type",
    "builtins.vars",
    "builtins.globals",
    "builtins.locals",
    "builtins.dir",
    "builtins.memoryview",
    "__builtin__.eval",
    "__builtin__.getattr",
    # processes and the interpreter
    "os.system",
    "os.popen",
    "os.execv",
    "os.remove",
    "posix.system",
    "nt.system",
    "subprocess.Popen",
    "subprocess.run",
    "subprocess.check_output",
    "sys.exit",
    "sys.modules",
    "runpy._run_code",
    "runpy.run_path",
    "runpy.run_module",
    "cProfile.run",
    "cProfile.runctx",
    "profile.run",
    "profile:Profile.run",
    "timeit.timeit",
    "bdb:Bdb.run",
    "trace:Trace.run",
    "pdb.run",
    "code:InteractiveInterpreter.runcode",
    "code:InteractiveInterpreter.runsource",
    "doctest.debug_script",
    "ensurepip._run_pip",
    "pip.main",
    "idlelib.pyshell:ModifiedInterpreter.runcode",
    "uuid._get_command_stdout",
    "_osx_support._read_output",
    "_aix_support._read_cmd_output",
    "imaplib.IMAP4_stream",
    "asyncio.unix_events:_UnixSubprocessTransport._start",
    "multiprocessing.Process",
    "shutil.rmtree",
    "webbrowser.open",
    # imports and name resolution
    "importlib.import_module",
    "importlib.__import__",
    "pkgutil.resolve_name",
    "pydoc.locate",
    "operator.attrgetter",
    "operator.itemgetter",
    "operator.methodcaller",
    "_operator.attrgetter",
    "_operator.methodcaller",
    "functools.reduce",
    # deserializing again, code objects, native calls
    "pickle.loads",
    "pickle.load",
    "_pickle.loads",
    "pickle:Unpickler",
    "marshal.loads",
    "types.FunctionType",
    "types.CodeType",
    "ctypes.CDLL",
    "ctypes.cdll",
    "joblib.load",
    "joblib.numpy_pickle.load",
    "joblib.numpy_pickle_compat.NDArrayWrapper",
    "joblib.numpy_pickle_compat.ZNDArrayWrapper",
    # files, sockets and logging
    "_io.FileIO",
    "io.open",
    "pathlib.Path",
    "socket.socket",
    "socket.create_connection",
    "urllib.request.urlopen",
    "ssl.get_server_certificate",
    "smtplib.SMTP",
    "logging.FileHandler",
    "logging.handlers.SocketHandler",
    "tempfile.NamedTemporaryFile",
    # numpy, scipy, pandas and scikit-learn helpers that do any of the above
    "numpy.load",
    "numpy.save",
    "numpy.memmap",
    "numpy.fromfile",
    "numpy.loadtxt",
    "numpy.genfromtxt",
    "numpy.frombuffer",
    "numpy.testing._private.utils.runstring",
    "numpy.f2py.crackfortran.getlincoef",
    "numpy.f2py.capi_maps.getinit",
    "numpy.lib.npyio.load",
    "numpy.core._ufunc_reconstruct",
    "scipy.io.loadmat",
    "pandas.read_csv",
    "pandas.read_pickle",
    "pandas.io.pickle.read_pickle",
    "sklearn.utils._testing.assert_run_python_script_without_output",
    "sklearn.datasets.fetch_openml",
    "sklearn.datasets.load_svmlight_file",
    "sklearn.cluster._kmeans._kmeans_single_lloyd",
    "sklearn.metrics._dist_metrics.PyFuncDistance64",
]


def test_gadget_list_is_large_enough() -> None:
    assert len(set(GADGETS)) >= 60


@pytest.mark.parametrize("name", GADGETS)
def test_gadget_is_not_allowed(name: str) -> None:
    assert name not in DEFAULT
    module, _, qualname = name.partition(":") if ":" in name else name.rpartition(".")
    assert not DEFAULT.allows(module, qualname)


def _dangerous_objects() -> dict[int, str]:
    """The gadgets that resolve here, by identity (catches an allowed alias of one of them)."""
    found: dict[int, str] = {}
    for name in GADGETS:
        module, _, qualname = name.partition(":") if ":" in name else name.rpartition(".")
        if module.startswith("idlelib"):
            continue  # importing the IDLE shell pulls in tkinter; the name check covers it
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                obj: Any = importlib.import_module(module)
                for part in qualname.split("."):
                    obj = getattr(obj, part)
        except Exception:  # noqa: S112 - not importable here, nothing to alias
            continue
        found[id(obj)] = name
    return found


def test_no_entry_is_an_alias_of_a_gadget() -> None:
    dangerous = _dangerous_objects()
    assert len(dangerous) >= 40
    for module, qualname in DEFAULT:
        if not _in_installed_version(module, qualname):
            continue
        obj = _resolve(module, qualname)
        assert id(obj) not in dangerous, (module, qualname, dangerous.get(id(obj)))


FORBIDDEN_MODULES = (
    "os",
    "posix",
    "nt",
    "subprocess",
    "sys",
    "importlib",
    "operator",
    "_operator",
    "functools",
    "pickle",
    "_pickle",
    "marshal",
    "ctypes",
    "types",
    "runpy",
    "code",
    "codeop",
    "pdb",
    "bdb",
    "cProfile",
    "profile",
    "timeit",
    "trace",
    "doctest",
    "idlelib",
    "lib2to3",
    "ensurepip",
    "pip",
    "pkgutil",
    "pydoc",
    "shutil",
    "socket",
    "ssl",
    "urllib",
    "http",
    "smtplib",
    "imaplib",
    "webbrowser",
    "asyncio",
    "multiprocessing",
    "concurrent",
    "threading",
    "_thread",
    "signal",
    "logging",
    "io",
    "_io",
    "pathlib",
    "tempfile",
    "uuid",
    "_osx_support",
    "_aix_support",
    "numpy.testing",
    "numpy.f2py",
    "numpy.lib.npyio",
    "numpy.lib.format",
    "numpy.ctypeslib",
    "numpy.distutils",
    "scipy.io",
    "pandas",
    "joblib.numpy_pickle_compat",
    "joblib.externals",
    "joblib.parallel",
    "cloudpickle",
    "dill",
    "sklearn.utils._testing",
    "sklearn.utils.estimator_checks",
    "sklearn.datasets",
    "sklearn.externals",
)


#: The reviewed exceptions: functools.partial only binds arguments to a callable that must
#: itself be on the list (HistGradientBoosting with categorical features needs it); uuid.UUID
#: and the pure paths are inert data types in modules whose other names are primitives
#: (safeload.policy.INERT_NAMES, tests/test_metadata_types.py).
REVIEWED_EXCEPTIONS = {
    ("functools", "partial"),
    ("uuid", "UUID"),
    ("pathlib", "PurePosixPath"),
    ("pathlib", "PureWindowsPath"),
}


def test_no_entry_lives_in_a_forbidden_module() -> None:
    assert set(DEFAULT.entries) & REVIEWED_EXCEPTIONS == REVIEWED_EXCEPTIONS
    for module, qualname in DEFAULT:
        if (module, qualname) in REVIEWED_EXCEPTIONS:
            continue
        for bad in FORBIDDEN_MODULES:
            assert module != bad and not module.startswith(bad + "."), (module, qualname)


def test_refused_names_stay_refused() -> None:
    refused = refused_entries()
    assert refused
    for module, qualname in refused:
        assert not DEFAULT.allows(module, qualname)


# --- no false alarms on real models -----------------------------------------------------------

CORPUS = build_corpus()


@pytest.mark.parametrize("entry", CORPUS, ids=[m.name for m in CORPUS])
def test_every_global_in_real_model_files_is_allowed(entry: Any) -> None:
    seen: dict[tuple[str, str], str] = {}
    for protocol in (2, 3, 4, 5):
        for pair in collect_globals(pickle.dumps(entry.estimator, protocol=protocol)):
            seen.setdefault(pair, f"pickle protocol {protocol}")
    for pair in collect_globals(_joblib_bytes(entry.estimator), joblib_stream=True):
        seen.setdefault(pair, "joblib")
    assert seen, "the collector found no globals at all"
    # a bare module name (scikit-learn 1.7's "_loss") is checked as the module it stands for
    missing = {
        (module, name): where
        for (module, name), where in seen.items()
        if not DEFAULT.allows(BARE_MODULES.get(module, module), name)
    }
    assert not missing, missing


def test_corpus_is_broad() -> None:
    assert len({m.name for m in CORPUS}) >= 30


# --- user extensions --------------------------------------------------------------------------


@pytest.mark.parametrize("flag", [True, False, None])
def test_no_trust_everything_switch(flag: Any) -> None:
    with pytest.raises(TypeError):
        DEFAULT.with_trusted(flag)
    with pytest.raises(TypeError):
        DEFAULT.with_trusted([flag])


def test_with_trusted_adds_exactly_one_entry() -> None:
    extended = DEFAULT.with_trusted(["mypkg.Thing"])
    assert len(extended) == len(DEFAULT) + 1
    assert set(extended) - set(DEFAULT) == {("mypkg", "Thing")}
    assert extended.reason("mypkg", "Thing") == "trusted by caller"
    assert not DEFAULT.allows("mypkg", "Thing")
    assert not extended.allows("mypkg", "Other")
    assert not extended.allows("mypkg.Thing", "attr")


def test_known_gadgets_cannot_be_trusted() -> None:
    """Issue 14, item 7: every gadget of the denylist above is a known code-execution primitive
    to the library, so trusted=[...] refuses it (as a name or as the object itself)."""
    import os

    from safeload.policy import name_runs_code, resolve_policy

    for name in GADGETS:
        assert name_runs_code(name), name
        with pytest.raises(ValueError, match="code-execution primitive"):
            Policy.default().with_trusted([name])
    for obj in (os.system, eval, __import__, pickle.loads):
        with pytest.raises(ValueError, match="code-execution primitive"):
            resolve_policy(None, [obj])
    assert not any(name_runs_code(f"{m}:{q}") for m, q in DEFAULT)  # nothing allowed runs code


def test_untrusted_error_for_a_gadget_says_the_file_runs_code(tmp_path: Path) -> None:
    from safeload import UntrustedTypeError, load_unsigned

    path = tmp_path / "bad.pkl"
    path.write_bytes(b"\x80\x04\x8c\x05posix\x8c\x06system\x93\x8c\x04true\x85R.")
    with pytest.raises(UntrustedTypeError) as info:
        load_unsigned(path)
    message = str(info.value)
    assert "tries to run code" in message and "posix.system" in message
    assert "trusted=" not in message and "--trust" not in message
    with pytest.raises(ValueError, match="code-execution primitive"):
        load_unsigned(path, trusted=["posix.system"])
    other = tmp_path / "custom.pkl"
    other.write_bytes(b"\x80\x04\x8c\x05mypkg\x8c\x05Model\x93)\x81.")
    with pytest.raises(UntrustedTypeError, match=r"trusted=\['mypkg.Model'\]"):
        load_unsigned(other)
