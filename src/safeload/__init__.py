"""safeload: signed, allowlisted loading of machine-learning model files."""

from __future__ import annotations

__version__ = "0.1.0"
