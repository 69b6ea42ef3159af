"""The transport-agnostic core of inference: target resolution (deployment, alias, version, canary),
validation and scoring in the request's thread, shadow hand-off and statistics.

Both APIs land here: the Open Inference Protocol (``model_infer`` and friends) and Sextant Predict.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

from inference import grpc_service_pb2 as oip
from services.common.errors import (
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    SextantError,
    Unavailable,
    Unimplemented,
)
from services.common.handlers import Encoded
from services.serving import arrow_io, converters, routing
from services.serving.deployments import DEFAULT_ALIAS, DeploymentCatalog
from services.serving.feature_lookup import FeatureLookup
from services.serving.metrics import PREDICTIONS
from services.serving.micro_batching import MicroBatcher
from services.serving.model_pool import ModelPool
from services.serving.prediction_log import Prediction, PredictionLog
from services.serving.routing import goes_to_canary
from services.serving.sessions import ModelSession
from services.serving.shadow import ShadowScorer
from sextant.serving.v1 import resources_pb2 as serving_pb
from sextant.serving.v1 import serving_service_pb2 as pb
from sextant.type.v1 import features_pb2, model_pb2, tabular_pb2

_PRIMARY = model_pb2.PREDICTION_ROUTE_PRIMARY
_CANARY = model_pb2.PREDICTION_ROUTE_CANARY
_DIRECT = model_pb2.PREDICTION_ROUTE_DIRECT


@dataclass(frozen=True)
class Target:
    """What answers a request: a session, how it was reached and the deployment's settings."""

    session: ModelSession
    alias: str
    route: int
    deployment: serving_pb.Deployment | None


