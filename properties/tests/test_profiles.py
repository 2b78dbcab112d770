from __future__ import annotations

import pytest
from hypothesis import settings

from properties.profiles import load_profile, selected_profile


def test_selection_rules() -> None:
    assert selected_profile({}) == "dev"
    assert selected_profile({"CI": "true"}) == "ci"
    assert selected_profile({"CI": "true", "SIMAUDIT_PROFILE": "thorough"}) == "thorough"
    with pytest.raises(ValueError, match=r"^selected_profile: SIMAUDIT_PROFILE must be one of dev, ci, thorough; got 'fast'\.$"):
        selected_profile({"SIMAUDIT_PROFILE": "fast"})


def test_profiles_differ_as_documented() -> None:
    current = settings.get_current_profile_name()
    try:
        load_profile("ci")
        assert settings.default.derandomize and settings.default.database is None and settings.default.deadline is None
        load_profile("thorough")
        assert settings.default.max_examples == 2000
        load_profile("dev")
        assert settings.default.max_examples == 25
    finally:
        settings.load_profile(current)
