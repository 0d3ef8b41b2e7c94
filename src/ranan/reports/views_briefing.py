"""Pages of the weekly briefing (list and generate, one issue, its PDF and workbook) and of the
monthly statement (form, preview, workbook). Rules are in services.py, briefing.py and
statement.py; these views check input shape and roles."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from ranan.core.choices import Level
from ranan.core.forms import StyledForm, apply_service_errors
from ranan.core.models import Jurisdiction, subtree_q
from ranan.core.permissions import can, require, requires
from ranan.core.selectors import jurisdiction_by_code
from ranan.reports import briefing as briefing_doc
from ranan.reports import services, statement
from ranan.reports.models import Briefing

LIST_PAGE = 30
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The jurisdiction picker lists the account's area nodes and two levels below them (a
# province's villages would make a list of thousands); any other node by its code.
PICKER_DEPTH = 2
PICKER_MAX = 400


def area_choices(user) -> list[tuple[str, str]]:
    """(id, indented name) of the nodes a briefing or statement is usually made for."""
    nodes = Jurisdiction.objects.visible_to(user).exclude(level=Level.GRID)
    if user.is_superuser:
        top = 0
    else:
        depths = list(user.area.values_list("depth", flat=True))
        top = min(depths) if depths else 0
    nodes = nodes.filter(depth__lte=top + PICKER_DEPTH).order_by("path")[:PICKER_MAX]
    return [(str(n.pk), f"{'　' * max(n.depth - top, 0)}{n.name}") for n in nodes]


def _area_node(user, value) -> Jurisdiction | None:
    """The jurisdiction of a form (its id) if it is in the account's area, else None."""
    value = (value or "").strip()
    return (Jurisdiction.objects.visible_to(user).filter(pk=int(value)).first()
            if value.isdigit() else None)


def _node(user, value) -> Jurisdiction:
    """The jurisdiction named in the URL (its id), in the account's area, else 404 (never a
    403 that would confirm it exists)."""
    node = _area_node(user, value)
    if node is None:
        raise Http404
    return node


