"""API plumbing shared by every app: one error shape for domain errors, and serializers whose fields are
built once."""

import threading
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


class FieldsBuiltOnce(serializers.Serializer):
    """A serializer whose fields are built once per class and thread, and handed to each instance as shallow
    copies.

    DRF builds every instance's fields afresh: a deep copy of the declared fields (each re-running its
    __init__) and, for a ModelSerializer, the model's introspection too. On a referral POST that was about
    a millisecond of the request, for fields that depend only on the class. A shallow copy is enough for
    each instance to bind its own (field_name, parent, source), which is all the per-instance state a field
    takes on; the rest (choices, validators, a ListField's child) is built once and only read. The template
    is per thread and never bound itself, so no two instances, and no two threads, share a bound field.
    A nested serializer field is copied the same way, and builds its own fields when first used."""

    _fields_template: threading.local

    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        local = cls.__dict__.get("_fields_template")
        if local is None:
            local = threading.local()
            cls._fields_template = local
        template: dict[str, serializers.Field] | None = getattr(local, "fields", None)
        if template is None:
            template = super().get_fields()
            local.fields = template
        return {name: _shallow_copy(field) for name, field in template.items()}


def _shallow_copy(field: serializers.Field) -> serializers.Field:
    """What copy.copy(field) makes (a new instance sharing the template's attribute values), without the
    generic __reduce_ex__ protocol it goes through, which was most of the cost of binding a serializer's
    fields. DRF fields keep all their state in __dict__ (no __slots__, no __copy__)."""
    clone = object.__new__(type(field))
    clone.__dict__.update(field.__dict__)
    return clone
