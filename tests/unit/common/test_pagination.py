"""Opaque page tokens: round trip, tampering and filter changes refused."""

from __future__ import annotations

import pytest

from services.common.errors import InvalidArgument
from services.common.pagination import MAX_PAGE_SIZE, next_page_token, page_request


def test_round_trip_and_defaults() -> None:
    filters = {"model": "credit", "status": "READY"}
    first = page_request(0, "", filters)
    assert first.size == 50 and first.after is None
    token = next_page_token(("credit", 7), filters)
    resumed = page_request(10, token, filters)
    assert resumed.size == 10 and resumed.after == ("credit", 7)
    assert page_request(10**6, "", filters).size == MAX_PAGE_SIZE
    assert next_page_token(None, filters) == ""


@pytest.mark.parametrize("token", ["garbage", "e30", "!!!!", "eyJhIjogMX0"])
def test_malformed_tokens_are_invalid_argument(token: str) -> None:
    with pytest.raises(InvalidArgument) as caught:
        page_request(5, token, {})
    assert caught.value.field == "page_token"


def test_token_from_other_filters_is_refused() -> None:
    token = next_page_token(("a",), {"model": "a"})
    with pytest.raises(InvalidArgument, match="other filters"):
        page_request(5, token, {"model": "b"})


def test_negative_page_size_is_refused() -> None:
    with pytest.raises(InvalidArgument) as caught:
        page_request(-1, "", {})
    assert caught.value.field == "page_size"
