"""``xlpack consolidate``: returned forms in, the coordinator's analysis out.

Work in progress: the public names below are stable.
"""

from __future__ import annotations

from pathlib import Path

from .consolidated import ConsolidatedAudit, OrphanRow

__all__ = ["ConsolidatedAudit", "OrphanRow", "read_consolidated"]


def read_consolidated(audit: Path) -> ConsolidatedAudit:
    """Read a consolidated coordinator workbook back (plan, returns, grades with moderation, flags...)."""
    raise NotImplementedError("read_consolidated is being written (issue 4)")
