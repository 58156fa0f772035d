from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class AuditContext:
    """Where an action came from, captured at the edge and handed to services."""

    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""
    via: str = "web"

    @classmethod
    def from_request(cls, request: HttpRequest, *, via: str | None = None) -> "AuditContext":
        # Behind the production proxy REMOTE_ADDR is the proxy; the proxy sets X-Forwarded-For's first hop.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        ip = forwarded.split(",")[0].strip() if forwarded else request.META.get("REMOTE_ADDR")
        return cls(
            ip_address=ip or None,
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
            path=request.get_full_path()[:500],
            via=via or ("api" if request.path.startswith("/api/") else "web"),
        )


SYSTEM_CONTEXT = AuditContext(via="system")
