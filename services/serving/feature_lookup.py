"""Predict by entity keys: the model's feature-fed inputs are fetched from the feature store's
online lookup in one batched GetOnlineFeatures call; request-time inputs come from the request.

The feature store answers at most ``max_online_rows`` entity rows per call, so a request with more
keys than serving's ``featurestore_lookup_rows`` is looked up in consecutive chunks of that size,
one call after the other, and the answers are concatenated in request order (values, statuses,
event times, and null rows shifted to their place in the whole request).

The inputs fed from a feature are those whose signature TensorSpec names a feature. Values the
store reports as NULL, NOT_FOUND or OUTSIDE_TTL arrive as null rows, so the deployment's
missing-feature policy applies to them exactly as to nulls sent by a caller.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import grpc

from services.common.dependencies import Dependency
from services.common.errors import FailedPrecondition, InvalidArgument
from services.serving.converters import InputColumn
from services.serving.sessions import ModelSession
from sextant.featurestore.v1 import featurestore_service_pb2 as fs_pb
from sextant.serving.v1 import resources_pb2 as serving_pb
from sextant.type.v1 import features_pb2, tabular_pb2, types_pb2


class FeatureLookup:
    """Builds the model's input columns from entity keys."""

    def __init__(self, featurestore: Dependency, *, chunk_rows: int = 1000) -> None:
        if chunk_rows < 1:
            raise ValueError(f"chunk_rows must be positive, got {chunk_rows}")
        self._featurestore = featurestore
        self._chunk_rows = chunk_rows
        #: session → ({input name: feature reference}, the selection asking for them), forgotten with the session.
        self._fed: weakref.WeakKeyDictionary[ModelSession, tuple[dict, features_pb2.FeatureSelection]] = (
            weakref.WeakKeyDictionary())

    def columns(self, session: ModelSession, keys: tabular_pb2.ColumnBatch, supplied: tabular_pb2.ColumnBatch
                ) -> tuple[list[InputColumn], int, Callable[[], list[serving_pb.FeatureProvenance]]]:
        """The model's input columns for ``keys`` (fetched and supplied), the row count, and a function
        building their provenance (called only when the caller asked for the features used).

        Fetched columns are used in place (no copy); their statuses travel with them so the converter
        masks the rows the store did not answer with a value."""
        rows = keys.row_count or (len(_array(keys.columns[0])) if keys.columns else 0)
        if rows <= 0 or not keys.columns:
            raise InvalidArgument("entity_keys.keys", "expected at least one join-key column with one row per "
                                                      "prediction")
        known = self._fed.get(session)
        if known is None:
            fed = {spec.name: spec.feature for spec in session.signature.inputs if spec.feature.feature_view}
            known = self._fed[session] = (fed, features_pb2.FeatureSelection(
                references=features_pb2.FeatureReferenceList(references=list(fed.values()))))
        fed, selection = known
        if not fed:
            raise FailedPrecondition(f"model {session.model_name!r} version {session.version} has no input fed from "
                                     f"a feature; send feature_values", reason="NO_FEATURE_INPUTS",
                                     metadata={"model_name": session.model_name, "version": session.version})
        supplied_by_name = {}
        for j, column in enumerate(supplied.columns):
            if column.name in fed:
                raise InvalidArgument(f"entity_keys.supplied_values.columns[{j}].name",
                                      f"input {column.name!r} is fed from feature {fed[column.name].feature_view}:"
                                      f"{fed[column.name].feature} and may not be supplied",
                                      metadata={"tensor": column.name})
            supplied_by_name[column.name] = (j, column)
        response = self._lookup(selection, keys, rows)
        by_feature = {(c.feature_view, c.feature): c for c in response.columns}
        columns: list[InputColumn] = []
        used: list[tuple[str, object, object]] = []
        for i, info in enumerate(session.inputs):
            reference = fed.get(info.name)
            if reference is None:
                found = supplied_by_name.get(info.name)
                if found is not None:
                    columns.append(InputColumn(f"entity_keys.supplied_values.columns[{found[0]}]", found[1]))
                    used.append((info.name, None, None))
                continue
            fetched = by_feature.get((reference.feature_view, reference.feature))
            if fetched is None:
                raise FailedPrecondition(f"the feature store returned no column for {reference.feature_view}:"
                                         f"{reference.feature}", reason="FEATURE_MISSING_FROM_LOOKUP",
                                         metadata={"tensor": info.name})
            statuses = fetched.statuses
            if len(statuses) not in (0, rows):
                raise FailedPrecondition(f"the feature store returned {len(statuses)} statuses for {rows} rows of "
                                         f"{reference.feature_view}:{reference.feature}",
                                         reason="FEATURE_LOOKUP_MALFORMED", metadata={"tensor": info.name})
            values = fetched.values
            if values.name != info.name:
                values.name = info.name  # the response is ours alone: rename in place rather than copy
            columns.append(InputColumn(f"entity_keys.columns[{i}]", values, statuses if len(statuses) else None))
            used.append((info.name, reference, fetched))

        def provenance() -> list[serving_pb.FeatureProvenance]:
            items = []
            for name, reference, fetched in used:
                if fetched is None:
                    items.append(serving_pb.FeatureProvenance(
                        input_name=name, statuses=[features_pb2.FEATURE_VALUE_STATUS_SUPPLIED] * rows,
                        event_time_micros=[0] * rows))
                else:
                    items.append(serving_pb.FeatureProvenance(
                        input_name=name, feature=types_pb2.ResolvedFeature(reference=reference),
                        statuses=fetched.statuses, event_time_micros=fetched.event_time_micros))
            return items

        return columns, rows, provenance

    def _lookup(self, selection: features_pb2.FeatureSelection, keys: tabular_pb2.ColumnBatch, rows: int
                ) -> fs_pb.GetOnlineFeaturesResponse:
        """The online features of ``keys``: one call, or one per chunk of ``chunk_rows`` keys concatenated."""
        if rows <= self._chunk_rows:
            if keys.row_count == 0:  # the feature store counts rows by row_count alone
                keys = tabular_pb2.ColumnBatch(row_count=rows, columns=keys.columns)
            return self._call(selection, keys)
        _check_key_lengths(keys, rows)
        merged = None
        for start in range(0, rows, self._chunk_rows):
            stop = min(rows, start + self._chunk_rows)
            part = self._call(selection, _key_slice(keys, start, stop))
            _check_part(part, stop - start)
            if merged is None:
                merged = part
            else:
                _append(merged, part, start)
        merged.row_count = rows
        return merged

    def _call(self, selection: features_pb2.FeatureSelection, keys: tabular_pb2.ColumnBatch
              ) -> fs_pb.GetOnlineFeaturesResponse:
        request = fs_pb.GetOnlineFeaturesRequest(features=selection, entity_keys=keys, full_feature_names=True)
        try:
            return self._featurestore.call("GetOnlineFeatures", request)
        except grpc.RpcError as error:
            if error.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND):
                raise InvalidArgument("entity_keys.keys", f"the feature store refused the lookup: {error.details()}",
                                      reason="FEATURE_LOOKUP_REFUSED") from None
            raise


