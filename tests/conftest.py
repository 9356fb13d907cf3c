"""Import paths for every test: the repo root (for tests.sim) and .collections (for ansible_collections.*)."""

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COLLECTIONS = REPO / ".collections"
LINK = COLLECTIONS / "ansible_collections" / "ai_conformance" / "rke2"

if not LINK.exists():
    LINK.parent.mkdir(parents=True, exist_ok=True)
    LINK.symlink_to(REPO)
for path in (str(REPO), str(COLLECTIONS)):
    if path not in sys.path:
        sys.path.insert(0, path)
