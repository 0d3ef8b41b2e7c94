"""Pagination for lists of up to millions of rows: a capped, time-boxed count."""

from collections import OrderedDict

from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from ranan.customers.selectors import count_capped

MAX_PAGE = 10_000_000


class CappedPagination(BasePagination):
    """`?page=N&page_size=M`. Answers {count, count_capped, next, previous, results}: `count`
    stops at 10,000 (then `count_capped` is true) and is null when counting would take
    longer than the page itself; `next` is given whenever a further page exists."""

    page_size = 50
    max_page_size = 500

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            self.page = max(1, int(request.query_params.get("page", 1)))
            self.size = min(self.max_page_size, max(1, int(request.query_params.get(
                "page_size", self.page_size))))
        except ValueError:
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"page": ["A page and page_size are whole numbers."]}) from None
        if self.page > MAX_PAGE:
            # Past any list's end, and past what the database takes as an OFFSET (a 20-digit
            # page was a 500): no such page, as DRF answers for a page out of range.
            from rest_framework.exceptions import NotFound

            raise NotFound(code="not_found")
        start = (self.page - 1) * self.size
        rows = list(queryset[start:start + self.size + 1])
        self.has_next = len(rows) > self.size
        self.count, self.more = count_capped(queryset)
        return rows[: self.size]

    def get_paginated_response(self, data):
        url = self.request.build_absolute_uri()
        nxt = replace_query_param(url, "page", self.page + 1) if self.has_next else None
        prev = None
        if self.page > 1:
            prev = (remove_query_param(url, "page") if self.page == 2
                    else replace_query_param(url, "page", self.page - 1))
        return Response(OrderedDict([("count", self.count), ("count_capped", self.more),
                                     ("next", nxt), ("previous", prev), ("results", data)]))

    def get_paginated_response_schema(self, schema):
        return {"type": "object", "properties": {
            "count": {"type": "integer", "nullable": True},
            "count_capped": {"type": "boolean"},
            "next": {"type": "string", "nullable": True},
            "previous": {"type": "string", "nullable": True},
            "results": schema}}
