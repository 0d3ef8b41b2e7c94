"""A property manager's endpoints (物业, issue 14 item 7): its estates with their counts, their
hazards (the hazard list's filters), one hazard with its timeline, the unreached households,
the messages to its company, and the report of LPG used in a high-rise building."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ranan.core.api_base import error_response
from ranan.core.models import Jurisdiction, Message
from ranan.core.permissions import Requires
from ranan.core.selectors import jurisdiction_by_code
from ranan.hazards import property as estates
from ranan.hazards import services
from ranan.hazards.api import HazardDetailRead, HazardRead
from ranan.hazards.filters import HazardFilter
from ranan.inspections.api import ImageText
from ranan.lib.images import decode_data_url

READ = Requires("hazards.estates")
REPORT = Requires("hazards.estates", write="hazards.high_rise")


def _estate_param(request) -> Jurisdiction | None:
    code = (request.query_params.get("jurisdiction") or "").strip()
    if not code:
        return None
    node = jurisdiction_by_code(request.user, code)
    if node is None:
        raise ValidationError({"jurisdiction": _("Unknown jurisdiction code “%(code)s”.") % {
            "code": code}})
    return node


class EstateRead(serializers.Serializer):
    id = serializers.IntegerField(source="estate.pk")
    code = serializers.CharField()
    name = serializers.CharField(source="estate.name")
    level = serializers.CharField(source="estate.level")
    open = serializers.IntegerField(help_text="hazards not closed")
    overdue = serializers.IntegerField()
    unreached = serializers.IntegerField(help_text="households on the unreached ladder")


class EstateList(APIView):
    """The account's estates, each with its hazards not closed, overdue, and unreached
    households."""

    permission_classes = [READ]

    @extend_schema(responses=EstateRead(many=True))
    def get(self, request):
        return Response(EstateRead(estates.estate_summary(request.user), many=True).data)


class EstateHazardList(generics.ListAPIView):
    """The hazards of the account's estates, soonest deadline first; the hazard list's
    filters (state, grade, category, overdue, jurisdiction, escalation, q)."""

    serializer_class = HazardRead
    filterset_class = HazardFilter
    permission_classes = [READ]

    def get_queryset(self):
        return estates.estate_hazards(self.request.user, closed=True)


class EstateHazardDetail(generics.RetrieveAPIView):
    serializer_class = HazardDetailRead
    permission_classes = [READ]

    def get_queryset(self):
        return estates.estate_hazards(self.request.user, closed=True).prefetch_related(
            "events__by", "events__photos")


class EstateUnreachedRow(serializers.Serializer):
    customer = serializers.IntegerField(source="customer.pk")
    name = serializers.CharField(source="customer.name")
    address = serializers.CharField(source="customer.full_address")
    jurisdiction = serializers.CharField(source="customer.jurisdiction.name")
    home_times = serializers.CharField(source="customer.home_times")
    tier = serializers.CharField()
    not_home = serializers.IntegerField(source="standing.not_home")
    refused = serializers.IntegerField(source="standing.refused")
    last_visit = serializers.DateTimeField(source="standing.last_visit", allow_null=True)


class EstateUnreached(APIView):
    """The unreached households of the estates (or of one: `jurisdiction`), most urgent
    first."""

    permission_classes = [READ]

    @extend_schema(parameters=[OpenApiParameter("jurisdiction", str,
                                                description="division code or #id")],
                   responses=EstateUnreachedRow(many=True))
    def get(self, request):
        rows = estates.estate_unreached(request.user, _estate_param(request))
        return Response({"count": len(rows), "results": EstateUnreachedRow(rows, many=True).data})


class MessageRead(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "kind", "subject", "body", "created_at", "status"]


class EstateMessages(generics.ListAPIView):
    """The messages sent to the account or to its company, newest first."""

    serializer_class = MessageRead
    permission_classes = [READ]

    def get_queryset(self):
        return estates.messages_for(self.request.user)


class HighRiseWrite(serializers.Serializer):
    jurisdiction = serializers.CharField(help_text="the estate (or a grid of it): division "
                                         "code or #id")
    building = serializers.CharField(max_length=60)
    room = serializers.CharField(max_length=60, help_text="unit and room")
    floor = serializers.IntegerField(required=False, allow_null=True, min_value=1,
                                     max_value=200)
    description = serializers.CharField(max_length=400, required=False, allow_blank=True)
    category = serializers.CharField(required=False, help_text=f"only {estates.HIGH_RISE}")
    photos = serializers.ListField(child=ImageText(), required=False, max_length=10)
    client_id = serializers.UUIDField(required=False)

    def validate_category(self, value):
        if value != estates.HIGH_RISE:
            raise serializers.ValidationError(_(
                "A property manager reports LPG used in a high-rise building only (%(code)s).")
                % {"code": estates.HIGH_RISE})
        return value


class HighRiseReport(APIView):
    """Report LPG used in a high-rise building of one's estates: a hazard of the category
    `high_rise_lpg` (201, the hazard). Refusals name the field; an estate outside the
    account's area is a 400 on `jurisdiction`; the same client_id again answers the first
    hazard."""

    permission_classes = [REPORT]

    @extend_schema(request=HighRiseWrite, responses={201: HazardRead})
    def post(self, request):
        body = HighRiseWrite(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        place = jurisdiction_by_code(request.user, data["jurisdiction"])
        if place is None:
            raise ValidationError({"jurisdiction": _("Unknown jurisdiction code “%(code)s”.")
                                   % {"code": data["jurisdiction"]}})
        photos = [decode_data_url(p, f"photos.{i}") for i, p in enumerate(data.get("photos", []))]
        try:
            hazard = estates.high_rise_report(
                actor=request.user, jurisdiction=place, building=data["building"],
                room=data["room"], floor=data.get("floor"),
                description=data.get("description", ""), photos=photos,
                client_id=data.get("client_id"))
        except services.TransitionConflict:
            return error_response("client_id", "conflict", _(
                "This client_id was already used by someone else."), status.HTTP_409_CONFLICT)
        except Jurisdiction.DoesNotExist:
            raise ValidationError({"jurisdiction": _("Unknown jurisdiction code “%(code)s”.")
                                   % {"code": data["jurisdiction"]}}) from None
        return Response(HazardRead(hazard).data, status=status.HTTP_201_CREATED)
