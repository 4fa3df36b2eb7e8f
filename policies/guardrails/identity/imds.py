"""IMDSv2 on every instance and launch template: the identity boundary's last line on the host.

The instance role's credentials are served by the instance metadata service. With IMDSv1 any SSRF in
the workload can read them with one GET; IMDSv2 needs a PUT-issued session token, and a hop limit of
1 keeps that token from leaving the host (a container or a forwarded request cannot reach it).
``httpTokens`` left unset means "optional" on many AMIs, so absence is a violation; an endpoint that is
``disabled`` serves no credentials at all and passes.
"""

from __future__ import annotations

from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
)

from guardrails.iam import quote
from guardrails.identity._config import config_int, defaults, only_types
from guardrails.props import as_int, as_str, get

INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"

SCHEMA: dict[str, dict[str, Any]] = {
    "maxHopLimit": {
        "type": "integer",
        "minimum": 1,
        "maximum": 64,
        "default": 1,
        "description": "Largest allowed metadataOptions.httpPutResponseHopLimit (raise to 2 for containers).",
    },
}
DEFAULTS = defaults(SCHEMA)


def imds_problems(props: Any, max_hop_limit: int) -> list[str]:
    options = get(props, "metadataOptions")
    endpoint = as_str(get(options, "httpEndpoint"))
    if endpoint is not None and endpoint.strip().lower() == "disabled":
        return []
    problems: list[str] = []
    tokens = get(options, "httpTokens")
    if not (isinstance(tokens, str) and tokens.strip().lower() == "required"):
        shown = quote(tokens) if isinstance(tokens, str) else "unset (optional)"
        problems.append(f"metadataOptions.httpTokens is {shown}; it must be 'required' (IMDSv2)")
    hops_raw = get(options, "httpPutResponseHopLimit")
    if hops_raw is not None:
        hops = as_int(hops_raw)
        if hops is None or hops > max_hop_limit:
            shown_hops = "not a whole number" if hops is None else str(hops)
            problems.append(
                f"metadataOptions.httpPutResponseHopLimit is {shown_hops}; "
                f"at most {max_hop_limit} keeps the IMDSv2 token on the host"
            )
    return problems


def _validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
    max_hops = config_int(args.get_config(), "maxHopLimit", DEFAULTS["maxHopLimit"])
    for problem in imds_problems(args.props, max_hops):
        report(f"{quote(args.name)}: {problem}.", None)


imdsv2_required = ResourceValidationPolicy(
    name="ec2-imdsv2-required",
    description="Instances and launch templates require IMDSv2 (httpTokens 'required'), hop limit 1.",
    enforcement_level=EnforcementLevel.ADVISORY,
    severity=Severity.HIGH,
    remediation_steps=(
        "Set metadata_options={'http_tokens': 'required', 'http_put_response_hop_limit': 1} on the "
        "instance or launch template (or http_endpoint 'disabled' if nothing on the host needs "
        "instance metadata)."
    ),
    config_schema=PolicyConfigSchema(properties=SCHEMA),
    validate=only_types([INSTANCE, LAUNCH_TEMPLATE], _validate),
)
