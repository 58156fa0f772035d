"""API plumbing shared by every app: one error shape for domain errors."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from safeguarding.common.errors import ApplicationError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail=detail)
    if isinstance(exc, ApplicationError):
        if exc.status_code == status.HTTP_404_NOT_FOUND:
            return Response({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
        return Response(
            {"detail": exc.message, "code": exc.code, **({"extra": exc.extra} if exc.extra else {})},
            status=exc.status_code,
        )
    return drf_exception_handler(exc, context)


# The errors any operation can answer with, and the one shape each takes (exception_handler above): documented
# on every operation so that a client, and the schema tests, can rely on them. A server error is never
# documented: it is always a bug.
_DETAIL = {
    "type": "object",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "extra": {"type": "object"},
    },
}
_FIELD_ERRORS = {
    "type": "object",
    "description": "Field errors, keyed by field name (non_field_errors for the request as a whole).",
    "additionalProperties": True,
}
STANDARD_ERRORS: dict[str, tuple[str, dict[str, Any]]] = {
    "400": ("The request is not valid: field errors, keyed by field name.", _FIELD_ERRORS),
    "401": ("No valid credentials were sent.", _DETAIL),
    "403": ("You can see this, but your role may not do this.", _DETAIL),
    "404": ("It does not exist, or it is not shared with you (the same answer for both).", _DETAIL),
    "405": ("The method is not allowed here.", _DETAIL),
    "406": ("The Accept header asks for a format the API does not give.", _DETAIL),
    "409": ("It conflicts with the record's current state (for example, a stale edit).", _DETAIL),
    "415": ("The request body's content type is not one the API takes.", _DETAIL),
    "422": ("Understood, but refused (for example, an Idempotency-Key used for another request).", _DETAIL),
    "429": ("Too many requests: try again later.", _DETAIL),
}


def document_standard_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS): every operation documents the standard
    error responses it does not already describe."""
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code, (description, body) in STANDARD_ERRORS.items():
                existing = operation["responses"].get(code)
                if existing is None or "content" not in existing:
                    operation["responses"][code] = {
                        "description": (existing or {}).get("description", description),
                        "content": {"application/json": {"schema": body}},
                    }
    return result


def api_aware_not_found(request: Any, exception: Exception | None = None) -> Any:
    """handler404: under /api/, the API's own JSON answer (a URL that matches no route, such as an id that is
    not a UUID, never reaches DRF); elsewhere, the GOV.UK page."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


class ChoiceListField(serializers.ListField):
    """A list of choices, each at most once: so never longer than the choices themselves. An unbounded or
    repeating list (10,000 copies of one value) is refused with 400 before anything reads it."""

    def __init__(self, *, choices: Any, **kwargs: Any) -> None:
        self.choice_values = [value for value, _ in choices]
        kwargs.setdefault("max_length", len(self.choice_values))
        super().__init__(child=serializers.ChoiceField(choices=choices), **kwargs)

    def to_internal_value(self, data: Any) -> list[Any]:
        values: list[Any] = super().to_internal_value(data)
        if len(set(values)) != len(values):
            raise serializers.ValidationError("Each value can be given only once.")
        return values
