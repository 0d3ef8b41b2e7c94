"""GET /api/v1/kpis/: the KPI catalogue for an area and a period."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ranan.core.api_base import date_param
from ranan.core.permissions import has_data_role
from ranan.core.selectors import jurisdiction_by_code
from ranan.reports import kpis


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


class KpiView(APIView):
    """Every KPI (or those named with `kpi=`, repeatable) of a jurisdiction and a period
    (`from`, `to`; default the last 30 days), each with its numerator and denominator."""

    @extend_schema(parameters=[
        OpenApiParameter("jurisdiction", str, required=True, description="division code or #id"),
        OpenApiParameter("from", str), OpenApiParameter("to", str),
        OpenApiParameter("kpi", str, many=True, enum=list(kpis.BY_NAME))],
        responses=KpiList)
    def get(self, request):
        if not has_data_role(request.user):
            raise PermissionDenied
        params = request.query_params
        code = params.get("jurisdiction", "")
        node = jurisdiction_by_code(request.user, code) if code else None
        if node is None:
            raise ValidationError({"jurisdiction": _("Unknown jurisdiction code “%(code)s”.") % {
                "code": code}})
        end = date_param(params, "to") or timezone.localdate()
        start = date_param(params, "from") or end - datetime.timedelta(days=29)
        if start > end:
            raise ValidationError({"from": _("After the end of the period.")})
        names = params.getlist("kpi")
        unknown = [n for n in names if n not in kpis.BY_NAME]
        if unknown:
            raise ValidationError({"kpi": _("Unknown KPI: %(names)s") % {
                "names": ", ".join(unknown)}})
        return Response({"jurisdiction": node.code or f"#{node.pk}", "from": start, "to": end,
                         "kpis": kpis.compute(request.user, node.path, start, end, names)})
