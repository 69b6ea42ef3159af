"""The suite: the six services, their contracts and the issue that owns each one's RPC logic.

``sextant up``, the compose test and every ``python -m services.<name>`` read this table, so a
service is described once. Contracts and servicer builders are named by import path and loaded only
by the process that runs the service.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.common.app import ServiceApp, build, main
from services.common.logging import configure_logging
from services.common.server import RunningServer
from services.common.settings import SettingsError, load_settings

_ROOT = Path(__file__).resolve().parent


@dataclass(frozen=True)
class ServiceEntry:
    """One service of the suite, described by import paths."""

    name: str
    #: ``module:Class`` of the settings dataclass.
    settings: str
    #: ``module:ServiceName`` of every gRPC service the process registers.
    contracts: tuple[str, ...]
    #: The issue that owns the RPC logic; quoted by UNIMPLEMENTED answers until it lands.
    owner_issue: str

    @property
    def servicers(self) -> str | None:
        """``module:function`` building the servicers, once ``services/<name>/servicer.py`` exists."""
        if (_ROOT / self.name / "servicer.py").exists():
            return f"services.{self.name}.servicer:build_servicers"
        return None

    @property
    def full_names(self) -> tuple[str, ...]:
        """The full gRPC names of the services this process registers."""
        return tuple(_load_service(contract).full_name for contract in self.contracts)


SERVICES: dict[str, ServiceEntry] = {entry.name: entry for entry in (
    ServiceEntry("featurestore", "services.featurestore.settings:FeatureStoreSettings",
                 ("sextant.featurestore.v1.featurestore_service_pb2:FeatureStoreService",), "issue 4"),
    ServiceEntry("training", "services.training.settings:TrainingSettings",
                 ("sextant.training.v1.training_service_pb2:TrainingService",), "issue 6"),
    ServiceEntry("registry", "services.registry.settings:RegistrySettings",
                 ("sextant.registry.v1.registry_service_pb2:RegistryService",), "issue 3"),
    ServiceEntry("serving", "services.serving.settings:ServingSettings",
                 ("sextant.serving.v1.serving_service_pb2:ServingService",
                  "inference.grpc_service_pb2:GRPCInferenceService"), "issue 7"),
    ServiceEntry("monitoring", "services.monitoring.settings:MonitoringSettings",
                 ("sextant.monitoring.v1.monitoring_service_pb2:MonitoringService",), "issue 8"),
    ServiceEntry("policy", "services.policy.settings:PolicySettings",
                 ("sextant.policy.v1.policy_service_pb2:PolicyService",), "issue 5"),
)}


def _load(path: str) -> Any:
    module, _, attribute = path.partition(":")
    return getattr(importlib.import_module(module), attribute)


def _load_service(contract: str) -> Any:
    module, _, service = contract.partition(":")
    return importlib.import_module(module).DESCRIPTOR.services_by_name[service]


def app_for(name: str) -> ServiceApp:
    """The ServiceApp of one service, with its contracts and builders loaded."""
    entry = SERVICES[name]
    builder = _load(entry.servicers) if entry.servicers else (lambda _ctx: {})
    migrations = _ROOT / name / "migrations"
    return ServiceApp(name=name, settings_cls=_load(entry.settings),
                      services=tuple(_load_service(c) for c in entry.contracts),
                      owner_issue=entry.owner_issue, build_servicers=builder,
                      migrations=migrations if migrations.is_dir() else None)


def settings_class(name: str) -> Any:
    """The settings dataclass of one service."""
    return _load(SERVICES[name].settings)


def start(name: str, settings: Any) -> RunningServer:
    """Start one service in this process (tests: pass settings with port 0).

    Logging is configured from these settings (one configuration per process: with several
    services in one process, the last one started sets the level).
    """
    configure_logging(name, settings.log_level, settings.log_format)
    return build(app_for(name), settings)


def run(name: str, argv: Sequence[str] | None = None) -> int:
    """Body of ``python -m services.<name>``.

    Settings are validated before the service's modules (and their heavy dependencies) are imported,
    so a bad variable is reported at once.
    """
    try:
        load_settings(settings_class(name), name)
    except SettingsError as error:
        print(f"sextant {name}: invalid setting {error}", file=sys.stderr)
        return 2
    return main(app_for(name), argv)
