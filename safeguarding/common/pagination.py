from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

PAGE_SIZE = 25


def paginate(request: HttpRequest, queryset: QuerySet[Any], *, per_page: int = PAGE_SIZE) -> dict[str, Any]:
    """Page context for list templates: page_obj plus the current query string without `page`."""
    page_obj = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return {"page_obj": page_obj, "query_without_page": f"{encoded}&" if encoded else ""}
