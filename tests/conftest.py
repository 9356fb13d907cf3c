"""Import paths for every test: the repo root (for tests.sim) and Ansible's collection loader over
.collections (for ansible_collections.ai_conformance.rke2.*).

The loader is installed before any test imports ansible_collections: if a test imported it as a
plain namespace package first, Ansible's Templar could no longer resolve collection filters.
"""

import sys
from pathlib import Path

from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

REPO = Path(__file__).resolve().parents[1]
COLLECTIONS = REPO / ".collections"
LINK = COLLECTIONS / "ansible_collections" / "ai_conformance" / "rke2"

if not LINK.exists():
    LINK.parent.mkdir(parents=True, exist_ok=True)
    LINK.symlink_to(REPO)
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
if not any(type(f).__name__ == "_AnsibleCollectionFinder" for f in sys.meta_path):
    _AnsibleCollectionFinder(paths=[str(COLLECTIONS)])._install()
