"""Validation shared by every resource: names, etags and the update masks of Update RPCs."""

from __future__ import annotations

import hashlib
import re
import time

from services.common.errors import Aborted, InvalidArgument

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def check_name(field: str, value: str) -> None:
    """INVALID_ARGUMENT unless ``value`` matches ``[a-z0-9][a-z0-9_-]{0,62}``."""
    if not NAME_PATTERN.match(value or ""):
        raise InvalidArgument(field, f"expected a name matching [a-z0-9][a-z0-9_-]{{0,62}}, got {value!r}")


def etag_of(body: bytes) -> str:
    """An opaque version tag of a stored resource."""
    return hashlib.sha256(body).hexdigest()[:16]


def check_etag(kind: str, name: str, given: str, stored: str) -> None:
    """ABORTED when a given etag no longer matches the stored one."""
    if given and given != stored:
        raise Aborted(f"the {kind} {name!r} changed since it was read (etag mismatch)", reason="ETAG_MISMATCH",
                      metadata={"kind": kind, "name": name, "etag": given, "current_etag": stored})


def now_us() -> int:
    """The current time in microseconds since the epoch."""
    return int(time.time() * 1_000_000)