class BriefingForm(StyledForm):
    # A plain field, not a choice: an id outside the account's area is answered like an
    # unknown one (400 naming the field), whether it exists or not.
    jurisdiction = forms.CharField(label=gettext_lazy("Jurisdiction"), widget=forms.Select,
                                   error_messages={"required": gettext_lazy(
                                       "Choose a jurisdiction.")})
    week_start = forms.CharField(
        label=gettext_lazy("Week"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("Any day of the week: the briefing covers Monday to Sunday."),
        required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].widget.choices = area_choices(user)


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(issue: Briefing, ext: str) -> str:
    code = issue.jurisdiction.code or f"j{issue.jurisdiction_id}"
    return f"briefing-{code}-{issue.number:03d}-{issue.week_start:%Y%m%d}.{ext}"


def briefings_for(user):
    return Briefing.objects.visible_to(user).select_related("jurisdiction", "created_by")


def _generate(user, form: BriefingForm) -> Briefing | None:
    """The issue the valid form asks for, or None with the reasons placed on the form (a
    jurisdiction out of the area as if it did not exist)."""
    value = form.cleaned_data["jurisdiction"]
    node = _area_node(user, value)
    try:
        if node is None:
            raise Jurisdiction.DoesNotExist
        return services.briefing_create(actor=user, node=node,
                                        week_start=form.cleaned_data["week_start"])
    except services.BriefingExists as exc:
        form.add_error("week_start", exc.messages[0])
        form.existing = exc.briefing
    except ValidationError as exc:
        apply_service_errors(form, exc)
    except Jurisdiction.DoesNotExist:
        form.add_error("jurisdiction", _("No jurisdiction “%(code)s” in your area.") % {
            "code": value})
    return None


@requires("reports.read")
def briefing_list(request):
    """The issues of the account's area, newest week first, and (for those who write them)
    the form that generates the next one: the first area node and last week by default."""
    user = request.user
    can_create = can(user, "reports.briefing")
    status = 200
    if request.method == "POST":
        require(user, "reports.briefing")
        form = BriefingForm(request.POST, user=user)
        issue = _generate(user, form) if form.is_valid() else None
        if issue is not None:
            messages.success(request, _("Issue %(number)s generated.") % {
                "number": issue.number})
            return redirect("briefing-detail", pk=issue.pk)
        status = 400
    else:
        first = user.area.order_by("path").first()
        form = BriefingForm(user=user, initial={
            "jurisdiction": str(first.pk) if first else "",
            "week_start": briefing_doc.last_week().isoformat()})
    qs = briefings_for(user)
    chosen = request.GET.get("jurisdiction", "").strip()
    if chosen:
        node = jurisdiction_by_code(user, chosen)
        if node is None:
            raise Http404
        qs = qs.filter(subtree_q("jurisdiction__path", node.path))
    page = Paginator(qs.order_by("-week_start", "jurisdiction__path", "-number"),
                     LIST_PAGE).get_page(request.GET.get("page"))
    return render(request, "reports/briefing_list.html", {
        "page": page, "form": form if can_create else None,
        "existing": getattr(form, "existing", None) if can_create else None,
        "last_week": briefing_doc.last_week()}, status=status)


@requires("reports.read")
def briefing_detail(request, pk):
    user = request.user
    issue = get_object_or_404(briefings_for(user), pk=pk)
    s = briefing_doc.sections(issue)
    peak = max([c["kpis"].get("inspection_coverage", {}).get("value") or 0
                for c in s["children"]] or [0])
    for child in s["children"]:
        value = child["kpis"].get("inspection_coverage", {}).get("value")
        child["bar"] = round(100 * value / peak) if value and peak else 0
    return render(request, "reports/briefing_detail.html", {"issue": issue, "s": s})


@require_GET
@requires("reports.read")
def briefing_pdf(request, pk):
    user = request.user
    issue = get_object_or_404(briefings_for(user), pk=pk)
    return _download(briefing_doc.pdf(issue), "application/pdf", _filename(issue, "pdf"))


@require_GET
@requires("reports.read")
def briefing_xlsx(request, pk):
    user = request.user
    issue = get_object_or_404(briefings_for(user), pk=pk)
    return _download(briefing_doc.xlsx(issue), XLSX, _filename(issue, "xlsx"))


# --- Monthly statement ----------------------------------------------------------------------


class StatementForm(StyledForm):
    jurisdiction = forms.CharField(label=gettext_lazy("Jurisdiction"), widget=forms.Select,
                                   error_messages={"required": gettext_lazy(
                                       "Choose a jurisdiction.")})
    month = forms.CharField(label=gettext_lazy("Month"), required=False,
                            widget=forms.DateInput(attrs={"type": "month"}),
                            help_text=gettext_lazy("YYYY-MM"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].widget.choices = area_choices(user)


def _last_month(today: datetime.date) -> str:
    return f"{(today.replace(day=1) - datetime.timedelta(days=1)):%Y-%m}"


def _statement_input(request):
    """(form, node, first day of the month) from the query string; node None when the form
    has errors. An out-of-area jurisdiction is a 404."""
    user = request.user
    if "month" not in request.GET and "jurisdiction" not in request.GET:
        first = user.area.order_by("path").first()
        form = StatementForm(user=user, initial={
            "jurisdiction": str(first.pk) if first else "",
            "month": _last_month(timezone.localdate())})
        return form, None, None
    form = StatementForm(request.GET, user=user)
    if not form.is_valid():
        return form, None, None
    node = _node(user, form.cleaned_data["jurisdiction"])
    try:
        first = statement.parse_month(form.cleaned_data["month"])
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return form, None, None
    return form, node, first


@require_GET
@requires("reports.statement")
def statement_page(request):
    """The form (month, jurisdiction) and, once chosen, the statement as it will be
    downloaded."""
    user = request.user
    form, node, first = _statement_input(request)
    data = statement.statement(user, node, first) if node is not None else None
    status = 400 if form.is_bound and node is None else 200
    return render(request, "reports/statement.html", {
        "form": form, "data": data, "query": request.GET.urlencode()}, status=status)


@require_GET
@requires("reports.statement")
def statement_xlsx(request):
    user = request.user
    form, node, first = _statement_input(request)
    if node is None:
        return render(request, "reports/statement.html", {"form": form, "data": None},
                      status=400)
    data = statement.statement(user, node, first)
    code = node.code or f"j{node.pk}"
    return _download(statement.xlsx(data), XLSX, f"statement-{code}-{first:%Y-%m}.xlsx")
