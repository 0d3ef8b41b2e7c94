"""Cylinder endpoints: the scan interlock, a cylinder and its chain (the rest of issue 4's
API comes with its pages)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ranan.core.api import ScopedPrimaryKeyField
from ranan.core.api_base import date_param, error_response
from ranan.core.choices import OrgKind
from ranan.core.models import Account, Organisation
from ranan.core.permissions import Requires
from ranan.customers.models import Customer
from ranan.cylinders import labels, selectors, services
from ranan.cylinders.choices import Action
from ranan.cylinders.filters import CylinderFilter, RecallFilter
from ranan.cylinders.models import Cylinder, CylinderEvent, CylinderType, LabelBatch


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


class ScanView(APIView):
    """The interlock: one request, one verdict (allow / refuse with reasons). A role that may
    not take the action is one of the refusal's reasons (the refusal is recorded), not a 403."""

    permission_classes = [Requires("cylinders.read")]

    @extend_schema(request=ScanSerializer, responses=inline_serializer("ScanVerdict", {
        "verdict": serializers.ChoiceField(choices=["allow", "refuse"]),
        "reasons": serializers.ListField(child=serializers.DictField()),
        "cylinder": serializers.DictField(allow_null=True)}))
    def post(self, request):
        body = ScanSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        try:
            answer = services.cylinder_scan(actor=request.user, **body.validated_data)
        except services.ScanConflict:
            return error_response("client_id", "conflict", _(
                "This client_id was already used for a different scan."), status.HTTP_409_CONFLICT)
        return Response(answer)


class RecallSerializer(CylinderSerializer):
    where = serializers.SerializerMethodField()

    class Meta(CylinderSerializer.Meta):
        fields = [*CylinderSerializer.Meta.fields, "where"]

    def get_where(self, obj) -> dict:
        if obj.state == "at_customer" and obj.customer_id:
            return {"kind": "customer", "id": obj.customer_id, "name": obj.customer.name,
                    "address": obj.customer.full_address}
        if obj.state == "with_courier" and obj.courier_id:
            return {"kind": "courier", "id": obj.courier_id, "name": str(obj.courier)}
        return {"kind": "station", "id": obj.station_id, "name": obj.station.name}


class CylinderCreateSerializer(serializers.Serializer):
    type = serializers.PrimaryKeyRelatedField(queryset=CylinderType.objects.all())
    station = ScopedPrimaryKeyField(model=Organisation, required=False, allow_null=True)
    code = serializers.CharField(max_length=40, required=False, allow_blank=True,
                                 help_text="the code of a printed label; empty: a new code")
    manufacturer = serializers.CharField(max_length=100, required=False, allow_blank=True)
    serial = serializers.CharField(max_length=40, required=False, allow_blank=True)
    made_on = serializers.DateField()
    last_inspected_on = serializers.DateField(required=False, allow_null=True)


