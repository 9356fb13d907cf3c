"""Add-on `kueue`: Kueue (built from its Go module) running out of cluster, with the CRDs and admission
and conversion webhook configurations from its module, as its release manifests install them.

Webhooks: kube-apiserver resolves a webhook's `clientConfig.service` through the same resolver as the
aggregation layer, so an ExternalName Service kueue-system/kueue-webhook-service -> 127.0.0.1 plus the
webhook server's local port in `service.port` reaches the local process, and TLS is verified for
kueue-webhook-service.kueue-system.svc. Kueue's own internal certificate management then works
unchanged: it mints the CA and serving certificate into Secret kueue-system/kueue-webhook-server-cert,
injects the caBundle into the webhook configurations and CRDs, and waits for the Secret's files in its
cert dir, which start() writes there as the kubelet's Secret volume would.

Off on the simulated cluster: the on-demand visibility API (feature gate VisibilityOnDemand; its
server would write certificates to /visibility on the host) and leader election.
"""

from __future__ import annotations

import copy
import json

from tests.sim.addons import _common

NAME = "kueue"
DEPENDS = ()
NAMESPACE = "kueue-system"
WEBHOOK_SERVICE = "kueue-webhook-service"
SECRET = "kueue-webhook-server-cert"
PREFIX = "kueue-"
# kustomize patches of config/components (crd/kustomization.yaml, webhook/kustomization.yaml)
CONVERSION_CRDS = ("localqueues", "clusterqueues", "cohorts", "workloads", "multikueueclusters")
SYSTEM_NAMESPACE_WEBHOOKS = ("mpod.kb.io", "mdeployment.kb.io", "mstatefulset.kb.io",
                             "vpod.kb.io", "vdeployment.kb.io", "vstatefulset.kb.io")
FRAMEWORKS = ["batch/job", "kubeflow.org/mpijob", "ray.io/rayjob", "ray.io/raycluster", "ray.io/rayservice",
              "jobset.x-k8s.io/jobset", "kubeflow.org/paddlejob", "kubeflow.org/pytorchjob", "kubeflow.org/tfjob",
              "kubeflow.org/xgboostjob", "kubeflow.org/jaxjob", "workload.codeflare.dev/appwrapper",
              "trainer.kubeflow.org/trainjob", "pod", "deployment", "statefulset",
              "leaderworkerset.x-k8s.io/leaderworkerset"]


def _version():
    return _common.pins()["ADDON_KUEUE_VERSION"]


def _dir():
    return _common.cache_dir("kueue", _version())


def build():
    return _common.build("kueue", "kueue", _version())


def _load_all(path):
    import yaml

    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def crds(port):
    out = []
    for path in sorted((_dir() / "config" / "crd").glob("*.yaml")):
        for crd in _load_all(path):
            if crd["spec"]["names"]["plural"] in CONVERSION_CRDS:
                crd["spec"]["conversion"] = {"strategy": "Webhook", "webhook": {
                    "conversionReviewVersions": ["v1"],
                    "clientConfig": {"service": {"namespace": NAMESPACE, "name": WEBHOOK_SERVICE,
                                                 "path": "/convert", "port": port}}}}
            out.append(crd)
    return out


