"""Inspection endpoints: checklists, visits (JSON with base64 images, or multipart), plans
with their progress, the unreached list, measures and today's work list."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ranan.core.api import ScopedPrimaryKeyField, out_of_scope
from ranan.core.api_base import date_param, error_response
from ranan.core.choices import OrgKind
from ranan.core.models import Jurisdiction, Organisation
from ranan.core.permissions import Requires
from ranan.core.selectors import jurisdiction_by_code
from ranan.customers.models import Customer
from ranan.inspections import referrals, register, selectors, services
from ranan.inspections.choices import MeasureKind, Outcome, ReferralOutcome, Tier, VisitKind
from ranan.inspections.filters import ChecklistFilter, PlanFilter, ReferralFilter, VisitFilter
from ranan.inspections.models import Checklist, ChecklistItem, Plan, Referral, Visit
from ranan.lib import images
from ranan.lib.dates import day_start

# Every data role reads (its own area's visits and plans); the writes have their own rows (the
# services check the same).
READ = Requires("inspections.read")


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChecklistItem
        fields = ["code", "position", "question", "question_en", "answer_type", "fail_above",
                  "fail_below", "unit", "choices", "required", "photo_on_fail",
                  "hazard_category", "default_grade", "fix_part"]


class ChecklistSerializer(serializers.ModelSerializer):
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = Checklist
        fields = ["id", "key", "version", "title", "audience", "published", "items"]


class ChecklistList(generics.ListAPIView):
    """Checklists with their items; `?all=true` lists every version, else the current ones."""

    serializer_class = ChecklistSerializer
    filterset_class = ChecklistFilter
    pagination_class = None
    permission_classes = [READ]

    def get_queryset(self):
        return Checklist.objects.prefetch_related("items")


class ChecklistDetail(generics.RetrieveAPIView):
    serializer_class = ChecklistSerializer
    queryset = Checklist.objects.prefetch_related("items")
    permission_classes = [READ]


@extend_schema_field(OpenApiTypes.STR)
class ImageText(serializers.Field):
    """An image as a data URL or bare base64. Not a CharField: its surrogate check reads a
    2 MB photo one character at a time in Python (a third of a visit's time); the base64
    decoder checks the alphabet anyway."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Send the image as a base64 text."))
        return data

    def to_representation(self, value):
        return value


class PhotoField(serializers.Serializer):
    item = serializers.CharField(max_length=40, required=False, allow_blank=True)
    data = ImageText(help_text="data:image/jpeg;base64,…")


class VisitWrite(serializers.Serializer):
    customer = ScopedPrimaryKeyField(model=Customer)
    kind = serializers.ChoiceField(choices=VisitKind.choices)
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    client_id = serializers.UUIDField()
    started_at = serializers.DateTimeField(required=False)
    ended_at = serializers.DateTimeField(required=False, allow_null=True)
    answers = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)
    fixes = serializers.DictField(child=serializers.DictField(), required=False)
    photos = PhotoField(many=True, required=False)
    signature = ImageText(required=False, help_text="data:image/png;base64,… (drawn on screen)")
    notes = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    corrects = serializers.IntegerField(required=False, allow_null=True)
    plan = serializers.IntegerField(required=False, allow_null=True)


class AnswerRead(serializers.Serializer):
    item = serializers.CharField(source="item.code")
    value = serializers.CharField()
    failed = serializers.BooleanField()
    fixed = serializers.BooleanField()
    part = serializers.CharField()


class VisitRead(serializers.ModelSerializer):
    answers = AnswerRead(many=True, read_only=True)
    findings = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    corrected_by = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = ["id", "customer", "inspector", "kind", "outcome", "started_at", "ended_at",
                  "checklist", "notes", "client_id", "corrects", "corrected_by", "plan",
                  "failed_count", "fixed_count", "answers", "findings", "photos"]

    def get_findings(self, obj) -> list[dict]:
        return [{"item": f.item.code, "category": f.category, "grade": f.grade,
                 "description": f.description} for f in obj.findings.all()]

    def get_photos(self, obj) -> list[dict]:
        return [{"id": p.id, "item": p.item.code if p.item else None, "size": p.size}
                for p in obj.photos.all()]

    def get_corrected_by(self, obj) -> int | None:
        return getattr(getattr(obj, "correction", None), "pk", None)


