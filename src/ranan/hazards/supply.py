"""What holds back a restore of gas supply (issue 14): the household's hazards still open.
Declared as the hazards app's "inspections.restore_blockers" hook."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ranan.hazards.choices import DONE, State
from ranan.hazards.models import Hazard


def open_hazards(customer) -> list[str]:
    """Why supply cannot be restored yet: the hazards of the household not yet fixed (a fix
    awaiting verification counts as fixed: the inspection the restore rests on saw it)."""
    waiting = list(Hazard.objects.filter(customer=customer)
                   .exclude(state__in=[*DONE, State.FIXED, State.VERIFIED])
                   .select_related("category").order_by("deadline", "id")[:5])
    if not waiting:
        return []
    return [_("%(n)d hazards of this household are not fixed yet (%(list)s): fix them "
              "first.") % {"n": len(waiting),
                           "list": "、".join(f"#{h.pk} {h.category}" for h in waiting)}]
