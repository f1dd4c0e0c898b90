"""A point where the interpreter may hand the GIL to another thread.

Deliberately not compiled (setup.py compiles only the static pass). Code compiled with mypyc
never gives the GIL away by itself; only the interpreter's loop does, when another thread has
waited for it for the switch interval (5 ms by default). Calling this interpreted function from
compiled code gives the interpreter that chance, so other threads share the CPU exactly as they
would with the pure-Python pass.
"""

from __future__ import annotations

__all__ = ["switch_point"]


def switch_point() -> None:
    """Do nothing; entering an interpreted function is where the interpreter may switch."""
