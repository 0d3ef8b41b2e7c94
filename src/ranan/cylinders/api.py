"""Cylinder endpoints: the scan interlock, a cylinder and its chain (the rest of issue 4's
API comes with its pages)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from ranan.core.api import ScopedPrimaryKeyField
from ranan.core.api_base import error_response
from ranan.core.models import Account
from ranan.core.permissions import has_data_role
from ranan.customers.models import Customer
from ranan.cylinders import services
from ranan.cylinders.choices import Action
from ranan.cylinders.models import Cylinder, CylinderEvent


class ScanSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40)
    action = serializers.ChoiceField(choices=Action.choices)
    client_id = serializers.UUIDField()
    courier = ScopedPrimaryKeyField(model=Account, required=False, allow_null=True)
    customer = ScopedPrimaryKeyField(model=Customer, required=False, allow_null=True)
    net_weight_kg = serializers.DecimalField(max_digits=5, decimal_places=2, min_value=0,
                                             max_value=100, required=False, allow_null=True)
    filling_line = serializers.CharField(max_length=20, required=False, allow_blank=True)


class CylinderSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="type.name")
    station = serializers.CharField(source="station.name")

    class Meta:
        model = Cylinder
        fields = ["code", "type", "manufacturer", "serial", "made_on", "last_inspected_on",
                  "next_inspection_due", "scrap_on", "station", "state"]


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = CylinderEvent
        fields = ["kind", "at", "station", "courier", "customer", "net_weight_kg", "filling_line"]


def _require_data_role(request):
    if not has_data_role(request.user):
        from rest_framework.exceptions import PermissionDenied

        raise PermissionDenied


class ScanView(APIView):
    """The interlock: one request, one verdict (allow / refuse with reasons)."""

    @extend_schema(request=ScanSerializer, responses=inline_serializer("ScanVerdict", {
        "verdict": serializers.ChoiceField(choices=["allow", "refuse"]),
        "reasons": serializers.ListField(child=serializers.DictField()),
        "cylinder": serializers.DictField(allow_null=True)}))
    def post(self, request):
        _require_data_role(request)
        body = ScanSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        try:
            answer = services.cylinder_scan(actor=request.user, **body.validated_data)
        except services.ScanConflict:
            return error_response("client_id", "conflict", _(
                "This client_id was already used for a different scan."), status.HTTP_409_CONFLICT)
        return Response(answer)


class CylinderView(APIView):
    @extend_schema(responses=CylinderSerializer)
    def get(self, request, code):
        _require_data_role(request)
        cylinder = get_object_or_404(Cylinder.objects.visible_to(request.user)
                                     .select_related("type", "station"), code=code.upper())
        return Response(CylinderSerializer(cylinder).data)


class CylinderEventsView(APIView):
    @extend_schema(responses=EventSerializer(many=True))
    def get(self, request, code):
        _require_data_role(request)
        cylinder = get_object_or_404(Cylinder.objects.visible_to(request.user), code=code.upper())
        return Response(EventSerializer(cylinder.events.all(), many=True).data)
