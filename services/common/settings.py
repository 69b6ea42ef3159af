"""Settings from environment variables, documented field by field.

Every service declares a frozen dataclass of settings. Each field carries its documentation in
``metadata["doc"]``; the variable name is ``SEXTANT_<SERVICE>_<FIELD>`` in upper case. Values are
parsed by the field's type and validated at start: a bad value stops the process with one line that
names the variable and says what was expected (:class:`SettingsError`).

    @dataclass(frozen=True)
    class RegistrySettings(ServiceSettings):
        protected_aliases: tuple[str, ...] = setting(("production",), "Aliases that move only ...")

    settings = load_settings(RegistrySettings, "registry")
"""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

ENV_PREFIX = "SEXTANT"

#: Fixed ports of the embedded stack (``sextant up``); each service's default ``port``.
DEFAULT_PORTS: dict[str, int] = {
    "featurestore": 50051,
    "training": 50052,
    "registry": 50053,
    "serving": 50054,
    "monitoring": 50055,
    "policy": 50056,
}

#: Prometheus metrics ports of the embedded stack.
DEFAULT_METRICS_PORTS: dict[str, int] = {name: port + 1000 for name, port in DEFAULT_PORTS.items()}

#: Which services each service calls; each becomes a ``<dependency>_address`` setting.
DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "featurestore": ("policy",),
    "training": ("featurestore", "policy", "registry", "monitoring"),
    "registry": ("policy", "featurestore"),
    "serving": ("registry", "featurestore", "monitoring", "policy"),
    "monitoring": ("registry", "featurestore", "training"),
    "policy": ("featurestore",),
}


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the environment variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable
        self.problem = problem


def setting(default: Any, doc: str, *, choices: tuple[str, ...] | None = None,
            minimum: float | None = None, maximum: float | None = None) -> Any:
    """Declare a settings field with its default, its documentation and optional bounds."""
    meta = {"doc": doc, "choices": choices, "minimum": minimum, "maximum": maximum}
    if isinstance(default, (list, dict, set)):
        raise TypeError("mutable defaults are not allowed in settings; use a tuple")
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class ServiceSettings:
    """Settings every service has. Service settings subclass this and add their own fields."""

    host: str = setting("127.0.0.1", "Interface the gRPC server binds; `0.0.0.0` in containers.")
    port: int = setting(0, "TCP port of the gRPC server; 0 picks a free port (tests).",
                        minimum=0, maximum=65535)
    metrics_port: int = setting(-1, "Port of the Prometheus /metrics HTTP endpoint; -1 disables it, 0 picks a "
                                    "free port.", minimum=-1, maximum=65535)
    data_dir: str = setting(".sextant", "Directory for the embedded defaults: SQLite files, artifacts, journals.")
    database_url: str = setting("", "SQLAlchemy URL of the service's own database; empty means SQLite at "
                                    "`<data_dir>/<service>.db`. PostgreSQL: `postgresql+psycopg://…`.")
    max_workers: int = setting(16, "Threads serving RPCs concurrently.", minimum=1, maximum=1024)
    nice: int = setting(0, "Added to the process's scheduling niceness when it starts (`python -m services.<name>`, "
                           "`sextant up`): a higher value lets the other processes on its cores run first. For "
                           "background services sharing cores with the request path (monitoring next to serving).",
                        minimum=0, maximum=19)
    grace_seconds: float = setting(10.0, "On SIGTERM, how long in-flight RPCs may run before the server stops.",
                                   minimum=0.0, maximum=3600.0)
    max_message_bytes: int = setting(16 * 1024 * 1024, "Largest gRPC message the server accepts or sends.",
                                     minimum=1024)
    log_level: str = setting("info", "Lowest log level written.",
                             choices=("debug", "info", "warning", "error"))
    log_format: str = setting("json", "Log line format: `json` for machines, `console` for people.",
                              choices=("json", "console"))
    access_log: bool = setting(True, "Write one log line per RPC (method, code, duration).")
    auth_mode: str = setting("none", "Authentication: `none` runs open (development only, logged at start); "
                                     "`enforce` requires a JWT or an API key on every RPC and checks the "
                                     "permission table.",
                             choices=("none", "enforce"))
    jwt_secret_file: str = setting("", "File holding the shared secret of HS256 tokens; empty disables HS256. "
                                       "Tokens carry `sub`, `roles` (a list) and optionally `scope` "
                                       "(`predict` allows the prediction RPCs).")
    jwt_public_key_file: str = setting("", "PEM public key verifying RS256 tokens; empty disables RS256.")
    jwt_issuer: str = setting("sextant", "Required `iss` claim of tokens.")
    jwt_audience: str = setting("sextant", "Required `aud` claim of tokens.")
    jwt_leeway_seconds: int = setting(30, "Clock skew tolerated on `exp`/`nbf`/`iat`.", minimum=0, maximum=300)
    api_keys_file: str = setting("", "JSON file of API keys (`sxk_…`) for service accounts: `{\"keys\": [{\"name\", "
                                     "\"roles\", \"scopes\", \"sha256\"}]}`; keys are never stored in clear.")
    service_credential_file: str = setting("", "File holding the token or API key this service presents "
                                               "when it calls other Sextant services.")
    tls_cert_file: str = setting("", "PEM certificate chain of the server (and of its client identity when "
                                     "it calls peers); empty serves plaintext.")
    tls_key_file: str = setting("", "PEM private key matching `tls_cert_file`.")
    tls_client_ca_file: str = setting("", "PEM CA bundle; when set, clients must present a certificate "
                                          "signed by it (mutual TLS).")
    tls_ca_file: str = setting("", "PEM CA bundle verifying peers this service calls; empty calls them in "
                                   "plaintext.")
    rate_limit_per_minute: int = setting(120, "Calls per principal per minute to each expensive RPC "
                                              "(training submit, historical retrieval); 0 disables.",
                                         minimum=0, maximum=1_000_000)
    max_rows_per_call: int = setting(1_000_000, "Most rows one call may carry or ask for.",
                                     minimum=1, maximum=1_000_000_000)
    dependency_timeout_seconds: float = setting(5.0, "Default deadline of calls to other Sextant services.",
                                                minimum=0.01, maximum=600.0)

    def resolved_database_url(self, service: str) -> str:
        """The database URL, defaulting to a SQLite file under ``data_dir``."""
        if self.database_url:
            return self.database_url
        path = Path(self.data_dir).resolve() / f"{service}.db"
        return f"sqlite:///{path}"


