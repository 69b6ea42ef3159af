"""Write one page per service under docs/services/ listing its RPCs (``make docs``).

The pages come from the contracts themselves: protoc compiles protos/ into a descriptor set with its
comments, and each page lists the service's RPCs in contract order with their streaming shape, their
comment, the roles allowed to call them (services/common/permissions.py) and the fields
of their request. ``--check`` fails when a committed page differs from what the contracts say.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

from google.protobuf import descriptor_pb2

ROOT = Path(__file__).resolve().parent.parent
PROTOS = ROOT / "protos"
OUT = ROOT / "docs" / "services"
sys.path.insert(0, str(ROOT))

from services.common.permissions import PERMISSIONS, describe_rule  # noqa: E402

#: Page name → the .proto file that declares its gRPC services.
PAGES = {
    "featurestore": "sextant/featurestore/v1/featurestore_service.proto",
    "training": "sextant/training/v1/training_service.proto",
    "registry": "sextant/registry/v1/registry_service.proto",
    "serving": "sextant/serving/v1/serving_service.proto",
    "monitoring": "sextant/monitoring/v1/monitoring_service.proto",
    "policy": "sextant/policy/v1/policy_service.proto",
}
#: Extra contracts a service process also serves, documented on the same page.
EXTRA = {"serving": ["inference/grpc_service.proto"]}

_SERVICE, _METHOD, _MESSAGE, _FIELD = 6, 2, 4, 2
_LABELS = {descriptor_pb2.FieldDescriptorProto.LABEL_REPEATED: "repeated "}
_SCALARS = {
    value: name.removeprefix("TYPE_").lower()
    for name, value in descriptor_pb2.FieldDescriptorProto.Type.items()
}


def compile_contracts() -> descriptor_pb2.FileDescriptorSet:
    """Every .proto under protos/ compiled with its comments."""
    sources = sorted(p.relative_to(PROTOS).as_posix() for p in PROTOS.rglob("*.proto"))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "set.pb"
        subprocess.run([sys.executable, "-m", "grpc_tools.protoc", f"-I{PROTOS}", "--include_source_info",
                        f"--descriptor_set_out={out}", *sources], check=True, cwd=PROTOS)
        return descriptor_pb2.FileDescriptorSet.FromString(out.read_bytes())


def _comments(file: descriptor_pb2.FileDescriptorProto) -> dict[tuple[int, ...], str]:
    found = {}
    for location in file.source_code_info.location:
        text = location.leading_comments.strip()
        if text:
            found[tuple(location.path)] = " ".join(line.strip() for line in text.splitlines())
    return found


def _roles() -> dict[str, str]:
    """Full method name → who may call it, from the permission table."""
    return {method: describe_rule(rule) for method, rule in PERMISSIONS.items()}


def _type_name(field: descriptor_pb2.FieldDescriptorProto) -> str:
    if field.type_name:
        return field.type_name.lstrip(".")
    return _SCALARS[field.type]


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or "—"


def render_page(name: str, files: dict[str, descriptor_pb2.FileDescriptorProto], roles: dict[str, str]) -> str:
    """The Markdown page of one service."""
    lines = [f"# {name}", "",
             "Generated from the contracts by `make docs` (tools/servicedocs.py); do not edit by hand.", ""]
    messages: dict[str, tuple[descriptor_pb2.DescriptorProto, dict[tuple[int, ...], str], tuple[int, ...]]] = {}
    for file in files.values():
        comments = _comments(file)
        for index, message in enumerate(file.message_type):
            messages[f"{file.package}.{message.name}"] = (message, comments, (_MESSAGE, index))
    for path in [PAGES[name], *EXTRA.get(name, [])]:
        file = files[path]
        comments = _comments(file)
        for s_index, service in enumerate(file.service):
            full = f"{file.package}.{service.name}"
            lines += [f"## `{full}`", "", f"Contract: `protos/{path}`.", ""]
            if comments.get((_SERVICE, s_index)):
                lines += [comments[(_SERVICE, s_index)], ""]
            lines += ["| RPC | shape | who may call |", "|---|---|---|"]
            for method in service.method:
                shape = {(False, False): "unary", (True, False): "client stream",
                         (False, True): "server stream", (True, True): "bidi stream"}[
                    (method.client_streaming, method.server_streaming)]
                who = roles.get(f"/{full}/{method.name}", "")
                lines.append(f"| [`{method.name}`](#{method.name.lower()}) | {shape} | {_cell(who)} |")
            lines.append("")
            for m_index, method in enumerate(service.method):
                lines += [f"### {method.name}", ""]
                request = method.input_type.lstrip(".")
                response = method.output_type.lstrip(".")
                lines += [f"`{request}` → `{response}`", ""]
                comment = comments.get((_SERVICE, s_index, _METHOD, m_index))
                if comment:
                    lines += [comment, ""]
                lines += _fields(messages.get(request))
    return "\n".join(lines).rstrip() + "\n"


def _fields(entry: tuple[descriptor_pb2.DescriptorProto, dict[tuple[int, ...], str], tuple[int, ...]] | None
            ) -> list[str]:
    if entry is None:
        return []
    message, comments, path = entry
    if not message.field:
        return ["(no request fields)", ""]
    rows = ["| field | type | meaning |", "|---|---|---|"]
    for index, field in enumerate(message.field):
        kind = _LABELS.get(field.label, "") + _type_name(field)
        rows.append(f"| `{field.name}` | `{kind}` | {_cell(comments.get((*path, _FIELD, index), ''))} |")
    return [*rows, ""]


def render_all() -> dict[Path, str]:
    """Every page, keyed by its path."""
    contracts = compile_contracts()
    files = {file.name: file for file in contracts.file}
    roles = _roles()
    pages = {OUT / f"{name}.md": render_page(name, files, roles) for name in PAGES}
    index = ["# Service reference", "",
             "One page per service, generated from `protos/` by `make docs`.", ""]
    index += [f"- [{name}]({name}.md)" for name in PAGES]
    pages[OUT / "README.md"] = "\n".join(index) + "\n"
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when a committed page is stale")
    args = parser.parse_args()
    pages = render_all()
    stale = [path for path, text in pages.items() if not path.exists() or path.read_text() != text]
    if args.check:
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}")
        if stale:
            print("service pages are out of date: run `make docs`")
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for path in stale:
        path.write_text(pages[path])
    print(f"wrote {len(stale)} of {len(pages)} service pages")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
