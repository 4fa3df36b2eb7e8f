"""Put ``policies/`` on ``sys.path`` so tests import rule logic by the packs' name for it (``import guardrails``).

Each pack reaches the same folder through its ``guardrails -> ../guardrails`` symlink; the tests import it once,
from ``policies/guardrails/``, never through a pack's symlink.
"""

from __future__ import annotations

import sys
from pathlib import Path

POLICIES_DIR = Path(__file__).resolve().parents[2] / "policies"
if str(POLICIES_DIR) not in sys.path:
    sys.path.insert(0, str(POLICIES_DIR))
