"""The Regulation B prohibited bases and how feature names are matched against them.

A basis has a text form (``national_origin``) used in feature store tags and policy sources, and a
built-in table of name synonyms. A name matches a synonym when, split into lower-case tokens at
``_``, ``-``, ``.``, spaces and case changes, it contains the synonym's tokens contiguously, so
``applicant_age`` and ``ApplicantAge`` match ``age`` while ``agency_code`` does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

#: The nine Regulation B bases, by text form, in the order of the contract's enum.
BASES: tuple[str, ...] = ("race", "color", "religion", "national_origin", "sex", "marital_status", "age",
                          "public_assistance", "ccpa_rights")

#: Built-in name synonyms per basis.
DEFAULT_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "race": ("race", "ethnicity", "ethnic_group", "racial"),
    "color": ("color", "colour", "skin_color", "skin_colour"),
    "religion": ("religion", "religious", "faith"),
    "national_origin": ("national_origin", "nationality", "country_of_birth", "citizenship", "birth_country"),
    "sex": ("sex", "gender", "sexual_orientation", "gender_identity"),
    "marital_status": ("marital_status", "marital", "married", "spouse"),
    "age": ("age", "dob", "birth_date", "date_of_birth", "birthdate", "birth_year", "year_of_birth"),
    "public_assistance": ("public_assistance", "welfare", "food_stamps", "snap_benefits", "ssi"),
    "ccpa_rights": ("ccpa_rights", "ccpa_complaint", "consumer_complaint"),
}

_CASE_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_SEPARATORS = re.compile(r"[_\-.\s/:]+")


def tokens(name: str) -> tuple[str, ...]:
    """The lower-case tokens of a feature or column name."""
    spaced = _CASE_BOUNDARY.sub("_", name)
    return tuple(token.lower() for token in _SEPARATORS.split(spaced) if token)


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    width = len(needle)
    return width > 0 and any(tuple(haystack[i:i + width]) == tuple(needle)
                             for i in range(len(haystack) - width + 1))


def basis_from_text(text: str) -> str | None:
    """The basis named by a tag or source value (text form or full enum name), or None."""
    value = text.strip().lower()
    if value.startswith("protected_basis_"):
        value = value[len("protected_basis_"):]
    return value if value in BASES else None


class SynonymTable:
    """Name synonyms of the bases a rule prohibits, with overrides per basis."""

    def __init__(self, bases: Iterable[str], overrides: Mapping[str, Sequence[str]] | None = None) -> None:
        overrides = overrides or {}
        self._table = {basis: tuple(tokens(name) for name in overrides.get(basis, DEFAULT_SYNONYMS[basis]))
                       for basis in bases}
        self._words = {token for synonyms in self._table.values() for synonym in synonyms for token in synonym}
        self._seen: dict[str, tuple[str, str] | None] = {}

    def match(self, name: str) -> tuple[str, str] | None:
        """The first ``(basis, synonym)`` whose synonym the name contains, or None (memoized per name)."""
        if name in self._seen:
            return self._seen[name]
        name_tokens = tokens(name)
        found = None
        if self._words.intersection(name_tokens):
            found = next(((basis, "_".join(synonym)) for basis, synonyms in self._table.items()
                          for synonym in synonyms if _contains(name_tokens, synonym)), None)
        if len(self._seen) < 100_000:
            self._seen[name] = found
        return found
