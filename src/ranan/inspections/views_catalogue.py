"""Administrators edit the checklists: the items of the current version in a form, saved as
the next version (visits keep the version they used)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ranan.core.permissions import requires
from ranan.customers.choices import DeviceKind
from ranan.inspections import services
from ranan.inspections.choices import AnswerType, Grade, HazardCategory
from ranan.inspections.models import Checklist

FIELDS = ["position", "code", "question", "question_en", "answer_type", "fail_above",
          "fail_below", "unit", "required", "photo_on_fail", "hazard_category", "default_grade",
          "fix_part"]


class ItemForm(forms.Form):
    position = forms.IntegerField(min_value=1, max_value=999, label=gettext_lazy("No."))
    code = forms.SlugField(max_length=40, label=gettext_lazy("Code"))
    question = forms.CharField(max_length=200, label=gettext_lazy("Question (Chinese)"))
    question_en = forms.CharField(max_length=200, label=gettext_lazy("Question (English)"))
    answer_type = forms.ChoiceField(choices=AnswerType.choices,
                                    label=gettext_lazy("Answer type"))
    fail_above = forms.DecimalField(required=False, max_digits=8, decimal_places=2,
                                    label=gettext_lazy("Fails above"))
    fail_below = forms.DecimalField(required=False, max_digits=8, decimal_places=2,
                                    label=gettext_lazy("Fails below"))
    unit = forms.CharField(max_length=10, required=False, label=gettext_lazy("Unit"))
    required = forms.BooleanField(required=False, label=gettext_lazy("Required"))
    photo_on_fail = forms.BooleanField(required=False, label=gettext_lazy("Photo on fail"))
    hazard_category = forms.ChoiceField(choices=[("", "—"), *HazardCategory.choices],
                                        required=False, label=gettext_lazy("Hazard category"))
    default_grade = forms.ChoiceField(choices=[("", "—"), *Grade.choices], required=False,
                                      label=gettext_lazy("Grade"))
    fix_part = forms.ChoiceField(choices=[("", "—"), *DeviceKind.choices], required=False,
                                 label=gettext_lazy("Part a fix installs"))


ItemFormSet = forms.formset_factory(ItemForm, extra=2, can_delete=True)


@requires("inspections.checklist")
def checklists(request):
    rows = Checklist.objects.prefetch_related("items").order_by("key", "-version")
    return render(request, "inspections/checklists.html", {"checklists": rows,
                                                          "can_checklists": True})


@requires("inspections.checklist")
def checklist_edit(request, pk):
    checklist = get_object_or_404(Checklist, pk=pk)
    choices_by_code = {item.code: item.choices for item in checklist.items.all()}
    if request.method == "POST":
        formset = ItemFormSet(request.POST)
        title = request.POST.get("title", "").strip() or checklist.title
        if formset.is_valid():
            items = []
            for form in formset:
                data = form.cleaned_data
                if not data or data.get("DELETE"):
                    continue
                item = {f: data.get(f) for f in FIELDS}
                item["choices"] = choices_by_code.get(item["code"], [])
                if item["answer_type"] == AnswerType.CHOICE and not item["choices"]:
                    form.add_error("answer_type", _("A new choice item needs its choices: "
                                                    "ask for it through the API."))
                items.append(item)
            if not formset.is_valid() or any(f.errors for f in formset):
                pass
            elif not items:
                messages.error(request, _("A checklist needs at least one item."))
            else:
                try:
                    new = services.checklist_new_version(actor=request.user, checklist=checklist,
                                                         title=title, items=items)
                except ValidationError as exc:
                    for message in exc.messages:
                        messages.error(request, message)
                else:
                    messages.success(request, _("Version %(v)d published.") % {"v": new.version})
                    return redirect("inspection-checklists")
    else:
        formset = ItemFormSet(initial=[{f: getattr(item, f) for f in FIELDS}
                                       for item in checklist.items.all()])
    return render(request, "inspections/checklist_edit.html",
                  {"checklist": checklist, "formset": formset})
