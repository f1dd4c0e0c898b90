"""The ``safeload`` command line. Uses only the public API.

Exit codes: 0 ok, 1 verification failed or unsafe content, 2 usage or I/O error.
Passphrases come from a prompt or an environment variable, never from an argument.

One module per command (``keygen``, ``sign``, ``verify``, ``inspect``, ``convert``, ``scan``,
``profiles``, ``pubkey``), each with its parser (``add``) and its handler (``run``); what they
share is in ``_common`` (exit codes, options, output), ``_keys`` (keys and passphrases) and
``_paths`` (folders and model files). This module builds the parser from them, runs the chosen
command and turns its errors into exit codes. The commands' modules are imported when
:func:`main` runs, not by ``import safeload.cli`` (only the one that runs, unless ``--help``
lists them all), and each imports what is heavy (the signing stack, numpy, SARIF) where it is
used: ``safeload scan`` of a plain model imports no model library.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TextIO

import safeload
from safeload import _progress
from safeload.cli._common import (
    EXIT_FAIL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    HelpFormatter,
    emit,
    escaping,
)
from safeload.exceptions import (
    KeyFormatError,
    MalformedArtifactError,
    SafeloadError,
    SignatureError,
    UntrustedTypeError,
    UsageError,
)

if TYPE_CHECKING:
    from safeload.cli._common import Sub

__all__ = ["main"]


class _Command(Protocol):
    """What a command's module holds: its parser and its handler."""

    def add(self, sub: Sub) -> None: ...

    def run(self, args: argparse.Namespace, out: TextIO, err: TextIO) -> int: ...


#: The commands, in the order ``safeload --help`` lists them; each is the module
#: ``safeload.cli.<name>``.
_COMMANDS = ("keygen", "sign", "verify", "inspect", "convert", "scan", "profiles", "pubkey")

#: The options ``safeload`` itself takes before a command that take no value.
_TOP_FLAGS = frozenset({"-q", "--quiet", "-v", "--verbose"})


def _command(name: str) -> _Command:
    """The module of the command ``name`` (one of :data:`_COMMANDS`)."""
    import importlib

    module: _Command = importlib.import_module(f"safeload.cli.{name}")
    return module


def _chosen(argv: Sequence[str] | None) -> str | None:
    """The command ``argv`` runs, when argparse will certainly parse it as that command's:
    only the top-level flags come before it. ``None`` otherwise (no command, ``--help``,
    ``--version``, an abbreviation or anything argparse must judge), and then every command's
    parser is built."""
    for arg in sys.argv[1:] if argv is None else argv:
        if arg in _TOP_FLAGS or (len(arg) > 2 and arg[0] == "-" and set(arg[1:]) == {"v"}):
            continue
        return arg if arg in _COMMANDS else None
    return None


def _static_pass_build() -> str:
    """Whether setup.py compiled the static pass on this install (see README, Performance)."""
    from importlib.machinery import EXTENSION_SUFFIXES

    path = str(getattr(sys.modules.get("safeload.pickle.walker"), "__file__", "") or "")
    return "compiled with mypyc" if path.endswith(tuple(EXTENSION_SUFFIXES)) else "pure Python"


