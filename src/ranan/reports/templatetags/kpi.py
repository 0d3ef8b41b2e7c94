from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def kpi_value(row) -> str:
    """A figure as people read it: 87.5%, 1,204, 3.2 h; "no data" rather than a division by
    zero."""
    value, unit = row.get("value"), row.get("unit")
    if value is None:
        return _("no data")
    if unit == "ratio":
        return f"{number_format(round(value * 100, 1), 1)}%"
    if unit == "hours":
        return _("%(h)s h") % {"h": number_format(round(value, 1), 1)}
    if unit == "days":
        return _("%(d)s d") % {"d": number_format(round(value, 1), 1)}
    if unit == "per_100":
        return number_format(round(value, 1), 1)
    return number_format(value, 0, force_grouping=True)


@register.filter
def kpi_change(change) -> str:
    if not change:
        return ""
    delta = change["delta"]
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    amount = number_format(round(abs(delta), 1), 1 if change["points"] or delta % 1 else 0)
    return _("%(sign)s%(n)s pt") % {"sign": sign, "n": amount} if change["points"] \
        else f"{sign}{amount}"
