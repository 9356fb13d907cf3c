"""Helpers shared by the add-ons: builds, per-add-on state (ports, files), applying objects, waiting."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.sim.cluster import SIM_CACHE, SimError, free_port, log

HERE = Path(__file__).resolve().parent
BUILD_SCRIPT = HERE.parent / "build_addons.sh"
FIELD_MANAGER = "sim-addons"
# Objects the add-ons create carry this label, so a sweep can find them.
ADDON_LABEL = "sim.ai-conformance.rke2/addon"
# controller-runtime's certificate watchers need inotify instances; kube-apiserver and
# kube-controller-manager hold several each, and the limit is per user, for every running cluster.
INOTIFY_HINT = (" (too many open files: probably the inotify instance limit fs.inotify.max_user_instances, "
                "shared by every process of every simulated cluster of this user; stop other clusters)")


def pins():
    """Versions pinned in addons/versions.sh (read by both bash and Python)."""
    text = (HERE / "versions.sh").read_text()
    return dict(re.findall(r"^(ADDON_\w+)=\$\{\w+:-([^}]+)\}", text, re.M))


def cache_dir(component, version):
    return SIM_CACHE / ("%s-%s" % (component, version))


def build(component, binary, version):
    """Build `component` with build_addons.sh unless cached; returns the binary's path."""
    path = cache_dir(component, version) / "bin" / binary
    if path.is_file():
        return path
    t0 = time.monotonic()
    log("building add-on %s %s (cold Go builds take several minutes; cached in %s)"
        % (component, version, cache_dir(component, version)))
    proc = subprocess.run(["bash", str(BUILD_SCRIPT), component], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False)
    sys.stderr.write(proc.stdout)
    if proc.returncode != 0 or not path.is_file():
        last = [line for line in proc.stdout.splitlines() if line.startswith("[addon-build]")]
        raise SimError(last[-1] if last else proc.stdout.strip()[-500:])
    log("add-on %s built in %.0f s" % (component, time.monotonic() - t0))
    return path


def workdir(cluster, name):
    """Per-cluster directory of one add-on (config files, data); under the cluster dir, so down() wipes it."""
    path = Path(cluster.dir) / "addons" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def state(cluster, name):
    try:
        return json.loads((workdir(cluster, name) / "state.json").read_text())
    except (OSError, ValueError):
        return {}


def save_state(cluster, name, **values):
    data = state(cluster, name)
    data.update(values)
    (workdir(cluster, name) / "state.json").write_text(json.dumps(data, indent=2, sort_keys=True))
    return data


def ports(cluster, name, *keys):
    """Free loopback ports for this add-on, allocated once per start and remembered in its state."""
    allocated = {key: free_port() for key in keys}
    save_state(cluster, name, ports=allocated)
    return allocated


def dynamic(cluster):
    from kubernetes import dynamic as kdynamic

    return kdynamic.DynamicClient(cluster.api_client())


def apply(cluster, manifests):
    """Server-side apply each manifest (create or update), in order."""
    client = dynamic(cluster)
    for manifest in manifests:
        api = client.resources.get(api_version=manifest["apiVersion"], kind=manifest["kind"])
        api.server_side_apply(body=manifest, name=manifest["metadata"]["name"],
                              namespace=manifest["metadata"].get("namespace"),
                              field_manager=FIELD_MANAGER, force_conflicts=True)


def delete(cluster, manifests, wait=0):
    """Delete objects (absent ones and unknown kinds are fine); optionally wait until they are gone."""
    from kubernetes.client.rest import ApiException
    from kubernetes.dynamic.exceptions import NotFoundError, ResourceNotFoundError

    client = dynamic(cluster)
    pending = []
    for manifest in manifests:
        try:
            api = client.resources.get(api_version=manifest["apiVersion"], kind=manifest["kind"])
            api.delete(name=manifest["metadata"]["name"], namespace=manifest["metadata"].get("namespace"))
            pending.append((api, manifest))
        except (NotFoundError, ResourceNotFoundError):
            continue
        except ApiException as exc:
            if exc.status != 404:
                raise
    deadline = time.monotonic() + wait
    while pending and time.monotonic() < deadline:
        still = []
        for api, manifest in pending:
            try:
                api.get(name=manifest["metadata"]["name"], namespace=manifest["metadata"].get("namespace"))
                still.append((api, manifest))
            except (NotFoundError, ApiException):
                pass
        pending = still
        if pending:
            time.sleep(0.5)
    return [manifest["metadata"]["name"] for _api, manifest in pending]


def wait_for(cluster, process, what, ready, timeout, interval=0.5):
    """Poll ready() until true; fail early if `process` died, and name the last log lines either way."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        if process and not cluster.pid(process):
            tail = cluster.log_tail(process)
            hint = INOTIFY_HINT if "too many open files" in tail else ""
            raise SimError("%s exited while waiting for %s%s; last log lines:\n%s" % (process, what, hint, tail))
        try:
            if ready():
                return
            last_error = None
        except Exception as exc:  # not ready yet; remember why for the timeout message
            last_error = "%s: %s" % (type(exc).__name__, exc)
        time.sleep(interval)
    raise SimError("%s not ready after %d s (%s)%s" % (
        what, timeout, last_error or "condition never true",
        "; last log lines of %s:\n%s" % (process, cluster.log_tail(process)) if process else ""))


def http_get(url, timeout=3, context=None):
    """(status, body) of a GET, (None, error) when unreachable."""
    try:
        with urllib.request.urlopen(url, timeout=timeout, context=context) as resp:
            return resp.status, resp.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except OSError as exc:
        return None, str(exc)


def namespace(name, **labels):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}}


def external_name_service(name, ns, ports_, labels=None, annotations=None, address="127.0.0.1"):
    """A Service pointing at a process on the host's loopback.

    The aggregation layer and admission webhooks resolve an ExternalName Service to
    https://<externalName>:<port> (kube-apiserver's default service resolver) while verifying TLS for
    <name>.<ns>.svc, which is how extension apiservers and webhooks running as local processes are
    reached without --enable-aggregator-routing (Endpoints may not be loopback).
    """
    return {
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "labels": dict(labels or {}),
                     "annotations": dict(annotations or {})},
        "spec": {"type": "ExternalName", "externalName": address,
                 "ports": [{"name": port_name, "port": number, "targetPort": number, "protocol": "TCP"}
                           for port_name, number in ports_]},
    }


def python_module_argv(module, *args):
    """argv running a module of this repo with the current interpreter (the repo's venv)."""
    return [sys.executable, "-m", module, *args]


def repo_env():
    """Environment so `python -m tests.sim...` finds this checkout whatever the cwd."""
    import os

    repo = str(HERE.parents[2])
    path = os.environ.get("PYTHONPATH")
    return {"PYTHONPATH": repo + (os.pathsep + path if path else "")}