def _uploads(request, data) -> tuple[list, bytes | None]:
    """Photos and signature from JSON base64 or from multipart files (`photos`, with
    `photo_items` naming their items in order; `signature`)."""
    photos = []
    for index, photo in enumerate(data.get("photos") or []):
        photos.append(services.Upload(images.decode_data_url(photo["data"], f"photos.{index}"),
                                      photo.get("item") or None))
    items = request.data.getlist("photo_items") if hasattr(request.data, "getlist") else []
    for index, upload in enumerate(request.FILES.getlist("photos")):
        if upload.size > images.MAX_PHOTO_BYTES:
            raise ValidationError({f"photos.{index}": _("An image is at most %(mb)d MB.") % {
                "mb": images.MAX_PHOTO_BYTES // 1024 // 1024}})
        photos.append(services.Upload(upload.read(), items[index] if index < len(items) else None))
    signature = None
    if "signature" in request.FILES:
        signature = request.FILES["signature"].read()
    elif data.get("signature"):
        signature = images.decode_data_url(data["signature"], "signature")
    return photos, signature


def _json_fields(data, names):
    """In a multipart form, `answers` and `fixes` come as JSON text: decode them."""
    if not hasattr(data, "getlist"):
        return data
    plain = {key: data.get(key) for key in data
             if key not in ("photos", "photo_items", "signature")}
    for name in names:
        if isinstance(plain.get(name), str):
            try:
                plain[name] = json.loads(plain[name])
            except ValueError:
                raise ValidationError({name: _("Not valid JSON.")}) from None
    return plain


class VisitList(generics.ListAPIView):
    """Visits in the account's area, newest first (filters: customer, outcome, from, to).
    POST records one (201; the same client_id again answers the first visit with 200)."""

    serializer_class = VisitRead
    filterset_class = VisitFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    permission_classes = [Requires("inspections.read", write="inspections.visit")]

    def get_queryset(self):
        return (Visit.objects.visible_to(self.request.user)
                .select_related("correction").prefetch_related("answers__item", "findings__item",
                                                              "photos__item"))

    @extend_schema(request=VisitWrite, responses={201: VisitRead, 200: VisitRead})
    def post(self, request):
        body = VisitWrite(data=_json_fields(request.data, ("answers", "fixes")),
                          context={"request": request})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        customer = data["customer"]
        corrects = None
        if data.get("corrects"):
            corrects = Visit.objects.visible_to(request.user).filter(pk=data["corrects"]).first()
            if corrects is None:
                raise ValidationError({"corrects": _("No such visit in your area.")})
        plan = None
        if data.get("plan"):
            plan = selectors.plans_for(request.user).filter(pk=data["plan"]).first()
            if plan is None:
                raise ValidationError({"plan": _("No such plan in your area.")})
        photos, signature = _uploads(request, data)
        existed = Visit.objects.filter(client_id=data["client_id"]).exists()
        try:
            visit = services.visit_submit(
                actor=request.user, customer=customer, kind=data["kind"],
                outcome=data["outcome"], client_id=data["client_id"],
                started_at=data.get("started_at"), ended_at=data.get("ended_at"),
                answers=data.get("answers"), fixes=data.get("fixes"), photos=photos,
                signature=signature, notes=data.get("notes", ""), corrects=corrects, plan=plan)
        except services.VisitConflict:
            return error_response("client_id", "conflict", _(
                "This client_id was already used for another visit."), status.HTTP_409_CONFLICT)
        except Customer.DoesNotExist:
            raise out_of_scope("customer", customer.pk) from None
        visit = (Visit.objects.select_related("correction")
                 .prefetch_related("answers__item", "findings__item", "photos__item")
                 .get(pk=visit.pk))
        return Response(VisitRead(visit).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


class VisitDetail(generics.RetrieveAPIView):
    serializer_class = VisitRead
    permission_classes = [READ]

    def get_queryset(self):
        return Visit.objects.visible_to(self.request.user).prefetch_related(
            "answers__item", "findings__item", "photos__item")


class PlanSerializer(serializers.ModelSerializer):
    jurisdiction = serializers.CharField(source="jurisdiction.name", read_only=True)
    targets = serializers.IntegerField(source="targets.count", read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "title", "jurisdiction", "start", "end", "targets", "created_at"]


class PlanWrite(serializers.Serializer):
    jurisdiction = serializers.CharField(help_text="division code, or #<id>")
    title = serializers.CharField(max_length=100)
    start = serializers.DateField()
    end = serializers.DateField()


class PlanList(generics.ListAPIView):
    """Plans of the account's area; POST makes one and generates its targets."""

    serializer_class = PlanSerializer
    filterset_class = PlanFilter
    permission_classes = [Requires("inspections.read", write="inspections.plan")]

    def get_queryset(self):
        return Plan.objects.visible_to(self.request.user).select_related("jurisdiction")

    @extend_schema(request=PlanWrite, responses={201: PlanSerializer})
    def post(self, request):
        body = PlanWrite(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        node = jurisdiction_by_code(request.user, data["jurisdiction"])
        if node is None:
            raise ValidationError({"jurisdiction": _("Unknown jurisdiction code “%(code)s”.") % {
                "code": data["jurisdiction"]}})
        try:
            plan = services.plan_create(actor=request.user, jurisdiction=node,
                                        title=data["title"], start=data["start"], end=data["end"])
        except Jurisdiction.DoesNotExist:  # out of the area: a body's id, answered 400
            raise ValidationError({"jurisdiction": _("Unknown jurisdiction code “%(code)s”.") % {
                "code": data["jurisdiction"]}}) from None
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


class ProgressRow(serializers.Serializer):
    name = serializers.CharField()
    targets = serializers.IntegerField()
    reached = serializers.IntegerField()
    not_visited = serializers.IntegerField()
    revisit = serializers.IntegerField()
    shut_off = serializers.IntegerField()
    shut = serializers.IntegerField()
    enforcement = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class PlanProgress(PlanSerializer):
    progress = ProgressRow(many=True)
    total = ProgressRow()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "progress", "total"]


class UnreachedRow(serializers.Serializer):
    customer = serializers.IntegerField()
    name = serializers.CharField()
    address = serializers.CharField()
    jurisdiction = serializers.CharField()
    home_times = serializers.CharField()
    tier = serializers.ChoiceField(choices=Tier.choices)
    visits = serializers.DictField(child=serializers.IntegerField())
    last_visit = serializers.DateTimeField(allow_null=True)


class UnreachedAnswer(serializers.Serializer):
    count = serializers.IntegerField()
    results = UnreachedRow(many=True)


class WorkRow(UnreachedRow):
    tier = serializers.ChoiceField(choices=Tier.choices, allow_null=True)
    plan = serializers.IntegerField()


class BookedRow(serializers.Serializer):
    kind = serializers.CharField(help_text="what booked it, e.g. hazard_appointment")
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    title = serializers.CharField()
    where = serializers.CharField()
    area = serializers.CharField()
    name = serializers.CharField()
    note = serializers.CharField()
    url = serializers.CharField()
    customer_id = serializers.IntegerField(allow_null=True)


class WorkAnswer(serializers.Serializer):
    results = WorkRow(many=True)
    booked = BookedRow(many=True, help_text="the visits booked for the account today "
                                             "(appointments agreed with residents), by time")


class MeasureAnswer(serializers.Serializer):
    id = serializers.IntegerField()
    customer = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=MeasureKind.choices)
    at = serializers.DateTimeField()
    by = serializers.IntegerField()
    note = serializers.CharField()
    photo = serializers.CharField(allow_null=True, help_text="the photo's address, if any")
    voided_at = serializers.DateTimeField(allow_null=True)
    voided_by = serializers.IntegerField(allow_null=True)
    void_reason = serializers.CharField()
    voidable_until = serializers.DateTimeField(allow_null=True)


def measure_answer(measure) -> dict:
    """A measure as the API answers it (also read by the page's tests)."""
    from django.urls import reverse

    return {"id": measure.pk, "customer": measure.customer_id, "kind": measure.kind,
            "at": measure.at, "by": measure.by_id, "note": measure.note,
            "photo": (reverse("inspection-measure-photo", args=[measure.pk])
                      if measure.photo else None),
            "voided_at": measure.voided_at, "voided_by": measure.voided_by_id,
            "void_reason": measure.void_reason,
            "voidable_until": services.voidable_until(measure)}


class PlanDetail(APIView):
    """A plan and its progress per grid (targets, reached, unreached by tier)."""

    permission_classes = [READ]

    @extend_schema(responses=PlanProgress)
    def get(self, request, pk):
        plan = get_object_or_404(selectors.plans_for(request.user), pk=pk)
        rows = selectors.plan_progress(request.user, plan)
        return Response({**PlanSerializer(plan).data, "progress": [
            {k: v for k, v in row.items()} for row in rows[:-1]], "total": rows[-1]})


def _area(request) -> Jurisdiction:
    code = request.query_params.get("jurisdiction", "")
    if not code:
        raise ValidationError({"jurisdiction": _("Give a jurisdiction code.")})
    node = jurisdiction_by_code(request.user, code)
    if node is None:
        raise ValidationError({"jurisdiction": _("Unknown jurisdiction code “%(code)s”.") % {
            "code": code}})
    return node


def _row(row) -> dict:
    customer, standing = row["customer"], row["standing"]
    return {"customer": customer.pk, "name": customer.name, "address": customer.full_address,
            "jurisdiction": customer.jurisdiction.name, "home_times": customer.home_times,
            "tier": row["tier"], "visits": {"not_home": standing.not_home,
                                            "refused": standing.refused,
                                            "check_refused": standing.check_refused,
                                            "address_not_found": standing.address_not_found},
            "last_visit": standing.last_visit}


class UnreachedView(APIView):
    """Households of an area on the ladder: `revisit`, `shut_off`, `shut`, `enforcement`."""

    permission_classes = [READ]

    @extend_schema(parameters=[OpenApiParameter("jurisdiction", str, required=True),
                               OpenApiParameter("tier", str, enum=Tier.values),
                               OpenApiParameter("since", str, description="YYYY-MM-DD")],
                   responses=UnreachedAnswer)
    def get(self, request):
        node = _area(request)
        tier = request.query_params.get("tier") or None
        if tier and tier not in Tier.values:
            raise ValidationError({"tier": _("Unknown tier.")})
        since = None
        day = date_param(request.query_params, "since")
        if day is not None:
            since = day_start(day)
        rows = selectors.unreached(request.user, node.path, since=since, tier=tier)
        return Response({"count": len(rows), "results": [_row(r) for r in rows]})


class WorkListView(APIView):
    """Today's list of the requesting inspector, and the visits booked for it today."""

    permission_classes = [READ]

    @extend_schema(responses=WorkAnswer)
    def get(self, request):
        return Response({"results": [{**_row(r), "plan": r["plan"].pk}
                                     for r in selectors.work_list(request.user)],
                         "booked": BookedRow(selectors.booked_visits(request.user),
                                             many=True).data})


@extend_schema_field(OpenApiTypes.STR)
class MeasurePhoto(serializers.Field):
    """A photo as a data URL, bare base64, or a multipart file: its bytes."""

    def to_internal_value(self, data):
        if hasattr(data, "read"):
            if data.size > images.MAX_PHOTO_BYTES:
                raise serializers.ValidationError(_("An image is at most %(mb)d MB.") % {
                    "mb": images.MAX_PHOTO_MB})
            return data.read()
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Send the image as a base64 text."))
        try:
            return images.decode_data_url(data, "photo")
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["photo"]) from None

    def to_representation(self, value):
        return None


class MeasureWrite(serializers.Serializer):
    customer = ScopedPrimaryKeyField(model=Customer)
    kind = serializers.ChoiceField(choices=MeasureKind.choices)
    at = serializers.DateTimeField(required=False)
    # A referral names the department (a regulator whose area covers the household).
    organisation = serializers.PrimaryKeyRelatedField(
        queryset=Organisation.objects.filter(kind=OrgKind.REGULATOR), required=False,
        allow_null=True)
    # A restore names the completed inspection since the shut-off it rests on.
    visit = ScopedPrimaryKeyField(model=Visit, required=False, allow_null=True)
    department = serializers.CharField(max_length=100, required=False, allow_blank=True)
    # Required for a shut-off, a seal and a referral (the service says so, naming `note`).
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    # A shut-off or a seal: the photo of the sealed valve, base64 (or a multipart file).
    photo = MeasurePhoto(required=False, help_text="data:image/jpeg;base64,… or a file")


class MeasureView(APIView):
    """Record a valve shut off or removed and sealed (with a `note` saying why and a `photo`
    of the sealed valve), a referral to law enforcement (to an organisation:
    `organisation`, with a `note`), or supply restored (`kind` "restored", with the `visit`
    it rests on). JSON with the photo in base64, or multipart with a `photo` file."""

    permission_classes = [Requires("inspections.read", write="inspections.measure")]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(request=MeasureWrite, responses={201: MeasureAnswer})
    def post(self, request):
        body = MeasureWrite(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        customer = data.pop("customer")
        try:
            measure = services.measure_record(actor=request.user, customer=customer, **data)
        except Customer.DoesNotExist:
            raise out_of_scope("customer", customer.pk) from None
        return Response(measure_answer(measure), status=status.HTTP_201_CREATED)


class VisitPrefillView(APIView):
    """The answers the customer's device register gives to its current checklist
    (`?customer=<id>`): the app prefills them for the inspector to confirm or correct."""

    permission_classes = [READ]

    @extend_schema(parameters=[OpenApiParameter("customer", int, required=True)],
                   responses=inline_serializer("VisitPrefill", {
                       "customer": serializers.IntegerField(),
                       "checklist": serializers.IntegerField(allow_null=True),
                       "answers": serializers.DictField(child=serializers.JSONField())}))
    def get(self, request):
        from django.utils import timezone

        raw = request.query_params.get("customer", "")
        if not raw.isdigit():
            return error_response("customer", "required", _("Give the customer's id."))
        customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=int(raw))
        checklist = services.current_checklist(services.audience_for(customer))
        codes = {item.code for item in checklist.items.all()} if checklist else set()
        answers = {code: value for code, value in
                   register.prefill(customer, timezone.localdate()).items() if code in codes}
        return Response({"customer": customer.pk,
                         "checklist": checklist.pk if checklist else None, "answers": answers})


class MeasureVoid(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class MeasureVoidView(APIView):
    """Void a shut-off or a seal recorded by mistake: its author only, within
    RANAN_MEASURE_VOID_MINUTES (30) of recording it, with a `reason`, once."""

    permission_classes = [Requires("inspections.read", write="inspections.measure")]

    @extend_schema(request=MeasureVoid, responses={200: MeasureAnswer})
    def post(self, request, pk: int):
        from ranan.inspections.models import Measure

        measure = get_object_or_404(Measure.objects.visible_to(request.user), pk=pk)
        body = MeasureVoid(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            measure = services.measure_void(actor=request.user, measure=measure,
                                            reason=body.validated_data["reason"])
        except Measure.DoesNotExist:
            raise Http404 from None
        return Response(measure_answer(measure))


class ReferralSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    address = serializers.CharField(source="customer.full_address", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "customer", "customer_name", "address", "organisation",
                  "organisation_name", "reason", "sent_at", "state", "accepted_at",
                  "accepted_by", "outcome", "outcome_note", "closed_at", "closed_by", "step"]


class ReferralList(generics.ListAPIView):
    """The referrals for enforcement of the account's area (`?mine=true`: those sent to the
    account's own department), newest first."""

    serializer_class = ReferralSerializer
    filterset_class = ReferralFilter
    permission_classes = [READ]

    def get_queryset(self):
        return selectors.referrals(self.request.user)


class ReferralDetail(generics.RetrieveAPIView):
    serializer_class = ReferralSerializer
    permission_classes = [READ]

    def get_queryset(self):
        return selectors.referrals(self.request.user)


class ReferralClose(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=ReferralOutcome.choices)
    outcome_note = serializers.CharField(max_length=500)


class ReferralAnswer(APIView):
    """The department answers a referral sent to it: `accept`, then `close` with the
    outcome and what was done."""

    permission_classes = [Requires("inspections.read", write="inspections.referral")]

    @extend_schema(request=ReferralClose, responses=ReferralSerializer)
    def post(self, request, pk: int, action: str):
        referral = get_object_or_404(selectors.referrals(request.user), pk=pk)
        try:
            if action == "accept":
                referral = referrals.referral_accept(actor=request.user, referral=referral)
            else:
                body = ReferralClose(data=request.data)
                body.is_valid(raise_exception=True)
                referral = referrals.referral_close(
                    actor=request.user, referral=referral, outcome=body.validated_data["outcome"],
                    note=body.validated_data["outcome_note"])
        except Referral.DoesNotExist:
            raise Http404 from None
        return Response(ReferralSerializer(referral).data)