class Predictor:
    """Scores requests on the sessions of the model pool."""

    def __init__(self, pool: ModelPool, catalog: DeploymentCatalog, shadow: ShadowScorer, *, max_rows: int,
                 prediction_log: PredictionLog | None = None, lookup: FeatureLookup | None = None) -> None:
        self._prediction_log = prediction_log
        self._lookup = lookup
        self._batchers: dict[tuple[str, str, int], MicroBatcher] = {}
        self._pool = pool
        self._catalog = catalog
        self._shadow = shadow
        self._max_rows = max_rows

    # --- target resolution ------------------------------------------------------------------------

    def _deployment_target(self, deployment: serving_pb.Deployment, routing_key: str) -> Target:
        if deployment.HasField("canary") and goes_to_canary(routing_key, deployment.canary.traffic_percent):
            try:
                session = self._pool.by_alias(deployment.model_name, deployment.canary.alias)
                return Target(session, deployment.canary.alias, _CANARY, deployment)
            except (Unavailable, NotFound):
                pass  # a canary that is not ready sends its traffic to the primary (DEGRADED)
        session = self._pool.by_alias(deployment.model_name, deployment.alias)
        return Target(session, deployment.alias, _PRIMARY, deployment)

    def oip_target(self, name: str, version: str, routing_key: str = "") -> Target:
        """An Open Inference Protocol model name: a deployment's name, else a registered model
        (version empty means its `production` alias)."""
        if version:
            return Target(self._pool.by_version(_model_of(self._catalog, name), _version(version, "model_version")),
                          "", _DIRECT, None)
        deployment = self._catalog.cached(name)
        if deployment is not None:
            return self._deployment_target(deployment, routing_key)
        if not name:
            raise InvalidArgument("model_name", "expected a model or deployment name")
        deployment = self._catalog.cached_for(name, DEFAULT_ALIAS)
        if deployment is not None:
            return self._deployment_target(deployment, routing_key)
        return Target(self._pool.by_alias(name, DEFAULT_ALIAS), DEFAULT_ALIAS, _DIRECT, None)

    def predict_target(self, request: pb.PredictRequest, request_id: str) -> Target:
        """The target of a PredictRequest, as its contract describes."""
        selector = request.WhichOneof("model_selector")
        routing_key = request.routing_key or request_id
        if request.deployment:
            deployment = self._catalog.cached(request.deployment)
            if deployment is None:
                raise NotFound("deployment", request.deployment)
            if request.model_name and request.model_name != deployment.model_name:
                raise InvalidArgument("model_name", f"deployment {deployment.name!r} serves "
                                                    f"{deployment.model_name!r}, not {request.model_name!r}")
            if selector == "alias":
                return Target(self._pool.by_alias(deployment.model_name, request.alias), request.alias, _DIRECT,
                              deployment)
            if selector == "model_version":
                return Target(self._pool.by_version(deployment.model_name, request.model_version), "", _DIRECT,
                              deployment)
            return self._deployment_target(deployment, routing_key)
        if not request.model_name:
            raise InvalidArgument("model_name", "expected a model name or a deployment")
        if selector == "model_version":
            if request.model_version <= 0:
                raise InvalidArgument("model_version", f"expected a positive version, got {request.model_version}")
            return Target(self._pool.by_version(request.model_name, request.model_version), "", _DIRECT, None)
        alias = request.alias if selector == "alias" and request.alias else DEFAULT_ALIAS
        deployment = self._catalog.cached_for(request.model_name, alias)
        if deployment is not None:
            return self._deployment_target(deployment, routing_key)
        return Target(self._pool.by_alias(request.model_name, alias), alias, _DIRECT, None)

    # --- Open Inference Protocol -------------------------------------------------------------------

    def model_infer(self, request: oip.ModelInferRequest, encoded: bool = False
                    ) -> oip.ModelInferResponse | Encoded:
        """Score one ModelInferRequest; outputs always as raw_output_contents. ``encoded`` answers the
        response's wire form (for the unary RPC, whose interceptors do not read responses)."""
        started = time.perf_counter()
        PREDICTIONS.started()
        target = None
        try:
            target = self.oip_target(request.model_name, request.model_version, request.id)
            session = target.session
            feeds, rows = converters.infer_feeds(request, session, self._max_rows)
            names = converters.requested_outputs([o.name for o in request.outputs], session, "outputs[{}].name")
            results, queued, compute = self._run(target, names, feeds, rows)
            response = (converters.encoded_infer_response if encoded else converters.infer_response)(
                request, session, names, results)
            self._shadow_score(target, feeds, request.id)
            _observe(target, started, queued, compute)
            if self._prediction_log is not None:
                self._record(request.id or new_request_id(), target, target.route, feeds, names, results, started)
            return response
        except SextantError as error:
            PREDICTIONS.failed(request.model_name, error.code.name)
            if target is not None:
                _count_failure(target.session, started)
            raise
        finally:
            PREDICTIONS.finished()

    def model_metadata(self, name: str, version: str) -> oip.ModelMetadataResponse:
        """Name, versions, platform and tensors of a model, from its signature and graph."""
        session = self.oip_target(name, version).session
        response = oip.ModelMetadataResponse(name=name, versions=[session.version_text], platform="onnxruntime_onnx")
        for info in session.inputs:
            response.inputs.add(name=info.name, datatype=info.datatype, shape=_signature_shape(session, info.name,
                                                                                              info.shape, True))
        for info in session.outputs:
            response.outputs.add(name=info.name, datatype=info.datatype,
                                 shape=_signature_shape(session, info.name, info.shape, False))
        return response

    def model_ready(self, name: str, version: str) -> bool:
        """Whether the model answers now; never starts a load and never calls the registry."""
        if version:
            return self._pool.peek_version(_model_of(self._catalog, name), _version(version, "version")) is not None
        deployment = self._catalog.cached(name) or self._catalog.cached_for(name, DEFAULT_ALIAS)
        if deployment is not None:
            return self._pool.peek_alias(deployment.model_name, deployment.alias) is not None
        return self._pool.peek_alias(name, DEFAULT_ALIAS) is not None

    def statistics(self, name: str, version: str) -> oip.ModelStatisticsResponse:
        """Per-session counters; all sessions when ``name`` is empty."""
        sessions = [self.oip_target(name, version).session] if name else self._pool.sessions()
        response = oip.ModelStatisticsResponse()
        for session in sessions:
            s = session.stats
            with s.lock:
                item = response.model_stats.add(name=name if name else session.model_name,
                                                version=session.version_text, last_inference=s.last_inference_ms,
                                                inference_count=s.inference_count, execution_count=s.execution_count)
                item.inference_stats.success.count = s.success_count
                item.inference_stats.success.ns = s.success_ns
                item.inference_stats.fail.count = s.fail_count
                item.inference_stats.fail.ns = s.fail_ns
                item.inference_stats.compute_infer.count = s.execution_count
                item.inference_stats.compute_infer.ns = s.compute_ns
            item.memory_usage.add(type="CPU", id=0, byte_size=session.memory_bytes)
        return response

    # --- Sextant Predict ---------------------------------------------------------------------------

    def predict(self, request: pb.PredictRequest) -> pb.PredictResponse:
        """Score the rows of a PredictRequest given by feature values (typed columns or Arrow) or entity keys."""
        started = time.perf_counter()
        PREDICTIONS.started()
        target = None
        try:
            request_id = request.request_id or new_request_id()
            kind = request.WhichOneof("input")
            if kind is None:
                raise InvalidArgument("feature_values", "expected feature_values or entity_keys")
            arrow_in = kind == "feature_values" and request.feature_values.WhichOneof("format") == "arrow"
            arrow_out = _arrow_output(request.output_format, arrow_in)
            target = self.predict_target(request, request_id)
            split = None
            if kind == "entity_keys" and _splits_by_entity_key(target):
                target, split = self._row_split(target.deployment, request.entity_keys.keys,
                                                request.routing_key or request_id)
            session = target.session
            deployment = target.deployment
            use_defaults = (deployment is not None and deployment.missing_feature_policy
                            == serving_pb.MISSING_FEATURE_POLICY_USE_DEFAULT)
            provenance = None
            # Filled with the feeds' group arrays, which the prediction log stacks whole.
            matrices: list | None = [] if self._prediction_log is not None and split is None else None
            if kind == "entity_keys":
                if self._lookup is None:
                    raise Unimplemented("Predict by entity keys needs a feature store", reason="NO_FEATURE_STORE",
                                        metadata={"field": "entity_keys"})
                columns, block, rows, provenance = self._lookup.columns(session, request.entity_keys.keys,
                                                                        request.entity_keys.supplied_values)
                feeds, rows, defaulted = converters.input_feeds(
                    columns, rows, session, self._max_rows, field="entity_keys", use_defaults=use_defaults,
                    defaults=deployment.default_values if deployment is not None else {}, block=block,
                    matrices=matrices)
            elif arrow_in:
                feeds, rows, defaulted = arrow_io.arrow_feeds(
                    request.feature_values.arrow.ipc_stream, session, self._max_rows, field="feature_values.arrow",
                    use_defaults=use_defaults, defaults=deployment.default_values if deployment is not None else {})
            else:
                feeds, rows, defaulted = converters.column_feeds(
                    request.feature_values.columns, session, self._max_rows, field="feature_values.columns",
                    use_defaults=use_defaults, defaults=deployment.default_values if deployment is not None else {},
                    matrices=matrices)
            names = converters.requested_outputs(request.output_names, session, "output_names[{}]")
            if split is not None:
                return self._predict_split(request, request_id, target, split, names, feeds, rows, defaulted,
                                           provenance, started, arrow_out)
            results, queued, compute = self._run(target, names, feeds, rows)
            response = pb.PredictResponse(
                request_id=request_id, deployment=deployment.name if deployment is not None else "",
                model_name=session.model_name, model_version=session.version, alias=target.alias,
                route=target.route, outputs=_outputs(names, results, rows, session, arrow_out),
                class_labels=session.signature.class_labels)
            if request.return_features:
                response.features.CopyFrom(_features_used(feeds, rows, defaulted,
                                                          provenance() if provenance is not None else None,
                                                          arrow_out))
            self._shadow_score(target, feeds, request_id)
            _observe(target, started, queued, compute)
            self._record(request_id, target, target.route, feeds, names, results, started, matrices)
            return response
        except SextantError as error:
            PREDICTIONS.failed(request.model_name or request.deployment, error.code.name)
            if target is not None:
                _count_failure(target.session, started)
            raise
        finally:
            PREDICTIONS.finished()

    # --- canary split per row by entity key -------------------------------------------------------

    def _row_split(self, deployment: serving_pb.Deployment, keys: object, routing_key: str
                   ) -> tuple[Target, tuple | None]:
        """The target that converts the request's inputs, and (canary target, canary row mask) when
        the rows go to both sides.

        Each row goes to the canary when the SHA-256 bucket of its entity key is below the traffic
        percentage, so a key sticks to one side. The inputs are fetched once (one GetOnlineFeatures
        call) with the primary's signature and the rows are then divided, which requires the canary
        to take the same inputs; when its inputs differ, or it is not ready, the whole request is
        routed as under CANARY_SPLIT_KEY_REQUEST_ID (the canary's rows then fall back to the primary)."""
        primary = Target(self._pool.by_alias(deployment.model_name, deployment.alias), deployment.alias, _PRIMARY,
                         deployment)
        rows = keys.row_count or _key_rows(keys)
        mask = routing.canary_rows(keys, rows, deployment.canary.traffic_percent)
        if not mask.any():
            return primary, None
        try:
            canary = Target(self._pool.by_alias(deployment.model_name, deployment.canary.alias),
                            deployment.canary.alias, _CANARY, deployment)
        except (Unavailable, NotFound):
            return primary, None  # a canary that is not ready sends its traffic to the primary (DEGRADED)
        if mask.all():
            return canary, None
        if not _same_inputs(primary.session, canary.session):
            return self._deployment_target(deployment, routing_key), None
        return primary, (canary, mask)

    def _predict_split(self, request: pb.PredictRequest, request_id: str, primary: Target, split: tuple,
                       names: list[str], feeds: dict, rows: int, defaulted: list, provenance: object,
                       started: float, arrow_out: bool) -> pb.PredictResponse:
        """Score the primary's rows and the canary's rows and reassemble the outputs in request order."""
        canary, mask = split
        converters.requested_outputs(names, canary.session, "output_names[{}]")
        sides = ((primary, np.flatnonzero(~mask)), (canary, np.flatnonzero(mask)))
        merged: list[np.ndarray | None] = [None] * len(names)
        queue = compute = 0.0
        scored = []
        for side, index in sides:
            part = {name: array[index] for name, array in feeds.items()}
            results, side_queue, side_compute = self._run(side, names, part, len(index))
            queue += side_queue
            compute += side_compute
            for j, array in enumerate(results):
                if merged[j] is None:
                    merged[j] = np.empty((rows, *array.shape[1:]), dtype=array.dtype)
                elif merged[j].dtype != array.dtype or merged[j].shape[1:] != array.shape[1:]:
                    raise FailedPrecondition(f"canary {canary.alias!r} answers output {names[j]!r} as "
                                             f"{array.dtype}{list(array.shape[1:])}, the primary as "
                                             f"{merged[j].dtype}{list(merged[j].shape[1:])}",
                                             reason="CANARY_OUTPUT_MISMATCH", metadata={"tensor": names[j]})
                merged[j][index] = array
            scored.append((side, part, results))
        for side, part, results in scored:
            self._record(request_id, side, side.route, part, names, results, started)
        session = primary.session
        routes = np.where(mask, _CANARY, _PRIMARY)
        versions = np.where(mask, canary.session.version, session.version)
        response = pb.PredictResponse(
            request_id=request_id, deployment=primary.deployment.name, model_name=session.model_name,
            model_version=session.version, alias=primary.alias, route=_PRIMARY,
            outputs=_outputs(names, merged, rows, session, arrow_out), class_labels=session.signature.class_labels,
            row_routing=serving_pb.RowRouting(routes=routes.tolist(), model_versions=versions.tolist()))
        if request.return_features:
            response.features.CopyFrom(_features_used(feeds, rows, defaulted,
                                                      provenance() if provenance is not None else None, arrow_out))
        self._shadow_score(primary, feeds, request_id)
        _observe(primary, started, queue, compute)
        return response

    # --- helpers ------------------------------------------------------------------------------------

    def _run(self, target: Target, names: list[str], feeds: dict, rows: int) -> tuple[list, float, float]:
        """The outputs, the seconds waited for a micro-batch and the seconds the execution took."""
        deployment = target.deployment
        session = target.session
        started = time.perf_counter()
        if deployment is None or not deployment.micro_batching.enabled:
            results = session.run(names, feeds, rows)
            return results, 0.0, time.perf_counter() - started
        key = (deployment.name, session.model_name, session.version)
        batcher = self._batchers.get(key)
        config = deployment.micro_batching
        if batcher is None or batcher.config != (config.max_batch_size, config.max_queue_delay_us):
            batcher = MicroBatcher(session, config.max_batch_size, config.max_queue_delay_us)
            self._batchers[key] = batcher
        results, executed = batcher.run(names, feeds, rows)
        return results, executed - started, time.perf_counter() - executed

    def _shadow_score(self, target: Target, feeds: dict, request_id: str) -> None:
        deployment = target.deployment
        if deployment is None or not deployment.HasField("shadow") or target.route == _DIRECT:
            return
        alias = deployment.shadow.alias
        model_name = deployment.model_name

        def score() -> None:
            started = time.perf_counter()
            session = self._pool.by_alias(model_name, alias)
            rows = next(iter(feeds.values())).shape[0] if feeds else 0
            results = session.run(session.output_names, feeds, rows)
            shadow_target = Target(session, alias, model_pb2.PREDICTION_ROUTE_SHADOW, deployment)
            self._record(f"{request_id}:shadow", shadow_target, model_pb2.PREDICTION_ROUTE_SHADOW, feeds,
                         session.output_names, results, started)

        self._shadow.submit(score)

    def _record(self, request_id: str, target: Target, route: int, feeds: dict, names: list[str],
                results: list, started: float, matrices: list | None = None) -> None:
        if self._prediction_log is None:
            return
        session = target.session
        deployment = target.deployment
        self._prediction_log.record(Prediction(
            request_id=request_id, model_name=session.model_name, version=session.version, alias=target.alias,
            deployment=deployment.name if deployment is not None else "",
            team=deployment.owner_team if deployment is not None else "", route=route, time_seconds=time.time(),
            latency_seconds=time.perf_counter() - started, inputs=feeds, output_names=names, outputs=results,
            class_labels=session.signature.class_labels, input_matrices=tuple(matrices) if matrices else ()))



