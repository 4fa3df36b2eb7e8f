"""Walk the lab's debugging order against the live account and collect one report.

1. unreachable instance (lab), 2. cannot call S3 (both), 3. ASG launches nothing (production),
4. green fleet gate (production with ``green``). Which groups run follows from what the stack exports.
"""

from __future__ import annotations

import ipaddress
import urllib.request

import boto3

from ops.checks import green, launch, reachability, s3access
from ops.checks.context import CheckFn, Context
from ops.report import Report
from ops.session import Aws, resolve_region, whoami
from ops.stackinfo import StackInfo

CHECKIP_URL = "https://checkip.amazonaws.com"
CHECKIP_TIMEOUT = 3.0


def lookup_my_ip(url: str = CHECKIP_URL, timeout: float = CHECKIP_TIMEOUT) -> tuple[str | None, str]:
    """``(address, how it was found)``; never raises: a failed lookup leaves the address unknown."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            text = answer.read(64).decode("ascii", "replace").strip()
        return str(ipaddress.IPv4Address(text)), f"from {url}"
    except (OSError, ValueError) as error:
        return None, f"{url} lookup failed: {error}"


def walk(ctx: Context) -> list[CheckFn]:
    """Every check to run, in the lab's order; which groups follows from what the stack exports."""
    order: list[CheckFn] = []
    if ctx.stack.text("instanceId"):
        order += reachability.CHECKS
        if ctx.probe:
            order.append(reachability.probe)
    order += s3access.CHECKS
    if ctx.stack.text("asgName"):
        order += launch.CHECKS
    if ctx.stack.text("greenAsgName"):
        order += green.CHECKS
    return order


def run(
    stack: StackInfo,
    session: boto3.Session,
    *,
    region: str | None = None,
    my_ip: str | None = None,
    probe: bool = False,
    lookup: bool = True,
) -> tuple[Report, str]:
    """The report, and who the doctor ran as. Raises ``CannotRun`` when it cannot start."""
    aws = Aws(session, resolve_region(region, stack.region, session))
    identity = whoami(aws)
    if my_ip:
        source = "--my-ip"
    elif lookup and stack.text("instanceId"):
        my_ip, source = lookup_my_ip()
    else:
        source = "not looked up"
    ctx = Context(aws, stack, my_ip=my_ip, my_ip_source=source, probe=probe)
    report = Report(stack.name)
    for check in walk(ctx):
        report.add(check(ctx))
    return report, identity
