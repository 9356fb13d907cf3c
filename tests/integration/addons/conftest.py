"""Fixtures of the add-on tests (tests/sim/addons)."""

from tests.integration.addons.addon_support import addon_sim  # noqa: F401  (fixture)
