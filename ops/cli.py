"""``python -m ops doctor``: the lab's debugging order as a command (``make doctor``).

Exit status: 0 every check passed (warnings allowed), 1 a check failed, 2 the doctor could not run
(no credentials, no stack outputs, no region). Every exit ends with one line, never a traceback.
"""

from __future__ import annotations

import argparse
import ipaddress
import sys
from collections.abc import Sequence
from pathlib import Path

import boto3

EXIT_CANNOT_RUN = 2
PROJECT_DIR = Path(__file__).resolve().parents[1]


def _address(text: str) -> str:
    try:
        return str(ipaddress.IPv4Address(text.strip().removesuffix("/32")))
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an IPv4 address: {text!r}") from error


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ops", description="Operations against the live account.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{doctor}")
    doctor = commands.add_parser(
        "doctor",
        help="walk the lab's debugging order against the deployed stack (read-only)",
        description="Check a deployed stack in the lab's order: reachability (lab), S3 access (both), "
        "launches (production), the green gate (production with green). Read-only. "
        "Exit 0: every check passed; 1: a check failed; 2: the doctor could not run.",
    )
    doctor.add_argument("--stack", "-s", default="dev", help="stack name (default: dev)")
    doctor.add_argument(
        "--outputs",
        type=Path,
        metavar="FILE",
        help="`pulumi stack output --json` saved to a file (default: ask the CLI)",
    )
    doctor.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="`pulumi config --json` saved to a file (default: ask the CLI, else read Pulumi.<stack>.yaml)",
    )
    doctor.add_argument("--my-ip", type=_address, help="your public IPv4 address (default: ask checkip.amazonaws.com)")
    doctor.add_argument("--no-lookup", action="store_true", help="never call checkip.amazonaws.com")
    doctor.add_argument("--json", type=Path, metavar="FILE", help="also write the report as JSON")
    doctor.add_argument("--probe", action="store_true", help="also open a TCP connection to the instance's tcp/22")
    doctor.add_argument("--region", help="AWS region (default: the stack's aws:region, else AWS_REGION)")
    doctor.add_argument("--profile", help="AWS profile (default: AWS_PROFILE, else the standard chain)")
    doctor.add_argument("--project-dir", "-C", type=Path, default=PROJECT_DIR, help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None, *, session: boto3.Session | None = None) -> int:
    """Run the CLI; ``session`` lets a caller supply (and observe) the boto3 session."""
    args = _parser().parse_args(argv)
    from ops import doctor, stackinfo
    from ops.report import one_line
    from ops.session import CannotRun, NotReadOnly, open_session

    try:
        stack = stackinfo.load(args.stack, args.outputs, args.config, args.project_dir)
        session = session or open_session(args.profile)
        report, identity = doctor.run(
            stack, session, region=args.region, my_ip=args.my_ip, probe=args.probe, lookup=not args.no_lookup
        )
    except (CannotRun, NotReadOnly) as error:
        print(one_line(f"doctor: cannot run: {error}"), file=sys.stderr)
        return EXIT_CANNOT_RUN
    except Exception as error:  # noqa: BLE001 - the contract is one line and exit 2, never a traceback
        print(one_line(f"doctor: cannot run: unexpected {type(error).__name__}: {error}"), file=sys.stderr)
        return EXIT_CANNOT_RUN
    print(f"doctor: stack {stack.name}, {identity}")
    print(report.render(), end="")
    if args.json is not None:
        try:
            args.json.write_text(report.dumps())
        except OSError as error:
            print(f"doctor: cannot write {args.json}: {error.strerror}", file=sys.stderr)
            return EXIT_CANNOT_RUN
    return report.exit_code
