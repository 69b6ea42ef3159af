"""What the resource commands share: connection options, output (tables, JSON, progress bars),
input files and the mapping of failures to one stderr line and an exit code.

Exit codes (the same for every command): 0 success; 1 the operation failed (a server error, an
unreachable service, a policy denial, a job that did not succeed); 2 usage error (bad arguments or
input the server refused as INVALID_ARGUMENT); 3 not found; 141 stdout's reader closed the pipe.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message

from sextant import errors

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NOT_FOUND = 0, 1, 2, 3

EXIT_CODES_HELP = """exit codes:
  0  success
  1  the operation failed (server error, service unreachable, policy denial, job not succeeded)
  2  usage error (bad arguments, unreadable input, or input the server refused as invalid)
  3  not found
  141  stdout's reader closed the pipe (`sextant ... | head`), as a shell reports SIGPIPE

Service addresses come from --dir (the state folder of `sextant up`, default .sextant) or from
SEXTANT_<SERVICE>_ADDRESS; SEXTANT_CREDENTIAL (a JWT or an sxk_ API key) and SEXTANT_TLS_CA_FILE,
SEXTANT_TLS_CERT_FILE, SEXTANT_TLS_KEY_FILE configure authentication and TLS."""


class UsageError(Exception):
    """Bad arguments or input found by the CLI itself (exit code 2)."""


def common_options() -> argparse.ArgumentParser:
    """The options every resource command takes (use as a parent parser)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--dir", type=Path, default=Path(".sextant"),
                        help="state folder of `sextant up`, for the service addresses (default: ./.sextant)")
    parent.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    parent.add_argument("--timeout", type=float, default=None, help="deadline of each call in seconds")
    return parent


def add_command(commands: Any, name: str, handler: Callable[[argparse.Namespace], int], help: str,
                parents: Sequence[argparse.ArgumentParser] = ()) -> argparse.ArgumentParser:
    """A leaf subcommand running ``handler`` with the common options and the exit-code epilog."""
    parser = commands.add_parser(name, help=help, description=help, parents=[common_options(), *parents],
                                 epilog=EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.set_defaults(handler=handler)
    return parser


def connect(args: argparse.Namespace) -> Any:
    """The SDK facade for the stack of ``--dir`` (addresses overridable by SEXTANT_<SERVICE>_ADDRESS)."""
    from sextant.client import Sextant  # pandas and pyarrow only for the commands that need them

    options = {"timeout": args.timeout} if args.timeout else {}
    return Sextant.local(args.dir, **options)


def to_dict(message: Message) -> dict:
    """A protobuf message as JSON-ready data with the proto field names."""
    return json_format.MessageToDict(message, preserving_proto_field_name=True)


def frame_records(frame: Any) -> list[dict]:
    """A DataFrame as JSON-ready records (timestamps in ISO 8601, NaN as null)."""
    return json.loads(frame.to_json(orient="records", date_format="iso"))


def emit(args: argparse.Namespace, document: Any, text: str | Callable[[], str]) -> None:
    """Print ``document`` as JSON with ``--json``, else ``text``."""
    if args.json:
        print(json.dumps(document, default=str))
    else:
        print(text() if callable(text) else text)


def table(rows: Iterable[Sequence[Any]], headers: Sequence[str]) -> str:
    """Rows as an aligned plain-text table (``(none)`` when empty)."""
    body = [["" if v is None else str(v) for v in row] for row in rows]
    if not body:
        return "(none)"
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(headers)]
    lines = ["  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in body]
    return "\n".join(lines)


def enum_name(enum: Any, value: int, prefix: str) -> str:
    """``READY`` for ``DEPLOYMENT_STATE_READY``; ``-`` for the unspecified value."""
    try:
        name = enum.Name(value).removeprefix(prefix)
    except ValueError:
        return str(value)
    return "-" if name == "UNSPECIFIED" else name


def progress_bar(fraction: float, width: int = 24) -> str:
    """``[#########...............]  37%``."""
    fraction = 0.0 if math.isnan(fraction) else min(max(fraction, 0.0), 1.0)
    filled = int(round(fraction * width))
    return f"[{'#' * filled}{'.' * (width - filled)}] {fraction * 100:3.0f}%"


def read_table(path: str) -> Any:
    """A DataFrame from a .parquet, .csv, .json (records) or .jsonl file; in CSV files, columns
    named ``*timestamp`` or ``*_time`` are parsed as UTC-naive timestamps."""
    import pandas as pd

    source = Path(path)
    if not source.is_file():
        raise UsageError(f"no such file: {path}")
    suffix = source.suffix.lower()
    try:
        if suffix == ".parquet":
            return pd.read_parquet(source)
        if suffix == ".jsonl":
            return pd.read_json(source, lines=True)
        if suffix == ".json":
            return pd.DataFrame.from_records(json.loads(source.read_text()))
        if suffix == ".csv":
            frame = pd.read_csv(source)
            for column in frame.columns:
                if str(column).endswith(("timestamp", "_time")):
                    frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_localize(None)
            return frame
    except (ValueError, OSError) as error:
        raise UsageError(f"cannot read {path}: {error}") from None
    raise UsageError(f"{path}: expected a .parquet, .csv, .json or .jsonl file")


def parse_key_values(pairs: Sequence[str], what: str) -> dict[str, list[Any]]:
    """``["customer_id=1,2"]`` as ``{"customer_id": [1, 2]}`` (integers and floats recognised)."""
    columns: dict[str, list[Any]] = {}
    for pair in pairs:
        name, sep, values = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"{what} {pair!r} is not of the form name=value[,value…]")
        columns[name] = [_number(v) for v in values.split(",")]
    if len({len(v) for v in columns.values()}) > 1:
        raise UsageError(f"every {what} needs the same number of values")
    return columns