class CylinderListView(generics.ListAPIView):
    """Cylinders, scoped: filters station, state, type, overdue=true, due_within=<days>, q.
    POST registers a cylinder (a station manager, for the own station)."""

    serializer_class = CylinderSerializer
    filterset_class = CylinderFilter
    permission_classes = [Requires("cylinders.read", write="cylinders.register",
                                   message=gettext_lazy("Only a station manager registers "
                                                        "cylinders."))]

    @extend_schema(request=CylinderCreateSerializer, responses={201: CylinderSerializer})
    def post(self, request):
        body = CylinderCreateSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        station = data.pop("station", None) or selectors.own_station(request.user)
        if station is None or station.kind != OrgKind.LPG_STATION:
            return error_response("station", "required", _("Say which LPG station."))
        try:
            cylinder = services.cylinder_register(actor=request.user, station=station,
                                                  code=data.pop("code", "") or None, **data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        return Response(CylinderSerializer(cylinder).data, status=status.HTTP_201_CREATED)

    def get_queryset(self):
        return selectors.cylinders_for(self.request.user)


class RecallView(generics.ListAPIView):
    """Cylinders in circulation due within `days` (default 30) or overdue, and where each is."""

    serializer_class = RecallSerializer
    filterset_class = RecallFilter
    permission_classes = [Requires("cylinders.read")]

    def get_queryset(self):
        return selectors.cylinders_for(self.request.user)


class HeldCylinder(CylinderSerializer):
    courier = serializers.IntegerField(source="courier_id")
    courier_name = serializers.CharField(source="courier.__str__", read_only=True)

    class Meta(CylinderSerializer.Meta):
        fields = [*CylinderSerializer.Meta.fields, "courier", "courier_name"]


class LoadRow(serializers.Serializer):
    courier = serializers.IntegerField(source="courier_id")
    courier_name = serializers.CharField(source="courier.__str__")
    type = serializers.IntegerField(source="type_id")
    type_name = serializers.CharField(source="type.name")
    carried = serializers.IntegerField(help_text="full, with the courier now")
    dispatched = serializers.IntegerField(help_text="dispatched to the courier that day")
    delivered = serializers.IntegerField(help_text="delivered by the courier that day")
    collected = serializers.IntegerField(help_text="empties collected by the courier that day")


class CarriedView(APIView):
    """The cylinders couriers hold (a courier: its own; the station: its couriers'), with
    the day's load (`?day=YYYY-MM-DD`, default today)."""

    permission_classes = [Requires("cylinders.deliver")]

    @extend_schema(parameters=[OpenApiParameter("day", str)], responses=inline_serializer(
        "Carried", {"day": serializers.DateField(), "cylinders": HeldCylinder(many=True),
                    "load": LoadRow(many=True)}))
    def get(self, request):
        day = date_param(request.query_params, "day") or timezone.localdate()
        held = selectors.held_by(request.user)[:1000]
        load = selectors.couriers_load(request.user, day)
        return Response({"day": day.isoformat(), "cylinders": HeldCylinder(held, many=True).data,
                         "load": LoadRow(load, many=True).data})


class CylinderView(APIView):
    permission_classes = [Requires("cylinders.read")]

    @extend_schema(responses=CylinderSerializer)
    def get(self, request, code):
        cylinder = get_object_or_404(selectors.cylinders_for(request.user), code=code.upper())
        return Response(CylinderSerializer(cylinder).data)


class CylinderEventsView(APIView):
    permission_classes = [Requires("cylinders.read")]

    @extend_schema(responses=EventSerializer(many=True))
    def get(self, request, code):
        cylinder = get_object_or_404(selectors.cylinders_for(request.user), code=code.upper())
        return Response(EventSerializer(cylinder.events.all(), many=True).data)


class LabelsSerializer(serializers.Serializer):
    count = serializers.IntegerField(min_value=1, max_value=services.MAX_LABELS)
    grid = serializers.ChoiceField(choices=list(services.LABEL_GRIDS), default="3x8")


class LabelsView(APIView):
    """A batch of new codes for the own station, answered as a PDF sheet of QR labels."""

    permission_classes = [Requires("cylinders.register",
                                   message=gettext_lazy("Labels are printed by a station's "
                                                        "manager."))]

    @extend_schema(request=LabelsSerializer,
                   responses={(201, "application/pdf"): OpenApiTypes.BINARY})
    def post(self, request):
        body = LabelsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        station = selectors.own_station(request.user)
        if station is None:  # a superuser: labels belong to a station
            raise PermissionDenied(_("Labels are printed by a station's manager."))
        try:
            batch = services.label_batch_create(actor=request.user, station=station,
                                                **body.validated_data)
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None
        except DjangoValidationError as exc:
            raise ValidationError(exc.message_dict) from None
        response = labels.batch_pdf_response(request, batch)
        response.status_code = status.HTTP_201_CREATED
        response["X-Label-Batch"] = str(batch.pk)
        return response


class LabelBatchSerializer(serializers.ModelSerializer):
    codes = serializers.SlugRelatedField(many=True, read_only=True, slug_field="code")

    class Meta:
        model = LabelBatch
        fields = ["id", "station", "count", "grid", "created_at", "codes"]


class LabelBatchView(generics.RetrieveAPIView):
    """A printed batch and its codes (to register them from another system)."""

    serializer_class = LabelBatchSerializer
    permission_classes = [Requires("cylinders.read")]

    def get_queryset(self):
        return LabelBatch.objects.visible_to(self.request.user).prefetch_related("codes")
