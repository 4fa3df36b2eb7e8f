"""The network-boundary policy pack: assembles the policies, nothing else.

Constructing ``PolicyPack`` starts the Analyzer gRPC server and blocks, so rule logic lives in
importable modules under ``policies/guardrails/``.
"""

import sys
from pathlib import Path

# Rule logic is shared by both packs and lives in policies/guardrails/, one level up from this pack.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from guardrails.network import PACK_NAME, POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(name=PACK_NAME, policies=POLICIES, enforcement_level=EnforcementLevel.MANDATORY)
