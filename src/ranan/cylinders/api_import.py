"""POST /api/v1/cylinders/import: a station's existing stock from .xlsx / .csv, all or nothing
(the rules are `importer.import_cylinders`')."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from ranan.core.permissions import Requires
from ranan.cylinders.importer import import_cylinders


class ImportView(APIView):
    """Answers the import's result: 201 when the cylinders were registered, 200 for a clean
    dry run, 400 with every bad row ({"row", "column", "message"}) when nothing was."""

    parser_classes = [MultiPartParser, FormParser]
    permission_classes = [Requires("cylinders.import")]

    @extend_schema(
        request={"multipart/form-data": inline_serializer("CylinderImport", {
            "file": serializers.FileField(), "dry_run": serializers.BooleanField(required=False),
            "station": serializers.IntegerField(required=False, help_text=_(
                "The LPG station; an administrator must give it, a station manager's own "
                "station is the default."))})},
        responses={201: inline_serializer("CylinderImportResult", {
            "created": serializers.IntegerField(), "rows": serializers.IntegerField(),
            "generated_codes": serializers.IntegerField(),
            "overdue": serializers.IntegerField(), "past_scrap": serializers.IntegerField(),
            "station": serializers.IntegerField(allow_null=True),
            "dry_run": serializers.BooleanField(),
            "errors": serializers.ListField(child=serializers.DictField())})})
    def post(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": _("Attach the spreadsheet as the “file” field.")})
        dry_run = str(request.data.get("dry_run", "")).lower() in ("1", "true", "yes", "on")
        result = import_cylinders(actor=request.user, fileobj=upload.file, filename=upload.name,
                                  dry_run=dry_run, station=request.data.get("station") or None)
        if result.errors:
            code = status.HTTP_400_BAD_REQUEST
        else:
            code = status.HTTP_200_OK if dry_run else status.HTTP_201_CREATED
        return Response(result.as_dict(), status=code)
