"""Pure definition logic: canonical form and fingerprint, change classification, references."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.common.errors import InvalidArgument
from services.featurestore.definitions.diff import BREAKING, COMPATIBLE, view_changes
from services.featurestore.definitions.fingerprint import canonical_view, fingerprint
from services.featurestore.definitions.plan import plan_apply
from services.featurestore.definitions.references import format_reference, parse_reference
from services.featurestore.definitions.snapshot import DefinitionSnapshot
from sextant.featurestore.v1 import resources_pb2
from sextant.type.v1 import governance_pb2
from tests.integration.featurestore.helpers import T, entity, feature, view

ENTITIES = {"customer": entity()}


def _view(**kwargs: object) -> resources_pb2.FeatureView:
    return view("credit", [feature("income"), feature("age", T.DATA_TYPE_INT64)], ttl=timedelta(days=1), **kwargs)


def test_fingerprint_ignores_metadata_but_not_the_schema() -> None:
    base = fingerprint(canonical_view(_view(), ENTITIES))
    described = _view(team="other")
    described.description = "changed"
    assert fingerprint(canonical_view(described, ENTITIES)) == base
    tagged = _view(tags={"domain": "credit"})
    assert fingerprint(canonical_view(tagged, ENTITIES)) != base
    rekeyed = {"customer": entity(key="cid")}
    assert fingerprint(canonical_view(_view(), rekeyed)) != base
    assert len(base) == 64


@pytest.mark.parametrize(("mutate", "path", "compatibility"), [
    (lambda v: v.features.append(feature("debt")), "features[debt]", COMPATIBLE),
    (lambda v: v.features.pop(), "features[age]", BREAKING),
    (lambda v: setattr(v.features[0], "dtype", T.DATA_TYPE_FLOAT32), "features[income].dtype", BREAKING),
    (lambda v: setattr(v.features[1], "protected_basis", governance_pb2.PROTECTED_BASIS_AGE),
     "features[age].protected_basis", BREAKING),
    (lambda v: v.features[0].tags.update({"unit": "eur"}), "features[income].tags[unit]", COMPATIBLE),
    (lambda v: setattr(v.ttl, "seconds", 3600), "ttl", BREAKING),
    (lambda v: setattr(v.ttl, "seconds", 86400 * 7), "ttl", COMPATIBLE),
    (lambda v: v.ClearField("ttl"), "ttl", COMPATIBLE),
    (lambda v: setattr(v, "source_kind", resources_pb2.SOURCE_KIND_PUSH), "source_kind", BREAKING),
])
def test_changes_are_classified(mutate, path: str, compatibility: int) -> None:  # noqa: ANN001
    old, new = _view(), _view()
    mutate(new)
    changes = view_changes(canonical_view(old, ENTITIES), canonical_view(new, ENTITIES), old, new)
    assert [(c.path, c.compatibility) for c in changes] == [(path, compatibility)]


def test_plan_of_an_empty_store_and_bad_sets() -> None:
    now = datetime.now(UTC)
    outcome = plan_apply(DefinitionSnapshot(), [entity()], [_view()], [], now=now, principal="me")
    assert [i.change_type for i in outcome.plan.items] == [resources_pb2.CHANGE_TYPE_CREATED] * 2
    assert outcome.views[0].version == 1 and outcome.views[0].created_by == "me"
    assert len(outcome.events) == 2
    with pytest.raises(InvalidArgument) as failure:
        plan_apply(DefinitionSnapshot(), [entity(), entity()], [], [], now=now, principal="me")
    assert failure.value.field == "entities[1].name"


def test_reference_text_forms() -> None:
    ref = parse_reference("credit@v2:income")
    assert (ref.feature_view, ref.version, ref.feature) == ("credit", 2, "income")
    assert format_reference(ref) == "credit@v2:income"
    assert parse_reference("credit:income").version == 0
    for bad in ("credit", "credit@2:income", "Credit:income", "credit@v0:income"):
        with pytest.raises(InvalidArgument):
            parse_reference(bad)
