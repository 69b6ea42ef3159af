"""deploy/: the compose file, the PostgreSQL init script and the Dockerfile agree with the code.

No Docker engine runs in CI, so this checks structure: every service's command is a real module,
every environment variable loads through the service's settings class (unknown or malformed ones
fail here, not in a container), ports, addresses and health checks agree with
``services/common/settings.py``, each service has its own database, created and owned by its own
role in the init script, and the Dockerfile is multi-stage, runs unprivileged and copies only files
that exist. Where PostgreSQL is installed, the init script also runs against a real server and each
service's compose database URL migrates its own database and is refused by the others.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import URL, make_url

from services.catalog import SERVICES, settings_class
from services.common.settings import (
    DEFAULT_METRICS_PORTS,
    DEFAULT_PORTS,
    DEPENDENCIES,
    ServiceSettings,
    load_settings,
)

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
DOCKERFILE = DEPLOY / "Dockerfile"
INIT_SQL = DEPLOY / "postgres-init.sql"
INITDB_DIR = "/docker-entrypoint-initdb.d/"

NAMES = sorted(SERVICES)
BOTO3_VARIABLES = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"}


# --- reading the files -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(document, dict) and isinstance(document.get("services"), dict)
    return document


def _environment(spec: dict[str, Any]) -> dict[str, str]:
    raw = spec.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, None) for item in raw)
    missing = sorted(key for key, value in raw.items() if value is None)
    assert not missing, f"variables without a value (taken from the host): {missing}"
    return {key: str(value) for key, value in raw.items()}


def _published_ports(spec: dict[str, Any]) -> dict[int, int]:
    """container port -> host port, from short ("[ip:]host:container[/tcp]") and long syntax."""
    published: dict[int, int] = {}
    for entry in spec.get("ports") or []:
        if isinstance(entry, dict):
            container, host = int(entry["target"]), int(entry.get("published", entry["target"]))
        else:
            parts = str(entry).split("/")[0].split(":")
            container = int(parts[-1])
            host = int(parts[-2]) if len(parts) >= 2 else container
        published[container] = host
    return published


def _duration_seconds(value: str) -> float:
    units = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|h|m|s)", value)
    assert parts and "".join(n + u for n, u in parts) == value, f"not a compose duration: {value!r}"
    return sum(float(number) * units[unit] for number, unit in parts)


def _init_script() -> tuple[dict[str, str], dict[str, str], set[str]]:
    """(role -> password, database -> owner, databases whose CONNECT is revoked from PUBLIC)."""
    sql = re.sub(r"--[^\n]*", "", INIT_SQL.read_text())
    roles = dict(re.findall(r"CREATE\s+ROLE\s+(\w+)\s+(?:WITH\s+)?LOGIN\s+PASSWORD\s+'([^']*)'", sql, re.I))
    databases = dict(re.findall(r"CREATE\s+DATABASE\s+(\w+)\s+(?:WITH\s+)?OWNER\s*=?\s*(\w+)", sql, re.I))
    revoked = set(re.findall(r"REVOKE\s+ALL\s+ON\s+DATABASE\s+(\w+)\s+FROM\s+PUBLIC", sql, re.I))
    return roles, databases, revoked


def _settings(compose: dict[str, Any], name: str, **overrides: Any) -> ServiceSettings:
    return load_settings(settings_class(name), name, environ=_environment(compose["services"][name]),
                         **overrides)


def _database_url(compose: dict[str, Any], name: str) -> URL:
    return make_url(_settings(compose, name).database_url)


# --- the suite -------------------------------------------------------------------------------------

def test_compose_runs_the_six_services_and_postgres(compose: dict[str, Any]) -> None:
    assert set(SERVICES) == set(DEFAULT_PORTS) == set(DEPENDENCIES)
    assert set(compose["services"]) == {*SERVICES, "postgres", "minio", "minio-init"}


@pytest.mark.parametrize("name", NAMES)
def test_command_starts_its_own_service_from_the_image(compose: dict[str, Any], name: str) -> None:
    spec = compose["services"][name]
    assert spec["command"] == ["python", "-m", f"services.{name}"]
    assert importlib.util.find_spec(f"services.{name}.__main__") is not None
    build = spec["build"]
    assert (COMPOSE_FILE.parent / build["context"]).resolve() == REPO
    assert (REPO / build["dockerfile"]).resolve() == DOCKERFILE


@pytest.mark.parametrize("name", NAMES)
def test_environment_loads_through_the_settings_class(compose: dict[str, Any], name: str) -> None:
    environment = _environment(compose["services"][name])
    prefix = f"SEXTANT_{name.upper()}_"
    # A misspelt prefix (SEXTANT_REGISTY_PORT) would escape load_settings' unknown-variable check.
    # boto3 takes its credentials from its own standard variables.
    assert all(key.startswith(prefix) or key in BOTO3_VARIABLES for key in environment), sorted(environment)
    settings = _settings(compose, name)  # raises SettingsError naming any unknown or bad variable
    assert settings.host == "0.0.0.0"
    assert settings.port == DEFAULT_PORTS[name]
    assert settings.metrics_port == DEFAULT_METRICS_PORTS[name]
    mounts = [str(volume).split(":")[1] for volume in compose["services"][name].get("volumes") or []]
    assert settings.data_dir in mounts, "the data directory must be a volume"


@pytest.mark.parametrize("name", NAMES)
def test_published_ports_are_the_settings_ports(compose: dict[str, Any], name: str) -> None:
    settings = _settings(compose, name)
    published = _published_ports(compose["services"][name])
    assert published.get(settings.port) == settings.port
    assert published.get(settings.metrics_port) == settings.metrics_port


@pytest.mark.parametrize("name", NAMES)
def test_dependency_addresses_point_at_compose_services(compose: dict[str, Any], name: str) -> None:
    settings = _settings(compose, name)
    # Addresses of Sextant peers; other `_address` settings (a Dask scheduler, say) are not peers.
    address_fields = {f.name.removesuffix("_address") for f in dataclasses.fields(settings)
                      if f.name.endswith("_address") and f.name.removesuffix("_address") in DEFAULT_PORTS}
    assert address_fields == set(DEPENDENCIES[name]), "settings fields and DEPENDENCIES disagree"
    for dependency in DEPENDENCIES[name]:
        assert getattr(settings, f"{dependency}_address") == f"{dependency}:{DEFAULT_PORTS[dependency]}"
        assert dependency in compose["services"]
        assert DEFAULT_PORTS[dependency] in _published_ports(compose["services"][dependency])


@pytest.mark.parametrize("name", NAMES)
def test_healthcheck_asks_grpc_health_on_its_own_port(compose: dict[str, Any], name: str) -> None:
    settings = _settings(compose, name)
    check = compose["services"][name]["healthcheck"]
    test = check["test"]
    assert isinstance(test, list) and test[0] == "CMD", "exec form: no shell in the way"
    command = " ".join(test[1:])
    assert "grpc_health.v1" in command and "SERVING" in command
    assert re.findall(r"127\.0\.0\.1:(\d+)", command) == [str(settings.port)]
    for key in ("interval", "timeout", "start_period"):
        _duration_seconds(check[key])


@pytest.mark.parametrize("name", NAMES)
def test_waits_for_healthy_postgres_only(compose: dict[str, Any], name: str) -> None:
    # Not on each other: DEPENDENCIES has cycles (featurestore <-> policy), which compose rejects.
    spec = compose["services"][name]
    expected = {"postgres": {"condition": "service_healthy"}}
    if name == "registry":
        expected["minio-init"] = {"condition": "service_completed_successfully"}
    assert spec["depends_on"] == expected
    assert _duration_seconds(spec["stop_grace_period"]) > _settings(compose, name).grace_seconds


def test_registry_keeps_artifacts_in_the_composed_object_store(compose: dict[str, Any]) -> None:
    settings = _settings(compose, "registry")
    assert settings.artifact_store == "s3"
    minio = compose["services"]["minio"]
    host, _, port = settings.s3_endpoint_url.removeprefix("http://").partition(":")
    assert host == "minio" and "9000" in " ".join(minio["ports"][0].split(":")[1:])
    assert str(minio["image"]).startswith("minio/minio:RELEASE.")
    registry_env = _environment(compose["services"]["registry"])
    assert registry_env["AWS_ACCESS_KEY_ID"] == minio["environment"]["MINIO_ROOT_USER"]
    assert registry_env["AWS_SECRET_ACCESS_KEY"] == minio["environment"]["MINIO_ROOT_PASSWORD"]
    init = compose["services"]["minio-init"]
    assert init["depends_on"] == {"minio": {"condition": "service_healthy"}}
    script = " ".join(init["command"])
    assert f"http://minio:{port}" in script and f"mc mb --ignore-existing local/{settings.s3_bucket}" in script
    assert "minio-data" in compose["volumes"]


def test_dependency_graph_is_why_services_do_not_depend_on_each_other() -> None:
    assert "featurestore" in DEPENDENCIES["policy"] and "policy" in DEPENDENCIES["featurestore"]


# --- databases -------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_database_is_its_own_and_created_by_the_init_script(compose: dict[str, Any], name: str) -> None:
    url = _database_url(compose, name)
    assert url.drivername == "postgresql+psycopg"
    assert url.host == "postgres" and url.port in (None, 5432)
    roles, databases, revoked = _init_script()
    assert url.database in databases, f"{url.database} is not created by {INIT_SQL.name}"
    assert databases[url.database] == url.username, "the service's role must own its database"
    assert roles.get(url.username) == url.password, f"role {url.username} or its password is not in the init script"
    assert url.database in revoked, "other roles must not be able to connect"


def test_each_service_has_a_distinct_database_and_role(compose: dict[str, Any]) -> None:
    urls = [_database_url(compose, name) for name in NAMES]
    assert len({url.database for url in urls}) == len(NAMES)
    assert len({url.username for url in urls}) == len(NAMES)


def test_postgres_runs_the_init_script_and_reports_health_over_tcp(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert str(postgres["image"]).startswith("postgres:15")
    init_mounts = [str(v).split(":") for v in postgres["volumes"] if INITDB_DIR in str(v)]
    assert len(init_mounts) == 1
    assert (COMPOSE_FILE.parent / init_mounts[0][0]).resolve() == INIT_SQL
    # Over TCP: the image's init phase runs a server on the Unix socket only.
    test = postgres["healthcheck"]["test"]
    assert "pg_isready" in test and "-h" in test
    declared = set(compose.get("volumes") or {})
    for spec in compose["services"].values():
        for volume in spec.get("volumes") or []:
            source = str(volume).split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"named volume {source} is not declared"


# --- the image ---------------------------------------------------------------------------------------

def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    instructions = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


def test_dockerfile_is_multi_stage_and_runs_unprivileged() -> None:
    instructions = _dockerfile_instructions()
    stages = [rest for keyword, rest in instructions if keyword == "FROM"]
    assert len(stages) >= 2
    stage_names = {m.group(1) for s in stages if (m := re.search(r"\s+AS\s+(\S+)", s, re.I))}
    last_stage = max(i for i, (keyword, _) in enumerate(instructions) if keyword == "FROM")
    users = [rest for keyword, rest in instructions[last_stage:] if keyword == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0"), "the runtime stage must drop root"
    for keyword, rest in instructions:
        if keyword != "COPY":
            continue
        args = rest.split()
        flags = [a for a in args if a.startswith("--")]
        sources = [a for a in args if not a.startswith("--")][:-1]
        origin = next((f.split("=", 1)[1] for f in flags if f.startswith("--from=")), None)
        if origin is not None:
            assert origin in stage_names, f"COPY --from={origin}: no such stage"
            continue
        for source in sources:
            assert (REPO / source).exists(), f"COPY {source}: not in the repository (build context)"


def test_every_services_folder_with_code_is_a_package() -> None:
    # The image installs the project as a wheel (not editable): a folder without __init__.py, such as
    # a service's migrations/versions, would be silently missing from it.
    for folder in sorted({path.parent for path in (REPO / "services").rglob("*.py")}):
        assert (folder / "__init__.py").exists(), f"{folder.relative_to(REPO)} has no __init__.py"


# --- the init script on a real PostgreSQL ------------------------------------------------------------

def _run_sql(cluster: Any, statements: list[str]) -> None:
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={cluster.port} user=postgres dbname=postgres",
                         autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


@pytest.mark.postgres
def test_init_script_gives_each_service_a_database_only_it_can_use(compose: dict[str, Any],
                                                                   postgres_cluster: Any) -> None:
    import psycopg

    from services.common.app import ServiceApp, open_database

    roles, databases, _ = _init_script()
    cleanup = [*(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)' for db in databases),
               *(f'DROP ROLE IF EXISTS "{role}"' for role in roles)]
    sql = re.sub(r"--[^\n]*", "", INIT_SQL.read_text())
    _run_sql(postgres_cluster, cleanup)
    try:
        _run_sql(postgres_cluster, [s.strip() for s in sql.split(";") if s.strip()])
        urls = {name: _database_url(compose, name).set(host="127.0.0.1", port=postgres_cluster.port)
                for name in NAMES}
        for name in NAMES:
            url = urls[name].render_as_string(hide_password=False)
            settings = _settings(compose, name, database_url=url)
            migrations = REPO / "services" / name / "migrations"
            app = ServiceApp(name=name, settings_cls=type(settings), services=(), owner_issue="",
                             migrations=migrations if migrations.is_dir() else None)
            open_database(app, settings).close()  # the start-up path: migrations as the service's role
        first, second = NAMES[0], NAMES[1]
        with pytest.raises(psycopg.OperationalError, match="permission denied"):
            psycopg.connect(host="127.0.0.1", port=postgres_cluster.port, user=urls[first].username,
                            dbname=urls[second].database).close()
    finally:
        _run_sql(postgres_cluster, cleanup)
