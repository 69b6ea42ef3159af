"""``sextant``: the command line.

``up``, ``down`` and ``status`` run the local stack and ``demo`` the lending demo; the resource
commands (``features``, ``train``, ``models``, ``deploy``, ``predict``, ``alerts``, ``policy``) call
the services through the SDK, each in its own module. Every resource command takes ``--json`` (one
JSON document on stdout), ``--dir`` (the state folder of ``sextant up``, for the addresses; each can
be overridden with ``SEXTANT_<SERVICE>_ADDRESS``) and ``--timeout``. Failures are one line on
stderr, ``sextant: <reason>: <message>``, never a traceback.

Exit codes: 0 success; 1 the operation failed (a server error, an unreachable service, a policy
denial, a training job that did not succeed); 2 usage error (bad arguments, unreadable input, or
input the server refused as INVALID_ARGUMENT); 3 not found.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import threading
from pathlib import Path

from sextant.cli import alerts, certs, common, features, models, policy, serving, stack, train


def _add_state_dir(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dir", type=Path, default=Path(".sextant"),
                        help="state folder for databases, artifacts, logs and pids (default: ./.sextant)")
    parser.add_argument("--json", action="store_true", help="print machine-readable JSON")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sextant", description="Sextant MLOps platform",
                                     epilog=common.EXIT_CODES_HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    up = commands.add_parser("up", help="start the six services locally and wait until they are healthy")
    _add_state_dir(up)
    up.add_argument("--detach", action="store_true", help="return once healthy and leave the services running")
    up.add_argument("--base-port", type=int, default=None,
                    help="put the services on consecutive ports from this one instead of 50051-50056")
    up.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for health (default 60)")
    down = commands.add_parser("down", help="stop the local stack")
    _add_state_dir(down)
    st = commands.add_parser("status", help="show each local service and its health")
    _add_state_dir(st)
    demo = commands.add_parser("demo", help="bring the stack up and run the lending demo")
    _add_state_dir(demo)
    demo.add_argument("--fresh", action="store_true",
                      help="delete the state folder first (a previous demo's data); refused while a stack runs from it")
    demo.add_argument("--base-port", type=int, default=None, help=argparse.SUPPRESS)
    for module in (features, train, models, serving, alerts, policy):
        module.register(commands)
    certs.add_parser(commands)
    return parser


def _fail(message: str) -> int:
    print(f"sextant: {message}", file=sys.stderr)
    return 1


def _up(args: argparse.Namespace) -> int:
    local = stack.Stack(args.dir, args.base_port)
    try:
        endpoints = local.start(timeout=args.timeout)
    except stack.StackError as error:
        return _fail(str(error))
    except KeyboardInterrupt:
        return _fail("interrupted while starting; every service was stopped")
    try:
        return _serve_foreground(args, local, endpoints)
    except BrokenPipeError:
        if not args.detach:
            local.stop()  # nobody reads the output any more: a foreground stack must not outlive it
        raise


def _serve_foreground(args: argparse.Namespace, local: stack.Stack, endpoints: list[stack.Endpoint]) -> int:
    """Print the endpoints; unless detached, wait for Ctrl-C (or a crashed service) and stop the stack."""
    if args.json:
        print(json.dumps({"services": [e.__dict__ | {"address": e.address} for e in endpoints],
                          "state_dir": str(local.state_dir),
                          "authentication": stack.authentication(local.state_dir)}))
    else:
        print(f"Sextant is up ({local.state_dir}); authentication: {stack.authentication(local.state_dir)}.")
        print(stack.format_endpoints(endpoints))
    if args.detach:
        if not args.json:
            print(f"Stop it with: sextant down --dir {args.dir}")
        return 0
    stopping = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    print("Press Ctrl-C to stop.", flush=True)
    while not stopping.wait(0.5):
        crashed = local.crashed()
        if crashed:
            name, code, last = crashed
            local.stop()
            return _fail(f"{name} exited with code {code}: {stack._explain_exit(last)}; stack stopped")
    print("Stopping…", flush=True)
    local.stop()
    print("Stopped.")
    return 0


def _down(args: argparse.Namespace) -> int:
    stopped = stack.down(args.dir)
    if args.json:
        print(json.dumps({"stopped": stopped}))
    elif stopped:
        print(f"Stopped {', '.join(stopped)}.")
    else:
        print(f"No stack is running from {args.dir}.")
    return 0


def _status(args: argparse.Namespace) -> int:
    rows = stack.status(args.dir)
    if args.json:
        print(json.dumps({"services": [{"name": n, "address": a, "state": s} for n, a, s in rows],
                          "authentication": stack.authentication(args.dir) if rows else None}))
    elif not rows:
        print(f"No stack is recorded in {args.dir}.")
    else:
        print(f"Authentication: {stack.authentication(args.dir)}.")
        for name, address, state in rows:
            print(f"  {name:<13} {address:<18} {state}")
    return 0 if rows and all(state == "SERVING" for _, _, state in rows) else 1


def _demo(args: argparse.Namespace) -> int:
    from sextant.demo import scenario  # the scenario imports pandas and friends: only when asked for

    if args.fresh and args.dir.exists():
        alive = stack.running(args.dir)
        if stack.read_state(args.dir) is None:
            return _fail(f"{args.dir} is not the state folder of a Sextant stack; --fresh deletes only those")
        if alive:
            return _fail(f"a stack is running from {args.dir} ({', '.join(alive)}); stop it with "
                         f"`sextant down --dir {args.dir}` before `sextant demo --fresh`")
        shutil.rmtree(args.dir)
        print(f"Removed {args.dir} (a previous demo's state).")
    local = stack.Stack(args.dir, args.base_port)
    try:
        endpoints = local.start()
    except stack.StackError as error:
        return _fail(str(error))
    print(f"Sextant is up on the embedded default; authentication: {stack.authentication(local.state_dir)}.")
    print(stack.format_endpoints(endpoints), flush=True)
    code = scenario.run({endpoint.name: endpoint.address for endpoint in endpoints}, local.state_dir)
    print()
    print("Everything keeps running so you can look around:")
    print(stack.format_endpoints(endpoints))
    print(f"Stop it with: sextant down --dir {args.dir}")
    return code


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sextant`` console script."""
    args = _parser().parse_args(argv)
    try:
        if hasattr(args, "handler"):
            code = common.run(args.handler, args)
        else:
            handlers = {"up": _up, "down": _down, "status": _status, "demo": _demo, "certs": certs.run}
            code = handlers[args.command](args)
        sys.stdout.flush()  # here, not at interpreter exit, so a closed pipe is handled below
        return code
    except BrokenPipeError:  # `sextant up --json | head -1`: stop quietly, like other tools
        return common.quiet_broken_pipe()


if __name__ == "__main__":
    raise SystemExit(main())
