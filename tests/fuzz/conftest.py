"""Fixtures of the fuzz tests: the six REAL services started once in this process on port 0, wired to
each other (SQLite, embedded stores), with a small message limit so oversized requests are cheap."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from services import catalog
from services.common.server import RunningServer
from tests.integration.serving.conftest import unused_address

#: The servers' message limit: big enough for ~1 MB fields, small enough to overflow cheaply.
MAX_MESSAGE_BYTES = 4 * 1024 * 1024


@dataclass
class Suite:
    """The running servers by service name, and one channel to each."""

    servers: dict[str, RunningServer]
    channels: dict[str, grpc.Channel]


def _start(name: str, root: Path, **values: object) -> RunningServer:
    common = {"port": 0, "data_dir": str(root / name), "log_level": "error", "access_log": False,
              "max_message_bytes": MAX_MESSAGE_BYTES, "rate_limit_per_minute": 0,
              "dependency_timeout_seconds": 2.0}
    return catalog.start(name, catalog.settings_class(name)(**{**common, **values}))


@pytest.fixture(scope="package")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    """All six services, each calling the real peers its settings name (the feature store's policy
    peer and monitoring's training peer are down: they would need the servers started after them)."""
    root = tmp_path_factory.mktemp("fuzz")
    servers: dict[str, RunningServer] = {}
    try:
        servers["featurestore"] = _start("featurestore", root, policy_address=unused_address())
        fs = servers["featurestore"].address
        servers["policy"] = _start("policy", root, featurestore_address=fs)
        policy = servers["policy"].address
        servers["registry"] = _start("registry", root, policy_address=policy, featurestore_address=fs,
                                     staleness_follower=False)
        registry = servers["registry"].address
        servers["monitoring"] = _start("monitoring", root, registry_address=registry, featurestore_address=fs,
                                       training_address=unused_address(), follow_registry_events=False)
        monitoring = servers["monitoring"].address
        servers["training"] = _start("training", root, featurestore_address=fs, policy_address=policy,
                                     registry_address=registry, monitoring_address=monitoring, local_processes=1)
        servers["serving"] = _start("serving", root, registry_address=registry, featurestore_address=fs,
                                    monitoring_address=monitoring, policy_address=policy, registry_retry_seconds=0.5)
        channels = {name: grpc.insecure_channel(running.address, options=[
            ("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)])
            for name, running in servers.items()}
        yield Suite(servers, channels)
        for channel in channels.values():
            channel.close()
    finally:
        for running in reversed(list(servers.values())):
            running.stop(0)
