"""Pages of the weekly briefing (list and generate a draft, one briefing with its edit form
and the issue button while a draft, its PDF and workbook, the numbering settings) and of the
monthly statement (form, preview, workbook). Rules are in services.py, briefing.py and
statement.py; these views check input shape and roles."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ranan.core.choices import Level
from ranan.core.forms import StyledForm, apply_service_errors
from ranan.core.models import Jurisdiction, subtree_q
from ranan.core.permissions import can, require, requires
from ranan.core.selectors import jurisdiction_by_code
from ranan.reports import briefing as briefing_doc
from ranan.reports import services, statement
from ranan.reports.models import DRAFTER_MAX, TITLE_MAX, Briefing, BriefingSetting
from ranan.reports.selectors import briefings_for

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
    number = f"{issue.number:03d}" if issue.number is not None else "draft"
    return f"briefing-{code}-{number}-{issue.week_start:%Y%m%d}.{ext}"


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
            messages.success(request, _("Draft generated: write its text, then issue it."))
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


# Recipients are typed one per line, or separated by 、 as the seed lists them.
RECIPIENT_SPLIT = re.compile(r"[\n\r、；;]+")


def split_recipients(text: str) -> list[str]:
    return [name.strip() for name in RECIPIENT_SPLIT.split(text or "") if name.strip()]


class BriefingEditForm(StyledForm):
    """The task force's text of a draft; the notes are one field per child area
    (`note_<area id>`). Lengths and emptiness are the service's rules."""

    title = forms.CharField(label=gettext_lazy("Title"), required=False,
                            widget=forms.TextInput(attrs={"maxlength": TITLE_MAX}))
    lead = forms.CharField(label=gettext_lazy("Lead (导语)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    reported_to = forms.CharField(
        label=gettext_lazy("Reported to (抄报)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line, or separated by 、"))
    copied_to = forms.CharField(
        label=gettext_lazy("Copied to (抄送)"), required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("One per line, or separated by 、"))
    drafter = forms.CharField(label=gettext_lazy("Drafter (拟稿人)"), required=False,
                              widget=forms.TextInput(attrs={"maxlength": DRAFTER_MAX}))

    def __init__(self, *args, issue: Briefing, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = []
        for child in issue.snapshot.get("children", []):
            name = f"note_{child['id']}"
            self.fields[name] = forms.CharField(
                label=_("Note on %(area)s") % {"area": child["name"]}, required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))
            self.areas.append(name)

    @classmethod
    def initial_for(cls, issue: Briefing) -> dict:
        initial = {"title": issue.title or briefing_doc.default_title(issue),
                   "lead": issue.lead, "drafter": issue.drafter,
                   "reported_to": "\n".join(issue.reported_to or []),
                   "copied_to": "\n".join(issue.copied_to or [])}
        initial.update({f"note_{k}": v for k, v in (issue.notes or {}).items()})
        return initial

    def area_fields(self):
        return [self[name] for name in self.areas]


def _detail(request, issue: Briefing, *, form=None, status: int = 200, errors=()):
    user = request.user
    s = briefing_doc.sections(issue)
    peak = max([c["kpis"].get("inspection_coverage", {}).get("value") or 0
                for c in s["children"]] or [0])
    for child in s["children"]:
        value = child["kpis"].get("inspection_coverage", {}).get("value")
        child["bar"] = round(100 * value / peak) if value and peak else 0
    editable = issue.is_draft and can(user, "reports.briefing")
    if editable and form is None:
        form = BriefingEditForm(issue=issue, initial=BriefingEditForm.initial_for(issue))
    return render(request, "reports/briefing_detail.html", {
        "issue": issue, "s": s, "form": form if editable else None, "errors": errors,
        "next_number": services.next_number(issue.jurisdiction) if editable else None,
    }, status=status)


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.error_dict.values() for e in errors for m in e.messages]
    return list(exc.messages)


