from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
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
