"""The network-boundary policy pack: assembles the policies, nothing else.

Constructing ``PolicyPack`` starts the Analyzer gRPC server and blocks, so rule logic lives in
importable modules under ``guardrails/``: a committed symlink to the shared ``policies/guardrails/``, so
the pack folder is self-contained (``pulumi policy publish`` archives it with the symlink followed) and
``guardrails`` imports from the folder ``pulumi.policy`` runs ``__main__.py`` in.
"""

from guardrails.network import PACK_NAME, POLICIES
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(name=PACK_NAME, policies=POLICIES, enforcement_level=EnforcementLevel.MANDATORY)