@requires("reports.read")
def briefing_detail(request, pk):
    """One briefing as it reads; while a draft, for those who write briefings, the form of
    its text (POST saves it) and the button that issues it."""
    user = request.user
    issue = get_object_or_404(briefings_for(user), pk=pk)
    if request.method != "POST":
        return _detail(request, issue)
    require(user, "reports.briefing")
    form = BriefingEditForm(request.POST, issue=issue)
    if not form.is_valid():  # pragma: no cover - every field is optional text
        return _detail(request, issue, form=form, status=400)
    data = form.cleaned_data
    notes = {key[len("note_"):]: value for key, value in request.POST.items()
             if key.startswith("note_")}
    try:
        services.briefing_update(
            actor=user, briefing=issue, title=data["title"], lead=data["lead"],
            drafter=data["drafter"], notes=notes,
            reported_to=split_recipients(data["reported_to"]),
            copied_to=split_recipients(data["copied_to"]))
    except ValidationError as exc:
        issue.refresh_from_db()
        if not issue.is_draft:  # frozen: no form any more, the reason on the page
            return _detail(request, issue, status=400, errors=_messages_of(exc))
        apply_service_errors(form, exc)
        return _detail(request, issue, form=form, status=400)
    messages.success(request, _("Saved."))
    return redirect("briefing-detail", pk=issue.pk)


@require_POST
@requires("reports.briefing")
def briefing_issue(request, pk):
    """Issue the draft (after the confirmation box is ticked): it takes its number and is
    frozen."""
    user = request.user
    issue = get_object_or_404(briefings_for(user), pk=pk)
    if request.POST.get("confirm") != "on":
        return _detail(request, issue, status=400, errors=[_(
            "Tick the box to confirm: once issued, the briefing can no longer be changed.")])
    try:
        issue = services.briefing_issue(actor=user, briefing=issue)
    except ValidationError as exc:
        issue.refresh_from_db()
        return _detail(request, issue, status=400, errors=_messages_of(exc))
    messages.success(request, _("Issued as issue %(number)s.") % {"number": issue.number})
    return redirect("briefing-detail", pk=issue.pk)


class NumberingForm(StyledForm):
    jurisdiction = forms.CharField(label=gettext_lazy("Jurisdiction"), widget=forms.Select,
                                   error_messages={"required": gettext_lazy(
                                       "Choose a jurisdiction.")})
    first_number = forms.CharField(
        label=gettext_lazy("Next issue number"),
        widget=forms.NumberInput(attrs={"min": 1}),
        help_text=gettext_lazy("The next issue takes this number unless a higher one was "
                               "issued (a task force at issue 54 enters 54)."))
    issuer = forms.CharField(label=gettext_lazy("Issuing body"), required=False,
                             help_text=gettext_lazy("Printed under the masthead; empty: "
                                                    "“<area> gas safety task force”."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].widget.choices = area_choices(user)


@requires("reports.briefing")
def briefing_numbering(request):
    """Where each jurisdiction's numbering continues from, and its issuing body."""
    user = request.user
    status = 200
    if request.method == "POST":
        form = NumberingForm(request.POST, user=user)
        if form.is_valid():
            node = _area_node(user, form.cleaned_data["jurisdiction"])
            try:
                if node is None:
                    raise Jurisdiction.DoesNotExist
                services.briefing_setting_save(
                    actor=user, node=node, first_number=form.cleaned_data["first_number"],
                    issuer=form.cleaned_data["issuer"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except Jurisdiction.DoesNotExist:
                form.add_error("jurisdiction", _("No jurisdiction “%(code)s” in your area.") % {
                    "code": form.cleaned_data["jurisdiction"]})
            else:
                messages.success(request, _("Saved: the next issue of %(area)s will be issue "
                                            "%(number)s.") % {
                    "area": node.name, "number": services.next_number(node)})
                return redirect("briefing-numbering")
        status = 400
    else:
        # The jurisdiction asked for (?jurisdiction=<id>, out of the area: 404), else the
        # account's first; the form starts from its current setting.
        asked = request.GET.get("jurisdiction", "").strip()
        node = _node(user, asked) if asked else user.area.order_by("path").first()
        current = BriefingSetting.objects.filter(jurisdiction=node).first() if node else None
        form = NumberingForm(user=user, initial={
            "jurisdiction": str(node.pk) if node else "",
            "first_number": current.first_number if current else 1,
            "issuer": current.issuer if current else ""})
    settings = (BriefingSetting.objects.visible_to(user).select_related("jurisdiction")
                .order_by("jurisdiction__path"))
    rows = [{"setting": s, "next": services.next_number(s.jurisdiction)} for s in settings]
    return render(request, "reports/briefing_numbering.html", {"form": form, "rows": rows},
                  status=status)


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
