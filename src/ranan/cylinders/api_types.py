"""Cylinder types through the API: every data role reads the types its cylinders may have
(national, and its provinces'); administrators keep their provinces' (services)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from ranan.core.api import ScopedPrimaryKeyField
from ranan.core.models import Jurisdiction
from ranan.core.permissions import Requires
from ranan.cylinders import selectors, services
from ranan.cylinders.filters import CylinderTypeFilter
from ranan.cylinders.models import CylinderType

TYPES = Requires("cylinders.read", write="cylinders.types")


class CylinderTypeRead(serializers.ModelSerializer):
    province_name = serializers.CharField(source="province.name", read_only=True, default=None)

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


class CylinderTypeList(generics.ListAPIView):
    """Cylinder types (`id` is what orders and registrations take). POST adds one."""

    serializer_class = CylinderTypeRead
    filterset_class = CylinderTypeFilter
    permission_classes = [TYPES]

    def get_queryset(self):
        return selectors.cylinder_types_for(self.request.user)

    def post(self, request):
        body = CylinderTypeWrite(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        kind = services.cylinder_type_create(actor=request.user, **body.validated_data)
        return Response(CylinderTypeRead(kind).data, status=status.HTTP_201_CREATED)


class CylinderTypeDetail(generics.RetrieveAPIView):
    serializer_class = CylinderTypeRead
    permission_classes = [TYPES]
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.cylinder_types_for(self.request.user)

    def get_serializer_class(self):
        return CylinderTypeWrite if self.request.method == "PATCH" else CylinderTypeRead

    def patch(self, request, pk):
        kind = get_object_or_404(self.get_queryset(), pk=pk)
        body = CylinderTypeWrite(data=request.data, partial=True, context={"request": request})
        body.is_valid(raise_exception=True)
        kind = services.cylinder_type_update(actor=request.user, cylinder_type=kind,
                                             **body.validated_data)
        return Response(CylinderTypeRead(kind).data)
