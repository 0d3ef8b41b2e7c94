"""Core pages. Thin: forms check shape, services hold the rules, selectors scope the reads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from ranan.core import contract, selectors, services
from ranan.core.choices import Role
from ranan.core.forms import (
    AccountForm,
    AuditFilterForm,
    JurisdictionEditForm,
    JurisdictionForm,
    OrganisationForm,
    form_page,
)
from ranan.core.models import AuditEntry
from ranan.core.permissions import is_admin, requires


def lockout_response(request, credentials, *args, **kwargs):
    """django-axes calls this when an account or address is locked out."""
    message = _("Too many failed attempts: this account or address is locked for 15 minutes.")
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"field": None, "code": "locked_out",
                                         "message": message}]}, status=429)
    return render(request, "core/login.html", {"locked_out": True, "lockout_message": message},
                  status=429)


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    redirect_authenticated_user = True


def primary_role(user) -> str | None:
    """The role the home page is titled with: the highest ranked the account holds (the
    roles' `rank` in the app contract)."""
    from ranan.core import contract

    if user.is_superuser and not user.roles:
        return Role.ADMIN
    held = [contract.roles()[r] for r in user.roles if r in contract.roles()]
    return min(held, key=lambda r: r.rank).code if held else None


@login_required
def home(request):
    """The home page: the panels of every app (`home_panels` of the app contract), each
    showing what this account has to see."""
    from django.template.loader import render_to_string

    from ranan.core import contract

    role = primary_role(request.user)
    panels = []
    for panel, context in contract.home_panels():
        data = context(request, None)
        if data is not None:
            panels.append(render_to_string(panel.template, data, request=request))
    return render(request, "core/home.html", {
        "role": role, "role_label": contract.role_label(role) if role else "",
        "panels": panels})


@require_POST
def switch_language(request):
    """Switch language; a signed-in account keeps its choice across devices."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and check_for_language(language):
        services.account_set_language(actor=request.user, language=language)
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
        request.POST = request.POST.copy()
        request.POST["next"] = "/"
    return set_language(request)


# --- Jurisdictions ----------------------------------------------------------------------------


@requires("core.data")
def jurisdiction_list(request, pk=None):
    visible = selectors.jurisdictions_for(request.user)
    node = get_object_or_404(visible, pk=pk) if pk else None
    children = selectors.jurisdiction_children(request.user, node).select_related("parent")
    query = request.GET.get("q", "").strip()
    if query:
        children = visible.filter(name__icontains=query) if not query.isdigit() else visible.filter(
            code__startswith=query)
    page = Paginator(children, 100).get_page(request.GET.get("page"))
    ancestors = list(node.ancestors().filter(pk__in=visible.values("pk"))) if node else []
    return render(request, "core/jurisdiction_list.html", {
        "node": node, "page": page, "ancestors": ancestors, "query": query,
        "can_edit": is_admin(request.user),
    })


@requires("core.admin")
def jurisdiction_create(request, parent_pk):
    parent = get_object_or_404(selectors.jurisdictions_for(request.user), pk=parent_pk)
    back = reverse("jurisdiction-detail", args=[parent.pk])

    def save(data):
        node = services.jurisdiction_create(actor=request.user, parent=parent, **data)
        return back, _("Created %(name)s.") % {"name": node.name}

    return form_page(request, JurisdictionForm(request.POST or None), save, back=back,
                     title=_("New area under %(name)s") % {"name": parent.name})


@requires("core.admin")
def jurisdiction_edit(request, pk):
    node = get_object_or_404(selectors.jurisdictions_for(request.user), pk=pk)
    form = JurisdictionEditForm(request.POST or None,
                                initial={"name": node.name, "code": node.code or ""})
    back = reverse("jurisdiction-detail", args=[node.pk])

    def save(data):
        services.jurisdiction_update(actor=request.user, jurisdiction=node, **data)
        return back

    return form_page(request, form, save, back=back,
                     title=_("Edit %(name)s") % {"name": node.name})


# --- Organisations ---------------------------------------------------------------------------


@requires("core.admin")
def organisation_list(request):
    qs = selectors.organisations_for(request.user).prefetch_related("jurisdictions")
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/organisation_list.html", {"page": page, "kind": kind})


def _organisation_form_view(request, organisation=None):
    """The organisation form (the callers require core.admin)."""
    initial = {}
    if organisation is not None:
        initial = {
            "name": organisation.name, "kind": organisation.kind,
            "regulator_type": organisation.regulator_type, "parent": organisation.parent_id,
            "credit_code": organisation.credit_code, "is_active": organisation.is_active,
            "jurisdictions": list(organisation.jurisdictions.values_list("pk", flat=True)),
        }
    form = OrganisationForm(request.POST or None, initial=initial, user=request.user)

    def save(data):
        data["jurisdictions"] = list(data["jurisdictions"])
        if organisation is None:
            services.organisation_create(actor=request.user, **data)
        else:
            services.organisation_update(actor=request.user, organisation=organisation, **data)
        return reverse("organisation-list")

    title = _("New organisation") if organisation is None else organisation.name
    return form_page(request, form, save, title=title, back=reverse("organisation-list"))


@requires("core.admin")
def organisation_create(request):
    return _organisation_form_view(request)


@requires("core.admin")
def organisation_edit(request, pk):
    org = get_object_or_404(selectors.organisations_for(request.user), pk=pk)
    return _organisation_form_view(request, org)


# --- Accounts ------------------------------------------------------------------------------------


@requires("core.accounts")
def account_list(request):
    qs = selectors.accounts_for(request.user)
    role = request.GET.get("role", "")
    if role:
        qs = qs.filter(role_rows__role=role)
    query = request.GET.get("q", "").strip()
    if query:
        qs = qs.filter(username__icontains=query) | qs.filter(full_name__icontains=query)
    page = Paginator(qs.order_by("username"), 50).get_page(request.GET.get("page"))
    services.mark_manageable(request.user, page)
    return render(request, "core/account_list.html", {
        "page": page, "role": role, "query": query, "roles": contract.role_choices()})


def _account_form_view(request, account=None):
    """The account form (the callers require core.accounts; services.check_account_change
    decides which accounts and roles)."""
    initial: dict = {"is_active": True}
    if account is not None:
        initial = {
            "username": account.username, "full_name": account.full_name,
            "phone": account.phone, "email": account.email,
            "organisation": account.organisation_id, "roles": sorted(account.roles),
            "area": list(account.area.values_list("pk", flat=True)),
            "is_active": account.is_active,
        }
    form = AccountForm(request.POST or None, initial=initial, user=request.user,
                       editing=account is not None,
                       own=account is not None and account.pk == request.user.pk)

    def save(data):
        data["area"] = list(data["area"])
        if account is None:
            services.account_create(actor=request.user, **data)
        else:
            data.pop("username")
            services.account_update(actor=request.user, account=account, **data)
        return reverse("account-list")

    title = _("New account") if account is None else account.username
    return form_page(request, form, save, title=title, back=reverse("account-list"))


@requires("core.accounts")
def account_create(request):
    return _account_form_view(request)


@requires("core.accounts")
def account_edit(request, pk):
    account = get_object_or_404(selectors.accounts_for(request.user), pk=pk)
    if not services.may_manage_account(request.user, account):
        # A privileged account (admin, security admin, auditor): the security admin's.
        raise PermissionDenied
    return _account_form_view(request, account)


# --- Audit log ----------------------------------------------------------------------------------


def _audit_query(request):
    """(form, entries): the filtered log, or nothing while the filter has an error."""
    form = AuditFilterForm(request.GET or None)
    if not form.is_bound:
        return form, selectors.audit_entries()
    if form.is_valid():
        return form, selectors.audit_entries(**form.query())
    return form, AuditEntry.objects.none()


@requires("core.audit")
def audit_list(request):
    """The audit log in words: record types and fields named, values as their labels, each
    change as before → after; filtered with pickers, exported to .xlsx."""
    form, qs = _audit_query(request)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "core/audit_list.html", {
        "form": form, "page": page,
        "querystring": params.urlencode(), "can_export": form.is_valid() or not form.is_bound})


@requires("core.audit")
def audit_export(request):
    """The filtered log as .xlsx (the export is itself an audit entry)."""
    from django.core.exceptions import ValidationError
    from django.http import FileResponse
    from django.utils import timezone

    from ranan.core import audit, auditlog

    form, qs = _audit_query(request)
    if form.is_bound and not form.is_valid():
        messages.error(request, " ".join(f"{form.fields[k].label}: {' '.join(v)}"
                                         if k in form.fields else " ".join(v)
                                         for k, v in form.errors.items()))
        return redirect(reverse("audit-list") + "?" + request.GET.urlencode())
    try:
        handle, _rows = auditlog.export_xlsx(
            actor=request.user, queryset=qs, filters=form.cleaned_data if form.is_bound else {},
            ip_address=audit.client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(reverse("audit-list") + "?" + request.GET.urlencode())
    return FileResponse(handle, as_attachment=True, content_type=auditlog.XLSX,
                        filename=f"audit-{timezone.localtime():%Y%m%d-%H%M}.xlsx")



MESSAGE_STATUSES = ("pending", "sent", "failed")


@requires("core.admin")
def outbox(request):
    """Every message Ranan sent or will send, with its delivery status: administrators see
    the failures and put them back in the queue."""
    from ranan.core import notify
    from ranan.core.models import Message

    if request.method == "POST":
        message = Message.objects.filter(pk=request.POST.get("retry"), status="failed").first()
        if message is not None:
            notify.retry(message)
            messages.success(request, _("The message is queued again."))
        return redirect(request.get_full_path())
    status = request.GET.get("status", "")
    qs = Message.objects.select_related("to_account", "to_organisation").order_by("-id")
    if status in MESSAGE_STATUSES:
        qs = qs.filter(status=status)
    counts = dict(Message.objects.values_list("status").annotate(n=Count("id")).order_by())
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "core/outbox.html", {
        "page": page, "status": status, "counts": counts, "statuses": MESSAGE_STATUSES})
