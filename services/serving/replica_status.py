"""This replica's view of its deployments and sessions: states, bindings and loaded-model views."""

from __future__ import annotations

from services.common.pagination import PageRequest, next_page_token
from services.serving import converters
from services.serving.deployments import DeploymentCatalog, roles
from services.serving.model_pool import ModelPool
from services.serving.sessions import ModelSession
from sextant.serving.v1 import resources_pb2 as res


def deployment_state(pool: ModelPool, deployment: res.Deployment) -> tuple[int, str, list[res.ServedVersion]]:
    """The deployment's state on this replica and its served versions."""
    versions = []
    states = []
    for role, alias in roles(deployment):
        version, pending = pool.alias_version(deployment.model_name, alias)
        status = pool.status(deployment.model_name, version) if version else None
        pending_status = pool.status(deployment.model_name, pending) if pending else None
        state = res.LOAD_STATE_READY if version and pool.peek_version(deployment.model_name, version) else (
            pending_status.state if pending_status else res.LOAD_STATE_UNSPECIFIED)
        message = pending_status.message if pending_status else (status.message if status else "")
        versions.append(converters.served_version(role, alias, version, state, pending,
                                                  pending_status.state if pending_status else 0, message))
        states.append((role, state, message))
    primary_state, primary_message = states[0][1], states[0][2]
    if primary_state == res.LOAD_STATE_READY:
        others = [s for s in states[1:] if s[1] != res.LOAD_STATE_READY]
        if others:
            return res.DEPLOYMENT_STATE_DEGRADED, others[0][2] or "a canary or shadow version is not loaded", versions
        return res.DEPLOYMENT_STATE_READY, "", versions
    if primary_state == res.LOAD_STATE_FAILED:
        return res.DEPLOYMENT_STATE_FAILED, primary_message, versions
    if primary_state == res.LOAD_STATE_UNSPECIFIED:
        return res.DEPLOYMENT_STATE_PENDING, primary_message, versions
    return res.DEPLOYMENT_STATE_LOADING, primary_message, versions


def bindings(catalog: DeploymentCatalog, pool: ModelPool) -> dict[tuple[str, int], list[res.DeploymentBinding]]:
    """Which deployments and roles each loaded version serves."""
    bound: dict[tuple[str, int], list[res.DeploymentBinding]] = {}
    for deployment in catalog.all_cached():
        for role, alias in roles(deployment):
            version, _pending = pool.alias_version(deployment.model_name, alias)
            if version:
                bound.setdefault((deployment.model_name, version), []).append(
                    res.DeploymentBinding(deployment=deployment.name, role=role))
    return bound


def loaded_model(pool: ModelPool, session: ModelSession, bound: list[res.DeploymentBinding]) -> res.LoadedModel:
    """A LoadedModel view of one session."""
    aliases = pool.aliases_of(session.model_name, session.version)
    item = res.LoadedModel(model_name=session.model_name, model_version=session.version,
                           state=res.LOAD_STATE_READY, aliases=aliases, bindings=bound,
                           memory_bytes=session.memory_bytes, artifact_sha256=session.model_version.artifact_sha256,
                           signature=session.signature, from_disk_cache=session.from_disk_cache,
                           evictable=not aliases, inference_count=session.stats.inference_count,
                           execution_count=session.stats.execution_count)
    item.load_time.FromMilliseconds(int(session.load_time * 1000))
    if session.stats.last_inference_ms:
        item.last_used_time.FromMilliseconds(session.stats.last_inference_ms)
    return item


def loaded_models_page(catalog: DeploymentCatalog, pool: ModelPool, *, model_name: str, deployment: str,
                       page: PageRequest, filters: dict[str, str]) -> tuple[list[res.LoadedModel], str]:
    """One page of this replica's loaded sessions, filtered by model and deployment, in (model, version) order."""
    bound = bindings(catalog, pool)
    items = []
    for session in pool.sessions():
        key = (session.model_name, session.version)
        if model_name and session.model_name != model_name:
            continue
        if deployment and all(b.deployment != deployment for b in bound.get(key, [])):
            continue
        if page.after is not None and key <= tuple(page.after):
            continue
        items.append(loaded_model(pool, session, bound.get(key, [])))
    more = len(items) > page.size
    items = items[:page.size]
    token = next_page_token((items[-1].model_name, items[-1].model_version), filters) if more else ""
    return items, token
