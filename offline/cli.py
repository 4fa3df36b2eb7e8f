"""The offline engine's command line (``python -m offline ...``): ``preview``, ``audit``, ``bench``, ``cloud-coverage``.

``make preview``, ``make audit`` and ``make bench`` call these. Each command imports only what it
needs, so ``--help`` and a config error answer at once, and ``preview`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_FAILED = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m offline",
        description="Preview and audit this Pulumi project without the Pulumi CLI or an AWS account.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{preview,audit,bench,cloud-coverage}")

    preview = commands.add_parser(
        "preview",
        help="run the program under the mock cloud and the policy packs over the Analyzer protocol",
        description="What `pulumi preview --policy-pack` would print for a stack, offline. "
        "Exit 0: no mandatory violation; 1: a mandatory violation; 2: the project, config, program or a pack failed.",
    )
    preview.add_argument("--stack", "-s", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    preview.add_argument("--project-dir", "-C", type=Path, default=Path("."), help="project directory (default: .)")
    _report_arguments(preview)
    preview.add_argument(
        "--policy-pack",
        dest="policy_packs",
        action="append",
        type=Path,
        metavar="DIR",
        help="run this pack (repeatable); default: every pack under <project>/policies",
    )
    preview.add_argument("--no-policies", action="store_true", help="skip the policy packs")
    preview.add_argument("--build-dir", type=Path, help="where the diagram goes (default: <project>/build)")
    preview.add_argument("--no-diagram", action="store_true", help="do not write the diagram")
    preview.add_argument(
        "--first-preview",
        action="store_true",
        help="leave every computed output unknown, as the CLI's first preview of a new stack does",
    )

    audit = commands.add_parser(
        "audit",
        help="run the policy packs over a `pulumi stack export` or `pulumi preview --json` file",
        description="Audit a real stack's state with the policy packs. Same exit codes as preview.",
    )
    audit.add_argument("file", type=Path, help="a `pulumi stack export` (v3) or `pulumi preview --json` file")
    _report_arguments(audit)
    audit.add_argument("--policy-pack", dest="policy_packs", action="append", type=Path, metavar="DIR")
    audit.add_argument(
        "--quotas",
        type=Path,
        metavar="FILE",
        help='service quotas the account raised, JSON {"rules-per-security-group": 120} (default: AWS\'s defaults)',
    )
    audit.add_argument(
        "--allow-not-evaluable",
        action="store_true",
        help="exit 0 even when encrypted secrets kept some values from the packs (default: exit 1)",
    )

    commands.add_parser("bench", help="preview wall time, pack evaluation rate and test-suite time")
    commands.add_parser(
        "cloud-coverage",
        help="print the cloud-rules coverage table (python -m offline cloud-coverage > docs/cloud-rules.md)",
        description="Every (resource type, property) the program sets under every README config, with the cloud "
        "rules that check it. Exit 1 when a property has neither a rule nor a reviewed note.",
    )
    return parser


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, help="write the JSON report here")
    parser.add_argument("--sarif", type=Path, help="write a SARIF 2.1.0 report here")
    parser.add_argument(
        "--policy-config", type=Path, help="policy config JSON, in the CLI's --policy-pack-config format"
    )


def main(argv: Sequence[str] | None = None) -> int:
    # A policy icon must not crash a terminal whose encoding cannot show it.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    args = _parser().parse_args(argv)
    if args.command == "preview":
        from offline.preview import PreviewOptions, preview

        options = PreviewOptions(
            stack=args.stack,
            project_dir=args.project_dir,
            out=args.out,
            sarif=args.sarif,
            policy_config=args.policy_config,
            policy_packs=args.policy_packs,
            policies=not args.no_policies,
            build_dir=args.build_dir,
            diagram=not args.no_diagram,
            first_preview=args.first_preview,
        )
        return preview(options).status
    if args.command == "audit":
        from offline.audit import run_audit

        return run_audit(
            args.file,
            args.policy_config,
            args.out,
            args.sarif,
            packs=args.policy_packs,
            allow_not_evaluable=args.allow_not_evaluable,
            quotas=args.quotas,
        )
    if args.command == "cloud-coverage":
        from offline.cloudrules.coverage import main as coverage

        return coverage()
    return _bench()


def _bench() -> int:
    """``offline/bench.py`` (the analyzer helper's) does the measuring."""
    from offline.bench import main_bench

    return int(main_bench() or 0)


if __name__ == "__main__":
    sys.exit(main())
