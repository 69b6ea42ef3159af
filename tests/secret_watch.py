"""Every credential the tests mint, so the whole run's captured output can be checked for leaks.

The security kit registers each secret, API key and token it creates (and each token's signature, the
part that must never be shown). tests/conftest.py scans the captured output and log records of every
test against what has been issued so far (a secret can only leak after it exists) and fails the run,
naming the test, when one appears.
"""

from __future__ import annotations

ISSUED: set[str] = set()
#: (test id, which section) for every leak found.
LEAKS: list[tuple[str, str]] = []


def issue(credential: str) -> str:
    """Remember ``credential`` (and, for a JWT, its signature) as something logs must never contain."""
    ISSUED.add(credential)
    if credential.count(".") == 2:
        ISSUED.add(credential.rsplit(".", 1)[1])
    return credential


def scan(test_id: str, sections: list[tuple[str, str]]) -> None:
    """Record a leak for each captured section of ``test_id`` holding an issued credential."""
    if not ISSUED:
        return
    for title, text in sections:
        if any(secret in text for secret in ISSUED):
            LEAKS.append((test_id, title))
