"""Opaque page tokens for keyset pagination (AIP-158).

A token encodes the sort key of the last item returned and a digest of the request's filters, so
resuming with different filters is refused instead of silently returning a wrong page. Tokens are
base64url JSON: opaque to clients, not secret.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.common.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class PageRequest:
    """A validated page request: how many items and where to start (None = first page)."""

    size: int
    after: tuple[Any, ...] | None


def filters_digest(filters: Mapping[str, Any]) -> str:
    """A short digest of the filters a listing was asked with."""
    canonical = json.dumps(filters, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def page_request(page_size: int, page_token: str, filters: Mapping[str, Any], *,
                 default: int = DEFAULT_PAGE_SIZE, maximum: int = MAX_PAGE_SIZE) -> PageRequest:
    """Validate ``page_size`` and decode ``page_token`` against the request's ``filters``."""
    if page_size < 0:
        raise InvalidArgument("page_size", f"expected 0 (server default {default}) or a positive number, "
                                           f"got {page_size}")
    size = min(page_size or default, maximum)
    if not page_token:
        return PageRequest(size, None)
    try:
        padded = page_token + "=" * (-len(page_token) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
        after, digest = decoded["a"], decoded["f"]
        if not isinstance(after, list):
            raise ValueError
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidArgument("page_token", "expected a token returned by a previous call") from None
    if digest != filters_digest(filters):
        raise InvalidArgument("page_token", "the token belongs to a listing with other filters; "
                                            "start again without a token")
    return PageRequest(size, tuple(after))


def next_page_token(last_key: tuple[Any, ...] | None, filters: Mapping[str, Any]) -> str:
    """The token that resumes after ``last_key``; empty when there is no next page."""
    if last_key is None:
        return ""
    raw = json.dumps({"a": list(last_key), "f": filters_digest(filters)}, default=str, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")
