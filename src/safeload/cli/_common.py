"""What the commands share: exit codes, the shape of a command's help, the options several
commands take, ``--expires``, JSON output, and the escaping of what an unverified file claims.

A problem with the command line or the local files raises the public ``safeload.UsageError``
(exit code 2), so ``--json`` output names a class a caller can look up.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO, cast

from safeload._time import parse_time
from safeload.exceptions import UsageError

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
#: Interrupted (Ctrl-C): the shell's convention, 128 + SIGINT.
EXIT_INTERRUPTED = 130


class HelpFormatter(argparse.HelpFormatter):
    """Help pages: descriptions wrapped to the terminal; the examples and the exit codes in
    the epilog keep their line breaks."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


if TYPE_CHECKING:
    from datetime import datetime

    #: What ``add_subparsers`` returns (argparse has no public name for it).
    Sub = argparse._SubParsersAction[argparse.ArgumentParser]


def command(
    sub: Sub, name: str, summary: str, description: str, examples: Sequence[str]
) -> argparse.ArgumentParser:
    """A sub-command with the shape every command's help has: a one-line summary for the
    command list, a description, and examples."""
    return sub.add_parser(
        name,
        help=summary,
        description=description,
        epilog="examples:\n" + "\n".join(f"  {line}" for line in examples),
        formatter_class=HelpFormatter,
    )


def json_arg(p: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output (JSON)")


def trust_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="NAME",
        help="also trust this exact global (repeatable)",
    )


def profile_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--profile",
        action="append",
        default=[],
        dest="profiles",
        metavar="NAME",
        help="also trust this reviewed opt-in profile (repeatable; `safeload profiles` lists them)",
    )


def passphrase_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--passphrase-env", metavar="VAR", help="read the private key's passphrase from $VAR"
    )
    p.add_argument(
        "--prompt-passphrase",
        action="store_true",
        help="read the private key's passphrase from the terminal",
    )


EXPIRES_HELP = (
    "the signature is not valid from TIME on: ISO 8601, the same as a keyring's not_after "
    "(2027-01-31T00:00:00Z, 2027-01-31T02:00:00+02:00, or 2027-01-31 for midnight UTC); "
    "must be in the future"
)


def release_args(p: argparse.ArgumentParser, which: str) -> None:
    """``--model-version``, ``--name`` and ``--expires``, recorded in ``which`` signature."""
    p.add_argument(
        "--model-version",
        "--version",
        dest="model_version",
        metavar="VERSION",
        help=f"the model's version (PEP 440, e.g. 1.4.0), recorded in {which} for rollback "
        "protection (--version is the older spelling)",
    )
    p.add_argument(
        "--name", dest="model_name", metavar="NAME", help=f"model name recorded in {which}"
    )
    p.add_argument("--expires", metavar="TIME", help=EXPIRES_HELP)


def signer_args(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument(
        "--key",
        metavar="PATH|URI",
        help="Ed25519 or ECDSA private key (PEM), or a PKCS#11 URI "
        "'pkcs11:token=T;object=O?module-path=LIB' (PIN from $SAFELOAD_PKCS11_PIN)",
    )
    g.add_argument("--hmac-key-file", metavar="PATH", help="HMAC secret file (hex)")
    g.add_argument("--hmac-env", metavar="VAR", help="environment variable holding the hex secret")
    passphrase_args(p)


def verifier_args(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument(
        "--pub",
        action="append",
        metavar="PATH",
        help="trusted Ed25519 or ECDSA public key (repeatable)",
    )
    g.add_argument(
        "--ca",
        metavar="PEM",
        help="model_signing certificate bundles: trusted root certificate(s)",
    )
    g.add_argument(
        "--keyring",
        metavar="DIR|FILE.json",
        help="trust every *.pub in DIR, or the keys of a JSON keyring file",
    )
    g.add_argument("--hmac-key-file", metavar="PATH", help="HMAC secret file (hex)")
    g.add_argument("--hmac-env", metavar="VAR", help="environment variable holding the hex secret")
    p.add_argument(
        "--threshold",
        type=int,
        default=None,
        help="how many distinct trusted keys must have signed (default 1); a JSON keyring "
        "sets its own, and --threshold with one is a usage error, as is one above 1 with --ca",
    )


def parse_expires(text: str, now: datetime | None = None) -> datetime:
    """``--expires``: the format of a keyring's ``not_after`` (safeload._time), in the future."""
    try:
        value = parse_time(text)
    except ValueError as exc:
        raise UsageError(f"--expires: {exc}") from None
    from datetime import datetime, timezone

    now = now or datetime.now(timezone.utc)
    if value <= now:
        raise UsageError(
            f"--expires {text}: that time has passed (now {now:%Y-%m-%dT%H:%M:%SZ}); the "
            "signature would never be valid. Give a time in the future."
        )
    return value


def emit(out: TextIO, doc: dict[str, Any]) -> None:
    """Write ``doc`` as indented JSON in one write (``json.dump`` writes each token: 36,000
    writes through the escaping stream for a scan of 200 files)."""
    import json  # imported here: most commands print text (issue 18's start-up)

    out.write(json.dumps(doc, indent=2) + "\n")


def escape_controls(text: str) -> str:
    """``text`` with control and format characters (ANSI escapes, carriage returns, bidi
    overrides) shown as ``\\x1b``-style escapes; newlines are kept. Names and fields from an
    unverified signature file must not drive the terminal (rt17 f10)."""
    if text.isprintable() or text.replace("\n", "").isprintable():
        return text
    return "".join(
        c if c == "\n" or c.isprintable() else c.encode("unicode_escape").decode("ascii")
        for c in text
    )


class _Escaping(io.TextIOBase):
    """A text stream that escapes control characters on the way to ``inner``."""

    def __init__(self, inner: TextIO) -> None:
        self._inner = inner

    def write(self, text: str) -> int:
        self._inner.write(escape_controls(text))
        return len(text)

    def flush(self) -> None:
        self._inner.flush()


def escaping(stream: TextIO) -> TextIO:
    return cast(TextIO, _Escaping(stream))
