"""``python -m safeload``: the command-line interface."""

from safeload.cli import main

raise SystemExit(main())
