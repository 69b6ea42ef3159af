"""Generate the Python stubs from protos/ (``make protos``) or check that the committed ones are fresh.

Generated files go to clients/python: ``sextant/<api>/v1/*_pb2.py``, ``*_pb2.pyi``, ``*_pb2_grpc.py`` and
``inference/``. Every generated folder gets an empty ``__init__.py``. Generated code is never edited by
hand; ``--check`` regenerates into a temporary folder and fails listing every file that differs.
"""

from __future__ import annotations

import argparse
import filecmp
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
OUT = ROOT / "clients" / "python"
GENERATED_SUFFIXES = ("_pb2.py", "_pb2.pyi", "_pb2_grpc.py")


def generate(into: Path) -> list[Path]:
    """Run protoc for every .proto file; returns the generated files relative to ``into``."""
    sources = sorted(p.relative_to(PROTOS).as_posix() for p in PROTOS.rglob("*.proto"))
    command = [sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTOS}", f"--python_out={into}",
               f"--pyi_out={into}", f"--grpc_python_out={into}", *sources]
    subprocess.run(command, check=True, cwd=PROTOS)
    produced = sorted(p.relative_to(into) for p in into.rglob("*") if p.name.endswith(GENERATED_SUFFIXES))
    packages = {parent for path in produced for parent in path.parents if parent != Path(".")}
    for package in sorted(packages):
        init = into / package / "__init__.py"
        if not init.exists():
            init.write_text("")
            produced.append(package / "__init__.py")
    return produced


def _generated_in_tree() -> set[Path]:
    found = set()
    for path in OUT.rglob("*"):
        if path.name.endswith(GENERATED_SUFFIXES):
            found.add(path.relative_to(OUT))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when committed stubs are stale")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        produced = generate(tmp_path)
        stale = []
        for rel in produced:
            target = OUT / rel
            if rel.name == "__init__.py" and target.exists():
                continue
            if not target.exists() or not filecmp.cmp(tmp_path / rel, target, shallow=False):
                stale.append(rel)
                if not args.check:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(tmp_path / rel, target)
        orphans = sorted(_generated_in_tree() - {p for p in produced})
        if args.check:
            if stale or orphans:
                for rel in stale:
                    print(f"stale: clients/python/{rel}")
                for rel in orphans:
                    print(f"orphan (no .proto): clients/python/{rel}")
                print("generated stubs are out of date: run `make protos` and commit the result")
                return 1
            print(f"generated stubs are up to date ({len(produced)} files)")
            return 0
        for rel in orphans:
            (OUT / rel).unlink()
        print(f"generated {len(produced)} files, {len(stale)} changed, {len(orphans)} removed")
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
