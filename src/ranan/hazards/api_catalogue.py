"""The hazard catalogue through the API: every data role reads the categories and the days
allowed per grade; administrators keep them (services)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from ranan.core.permissions import Requires
from ranan.hazards import services
from ranan.hazards.filters import CategoryFilter
from ranan.hazards.models import Category, GradeDeadline
from ranan.inspections.choices import Grade

CATALOGUE = Requires("hazards.read", write="hazards.catalogue")


class CategoryRead(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_en", "default_grade", "is_active"]


class CategoryWrite(serializers.Serializer):
    code = serializers.SlugField(max_length=30)
    name = serializers.CharField(max_length=60)
    name_en = serializers.CharField(max_length=60)
    default_grade = serializers.ChoiceField(choices=Grade.choices)
    is_active = serializers.BooleanField(required=False, help_text="false: retired")


class DeadlineRead(serializers.ModelSerializer):
    grade_name = serializers.CharField(source="get_grade_display", read_only=True)

    class Meta:
        model = GradeDeadline
        fields = ["id", "grade", "grade_name", "days"]


class DeadlineWrite(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=365)


class CategoryList(generics.ListAPIView):
    """Hazard categories (filters: is_active, default_grade). POST adds one."""

    serializer_class = CategoryRead
    filterset_class = CategoryFilter
    permission_classes = [CATALOGUE]
    pagination_class = None
    queryset = Category.objects.order_by("id")

    def post(self, request):
        body = CategoryWrite(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.category_create(actor=request.user, **body.validated_data)
        return Response(CategoryRead(row).data, status=status.HTTP_201_CREATED)


class CategoryDetail(generics.RetrieveAPIView):
    """One category; PATCH renames, regrades or retires it (`is_active`: false)."""

    serializer_class = CategoryRead
    permission_classes = [CATALOGUE]
    http_method_names = ["get", "patch", "head", "options"]
    queryset = Category.objects.all()

    def get_serializer_class(self):
        return CategoryWrite if self.request.method == "PATCH" else CategoryRead

    def patch(self, request, pk):
        row = get_object_or_404(Category.objects.all(), pk=pk)
        body = CategoryWrite(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        row = services.category_update(actor=request.user, category=row, **body.validated_data)
        return Response(CategoryRead(row).data)


class DeadlineList(generics.ListAPIView):
    """Days allowed to fix a hazard, per grade."""

    serializer_class = DeadlineRead
    permission_classes = [CATALOGUE]
    pagination_class = None
    queryset = GradeDeadline.objects.order_by("days")


class DeadlineDetail(generics.RetrieveAPIView):
    serializer_class = DeadlineRead
    permission_classes = [CATALOGUE]
    http_method_names = ["get", "patch", "head", "options"]
    queryset = GradeDeadline.objects.all()

    def get_serializer_class(self):
        return DeadlineWrite if self.request.method == "PATCH" else DeadlineRead

    def patch(self, request, pk):
        row = get_object_or_404(GradeDeadline.objects.all(), pk=pk)
        body = DeadlineWrite(data=request.data)
        body.is_valid(raise_exception=True)
        row = services.deadline_update(actor=request.user, deadline=row, **body.validated_data)
        return Response(DeadlineRead(row).data)
