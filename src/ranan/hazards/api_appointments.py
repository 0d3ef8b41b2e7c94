"""Visits booked with residents (issue 14 item 6) and rectification by category (item 9)
through the API: the same services and selectors as the pages."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ranan.core import kpis as catalogue
from ranan.core.api import ScopedPrimaryKeyField
from ranan.core.api_base import error_response
from ranan.core.models import Account
from ranan.core.permissions import Requires
from ranan.hazards import kpis, selectors, services
from ranan.hazards.api import HazardRead
from ranan.hazards.choices import AppointmentState
from ranan.hazards.filters import AppointmentFilter, CategoryRecordsFilter
from ranan.hazards.models import Appointment, Hazard
from ranan.lib.masking import mask_phone

APPOINT = Requires("hazards.read", write="hazards.appoint")


class AppointmentRead(serializers.ModelSerializer):
    inspectors = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    inspector_names = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    where = serializers.CharField(source="hazard.where")

    class Meta:
        model = Appointment
        fields = ["id", "hazard", "customer", "where", "starts_at", "inspectors",
                  "inspector_names", "phone", "note", "state", "booked_by", "booked_at",
                  "closed_by", "closed_at"]

    def get_inspector_names(self, obj) -> list[str]:
        return [str(a) for a in obj.inspectors.all()]

    def get_phone(self, obj) -> str:
        return mask_phone(obj.phone)


class AppointmentWrite(serializers.Serializer):
    starts_at = serializers.DateTimeField(help_text="the time agreed with the resident")
    inspectors = ScopedPrimaryKeyField(model=Account, many=True,
                                       help_text="inspectors whose area holds the hazard")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                  help_text="the resident's number; empty: the customer's")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    client_id = serializers.UUIDField(required=False)


class CloseWrite(serializers.Serializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class HazardAppointments(APIView):
    """GET: the visits booked for a hazard. POST: book one (a time in the future and the
    working hours, inspectors of the area free then); the resident and the inspectors are
    told. Refusals name the field: hazard, starts_at, inspectors, phone, note."""

    permission_classes = [APPOINT]

    @extend_schema(responses=AppointmentRead(many=True))
    def get(self, request, pk):
        hazard = get_object_or_404(Hazard.objects.visible_to(request.user), pk=pk)
        rows = selectors.appointments_for(request.user).filter(hazard=hazard)
        return Response(AppointmentRead(rows, many=True).data)

    @extend_schema(request=AppointmentWrite, responses={201: AppointmentRead})
    def post(self, request, pk):
        hazard = get_object_or_404(Hazard.objects.visible_to(request.user), pk=pk)
        body = AppointmentWrite(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        try:
            appointment = services.appointment_book(
                actor=request.user, hazard=hazard, starts_at=data["starts_at"],
                inspectors=data["inspectors"], phone=data.get("phone", ""),
                note=data.get("note", ""), client_id=data.get("client_id"))
        except services.AppointmentConflict:
            return error_response("client_id", "conflict", _(
                "This client_id was already used for another booking."),
                status.HTTP_409_CONFLICT)
        except Hazard.DoesNotExist:
            raise NotFound from None
        return Response(AppointmentRead(appointment).data, status=status.HTTP_201_CREATED)


class AppointmentList(generics.ListAPIView):
    """The visits of the account's area on a day (`day`, default today; `mine=true`: the
    account's own)."""

    serializer_class = AppointmentRead
    permission_classes = [APPOINT]
    filterset_class = AppointmentFilter

    def get_queryset(self):
        return selectors.appointments_for(self.request.user)


class _Close(APIView):
    permission_classes = [APPOINT]
    to = ""

    @extend_schema(request=CloseWrite, responses=AppointmentRead)
    def post(self, request, pk):
        appointment = get_object_or_404(Appointment.objects.visible_to(request.user), pk=pk)
        body = CloseWrite(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            appointment = services.appointment_close(
                actor=request.user, appointment=appointment, to=self.to,
                note=body.validated_data.get("note", ""))
        except Appointment.DoesNotExist:
            raise NotFound from None
        return Response(AppointmentRead(appointment).data)


class AppointmentDone(_Close):
    """The visit took place."""

    to = AppointmentState.DONE


class AppointmentCancel(_Close):
    """Cancel a booked visit (`note`: why; the resident is told)."""

    to = AppointmentState.CANCELLED


# --- Rectification by category -------------------------------------------------------------


class CategoryRow(serializers.Serializer):
    category = serializers.CharField()
    name = serializers.CharField()
    kpis = serializers.ListField(child=serializers.DictField())


class ByCategoryOut(serializers.Serializer):
    jurisdiction = serializers.CharField()
    # "from" is a keyword: the field is declared below.
    to = serializers.DateField()
    categories = CategoryRow(many=True)
    total = serializers.ListField(child=serializers.DictField())


ByCategoryOut._declared_fields["from"] = serializers.DateField()


class ByCategory(APIView):
    """The rectification and on-time rates (with found and closed) of each hazard category
    of an area (`jurisdiction`) and period (`from`, `to`; default the last 365 days), each
    figure with its numerator and denominator; `total`: the area's, which the categories add
    up to. The hazards behind a figure: /api/v1/hazards/by-category/records."""

    permission_classes = [Requires("hazards.read")]

    @extend_schema(parameters=[OpenApiParameter("jurisdiction", str),
                               OpenApiParameter("from", str), OpenApiParameter("to", str)],
                   responses=ByCategoryOut)
    def get(self, request):
        node, start, end = _period(request)
        rows = kpis.by_category(request.user, node.path, start, end)
        total = catalogue.compute(request.user, node.path, start, end, kpis.BY_CATEGORY,
                                  stored=False)
        return Response({
            "jurisdiction": node.code or f"#{node.pk}", "from": start, "to": end,
            "categories": [{"category": r["category"].code, "name": r["category"].name,
                            "kpis": list(r["kpis"].values())} for r in rows],
            "total": total})


class ByCategoryRecords(generics.ListAPIView):
    """The hazards counted by one figure: `kpi` (hazards_found, hazards_closed,
    rectification_rate, on_time_rate), `category` (a code; none: all), `part` (records or
    base), with the area and period of /by-category."""

    serializer_class = HazardRead
    permission_classes = [Requires("hazards.read")]
    filterset_class = CategoryRecordsFilter

    def get_queryset(self):
        return selectors.hazards_for(self.request.user)


def _period(request):
    try:
        return kpis.period_query(request.user, request.query_params)
    except DjangoValidationError as exc:
        raise ValidationError(exc.message_dict) from None