def webhook_configurations(port):
    out = []
    for doc in _load_all(_dir() / "config" / "webhooks.yaml"):
        doc = copy.deepcopy(doc)
        doc["metadata"]["name"] = PREFIX + doc["metadata"]["name"]
        doc["metadata"]["labels"] = {_common.ADDON_LABEL: NAME}
        for hook in doc.get("webhooks") or []:
            service = hook["clientConfig"]["service"]
            service.update(name=WEBHOOK_SERVICE, namespace=NAMESPACE, port=port)
            if hook["name"] in SYSTEM_NAMESPACE_WEBHOOKS:
                hook["namespaceSelector"] = {"matchExpressions": [{
                    "key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["kube-system", NAMESPACE]}]}
        out.append(doc)
    return out


def configuration(ports, cert_dir):
    return {
        "apiVersion": "config.kueue.x-k8s.io/v1beta2", "kind": "Configuration",
        "namespace": NAMESPACE,
        "health": {"healthProbeBindAddress": "127.0.0.1:%d" % ports["health"]},
        "metrics": {"bindAddress": "127.0.0.1:%d" % ports["metrics"]},
        "webhook": {"port": ports["webhook"], "host": "127.0.0.1", "certDir": str(cert_dir)},
        "leaderElection": {"leaderElect": False},
        "internalCertManagement": {"enable": True, "webhookServiceName": WEBHOOK_SERVICE,
                                   "webhookSecretName": SECRET},
        "clientConnection": {"qps": 50, "burst": 100},
        "integrations": {"frameworks": FRAMEWORKS},
        "featureGates": {"VisibilityOnDemand": False},
    }


def _webhooks_answer(cluster):
    """A server-side dry-run create of a ResourceFlavor passes through Kueue's admission webhooks."""
    from kubernetes import client

    body = {"apiVersion": "kueue.x-k8s.io/v1beta2", "kind": "ResourceFlavor",
            "metadata": {"name": "sim-webhook-probe"}}
    client.CustomObjectsApi(cluster.api_client()).create_cluster_custom_object(
        "kueue.x-k8s.io", "v1beta2", "resourceflavors", body, dry_run="All")
    return True


def _mount_secret(cluster, cert_dir):
    """Do what the kubelet's Secret volume does in-cluster: put the certificate Secret's keys in files.

    Kueue's cert rotator writes the Secret, then waits for the files to appear in its cert dir.
    Returns True once the files are there."""
    import base64

    from kubernetes import client

    if (cert_dir / "tls.crt").exists():
        return True
    secret = client.CoreV1Api(cluster.api_client()).read_namespaced_secret(SECRET, NAMESPACE)
    data = secret.data or {}
    if not all(k in data for k in ("tls.crt", "tls.key", "ca.crt")):
        return False
    for key in ("ca.crt", "tls.key", "tls.crt"):  # tls.crt last: its presence means "mounted"
        path = cert_dir / key
        path.write_bytes(base64.b64decode(data[key]))
        path.chmod(0o600)
    return True


def start(cluster):
    binary = build()
    ports = _common.ports(cluster, NAME, "webhook", "health", "metrics")
    work = _common.workdir(cluster, NAME)
    cert_dir = work / "certs"
    cert_dir.mkdir(exist_ok=True)
    for stale in cert_dir.iterdir():  # from an earlier start: the Secret is new
        stale.unlink()
    cfg = work / "config.yaml"
    cfg.write_text(json.dumps(configuration(ports, cert_dir), indent=2))
    labels = {_common.ADDON_LABEL: NAME}
    # The release manifests ship the certificate Secret empty; Kueue's cert rotator fills it.
    _common.apply(cluster, [_common.namespace(NAMESPACE, **labels),
                            _common.external_name_service(WEBHOOK_SERVICE, NAMESPACE,
                                                          [("https", ports["webhook"])], labels=labels),
                            {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                             "metadata": {"name": SECRET, "namespace": NAMESPACE, "labels": labels}}])
    _common.apply(cluster, crds(ports["webhook"]))
    _common.apply(cluster, webhook_configurations(ports["webhook"]))
    kc = str(cluster.kubeconfig)
    cluster.spawn(NAME, [binary, "--config=%s" % cfg, "--kubeconfig=" + kc, "--zap-log-level=info"],
                  env={"KUBECONFIG": kc})
    _common.wait_for(cluster, NAME, "Kueue's certificate Secret %s/%s" % (NAMESPACE, SECRET),
                     lambda: _mount_secret(cluster, cert_dir), 60)
    _common.wait_for(cluster, NAME, "Kueue readiness on port %d" % ports["health"],
                     lambda: _common.http_get("http://127.0.0.1:%d/readyz" % ports["health"])[0] == 200, 120)
    _common.wait_for(cluster, NAME, "Kueue admission webhooks answering through the API server",
                     lambda: _webhooks_answer(cluster), 60)


def stop(cluster):
    """Webhook configurations first: with failurePolicy Fail they would block pod creation cluster-wide."""
    state = _common.state(cluster, NAME)
    if not state.get("ports"):
        return
    _common.delete(cluster, webhook_configurations(0), wait=15)
    _common.delete(cluster, [_common.external_name_service(WEBHOOK_SERVICE, NAMESPACE, [])])
