"""The ``nice`` setting: a service started as a process lowers its own scheduling priority."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from tests.faults.processes import ROOT, ServiceProcess
from tests.integration.serving.conftest import unused_address


def _niceness(pid: int) -> int:
    # /proc/<pid>/stat: after the command name in parentheses, field 19 (nice) is the 17th.
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


def test_a_service_process_runs_at_the_configured_niceness(spawn: Callable[..., ServiceProcess]) -> None:
    monitoring = spawn("monitoring", registry_address=unused_address(), featurestore_address=unused_address(),
                       training_address=unused_address(), follow_registry_events=False, nice=7)
    monitoring.start()
    assert monitoring.process is not None
    assert _niceness(monitoring.process.pid) == min(19, os.nice(0) + 7)


def test_a_niceness_out_of_range_is_refused_naming_the_variable() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SEXTANT_")}
    env["SEXTANT_MONITORING_NICE"] = "25"
    done = subprocess.run([sys.executable, "-m", "services.monitoring"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2
    assert "SEXTANT_MONITORING_NICE" in done.stderr
