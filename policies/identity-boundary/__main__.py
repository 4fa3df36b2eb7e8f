"""The identity-boundary pack: assembles the policies, nothing else.

Constructing ``PolicyPack`` starts the gRPC server and blocks, so the rules live in importable modules.
"""

import sys
from pathlib import Path

# Rule logic is shared by both packs and by the tests, so it lives in policies/guardrails/, one level up.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guardrails.identity import POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name="aws-compute-identity-boundary",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=list(POLICIES),
)
