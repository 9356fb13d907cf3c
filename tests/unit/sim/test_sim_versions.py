"""Pure logic of the simulated-cluster launcher (no processes started)."""

import pytest

from tests.sim.cluster import SimError, resolve_addons, resolve_k8s_version

pytestmark = pytest.mark.unit


def test_minor_resolves_to_the_pinned_patch():
    assert resolve_k8s_version("1.36") == "v1.36.3"
    assert resolve_k8s_version("v1.34.4") == "v1.34.4"


def test_unknown_version_lists_the_supported_ones():
    with pytest.raises(SimError, match=r"supported: v1\.34\.4, v1\.35\.4, v1\.36\.3, v1\.37\.2"):
        resolve_k8s_version("1.99")


class _Addon:
    def __init__(self, *depends):
        self.DEPENDS = depends


def test_addons_pull_in_dependencies_in_registry_order():
    registry = {"prometheus": _Addon(), "adapter": _Addon("prometheus"), "kueue": _Addon()}
    assert resolve_addons("adapter", registry) == ["prometheus", "adapter"]
    assert resolve_addons(["kueue", "adapter"], registry) == ["prometheus", "adapter", "kueue"]


def test_unknown_addon_is_one_clear_error():
    with pytest.raises(SimError, match="unknown add-on 'nope'; available: prometheus"):
        resolve_addons("nope", {"prometheus": _Addon()})
