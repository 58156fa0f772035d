"""Paging for pages and for the API. A page number or offset that does not exist is the caller's mistake and
is answered 400 with what is wrong, never a guess at what was meant (Django's get_page() would quietly show
the last page; DRF would quietly use the default)."""

from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework import exceptions
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request

from safeguarding.common.errors import BadRequest

PAGE_SIZE = 25
# More digits than any real page number: refused before it is turned into an int.
_MAX_DIGITS = 9


def paginate(request: HttpRequest, queryset: QuerySet[Any], *, per_page: int = PAGE_SIZE) -> dict[str, Any]:
    """Page context for list templates: page_obj plus the current query string without `page`."""
    paginator = Paginator(queryset, per_page)
    raw = request.GET.get("page", "1").strip() or "1"
    if not raw.isdigit() or len(raw) > _MAX_DIGITS or int(raw) < 1:
        raise BadRequest("The page number must be a whole number, 1 or more")
    number = int(raw)
    if number > paginator.num_pages:  # num_pages is 1 for an empty list: page 1 always exists
        pages = paginator.num_pages
        raise BadRequest(
            f"There is no page {number}: there {'is' if pages == 1 else 'are'} {pages} page{'s' if pages != 1 else ''}"
        )
    page_obj = paginator.page(number)
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return {"page_obj": page_obj, "query_without_page": f"{encoded}&" if encoded else ""}


class StrictLimitOffsetPagination(LimitOffsetPagination):
    """limit and offset as documented, or 400: a limit that is not a whole number from 1 to max_limit, or an
    offset past the end of the list, is refused with the field's error. Every row returned is an audited read
    of a person's data, so no page is unbounded."""

    default_limit = 50
    max_limit = 200

    @staticmethod
    def _whole_number(request: Request, name: str) -> int | None:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return None
        if not raw.isdigit() or len(raw) > _MAX_DIGITS:
            raise exceptions.ValidationError({name: [f"{name} must be a whole number, 0 or more"]})
        return int(raw)

    def get_limit(self, request: Request) -> int:
        limit = self._whole_number(request, self.limit_query_param)
        if limit is None:
            return self.default_limit
        if not 1 <= limit <= self.max_limit:
            raise exceptions.ValidationError(
                {self.limit_query_param: [f"limit must be from 1 to {self.max_limit}"]}
            )
        return limit

    def get_offset(self, request: Request) -> int:
        return self._whole_number(request, self.offset_query_param) or 0

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any] | None:
        page = super().paginate_queryset(queryset, request, view)
        offset, count = self.offset or 0, self.count or 0
        if offset > 0 and offset >= count:
            raise exceptions.ValidationError(
                {
                    self.offset_query_param: [
                        f"offset is past the end of the list ({count} result{'' if count == 1 else 's'})"
                    ]
                }
            )
        return page

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_limit}
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 0}
        return parameters
