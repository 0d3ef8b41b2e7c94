"""/api/v1/briefings/: list and generate weekly briefings, download one as PDF or .xlsx.
Thin: the rules are `services.briefing_create`'s."""

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

from ranan.core.api_base import Pagination, error_response
from ranan.core.models import Jurisdiction, subtree_q
from ranan.core.permissions import Requires
from ranan.core.selectors import jurisdiction_by_code
from ranan.reports import briefing as briefing_doc
from ranan.reports import services
from ranan.reports.models import Briefing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BriefingOut(serializers.ModelSerializer):
    jurisdiction = serializers.SerializerMethodField()
    week_end = serializers.DateField()
    title = serializers.SerializerMethodField()
    pdf = serializers.SerializerMethodField()
    xlsx = serializers.SerializerMethodField()

    class Meta:
        model = Briefing
        fields = ["id", "jurisdiction", "number", "title", "week_start", "week_end",
                  "created_at", "snapshot", "pdf", "xlsx"]

    def get_jurisdiction(self, obj) -> str:
        return obj.jurisdiction.code or f"#{obj.jurisdiction_id}"

    def get_title(self, obj) -> str:
        return briefing_doc.title(obj.number)

    def get_pdf(self, obj) -> str:
        return f"/api/v1/briefings/{obj.pk}.pdf"

    def get_xlsx(self, obj) -> str:
        return f"/api/v1/briefings/{obj.pk}.xlsx"


class BriefingIn(serializers.Serializer):
    jurisdiction = serializers.CharField(help_text="division code or #id")
    week_start = serializers.CharField(help_text="any day of the week (YYYY-MM-DD) or "
                                                 "YYYY-Www; the week must have ended")


class BriefingListView(APIView):
    """GET: the issues of the account's area (newest week first; `jurisdiction=<code>` for a
    subtree). POST: generate the next issue of a jurisdiction for an ended week; a week that
    already has its issue answers 409 with that issue's id."""

    permission_classes = [Requires("reports.read", write="reports.briefing")]

    @extend_schema(parameters=[OpenApiParameter("jurisdiction", str)],
                   responses=BriefingOut(many=True))
    def get(self, request):
        qs = Briefing.objects.visible_to(request.user).select_related("jurisdiction")
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
        # Out of the area (or gone since): answered like an unknown code, naming the field.
        unknown = ValidationError({"jurisdiction": _("Unknown jurisdiction code “%(code)s”.") % {
            "code": code}})
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
        issue = get_object_or_404(Briefing.objects.visible_to(request.user)
                                  .select_related("jurisdiction"), pk=pk)
        body, kind = ((briefing_doc.pdf(issue), "application/pdf") if ext == "pdf"
                      else (briefing_doc.xlsx(issue), XLSX))
        response = HttpResponse(body, content_type=kind)
        code = issue.jurisdiction.code or f"j{issue.jurisdiction_id}"
        response["Content-Disposition"] = (f'attachment; filename="briefing-{code}-'
                                           f'{issue.number:03d}.{ext}"')
        return response


# Included from api_urls.py.
urlpatterns = [
    path("briefings/", BriefingListView.as_view(), name="api-briefings"),
    re_path(r"^briefings/(?P<pk>[0-9]+)\.(?P<ext>pdf|xlsx)$", BriefingFileView.as_view(),
            name="api-briefing-file"),
]
