from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from safeguarding.common.errors import ApplicationError, NotFound


class ApplicationErrorMiddleware:
    """Renders an ApplicationError that escaped a page view as a GOV.UK error page with its message.
    NotFound becomes Django's ordinary 404 so outsiders see exactly what a missing record looks like."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            raise Http404 from exception
        if isinstance(exception, ApplicationError) and not request.path.startswith("/api/"):
            return render(
                request,
                "errors/application_error.html",
                {"message": exception.message},
                status=exception.status_code,
            )
        return None


NUL_MESSAGE = "The request contains a null character, which is never valid. Nothing was saved."


def _has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or any(
        "\x00" in value for _, values in request.GET.lists() for value in values
    ):
        return True
    if request.method in ("POST", "PUT", "PATCH"):
        content_type = request.content_type or ""
        if content_type == "application/json":
            # JSON spells it as an escape; PostgreSQL text cannot hold it at all.
            return b"\\u0000" in request.body or b"\x00" in request.body
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return any("\x00" in value for _, values in request.POST.lists() for value in values)
    return False


class RejectNullCharactersMiddleware:
    """A NUL byte anywhere in a request (path, query, form or JSON body) is a clear 400 before any view runs,
    never a database error: PostgreSQL refuses NUL in text, which would otherwise surface as a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE, "code": "null_character"}, status=400)
            return render(request, "errors/application_error.html", {"message": NUL_MESSAGE}, status=400)
        return self.get_response(request)
