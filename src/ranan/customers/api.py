"""Customer endpoints: list/filter, create, retrieve, update, devices, import, export."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from ranan.core import audit, privacy
from ranan.core.api import ScopedPrimaryKeyField
from ranan.core.api_base import ConditionalWrites
from ranan.core.models import Jurisdiction, Organisation
from ranan.core.permissions import Requires
from ranan.customers import choices, exporter, importer, selectors, services
from ranan.customers.filters import CustomerFilter
from ranan.customers.models import Customer, Device
from ranan.customers.pagination import CappedPagination
from ranan.lib.masking import mask_id, mask_phone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class DeviceSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=choices.DeviceKind.choices)
    material = serializers.ChoiceField(choices=choices.HoseMaterial.choices, required=False,
                                       allow_blank=True)
    heater_type = serializers.ChoiceField(choices=choices.HeaterType.choices, required=False,
                                          allow_blank=True)
    condition = serializers.ChoiceField(choices=choices.Condition.choices, required=False,
                                        allow_blank=True)
    replaces = serializers.PrimaryKeyRelatedField(queryset=Device.objects.all(), required=False,
                                                  allow_null=True, write_only=True)

    class Meta:
        model = Device
        fields = ["id", "kind", "installed_on", "removed_on", "made_on", "flame_out", "material",
                  "length_m", "expires_on", "self_closing", "has_cutoff", "heater_type",
                  "condition", "meter_number", "note", "replaces"]
        read_only_fields = ["id", "removed_on"]


class SupplierField(ScopedPrimaryKeyField):
    """A customer's gas company or LPG station: one of the account's area or of its own
    enterprise (services.suppliers_for)."""

    def get_queryset(self):
        return services.suppliers_for(self.context["request"].user)


class CustomerSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=choices.CustomerKind.choices, required=False)
    supply = serializers.ChoiceField(choices=choices.Supply.choices)
    status = serializers.ChoiceField(choices=choices.CustomerStatus.choices, required=False)
    jurisdiction = ScopedPrimaryKeyField(model=Jurisdiction)
    gas_company = SupplierField(model=Organisation, required=False, allow_null=True)
    lpg_station = SupplierField(model=Organisation, required=False, allow_null=True)
    jurisdiction_code = serializers.CharField(source="jurisdiction.code", read_only=True,
                                              allow_null=True)
    missing = serializers.SerializerMethodField()
    care_flags = serializers.SerializerMethodField()

    class Meta:
        model = Customer
        fields = ["id", "kind", "name", "address", "building", "unit", "room", "jurisdiction",
                  "jurisdiction_code", "supply", "meter_number", "gas_company", "lpg_station",
                  "contact_name", "phone", "contact2_name", "phone2", "id_number",
                  "elderly_alone", "disabled", "tenant", "high_rise", "care_flags", "home_times",
                  "status", "status_date", "latitude", "longitude", "missing", "created_at",
                  "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []

    def get_missing(self, obj) -> list[str]:
        return [m.name.lower() for m in choices.Missing if obj.missing & m.value]

    def get_care_flags(self, obj) -> list[str]:
        return [f for f in ("elderly_alone", "disabled", "tenant", "high_rise") if getattr(obj, f)]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("full_personal"):
            data["phone"] = mask_phone(instance.phone)
            data["phone2"] = mask_phone(instance.phone2)
            data["id_number"] = mask_id(instance.id_number)
        return data


FILTER_PARAMETERS = [
    OpenApiParameter("jurisdiction", str, description="division code (or #id): the subtree"),
    OpenApiParameter("kind", str, enum=choices.CustomerKind.values, many=True),
    OpenApiParameter("supply", str, enum=choices.Supply.values),
    OpenApiParameter("flag", str, enum=["elderly_alone", "disabled", "tenant", "high_rise"], many=True),
    OpenApiParameter("missing", str, enum=[m.name.lower() for m in choices.Missing], many=True),
    OpenApiParameter("status", str, enum=choices.CustomerStatus.values, many=True),
    OpenApiParameter("q", str, description="name, phone tail, address, meter number, pinyin initials"),
]


class CustomerViewSet(ConditionalWrites, viewsets.ModelViewSet):
    serializer_class = CustomerSerializer
    pagination_class = CappedPagination
    # Reading (the export and the import template too) and changing, devices included; the
    # import has its own row.
    permission_classes = [Requires("customers.read", write="customers.edit")]
    filterset_class = CustomerFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.customers_for(self.request.user).select_related(
            "jurisdiction", "gas_company", "lpg_station").order_by("jpath", "id")

    # Phones and ID numbers are masked for every role (issue 16): the full numbers of one
    # customer come only from POST .../unmask/ with a reason.

    def list(self, request, *args, **kwargs):
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(
        request=inline_serializer("UnmaskRequest", {"reason": serializers.CharField(
            min_length=4, max_length=200)}),
        responses=inline_serializer("Unmasked", {"phone": serializers.CharField(),
                                                 "phone2": serializers.CharField(),
                                                 "id_number": serializers.CharField()}))
    @action(detail=True, methods=["post"], url_path="unmask",
            permission_classes=[Requires("customers.personal_data")])
    def unmask(self, request, pk=None):
        """The full phone and ID numbers of one customer, for a reason (4 to 200 characters)
        kept in the audit log (`unmask`). A 400 names `reason`."""
        customer = self.get_object()
        reason = request.data.get("reason") if hasattr(request.data, "get") else None
        fields = privacy.unmask(actor=request.user, instance=customer, reason=str(reason or ""),
                                fields={"phone": customer.phone, "phone2": customer.phone2,
                                        "id_number": customer.id_number},
                                ip_address=audit.client_ip(request))
        return Response(fields)

    def perform_create(self, serializer):
        serializer.instance = services.customer_create(actor=self.request.user,
                                                       **serializer.validated_data)

    def perform_update(self, serializer):
        # A masked number sent back as it was read keeps the real one.
        data = services.keep_masked(serializer.instance, serializer.validated_data)
        serializer.instance = services.customer_update(
            actor=self.request.user, customer=serializer.instance, **data)

    @extend_schema(methods=["GET"], responses=DeviceSerializer(many=True))
    @extend_schema(methods=["POST"], request=DeviceSerializer, responses={201: DeviceSerializer})
    @action(detail=True, methods=["get", "post"], url_path="devices", pagination_class=None)
    def devices(self, request, pk=None):
        customer = self.get_object()
        if request.method == "POST":  # customers.edit, by the permission class
            body = DeviceSerializer(data=request.data)
            # Only a current device of this customer can be replaced: any other id is
            # answered as unknown, whoever's it is.
            body.fields["replaces"].queryset = customer.devices.current()
            body.is_valid(raise_exception=True)
            data = dict(body.validated_data)
            device = services.device_add(actor=request.user, customer=customer, **data)
            return Response(DeviceSerializer(device).data, status=status.HTTP_201_CREATED)
        history = request.query_params.get("history") in ("1", "true")
        qs = customer.devices.all() if history else customer.devices.current()
        return Response(DeviceSerializer(qs, many=True).data)

    @extend_schema(parameters=FILTER_PARAMETERS, responses={(200, XLSX): bytes})
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request):
        qs, cleaned = selectors.filter_customers(request.user, request.query_params)
        handle, _rows = exporter.export_customers(actor=request.user, queryset=qs, filters=cleaned,
                                                  ip_address=audit.client_ip(request))
        name = f"customers-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
        return FileResponse(handle, as_attachment=True, filename=name, content_type=XLSX)

    @extend_schema(responses={(200, XLSX): bytes})
    @action(detail=False, methods=["get"], url_path="import-template")
    def import_template(self, request):
        response = HttpResponse(content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="customer-import-template.xlsx"'
        exporter.write_template(response)
        return response

    @extend_schema(
        request={"multipart/form-data": inline_serializer("CustomerImport", {
            "file": serializers.FileField(), "dry_run": serializers.BooleanField(required=False),
            "on_duplicate": serializers.ChoiceField(choices=importer.OnDuplicate.choices,
                                                    required=False)})},
        responses=inline_serializer("CustomerImportResult", {
            "created": serializers.IntegerField(), "updated": serializers.IntegerField(),
            "unchanged": serializers.IntegerField(), "skipped": serializers.IntegerField(),
            "rows": serializers.IntegerField(), "dry_run": serializers.BooleanField(),
            "errors": serializers.ListField(child=serializers.DictField())}))
    @action(detail=False, methods=["post"], url_path="import", url_name="import",
            parser_classes=[MultiPartParser, FormParser],
            permission_classes=[Requires("customers.import")])
    def import_file(self, request):
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": _("Attach the spreadsheet as the “file” field.")})
        dry_run = str(request.data.get("dry_run", "")).lower() in ("1", "true", "yes", "on")
        on_duplicate = request.data.get("on_duplicate") or importer.OnDuplicate.STOP
        result = importer.import_customers(actor=request.user, fileobj=upload.file,
                                           filename=upload.name, dry_run=dry_run,
                                           on_duplicate=on_duplicate)
        code = status.HTTP_400_BAD_REQUEST if result.errors else status.HTTP_200_OK
        return Response(result.as_dict(), status=code)
