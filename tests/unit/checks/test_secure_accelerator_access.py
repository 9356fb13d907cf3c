"""Configuration logic of secure_accelerator_access: toolkit TOML, device-plugin strategy, node bound."""

import pytest
from kubernetes import client

from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import secure_accelerator_access as check
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP


pytestmark = pytest.mark.unit

TOP_LEVEL = """
accept-nvidia-visible-devices-as-volume-mounts = true
accept-nvidia-visible-devices-envvar-when-unprivileged = false

[nvidia-container-cli]
root = "/run/nvidia/driver"

[nvidia-container-runtime]
mode = "auto"
"""

IN_SECTION = """
[nvidia-container-runtime]
accept-nvidia-visible-devices-as-volume-mounts = true
accept-nvidia-visible-devices-envvar-when-unprivileged = false
"""

DEFAULTS = """
[nvidia-container-runtime]
mode = "cdi"
"""


def test_toolkit_keys_at_top_level_pass():
    ok, problems, evidence = check.evaluate_toolkit("h1", TOP_LEVEL, cdi_only=False)
    assert ok and not problems
    assert evidence[check.ENVVAR_KEY + "@"] == "top level"


def test_toolkit_keys_in_runtime_section_pass():
    ok, evidence = check.evaluate_toolkit("h1", IN_SECTION, cdi_only=False)[::2]
    assert ok and evidence[check.MOUNTS_KEY + "@"] == "[nvidia-container-runtime]"


def test_toolkit_defaults_fail_and_name_the_key():
    ok, problems = check.evaluate_toolkit("h1", DEFAULTS, cdi_only=False)[:2]
    assert not ok
    assert any("envvar-when-unprivileged is unset" in p for p in problems)
    assert any("as-volume-mounts is unset" in p for p in problems)


def test_cdi_only_does_not_need_volume_mounts_but_still_needs_envvar_false():
    text = "accept-nvidia-visible-devices-envvar-when-unprivileged = false\n"
    assert check.evaluate_toolkit("h1", text, cdi_only=True)[0]
    assert not check.evaluate_toolkit("h1", "accept-nvidia-visible-devices-envvar-when-unprivileged = true\n",
                                      cdi_only=True)[0]


def test_unparsable_toml_fails():
    ok, problems = check.evaluate_toolkit("h1", "this is = = not toml", cdi_only=False)[:2]
    assert not ok and "does not parse" in problems[0]


def test_toolkit_step_skips_without_hosts_or_configs():
    assert check.toolkit_step({}, False).status == SKIP
    assert check.toolkit_step({"h1": {"toolkit_config": None, "nvidia_smi": "x"}}, False).status == SKIP
    assert check.toolkit_step({"h1": {"toolkit_config": TOP_LEVEL}}, False).status == PASS
    step = check.toolkit_step({"h1": {"toolkit_config": TOP_LEVEL}, "h2": {"toolkit_config": DEFAULTS}}, False)
    assert step.status == FAIL and "h2" in step.message and "h1" not in step.message


def container(env=None, args=None, name="nvidia-device-plugin"):
    return client.V1Container(name=name, image="nvcr.io/nvidia/k8s-device-plugin:v0.17.4", args=args,
                              env=[client.V1EnvVar(name=k, value=v) for k, v in (env or {}).items()])


@pytest.mark.parametrize("env,args,expected", [
    ({"DEVICE_LIST_STRATEGY": "volume-mounts"}, None, ({"volume-mounts"}, "env")),
    ({"DEVICE_LIST_STRATEGY": "cdi-annotations,cdi-cri"}, None, ({"cdi-annotations", "cdi-cri"}, "env")),
    ({}, None, ({"envvar"}, "default")),
    ({}, ["--device-list-strategy=volume-mounts"], ({"volume-mounts"}, "args")),
])
def test_list_strategy(env, args, expected):
    assert check.list_strategy(container(env, args)) == expected


def test_device_plugin_container_ignores_gfd_and_mps_daemon():
    def ds(name, cname):
        return client.V1DaemonSet(metadata=client.V1ObjectMeta(name=name, namespace="gpu-operator"),
                                  spec=client.V1DaemonSetSpec(selector=client.V1LabelSelector(), template=client.V1PodTemplateSpec(
                                      spec=client.V1PodSpec(containers=[container(name=cname)]))))
    assert check.device_plugin_container(ds("nvidia-device-plugin-daemonset", "nvidia-device-plugin"))
    assert check.device_plugin_container(ds("nvdp-nvidia-device-plugin", "nvidia-device-plugin-ctr"))
    assert check.device_plugin_container(ds("gpu-feature-discovery", "gpu-feature-discovery")) is None
    assert check.device_plugin_container(ds("aks-device-plugin", "plugin"))  # the k8s-device-plugin image
    assert check.device_plugin_container(ds("nvidia-device-plugin-mps-control-daemon", "nvidia-device-plugin")) is None


def test_pick_nodes_is_bounded_by_max_gpus():
    counts = {"n%03d" % i: 8 for i in range(1000)}
    assert check.pick_nodes(counts, 16) == ["n000", "n001"]
    # A single node larger than the bound is still taken alone, never more.
    assert check.pick_nodes(counts, 4) == ["n000"]
    assert check.pick_nodes({"cpu": 0}, 16) == []


def test_device_plugin_mode_counts_only_gpu_nodes(fake_node):
    nodes = [fake_node("a", allocatable={"nvidia.com/gpu": "2"}), fake_node("b", allocatable={"cpu": "8"})]

    class Core:
        def list_pod_for_all_namespaces(self, **kwargs):
            raise AssertionError("no pods expected to be listed for %s" % kwargs)

    mode = check.device_plugin_mode(Core(), nodes[1:], 16)
    assert mode.counts == {} and mode.verdict == "Insufficient nvidia.com/gpu"


SLICES = [
    {"spec": {"driver": "gpu.nvidia.com", "nodeName": "n1", "pool": {"name": "n1"}, "devices": [
        {"name": "gpu-0", "attributes": {"type": {"string": "gpu"}}},
        {"name": "gpu-0-mig-1g", "attributes": {"type": {"string": "mig"}}},
        {"name": "gpu-1", "attributes": {"type": {"string": "gpu"}}}]}},
    {"spec": {"driver": "dra.net", "nodeName": "n1", "pool": {"name": "n1"}, "devices": [{"name": "eth1"}]}},
]


def test_dra_gpus_and_claims_in_use():
    gpus = check.dra_gpus(SLICES, "gpu.nvidia.com")
    assert gpus == {"n1": [("n1", "gpu-0"), ("n1", "gpu-1")]}
    claims = [{"status": {"allocation": {"devices": {"results": [
        {"driver": "gpu.nvidia.com", "pool": "n1", "device": "gpu-1"}]}}}}, {"status": {}}]
    assert check.dra_in_use(claims, "gpu.nvidia.com", gpus["n1"]) == 1
