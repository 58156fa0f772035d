"""The one family of domain errors. Services raise these; the HTML middleware and the API exception
handler turn each into the same shape for people and for machines."""

from typing import Any


class ApplicationError(Exception):
    """A domain rule refused the operation. `message` is written for the person who will read it."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotFound(ApplicationError):
    """Does not exist, or the actor may not see it: deliberately indistinguishable."""

    status_code = 404
    code = "not_found"

    def __init__(self, message: str = "Not found.", **kwargs: Any) -> None:
        super().__init__(message, **kwargs)


class PermissionRefused(ApplicationError):
    """The actor can see the record but may not do this to it."""

    status_code = 403
    code = "permission_refused"


class ConcurrentEditError(ApplicationError):
    """Optimistic lock failure: someone saved the record after the actor loaded it."""

    status_code = 409
    code = "stale_version"


class BadRequest(ApplicationError):
    """The request itself cannot be answered as asked: a page number past the last page, a malformed date
    in the address. Answered 400 with the message, never a guess."""

    status_code = 400
    code = "bad_request"
