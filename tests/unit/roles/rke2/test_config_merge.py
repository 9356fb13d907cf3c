"""The rke2 role's config.yaml data, token and install decisions, rendered from roles/rke2/vars/main.yml
and the task expressions through Ansible's Templar (the same code the role runs; no host needed)."""

from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

ROLE = Path(__file__).resolve().parents[4] / "roles" / "rke2"
HOSTS = {"s1": "10.0.0.1", "s2": "10.0.0.2", "s3": "10.0.0.3", "a1": "10.0.0.11"}


def inventory(host, **extra):
    """Variables Ansible would provide for `host` in a 3-server + 1-agent inventory."""
    hostvars = {name: {"ansible_host": addr} for name, addr in HOSTS.items()}
    groups = {"rke2_servers": ["s1", "s2", "s3"], "rke2_agents": ["a1"], "all": list(HOSTS)}
    base = dict(inventory_hostname=host, groups=groups,
                hostvars=hostvars, ansible_facts={"architecture": "x86_64", "hostname": host},
                rke2_version="v1.37.2+rke2r1")
    base.update(extra)
    return base


@pytest.fixture
def config(render):
    return lambda host, **extra: render("rke2", "__rke2_config", **inventory(host, **extra))


def test_first_server_initialises_without_server_or_token(config):
    assert config("s1") == {"ingress-controller": "traefik"}


def test_joining_server_gets_registration_address_and_token_file(config):
    assert config("s2") == {"ingress-controller": "traefik", "server": "https://10.0.0.1:9345",
                            "token-file": "/etc/rancher/rke2/token"}


def test_agent_has_no_server_only_settings(config):
    assert config("a1") == {"server": "https://10.0.0.1:9345", "token-file": "/etc/rancher/rke2/token"}


def test_user_token_puts_token_file_on_the_first_server_too(config):
    assert config("s1", rke2_token="0123456789abcdef0123")["token-file"] == "/etc/rancher/rke2/token"


def test_token_never_in_config(config):
    token = "K10" + "a" * 64 + "::server:supersecret"
    rendered = yaml.safe_dump(config("s2", rke2_token=token))
    assert "supersecret" not in rendered


def test_registration_address_and_port_and_tls_san(config):
    cfg = config("s2", rke2_registration_address="rke2.example.internal", rke2_registration_port=19345)
    assert cfg["server"] == "https://rke2.example.internal:19345"
    assert cfg["tls-san"] == ["rke2.example.internal"]
    assert "tls-san" not in config("a1", rke2_registration_address="rke2.example.internal")


def test_azure_cis_and_ingress(config):
    server = config("s1", rke2_cloud_provider="azure", rke2_profile="cis", rke2_ingress_controller="ingress-nginx")
    agent = config("a1", rke2_cloud_provider="azure", rke2_profile="cis")
    assert server["disable-cloud-controller"] is True
    assert server["kubelet-arg"] == ["cloud-provider=external"]
    assert server["profile"] == "cis" and agent["profile"] == "cis"
    assert server["ingress-controller"] == "ingress-nginx"
    assert "disable-cloud-controller" not in agent
    assert agent["kubelet-arg"] == ["cloud-provider=external"]


def test_merge_precedence_cluster_group_host(config):
    cfg = config(
        "s2",
        rke2_cloud_provider="azure",
        rke2_cluster_config={"cni": "canal", "node-label": ["a=1"], "etcd-snapshot-retention": 5,
                             "kube-apiserver-arg": ["x=1"], "nested": {"a": 1, "b": 2}},
        rke2_group_config={"cni": "cilium", "node-label": ["b=2"], "nested": {"b": 3}},
        rke2_host_config={"etcd-snapshot-retention": 9, "node-label": ["c=3"], "kubelet-arg": ["max-pods=200"],
                          "ingress-controller": "none"},
    )
    assert cfg["cni"] == "cilium"                                # group over cluster
    assert cfg["etcd-snapshot-retention"] == 9                   # host over cluster
    assert cfg["node-label"] == ["a=1", "b=2", "c=3"]            # lists appended in order
    assert cfg["kubelet-arg"] == ["cloud-provider=external", "max-pods=200"]
    assert cfg["nested"] == {"a": 1, "b": 3}                     # dicts merged recursively
    assert cfg["ingress-controller"] == "none"                   # user dicts may override role settings
    assert cfg["server"] == "https://10.0.0.1:9345"              # join settings always win


