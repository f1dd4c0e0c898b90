"""Which stored regular expressions a loaded model may run (red team 15, r15-13).

A model that compiles a pattern from its state and runs it on the caller's data at use time
(``make_column_selector.pattern`` on column names, a vectorizer's ``token_pattern`` on every
document) hands the file a regular expression. Python's ``re`` backtracks, so a pattern such as
``(?:[\\w ]|[\\w ][\\w ])*#`` never finishes on ordinary text. Two rules, both applied by a load
(:mod:`safeload.trust.usetime`) and by ``scan`` (on the literal in the stream):

* ``token_pattern`` must be one of a short reviewed list (:data:`REVIEWED_TOKEN_PATTERNS`):
  documents are long, and only patterns that run in linear time on them are accepted.
* a column-selector pattern must pass :func:`regex_problem`, a syntax rule with a proof.

**The rule and why it bounds the work.** The pattern is parsed (not compiled, nothing runs) and
refused if it holds a back-reference, a conditional group, a look-around or an atomic group, or
a quantifier with more than one possible count over anything but a single character (``\\w+`` is
accepted, ``(?:ab)+``, ``(a|b)*`` and ``(\\w+)*`` are not; ``(?:ab)?`` is). For what is left, a
backtracking matcher's paths from one start position are bounded by composition: a
single-character matcher has one; a sequence the product of its parts' counts; an alternation the
sum of its branches'; a quantifier over one character at most ``n + 1`` (one per count it can
try, on an input of ``n`` characters); a ``?`` over a part ``1 +`` that part's. So a pattern with
``d`` such variable quantifiers along its sequences has at most ``C * (n + 1) ** d`` paths from
one position, where ``C`` is the product/sum of the alternations' branch counts, and a search
tries ``n + 1`` positions. The rule accepts ``d <= 2`` and ``C <= 64`` (and patterns of at most
1000 characters): polynomial time of degree at most 3 in the length of a column name.
"""

from __future__ import annotations

from typing import Any

__all__ = ["REVIEWED_TOKEN_PATTERNS", "regex_problem"]

#: ``token_pattern`` values a loaded vectorizer may hold: scikit-learn's default and common
#: variants, each reviewed to run in linear time (a run of word or non-space characters, then
#: a word boundary that holds at the run's end), and ``None`` (no pattern: a callable tokenizer
#: or a character analyzer).
REVIEWED_TOKEN_PATTERNS: tuple[str | None, ...] = (
    r"(?u)\b\w\w+\b",
    r"\b\w\w+\b",
    r"(?u)\b\w+\b",
    r"\b\w+\b",
    r"(?u)\w+",
    r"\w+",
    r"\S+",
    r"[^\s]+",
    r"(?u)\S+",
    None,
)

_MAX_LENGTH = 1000
_MAX_DEGREE = 2
_MAX_BRANCHES = 64
_ONE_CHAR = frozenset({"LITERAL", "NOT_LITERAL", "ANY", "IN", "CATEGORY", "RANGE"})
_NO_PATH = frozenset({"AT"})
_REPEATS = frozenset({"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"})


class _Refused(Exception):
    pass


def _parse(pattern: str) -> Any:
    try:
        from re import _parser  # type: ignore[attr-defined]  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse as _parser
    return _parser.parse(pattern)


def _name(op: Any) -> str:
    return str(getattr(op, "name", op))


def _cost(items: Any, depth: int = 0) -> tuple[int, int]:
    """``(d, C)``: at most ``C * (n + 1) ** d`` paths from one start position."""
    if depth > 100:
        raise _Refused("it is nested too deeply")
    degree, paths = 0, 1
    for op, arg in items:
        name = _name(op)
        if name in _ONE_CHAR or name in _NO_PATH:
            continue
        if name == "SUBPATTERN":
            d, c = _cost(arg[-1], depth + 1)
        elif name == "BRANCH":
            d, c = 0, 0
            for branch in arg[1]:
                bd, bc = _cost(branch, depth + 1)
                d, c = max(d, bd), c + bc
        elif name in _REPEATS:
            low, high, body = arg
            if low == high:
                d, c = _cost(body, depth + 1)
                if (d, c) != (0, 1) and low > 1:
                    raise _Refused("it repeats a group that can match in several ways")
            elif len(body) == 1 and _name(body[0][0]) in _ONE_CHAR:
                d, c = 1, 1
            elif low == 0 and high == 1:
                d, c = _cost(body, depth + 1)
                c += 1
            else:
                raise _Refused(
                    "it puts a quantifier over a group (nested quantifiers or alternation under "
                    "a quantifier backtrack exponentially)"
                )
        else:
            raise _Refused(
                f"it uses {name.lower().replace('_', ' ')} (back-references, conditionals, "
                "look-arounds and atomic groups are not accepted)"
            )
        degree += d
        paths *= c
        if degree > _MAX_DEGREE or paths > _MAX_BRANCHES:
            raise _Refused(
                f"it has more than {_MAX_DEGREE} variable quantifiers in a row or more than "
                f"{_MAX_BRANCHES} alternatives"
            )
    return degree, paths


def regex_problem(pattern: str) -> str | None:
    """Why ``re`` could backtrack without a small polynomial bound on ``pattern``; ``None`` when
    the rule of this module accepts it."""
    if len(pattern) > _MAX_LENGTH:
        return f"it is longer than {_MAX_LENGTH} characters"
    try:
        parsed = _parse(pattern)
    except Exception as exc:  # re.error, RecursionError, OverflowError...
        return f"it is not a valid regular expression ({exc})"
    try:
        _cost(list(parsed))
    except _Refused as exc:
        return str(exc)
    return None
