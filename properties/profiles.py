"""Hypothesis profiles: ``dev`` (fast), ``ci`` (derandomized, no database, no deadline), ``thorough``.

Chosen by the environment variable ``SIMAUDIT_PROFILE``; without it, ``ci`` when the ``CI``
variable is set and ``dev`` otherwise. Tests that pin their own ``@settings`` keep them;
the profile sets everything else.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

__all__ = ["PROFILES", "ENV_VAR", "load_profile", "register_profiles", "selected_profile"]

ENV_VAR = "SIMAUDIT_PROFILE"
PROFILES = ("dev", "ci", "thorough")


def register_profiles() -> None:
    """Register the three profiles with Hypothesis (idempotent)."""
    settings.register_profile("dev", max_examples=25, deadline=None)
    settings.register_profile(
        "ci", max_examples=50, deadline=None, derandomize=True, database=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.register_profile(
        "thorough", max_examples=2000, deadline=None, database=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow],
    )


def selected_profile(environ: dict[str, str] | None = None) -> str:
    """The profile named by ``SIMAUDIT_PROFILE``, else ``ci`` under CI, else ``dev``.

    Raises
    ------
    ValueError
        If ``SIMAUDIT_PROFILE`` names no profile.
    """
    env = os.environ if environ is None else environ
    name = env.get(ENV_VAR) or ("ci" if env.get("CI") else "dev")
    if name not in PROFILES:
        raise ValueError(f"selected_profile: {ENV_VAR} must be one of {', '.join(PROFILES)}; got {name!r}.")
    return name


def load_profile(name: str | None = None) -> str:
    """Register the profiles and load ``name`` (default: :func:`selected_profile`); return it."""
    register_profiles()
    chosen = selected_profile() if name is None else name
    if chosen not in PROFILES:
        raise ValueError(f"load_profile: name must be one of {', '.join(PROFILES)}; got {chosen!r}.")
    settings.load_profile(chosen)
    return chosen
