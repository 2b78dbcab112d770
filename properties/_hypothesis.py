"""Hypothesis helpers shared by the engine and the claims."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

__all__ = ["without_local_constants"]


@contextlib.contextmanager
def without_local_constants() -> Iterator[None]:
    """Make derandomized Hypothesis draws independent of which modules happen to be imported.

    Recent Hypothesis versions (seen with 6.155) mix literal constants from every
    *local* module in ``sys.modules`` into its draws, so a derandomized search
    draws different examples in a CLI run than under pytest (where test modules
    are loaded) or after an unrelated import. For the duration of a search this
    replaces that pool with an empty one and clears the cache of permitted
    constants (before and after). It patches a private hook: where the hook does
    not exist (older versions, which had no such pool) it does nothing.
    """
    try:
        from hypothesis.internal.conjecture import providers
        from hypothesis.internal.constants_ast import Constants
    except ImportError:  # pragma: no cover - version without local constants
        yield
        return
    original = getattr(providers, "_get_local_constants", None)
    cache = getattr(getattr(providers, "CONSTANTS_CACHE", None), "cache", None)
    if original is None or cache is None:  # pragma: no cover
        yield
        return
    empty = Constants()
    providers._get_local_constants = lambda: empty
    cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.clear()