S = TypeVar("S", bound=ServiceSettings)


def env_name(service: str, field_name: str) -> str:
    """The environment variable of one field: ``SEXTANT_<SERVICE>_<FIELD>``."""
    return f"{ENV_PREFIX}_{service.upper()}_{field_name.upper()}"


def _parse(raw: str, kind: Any, variable: str) -> Any:
    origin = typing.get_origin(kind)
    if kind is bool:
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise SettingsError(variable, f"expected a boolean (true/false), got {raw!r}")
    if kind is int:
        try:
            return int(raw.strip())
        except ValueError:
            raise SettingsError(variable, f"expected an integer, got {raw!r}") from None
    if kind is float:
        try:
            return float(raw.strip())
        except ValueError:
            raise SettingsError(variable, f"expected a number, got {raw!r}") from None
    if kind is str:
        return raw
    if origin is tuple:
        return tuple(item.strip() for item in raw.split(",") if item.strip())
    raise TypeError(f"unsupported settings type {kind!r} for {variable}")


def _validate(value: Any, meta: Mapping[str, Any], variable: str) -> None:
    choices = meta.get("choices")
    if choices and value not in choices:
        raise SettingsError(variable, f"expected one of {', '.join(choices)}, got {value!r}")
    minimum, maximum = meta.get("minimum"), meta.get("maximum")
    if minimum is not None and value < minimum:
        raise SettingsError(variable, f"expected a value >= {minimum}, got {value!r}")
    if maximum is not None and value > maximum:
        raise SettingsError(variable, f"expected a value <= {maximum}, got {value!r}")


def load_settings(cls: type[S], service: str, environ: Mapping[str, str] | None = None, **overrides: Any) -> S:
    """Build ``cls`` from ``SEXTANT_<SERVICE>_*`` variables; ``overrides`` win over the environment.

    Raises :class:`SettingsError` naming the first variable that is malformed or unknown.
    """
    environ = os.environ if environ is None else environ
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls)}
    prefix = f"{ENV_PREFIX}_{service.upper()}_"
    for variable in environ:
        if variable.startswith(prefix) and variable[len(prefix):].lower() not in known:
            raise SettingsError(variable, "unknown setting (see docs/operations.md for the list)")
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        variable = env_name(service, f.name)
        if f.name in overrides:
            value = overrides[f.name]
        elif variable in environ:
            value = _parse(environ[variable], hints[f.name], variable)
        else:
            continue
        _validate(value, f.metadata, variable)
        values[f.name] = value
    return cls(**values)


def describe(cls: type[ServiceSettings], service: str) -> list[tuple[str, str, str]]:
    """(variable, default, documentation) for every field: the configuration reference."""
    rows = []
    for f in dataclasses.fields(cls):
        default = f.default
        shown = ",".join(default) if isinstance(default, tuple) else str(default)
        rows.append((env_name(service, f.name), shown, f.metadata.get("doc", "")))
    return rows


def port_field(service: str) -> Any:
    """The ``port`` setting of a service, defaulting to its port in the embedded stack."""
    return setting(DEFAULT_PORTS[service], "TCP port of the gRPC server; 0 picks a free port (tests).",
                   minimum=0, maximum=65535)


def dependency_field(dependency: str) -> Any:
    """A ``<dependency>_address`` setting pointing at the embedded stack's port by default."""
    return setting(f"127.0.0.1:{DEFAULT_PORTS[dependency]}",
                   f"host:port of the {dependency} service.")
