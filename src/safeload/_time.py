"""One time format for every time a user writes: ``--expires``, a keyring's ``not_after``.

ISO 8601 as ``datetime.fromisoformat`` reads it, with ``Z`` for UTC (``2027-01-31T00:00:00Z``,
``2027-01-31T02:00:00+02:00``, or a date, ``2027-01-31``, meaning its midnight). A time without
an offset is taken as UTC, as safeload writes every time in UTC.
"""

from __future__ import annotations

from datetime import datetime, timezone

__all__ = ["parse_time"]


def parse_time(text: str) -> datetime:
    """Parse ``text`` into an aware ``datetime``; ``ValueError`` names what was wrong."""
    if not isinstance(text, str):
        raise ValueError(f"expected an ISO 8601 time as text, got {type(text).__name__}")
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(
            f"not an ISO 8601 time: {text!r} (e.g. 2027-01-31T00:00:00Z or 2027-01-31)"
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed
