"""/api/v1/briefings/: list and generate weekly briefings (drafts), read one and edit a
draft's text (PATCH), issue it (POST …/issue/), download it as PDF or .xlsx;
/api/v1/briefing-settings/: where each jurisdiction's numbering starts. Thin: the rules are
the services'."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, re_path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from ranan.core.api_base import ConditionalWrites, Pagination, error_response
from ranan.core.models import Jurisdiction, subtree_q
from ranan.core.permissions import Requires
from ranan.core.selectors import jurisdiction_by_code
from ranan.reports import briefing as briefing_doc
from ranan.reports import services
from ranan.reports.models import Briefing, BriefingSetting
from ranan.reports.selectors import briefings_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _unknown_area(code: str) -> ValidationError:
    """The answer for a jurisdiction code out of the account's area (or gone since): like an
    unknown code, naming the field."""
    return ValidationError({"jurisdiction": _("Unknown jurisdiction code “%(code)s”.") % {
        "code": code}})


class BriefingOut(serializers.ModelSerializer):
    jurisdiction = serializers.SerializerMethodField()
    week_end = serializers.DateField()
    title = serializers.SerializerMethodField()
    areas = serializers.SerializerMethodField()
    issued_by = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()
    xlsx = serializers.SerializerMethodField()

    class Meta:
        model = Briefing
        fields = ["id", "jurisdiction", "state", "number", "title", "lead", "areas", "notes",
                  "reported_to", "copied_to", "drafter", "week_start", "week_end",
                  "created_at", "issued_at", "issued_by", "snapshot", "pdf", "xlsx"]

    def get_jurisdiction(self, obj) -> str:
        return obj.jurisdiction.code or f"#{obj.jurisdiction_id}"

    def get_title(self, obj) -> str:
        return obj.title or briefing_doc.default_title(obj)

    def get_areas(self, obj) -> list[dict]:
        """The child areas of the briefing: the keys `notes` takes."""
        return [{"id": c["id"], "name": c["name"]} for c in obj.snapshot.get("children", [])]

    def get_issued_by(self, obj) -> str | None:
        return obj.issued_by.get_username() if obj.issued_by_id else None

    def get_pdf(self, obj) -> str:
        return f"/api/v1/briefings/{obj.pk}.pdf"

    def get_xlsx(self, obj) -> str:
        return f"/api/v1/briefings/{obj.pk}.xlsx"


class BriefingIn(serializers.Serializer):
    jurisdiction = serializers.CharField(help_text="division code or #id")
    week_start = serializers.CharField(help_text="any day of the week (YYYY-MM-DD) or "
                                                 "YYYY-Www; the week must have ended")


class BriefingChange(serializers.Serializer):
    """The task force's text of a draft; every field optional (PATCH). The service checks
    lengths and emptiness; `notes` replaces all the notes."""

    title = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    lead = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    notes = serializers.JSONField(required=False,
                                  help_text="{area id: note}, for the ids in `areas`")
    reported_to = serializers.JSONField(required=False, help_text="抄报: a list of names")
    copied_to = serializers.JSONField(required=False, help_text="抄送: a list of names")
    drafter = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False,
                                    help_text="拟稿人")

    def validate(self, attrs):
        extra = sorted(set(getattr(self, "initial_data", {}) or {}) - set(self.fields))
        if extra:
            raise ValidationError({name: _("This field cannot be changed.") for name in extra})
        return attrs


class BriefingSettingOut(serializers.ModelSerializer):
    jurisdiction = serializers.SerializerMethodField()
    jurisdiction_name = serializers.CharField(source="jurisdiction.name")
    next_number = serializers.SerializerMethodField()

    class Meta:
        model = BriefingSetting
        fields = ["id", "jurisdiction", "jurisdiction_name", "first_number", "issuer",
                  "next_number", "updated_at"]

    def get_jurisdiction(self, obj) -> str:
        return obj.jurisdiction.code or f"#{obj.jurisdiction_id}"

    def get_next_number(self, obj) -> int:
        return services.next_number(obj.jurisdiction)


class BriefingSettingIn(serializers.Serializer):
    jurisdiction = serializers.CharField(help_text="division code or #id")
    first_number = serializers.JSONField(help_text="the number the next issue takes unless a "
                                                   "higher one was issued (≥ 1)")
    issuer = serializers.CharField(required=False, allow_blank=True,
                                   help_text="the issuing body under the masthead")


class BriefingListView(APIView):
    """GET: the issues of the account's area (newest week first; `jurisdiction=<code>` for a
    subtree). POST: generate the next issue of a jurisdiction for an ended week; a week that
    already has its issue answers 409 with that issue's id."""

    permission_classes = [Requires("reports.read", write="reports.briefing")]
    pagination_class = Pagination  # the list's schema is the paginated one it answers

    @extend_schema(parameters=[OpenApiParameter("jurisdiction", str)],
                   responses=BriefingOut(many=True))
    def get(self, request):
        qs = briefings_for(request.user)
        code = request.query_params.get("jurisdiction", "")
        if code:
            node = jurisdiction_by_code(request.user, code)
            if node is None:
                raise ValidationError({"jurisdiction": _("Unknown jurisdiction code "
                                                         "“%(code)s”.") % {"code": code}})
            qs = qs.filter(subtree_q("jurisdiction__path", node.path))
        paginator = Pagination()
        page = paginator.paginate_queryset(qs.order_by("-week_start", "-number"), request,
                                           view=self)
        return paginator.get_paginated_response(BriefingOut(page, many=True).data)

    @extend_schema(request=BriefingIn, responses={
        201: BriefingOut, 409: OpenApiResponse(description="the week already has its issue")})
    def post(self, request):
        data = BriefingIn(data=request.data)
        data.is_valid(raise_exception=True)
        code = data.validated_data["jurisdiction"]
        unknown = _unknown_area(code)
        node = jurisdiction_by_code(request.user, code)
        if node is None:
            raise unknown
        try:
            issue = services.briefing_create(actor=request.user, node=node,
                                             week_start=data.validated_data["week_start"])
        except services.BriefingExists as exc:
            response = error_response("week_start", "duplicate", exc.messages[0],
                                      status.HTTP_409_CONFLICT)
            response.data["existing"] = exc.briefing.pk
            return response
        except Jurisdiction.DoesNotExist:
            raise unknown from None
        return Response(BriefingOut(issue).data, status=status.HTTP_201_CREATED)


