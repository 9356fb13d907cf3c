"""Decision logic of accelerator_metrics on parsed endpoint text (no cluster)."""

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils import promtext
from ansible_collections.ai_conformance.rke2.plugins.module_utils.checks import accelerator_metrics as check
from ansible_collections.ai_conformance.rke2.plugins.module_utils.result import FAIL, PASS, SKIP, combine

pytestmark = pytest.mark.unit

FULL = """# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).
DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-a",Hostname="n1"} 10
DCGM_FI_DEV_GPU_UTIL{gpu="1",UUID="GPU-b",Hostname="n1"} 20
DCGM_FI_DEV_FB_USED{gpu="0",UUID="GPU-a",Hostname="n1"} 100
DCGM_FI_DEV_FB_USED{gpu="1",UUID="GPU-b",Hostname="n1"} 200
DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="GPU-a"} 40
DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-a"} 70.5
"""


def statuses(text):
    return {s.name: s.status for s in check.evaluate(promtext.parse(text))}


def test_full_dcgm_output_passes_with_devices():
    steps = check.evaluate(promtext.parse(FULL))
    by_name = {s.name: s for s in steps}
    assert combine(steps) == PASS
    assert by_name["utilization"].evidence["devices"] == ["host=n1,gpu=0,UUID=GPU-a", "host=n1,gpu=1,UUID=GPU-b"]
    assert by_name["temperature"].status == PASS and by_name["power"].status == PASS


def test_missing_should_metrics_are_noted_not_failed():
    text = "\n".join(line for line in FULL.splitlines() if "TEMP" not in line and "POWER" not in line)
    got = statuses(text)
    assert got == {"utilization": PASS, "memory": PASS, "temperature": SKIP, "power": SKIP}


def test_memory_free_alone_counts_as_memory():
    text = FULL.replace("FB_USED", "FB_FREE")
    assert statuses(text)["memory"] == PASS


def test_missing_utilization_fails():
    text = "\n".join(line for line in FULL.splitlines() if "GPU_UTIL" not in line)
    assert statuses(text)["utilization"] == FAIL


def test_series_without_device_label_fail():
    text = 'DCGM_FI_DEV_GPU_UTIL{Hostname="n1"} 5\nDCGM_FI_DEV_FB_USED{gpu="0"} 1\n'
    steps = {s.name: s for s in check.evaluate(promtext.parse(text))}
    assert steps["utilization"].status == FAIL and "per-device label" in steps["utilization"].message
    assert steps["memory"].status == PASS


def test_stand_in_is_recognised_from_help_text():
    exp = promtext.parse("# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (stand-in exporter, simulated)\n"
                         "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\"} 1\n")
    assert check.stand_in_marks(None, exp)
    assert not check.stand_in_marks(None, promtext.parse(FULL))


def test_pod_utilization_picks_the_pods_series_only():
    exp = promtext.parse('DCGM_FI_DEV_GPU_UTIL{gpu="0",namespace="ns",pod="p"} 70\n'
                         'DCGM_FI_DEV_GPU_UTIL{gpu="1",namespace="ns",pod="q"} 10\n'
                         'DCGM_FI_DEV_GPU_UTIL{gpu="2",namespace="",pod=""} 0\n'
                         'DCGM_FI_DEV_FB_USED{gpu="0",namespace="ns",pod="p"} 5\n')
    assert check.pod_utilization(exp, "ns", "p") == [70.0]
    assert check.pod_utilization(exp, "other", "p") == []
