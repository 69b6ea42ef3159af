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
import numpy as np

from services.common.dependencies import Dependency
from services.common.errors import FailedPrecondition, InvalidArgument
from services.serving.converters import FetchedBlock, InputColumn
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
        #: What a session's lookups need, derived once and forgotten with the session.
        self._plans: weakref.WeakKeyDictionary[ModelSession, _Plan] = weakref.WeakKeyDictionary()

    def columns(self, session: ModelSession, keys: tabular_pb2.ColumnBatch, supplied: tabular_pb2.ColumnBatch
                ) -> tuple[list[InputColumn], FetchedBlock | None, int,
                           Callable[[], list[serving_pb.FeatureProvenance]]]:
        """The model's input columns for ``keys`` (fetched and supplied), the fetched features as one
        block when the feature store answered in its DENSE layout (they are then not among the
        columns), the row count, and a function building their provenance (called only when the
        caller asked for the features used).

        Fetched columns are used in place (no copy); their statuses travel with them so the converter
        masks the rows the store did not answer with a value."""
        rows = keys.row_count or (len(_array(keys.columns[0])) if keys.columns else 0)
        if rows <= 0 or not keys.columns:
            raise InvalidArgument("entity_keys.keys", "expected at least one join-key column with one row per "
                                                      "prediction")
        plan = self._plans.get(session)
        if plan is None:
            plan = self._plans[session] = _Plan(session)
        fed = plan.fed
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
        response = self._lookup(plan, keys, rows)
        if response.HasField("dense"):
            return self._from_block(plan, response, rows, supplied_by_name)
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
                raise _missing_from_lookup(info.name, reference)
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
                    items.append(_supplied_provenance(name, rows))
                else:
                    items.append(serving_pb.FeatureProvenance(
                        input_name=name, feature=types_pb2.ResolvedFeature(reference=reference),
                        statuses=fetched.statuses, event_time_micros=fetched.event_time_micros))
            return items

        return columns, None, rows, provenance

    def _from_block(self, plan: _Plan, response: fs_pb.GetOnlineFeaturesResponse, rows: int,
                    supplied_by_name: dict[str, tuple[int, tabular_pb2.Column]]
                    ) -> tuple[list[InputColumn], FetchedBlock, int, Callable[[], list[serving_pb.FeatureProvenance]]]:
        """:meth:`columns` for an answer in the DENSE layout: its columns are the requested features in
        request order, and its block holds every value."""
        dense = response.dense
        count = len(plan.references)
        wire = _DENSE_TYPES.get(dense.dtype)
        if (wire is None or response.row_count != rows or dense.feature_count != count or len(response.columns) != count
                or len(dense.values) != rows * count * wire.itemsize or len(dense.statuses) != rows * count):
            raise FailedPrecondition(f"the feature store answered a dense block of {len(dense.values)} bytes, "
                                     f"{len(dense.statuses)} statuses and {dense.feature_count} features for {rows} "
                                     f"rows of {count} features", reason="FEATURE_LOOKUP_MALFORMED")
        for column, (name, key) in zip(response.columns, plan.references, strict=True):
            if (column.feature_view, column.feature) != key:
                raise _missing_from_lookup(name, plan.fed[name])
        values = np.frombuffer(dense.values, dtype=wire).reshape(rows, count)
        statuses = np.fromiter(dense.statuses, dtype=np.int32, count=rows * count).reshape(rows, count)
        missing = statuses != _PRESENT
        block = FetchedBlock(values, missing if missing.any() else None, plan.block_inputs, plan.block_groups)
        columns = [InputColumn(f"entity_keys.supplied_values.columns[{j}]", column)
                   for name, (j, column) in supplied_by_name.items() if name in plan.supplied]

        def provenance() -> list[serving_pb.FeatureProvenance]:
            events = np.fromiter(dense.event_time_micros, dtype=np.int64, count=rows * count).reshape(rows, count)
            position = {name: f for f, (name, _) in enumerate(plan.references)}
            items = []
            for info in plan.session_inputs:
                f = position.get(info.name)
                if f is not None:
                    items.append(serving_pb.FeatureProvenance(
                        input_name=info.name, feature=types_pb2.ResolvedFeature(reference=plan.fed[info.name]),
                        statuses=statuses[:, f].tolist(), event_time_micros=events[:, f].tolist()))
                elif info.name in supplied_by_name:
                    items.append(_supplied_provenance(info.name, rows))
            return items

        return columns, block, rows, provenance

    def _lookup(self, plan: _Plan, keys: tabular_pb2.ColumnBatch, rows: int) -> fs_pb.GetOnlineFeaturesResponse:
        """The online features of ``keys``: one call (in the DENSE layout when every fed input takes one
        number per row), or one per chunk of ``chunk_rows`` keys concatenated (as columns)."""
        selection = plan.selection
        if rows <= self._chunk_rows:
            if keys.row_count == 0:  # the feature store counts rows by row_count alone
                keys = tabular_pb2.ColumnBatch(row_count=rows, columns=keys.columns)
            return self._call(selection, keys, plan.layout)
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

    def _call(self, selection: features_pb2.FeatureSelection, keys: tabular_pb2.ColumnBatch,
              layout: int = fs_pb.ONLINE_LAYOUT_COLUMNS) -> fs_pb.GetOnlineFeaturesResponse:
        request = fs_pb.GetOnlineFeaturesRequest(features=selection, entity_keys=keys, full_feature_names=True,
                                                 layout=layout)
        try:
            return self._featurestore.call("GetOnlineFeatures", request)
        except grpc.RpcError as error:
            if error.code() in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.NOT_FOUND):
                raise InvalidArgument("entity_keys.keys", f"the feature store refused the lookup: {error.details()}",
                                      reason="FEATURE_LOOKUP_REFUSED") from None
            raise