class BriefingFileView(APIView):
    """The issue as PDF or .xlsx (the same figures, kept as generated)."""

    permission_classes = [Requires("reports.read")]

    @extend_schema(responses={(200, "application/pdf"): bytes, (200, XLSX): bytes})
    def get(self, request, pk: int, ext: str):
        issue = _briefing(request, pk)
        body, kind = ((briefing_doc.pdf(issue), "application/pdf") if ext == "pdf"
                      else (briefing_doc.xlsx(issue), XLSX))
        response = HttpResponse(body, content_type=kind)
        code = issue.jurisdiction.code or f"j{issue.jurisdiction_id}"
        number = f"{issue.number:03d}" if issue.number is not None else "draft"
        response["Content-Disposition"] = (f'attachment; filename="briefing-{code}-'
                                           f'{number}.{ext}"')
        return response


def _briefing(request, pk: int) -> Briefing:
    return get_object_or_404(briefings_for(request.user), pk=pk)


class BriefingDetailView(ConditionalWrites, APIView):
    """GET: one briefing. PATCH: change a draft's text (title, lead, notes, reported_to,
    copied_to, drafter); an issued briefing answers 400 naming each field asked for."""

    permission_classes = [Requires("reports.read", write="reports.briefing")]

    @extend_schema(responses=BriefingOut)
    def get(self, request, pk: int):
        return Response(BriefingOut(_briefing(request, pk)).data)

    @extend_schema(request=BriefingChange, responses=BriefingOut)
    def patch(self, request, pk: int):
        issue = _briefing(request, pk)
        body = BriefingChange(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        issue = services.briefing_update(actor=request.user, briefing=issue,
                                         **body.validated_data)
        return Response(BriefingOut(_briefing(request, issue.pk)).data)


class BriefingIssueView(APIView):
    """POST: issue a draft under the next number of its jurisdiction; frozen from then on.
    Issued already (or by someone else a moment ago): 400 naming `state`."""

    permission_classes = [Requires("reports.briefing")]

    @extend_schema(request=None, responses=BriefingOut)
    def post(self, request, pk: int):
        issue = services.briefing_issue(actor=request.user, briefing=_briefing(request, pk))
        return Response(BriefingOut(_briefing(request, issue.pk)).data)


class BriefingSettingView(APIView):
    """GET: the numbering settings of the account's area. POST: set a jurisdiction's first
    issue number (and issuing body); a number at or below one already issued is refused."""

    permission_classes = [Requires("reports.read", write="reports.briefing")]
    pagination_class = Pagination  # the list's schema is the paginated one it answers

    @extend_schema(responses=BriefingSettingOut(many=True))
    def get(self, request):
        qs = (BriefingSetting.objects.visible_to(request.user).select_related("jurisdiction")
              .order_by("jurisdiction__path"))
        paginator = Pagination()
        page = paginator.paginate_queryset(qs, request, view=self)
        return paginator.get_paginated_response(BriefingSettingOut(page, many=True).data)

    @extend_schema(request=BriefingSettingIn, responses=BriefingSettingOut)
    def post(self, request):
        data = BriefingSettingIn(data=request.data)
        data.is_valid(raise_exception=True)
        code = data.validated_data["jurisdiction"]
        unknown = _unknown_area(code)
        node = jurisdiction_by_code(request.user, code)
        if node is None:
            raise unknown
        try:
            setting = services.briefing_setting_save(
                actor=request.user, node=node,
                first_number=data.validated_data["first_number"],
                issuer=data.validated_data.get("issuer"))
        except Jurisdiction.DoesNotExist:
            raise unknown from None
        return Response(BriefingSettingOut(setting).data)


# Included from api_urls.py.
urlpatterns = [
    path("briefings/", BriefingListView.as_view(), name="api-briefings"),
    path("briefings/<int:pk>/", BriefingDetailView.as_view(), name="api-briefing"),
    path("briefings/<int:pk>/issue/", BriefingIssueView.as_view(), name="api-briefing-issue"),
    path("briefing-settings/", BriefingSettingView.as_view(), name="api-briefing-settings"),
    re_path(r"^briefings/(?P<pk>[0-9]+)\.(?P<ext>pdf|xlsx)$", BriefingFileView.as_view(),
            name="api-briefing-file"),
]
