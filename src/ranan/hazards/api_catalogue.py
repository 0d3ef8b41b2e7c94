"""The hazard catalogue through the API: every data role reads the categories and the days
allowed per grade; administrators keep them (services)."""

from __future__ import annotations

from rest_framework import generics, serializers

from ranan.core.api_generic import CreateInList, EditableDetail
from ranan.core.choices import RegulatorType
from ranan.core.permissions import Requires
from ranan.customers.choices import DeviceKind
from ranan.hazards import services
from ranan.hazards.filters import CategoryFilter
from ranan.hazards.models import Category, GradeDeadline
from ranan.inspections.choices import Grade

CATALOGUE = Requires("hazards.read", write="hazards.catalogue")


class CategoryRead(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_en", "default_grade", "is_active", "fix_device",
                  "regulator_type"]


class CategoryWrite(serializers.Serializer):
    code = serializers.SlugField(max_length=30)
    name = serializers.CharField(max_length=60)
    name_en = serializers.CharField(max_length=60)
    default_grade = serializers.ChoiceField(choices=Grade.choices)
    is_active = serializers.BooleanField(required=False, help_text="false: retired")
    fix_device = serializers.ChoiceField(
        choices=DeviceKind.choices, required=False, allow_blank=True,
        help_text="the device closing such a hazard records at the customer; empty: none")
    regulator_type = serializers.ChoiceField(
        choices=RegulatorType.choices, required=False, allow_blank=True,
        help_text="the competent department; empty: every regulator of the area")


class DeadlineRead(serializers.ModelSerializer):
    grade_name = serializers.CharField(source="get_grade_display", read_only=True)

    class Meta:
        model = GradeDeadline
        fields = ["id", "grade", "grade_name", "days"]


class DeadlineWrite(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=365)


class CategoryList(CreateInList, generics.ListAPIView):
    """Hazard categories (filters: is_active, default_grade). POST adds one."""

    serializer_class = CategoryRead
    filterset_class = CategoryFilter
    permission_classes = [CATALOGUE]
    pagination_class = None
    queryset = Category.objects.order_by("id")

    create_serializer = CategoryWrite

    def create(self, request, data):
        return services.category_create(actor=request.user, **data)


class CategoryDetail(EditableDetail):
    """One category; PATCH renames, regrades or retires it (`is_active`: false)."""

    serializer_class = CategoryRead
    change_serializer = CategoryWrite
    permission_classes = [CATALOGUE]
    queryset = Category.objects.all()

    def change(self, request, row, data):
        return services.category_update(actor=request.user, category=row, **data)


class DeadlineList(generics.ListAPIView):
    """Days allowed to fix a hazard, per grade."""

    serializer_class = DeadlineRead
    permission_classes = [CATALOGUE]
    pagination_class = None
    queryset = GradeDeadline.objects.order_by("days")


class DeadlineDetail(EditableDetail):
    serializer_class = DeadlineRead
    change_serializer = DeadlineWrite
    partial = False
    permission_classes = [CATALOGUE]
    queryset = GradeDeadline.objects.all()

    def change(self, request, row, data):
        return services.deadline_update(actor=request.user, deadline=row, **data)