def _number(text: str) -> Any:
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def split_list(text: str | None) -> list[str]:
    """``"a,b, c"`` as ``["a", "b", "c"]``."""
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def fail(message: str, code: int = EXIT_FAILED) -> int:
    """Print ``sextant: <message>`` on stderr and return ``code``."""
    print(f"sextant: {message}", file=sys.stderr)
    return code


#: Exit status when stdout's reader closed the pipe (what a shell reports for a process ended by SIGPIPE).
EXIT_BROKEN_PIPE = 141


def quiet_broken_pipe() -> int:
    """Stdout's reader went away (`sextant ... | head -1`): point stdout at /dev/null so nothing complains
    again when it is flushed at exit, and return :data:`EXIT_BROKEN_PIPE`."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return EXIT_BROKEN_PIPE


def run(handler: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a resource command: any failure becomes one stderr line and its exit code, never a traceback."""
    try:
        return handler(args)
    except errors.SextantError as error:
        reason = error.reason or error.code.name
        code = {errors.NotFoundError: EXIT_NOT_FOUND, errors.InvalidArgumentError: EXIT_USAGE}.get(
            type(error), EXIT_FAILED)
        detail = "; ".join(v.description for v in error.precondition_violations)
        if isinstance(error, errors.UnavailableError) and not error.reason:
            detail = "is the stack up? see `sextant status`"
        elif isinstance(error, errors.UnauthenticatedError):
            detail = detail or "set SEXTANT_CREDENTIAL to a token or an sxk_ API key"
        return fail(f"{reason}: {error.message}" + (f" ({detail})" if detail else ""), code)
    except UsageError as error:
        return fail(f"USAGE: {error}", EXIT_USAGE)
    except (ValueError, TypeError, FileNotFoundError, ImportError, SyntaxError) as error:
        return fail(f"USAGE: {error}", EXIT_USAGE)
    except TimeoutError as error:
        return fail(f"TIMEOUT: {error}")
    except KeyboardInterrupt:
        return fail("INTERRUPTED: stopped by the user")
    except BrokenPipeError:  # `sextant ... | head`: stop quietly
        return quiet_broken_pipe()
    except Exception as error:  # noqa: BLE001 - the CLI promises one line, never a traceback
        return fail(f"ERROR: {type(error).__name__}: {error}")
