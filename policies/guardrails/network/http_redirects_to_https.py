"""http-redirects-to-https: once a stack serves HTTPS, its HTTP listeners only redirect to HTTPS.

Applies when the stack has an HTTPS listener or any certificate (ACM, IAM server certificate, listener
certificate), or always when config says so. An HTTP listener passes only if every terminal action
(default actions, and the actions of listener rules attached to it) is a ``redirect`` whose
``protocol`` is ``HTTPS``: a redirect to HTTP, or the default ``#{protocol}`` that keeps HTTP, is not
one, and a listener rule that forwards over HTTP undoes a redirecting default action. A listener with
no ``protocol`` is HTTP unless its load balancer is a network or gateway load balancer.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)

from .. import props as p
from ..stackgraph import Node, OrderedIndex, StackGraph
from . import tokens as t
from .settings import Settings

NAME = "http-redirects-to-https"

CONFIG = PolicyConfigSchema(
    properties={
        "requireWithoutCertificate": {
            "type": "boolean",
            "description": "Check HTTP listeners even when the stack has no HTTPS listener or certificate.",
            "default": False,
        },
    }
)

_AUTH_ACTIONS = frozenset({"authenticate-cognito", "authenticate-oidc"})


def _protocol(listener: Node, graph: StackGraph) -> str:
    text = p.as_str(p.get(listener.props, "protocol"))
    if text and text.strip():
        return text.strip().upper()
    balancers = graph.resolve_one(
        listener, "loadBalancerArn", p.reference(listener.props, "loadBalancerArn"), [t.LOAD_BALANCER]
    ).nodes
    kinds = {(p.as_str(p.get(b.props, "loadBalancerType")) or "application").strip().lower() for b in balancers}
    return "HTTP" if not kinds or "application" in kinds else "TCP"


def _serves_https(graph: StackGraph) -> bool:
    if graph.of_type(t.ACM_CERTIFICATE, t.IAM_SERVER_CERTIFICATE, t.LISTENER_CERTIFICATE):
        return True
    return any(_protocol(listener, graph) == "HTTPS" for listener in graph.of_type(t.LISTENER))


def action_problems(actions: Any, where: str) -> list[str]:
    problems: list[str] = []
    terminal = 0
    for i, action in enumerate(p.as_list(actions)):
        kind = (p.as_str(p.get(action, "type")) or "").strip().lower()
        if kind in _AUTH_ACTIONS:
            continue
        terminal += 1
        if kind != "redirect":
            label = f"a {kind}" if kind.replace("-", "").isalpha() else "an unreadable"
            problems.append(f"{where}[{i}] is {label} action, not a redirect to HTTPS")
            continue
        target = (p.as_str(p.get(action, "redirect", "protocol")) or "#{protocol}").strip()
        if target.upper() != "HTTPS":
            shown = target if target in ("HTTP", "http", "#{protocol}") else "a protocol other than HTTPS"
            problems.append(f"{where}[{i}] redirects to {shown}, not HTTPS")
    if terminal == 0:
        problems.append(f"{where} has no redirect to HTTPS")
    return problems


def _rules_by_listener(graph: StackGraph) -> OrderedIndex[None]:
    """Listener rules by the listener they attach to (``listenerArn``)."""

    def targets_of(rule: Node) -> list[tuple[None, list[Node]]]:
        value = p.reference(rule.props, "listenerArn")
        return [(None, graph.resolve(rule, "listenerArn", [value], [t.LISTENER]).nodes)]

    return OrderedIndex(graph.of_type(t.LISTENER_RULE), targets_of)


def _validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    graph = StackGraph(args.resources)
    settings = Settings(args.get_config(), CONFIG)
    if not settings.flag("requireWithoutCertificate") and not _serves_https(graph):
        return
    for listener in graph.of_type(t.LISTENER):
        if _protocol(listener, graph) != "HTTP":
            continue
        for problem in action_problems(p.get(listener.props, "defaultActions"), "defaultActions"):
            report_violation(f"HTTP {listener.label()} {problem}", listener.urn)
        for rule, _ in graph.memo("rules_by_listener", lambda: _rules_by_listener(graph)).matching(listener):
            for problem in action_problems(p.get(rule.props, "actions"), "actions"):
                report_violation(f"{rule.label()} on HTTP {listener.label()} {problem}", rule.urn)


POLICY = StackValidationPolicy(
    name=NAME,
    description="When the stack serves HTTPS, every HTTP listener only redirects to HTTPS.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.MEDIUM,
    config_schema=CONFIG,
    remediation_steps=(
        'Make the HTTP listener\'s only default action a redirect with protocol "HTTPS", port "443" and '
        'statusCode "HTTP_301", and attach no forwarding listener rules to it; serve the application '
        "from an HTTPS listener with the certificate."
    ),
    validate=_validate,
)
