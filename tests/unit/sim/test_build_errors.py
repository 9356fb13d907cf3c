"""A failing Go build names the module and the first compiler error (tests/sim/build.sh go_build)."""

import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit
BUILD_SH = Path(__file__).resolve().parents[2] / "sim" / "build.sh"


@pytest.mark.skipif(shutil.which("go") is None, reason="go is not installed")
def test_compile_error_is_reported_with_module_and_first_error(tmp_path):
    (tmp_path / "go.mod").write_text("module example.invalid/broken\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text("package main\n\nfunc main() { undefinedThing() }\n")
    proc = subprocess.run(
        ["bash", "-c", 'source "$1"; cd "$2"; go_build example.invalid/broken go build ./...', "test",
         str(BUILD_SH), str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
    assert proc.returncode != 0
    first_line = proc.stdout.splitlines()[0]
    assert "go build of example.invalid/broken failed" in first_line
    assert "main.go:3" in first_line and "undefined: undefinedThing" in first_line


def test_unknown_component_is_rejected():
    proc = subprocess.run(["bash", str(BUILD_SH), "nonsense"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, check=False)
    assert proc.returncode == 2
    assert "unknown component 'nonsense'" in proc.stdout
