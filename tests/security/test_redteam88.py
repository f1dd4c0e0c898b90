r"""Red team 88: reproducers (strict xfails) for the open findings, 00:10-01:00 UTC 2026-12-05,
on HEAD b46e869 (targets: e4944fc's printed-items bound, b38d32c's iterative unfold count with
its depth check, b55e753's container builtins, 3a3082a's trust checks). "pure" is a snapshot
(``git archive HEAD``, /tmp/rt88p) run with SAFELOAD_PURE_PYTHON=1; "compiled" is /work/main's
.venv build (pickle walkers compiled at b38d32c, trust/ live Python). CPU times are process
times on the shared 2-core machine (one thread), noisy by some 30%.


Ported by the maintainer at 01:08 (red team 88 ran 00:10-01:00, 50 minutes, on this
session's fixes): the trust findings rt88-03/04/05/07/09/10 are fixed (their modules are
code-execution primitives now; a hand-built policy's standard-library or primitive name is
refused before its module is imported) and plain tests. The printing findings rt88-01, 02,
06 and 08 are open, strict xfails for the next session.
rt88-01 (HARM: CPU; structures/printing.py, an estimator inside a container) a container
        counts its own items plus what its 30 costliest items count, but an estimator inside
        it goes to the holder's "estimators' counts" (``acc[1]``), passed up unchanged through
        every container above it: nothing counts that the pretty-printer formats the whole
        estimator again at each container level it is nested in (``_format`` takes
        ``_safe_repr`` of the subtree, whose ``_changed_params`` / parameter walk re-renders
        every parameter of the held estimator, at every level). SimpleImputer(fill_value=
        [[...[SimpleImputer(fill_value=[np.float64(.5)] * 22,000)]...]]) with 200 one-item
        lists: counted 128,360 (88,160 without the lists: the lists add their own depth**2
        items, the held estimator is not counted again at any of the 200 levels), 45 KB
        pickle (440 bytes as xz), scan SAFE, load loads (pure and compiled); repr 16.2 s
        (pure build's load: 16.6 s), _repr_html_ 33.3 s.
        30,000 floats 60 lists deep: repr 3.1 s, html 6.9 s. A kernel held the same way
        (``RBF(length_scale=30,000 values)`` 200 lists deep, counted once, not twice) alike:
        repr 8.3 s. Found asking which counts the new "re-formatted per level" rule leaves out:
        the ones it deliberately does not re-count.
rt88-02 (HARM: CPU; printing.py's memo and cycles) printed_items memoises every container's
        count when it is done, even a count that met a container still being counted above it
        (a cycle, counted 1, "as repr prints it"): such a count holds only below that
        container. ``X = [A, S]``, ``A = [X] * 100``, S 20,000 floats, the parameter ``[X, A]``:
        counting X first, A (inside X) counts 100 cut cycles and is memoised small; A met
        again at the top is taken from the memo, while the printer, meeting A there with X no
        longer on its path, prints S 100 times. 180 KB pickle (9.2 KB as xz), scan SAFE, load
        loads (pure and compiled), repr 7.9 s, _repr_html_ 16.4 s (counted 121,214). The stream's
        unfold bound (costs.unfolded, which skips memoising inside a cycle since review found
        the same shape there) still caps it at 16 units a byte, so the factor is bounded by the
        file's size, not by MAX_PRINTED. Found comparing printing.py's memo with costs.py's.
rt88-03 (TRUST -> HARM: process-wide state, crash; the trust advice and with_trusted)
        ``threadpoolctl.threadpool_limits`` is a class (the MRO is object and
        ``_ThreadpoolLimiter``; threadpoolctl is not in CODE_MODULES): a 47-byte pickle
        ``threadpool_limits(100000)`` is refused by default with "allow them explicitly:
        load(..., trusted=['threadpoolctl.threadpool_limits'])"; with_trusted accepts it,
        ``scan(trusted=[...])`` says SAFE, and ``load_unsigned(trusted=[...])`` builds it
        (which sets OpenMP's thread count to 100,000 and OpenBLAS's to its maximum, 64, for the
        whole process) and only then refuses ("state key '_name' would hide what CDLL itself
        defines"): the limits stay. The next ``KMeans(2).fit`` of the loading process (2,000
        rows, 0.05 s before) dies with SIGSEGV under a 4 GB address space (libgomp starting
        100,000 threads), pure and compiled. Found by a sweep of every class of sklearn, scipy,
        numpy, joblib, threadpoolctl, dateutil and pytz that trust_problem accepts (1,742 of
        2,171), constructed with a path, a path and "w", a URL and a __setstate__ of path-like
        keys under an audit hook that blocks and records files, processes, sockets, dlopen and
        imports.
rt88-04 (TRUST -> HARM: processes, file system; same advice) classes outside the modules
        3a3082a denied: ``matplotlib.font_manager.FontManager()`` runs ``fc-list`` twice (two
        processes) while it is built, before the load refuses it;
        ``matplotlib.dviread._LuatexKpsewhich()`` starts ``luatex`` (absent here: the pipe
        opened, the exec failed); ``matplotlib.texmanager.TexManager`` creates
        ~/.cache/matplotlib/tex.cache; ``matplotlib.ft2font.FT2Font(path)``,
        ``matplotlib.dviread.Tfm / Vf / PsfontsMap / TtfMetrics``, ``_type1font.Type1Font``
        open and parse the path the file names (FreeType and Python parsers over any file the
        user can read; rt87-02 counted dateutil's tzfile for the same); and a class of a test
        module shipped in the package, ``joblib.test.test_hashing.KlassWithCachedMethod(path)``
        (joblib.memory is denied, joblib.test is not; sklearn.utils._testing and numpy.testing
        are): creates the directory ``path/joblib`` wherever the file says. Each is offered by
        the refusal's advice, accepted by with_trusted, SAFE to ``scan(trusted=...)``; each does
        its work while being built, then the load refuses (pure and compiled: trust/ is the
        same code). And fontTools, which matplotlib depends on (so it is installed wherever
        matplotlib is): ``fontTools.misc.xmlWriter.XMLWriter(path)`` (a 73-byte pickle)
        truncates the file the pickle names and writes an XML declaration into it, rt87-02's
        PrintTime again: offered, accepted, scan SAFE, then refused after the file was
        overwritten ("holds the function fontTools.misc.textTools.tobytes");
        ``fontTools.misc.filesystem._osfs.OSFS(path, True)`` creates the directory. (PIL's 50
        ImageFile plugins and some 20 fontTools readers open the path too; pandas' date
        locators read a tz path through dateutil.)
rt88-05 (TRUST -> HARM: crash; same advice) ``scipy.spatial._qhull._Qhull``: a Cython class
        whose deallocation after a failed ``__cinit__`` dereferences an unset pointer.
        ``_Qhull()`` (a 37-byte pickle): refused with the advice to trust it; with it, scan
        says SAFE and ``load_unsigned`` kills the process with SIGSEGV (pure and compiled).
        Found by the same sweep (it crashed the sweep).
rt88-06 (HARM: CPU; printing.py's bound is per estimator) printed_problem compares each
        estimator's count, times how often the model meets it, with MAX_PRINTED on its own;
        nothing adds up the estimators a model holds when the model itself is not an estimator
        (a plain list or dict of fitted models, which repr prints one after another). 140
        distinct SimpleImputers sharing one fill_value list of 30,000 floats (memo references):
        each counts 60,000 and is met once; 276 KB pickle (11 KB as xz), scan SAFE, load loads
        (pure and compiled), repr 9.6 s (pure 9.8 s). The stream's unfold bound is what limits
        it (every reference to the list counts its items: 140 x 30,000 is just under 16 units
        a byte). The same estimator 140 times ([E] * 140) is refused (met 140 times). Found
        asking what printed_problem's maximum leaves out that a sum would not.
rt88-07 (TRUST -> HARM: processes; 3a3082a's fix of rt87-02 bypassed) scipy._lib._util joined
        CODE_MODULES, so MapWrapper itself is refused, but the classes that build a MapWrapper
        in their own constructors are not: ``scipy.optimize._shgo.SHGO(numpy.log1p, [(0, 1)],
        ..., workers=4)`` (positional, 105-byte pickle) and ``scipy.optimize.
        _differentialevolution.DifferentialEvolutionSolver(..., workers=4)`` (225 bytes) are
        offered by the advice, accepted by with_trusted, SAFE to ``scan(trusted=...)``; the
        load starts multiprocessing's resource tracker, a forkserver and 4 pool workers, and
        then refuses ("state key 'size' would make a LMapCache ..." / "holds a method
        object"); the tracker and forkserver stay (pure and compiled). The method-module
        check asks where a class's methods are defined, not what they call. Found by the
        sweep of rt88-03 with ``workers=2`` / ``n_jobs=2`` / ``(func, bounds)`` arguments
        (os.fork recorded inside SHGO and VertexCacheField).
rt88-08 (HONEST-REFUSED; e4944fc's "a container counts its 30 costliest items again")
        a pipeline whose ColumnTransformer scales 8,000 named DataFrame columns
        (``ColumnTransformer([("num", StandardScaler(), [8,000 names of 13 characters])])``,
        then LogisticRegression; fitted on 20 rows): 578 KB, counted 192,436 and refused by
        scan and load (pure and compiled); repr 0.047 s, _repr_mimebundle_ 0.13 s. At 8c6bded
        (before e4944fc) scan called it SAFE. The column list sits four containers deep (the
        transformers list, the tuple, the pipeline's steps list, its tuple), each counting the
        list again, and two estimators double it: some 24 items per column name. Ten
        transformers of 1,000 names: 243,100, refused (repr 0.075 s); 20 x 1,000 integer
        columns: 243,660 (repr 0.27 s, display 0.71 s). Found asking which honest holder shape
        the per-level rule prices highest against its repr.
rt88-09 (TRUST -> HARM: code execution; same advice) two more trustable classes in packages
        installed beside safeload run what the file names while they are built:
        ``pkcs11._pkcs11.lib(path)`` (python-pkcs11, safeload's own ``[pkcs11]`` extra for
        signing with a token) dlopens the shared library at the path the file gives, which
        runs its constructors (a 52-byte pickle; a test library's constructor wrote a marker
        file, then the load failed "undefined symbol: C_GetFunctionList"): ctypes.CDLL by
        another name. ``execnet.multi.Group(['popen//python=sh -c "..."'])`` (execnet, pytest-
        xdist's dependency) splits the spec's python= like a shell and starts it: an 88-byte
        pickle ran ``sh -c "echo ran > marker"``, then the load refused ("cannot pickle
        '_thread.lock'"). Both offered by the advice, accepted by with_trusted, SAFE to
        ``scan(trusted=...)`` (pure and compiled). Found looking at the classes of the other
        packages in the venv (fontTools' XMLWriter, rt88-04, came from the same look).
rt88-10 (TRUST; rt87-06's fix, for a Policy built by hand) 3a3082a refuses a
        standard-library name before importing it in ``with_trusted`` (``_spec_to_pair``) and
        in the advice, but a ``Policy(entries={..., ("antigravity", "geohash"): "..."})``
        (the public dataclass, its entries a mapping) reaches the load's guard, which
        resolves (imports) the name first and asks trust_problem after:
        ``load_unsigned(path, policy=...)`` of the 27-byte ``cantigravity\ngeohash\n.``
        imports antigravity, whose import calls webbrowser.open (here recorded, not opened),
        then refuses ("it is a function, not a class"); scan with the same policy refuses
        without importing it (pure and compiled). Found trying each way a name reaches the
        load besides with_trusted (CLI --trust and the advice held).

Held (tried, no finding):
- b55e753 (container builtins): list / tuple / set / frozenset / dict called on 27 kinds of
  value (OrderedDict, defaultdict, Counter, Bunch, str, bytes, bytearray, ndarray, range,
  set, frozenset, np.str_, np.bytes_, np.int64, slice, None, and results of tuple() / list()
  / set() / frozenset() / dict() calls), protocols 2 and 4: 270 forms, scan = load on every
  one but set / frozenset of a bytearray (scan "unproven", the load loads: allowed).
- b38d32c (depth): lists bottom-up, lists top-down (rt87-04's 9-byte form), dicts top-down,
  lists in one-tuples top-down, each at 997-1001 levels: pure and compiled give the same
  verdicts (bottom-up 997-999: scan unproven, load loads; everything else refused by both),
  no crash. A chain of 3,000 Birch ``_CFNode`` objects linked through ``next_leaf_``, each
  BUILT after it was linked (top-down; 5.3 MB): the links are UNWALKED_LINKS, counted from
  depth 0 each, so the end-of-walk depth check does not see the chain's 3,000 levels; scan
  says "unproven: the object graph is too deep to check statically" and the load loads it
  (6 s). Honest Birch leaf chains are as long, and nothing recursive in safeload or in the
  model's methods follows the links (check_birch walks them with a set): no harm found. Built
  bottom-up the same chain is refused by the walk's depth limit at 1,000.
- Trust sweep: 2,171 classes of sklearn, scipy, numpy, joblib, threadpoolctl, dateutil, pytz
  (1,742 trustable), 1,288 of pandas, matplotlib and PIL, 1,110 of the test modules shipped in
  joblib, sklearn and numpy, each built with a path / path and "w" / URL / keyword path /
  __setstate__ of path, address and command keys / an int / n_jobs=2 / workers=2 / (func,
  bounds), under an audit hook: besides rt88-03/04/05/07, only file reads of the given path
  (PIL's image plugins, pandas' date locators through dateutil), ``numpy.bytes_(s,
  encoding)`` importing ``encodings.<name>`` (dots refused by the codec search: that package
  only) and scipy's LowLevelCallable importing cffi to check its argument. The stdlib-name
  refusal (rt87-06) held for ``trusted=`` given a string, a class object of the standard
  library, a third-party module's attribute that is a standard-library class
  (``sklearn.base:copy.Error``: trust_problem reads the object's own ``__module__``),
  ``antigravity:geohash`` and ``this.s`` (nothing imported), and CLI ``scan --trust
  antigravity.geohash`` (exit 2, antigravity not imported).
- n_jobs from the file (RandomForest n_jobs=2000, where feature_importances_ starts that
  many threads): refused ("only an int from 1 to 1024").
- Printing, rt88-06's "met how often": one estimator of 60,000 counted items held 140 times
  by a plain list, 140 one-item lists, 140 dicts as their key, an object array, a tuple and
  a dict's values: met 140 times each, counted 8,410,360, refused.
- fuzz/parity_grammar.py: seed 8888 compiled 180 s (54,271 streams) and seed 8889 pure 150 s
  (40,199): no disagreement but one stream of rt87-05's documented limit,
  ``dict(defaultdict(defaultdict, ()))`` (scan "keeps collections.defaultdict as a value",
  the load returns {}: scan the stricter side).
- with_trusted accepts a name it cannot import then (``numpy.no_such``); the load's guard
  asks trust_problem when it resolves the name (pickle/guard.py): held.
- Depth through joblib's nested unpickler: an object array holding a list nested 600 deep,
  itself 600 lists deep (joblib.dump): refused by the depth limit, pure and compiled.
- Printing, strings the pretty-printer cuts at words: fill_value "a " * 250,000,
  "\u200b " * 250,000 (repr escapes it to 6 characters), "ab\n" * 166,000: SAFE, repr
  0.12-0.19 s, display 0.34-0.58 s (within the bound's intent).
- Display's get_feature_names_out: RBFSampler / SparseRandomProjection with _n_features_out
  100,000 (refused: out of range against the stored arrays) and 3,000,000 (refused: names).
- Printing: a SimpleImputer(fill_value=[X, A]) cycle of numpy float64 scalars instead of floats
  (rt88-02's shape): refused by the unfold bound (each scalar is a call).
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import safeload
from redteam import (
    assert_refused,
    assert_scan_predicts_load,
    refusal_advice,
    scan_trusting,
    shows_harm,
    trust_refused,
    write,
)
from safeload import SafeloadError, UsageError


class _Call:
    def __init__(self, func: Any, *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> Any:
        return (self.func, self.args)


# --- rt88-01: an estimator held in nested containers is formatted once per level -------------


def _held_deep(floats: int = 22_000, depth: int = 200) -> Any:
    from sklearn.impute import SimpleImputer

    inner = SimpleImputer(strategy="constant", fill_value=[np.float64(0.5)] * floats)
    value: Any = inner
    for _ in range(depth):
        value = [value]
    return SimpleImputer(strategy="constant", fill_value=value)


def test_rt88_01_estimator_in_nested_lists(tmp_path: Path) -> None:
    # the held estimator's count goes to the containers' "estimators' counts", passed up
    # unchanged; the printer formats the whole estimator again at every list level: 200
    # lists, 22,000 float64 items: 45 KB (440 bytes as xz), scan SAFE, load loads (pure and
    # compiled), repr 16.2 s, _repr_html_ 33.3 s
    path = write(tmp_path, pickle.dumps(_held_deep(), protocol=5))
    shows_harm(path, "repr(model)", cpu=1.0)
    assert_refused(path)


def test_rt88_01_held_at_the_top_is_counted(tmp_path: Path) -> None:
    # held directly (no lists), the estimator's count doubles per estimator as measured:
    # 60,000 items count 240,160 and are refused (30,000: 120,000 counted, admitted, repr
    # 0.16 s): only the container levels around a held estimator go uncounted
    path = write(tmp_path, pickle.dumps(_held_deep(60_000, 0), protocol=5))
    assert_refused(path)


# --- rt88-02: a count cut by a cycle is memoised and reused where no cycle cuts it ----------


def _cycle_model(floats: int = 20_000, times: int = 100) -> Any:
    from sklearn.impute import SimpleImputer

    numbers = [float(i) + 0.5 for i in range(floats)]
    x: list[Any] = [None, numbers]
    a = [x] * times
    x[0] = a
    return SimpleImputer(strategy="constant", fill_value=[x, a])


def test_rt88_02_cycle_cut_count_reused(tmp_path: Path) -> None:
    # X = [A, S], A = [X] * 100, the parameter [X, A]: A counted inside X meets X on its
    # path 100 times (1 each) and is memoised so; at the top the printer prints S 100
    # times. 180 KB (9.2 KB as xz), scan SAFE, load loads (pure and compiled), repr 7.9 s
    path = write(tmp_path, pickle.dumps(_cycle_model(), protocol=5))
    shows_harm(path, "repr(model)", cpu=1.0)
    assert_refused(path)


# --- rt88-06: a list of estimators, each under the bound, printed one after another --------


def test_rt88_06_list_of_estimators_sharing_a_list(tmp_path: Path) -> None:
    from sklearn.impute import SimpleImputer

    # 140 SimpleImputers, one shared fill_value of 30,000 floats: each counts 60,000 (under
    # MAX_PRINTED), nothing sums them; 276 KB (11 KB as xz), scan SAFE, load loads (pure and
    # compiled), repr 9.6 s
    shared = [float(i) + 0.5 for i in range(30_000)]
    model = [SimpleImputer(strategy="constant", fill_value=shared) for _ in range(140)]
    path = write(tmp_path, pickle.dumps(model, protocol=5))
    shows_harm(path, "repr(model)", cpu=1.0)
    assert_refused(path)


def test_rt88_06_held_one_estimator_repeated(tmp_path: Path) -> None:
    from sklearn.impute import SimpleImputer

    # one estimator met 140 times: its count times 140, refused
    one = SimpleImputer(strategy="constant", fill_value=[float(i) for i in range(30_000)])
    assert_refused(write(tmp_path, pickle.dumps([one] * 140, protocol=5)))


# --- rt88-08: an honest ColumnTransformer over 8,000 named columns refused -----------------


def test_rt88_08_column_transformer_wide_frame(tmp_path: Path) -> None:
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from redteam import load_honest

    names = [f"feature_{i:05d}" for i in range(8_000)]
    frame = pd.DataFrame(np.random.RandomState(0).rand(20, 8_000), columns=names)
    model = make_pipeline(
        ColumnTransformer([("num", StandardScaler(), names)]), LogisticRegression()
    ).fit(frame, np.arange(20) % 2)
    # counted 192,436 (at most 135,168): refused; repr 0.047 s, display 0.13 s; SAFE at
    # 8c6bded
    load_honest(model, tmp_path)


# --- rt88-03: threadpoolctl.threadpool_limits, trusted, sets the process's thread counts -------

_THREADPOOL = "threadpoolctl.threadpool_limits"
_THREADPOOL_CHILD = """
import sys, numpy, sklearn.cluster, safeload, threadpoolctl  # (a program that uses models)
before = {i["internal_api"]: i["num_threads"] for i in threadpoolctl.threadpool_info()}
try:
    safeload.load_unsigned(sys.argv[1], trusted=[sys.argv[2]])
    print("loaded")
