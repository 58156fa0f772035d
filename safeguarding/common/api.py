"""API plumbing shared by every app: one error shape for domain errors."""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, status
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
