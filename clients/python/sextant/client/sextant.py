"""``Sextant``: one object holding a client per service, built from addresses or a local stack."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from services.common.settings import DEFAULT_PORTS
from sextant.channels import DEFAULT_TIMEOUT_SECONDS
from sextant.client._base import ServiceClient
from sextant.client.featurestore import FeatureStoreClient
from sextant.client.monitoring import MonitoringClient
from sextant.client.policy import PolicyClient
from sextant.client.registry import RegistryClient
from sextant.client.serving import InferenceClient, ServingClient
from sextant.client.training import TrainingClient

SERVICES = ("featurestore", "training", "registry", "serving", "monitoring", "policy")


def discover_addresses(state_dir: str | os.PathLike = ".sextant") -> dict[str, str]:
    """Where each service listens: ``SEXTANT_<SERVICE>_ADDRESS`` when set, else the ports recorded by
    ``sextant up`` in ``<state_dir>/run/stack.json`` (or each ``run/<service>.json`` ready file),
    else the default ports on 127.0.0.1."""
    run = Path(state_dir) / "run"
    ports = dict(DEFAULT_PORTS)
    try:
        ports.update({k: int(v) for k, v in json.loads((run / "stack.json").read_text())["ports"].items()})
    except (FileNotFoundError, ValueError, KeyError, TypeError):
        for name in SERVICES:
            try:
                ports[name] = int(json.loads((run / f"{name}.json").read_text())["port"])
            except (FileNotFoundError, ValueError, KeyError, TypeError):
                pass
    return {name: os.environ.get(f"SEXTANT_{name.upper()}_ADDRESS") or f"127.0.0.1:{ports[name]}"
            for name in SERVICES}


class Sextant:
    """Clients of the six services: ``sx.featurestore``, ``sx.training``, ``sx.registry``,
    ``sx.serving`` (and ``sx.inference`` for the Open Inference Protocol), ``sx.monitoring`` and
    ``sx.policy``. Each is created on first use; credential, TLS files and default deadline are
    shared (see :class:`~sextant.client._base.ServiceClient`).

    >>> sx = Sextant.local()                      # the stack `sextant up` started from .sextant
    >>> sx = Sextant(addresses={"featurestore": "fs.example.com:443"}, tls_ca_file="ca.pem")
    """

    def __init__(self, addresses: Mapping[str, str], *, credential: str | None = None,
                 tls_ca_file: str | None = None, tls_cert_file: str | None = None, tls_key_file: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        unknown = set(addresses) - set(SERVICES)
        if unknown:
            raise ValueError(f"unknown service(s) {sorted(unknown)}; expected some of {list(SERVICES)}")
        self.addresses = dict(addresses)
        self._options: dict[str, Any] = {"credential": credential, "tls_ca_file": tls_ca_file,
                                         "tls_cert_file": tls_cert_file, "tls_key_file": tls_key_file,
                                         "timeout": timeout}
        self._opened: list[ServiceClient] = []

    @classmethod
    def local(cls, state_dir: str | os.PathLike = ".sextant", **options: Any) -> Sextant:
        """Clients of the stack ``sextant up`` runs from ``state_dir`` (see :func:`discover_addresses`)."""
        return cls(discover_addresses(state_dir), **options)

    def _client(self, kind: type[ServiceClient]) -> Any:
        address = self.addresses.get(kind.SERVICE)
        if not address:
            raise ValueError(f"no address for the {kind.SERVICE} service; pass addresses={{'{kind.SERVICE}': ...}}")
        client = kind(address, **self._options)
        self._opened.append(client)
        return client

    @cached_property
    def featurestore(self) -> FeatureStoreClient:
        """The feature store client."""
        return self._client(FeatureStoreClient)

    @cached_property
    def training(self) -> TrainingClient:
        """The training client."""
        return self._client(TrainingClient)

    @cached_property
    def registry(self) -> RegistryClient:
        """The registry client."""
        return self._client(RegistryClient)

    @cached_property
    def serving(self) -> ServingClient:
        """The serving client."""
        return self._client(ServingClient)

    @cached_property
    def inference(self) -> InferenceClient:
        """The Open Inference Protocol client (on the serving address)."""
        return self._client(InferenceClient)

    @cached_property
    def monitoring(self) -> MonitoringClient:
        """The monitoring client."""
        return self._client(MonitoringClient)

    @cached_property
    def policy(self) -> PolicyClient:
        """The policy client."""
        return self._client(PolicyClient)

    def close(self) -> None:
        """Close every client opened so far."""
        for client in self._opened:
            client.close()
        self._opened.clear()

    def __enter__(self) -> Sextant:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
