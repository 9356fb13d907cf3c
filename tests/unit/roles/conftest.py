"""Render a component role's variables exactly as the role does: its defaults, its vars/main.yml and the
collection's filters, through Ansible's own Templar (no cluster, no host)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
ROLES = REPO / "roles"


def _install_collection_loader():
    from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

    if not any(type(f).__name__ == "_AnsibleCollectionFinder" for f in __import__("sys").meta_path):
        _AnsibleCollectionFinder(paths=[str(REPO / ".collections")])._install()


class RoleRenderer:
    def __init__(self, role):
        from ansible.parsing.dataloader import DataLoader

        self.role = role
        self.loader = DataLoader()
        self.defaults = self._load(ROLES / role / "defaults" / "main.yml")
        self.role_vars = self._load(ROLES / role / "vars" / "main.yml")

    def _load(self, path):
        if not path.exists():
            return {}
        return self.loader.load_from_file(str(path), trusted_as_template=True) or {}

    def render(self, expr, **overrides):
        """Template `expr` (a variable name or a Jinja expression) with role defaults < overrides < role vars."""
        from ansible.template import Templar, trust_as_template

        _install_collection_loader()
        variables = dict(self.defaults)
        variables.update(overrides)
        variables.update(self.role_vars)
        templar = Templar(loader=self.loader, variables=variables)
        source = expr if "{{" in expr else "{{ %s }}" % expr
        return _plain(templar.template(trust_as_template(source)))


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    return value


@pytest.fixture
def render():
    def _render(role, expr, **overrides):
        return RoleRenderer(role).render(expr, **overrides)

    return _render
