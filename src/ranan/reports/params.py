"""The parameters every report reads (jurisdiction, period, KPI names, weeks), checked once for
the API and the pages: an error names the parameter."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from ranan.core import kpis
from ranan.core.models import Jurisdiction
from ranan.core.selectors import jurisdiction_by_code
from ranan.lib.dates import parse_day


class ParamError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass
class Query:
    node: Jurisdiction
    start: datetime.date
    end: datetime.date
    names: list[str]
    weeks: int


def home_node(user) -> Jurisdiction | None:
    """The top of the account's own area (the first, when it holds several)."""
    if user.is_superuser:
        return Jurisdiction.objects.filter(parent__isnull=True).order_by("path").first()
    nodes = sorted(user.area.all(), key=lambda n: (len(n.path), n.path))
    return nodes[0] if nodes else None


def home_nodes(user, limit: int = 4) -> list[Jurisdiction]:
    """The tops of the account's own area: every area it holds that no other of its areas
    contains (a courier of two villages: both), the first `limit` of them in tree order."""
    if user.is_superuser:
        node = home_node(user)
        return [node] if node else []
    tops: list[Jurisdiction] = []
    for n in sorted(user.area.all(), key=lambda n: (len(n.path), n.path)):
        if not any(n.path.startswith(t.path) for t in tops):
            tops.append(n)
    return sorted(tops, key=lambda n: n.path)[:limit]


def _date(params, key: str):
    try:
        return parse_day(params.get(key))
    except ValueError:
        raise ParamError(key, _("A date, YYYY-MM-DD.")) from None


def parse(user, params, default_days: int = 30, require_node: bool = False) -> Query:
    """Jurisdiction (division code or #id; default the account's area; out of the area: 404),
    from/to (default the last `default_days` days to today; reversed, or starting in the
    future: an error), kpi (repeatable, each must exist), weeks (1-104, default 12)."""
    code = (params.get("jurisdiction") or "").strip()
    if code:
        node = jurisdiction_by_code(user, code)
        if node is None:
            raise Http404(_("No jurisdiction “%(code)s” in your area.") % {"code": code})
    elif require_node:
        raise ParamError("jurisdiction", _("This parameter is required."))
    else:
        node = home_node(user)
        if node is None:
            raise Http404(_("Your account has no area."))
    today = timezone.localdate()
    end = _date(params, "to") or today
    start = _date(params, "from") or end - datetime.timedelta(days=default_days - 1)
    if start > end:
        raise ParamError("from", _("The period starts after it ends."))
    if start > today:
        raise ParamError("from", _("The period starts in the future."))
    end = min(end, today)
    names = [n for n in params.getlist("kpi") if n] if hasattr(params, "getlist") else []
    unknown = [n for n in names if n not in kpis.BY_NAME]
    if unknown:
        raise ParamError("kpi", _("Unknown KPI: %(names)s") % {"names": ", ".join(unknown)})
    raw_weeks = (params.get("weeks") or "12").strip()
    if not raw_weeks.isdigit() or not 1 <= int(raw_weeks) <= 104:
        raise ParamError("weeks", _("A whole number of weeks from 1 to 104."))
    return Query(node, start, end, names, int(raw_weeks))