_PRESENT = features_pb2.FEATURE_VALUE_STATUS_PRESENT
#: The DENSE layout's value types, as stored (little-endian).
_DENSE_TYPES = {types_pb2.DATA_TYPE_FLOAT64: np.dtype("<f8"), types_pb2.DATA_TYPE_FLOAT32: np.dtype("<f4"),
                types_pb2.DATA_TYPE_BOOL: np.dtype("?")}


class _Plan:
    """A session's lookups: its inputs fed from features, the selection asking for them and, for the
    DENSE layout, which input each feature of the block feeds."""

    def __init__(self, session: ModelSession) -> None:
        #: input name → the feature reference feeding it, in signature order (the selection's order).
        self.fed = {spec.name: spec.feature for spec in session.signature.inputs if spec.feature.feature_view}
        self.selection = features_pb2.FeatureSelection(
            references=features_pb2.FeatureReferenceList(references=list(self.fed.values())))
        #: (input name, (view, feature)) per requested feature, in request order.
        self.references = [(name, (ref.feature_view, ref.feature)) for name, ref in self.fed.items()]
        self.session_inputs = session.inputs
        self.supplied = {info.name for info in session.inputs if info.name not in self.fed}
        index = {info.name: i for i, info in enumerate(session.inputs)}
        by_name = session.input_by_name
        scalar = all(name in by_name and by_name[name].dtype != object and by_name[name].row_shape in ((), (1,))
                     for name in self.fed)
        self.layout = fs_pb.ONLINE_LAYOUT_DENSE if scalar and self.fed else fs_pb.ONLINE_LAYOUT_COLUMNS
        self.block_inputs = [(by_name[name], f"entity_keys.columns[{index[name]}]") for name in self.fed] if scalar \
            else []
        self.block_groups: dict[np.dtype, list[int]] = {}
        for f, (info, _) in enumerate(self.block_inputs):
            self.block_groups.setdefault(info.dtype, []).append(f)


def _missing_from_lookup(name: str, reference: types_pb2.FeatureReference) -> FailedPrecondition:
    return FailedPrecondition(f"the feature store returned no column for {reference.feature_view}:"
                              f"{reference.feature}", reason="FEATURE_MISSING_FROM_LOOKUP", metadata={"tensor": name})


def _supplied_provenance(name: str, rows: int) -> serving_pb.FeatureProvenance:
    return serving_pb.FeatureProvenance(input_name=name, statuses=[features_pb2.FEATURE_VALUE_STATUS_SUPPLIED] * rows,
                                        event_time_micros=[0] * rows)


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
