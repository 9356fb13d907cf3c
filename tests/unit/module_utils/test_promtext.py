"""Unit tests for the Prometheus text-format parser used by the metrics checks."""

import math

import pytest

from ansible_collections.ai_conformance.rke2.plugins.module_utils import promtext

pytestmark = pytest.mark.unit

DCGM = '''# HELP DCGM_FI_DEV_GPU_UTIL GPU utilization (in %).
# TYPE DCGM_FI_DEV_GPU_UTIL gauge
DCGM_FI_DEV_GPU_UTIL{gpu="0",UUID="GPU-604ac76c",pci_bus_id="00000000:00:1E.0",device="nvidia0",modelName="Tesla T4",\
Hostname="node1",DCGM_FI_DRIVER_VERSION="580.126.20",container="main",namespace="ml",pod="infer-0"} 87
# HELP DCGM_FI_DEV_FB_USED Framebuffer memory used (in MiB).
# TYPE DCGM_FI_DEV_FB_USED gauge
DCGM_FI_DEV_FB_USED{gpu="0", UUID="GPU-604ac76c",container="",namespace="",pod=""} 1952 1700000000000
'''


def test_parses_dcgm_sample_with_metadata():
    exp = promtext.parse(DCGM)
    assert exp.names() == ["DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_GPU_UTIL"]
    util = exp.series("DCGM_FI_DEV_GPU_UTIL")[0]
    assert util.value == 87 and util.labels["UUID"] == "GPU-604ac76c" and util.labels["Hostname"] == "node1"
    fb = exp.series("DCGM_FI_DEV_FB_USED")[0]
    assert fb.labels["pod"] == "" and fb.timestamp == "1700000000000"
    assert exp.types["DCGM_FI_DEV_GPU_UTIL"] == "gauge"
    assert exp.help["DCGM_FI_DEV_FB_USED"] == "Framebuffer memory used (in MiB)."


def test_escapes_special_values_and_openmetrics():
    exp = promtext.parse('a{l="x\\"y\\\\z\\nw",} NaN\nb +Inf\nc -Inf\nd_total 3 # {trace_id="1"} 1\n# EOF\n')
    assert exp.series("a")[0].labels == {"l": 'x"y\\z\nw'}
    assert math.isnan(exp.series("a")[0].value)
    assert exp.series("b")[0].value == math.inf and exp.series("c")[0].value == -math.inf
    assert exp.series("d_total")[0].value == 3


def test_label_value_may_contain_braces_and_hash():
    exp = promtext.parse('m{path="/a{b}#c"} 1\n')
    assert exp.series("m")[0].labels["path"] == "/a{b}#c"


@pytest.mark.parametrize("text,where", [
    ("<html>nope</html>", "line 1"),
    ("ok 1\nm{l=1} 2", "line 2"),
    ("m{l=\"1\" 2", "line 1"),
    ("m notanumber", "line 1"),
    ("m", "line 1"),
])
def test_rejects_non_exposition_text_naming_the_line(text, where):
    with pytest.raises(promtext.ParseError, match=where):
        promtext.parse(text)