def _parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser. Only the options of the command ``argv`` runs are built
    (with its module imported): each other command is a bare name, which is all argparse reads
    of it when it parses that command's arguments (``safeload scan`` of one small file spent
    more time building the eight commands' options, and importing the signing commands'
    modules, than scanning)."""
    p = argparse.ArgumentParser(
        prog="safeload",
        description="Sign, verify, scan and inspect machine-learning model files.",
        epilog="Exit codes: 0 ok, 1 verification failed or unsafe content, 2 usage or I/O "
        "error, 130 interrupted.\n`safeload COMMAND --help` shows each command's options and "
        "examples.",
        formatter_class=HelpFormatter,
    )
    talk = p.add_mutually_exclusive_group()
    talk.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only errors and warnings (and --json output); the exit code says the rest",
    )
    talk.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="also log what safeload does (-vv: in detail), on stderr",
    )
    p.add_argument(
        "--version",
        action="version",
        version=f"safeload {safeload.__version__} (static pass: {_static_pass_build()})",
    )
    sub = p.add_subparsers(dest="command", required=True)
    chosen = _chosen(argv)
    for name in _COMMANDS:
        if chosen is None or name == chosen:
            _command(name).add(sub)
        else:
            sub.add_parser(name)
    return p


def _fail(args: argparse.Namespace, out: TextIO, err: TextIO, exc: Exception, code: int) -> int:
    """Report an error on stderr, and also as JSON on stdout when --json was asked for."""
    print(f"safeload: {exc}", file=err)
    if getattr(args, "json", False):
        emit(out, {"ok": False, "error": type(exc).__name__, "message": str(exc)})
    return code


def _dispatch(
    args: argparse.Namespace, parser: argparse.ArgumentParser, out: TextIO, err: TextIO
) -> int:
    if args.command not in _COMMANDS:  # pragma: no cover - argparse accepts only these
        parser.error(f"unknown command {args.command}")
        return EXIT_USAGE
    return _command(args.command).run(args, out, err)


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the CLI; returns the exit code (never calls ``sys.exit``)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = _parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse reports usage errors by exiting
        return EXIT_OK if exc.code == 0 else EXIT_USAGE
    if args.quiet and not getattr(args, "json", False) and not getattr(args, "sarif", False):
        out = io.StringIO()  # -q: results go nowhere; errors and warnings still reach stderr
    # Every command's output may quote what an unverified file claims (verify's errors name
    # its files, inspect shows its fields, scan and convert the names a pickle refers to, the
    # log and warnings what a file holds): control characters reach the terminal escaped, for
    # every command (rt26b-08; rt43-08: convert printed a GLOBAL's ESC and CR raw)
    raw_out, raw_err = out, err
    out, err = escaping(out), escaping(err)
    restore = _verbose_log(args.verbose, err) if args.verbose else None
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _warning_printer(err)
            return _run(args, parser, out, err, raw_err)
    except KeyboardInterrupt:
        print("safeload: interrupted; files being written were left as they were", file=err)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # whoever read the output stopped (`safeload scan DIR | head`): stop quietly, and fail,
        # since the verdicts were not all read; stdout goes to devnull so that Python's flush at
        # exit does not raise again
        if raw_out is sys.stdout:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAIL
    finally:
        if restore is not None:
            restore()


def _verbose_log(verbose: int, err: TextIO) -> Callable[[], None]:
    """``-v``/``-vv``: safeload's log to ``err`` at INFO or DEBUG; returns what undoes it.
    ``logging`` is imported only then (a scan's start-up, issue 18)."""
    import logging

    logger = logging.getLogger("safeload")
    handler = logging.StreamHandler(err)
    handler.setFormatter(logging.Formatter("safeload: %(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose == 1 else logging.DEBUG)

    def restore() -> None:
        logger.removeHandler(handler)
        logger.setLevel(level)

    return restore


def _warning_printer(err: TextIO) -> Any:
    """Warnings as one line of text, like every other message, not Python's with a source
    line: e.g. a model saved with other library versions (VersionMismatchWarning)."""

    def show(message: Warning | str, category: type[Warning], *_: Any, **__: Any) -> None:
        print(f"safeload: warning: {message}", file=err)

    return show


def _run(
    args: argparse.Namespace,
    parser: argparse.ArgumentParser,
    out: TextIO,
    err: TextIO,
    raw_err: TextIO,
) -> int:
    try:
        # Reading and hashing large files draw a progress bar, on a terminal only: on the
        # stream itself (the bar's carriage returns are its own; it escapes the file names)
        with _progress.reporting(_progress.terminal_bar(raw_err)):
            return _dispatch(args, parser, out, err)
    except BrokenPipeError:
        raise  # the output's reader went away; main() stops quietly
    except SignatureError as exc:
        # Includes MissingSignatureError and SidecarFormatError.
        return _fail(args, out, err, exc, EXIT_FAIL)
    except UntrustedTypeError as exc:
        return _fail(args, out, err, exc, EXIT_FAIL)
    except (UsageError, KeyFormatError, MalformedArtifactError, OSError, ValueError) as exc:
        return _fail(args, out, err, exc, EXIT_USAGE)
    except SafeloadError as exc:  # pragma: no cover - every subclass is handled above
        print(f"safeload: {exc}", file=err)
        return EXIT_FAIL
