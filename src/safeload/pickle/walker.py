"""The static pass over a pickle or joblib stream: never imports, never executes.

:func:`analyze` walks the opcodes with a small symbolic stack machine (:class:`Walker`, built
up from :mod:`~safeload.pickle.walk_base`, :mod:`~safeload.pickle.walk_stream`,
:mod:`~safeload.pickle.walk_values`, :mod:`~safeload.pickle.walk_calls` and
:mod:`~safeload.pickle.walk_build`, which holds BUILD and joblib's inline arrays; this module
holds the handler table and :func:`analyze`). It tracks the memo, so a name pushed through
``MEMOIZE``/``BINGET`` before ``STACK_GLOBAL`` is resolved exactly as the unpickler would
resolve it, checks ``FRAME`` lengths against their contents, and for joblib streams computes
where each inline array's raw bytes lie (and walks the nested pickle of object arrays).
Anything it cannot follow is an *unsafe* finding: a parse error, a limit, a construct safeload
refuses, or bytes after ``STOP``.

The restricted readers run the same analysis first and refuse the stream unless it is clean,
and then check that the unpickler resolves no global the analysis did not list."""

from __future__ import annotations

from typing import Final

from safeload import _gc
from safeload._types import Buffer
from safeload.pickle.analysis import Finding, StreamAnalysis
from safeload.pickle.frame import Handler
from safeload.pickle.names import REFUSED_OPCODES
from safeload.pickle.walk_build import WalkBuild
from safeload.policy import Limits, Policy


class Walker(WalkBuild):
    """The whole walk: the final class, which sets the handler table (see the module
    docstring)."""

    def __init__(self, data: Buffer, policy: Policy, limits: Limits, joblib: bool):
        super().__init__(data, policy, limits, joblib)
        self.handlers = HANDLERS


#: The handler of every opcode the walker does not model inline (``Walker._stream``). An
#: opcode missing here (and from the inline ones) is refused as unsupported.
HANDLERS: Final[dict[str, Handler]] = {
    "PROTO": Walker._op_proto,
    "FRAME": Walker._op_frame,
    "STOP": Walker._op_stop,
    **{name: Walker._op_refused for name in REFUSED_OPCODES},
    "GLOBAL": Walker._op_global,
    "STACK_GLOBAL": Walker._op_stack_global,
    "REDUCE": Walker._op_reduce,
    "BUILD": Walker._op_build,
    "NEWOBJ": Walker._op_newobj,
    "NEWOBJ_EX": Walker._op_newobj,
    "INST": Walker._op_inst,
    "OBJ": Walker._op_obj,
    "TUPLE1": Walker._op_tuple_n,
    "TUPLE2": Walker._op_tuple_n,
    "TUPLE3": Walker._op_tuple_n,
    "TUPLE": Walker._op_tuple,
    "LIST": Walker._op_list,
    "FROZENSET": Walker._op_list,
    "DICT": Walker._op_dict,
    "POP_MARK": Walker._op_pop_mark,
    "EMPTY_LIST": Walker._op_empty_box,
    "EMPTY_SET": Walker._op_empty_box,
    "APPEND": Walker._op_fill,
    "APPENDS": Walker._op_fill,
    "SETITEM": Walker._op_fill,
    "SETITEMS": Walker._op_fill,
    "ADDITEMS": Walker._op_fill,
    "POP": Walker._op_pop,
    "DUP": Walker._op_dup,
}


def analyze(
    data: Buffer,
    *,
    policy: Policy,
    limits: Limits | None = None,
    joblib: bool = False,
    keep_values: bool = False,
    check_trees: bool = True,
    use_time: bool = True,
    file_size: int | None = None,
) -> StreamAnalysis:
    """Walk one pickle stream (``joblib=True``: with joblib's inline arrays) without executing it.

    Never raises for bad input: every problem becomes a finding in the returned analysis.
    ``keep_values`` keeps the symbolic result and memo in ``kept``, for differential tests.
    ``check_trees=False`` skips the static checks of native structures (decision trees' arrays
    here, the others on shadows in :mod:`safeload.trust.shadow`), and ``use_time=False`` the
    use-time rules on the state the stream shows: a load passes both, because it checks what it
    built, native structures and state, before returning it (scan cannot). ``file_size`` is
    the artifact's size as stored (compressed), when ``data`` was decompressed from it.
    """
    with _gc.paused():  # the symbolic values are garbage as soon as the walk ends
        walker = Walker(data, policy, limits or Limits(), joblib)
        walker.keep_values = keep_values
        walker.check_trees = check_trees
        result = walker.run()
        if not result.problems:
            # (before anything is built: a BUILD on what a trusted class's call returned would
            # rewrite an object the class shares, an enum member, rt101-03)
            from safeload.trust.trusted_classes import build_on_call_problem

            rewritten = build_on_call_problem(result, policy)
            if rewritten is not None:
                result.problems.append(Finding(rewritten[0], "BUILD", rewritten[1]))
        if not result.problems:
            # (numpy writes a random state with its state: one without is met differently by
            # scan and the load, rt123-04)
            from safeload.trust.param_objects import stateless_random_problem

            stateless = stateless_random_problem(result)
            if stateless is not None:
                result.problems.append(Finding(stateless[0], "REDUCE", stateless[1]))
        if not result.problems:
            # (before anything is built: a builtin's __new__ under a trusted class sizes what it
            # makes by the file's arguments, bytes.__new__(Blob, 2**31), rt103-09)
            from safeload.trust.trusted_classes import builtin_args_problem

            sized = builtin_args_problem(result, policy)
            if sized is not None:
                result.problems.append(Finding(*sized))
        if not result.problems:
            # (nor a call of a trusted class with the file's arguments, which runs the
            # caller's own __init__ on them while building, rt107-06)
            from safeload.trust.trusted_classes import init_args_problem

            called = init_args_problem(result, policy)
            if called is not None:
                result.problems.append(Finding(*called))
        if use_time and not result.problems and all(g.trusted for g in result.globals):
            from safeload.trust.static import use_time_findings

            result.problems.extend(use_time_findings(result, policy))
        elif not result.problems:
            # a load skips the use-time rules (it checks what it built), but not this one: the
            # C unpickler hashes a dict key while building, and a tuple DAG as a key hashes in
            # 2**k steps before any check after building could run (red team 14, f03)
            from safeload.trust.static_masked import is_masked_maker, masked_place_problem
            from safeload.trust.static_sharing import build_sharing_problem

            sharing = build_sharing_problem(result)
            if sharing:
                result.problems.append(Finding(0, "", sharing, use_time=True))
            elif not check_trees and any(
                is_masked_maker((g.module, g.qualname)) for g in result.globals
            ):
                # nor this one: a masked array handed to native code (a distance metric's
                # weights) is consumed while building, and no check after building meets it;
                # scan refuses it by the stream, so the load does too (rt48-08)
                masked = masked_place_problem(result.root)
                if masked:
                    result.problems.append(Finding(0, "", masked, use_time=True))
        if check_trees and not result.problems and all(g.trusted for g in result.globals):
            from safeload.trust.shadow import native_findings

            size = len(memoryview(data).cast("B")) if file_size is None else file_size
            result.problems.extend(native_findings(result, walker.arrays, policy, size))
        result.root = None
        result.builds, result.calls, result.stored = [], [], []
        result.pandas_calls = []
        result.hashed = []
        return result
