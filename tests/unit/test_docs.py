"""The docs match the code: the configuration reference and the README's commands."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_configuration_reference_is_generated_from_the_settings() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "configref.py"), "--check"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_readme_commands_are_make_targets_and_ci_runs_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z-]+):", makefile, flags=re.MULTILINE))
    commands = re.findall(r"^make ([a-z-]+)", readme, flags=re.MULTILINE)
    assert commands[:2] == ["demo", "test"], commands
    assert set(commands) <= targets
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()
          if line.strip() and not line.lstrip().startswith("#")]
    assert ci[-1] == "make test", "CI must end by running exactly the README's test command"
    assert sum("make" in line for line in ci) == 1, ci


def test_service_pages_list_every_rpc_of_the_contracts() -> None:
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "servicedocs.py"), "--check"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    from services.catalog import SERVICES
    for name, entry in SERVICES.items():
        page = (ROOT / "docs" / "services" / f"{name}.md").read_text()
        for full_name in entry.full_names:
            assert f"## `{full_name}`" in page