def _observe(target: Target, started: float, queued: float, compute: float) -> None:
    session = target.session
    PREDICTIONS.succeeded(session.model_name, session.version_text, target.alias, time.perf_counter() - started,
                           queued, compute)


def new_request_id() -> str:
    """A request id for a prediction whose caller gave none: unique per prediction (also within a
    stream) and ordered by time, as a UUIDv7 is: Unix milliseconds in 12 hex digits, then 80 random
    bits, 32 hex digits in all.

    Monitoring stores each prediction under a unique (request_id, row_index). Random ids put every
    insert on a different page of that index, and one 256-prediction message dirtied hundreds of
    pages: ~9 ms of monitoring's CPU per message, against ~2.4 ms with ids that follow time."""
    return f"{time.time_ns() // 1_000_000:012x}{os.urandom(10).hex()}"


def _arrow_output(output_format: int, arrow_in: bool) -> bool:
    """Whether the response's tables are Arrow: asked for, or unspecified with Arrow input."""
    if output_format == pb.OUTPUT_FORMAT_ARROW:
        return True
    if output_format == pb.OUTPUT_FORMAT_UNSPECIFIED:
        return arrow_in
    if output_format != pb.OUTPUT_FORMAT_COLUMNS:
        raise InvalidArgument("output_format", f"expected one of {list(pb.OutputFormat.keys())}, got {output_format}",
                              reason="UNKNOWN_OUTPUT_FORMAT")
    return False