def test_node_type_and_service(render):
    assert render("rke2", "__rke2_service", **inventory("s3")) == "rke2-server.service"
    assert render("rke2", "__rke2_service", **inventory("a1")) == "rke2-agent.service"


def test_node_name_from_config_or_hostname(render):
    assert render("rke2", "__rke2_node_name", **inventory("s2")) == "s2"
    assert render("rke2", "__rke2_node_name", **inventory("s2", rke2_host_config={"node-name": "gpu-7"})) == "gpu-7"


def test_release_url_encodes_the_plus(render):
    assert render("rke2", "__rke2_release_url", **inventory("s1")) == \
        "https://github.com/rancher/rke2/releases/download/v1.37.2%2Brke2r1"
    arm_facts = {"architecture": "aarch64", "hostname": "s1"}
    assert render("rke2", "__rke2_tarball", **inventory("s1", ansible_facts=arm_facts)) == "rke2.linux-arm64.tar.gz"


def test_airgap_images_default(render):
    assert render("rke2", "rke2_images", **inventory("s1", rke2_install_mode="airgap")) == \
        ["rke2-images.linux-amd64.tar.zst"]
    assert render("rke2", "rke2_images", **inventory("s1")) == []


def _task(file, name):
    tasks = yaml.safe_load((ROLE / "tasks" / file).read_text())

    def walk(items):
        for t in items:
            if t.get("name") == name:
                return t
            found = walk(t.get("block", []))
            if found:
                return found
        return None

    return walk(tasks)


@pytest.mark.parametrize("installed, wanted, downgrade", [
    ("v1.37.2+rke2r1", "v1.37.1+rke2r1", True),
    ("v1.37.2+rke2r2", "v1.37.2+rke2r1", True),
    ("v1.37.2+rke2r1", "v1.37.2+rke2r2", False),
    ("v1.36.9+rke2r1", "v1.37.0+rke2r1", False),
    ("v1.37.10+rke2r1", "v1.37.9+rke2r1", True),
    ("", "v1.37.2+rke2r1", False),
])
def test_downgrade_decision(render, installed, wanted, downgrade):
    expr = _task("install.yml", "Decide whether to install")["ansible.builtin.set_fact"]["__rke2_is_downgrade"]
    assert render("rke2", expr, **inventory("s1", rke2_version=wanted, __rke2_installed_raw=installed)) == downgrade


def test_checksum_file_parsing(render, tmp_path):
    (tmp_path / "sha256sum-amd64.txt").write_text(
        "%s  rke2.linux-amd64.tar.gz\n%s *rke2-images.linux-amd64.tar.zst\nnot a checksum line\n" % ("a" * 64, "b" * 64))
    expr = _task("validate.yml", "Read the airgap checksum file")["ansible.builtin.set_fact"]["__rke2_airgap_sums"]
    sums = render("rke2", expr, **inventory("s1", rke2_artifact_dir=str(tmp_path)))
    assert sums == {"rke2.linux-amd64.tar.gz": "a" * 64, "rke2-images.linux-amd64.tar.zst": "b" * 64}


def test_argument_specs_cover_defaults():
    specs = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    defaults = yaml.safe_load((ROLE / "defaults" / "main.yml").read_text())
    assert set(defaults) <= set(specs), "every default needs an argument spec entry"
    for name, spec in specs.items():
        assert spec.get("type") and spec.get("description"), name
        if name in defaults and "default" in spec and "{{" not in str(defaults[name]):
            assert spec["default"] == defaults[name], name
