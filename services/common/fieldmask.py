"""Update masks (AIP-134): the one check every Update RPC makes before it changes anything."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from services.common.errors import InvalidArgument


def checked_paths(paths: Sequence[str], allowed: Collection[str], *, nested: bool = False) -> list[str]:
    """The mask's paths when each names an updatable field; INVALID_ARGUMENT naming the first that does not.

    With ``nested``, a path inside an updatable field (``condition.threshold``) counts as that field.
    An empty mask is refused: callers that treat it as "every field" pass ``allowed`` themselves.
    """
    expected = ", ".join(sorted(allowed))
    if not paths:
        raise InvalidArgument("update_mask", f"expected at least one of {expected}")
    for i, path in enumerate(paths):
        field = path.split(".", 1)[0] if nested else path
        if field not in allowed:
            raise InvalidArgument(f"update_mask.paths[{i}]", f"expected one of {expected}, got {path!r}")
    return list(paths)
