"""pytest plugin: loads the Hypothesis profile chosen by ``SIMAUDIT_PROFILE`` (see :mod:`properties.profiles`).

Enabled for the project's own suite through ``addopts = -p properties.pytest_plugin`` in
pyproject.toml; a user's suite can enable it the same way.
"""

from __future__ import annotations

import pytest

from properties.profiles import load_profile


def pytest_configure(config: pytest.Config) -> None:
    profile = load_profile()
    config.stash[_KEY] = profile


def pytest_report_header(config: pytest.Config) -> str:
    return f"simaudit hypothesis profile: {config.stash.get(_KEY, '?')}"


_KEY = pytest.StashKey[str]()
