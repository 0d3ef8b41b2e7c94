"""Administrators edit the hazard catalogue: categories (name, default grade, in use) and the
days allowed per grade."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ranan.core.forms import apply_service_errors
from ranan.core.permissions import requires
from ranan.hazards import services
from ranan.hazards.models import Category, GradeDeadline

CategoryFormSet = forms.modelformset_factory(
    Category, fields=["code", "name", "name_en", "default_grade", "is_active", "fix_device",
                      "regulator_type"], extra=1)
DeadlineFormSet = forms.modelformset_factory(GradeDeadline, fields=["grade", "days"], extra=0)


@requires("hazards.catalogue")
def catalogue(request):
    categories = CategoryFormSet(request.POST or None, prefix="c",
                                 queryset=Category.objects.order_by("id"))
    deadlines = DeadlineFormSet(request.POST or None, prefix="d",
                                queryset=GradeDeadline.objects.order_by("days"))
    if request.method == "POST" and categories.is_valid() and deadlines.is_valid():
        try:
            with transaction.atomic():  # all the rows or none
                _save(request.user, categories, deadlines)
        except ValidationError:
            pass  # shown on the row's fields
        else:
            messages.success(request, _("The catalogue is saved: new hazards use it."))
            return redirect("hazard-catalogue")
    return render(request, "hazards/catalogue.html",
                  {"categories": categories, "deadlines": deadlines})


def _save(actor, categories, deadlines) -> None:
    """Each changed row through the catalogue's services (the same rules as the API); the
    first refusal is shown on its row and undoes the others."""
    for form in categories.forms:
        if not form.has_changed() or not form.cleaned_data:  # an empty extra row
            continue
        data = {k: form.cleaned_data[k] for k in services.CATEGORY_FIELDS
                if k in form.cleaned_data}
        try:
            if form.instance.pk:
                services.category_update(
                    actor=actor, category=Category.objects.get(pk=form.instance.pk), **data)
            else:
                services.category_create(actor=actor, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            raise
    for form in deadlines.forms:
        if not form.has_changed():
            continue
        try:
            services.deadline_update(actor=actor,
                                     deadline=GradeDeadline.objects.get(pk=form.instance.pk),
                                     days=form.cleaned_data["days"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
            raise
