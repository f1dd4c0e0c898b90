"""Global names as pickle streams hold them: how they are written and read back
(``module.qualname``, ``module:Outer.Inner``), and which of them are known code-execution
primitives, never trusted whatever the caller asks. :mod:`safeload.policy` re-exports them.
"""

from __future__ import annotations

from typing import Final


def format_name(module: str, qualname: str) -> str:
    """Render a global as ``module.qualname`` (or ``module:qualname`` when the qualname is dotted).

    The colon form keeps nested names unambiguous, and is accepted back by :func:`parse_name`.
    """
    return f"{module}:{qualname}" if "." in qualname else f"{module}.{qualname}"


def parse_name(spec: str) -> tuple[str, str]:
    """Split ``"pkg.mod.Name"`` or ``"pkg.mod:Outer.Inner"`` into ``(module, qualname)``."""
    spec = spec.strip()
    if ":" in spec:
        module, _, qualname = spec.partition(":")
    else:
        module, _, qualname = spec.rpartition(".")
    parts = [*module.split("."), *qualname.split(".")]
    if not module or not qualname or not all(p.isidentifier() for p in parts):
        raise ValueError(
            f"not a global name: {spec!r}; write 'package.module.Name' or "
            "'package.module:Outer.Inner'"
        )
    if "*" in spec:  # pragma: no cover - isidentifier() already refuses it
        raise ValueError("wildcards are not supported")
    return module, qualname


# --- known code-execution primitives: never trusted, never offered as advice -----------------

