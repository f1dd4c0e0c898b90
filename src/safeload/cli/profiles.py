"""``safeload profiles``: list the opt-in trust profiles and what each trusts."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, TextIO

import safeload
from safeload.cli._common import EXIT_OK, command, emit, json_arg
from safeload.exceptions import UsageError

if TYPE_CHECKING:
    from safeload.cli._common import Sub


def add(sub: Sub) -> None:
    pf = command(
        sub,
        "profiles",
        "list the opt-in trust profiles and what each trusts",
        "List each opt-in trust profile (--profile NAME on scan and convert, profiles=[...] "
        "in the API): the library versions it was reviewed against and the installed one, "
        "what trusting it rests on, every name it trusts with the reason, and what it leaves "
        "out and why.",
        ["safeload profiles", "safeload profiles xgboost --json"],
    )
    pf.add_argument("names", nargs="*", metavar="NAME", help="only these profiles")
    json_arg(pf)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    known = safeload.trust_profiles()
    unknown = [n for n in args.names if n not in known]
    if unknown:
        raise UsageError(
            f"unknown profile(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    chosen = [known[n] for n in (args.names or sorted(known))]
    if args.json:
        emit(
            out,
            {
                "profiles": [
                    {
                        "name": p.name,
                        "library": p.library,
                        "reviewed": list(p.reviewed),
                        "installed": safeload.installed_version(p),
                        "description": p.description,
                        "requires": list(p.requires),
                        "trusts": [{"name": f"{m}.{q}", "reason": why} for m, q, why in p.entries],
                        "left_out": [{"name": n, "why": why} for n, why in p.left_out],
                    }
                    for p in chosen
                ]
            },
        )
        return EXIT_OK
    for p in chosen:
        installed = safeload.installed_version(p)
        reviewed = ", ".join(f"{p.library} {v}.x" for v in p.reviewed)
        if installed is None:
            state = "not installed"
        elif any(installed.startswith(v + ".") or installed == v for v in p.reviewed):
            state = f"installed {installed}"
        else:
            state = f"installed {installed}: NOT the reviewed version, review the profile again"
        print(f"{p.name}  ({reviewed}; {state})", file=out)
        if p.requires:
            print(f"  requires: {', '.join(p.requires)}", file=out)
        print(f"  {p.description}", file=out)
        print(f"  trusts {len(p.entries)} name(s):", file=out)
        for m, q, why in p.entries:
            print(f"    {m}.{q}: {why}", file=out)
        if p.left_out:
            print("  leaves out:", file=out)
            for name, why in p.left_out:
                print(f"    {name}: {why}", file=out)
        print("", file=out)
    return EXIT_OK
