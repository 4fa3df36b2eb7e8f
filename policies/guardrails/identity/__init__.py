"""The identity boundary: who may assume an instance role and what it may do, plus IMDSv2.

``POLICIES`` is what ``policies/identity-boundary/__main__.py`` assembles into a pack; tests and tools
import it without starting the pack's gRPC server.
"""

from __future__ import annotations

from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from guardrails.identity.attachments import instance_role_attachments
from guardrails.identity.imds import imdsv2_required
from guardrails.identity.managed import managed_policy_allowlist
from guardrails.identity.permissions import least_privilege
from guardrails.identity.trust import instance_profile_role_trust, instance_role_trust, no_wildcard_trust

POLICIES: list[ResourceValidationPolicy | StackValidationPolicy] = [
    no_wildcard_trust,
    instance_role_trust,
    instance_profile_role_trust,
    least_privilege,
    managed_policy_allowlist,
    instance_role_attachments,
    imdsv2_required,
]

__all__ = ["POLICIES"]