except (safeload.SafeloadError, safeload.UsageError) as exc:
    print("refused", type(exc).__name__)
after = {i["internal_api"]: i["num_threads"] for i in threadpoolctl.threadpool_info()}
print("changed", before != after, before, after)
"""


def test_rt88_03_threadpool_limits_not_trustable(tmp_path: Path) -> None:
    # threadpool_limits(100000): trusted, scan SAFE; the load builds it (OpenMP 100,000
    # threads, OpenBLAS 64, for the whole process) and then refuses it; the next KMeans.fit
    # segfaulted under a 4 GB address space (here only the thread counts are looked at)
    data = b"\x80\x02cthreadpoolctl\nthreadpool_limits\nJ\xa0\x86\x01\x00\x85R."
    path = write(tmp_path, data)
    run = subprocess.run(
        [sys.executable, "-c", _THREADPOOL_CHILD, str(path), _THREADPOOL],
        cwd=tmp_path,
        env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"},
        timeout=60,
        capture_output=True,
        text=True,
    )
    assert "changed" in run.stdout, run.stderr[-400:]
    assert "changed False" in run.stdout, run.stdout  # found: openmp 1 -> 100000, blas 64
    assert not scan_trusting(data, [_THREADPOOL])
    assert "trusted=[" not in refusal_advice(path)
    assert trust_refused([_THREADPOOL])


# --- rt88-04: matplotlib classes outside matplotlib.backends; a joblib test class -----------

_AUDITED = """
import sys, safeload
seen = []
def hook(event, args):
    if event == "subprocess.Popen" or (event == "os.mkdir" and "made" in str(args[0])):
        seen.append(event)
