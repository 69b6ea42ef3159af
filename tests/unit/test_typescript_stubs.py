"""The TypeScript client's generated stubs are fresh and the project type-checks under strict `tsc`.

The stubs under clients/typescript/src/gen are regenerated into a temporary folder with the repository's
buf and the pinned protoc-gen-es (the same template `make ts` uses) and compared file by file, as
`tools/protogen.py --check` does for the Python stubs.
"""

from __future__ import annotations

import filecmp
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TS_ROOT = ROOT / "clients" / "typescript"
GENERATED = Path("src") / "gen"
BUF = ROOT / "node_modules" / ".bin" / "buf"
TSC = TS_ROOT / "node_modules" / "typescript" / "bin" / "tsc"
NODE = shutil.which("node")
pytestmark = pytest.mark.skipif(NODE is None, reason="node is not installed, so buf's TypeScript plugin cannot run")


def _files(folder: Path) -> set[Path]:
    return {path.relative_to(folder) for path in folder.rglob("*") if path.is_file()}


def test_committed_typescript_stubs_are_fresh(tmp_path: Path) -> None:
    plugin = TS_ROOT / "node_modules" / ".bin" / "protoc-gen-es"
    assert BUF.exists() and plugin.exists(), "buf or protoc-gen-es is not installed: run `make install`"
    subprocess.run([str(BUF), "generate", "--template", "buf.gen.yaml", "--output", str(tmp_path)], cwd=TS_ROOT,
                   check=True, capture_output=True, timeout=300)
    fresh, committed = tmp_path / GENERATED, TS_ROOT / GENERATED
    fresh_files, committed_files = _files(fresh), _files(committed)
    assert any(path.suffix == ".ts" for path in fresh_files), "buf generated no TypeScript"
    stale = sorted(str(path) for path in fresh_files
                   if path not in committed_files or not filecmp.cmp(fresh / path, committed / path, shallow=False))
    orphans = sorted(str(path) for path in committed_files - fresh_files)
    assert not stale and not orphans, (
        f"TypeScript stubs are out of date (stale: {stale}, no .proto: {orphans}): run `make ts` and commit")


def test_typescript_project_type_checks_strict() -> None:
    assert TSC.exists(), "typescript is not installed in clients/typescript: run `make install`"
    result = subprocess.run([NODE or "node", str(TSC), "--noEmit", "-p", "tsconfig.json"], cwd=TS_ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
