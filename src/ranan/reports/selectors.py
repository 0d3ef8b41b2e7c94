"""Reads of the reports app."""

from __future__ import annotations

from ranan.core.permissions import can
from ranan.reports.choices import BriefingState
from ranan.reports.models import Briefing


def briefings_for(user):
    """The briefings of the account's area: issued ones for every reader, drafts only for
    those who write briefings (a draft is the task force's work in progress, not a document
    that was sent)."""
    qs = Briefing.objects.visible_to(user).select_related("jurisdiction", "created_by",
                                                          "issued_by")
    if not can(user, "reports.briefing"):
        qs = qs.filter(state=BriefingState.ISSUED)
    return qs