sys.addaudithook(hook)
try:
    safeload.load_unsigned(sys.argv[1], trusted=[sys.argv[2]])
    print("loaded")
except (safeload.SafeloadError, safeload.UsageError) as exc:
    print("refused", type(exc).__name__)
print("seen", sorted(set(seen)))
"""


@pytest.mark.parametrize(
    ("name", "data"),
    [
        (
            "matplotlib.font_manager.FontManager",
            b"\x80\x02cmatplotlib.font_manager\nFontManager\n)R.",
        ),
        (
            "joblib.test.test_hashing.KlassWithCachedMethod",
            b"\x80\x02cjoblib.test.test_hashing\nKlassWithCachedMethod\n"
            b"X\x04\x00\x00\x00made\x85R.",
        ),
    ],
)
def test_rt88_04_trusted_construction_acts(tmp_path: Path, name: str, data: bytes) -> None:
    # FontManager() runs fc-list (twice) while it is built; KlassWithCachedMethod(path)
    # creates path/joblib; then the load refuses them. Offered by the advice, accepted by
    # with_trusted, SAFE to scan(trusted=...)
    pytest.importorskip(name.rsplit(".", 1)[0])
    path = write(tmp_path, data)
    run = subprocess.run(
        [sys.executable, "-c", _AUDITED, str(path), name],
        cwd=tmp_path,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert "seen" in run.stdout, run.stderr[-400:]
    assert "seen []" in run.stdout, run.stdout
    assert not (tmp_path / "made").exists()
    assert not scan_trusting(data, [name])
    assert "trusted=[" not in refusal_advice(path)
    assert trust_refused([name])


def test_rt88_04_fonttools_xml_writer_overwrites(tmp_path: Path) -> None:
    name = "fontTools.misc.xmlWriter.XMLWriter"
    pytest.importorskip("fontTools.misc.xmlWriter")
    victim = tmp_path / "precious.txt"
    victim.write_text("precious data\n")
    target = str(victim).encode()
    data = (
        b"\x80\x02cfontTools.misc.xmlWriter\nXMLWriter\nX"
        + len(target).to_bytes(4, "little")
        + target
        + b"\x85R."
    )
    path = write(tmp_path, data)
    advice = refusal_advice(path)
    scanned = scan_trusting(data, [name])
    try:
        safeload.load_unsigned(path, trusted=[name])
    except (SafeloadError, UsageError):
        pass
    import gc

    gc.collect()
    assert victim.read_bytes() == b"precious data\n", victim.read_bytes()[:60]
    assert not scanned
    assert "trusted=[" not in advice, advice
    assert trust_refused([name])


@pytest.mark.parametrize(
    "name",
    [
        "matplotlib.ft2font.FT2Font",
        "matplotlib.dviread.Tfm",
        "matplotlib.dviread._LuatexKpsewhich",
        "matplotlib.texmanager.TexManager",
    ],
)
def test_rt88_04_matplotlib_file_classes_not_trustable(name: str) -> None:
    # FT2Font(path) and dviread.Tfm(path) open and parse the file's path (FreeType, struct);
    # _LuatexKpsewhich() starts luatex; TexManager() creates its cache directory
    pytest.importorskip(name.rsplit(".", 1)[0])
    assert trust_refused([name])


# --- rt88-07: scipy optimizers whose constructors build a process pool ---------------------

_POOL_CHILD = """
import os, sys, safeload
try:
    safeload.load_unsigned(sys.argv[1], trusted=[sys.argv[2]])
    print("loaded")
