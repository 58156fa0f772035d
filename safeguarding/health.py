"""/healthz: database, Redis, a live Celery worker, and the deadline engine's lag. 200 when all pass,
503 otherwise. An anonymous caller (a load balancer) learns only up or down; which check failed, and the lag
figures, are for callers with the monitoring token (HEALTHZ_TOKEN, sent as `Authorization: Bearer …`)."""

import datetime
import hmac
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from health_check.views import HealthCheckView
from redis.asyncio import Redis as AsyncRedis


def _has_monitoring_token(request: HttpRequest) -> bool:
    token = getattr(settings, "HEALTHZ_TOKEN", "")
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(sent.encode(), token.encode())


class ReachableHealthCheckView(HealthCheckView):
    checks = (
        "health_check.checks.Database",
        ("health_check.checks.Cache", {"alias": "default"}),
        (
            "health_check.contrib.redis.Redis",
            {"client_factory": lambda: AsyncRedis.from_url(settings.REDIS_URL)},
        ),
        ("health_check.contrib.celery.Ping", {"timeout": datetime.timedelta(seconds=2)}),
        "safeguarding.deadlines.health.RedisNoEviction",
        "safeguarding.deadlines.health.OverdueClocks",
        "safeguarding.deadlines.health.UndeliveredOutbox",
    )

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = await super().get(request, *args, **kwargs)
        # Load balancers and orchestrators read 503 as "take me out of rotation"; the library answers 500.
        if response.status_code == 500:
            response.status_code = 503
        if not _has_monitoring_token(request):
            up = response.status_code == 200
            return JsonResponse({"status": "up" if up else "down"}, status=response.status_code)
        return response

    def render_to_response_json(self, status: int) -> JsonResponse:
        body: dict[str, Any] = {
            repr(result.check): "OK" if not result.error else str(result.error) for result in self.results
        }
        body["measurements"] = {
            result.check.measurement_name: round(result.check.measurement, 3)
            for result in self.results
            if hasattr(result.check, "measurement_name")
        }
        return JsonResponse(body, status=status)