def _outputs(names: list[str], results: list, rows: int, session: ModelSession, arrow_out: bool
             ) -> tabular_pb2.TabularData:
    if arrow_out:
        return arrow_io.arrow_table(names, results, session.signature.class_labels)
    return converters.output_columns(names, results, rows)


def _splits_by_entity_key(target: Target) -> bool:
    deployment = target.deployment
    return (deployment is not None and target.route != _DIRECT and deployment.HasField("canary")
            and deployment.canary.split_key == serving_pb.CANARY_SPLIT_KEY_ENTITY_KEY)


def _key_rows(keys: object) -> int:
    if not keys.columns:
        return 0
    column = keys.columns[0]
    kind = column.WhichOneof("values")
    if kind is None:
        return 0
    values = getattr(column, kind)
    return len(values.unix_micros if kind == "timestamp_values" else values.values)


def _same_inputs(a: ModelSession, b: ModelSession) -> bool:
    """Whether two sessions take the same inputs fed from the same features."""
    if [(i.name, i.dtype, i.shape) for i in a.inputs] != [(i.name, i.dtype, i.shape) for i in b.inputs]:
        return False
    return ({s.name: s.feature.SerializeToString() for s in a.signature.inputs}
            == {s.name: s.feature.SerializeToString() for s in b.signature.inputs})