except (safeload.SafeloadError, safeload.UsageError) as exc:
    print("refused", type(exc).__name__)
me = str(os.getpid())
def parent(p):
    try:  # (a process may end between the listing and the read)
        with open(f"/proc/{p}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[1]
    except (OSError, IndexError):
        return None
kids = [p for p in os.listdir("/proc") if p.isdigit() and parent(p) == me]
print("children", len(kids))
"""


def test_rt88_07_shgo_pool_when_trusted(tmp_path: Path) -> None:
    import numpy
    from scipy.optimize._shgo import SHGO

    name = "scipy.optimize._shgo.SHGO"
    args = (numpy.log1p, [(0.0, 1.0)], (), None, None, None, None, None, None, "simplicial", 4)
    data = pickle.dumps(_Call(SHGO, *args), protocol=2)
    path = write(tmp_path, data)
    run = subprocess.run(
        [sys.executable, "-c", _POOL_CHILD, str(path), name],
        cwd=tmp_path,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert "children" in run.stdout, run.stderr[-400:]
    assert "children 0" in run.stdout, run.stdout  # found 2: the resource tracker and the
    # forkserver (whose children are the 4 workers)
    assert not scan_trusting(data, [name])
    assert "trusted=[" not in refusal_advice(path)
    assert trust_refused([name])


# --- rt88-09: pkcs11's lib dlopens a path; execnet's Group runs a command ------------------


def test_rt88_09_execnet_group_runs_a_command(tmp_path: Path) -> None:
    pytest.importorskip("execnet")
    name = "execnet.multi.Group"
    marker = tmp_path / "ran"
    spec = f'popen//python=sh -c "echo ran > {marker}"'.encode()
    data = (
        b"\x80\x02cexecnet.multi\nGroup\n]X" + len(spec).to_bytes(4, "little") + spec + b"a\x85R."
    )
    path = write(tmp_path, data)
    code = (
        "import sys, safeload\n"
        "try:\n"
        f"    safeload.load_unsigned(sys.argv[1], trusted=[{name!r}])\n"
        "except Exception as exc:\n"
        "    print('refused', type(exc).__name__)\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=tmp_path, timeout=60, capture_output=True
    )
    assert not marker.exists(), "the file's command ran"
    assert not scan_trusting(data, [name])
    assert "trusted=[" not in refusal_advice(path)
    assert trust_refused([name])


def test_rt88_09_pkcs11_lib_not_trustable() -> None:
    pytest.importorskip("pkcs11")
    # lib('/path/to/x.so'): dlopen runs the library's constructors (shown with a test library
    # built by gcc: its constructor wrote a marker, then the load failed on a missing symbol)
    assert trust_refused(["pkcs11._pkcs11.lib"])


# --- rt88-05: scipy's _Qhull, trusted, segfaults the load -----------------------------------

_QHULL = "scipy.spatial._qhull._Qhull"


def test_rt88_05_qhull_crashes_when_trusted(tmp_path: Path) -> None:
    data = b"\x80\x02cscipy.spatial._qhull\n_Qhull\n)R."
    path = write(tmp_path, data)
    code = (
        "import sys, safeload\n"
        "try:\n"
        f"    safeload.load_unsigned(sys.argv[1], trusted=[{_QHULL!r}])\n"
        "except (safeload.SafeloadError, safeload.UsageError) as exc:\n"
        "    print('refused', type(exc).__name__)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=tmp_path, timeout=60, capture_output=True
    )
    assert run.returncode == 0, (run.returncode, run.stderr[-300:])
    assert "trusted=[" not in refusal_advice(path)
    assert trust_refused([_QHULL])


# --- rt88-10: a hand-built Policy's standard-library entry is imported before refusal ------

_HAND_POLICY = """
import sys, webbrowser, safeload
from safeload.policy import Policy
opened = []
webbrowser.open = lambda url, *a, **k: opened.append(url) or True  # record, do not open
entries = {**Policy.default().entries, ("antigravity", "geohash"): "by hand"}
open(sys.argv[1], "wb").write(b"\\x80\\x02cantigravity\\ngeohash\\n.")
try:
    safeload.load_unsigned(sys.argv[1], policy=Policy(entries=entries))
except safeload.SafeloadError as exc:
    print("refused", type(exc).__name__)
print("imported", "antigravity" in sys.modules, "opened", opened)
"""


def test_rt88_10_hand_built_policy_imports_stdlib(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", _HAND_POLICY, str(tmp_path / "m.pkl")],
        cwd=tmp_path,
        timeout=60,
        capture_output=True,
        text=True,
    )
    assert "imported" in run.stdout, run.stderr[-400:]
    assert "imported False" in run.stdout, run.stdout


# --- held: cheap checks of attacks that did not work -----------------------------------------


@pytest.mark.parametrize("builtin", [list, tuple, set, frozenset, dict])
@pytest.mark.parametrize("source", ["OrderedDict", "Counter", "Bunch", "tuple-call", "npstr"])
def test_rt88_held_container_builtins_agree(tmp_path: Path, builtin: type, source: str) -> None:
    from collections import Counter, OrderedDict

    from sklearn.utils._bunch import Bunch

    value = {
        "OrderedDict": OrderedDict(a=1.0),
        "Counter": Counter(a=1),
        "Bunch": Bunch(a=1.0),
        "tuple-call": _Call(tuple, [1.0, 2.0]),
        "npstr": np.str_("ab"),
    }[source]
    try:
        data = pickle.dumps(_Call(builtin, value), protocol=4)
    except Exception:
        pytest.skip("not picklable")
    assert_scan_predicts_load(data, tmp_path)


def _bottom_up(levels: int) -> bytes:
    return b"\x80\x04" + b"(" * levels + b"]" + b"l" * levels + b"."


def _top_down(levels: int) -> bytes:
    import struct

    out = bytearray(b"\x80\x04]\x94")
    for k in range(1, levels + 1):
        out += b"]\x94a0j" + struct.pack("<I", k)
    return bytes(out + b"0j" + struct.pack("<I", 0) + b".")


@pytest.mark.parametrize("levels", [999, 1000, 1001])
def test_rt88_held_depth_near_the_limit(tmp_path: Path, levels: int) -> None:
    # no crash, nothing SAFE that the load refuses; bottom-up within the limit the scan is
    # "unproven" (too deep to check statically) and the load loads
    for data in (_bottom_up(levels), _top_down(levels)):
        assert not safeload.scan(data).safe
        path = write(tmp_path, data)
        try:
            safeload.load_unsigned(path)
            outcome = "loaded"
        except SafeloadError:
            outcome = "refused"
        if levels >= 1000 or data[2:3] == b"]":
            assert outcome == "refused", (levels, outcome)


def test_rt88_held_cycle_of_scalar_calls_refused(tmp_path: Path) -> None:
    # rt88-02's shape with numpy float64 scalars (each one a call) is refused by the
    # stream's unfold bound
    from sklearn.impute import SimpleImputer

    numbers = [np.float64(i + 0.5) for i in range(20_000)]
    x: list[Any] = [None, numbers]
    a = [x] * 100
    x[0] = a
    model = SimpleImputer(strategy="constant", fill_value=[x, a])
    assert_refused(write(tmp_path, pickle.dumps(model, protocol=5)))
