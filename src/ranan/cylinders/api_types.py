"""Cylinder types through the API: every data role reads the types its cylinders may have
(national, and its provinces'); administrators keep their provinces' (services)."""

from __future__ import annotations

from rest_framework import generics, serializers

from ranan.core.api import ScopedPrimaryKeyField
from ranan.core.api_generic import CreateInList, EditableDetail
from ranan.core.models import Jurisdiction
from ranan.core.permissions import Requires
from ranan.cylinders import selectors, services
from ranan.cylinders.filters import CylinderTypeFilter
from ranan.cylinders.models import CylinderType

TYPES = Requires("cylinders.read", write="cylinders.types")


class CylinderTypeRead(serializers.ModelSerializer):
    province_name = serializers.CharField(source="province.name", read_only=True, default=None,
                                          allow_null=True)

    class Meta:
        model = CylinderType
        fields = ["id", "name", "size_kg", "province", "province_name", "inspection_years",
                  "design_life_years", "extension_years", "max_life_years", "price"]


class CylinderTypeWrite(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    size_kg = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=1,
                                       max_value=1000)
    province = ScopedPrimaryKeyField(model=Jurisdiction, required=False, allow_null=True,
                                     help_text="a province id; none: national (superuser)")
    inspection_years = serializers.IntegerField(min_value=1, max_value=30, required=False)
    design_life_years = serializers.IntegerField(min_value=1, max_value=50, required=False)
    extension_years = serializers.IntegerField(min_value=0, max_value=30, required=False)
    max_life_years = serializers.IntegerField(min_value=1, max_value=60, required=False)
    price = serializers.DecimalField(max_digits=8, decimal_places=2, min_value=0,
                                     max_value=99999, required=False)


class CylinderTypeList(CreateInList, generics.ListAPIView):
    """Cylinder types (`id` is what orders and registrations take). POST adds one."""

    serializer_class = CylinderTypeRead
    filterset_class = CylinderTypeFilter
    permission_classes = [TYPES]

    def get_queryset(self):
        return selectors.cylinder_types_for(self.request.user)

    create_serializer = CylinderTypeWrite

    def create(self, request, data):
        return services.cylinder_type_create(actor=request.user, **data)


class CylinderTypeDetail(EditableDetail):
    serializer_class = CylinderTypeRead
    change_serializer = CylinderTypeWrite
    permission_classes = [TYPES]

    def get_queryset(self):
        return selectors.cylinder_types_for(self.request.user)

    def change(self, request, row, data):
        return services.cylinder_type_update(actor=request.user, cylinder_type=row, **data)
