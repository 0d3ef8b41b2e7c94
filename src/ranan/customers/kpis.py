"""The customers' KPIs: safety devices in place (DOMAIN.md), and the record sets other apps'
KPIs build on (the area's customers, active ones, households)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ranan.core.kpis import Context, Kpi, Rows
from ranan.customers.choices import CustomerKind, CustomerStatus
from ranan.customers.models import Customer, Device

CUSTOMER_ROWS = Rows([(_("Customer"), "name"), (_("Address"), "address"),
                      (_("Area"), "jurisdiction")],
                     link=lambda o: reverse("customer-detail", args=[o.pk]))


def customers(ctx: Context) -> QuerySet:
    """The customers of the area the account sees."""
    return ctx.once("customers", lambda: Customer.objects.visible_to(ctx.user).filter(
        ctx.within("jpath")))


def active(ctx: Context) -> QuerySet:
    return customers(ctx).filter(status=CustomerStatus.ACTIVE)


def households(ctx: Context) -> QuerySet:
    return active(ctx).filter(kind=CustomerKind.RESIDENTIAL)


def _device(kind: str, condition: Q, lpg_only: bool = False):
    def base(ctx: Context) -> QuerySet:
        qs = households(ctx)
        return qs.filter(supply="lpg") if lpg_only else qs

    def records(ctx: Context) -> QuerySet:
        having = (Device.objects.filter(customer=OuterRef("pk"), kind=kind,
                                        removed_on__isnull=True).filter(condition)
                  .filter(Q(installed_on__isnull=True) | Q(installed_on__lte=ctx.end)))
        return base(ctx).filter(Exists(having))
    return records, base


_hose, _households = _device("hose", Q(material="metal"))
_valve = _device("valve", Q(self_closing=True))[0]
_alarm = _device("alarm", Q())[0]
_cutoff, _lpg_households = _device("regulator", Q(has_cutoff=True), lpg_only=True)

KPIS = [
    Kpi("metal_hose_coverage", _("Metal hose coverage"), "ratio",
        _("active households with a metal hose in place / active households"), _hose,
        base=_households, section="device", rows=CUSTOMER_ROWS, order=400),
    Kpi("self_closing_valve_coverage", _("Self-closing valve coverage"), "ratio",
        _("active households with a self-closing valve in place / active households"), _valve,
        base=_households, section="device", rows=CUSTOMER_ROWS, order=410),
    Kpi("regulator_cutoff_coverage", _("Regulator cut-off coverage"), "ratio",
        _("active LPG households with a regulator with cut-off / active LPG households"),
        _cutoff, base=_lpg_households, section="device", rows=CUSTOMER_ROWS, order=420),
    Kpi("alarm_coverage", _("Gas alarm coverage"), "ratio",
        _("active households with a gas alarm in place / active households"), _alarm,
        base=_households, section="device", rows=CUSTOMER_ROWS, order=430),
]
