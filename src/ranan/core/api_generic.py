"""Generic API views the apps' reference data share (kept out of api_base, which DRF's
settings import before its generic views can be)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from rest_framework import generics, status
from rest_framework.response import Response

from ranan.core.api_base import ConditionalWrites


class CreateInList:
    """A list's POST through a service: `create_serializer` checks the body, `create(request,
    data)` (the service) writes, the row is answered with the list's `serializer_class`."""

    create_serializer: type
    created_status = status.HTTP_201_CREATED

    def create(self, request, data: dict):  # pragma: no cover - each view says
        raise NotImplementedError

    def post(self, request):
        body = self.create_serializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        row = self.create(request, dict(body.validated_data))
        return Response(self.serializer_class(row).data,  # type: ignore[attr-defined]
                        status=self.created_status)


class EditableDetail(ConditionalWrites, generics.RetrieveAPIView):
    """One row read (`serializer_class`) and changed by PATCH: `change_serializer` checks the
    body (partial unless `partial` is False), `change(request, row, data)` (the service)
    writes, the row is read back. Out of scope: 404. GET answers an ETag; a PATCH with a
    stale If-Match is a 412 (ConditionalWrites)."""

    change_serializer: type
    partial = True
    http_method_names = ["get", "patch", "head", "options"]

    def get_serializer_class(self):
        return self.change_serializer if self.request.method == "PATCH" else self.serializer_class

    def change(self, request, row, data: dict):  # pragma: no cover - each view says
        raise NotImplementedError

    def patch(self, request, pk):
        row = get_object_or_404(self.get_queryset(), pk=pk)
        body = self.change_serializer(data=request.data, partial=self.partial,
                                      context={"request": request})
        body.is_valid(raise_exception=True)
        row = self.change(request, row, dict(body.validated_data))
        return Response(self.get_read_serializer(row).data)

    def get_read_serializer(self, row):
        read = self.serializer_class
        assert read is not None, f"{type(self).__name__} sets serializer_class"
        return read(row)