def _check_key_lengths(keys: tabular_pb2.ColumnBatch, rows: int) -> None:
    """Every key column holds one value per row (a chunk boundary must cut every column alike)."""
    for j, column in enumerate(keys.columns):
        count = len(_array(column))
        if count != rows:
            raise InvalidArgument(f"entity_keys.keys.columns[{j}]", f"key column {column.name!r} holds {count} "
                                                                    f"values for {rows} rows",
                                  reason="CONTENT_SIZE_MISMATCH", metadata={"column": column.name})


def _key_slice(keys: tabular_pb2.ColumnBatch, start: int, stop: int) -> tabular_pb2.ColumnBatch:
    """Rows ``start:stop`` of the key columns."""
    part = tabular_pb2.ColumnBatch(row_count=stop - start)
    for column in keys.columns:
        piece = part.columns.add(name=column.name, dtype=column.dtype, element_shape=column.element_shape)
        kind = column.WhichOneof("values")
        if kind is not None:
            source = getattr(column, kind)
            target = getattr(piece, kind)
            if kind == "timestamp_values":
                target.unix_micros.extend(source.unix_micros[start:stop])
            else:
                target.values.extend(source.values[start:stop])
        piece.null_rows.extend(r - start for r in column.null_rows if start <= r < stop)
    return part


def _check_part(part: fs_pb.GetOnlineFeaturesResponse, rows: int) -> None:
    """One chunk's answer holds ``rows`` values (and statuses) per column, so chunks line up when joined."""
    for column in part.columns:
        count = len(_array(column.values))
        if count != rows or len(column.statuses) not in (0, rows):
            raise FailedPrecondition(f"the feature store answered {count} values for {rows} rows of "
                                     f"{column.feature_view}:{column.feature}", reason="FEATURE_LOOKUP_MALFORMED",
                                     metadata={"feature_view": column.feature_view, "feature": column.feature})


def _append(merged: fs_pb.GetOnlineFeaturesResponse, part: fs_pb.GetOnlineFeaturesResponse, offset: int) -> None:
    """Append the answer for the keys starting at row ``offset`` to ``merged``, column by column."""
    if [(c.feature_view, c.feature) for c in part.columns] != [(c.feature_view, c.feature) for c in merged.columns]:
        raise FailedPrecondition("the feature store answered the chunks of one lookup with different columns",
                                 reason="FEATURE_LOOKUP_MALFORMED")
    for into, column in zip(merged.columns, part.columns, strict=True):
        values = column.values
        if values.null_rows:
            shifted = [r + offset for r in values.null_rows]
            del values.null_rows[:]
            values.null_rows.extend(shifted)
        # MergeFrom concatenates the repeated fields (values, null rows, statuses, event times) in C.
        into.MergeFrom(column)


def _array(column: tabular_pb2.Column) -> object:
    kind = column.WhichOneof("values")
    if kind is None:
        return ()
    values = getattr(column, kind)
    return values.unix_micros if kind == "timestamp_values" else values.values
