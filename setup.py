"""Build hook: compiles the static pass (and xgboost's blob parser) to C with mypyc when a C
compiler is present.

Everything else is in pyproject.toml. mypyc compiles the type-annotated Python source itself,
so the compiled modules and the pure-Python fallback are one source, and
tests/test_compiled.py holds their results equal. The pass walks every opcode in Python; compiled,
it runs about 2.5 times faster (benchmarks/profile_stages.py). It also builds one small
hand-written C module, ``_treecheck`` (see trust/structures/trees.py). SAFELOAD_PURE_PYTHON=1
skips compilation, as does a machine without a C compiler or Python headers.
"""

from __future__ import annotations

import os
import platform
import shutil
import sysconfig
from pathlib import Path

from setuptools import Extension, setup

#: The modules of the static pass: the opcode decoder, the symbolic values and the walker.
COMPILED = [
    "src/safeload/_opcodes.py",
    "src/safeload/_symbolic.py",
    "src/safeload/_numpy_state.py",
    "src/safeload/pickle/names.py",
    "src/safeload/pickle/analysis.py",
    "src/safeload/pickle/state_rules.py",
    "src/safeload/pickle/call_rules.py",
    "src/safeload/pickle/costs.py",
    "src/safeload/pickle/stream_arrays.py",
    "src/safeload/pickle/frame.py",
    "src/safeload/pickle/walk_base.py",
    "src/safeload/pickle/walk_stream.py",
    "src/safeload/pickle/walk_values.py",
    "src/safeload/pickle/walk_calls.py",
    "src/safeload/pickle/walk_build.py",
    "src/safeload/pickle/walker.py",
    # xgboost's model blob, parsed before its native parser reads it and again after the build
    # (an XGBClassifier of 300 trees: the parse was 60% of its load)
    "src/safeload/trust/xgboost_ubj.py",
]


def _can_compile() -> bool:
    if os.environ.get("SAFELOAD_PURE_PYTHON") == "1":
        return False
    if platform.python_implementation() != "CPython":
        return False  # mypyc builds CPython extensions only
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    return shutil.which(compiler) is not None and headers.exists()


#: Hand-written C: the one-pass check of decision trees' node records that validate.py runs on
#: every tree it builds (the numpy version is the fallback and the reference its tests compare
#: against).
C_EXTENSIONS = [Extension("safeload._treecheck", ["src/safeload/_treecheck.c"])]

ext_modules = []
if _can_compile():
    from mypyc.build import mypycify

    # One shared library for all of them (separate=False): each module stays a thin extension
    # that links into it. Sixteen libraries of their own cost a `safeload scan` process about
    # 25 ms more to load on a busy 2-core machine, and calls between modules went through
    # each other's exported tables (the walk of a small forest: 4.10 -> 3.80 ms).
    ext_modules = mypycify(
        ["--ignore-missing-imports", "--follow-imports=silent", *COMPILED],
        separate=False,
        opt_level="3",
    )
    ext_modules += C_EXTENSIONS

setup(ext_modules=ext_modules)
