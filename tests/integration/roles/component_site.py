"""Helpers of the component-role integration tests: site.yml with localhost as the only RKE2 server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[3]
SITE = REPO / "playbooks" / "site.yml"
ROLES = ("gateway_api", "gpu_operator", "azure_ccm", "cluster_autoscaler", "gpu_metrics", "gang_scheduler",
         "ai_operator")
# Credentials the secret scans look for in -vvv output.
AZURE_SECRET = "az-Cl13nt-S3cr3t-4f7a"
RKE2_TOKEN = "rke2-t0k3n-9c2e-8d1b-s3cr3t"


class SiteRun:
    """ansible-playbook playbooks/site.yml against an inventory whose only server is localhost; every role
    writes into `manifests` (and azure.json into `etc`) under tmp_path."""

    def __init__(self, tmp_path, kubeconfig=None):
        self.tmp = tmp_path
        self.manifests = tmp_path / "manifests"
        self.cloud_config = tmp_path / "etc" / "azure.json"
        self.kubeconfig = kubeconfig

    def inventory(self, **extra):
        hostvars = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
        allvars = {"%s_manifests_dir" % role: str(self.manifests) for role in ROLES}
        allvars.update({
            "azure_ccm_cloud_config_path": str(self.cloud_config),
            "rke2_token": RKE2_TOKEN,
            "rke2_version": "v1.35.5+rke2r2",
            "site_kubeconfig": self.kubeconfig or "",
        })
        allvars.update(extra)
        path = self.tmp / "inventory.yml"
        path.write_text(yaml.safe_dump({"all": {"vars": allvars, "children": {
            "rke2_servers": {"hosts": {"localhost": hostvars}}}}}))
        return path

    def run(self, *args, check=True, **extra):
        env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1",
                   ANSIBLE_FORCE_COLOR="0", PATH=str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
        cmd = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(self.inventory(**extra)), str(SITE),
               *args]
        proc = subprocess.run(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=600, check=False)
        if check and proc.returncode != 0:
            raise AssertionError("site.yml failed (rc %d):\n%s" % (proc.returncode, proc.stdout[-6000:]))
        return proc

    def documents(self):
        docs = []
        for path in sorted(self.manifests.glob("*.yaml")):
            docs += [(path.name, d) for d in yaml.safe_load_all(path.read_text()) if d]
        return docs


AZURE_VARS = dict(
    site_azure_ccm=True, site_cluster_autoscaler=True,
    azure_ccm_tenant_id="tenant-1", azure_ccm_subscription_id="sub-1", azure_ccm_resource_group="rg-1",
    azure_ccm_location="westeurope", azure_ccm_client_id="client-1", azure_ccm_client_secret=AZURE_SECRET,
    cluster_autoscaler_tenant_id="tenant-1", cluster_autoscaler_subscription_id="sub-1",
    cluster_autoscaler_resource_group="rg-1", cluster_autoscaler_client_id="client-1",
    cluster_autoscaler_client_secret=AZURE_SECRET,
    cluster_autoscaler_node_groups=[{"name": "gpu-vmss", "min_size": 0, "max_size": 3, "gpus": 1}],
)