#: Modules every name of which (and of their submodules) can run code, import or evaluate,
#: deserialize again, touch files, sockets or processes, or walk to something that does.
CODE_MODULES: Final = frozenset(
    {
        "os", "posix", "nt", "subprocess", "_posixsubprocess", "_winapi", "pty", "sys",
        "runpy", "importlib", "pkgutil", "pydoc", "imp", "zipimport",
        "pickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "copy_reg",
        "ctypes", "_ctypes", "cffi", "types",
        "code", "codeop", "cProfile", "profile", "pdb", "bdb", "trace", "timeit", "doctest",
        "idlelib", "lib2to3", "ensurepip", "pip", "setuptools", "distutils",
        "operator", "_operator", "inspect", "gc", "signal", "_thread", "threading",
        "multiprocessing", "concurrent", "asyncio", "_asyncio",
        "uuid", "_osx_support", "_aix_support", "platform", "webbrowser",
        "io", "_io", "pathlib", "shutil", "tempfile", "glob", "fileinput", "zipfile", "tarfile",
        "socket", "_socket", "ssl", "_ssl", "http", "urllib", "ftplib", "smtplib", "imaplib",
        "poplib", "telnetlib", "xmlrpc", "logging", "test", "unittest", "venv", "sqlite3",
        "joblib.numpy_pickle_compat", "numpy.testing", "numpy.f2py", "numpy.distutils",
        "sklearn.utils._testing", "sklearn.datasets", "torch", "tensorflow", "keras",
        # import machinery, compilers, files and processes reached by other names (rt14 f05)
        "_frozen_importlib", "_frozen_importlib_external", "_imp", "site", "py_compile",
        "compileall", "zipapp", "linecache", "codecs", "_pyio", "gzip", "bz2", "lzma", "mmap",
        "dbm", "readline", "fcntl", "resource", "atexit", "mailbox", "wave", "aifc", "sunau",
        "socketserver", "wsgiref", "nntplib", "tkinter", "modulefinder",
        "numpy.lib.npyio", "numpy.lib._npyio_impl", "numpy.lib.format", "numpy.lib._format_impl",
        "numpy.lib._datasource", "numpy.ctypeslib", "numpy._core.memmap", "numpy.core.memmap",
        "scipy.io", "scipy.sparse._matrix_io", "pandas.io", "pandas.core.computation",
        "joblib.memory", "joblib.parallel", "joblib._parallel_backends", "joblib.pool",
        "joblib._store_backends", "joblib.executor", "joblib._memmapping_reducer",
        "sklearn.utils.estimator_checks", "sklearn.utils.parallel",
        # classes whose construction or BUILD starts processes, opens files or sockets, found
        # by an AST sweep of the libraries' __init__/__new__/__setstate__ (rt87-01 to 03):
        # joblib's vendored loky and cloudpickle (Popen fork-execs with the file's env),
        # joblib's PrintTime (truncates its logfile), matplotlib's backends (PdfFile writes
        # its path), scipy's MapWrapper (a process pool), scikit-learn's callbacks (a
        # ScoringMonitor's BUILD connects to the address its state names), dateutil's tz
        # files (tzfile and tzical open and read the path they are given)
        "joblib.externals", "joblib.logger", "matplotlib.backends", "scipy._lib._util",
        "sklearn.callback", "dateutil.tz", "dateutil.zoneinfo",
        # and red team 88's (rt88-03/04/05/07/09): threadpoolctl's limits (process-wide
        # thread settings: 100,000 OpenMP threads, then a segfault), matplotlib (fc-list,
        # luatex, font and TFM files, cache folders) and fontTools (XMLWriter truncates its
        # path), joblib's shipped tests, scipy's Qhull (a segfault when built bare) and
        # optimizers (SHGO and differential evolution start worker pools), python-pkcs11
        # (lib() dlopens the path it is given) and execnet (gateways run commands)
        "threadpoolctl", "matplotlib", "fontTools", "joblib.test", "scipy.spatial._qhull",
        "scipy.optimize", "pkcs11", "execnet",
        # and red team 89's (rt89-06/07/08): development, test and scanning tools, no model
        # code, whose classes act while they are built. mypy (build.WorkerClient deletes a
        # path and starts Python with the file's env, dmypy_server.Server unlinks its status
        # file, stubgenc imports the module it is given, moduleinspect starts a process,
        # ipc.IPCServer binds a socket, metastore makes an SQLite database), with mypyc, its
        # runtime (librt) and AST bindings; pytest (capture.FDCapture dups fds), xdist
        # (looponfail.StatRecorder walks the tree it is given), pluggy, iniconfig (reads its
        # path) and the py shim (py.path walks and opens files); pygments (img.FontManager runs
        # fc-list); model scanners: modelscan (ModelScan imports and calls the names its
        # settings give: a shell command ran), picklescan and fickling (interpret pickles);
        # skops' model cards (Card joblib.loads the path it is given; skops.io stays usable);
        # the fuzzing, property-testing, lint and packaging tools (hypothesis, atheris, ruff,
        # sarif_kit, pkg_resources); the signing and update frameworks (tuf's Updater and
        # sigstore's TrustUpdater write metadata files, model_signing, securesystemslib);
        # catboost's evaluation (CatboostEvaluation makes a temporary folder)
        "mypy", "mypyc", "librt", "ast_serialize", "_pytest", "pytest", "py", "xdist",
        "pluggy", "iniconfig", "pygments", "modelscan", "picklescan", "fickling", "skops.card",
        "hypothesis", "_hypothesis_pytestplugin", "_hypothesis_globals",
        "_hypothesis_ftz_detector", "atheris", "atheris_no_libfuzzer", "ruff", "sarif_kit",
        "pkg_resources", "_distutils_hack", "tuf", "sigstore", "model_signing",
        "securesystemslib", "catboost.eval",
        # Pillow opens, parses and truncates the paths its classes are given (PdfParser's
        # "w+b", ImageCms' profiles, fonts, every ImageFile plugin: rt90-12; PIL.Image.Image
        # stays trustable, below); six's MovedModule and MovedAttribute import the module
        # they name on first use (rt90-13)
        "PIL", "six",
        # and red team 91's (rt91-05/06/10): click's _LazyFile opens its path in its mode
        # (truncating it) on the first attribute it lacks; graphviz's sources write the path
        # their state names and run the dot executable to display; dnspython's Resolver reads
        # the path it is given while built (/dev/zero, a FIFO), as pycparser's _ast_gen and
        # plotly's png.Reader do
        "click", "graphviz", "dns", "pycparser", "_plotly_utils", "plotly",
        # and red team 93's (rt93-02/08/10/11): xgboost's trackers bind a port and look up the
        # host the file names; LightGBM's CVBooster reads the model file it is given;
        # scipy.odr's ODR deletes its report and error files; imbalanced-learn's LazyLoader
        # imports the module it names on first use (and is a module object)
        "xgboost.tracker", "xgboost.federated", "lightgbm.engine", "scipy.odr",
    }
)  # fmt: skip
#: Single names outside those modules that do any of the same.
CODE_NAMES: Final = frozenset(
    {
        *(
            (builtins, name)
            for builtins in ("builtins", "__builtin__", "__builtins__")
            for name in (
                "eval", "exec", "compile", "open", "__import__", "getattr", "setattr",
                "delattr", "input", "breakpoint", "exit", "quit", "help", "vars", "globals",
                "locals", "dir", "type", "memoryview", "execfile", "file",
                "reload", "__loader__", "__spec__",
            )
        ),
        ("functools", "reduce"),
        ("copyreg", "__newobj_ex__"),
        ("joblib", "load"),
        ("joblib.numpy_pickle", "load"),
        ("numpy", "load"),
        ("numpy", "save"),
        ("numpy", "savez"),
        ("numpy", "memmap"),
        ("numpy", "fromfile"),
        ("numpy", "loadtxt"),
        ("numpy", "genfromtxt"),
        ("numpy", "frombuffer"),
        ("numpy", "DataSource"),
        ("numpy", "savetxt"),
        ("numpy", "savez_compressed"),
        ("numpy", "open_memmap"),
        ("joblib", "dump"),
        ("joblib", "Memory"),
        ("joblib", "Parallel"),
        ("pandas", "eval"),
        ("pandas", "read_parquet"),
        ("pandas", "read_excel"),
        ("numpy.lib.npyio", "load"),
        ("numpy.core", "_ufunc_reconstruct"),
        ("scipy.io", "loadmat"),
        ("pandas", "read_csv"),
        ("pandas", "read_pickle"),
        ("pandas.io.pickle", "read_pickle"),
        # native code driven by stored values, or stored Python callables (tests/test_policy.py)
        ("sklearn.cluster._kmeans", "_kmeans_single_lloyd"),
        ("sklearn.metrics._dist_metrics", "PyFuncDistance64"),
        # a module object that imports the module it names on first use (rt93-11)
        ("imblearn", "LazyLoader"),
    }
)  # fmt: skip
#: Qualname parts that walk from wherever they start to the interpreter's internals.
_CODE_ATTRIBUTES: Final = frozenset(
    {
        "os", "sys", "subprocess", "builtins", "__builtins__", "__globals__", "__code__",
        "__import__", "__subclasses__", "__dict__", "__class__", "__bases__", "__mro__",
        "__getattribute__", "__reduce__", "__reduce_ex__", "__loader__", "__spec__",
        "__func__", "__self__",
    }
)  # fmt: skip


