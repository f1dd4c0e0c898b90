"""The build-time checks of native structures, one module per family (see ``safeload.validate``,
which runs them on every object a load builds, and ``safeload.trust.shadow``, which runs them on
scan's shadows)."""