def _count_failure(session: ModelSession, started: float) -> None:
    stats = session.stats
    with stats.lock:
        stats.fail_count += 1
        stats.fail_ns += int((time.perf_counter() - started) * 1e9)


def _version(text: str, field: str) -> int:
    try:
        version = int(text)
    except ValueError:
        raise InvalidArgument(field, f"expected a version number, got {text!r}") from None
    if version <= 0:
        raise InvalidArgument(field, f"expected a positive version number, got {text!r}")
    return version


def _model_of(catalog: DeploymentCatalog, name: str) -> str:
    deployment = catalog.cached(name)
    return deployment.model_name if deployment is not None else name


def _signature_shape(session: ModelSession, name: str, graph_shape: tuple[int, ...], is_input: bool) -> list[int]:
    specs = session.signature.inputs if is_input else session.signature.outputs
    for spec in specs:
        if spec.name == name and spec.shape:
            return list(spec.shape)
    return list(graph_shape)


def _features_used(feeds: dict, rows: int, defaulted: list[tuple[str, list[int]]],
                   provenance: list[serving_pb.FeatureProvenance] | None, arrow_out: bool) -> serving_pb.FeaturesUsed:
    values = (arrow_io.arrow_table(list(feeds), list(feeds.values())) if arrow_out
              else converters.input_columns(feeds, rows))
    used = serving_pb.FeaturesUsed(values=values)
    defaulted_rows = dict(defaulted)
    known = {item.input_name: item for item in provenance or []}
    for name in feeds:
        item = used.provenance.add()
        if name in known:
            item.CopyFrom(known[name])
        else:
            item.input_name = name
            item.statuses.extend([features_pb2.FEATURE_VALUE_STATUS_SUPPLIED] * rows)
            item.event_time_micros.extend([0] * rows)
        for r in defaulted_rows.get(name, []):
            item.statuses[r] = features_pb2.FEATURE_VALUE_STATUS_DEFAULTED
    return used