#: Exact names inside ``CODE_MODULES`` that were reviewed as inert data types (the default
#: allowlist's reasons say why). Only these: the rest of each module stays a primitive.
INERT_NAMES: Final = frozenset(
    {
        ("uuid", "UUID"),
        ("pathlib", "PurePosixPath"),
        ("pathlib", "PureWindowsPath"),
        ("pathlib._local", "PurePosixPath"),
        ("pathlib._local", "PureWindowsPath"),
        # scikit-learn 1.9's estimators derive from it: it stores and starts the callbacks an
        # estimator is given (themselves names the policy judges: ScoringMonitor stays a
        # primitive); without it a user's own subclass of StandardScaler could not be trusted
        ("sklearn.callback._callback_support", "CallbackSupportMixin"),
        # an image's pixels and mode, rebuilt by __setstate__ from its bytes (rt90-12)
        ("PIL.Image", "Image"),
    }
)


def runs_code(module: str, qualname: str) -> bool:
    """True if ``module.qualname`` is a known code-execution primitive: it can run code, import
    or evaluate, deserialize again, open files or start processes, or its qualname walks to
    something that can. Such a name is never trusted, whatever the caller asks."""
    if (module, qualname) in INERT_NAMES:
        return False
    if (module, qualname) in CODE_NAMES:
        return True
    parts = module.split(".")
    for i in range(1, len(parts) + 1):
        if ".".join(parts[:i]) in CODE_MODULES:
            return True
    return any(part in _CODE_ATTRIBUTES for part in qualname.split("."))


def name_runs_code(name: str) -> bool:
    """:func:`runs_code` for a name as written in reports (``module.Name`` / ``module:Q.N``)."""
    module, _, qualname = name.partition(":") if ":" in name else name.rpartition(".")
    return runs_code(module, qualname)
