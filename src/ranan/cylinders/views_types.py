"""Cylinder types pages, for administrators: the list and a form (the writes are the
services'; the rules of a type decide every cylinder's inspection and scrap dates)."""

from __future__ import annotations

from django import forms
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ranan.core.forms import StyledForm, form_page
from ranan.core.models import Jurisdiction
from ranan.core.permissions import requires
from ranan.cylinders import selectors, services


class TypeForm(StyledForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    size_kg = forms.DecimalField(label=gettext_lazy("Size (kg)"), max_digits=5, decimal_places=1)
    province = forms.ModelChoiceField(label=gettext_lazy("Province"),
                                      queryset=Jurisdiction.objects.none(), required=False,
                                      empty_label=gettext_lazy("National"))
    inspection_years = forms.IntegerField(label=gettext_lazy("Inspection interval (years)"),
                                          initial=4)
    design_life_years = forms.IntegerField(label=gettext_lazy("Design life (years)"), initial=8)
    extension_years = forms.IntegerField(label=gettext_lazy("Extension after inspection (years)"),
                                         initial=4)
    max_life_years = forms.IntegerField(label=gettext_lazy("Longest life (years)"), initial=12)
    price = forms.DecimalField(label=gettext_lazy("Price (yuan)"), max_digits=8,
                               decimal_places=2, initial=0)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        provinces = Jurisdiction.objects.all() if user.is_superuser else (
            Jurisdiction.objects.filter(pk__in=selectors.province_ids(user)))
        self.fields["province"].queryset = provinces.filter(parent__isnull=True).order_by("name")


@requires("cylinders.types")
def types(request):
    rows = selectors.cylinder_types_for(request.user)
    return render(request, "cylinders/types.html", {"rows": rows})


@requires("cylinders.types")
def type_new(request):
    back = reverse("cylinder-types")
    provinces = selectors.province_ids(request.user)
    form = TypeForm(request.POST or None, user=request.user,
                    initial={"province": min(provinces) if provinces else None})
    return form_page(request, form,
                     lambda data: services.cylinder_type_create(actor=request.user, **data),
                     title=_("New cylinder type"), back=back)


@requires("cylinders.types")
def type_edit(request, pk):
    kind = get_object_or_404(selectors.cylinder_types_for(request.user), pk=pk)
    back = reverse("cylinder-types")
    form = TypeForm(request.POST or None, user=request.user,
                    initial={name: getattr(kind, name) for name in services.TYPE_FIELDS})
    return form_page(request, form,
                     lambda data: services.cylinder_type_update(actor=request.user,
                                                                cylinder_type=kind, **data),
                     back=back,
                     title=_("Cylinder type %(name)s") % {"name": kind.name})
