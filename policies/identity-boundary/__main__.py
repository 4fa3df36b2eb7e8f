"""The identity-boundary pack: assembles the policies, nothing else.

Constructing ``PolicyPack`` starts the gRPC server and blocks, so the rules live in importable modules,
under ``guardrails/``: a committed symlink to the shared ``policies/guardrails/``, so the pack folder is
self-contained (``pulumi policy publish`` archives it with the symlink followed).
"""

from guardrails.identity import POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name="aws-compute-identity-boundary",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=list(POLICIES),
)
