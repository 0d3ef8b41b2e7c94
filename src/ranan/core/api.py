"""Core REST endpoints: token, me, jurisdictions, organisations, accounts, audit log."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, user_logged_in
from django.db.models import Exists, OuterRef
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    inline_serializer,
)
from knox.models import get_token_model
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from ranan.core import contract, selectors, services
from ranan.core.api_base import ConditionalWrites, error_response
from ranan.core.choices import Level, RegulatorType
from ranan.core.filters import AuditFilter, JurisdictionFilter
from ranan.core.models import Account, AuditEntry, Jurisdiction, Organisation
from ranan.core.permissions import AuditorOnly, ReadDataWriteAdmin, Requires

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- Serializers ----------------------------------------------------------------------------


class JurisdictionSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None,
                                        allow_null=True)
    has_children = serializers.SerializerMethodField()

    class Meta:
        model = Jurisdiction
        fields = ["id", "name", "code", "level", "parent", "parent_code", "depth", "has_children"]
        read_only_fields = ["id", "depth", "parent_code", "has_children"]

    def get_has_children(self, obj) -> bool:
        if hasattr(obj, "has_children"):
            return obj.has_children
        return obj.children.exists()


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference that only accepts objects the requesting account can see: an id out of
    scope is answered exactly like an id that does not exist."""

    def __init__(self, *, model, **kwargs):
        self.scoped_model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scoped_model.objects.visible_to(self.context["request"].user)


def out_of_scope(field: str, pk) -> serializers.ValidationError:
    """The 400 for an id of the request body that a service found out of the account's scope
    (it left the scope after the serializer read it): the same answer as
    ScopedPrimaryKeyField's, naming the field."""
    message = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
    return serializers.ValidationError({field: [serializers.ErrorDetail(
        str(message).format(pk_value=pk), code="does_not_exist")]})


class JurisdictionWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    level = serializers.ChoiceField(choices=Level.choices)
    parent = ScopedPrimaryKeyField(  # type: ignore[assignment]
        model=Jurisdiction, required=False, allow_null=True)
    code = serializers.CharField(max_length=12, required=False, allow_blank=True, allow_null=True)


class JurisdictionUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    code = serializers.CharField(max_length=12, required=False, allow_blank=True, allow_null=True)


class OrganisationSerializer(serializers.ModelSerializer):
    jurisdictions = ScopedPrimaryKeyField(model=Jurisdiction, many=True)
    parent = ScopedPrimaryKeyField(  # type: ignore[assignment]
        model=Organisation, required=False, allow_null=True)
    regulator_type = serializers.ChoiceField(
        choices=RegulatorType.choices, required=False, allow_blank=True
    )

    class Meta:
        model = Organisation
        fields = ["id", "name", "kind", "regulator_type", "parent", "credit_code",
                  "jurisdictions", "is_active"]
        read_only_fields = ["id"]
        validators: list = []  # uniqueness is the service's (and the database's) job


class ManagedPrimaryKeyField(ScopedPrimaryKeyField):
    """An account's organisation or area: one the requesting account manages accounts
    among (a security administrator sees no domain data, yet manages its area's accounts)."""

    def get_queryset(self):
        return selectors.manageable(self.scoped_model.objects.all(), self.context["request"].user)


