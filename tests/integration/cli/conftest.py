"""Fixtures of the CLI tests: the six real services on port 0, a state folder recording their ports
the way `sextant up` does, and a runner of in-process ``sextant`` commands."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sextant.cli.main import main
from tests.integration.sdk.stack import Services, running_stack


@pytest.fixture(scope="package")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    """The six services, wired to each other."""
    with running_stack(tmp_path_factory.mktemp("stack")) as started:
        yield started


@pytest.fixture(scope="package")
def state_dir(services: Services, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A state folder whose run/stack.json records the services' ports, as `sextant up` writes it."""
    folder = tmp_path_factory.mktemp("state")
    (folder / "run").mkdir()
    ports = {name: int(address.rsplit(":", 1)[1]) for name, address in services.addresses.items()}
    (folder / "run" / "stack.json").write_text(json.dumps({"supervisor": 0, "ports": ports, "pids": {}}))
    return folder


@dataclass
class Result:
    """What one command did."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """The single JSON document the command printed."""
        return json.loads(self.stdout)


Run = Callable[..., Result]


@pytest.fixture
def sextant(state_dir: Path, capsys: pytest.CaptureFixture[str]) -> Run:
    """Run ``sextant <args> --dir <state> --json`` in this process (``json=False`` for text output)."""

    def run(*args: str, json_output: bool = True, directory: Path | None = None) -> Result:
        capsys.readouterr()
        argv = [*args, "--dir", str(directory or state_dir)] + (["--json"] if json_output else [])
        code = main(argv)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
