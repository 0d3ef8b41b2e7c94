"""GET /api/v1/kpis/, /kpis/timeseries, /kpis/breakdown: the KPI catalogue for an area and a
period, week by week, and by child jurisdiction."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ranan.core import kpis
from ranan.core.permissions import Requires
from ranan.reports.dashboard import own_level
from ranan.reports.params import ParamError, parse


class KpiRow(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)


class KpiList(serializers.Serializer):
    jurisdiction = serializers.CharField()
    kpis = KpiRow(many=True)


class Week(serializers.Serializer):
    kpis = KpiRow(many=True)


class Series(serializers.Serializer):
    jurisdiction = serializers.CharField()
    weeks = Week(many=True)


class Child(serializers.Serializer):
    jurisdiction = serializers.CharField()
    name = serializers.CharField()
    kpis = KpiRow(many=True)


class Breakdown(serializers.Serializer):
    jurisdiction = serializers.CharField()
    children = Child(many=True)
    here = KpiRow(many=True, help_text="The records of the area itself, in none of its "
                  "children (e.g. overdue cylinders at a station serving the whole area), for "
                  "the KPIs that have some: with them the children add up to the area.")


PARAMS = [OpenApiParameter("jurisdiction", str, description="division code or #id; default "
                           "the account's area"),
          OpenApiParameter("from", str), OpenApiParameter("to", str),
          OpenApiParameter("kpi", str, many=True, enum=list(kpis.BY_NAME))]


def code_of(node) -> str:
    return node.code or f"#{node.pk}"


class _Base(APIView):
    permission_classes = [Requires("reports.read")]

    def query(self, request):
        try:
            return parse(request.user, request.query_params)
        except ParamError as e:
            raise ValidationError({e.field: [e.message]}) from None


class KpiView(_Base):
    """Every KPI (or those named with `kpi=`, repeatable) of a jurisdiction and a period
    (`from`, `to`; default the last 30 days), each with its numerator and denominator."""

    # The aliases below: the KPIs of some sections by default, over a longer default period.
    sections: tuple[str, ...] = ()
    default_days = 30

    @extend_schema(parameters=PARAMS, responses=KpiList)
    def get(self, request):
        try:
            q = parse(request.user, request.query_params, default_days=self.default_days)
        except ParamError as e:
            raise ValidationError({e.field: [e.message]}) from None
        names = q.names or [k.name for k in kpis.for_user(request.user)
                            if not self.sections or k.section in self.sections]
        return Response({"jurisdiction": code_of(q.node), "from": q.start, "to": q.end,
                         "kpis": kpis.compute(request.user, q.node.path, q.start, q.end,
                                              names)})


class InspectionKpiView(KpiView):
    """Alias of /api/v1/kpis/ (same answer): the inspection and unreached KPIs by default."""

    sections = ("inspection", "unreached")


class HazardKpiView(KpiView):
    """Alias of /api/v1/kpis/ (same answer): the hazard and escalation KPIs by default, of
    hazards found in the last 365 days."""

    sections = ("hazard", "escalation")
    default_days = 365


class TimeseriesView(_Base):
    """The KPIs week by week (Monday to Sunday): `weeks` weeks (default 12) ending with the
    week holding `to`."""

    @extend_schema(parameters=[*PARAMS, OpenApiParameter("weeks", int)], responses=Series)
    def get(self, request):
        q = self.query(request)
        series = kpis.timeseries(request.user, q.node.path, q.end, q.weeks, q.names)
        return Response({"jurisdiction": code_of(q.node), "weeks": [
            {"from": w["from"], "to": w["to"], "kpis": list(w["kpis"].values())}
            for w in series]})


class BreakdownView(_Base):
    """The KPIs of each child jurisdiction over the period."""

    @extend_schema(parameters=PARAMS, responses=Breakdown)
    def get(self, request):
        q = self.query(request)
        rows = kpis.breakdown(request.user, q.node, q.start, q.end, q.names)
        names = list(rows[0]["kpis"]) if rows else []
        here = own_level(kpis.compute(request.user, q.node.path, q.start, q.end, names),
                         rows, names) if rows else None
        return Response({"jurisdiction": code_of(q.node), "from": q.start, "to": q.end,
                         "children": [{"jurisdiction": r["code"] or f"#{r['id']}",
                                       "name": r["name"], "kpis": list(r["kpis"].values())}
                                      for r in rows],
                         "here": list(here["kpis"].values()) if here else []})
