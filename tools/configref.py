"""Write docs/operations.md's configuration reference from the settings classes (``make docs``).

With ``--check`` it fails when the committed page differs from what the code says.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.catalog import SERVICES, settings_class  # noqa: E402
from services.common.settings import DEFAULT_METRICS_PORTS, DEFAULT_PORTS, describe  # noqa: E402

PAGE = ROOT / "docs" / "operations.md"

INTRO = """# Operations

Each service is one process, `python -m services.<name>`, configured only by environment variables
named `SEXTANT_<SERVICE>_<SETTING>`. Values are validated at start: a malformed or unknown variable
stops the process with one line naming it. This page is generated from the settings classes by
`make docs`; a test fails when it is stale.

## Ports of the embedded stack (`sextant up`)

| service | gRPC | Prometheus metrics |
|---|---|---|
"""


def render() -> str:
    """The whole page."""
    parts = [INTRO]
    for name in SERVICES:
        parts.append(f"| {name} | {DEFAULT_PORTS[name]} | {DEFAULT_METRICS_PORTS[name]} |\n")
    parts.append("\n`sextant up` sets each service's port, metrics port, data folder and dependency addresses;\n"
                 "`sextant up --base-port N` moves the six gRPC ports to N…N+5.\n\n## Configuration reference\n")
    for name in SERVICES:
        parts.append(f"\n### {name}\n\n| variable | default | meaning |\n|---|---|---|\n")
        for variable, default, doc in describe(settings_class(name), name):
            shown = f"`{default}`" if default != "" else "(empty)"
            parts.append(f"| `{variable}` | {shown} | {doc} |\n")
    return "".join(parts)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not PAGE.exists() or PAGE.read_text() != text:
            print("docs/operations.md is stale: run `make docs`")
            return 1
        return 0
    PAGE.write_text(text)
    print(f"wrote {PAGE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
