"""STAND-IN for NVIDIA DCGM exporter on the simulated cluster: serves DCGM-style per-GPU series for the
simulated (kwok) GPUs. There is no GPU and no DCGM here; every value is simulated.

What it imitates (reference: components.md §2, dcgm-exporter's render_metrics template):
- one series per GPU per metric, labels `gpu`, `UUID`, `pci_bus_id`, `device`, `modelName`, `Hostname`,
  `DCGM_FI_DRIVER_VERSION`, and `container`/`namespace`/`pod` on GPUs allocated to a pod;
- GPUs are the `nvidia.com/gpu` allocatable of every kwok node (annotation kwok.x-k8s.io/node=fake);
  a running pod requesting `nvidia.com/gpu` is given free GPUs of its node (sticky, like the device
  plugin); a pod with an allocated DRA claim of driver gpu.nvidia.com gets the named devices `gpu-<n>`.

Where the values come from (it cannot measure anything):
- a pod's annotation LOAD_ANNOTATION (percent, 0-100) is the load its workload asks for; a real load
  generator would read the same annotation through the downward API. GPU utilization follows it;
- tests can override any GPU's values: POST /set {"node": n, "gpu": i, "metrics": {"DCGM_FI_DEV_GPU_UTIL": 80}}
  or {"namespace": ns, "pod": p, "metrics": {...}}; POST /reset drops overrides; GET /state shows everything.

Run: python -m tests.sim.addons.dcgm_exporter_standin --kubeconfig K --port P [--interval 2]
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOAD_ANNOTATION = "ai-conformance.rke2/gpu-load-percent"
DRA_DRIVER = "gpu.nvidia.com"
KWOK_ANNOTATION = ("kwok.x-k8s.io/node", "fake")
STAND_IN = "STAND-IN: simulated GPU on a kwok node, not measured by DCGM"
DEFAULT_MEMORY_MIB = 81559

# name, type, HELP text (dcgm-exporter's wording)
METRICS = (
    ("DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %)."),
    ("DCGM_FI_DEV_MEM_COPY_UTIL", "gauge", "Memory utilization (in %)."),
    ("DCGM_FI_DEV_FB_FREE", "gauge", "Framebuffer memory free (in MiB)."),
    ("DCGM_FI_DEV_FB_USED", "gauge", "Framebuffer memory used (in MiB)."),
    ("DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (in C)."),
    ("DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (in W)."),
    ("DCGM_FI_DEV_SM_CLOCK", "gauge", "SM clock frequency (in MHz)."),
)


def gpu_uuid(node_name, index):
    from tests.sim.nodes import gpu_uuid as uuid_of  # same UUIDs as the node's ResourceSlice

    return uuid_of(node_name, index)


def simulated_values(util, memory_total):
    """Plausible readings for a GPU at `util` percent (a stand-in's model, not a measurement)."""
    util = max(0.0, min(100.0, float(util)))
    used = 0.0 if util == 0 else round(1024 + memory_total * 0.6 * util / 100.0)
    return {
        "DCGM_FI_DEV_GPU_UTIL": util,
        "DCGM_FI_DEV_MEM_COPY_UTIL": round(util * 0.4, 1),
        "DCGM_FI_DEV_FB_USED": used,
        "DCGM_FI_DEV_FB_FREE": memory_total - used,
        "DCGM_FI_DEV_GPU_TEMP": round(32 + 0.5 * util),
        "DCGM_FI_DEV_POWER_USAGE": round(70 + 6.3 * util, 3),
        "DCGM_FI_DEV_SM_CLOCK": 1980 if util else 345,
    }


def _gpu_request(pod):
    total = 0
    for container in pod.get("spec", {}).get("containers", []):
        resources = container.get("resources") or {}
        value = (resources.get("limits") or {}).get("nvidia.com/gpu") or (resources.get("requests") or {}).get(
            "nvidia.com/gpu")
        if value:
            total += int(value)
    return total


def _escape(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


class Simulator:
    """GPU inventory and allocations, refreshed from the API server; values per GPU."""

    def __init__(self, api_get):
        self.api_get = api_get  # callable(path, query=None) -> dict
        self.lock = threading.Lock()
        self.gpus = {}  # (node, index) -> dict(node, index, uuid, model, driver, memory)
        self.assignments = {}  # pod uid -> dict(namespace, pod, container, node, indices, claim)
        self.overrides = {}  # (node, index) -> {metric: value}
        self.pod_overrides = {}  # (namespace, pod) -> {metric: value}
        self.load = {}  # pod uid -> percent from LOAD_ANNOTATION
        self.last_refresh = None
        self.last_error = None

    def refresh(self):
        nodes = self.api_get("/api/v1/nodes")["items"]
        pods = self.api_get("/api/v1/pods", {"fieldSelector": "status.phase=Running"})["items"]
        claims = {}
        try:
            for claim in self.api_get("/apis/resource.k8s.io/v1/resourceclaims")["items"]:
                claims[(claim["metadata"]["namespace"], claim["metadata"]["name"])] = claim
        except Exception:  # DRA not served on this cluster: device-plugin style allocation only
            pass
        gpus = {}
        for node in nodes:
            meta = node["metadata"]
            if (meta.get("annotations") or {}).get(KWOK_ANNOTATION[0]) != KWOK_ANNOTATION[1]:
                continue
            count = int((node.get("status", {}).get("allocatable") or {}).get("nvidia.com/gpu", 0) or 0)
            labels = meta.get("labels") or {}
            for index in range(count):
                gpus[(meta["name"], index)] = dict(
                    node=meta["name"], index=index, uuid=gpu_uuid(meta["name"], index),
                    model=labels.get("nvidia.com/gpu.product", "NVIDIA-GPU").replace("-", " "),
                    driver=labels.get("nvidia.com/cuda.driver-version.full", ""),
                    memory=int(labels.get("nvidia.com/gpu.memory", DEFAULT_MEMORY_MIB)))
        with self.lock:
            live = {p["metadata"]["uid"] for p in pods}
            self.assignments = {uid: a for uid, a in self.assignments.items()
                                if uid in live and (a["node"], a["indices"][0]) in gpus}
            taken = {(a["node"], i) for a in self.assignments.values() for i in a["indices"]}
            self.load = {}
            for pod in sorted(pods, key=lambda p: (p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"])):
                meta, node = pod["metadata"], pod.get("spec", {}).get("nodeName")
                annotation = (meta.get("annotations") or {}).get(LOAD_ANNOTATION)
                if annotation is not None:
                    try:
                        self.load[meta["uid"]] = float(annotation)
                    except ValueError:
                        pass
                if meta["uid"] in self.assignments or not node:
                    continue
                container = (pod["spec"].get("containers") or [{}])[0].get("name", "")
                indices, claim_name = self._dra_devices(pod, node, claims)
                if not indices:
                    wanted = _gpu_request(pod)
                    free = [i for (n, i) in sorted(gpus) if n == node and (n, i) not in taken]
                    indices = free[:wanted] if wanted and len(free) >= wanted else []
                if indices:
                    taken.update((node, i) for i in indices)
                    self.assignments[meta["uid"]] = dict(namespace=meta["namespace"], pod=meta["name"],
                                                         container=container, node=node, indices=indices,
                                                         claim=claim_name)
            self.gpus = gpus
            self.last_refresh = time.time()

    @staticmethod
    def _dra_devices(pod, node, claims):
        for status in pod.get("status", {}).get("resourceClaimStatuses") or []:
            claim = claims.get((pod["metadata"]["namespace"], status.get("resourceClaimName")))
            if not claim:
                continue
            results = (((claim.get("status") or {}).get("allocation") or {}).get("devices") or {}).get("results") or []
            indices = []
            for result in results:
                device = result.get("device", "")
                if result.get("driver") == DRA_DRIVER and result.get("pool") == node and device.startswith("gpu-"):
                    indices.append(int(device.split("-", 1)[1]))
            if indices:
                return sorted(indices), claim["metadata"]["name"]
        return [], None

    def readings(self):
        """[(gpu, allocation or None, values)] under the lock, values with overrides applied."""
        with self.lock:
            by_gpu = {(a["node"], i): (uid, a) for uid, a in self.assignments.items() for i in a["indices"]}
            out = []
            for key in sorted(self.gpus):
                gpu = self.gpus[key]
                uid, alloc = by_gpu.get(key, (None, None))
                util = self.load.get(uid, 0.0) if alloc else 0.0
                values = simulated_values(util, gpu["memory"])
                if alloc:
                    values.update(self.pod_overrides.get((alloc["namespace"], alloc["pod"]), {}))
                values.update(self.overrides.get(key, {}))
                if "DCGM_FI_DEV_FB_USED" in values and "DCGM_FI_DEV_FB_FREE" not in self.overrides.get(key, {}):
                    values["DCGM_FI_DEV_FB_FREE"] = gpu["memory"] - values["DCGM_FI_DEV_FB_USED"]
                out.append((gpu, alloc, values))
            return out

    def exposition(self):
        readings = self.readings()
        lines = []
        for name, kind, help_text in METRICS:
            lines.append("# HELP %s %s [%s]" % (name, help_text, STAND_IN))
            lines.append("# TYPE %s %s" % (name, kind))
            for gpu, alloc, values in readings:
                labels = [("gpu", gpu["index"]), ("UUID", gpu["uuid"]),
                          ("pci_bus_id", "00000000:%02X:00.0" % (0x17 + gpu["index"])),
                          ("device", "nvidia%d" % gpu["index"]), ("modelName", gpu["model"]),
                          ("Hostname", gpu["node"]), ("DCGM_FI_DRIVER_VERSION", gpu["driver"])]
                if alloc:
                    labels += [("container", alloc["container"]), ("namespace", alloc["namespace"]),
                               ("pod", alloc["pod"])]
                    if alloc["claim"]:
                        labels += [("dra_claim_name", alloc["claim"]), ("dra_claim_namespace", alloc["namespace"]),
                                   ("dra_driver_name", DRA_DRIVER), ("dra_pool_name", gpu["node"]),
                                   ("dra_device_name", "gpu-%d" % gpu["index"])]
                else:
                    labels += [("container", ""), ("namespace", ""), ("pod", "")]
                rendered = ",".join('%s="%s"' % (k, _escape(v)) for k, v in labels)
                lines.append("%s{%s} %s" % (name, rendered, _number(values[name])))
        return "\n".join(lines) + "\n"

    def state(self):
        with self.lock:
            return {
                "stand_in": STAND_IN,
                "gpus": [dict(self.gpus[key]) for key in sorted(self.gpus)],
                "allocations": list(self.assignments.values()),
                "overrides": [{"node": n, "gpu": i, "metrics": m} for (n, i), m in self.overrides.items()],
                "pod_overrides": [{"namespace": ns, "pod": p, "metrics": m}
                                  for (ns, p), m in self.pod_overrides.items()],
                "last_refresh": self.last_refresh,
                "last_error": self.last_error,
            }

    def set(self, body):
        metrics = body.get("metrics")
        if not isinstance(metrics, dict) or not metrics:
            raise ValueError("'metrics' must be a non-empty object of metric name to number")
        unknown = sorted(set(metrics) - {m[0] for m in METRICS})
        if unknown:
            raise ValueError("unknown metric(s): %s" % ", ".join(unknown))
        values = {k: float(v) for k, v in metrics.items()}
        with self.lock:
            if "pod" in body:
                self.pod_overrides.setdefault((body.get("namespace", "default"), body["pod"]), {}).update(values)
            elif "node" in body:
                key = (body["node"], int(body.get("gpu", 0)))
                if key not in self.gpus:
                    raise ValueError("no simulated GPU %s/%s (known: %s)" % (key[0], key[1], sorted(self.gpus)))
                self.overrides.setdefault(key, {}).update(values)
            else:
                raise ValueError("give 'node' (and 'gpu') or 'namespace' and 'pod'")

    def reset(self):
        with self.lock:
            self.overrides.clear()
            self.pod_overrides.clear()


def _number(value):
    value = float(value)
    return str(int(value)) if value.is_integer() else repr(value)


def make_handler(sim):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, fmt, *args):  # keep the log for errors only
            pass

        def _send(self, code, body, ctype="application/json"):
            data = body.encode()
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            if path == "/metrics":
                self._send(200, sim.exposition(), "text/plain; version=0.0.4; charset=utf-8")
            elif path == "/state":
                self._send(200, json.dumps(sim.state(), indent=2))
            elif path in ("/health", "/healthz", "/"):
                ok = sim.last_refresh is not None
                self._send(200 if ok else 503, json.dumps({"ready": ok, "stand_in": STAND_IN}))
            else:
                self._send(404, json.dumps({"error": "unknown path"}))

        def do_POST(self):
            path = self.path.split("?", 1)[0]
            try:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                if path == "/set":
                    sim.set(body)
                elif path == "/reset":
                    sim.reset()
                else:
                    return self._send(404, json.dumps({"error": "unknown path"}))
            except (ValueError, KeyError, TypeError) as exc:
                return self._send(400, json.dumps({"error": str(exc)}))
            self._send(200, json.dumps(sim.state()))

    return Handler


def api_getter(kubeconfig):
    from kubernetes import client, config

    configuration = client.Configuration()
    config.load_kube_config(config_file=kubeconfig, client_configuration=configuration)
    api = client.ApiClient(configuration)

    def get(path, query=None):
        method, url, headers, body, _files = api.param_serialize(
            "GET", path, query_params=list((query or {}).items()), header_params={"Accept": "application/json"},
            auth_settings=["BearerToken"])
        resp = api.call_api(method, url, header_params=headers, body=body, _request_timeout=10)
        resp.read()
        if not 200 <= resp.status < 300:
            raise RuntimeError("GET %s: HTTP %s" % (path, resp.status))
        return json.loads(resp.data)

    return get


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between inventory refreshes")
    args = parser.parse_args(argv)
    sim = Simulator(api_getter(args.kubeconfig))

    def loop():
        while True:
            try:
                sim.refresh()
                sim.last_error = None
            except Exception as exc:  # keep serving the last inventory; say why it is stale
                if str(exc) != sim.last_error:
                    sys.stderr.write("refresh failed: %s\n" % exc)
                sim.last_error = str(exc)
            time.sleep(args.interval)

    threading.Thread(target=loop, daemon=True).start()
    server = ThreadingHTTPServer((args.address, args.port), make_handler(sim))
    sys.stderr.write("dcgm-exporter stand-in serving http://%s:%d/metrics (%s)\n" % (args.address, args.port, STAND_IN))
    server.serve_forever()


if __name__ == "__main__":
    main()
