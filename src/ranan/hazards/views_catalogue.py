"""Administrators edit the hazard catalogue: categories (name, default grade, in use) and the
days allowed per grade."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ranan.core import audit
from ranan.core.permissions import requires
from ranan.hazards.models import Category, GradeDeadline

CategoryFormSet = forms.modelformset_factory(
    Category, fields=["code", "name", "name_en", "default_grade", "is_active"], extra=1)
DeadlineFormSet = forms.modelformset_factory(GradeDeadline, fields=["grade", "days"], extra=0)


@requires("hazards.catalogue")
def catalogue(request):
    categories = CategoryFormSet(request.POST or None, prefix="c",
                                 queryset=Category.objects.order_by("id"))
    deadlines = DeadlineFormSet(request.POST or None, prefix="d",
                                queryset=GradeDeadline.objects.order_by("days"))
    if request.method == "POST" and categories.is_valid() and deadlines.is_valid():
        with transaction.atomic():
            for formset in (categories, deadlines):
                for form in formset.forms:
                    if not form.has_changed():
                        continue
                    before = audit.snapshot(form.instance) if form.instance.pk else None
                    instance = form.save()
                    if before is None:
                        audit.record_create(actor=request.user, instance=instance)
                    else:
                        audit.record_update(actor=request.user, instance=instance, before=before)
        messages.success(request, _("The catalogue is saved: new hazards use it."))
        return redirect("hazard-catalogue")
    return render(request, "hazards/catalogue.html",
                  {"categories": categories, "deadlines": deadlines})