class AccountSerializer(serializers.ModelSerializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=contract.role_choices()))
    area = ManagedPrimaryKeyField(model=Jurisdiction, many=True)
    organisation = ManagedPrimaryKeyField(  # type: ignore[assignment]
        model=Organisation, allow_null=True)
    password = serializers.CharField(write_only=True, required=False, style={"input_type": "password"})
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False, allow_blank=True)

    class Meta:
        model = Account
        fields = ["id", "username", "full_name", "phone", "email", "organisation", "roles",
                  "area", "is_active", "language", "password"]
        read_only_fields = ["id"]
        extra_kwargs: dict = {"username": {"validators": []}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["roles"] = sorted(instance.roles)
        return data


class MeSerializer(serializers.ModelSerializer):
    organisation = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()
    area = serializers.SerializerMethodField()

    class Meta:
        model = Account
        fields = ["id", "username", "full_name", "phone", "email", "language",
                  "organisation", "roles", "area"]

    def get_organisation(self, obj) -> dict | None:
        org = obj.organisation
        if org is None:
            return None
        return {"id": org.pk, "name": org.name, "kind": org.kind,
                "regulator_type": org.regulator_type or None}

    def get_roles(self, obj) -> list[str]:
        return sorted(obj.roles)

    def get_area(self, obj) -> list[dict]:
        return [{"id": j.pk, "name": j.name, "code": j.code, "level": j.level}
                for j in obj.area.all()]


class AuditChangeSerializer(serializers.Serializer):
    field = serializers.CharField(source="key", help_text="the stored field name")
    label = serializers.CharField(  # type: ignore[assignment]  # the API's key, not Field.label
        help_text="the field in words")
    before = serializers.CharField(help_text="the old value in words ('' for none)")
    after = serializers.CharField(help_text="the new value in words ('' for none)")


class AuditEntryListSerializer(serializers.ListSerializer):
    """Describes a page of entries at once (`auditlog.describe`: a query per kind of related
    record, not per entry)."""

    def to_representation(self, data):
        from ranan.core import auditlog

        entries = list(data.all() if hasattr(data, "all") else data)
        child = self.child
        assert isinstance(child, AuditEntrySerializer)
        child.rows = {row.entry.pk: row for row in auditlog.describe(entries)}
        return [child.to_representation(entry) for entry in entries]


class AuditEntrySerializer(serializers.ModelSerializer):
    """An entry as stored (codes and ids) and in words (`model_name`, `action_label`,
    `actor_name`, `readable_changes`, `readable_details`)."""

    model_name = serializers.SerializerMethodField()
    action_label = serializers.SerializerMethodField()
    actor_name = serializers.SerializerMethodField()
    readable_changes = serializers.SerializerMethodField()
    readable_details = serializers.SerializerMethodField()
    rows: dict | None = None  # the page's entries described at once (the list serializer)

    class Meta:
        model = AuditEntry
        fields = ["id", "at", "actor", "actor_username", "action", "model", "object_pk",
                  "object_repr", "changes", "details", "ip_address", "model_name",
                  "action_label", "actor_name", "readable_changes", "readable_details"]
        read_only_fields = fields
        list_serializer_class = AuditEntryListSerializer

    def _row(self, entry):
        from ranan.core import auditlog

        rows = self.rows or {}
        return rows.get(entry.pk) or auditlog.describe([entry])[0]

    def get_model_name(self, entry) -> str:
        return self._row(entry).model_name

    def get_action_label(self, entry) -> str:
        return self._row(entry).action_label

    def get_actor_name(self, entry) -> str:
        return self._row(entry).actor_name

    @extend_schema_field(AuditChangeSerializer(many=True))
    def get_readable_changes(self, entry) -> list[dict]:
        return list(AuditChangeSerializer(self._row(entry).changes, many=True).data)

    @extend_schema_field(inline_serializer("AuditDetail", {
        "label": serializers.CharField(), "text": serializers.CharField()}, many=True))
    def get_readable_details(self, entry) -> list[dict]:
        return [{"label": label, "text": text} for label, text in self._row(entry).details]


# --- Auth ---------------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, style={"input_type": "password"})
    otp = serializers.CharField(max_length=16, required=False, allow_blank=True, help_text=(
        "The authenticator app's code (or a recovery code): required under the dengbao3 "
        "profile for admin, security_admin, auditor, regulator and task_force accounts."))


class TokenView(APIView):
    """Exchange a username and password for an API token (expires; see REST_KNOX.TOKEN_TTL)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=TokenRequestSerializer, responses=inline_serializer(
        "TokenResponse", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}))
    def post(self, request):
        from ranan.core import credentials
        from ranan.core.login_limit import LoginBusy, password_check

        body = TokenRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            with password_check():  # a login storm cannot take every worker (issue 16)
                user = authenticate(request._request, username=body.validated_data["username"],
                                    password=body.validated_data["password"])
        except LoginBusy:
            response = error_response(None, "busy", _("The server is busy: retry in a few seconds."),
                                      status.HTTP_503_SERVICE_UNAVAILABLE)
            response["Retry-After"] = str(LoginBusy.retry_after)
            return response
        if getattr(request._request, "axes_locked_out", False):
            return error_response(None, "locked_out", _(
                "Too many failed attempts: this account or address is locked for 15 minutes."),
                status.HTTP_429_TOO_MANY_REQUESTS)
        if user is None:
            return error_response(None, "invalid_credentials",
                                  _("Wrong username or password."))
        if credentials.otp_required(user):
            code = body.validated_data.get("otp", "")
            if not code:
                return error_response("otp", "otp_required", _(
                    "otp: this account needs the code of its authenticator app."),
                    status.HTTP_401_UNAUTHORIZED)
            if credentials.match_code(user, code) is None:
                return error_response("otp", "otp_invalid", _(
                    "otp: the code is wrong or has expired."), status.HTTP_401_UNAUTHORIZED)
        if credentials.password_expired(user):
            return error_response("password", "password_expired", _(
                "password: the password has expired; change it on the website first."),
                status.HTTP_403_FORBIDDEN)
        # The account's expired tokens go now (the per-request check only reads its own).
        get_token_model().objects.filter(user=user, expiry__lt=timezone.now()).delete()
        instance, token = get_token_model().objects.create(user)
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response({"token": token, "expiry": instance.expiry})


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        if request.auth is not None and hasattr(request.auth, "delete"):
            request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


@require_safe
def ping(request):
    """Health check: the process answers, without the database or a login (a load balancer's
    probe, and the baseline of the scan benchmark)."""
    return JsonResponse({"ok": True})


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


# --- Reference data -----------------------------------------------------------------------------


class JurisdictionViewSet(ConditionalWrites, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, mixins.UpdateModelMixin,
                          viewsets.GenericViewSet):
    serializer_class = JurisdictionSerializer
    permission_classes = [ReadDataWriteAdmin]
    filterset_class = JurisdictionFilter

    def get_queryset(self):
        return selectors.jurisdictions_for(self.request.user).select_related("parent")

    def _with_children_flag(self, qs):
        child = Jurisdiction.objects.filter(parent=OuterRef("pk"))
        return qs.annotate(has_children=Exists(child))

    def list(self, request, *args, **kwargs):
        self.filter_queryset(Jurisdiction.objects.none())  # checks the parameters
        parent = None
        if "parent" in request.query_params:
            parent = services.jurisdiction_by_code(
                request.query_params["parent"], field="parent",
                queryset=selectors.jurisdictions_for(request.user))
        qs = self._with_children_flag(
            selectors.jurisdiction_children(request.user, parent).select_related("parent"))
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=JurisdictionWriteSerializer, responses=JurisdictionSerializer)
    def create(self, request, *args, **kwargs):
        body = JurisdictionWriteSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        node = services.jurisdiction_create(actor=request.user, **body.validated_data)
        return Response(JurisdictionSerializer(node).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=JurisdictionUpdateSerializer, responses=JurisdictionSerializer)
    def update(self, request, *args, **kwargs):
        node = self.get_object()
        body = JurisdictionUpdateSerializer(data=request.data, partial=kwargs.get("partial", False))
        body.is_valid(raise_exception=True)
        node = services.jurisdiction_update(actor=request.user, jurisdiction=node,
                                            **body.validated_data)
        return Response(JurisdictionSerializer(node).data)


class OrganisationViewSet(ConditionalWrites, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                          mixins.CreateModelMixin, mixins.UpdateModelMixin,
                          viewsets.GenericViewSet):
    serializer_class = OrganisationSerializer
    permission_classes = [ReadDataWriteAdmin]
    filterset_fields = ["kind", "regulator_type", "is_active"]

    def get_queryset(self):
        return selectors.organisations_for(self.request.user).prefetch_related("jurisdictions")

    def perform_create(self, serializer):
        serializer.instance = services.organisation_create(
            actor=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.organisation_update(
            actor=self.request.user, organisation=serializer.instance, **serializer.validated_data)


class AccountViewSet(ConditionalWrites, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     mixins.CreateModelMixin, mixins.UpdateModelMixin,
                     viewsets.GenericViewSet):
    serializer_class = AccountSerializer
    # Ordinary accounts: the system administrator; every account: the security
    # administrator (services.check_account_change, 三员分立).
    permission_classes = [Requires("core.accounts")]
    filterset_fields = ["organisation", "is_active"]

    def get_queryset(self):
        return selectors.accounts_for(self.request.user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if not data.get("password"):
            raise serializers.ValidationError({"password": [_("This field is required.")]})
        serializer.instance = services.account_create(actor=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("username", None)
        serializer.instance = services.account_update(
            actor=self.request.user, account=serializer.instance, **data)


class AuditEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit log, for the auditor role only. There is no way to change it."""

    serializer_class = AuditEntrySerializer
    permission_classes = [AuditorOnly]
    filterset_class = AuditFilter

    def get_queryset(self):
        return selectors.audit_entries()

    @extend_schema(responses={(200, XLSX): bytes})
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request):
        """The filtered log as .xlsx, in words; the export is itself an audit entry. More
        than `EXPORT_LIMIT` entries: a 400 naming `since` (narrow the filter)."""
        from django.http import FileResponse

        from ranan.core import audit, auditlog

        qs = self.filter_queryset(self.get_queryset())
        filters = {k: v for k, v in request.query_params.items() if k in AuditFilter.base_filters}
        # Too many entries: a ValidationError naming `since`, answered 400 by the handler.
        handle, _rows = auditlog.export_xlsx(actor=request.user, queryset=qs, filters=filters,
                                             ip_address=audit.client_ip(request))
        return FileResponse(handle, as_attachment=True, content_type=XLSX,
                            filename=f"audit-{timezone.localtime():%Y%m%d-%H%M}.xlsx")
