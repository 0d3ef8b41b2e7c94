"""Hazard endpoints: the list (filters), create, retrieve with the timeline, transitions,
the notice PDF, and the KPIs."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ranan.core.api import ScopedPrimaryKeyField, out_of_scope
from ranan.core.api_base import error_response
from ranan.core.permissions import Requires
from ranan.core.selectors import jurisdiction_by_code
from ranan.customers.models import Customer
from ranan.hazards import notice, selectors, services
from ranan.hazards.choices import Responsible, Source, State
from ranan.hazards.filters import HazardFilter
from ranan.hazards.models import Hazard
from ranan.inspections.api import ImageText
from ranan.inspections.choices import Grade
from ranan.lib.images import decode_data_url

# Every data role reads (its own area's hazards); recording and moving them is hazards.work
# (the services check the same row).
READ_WORK = Requires("hazards.read", write="hazards.work")


class EventRead(serializers.Serializer):
    kind = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    step = serializers.IntegerField(allow_null=True)
    at = serializers.DateTimeField()
    by = serializers.CharField(source="by.username", allow_null=True, default=None)
    note = serializers.CharField()
    photos = serializers.SerializerMethodField()

    def get_photos(self, obj) -> list[int]:
        return [p.pk for p in obj.photos.all()]


class HazardRead(serializers.ModelSerializer):
    category = serializers.CharField(source="category.code")
    category_name = serializers.CharField(source="category.name", read_only=True)
    jurisdiction = serializers.CharField(source="jurisdiction.name")
    where = serializers.CharField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Hazard
        fields = ["id", "customer", "premises", "where", "jurisdiction", "category",
                  "category_name", "grade",
                  "source", "description", "found_by", "found_at", "responsible",
                  "responsible_name", "deadline", "state", "escalation", "overdue", "fixed_by",
                  "fixed_at", "closed_at"]

    def get_overdue(self, obj) -> bool:
        return obj.state in services.ESCALATING and obj.deadline < timezone.localdate()


class HazardDetailRead(HazardRead):
    events = EventRead(many=True, read_only=True)

    class Meta(HazardRead.Meta):
        fields = [*HazardRead.Meta.fields, "events"]


class HazardWrite(serializers.Serializer):
    customer = ScopedPrimaryKeyField(model=Customer, required=False, allow_null=True)
    jurisdiction = serializers.CharField(required=False, allow_blank=True,
                                         help_text="division code or #<id>, without a customer")
    premises = serializers.CharField(max_length=200, required=False, allow_blank=True)
    category = serializers.CharField(max_length=30)
    grade = serializers.ChoiceField(choices=Grade.choices, required=False)
    source = serializers.ChoiceField(choices=Source.choices)
    description = serializers.CharField(max_length=500)
    responsible = serializers.ChoiceField(choices=Responsible.choices, required=False)
    responsible_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    deadline = serializers.DateField(required=False)
    photos = serializers.ListField(child=ImageText(), required=False, max_length=10)
    client_id = serializers.UUIDField(required=False)


class HazardList(generics.ListAPIView):
    """Hazards in the account's area, soonest deadline first. Filters: state, grade,
    category, overdue=true, jurisdiction=<code>, escalation=<0-4>, mine=true, q."""

    serializer_class = HazardRead
    filterset_class = HazardFilter
    permission_classes = [READ_WORK]

    def get_queryset(self):
        return selectors.hazards_for(self.request.user)

    @extend_schema(request=HazardWrite, responses={201: HazardRead})
    def post(self, request):
        body = HazardWrite(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        customer = data.pop("customer", None)
        jurisdiction = None
        code = data.pop("jurisdiction", "")
        if customer is None:
            jurisdiction = jurisdiction_by_code(request.user, code) if code else None
            if jurisdiction is None:
                raise ValidationError({"jurisdiction": _(
                    "Say where: a customer, or a jurisdiction and premises.")})
        photos = [decode_data_url(p, f"photos.{i}") for i, p in enumerate(data.pop("photos", []))]
        try:
            hazard = services.hazard_create(actor=request.user, customer=customer,
                                            jurisdiction=jurisdiction, photos=photos, **data)
        except Customer.DoesNotExist:
            raise out_of_scope("customer", customer.pk) from None
        except services.TransitionConflict:
            return error_response("client_id", "conflict", _(
                "This client_id was already used by someone else."), status.HTTP_409_CONFLICT)
        return Response(HazardRead(hazard).data, status=status.HTTP_201_CREATED)


class HazardDetail(generics.RetrieveAPIView):
    serializer_class = HazardDetailRead
    permission_classes = [READ_WORK]

    def get_queryset(self):
        return selectors.hazards_for(self.request.user).prefetch_related(
            "events__by", "events__photos")


class TransitionWrite(serializers.Serializer):
    to = serializers.ChoiceField(choices=[s for s in State.choices if s[0] != State.OPEN])
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    photos = serializers.ListField(child=ImageText(), required=False, max_length=10)
    client_id = serializers.UUIDField(required=False)


class TransitionView(APIView):
    """Move a hazard one step: answers the hazard in its new state, or a refusal naming the
    field (`to`, `photos`, `actor`, `note`)."""

    permission_classes = [READ_WORK]

    @extend_schema(request=TransitionWrite, responses=HazardRead)
    def post(self, request, pk):
        hazard = get_object_or_404(Hazard.objects.visible_to(request.user), pk=pk)
        body = TransitionWrite(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        photos = [decode_data_url(p, f"photos.{i}") for i, p in enumerate(data.get("photos", []))]
        try:
            hazard = services.hazard_transition(actor=request.user, hazard=hazard, to=data["to"],
                                                note=data.get("note", ""), photos=photos,
                                                client_id=data.get("client_id"))
        except services.TransitionConflict:
            return error_response("client_id", "conflict", _(
                "This client_id was already used for another step."), status.HTTP_409_CONFLICT)
        except Hazard.DoesNotExist:
            raise NotFound from None
        return Response(HazardRead(hazard).data)


class NoticeView(APIView):
    """The written rectification notice as a PDF."""

    permission_classes = [READ_WORK]

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request, pk):
        hazard = get_object_or_404(selectors.hazards_for(request.user), pk=pk)
        return notice_response(hazard, request.query_params.get("basis", "")[:300],
                               account=request.user)


def notice_response(hazard, basis: str = "", account=None) -> HttpResponse:
    pdf = notice.rectification_notice(hazard, basis=basis,
                                      issuer=notice.issuing_unit(hazard, account))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="notice-{hazard.pk}.pdf"'
    return response
