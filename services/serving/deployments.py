"""Deployments: which model and alias this service serves, with canary and shadow.

Deployments live in the service's own database and are shared by every replica; creating or changing
one is allowed by the policy service's EvaluateDeployment first. Each replica follows the aliases of
every stored deployment in its model pool (loading their versions in the background).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import grpc

from services.common.auth import current_principal
from services.common.dependencies import Dependency
from services.common.errors import (
    Aborted,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    PreconditionViolation,
    SextantError,
    Unavailable,
)
from services.common.fieldmask import checked_paths
from services.common.logging import get_logger
from services.common.pagination import next_page_token, page_request
from services.serving.model_pool import ModelPool
from services.serving.repository import DeploymentRepository, StoredDeployment
from sextant.policy.v1 import policy_service_pb2 as policy_pb
from sextant.registry.v1 import registry_service_pb2 as reg_pb
from sextant.serving.v1 import resources_pb2 as serving_pb
from sextant.type.v1 import governance_pb2, model_pb2

_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
DEFAULT_ALIAS = "production"
_MUTABLE = {"description", "alias", "canary", "canary.traffic_percent", "canary.alias", "canary.split_key",
            "shadow", "shadow.alias", "missing_feature_policy", "default_values", "micro_batching",
            "micro_batching.enabled", "micro_batching.max_batch_size", "micro_batching.max_queue_delay_us",
            "owner_team", "labels"}
_ORDER = {"name": "name", "create_time": "create_time", "update_time": "update_time"}


@dataclass(frozen=True)
class DeploymentChange:
    """A stored deployment and the policy warnings of the change that produced it."""

    deployment: serving_pb.Deployment
    warnings: tuple[governance_pb2.PolicyViolation, ...]


def roles(deployment: serving_pb.Deployment) -> list[tuple[int, str]]:
    """(role, alias) of every role the deployment serves."""
    result = [(model_pb2.DEPLOYMENT_ROLE_PRIMARY, deployment.alias or DEFAULT_ALIAS)]
    if deployment.HasField("canary") and deployment.canary.alias:
        result.append((model_pb2.DEPLOYMENT_ROLE_CANARY, deployment.canary.alias))
    if deployment.HasField("shadow") and deployment.shadow.alias:
        result.append((model_pb2.DEPLOYMENT_ROLE_SHADOW, deployment.shadow.alias))
    return result


class DeploymentCatalog:
    """Create, read, change and delete deployments; keeps the model pool following their aliases."""

    def __init__(self, repository: DeploymentRepository, pool: ModelPool, registry: Dependency,
                 policy: Dependency | None) -> None:
        self._repo = repository
        self._pool = pool
        self._registry = registry
        self._policy = policy
        self._log = get_logger("deployments")
        self._by_name: dict[str, serving_pb.Deployment] = {}
        self._by_model_alias: dict[tuple[str, str], serving_pb.Deployment] = {}

    # --- cache of stored deployments (read on the request path) ----------------------------------

    def start_refresh(self, interval: float) -> Callable[[], None]:
        """Re-read the stored deployments every ``interval`` seconds, so changes made through other
        replicas apply here too; returns the function that stops the thread."""
        stopping = threading.Event()

        def run() -> None:
            refreshed_at = None
            while not stopping.wait(interval):
                try:
                    # A refresh costs ~2 ms of interpreter time, taken from requests in flight. With
                    # nothing committed since the last one (on SQLite, where the marker exists) and no
                    # alias still waiting for a load to be retried, it would find what it found then.
                    marker = self._repo.commit_marker()
                    if marker is not None and marker == refreshed_at and not self._pool.waiting():
                        continue
                    self.refresh()
                    refreshed_at = marker
                except Exception as error:  # noqa: BLE001 - keep serving the last known deployments
                    self._log.warning("deployment refresh failed", error=str(error))

        thread = threading.Thread(target=run, name="serving-deployment-refresh", daemon=True)
        thread.start()

        def stop() -> None:
            stopping.set()
            thread.join(timeout=5)

        return stop

    def refresh(self) -> None:
        """Reload every stored deployment and follow its aliases."""
        stored = [serving_pb.Deployment.FromString(row.body) for row in self._repo.all()]
        self._by_name = {d.name: d for d in stored}
        self._by_model_alias = {(d.model_name, d.alias): d for d in stored}
        for deployment in stored:
            self._follow(deployment)

    def cached(self, name: str) -> serving_pb.Deployment | None:
        """The deployment called ``name`` as this replica knows it (no database read)."""
        return self._by_name.get(name)

    def cached_for(self, model_name: str, alias: str) -> serving_pb.Deployment | None:
        """The deployment serving (model, alias), if any."""
        return self._by_model_alias.get((model_name, alias))

    def all_cached(self) -> list[serving_pb.Deployment]:
        """Every deployment this replica knows, by name."""
        return [self._by_name[name] for name in sorted(self._by_name)]

    def ensure(self, name: str) -> serving_pb.Deployment:
        """The deployment called ``name``, creating one that serves model ``name`` under `production`
        when none exists (Open Inference Protocol repository load)."""
        existing = self._by_name.get(name)
        if existing is None:
            row = self._repo.get(name)
            if row is not None:
                existing = serving_pb.Deployment.FromString(row.body)
                self._remember(existing)
        if existing is not None:
            for _role, alias in roles(existing):
                self._pool.follow(existing.model_name, alias)
            return existing
        existing = self._by_model_alias.get((name, DEFAULT_ALIAS))
        if existing is not None:
            self._follow(existing)
            return existing
        return self.create(serving_pb.Deployment(name=name, model_name=name, alias=DEFAULT_ALIAS), False).deployment

    def unload(self, name: str) -> None:
        """Delete the deployment called ``name``; for a bare model name stop following its `production` alias
        and release its sessions (Open Inference Protocol repository unload)."""
        if self._by_name.get(name) is not None or self._repo.get(name) is not None:
            self.delete(name, "")
            return
        self._pool.unfollow(name, DEFAULT_ALIAS)
        self._pool.release_unreferenced(name)

    def _remember(self, deployment: serving_pb.Deployment, old: serving_pb.Deployment | None = None) -> None:
        if old is not None:
            self._by_model_alias.pop((old.model_name, old.alias), None)
        self._by_name[deployment.name] = deployment
        self._by_model_alias[(deployment.model_name, deployment.alias)] = deployment

    def _follow(self, deployment: serving_pb.Deployment) -> None:
        for _role, alias in roles(deployment):
            try:
                self._pool.follow(deployment.model_name, alias)
            except SextantError as error:
                self._log.warning("cannot follow alias", deployment=deployment.name, alias=alias,
                                  error=error.message)

    # --- RPCs -------------------------------------------------------------------------------------

    def create(self, deployment: serving_pb.Deployment, validate_only: bool) -> DeploymentChange:
        """Validate, ask policy, store and start loading."""
        candidate = serving_pb.Deployment()
        candidate.CopyFrom(deployment)
        for name in ("policy_decision_id", "state", "state_message", "served_versions", "etag", "create_time",
                     "update_time", "creator", "updated_by"):
            candidate.ClearField(name)
        candidate.alias = candidate.alias or DEFAULT_ALIAS
        self._validate(candidate, "deployment")
        model = self._registered_model(candidate.model_name)
        versions = self._served_versions(candidate)
        decision, warnings = self._evaluate(candidate, model, versions, policy_pb.DEPLOYMENT_CHANGE_CREATE)
        candidate.policy_decision_id = decision
        principal = current_principal().subject
        now = datetime.now(UTC).replace(tzinfo=None)
        candidate.creator = principal
        candidate.updated_by = principal
        candidate.create_time.FromDatetime(now)
        candidate.update_time.FromDatetime(now)
        candidate.etag = _etag(candidate)
        if validate_only:
            return DeploymentChange(candidate, warnings)
        self._repo.insert(StoredDeployment(candidate.name, candidate.model_name, candidate.alias,
                                           candidate.owner_team, candidate.etag, now, now,
                                           candidate.SerializeToString()))
        self._remember(candidate)
        self._follow(candidate)
        return DeploymentChange(candidate, warnings)

    def get(self, name: str) -> serving_pb.Deployment:
        """The stored deployment (NOT_FOUND otherwise)."""
        row = self._repo.get(name)
        if row is None:
            raise NotFound("deployment", name)
        return serving_pb.Deployment.FromString(row.body)

    def list(self, page_size: int, page_token: str, model_name: str, owner_team: str, order_by: str,
             state: int) -> tuple[list[serving_pb.Deployment], str]:
        """A page of deployments."""
        order = (order_by or "name").strip()
        descending = order.endswith(" desc")
        column = _ORDER.get(order.removesuffix(" desc").strip())
        if column is None:
            raise InvalidArgument("order_by", f"expected name, create_time or update_time (optionally with ' desc'), "
                                              f"got {order_by!r}")
        filters = {"model_name": model_name, "owner_team": owner_team, "order_by": order, "state": state}
        page = page_request(page_size, page_token, filters, default=100)
        rows = self._repo.list(model_name=model_name, owner_team=owner_team, order_column=column,
                               descending=descending, after=page.after, limit=page.size + 1)
        more = len(rows) > page.size
        rows = rows[:page.size]
        items = [serving_pb.Deployment.FromString(row.body) for row in rows]
        token = ""
        if more and rows:
            last = rows[-1]
            key = last.name if column == "name" else getattr(last, column).isoformat()
            token = next_page_token((key, last.name), filters)
        return items, token

    def update(self, deployment: serving_pb.Deployment, paths: list[str], validate_only: bool) -> DeploymentChange:
        """Apply the fields named in the mask after policy allowed the change."""
        checked_paths(paths, _MUTABLE)
        row = self._repo.get(deployment.name)
        if row is None:
            raise NotFound("deployment", deployment.name)
        if deployment.etag and deployment.etag != row.etag:
            raise Aborted(f"deployment {deployment.name!r} changed since etag {deployment.etag}",
                          reason="ETAG_MISMATCH", metadata={"name": deployment.name, "etag": row.etag})
        current = serving_pb.Deployment.FromString(row.body)
        updated = serving_pb.Deployment()
        updated.CopyFrom(current)
        for path in paths:
            _copy_path(deployment, updated, path)
        updated.alias = updated.alias or DEFAULT_ALIAS
        self._validate(updated, "deployment")
        model = self._registered_model(updated.model_name)
        versions = self._served_versions(updated)
        decision, warnings = self._evaluate(updated, model, versions, policy_pb.DEPLOYMENT_CHANGE_UPDATE)
        updated.policy_decision_id = decision
        updated.updated_by = current_principal().subject
        now = datetime.now(UTC).replace(tzinfo=None)
        updated.update_time.FromDatetime(now)
        updated.etag = _etag(updated)
        if validate_only:
            return DeploymentChange(updated, warnings)
        if self._by_model_alias.get((updated.model_name, updated.alias), updated).name != updated.name:
            raise InvalidArgument("deployment.alias", f"alias {updated.alias!r} of {updated.model_name!r} is served "
                                                      f"by another deployment")
        stored = StoredDeployment(updated.name, updated.model_name, updated.alias, updated.owner_team, updated.etag,
                                  row.create_time, now, updated.SerializeToString())
        if not self._repo.replace(stored, row.etag):
            raise Aborted(f"deployment {updated.name!r} was changed concurrently", reason="ETAG_MISMATCH",
                          metadata={"name": updated.name})
        self._remember(updated, current)
        self._follow(updated)
        return DeploymentChange(updated, warnings)

    def delete(self, name: str, etag: str) -> None:
        """Stop serving a deployment; its sessions are released when no other deployment uses them."""
        row = self._repo.get(name)
        if row is None:
            raise NotFound("deployment", name)
        if etag and etag != row.etag:
            raise Aborted(f"deployment {name!r} changed since etag {etag}", reason="ETAG_MISMATCH",
                          metadata={"name": name, "etag": row.etag})
        if not self._repo.delete(name, row.etag):
            raise Aborted(f"deployment {name!r} was changed concurrently", reason="ETAG_MISMATCH",
                          metadata={"name": name})
        deployment = serving_pb.Deployment.FromString(row.body)
        self._by_name.pop(name, None)
        self._by_model_alias.pop((deployment.model_name, deployment.alias), None)
        still_used = {(d.model_name, alias) for d in self._by_name.values() for _r, alias in roles(d)}
        for _role, alias in roles(deployment):
            if (deployment.model_name, alias) not in still_used:
                self._pool.unfollow(deployment.model_name, alias)
        self._pool.release_unreferenced(deployment.model_name)

    # --- helpers ----------------------------------------------------------------------------------

    def _validate(self, d: serving_pb.Deployment, field: str) -> None:
        if not _NAME.match(d.name):
            raise InvalidArgument(f"{field}.name", f"expected [a-z0-9][a-z0-9_-]{{0,62}}, got {d.name!r}")
        if not d.model_name:
            raise InvalidArgument(f"{field}.model_name", "expected the registered model's name")
        if d.HasField("canary"):
            if not d.canary.alias:
                raise InvalidArgument(f"{field}.canary.alias", "expected the canary's registry alias")
            if d.canary.alias == d.alias:
                raise InvalidArgument(f"{field}.canary.alias", "expected an alias other than the primary's")
            if not 0 <= d.canary.traffic_percent <= 100:
                raise InvalidArgument(f"{field}.canary.traffic_percent",
                                      f"expected 0 to 100, got {d.canary.traffic_percent}")
        if d.HasField("shadow") and not d.shadow.alias:
            raise InvalidArgument(f"{field}.shadow.alias", "expected the shadow's registry alias")
        if d.HasField("micro_batching"):
            if d.micro_batching.max_batch_size < 0:
                raise InvalidArgument(f"{field}.micro_batching.max_batch_size", "expected 0 or a positive number")
            if d.micro_batching.max_queue_delay_us < 0:
                raise InvalidArgument(f"{field}.micro_batching.max_queue_delay_us", "expected 0 or a positive number")

    def _registered_model(self, model_name: str) -> object:
        try:
            return self._registry.call("GetRegisteredModel", reg_pb.GetRegisteredModelRequest(name=model_name)).model
        except grpc.RpcError as error:
            if error.code() == grpc.StatusCode.NOT_FOUND:
                raise NotFound("model", model_name) from None
            if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
                raise _refused_by_registry(error, "deployment.model_name") from None
            raise

    def _served_versions(self, d: serving_pb.Deployment) -> list[policy_pb.ServedVersion]:
        versions = []
        for role, alias in roles(d):
            try:
                # The alias first (its decision id is the promotion evidence), then the version it names.
                found = self._registry.call("GetAlias", reg_pb.GetAliasRequest(model_name=d.model_name,
                                                                               alias=alias)).alias
                mv = self._registry.call("GetModelVersion", reg_pb.GetModelVersionRequest(
                    model_name=d.model_name, version=found.version)).model_version
            except grpc.RpcError as error:
                if error.code() == grpc.StatusCode.NOT_FOUND:
                    raise NotFound("alias", f"{d.model_name}@{alias}", metadata={"model_name": d.model_name,
                                                                                 "alias": alias}) from None
                if error.code() == grpc.StatusCode.INVALID_ARGUMENT:
                    raise _refused_by_registry(error, "deployment") from None
                raise
            percent = 100.0
            if role == model_pb2.DEPLOYMENT_ROLE_CANARY:
                percent = float(d.canary.traffic_percent)
            elif role == model_pb2.DEPLOYMENT_ROLE_PRIMARY and d.HasField("canary"):
                percent = 100.0 - d.canary.traffic_percent
            elif role == model_pb2.DEPLOYMENT_ROLE_SHADOW:
                percent = 0.0
            versions.append(policy_pb.ServedVersion(role=role, alias=alias, model_version=mv.version,
                                                    traffic_percent=percent, stale=mv.stale,
                                                    promotion_decision_id=found.decision_id))
        return versions

    def _evaluate(self, d: serving_pb.Deployment, model: object, versions: list[policy_pb.ServedVersion],
                  change: int) -> tuple[str, tuple[governance_pb2.PolicyViolation, ...]]:
        if self._policy is None:
            return "", ()
        request = policy_pb.EvaluateDeploymentRequest(
            deployment_name=d.name, change=change, model_name=d.model_name, domain=getattr(model, "domain", ""),
            owner_team=d.owner_team or getattr(model, "owner_team", ""), principal=current_principal().subject,
            served_versions=versions)
        try:
            decision = self._policy.call("EvaluateDeployment", request).decision
        except Unavailable:
            raise
        if decision.verdict == governance_pb2.POLICY_VERDICT_DENY:
            denied = [v for v in decision.violations if v.effect == governance_pb2.POLICY_VERDICT_DENY]
            raise FailedPrecondition(
                f"policy denied deployment {d.name!r}: {decision.summary}", reason="POLICY_DENIED",
                metadata={"decision_id": decision.decision_id, "deployment": d.name},
                precondition_violations=[PreconditionViolation("POLICY", v.rule_id, v.explanation)
                                         for v in denied or decision.violations])
        warnings = tuple(v for v in decision.violations if v.effect != governance_pb2.POLICY_VERDICT_DENY)
        return decision.decision_id, warnings


def _refused_by_registry(error: grpc.RpcError, field: str) -> InvalidArgument:
    # The registry validates names and aliases more strictly than serving does; its refusal is the
    # caller's bad input, not a fault of serving.
    return InvalidArgument(field, f"a value the registry accepts ({error.details()})", reason="REGISTRY_REFUSED")


def _copy_path(source: serving_pb.Deployment, target: serving_pb.Deployment, path: str) -> None:
    head, _, rest = path.partition(".")
    if not rest:
        if head in ("default_values", "labels"):
            target.ClearField(head)
            getattr(target, head).update(getattr(source, head))
        elif head in ("canary", "shadow", "micro_batching"):
            if source.HasField(head):
                getattr(target, head).CopyFrom(getattr(source, head))
            else:
                target.ClearField(head)
        else:
            setattr(target, head, getattr(source, head))
        return
    setattr(getattr(target, head), rest, getattr(getattr(source, head), rest))


def _etag(d: serving_pb.Deployment) -> str:
    return hashlib.sha256(d.SerializeToString(deterministic=True)).hexdigest()[:16]
