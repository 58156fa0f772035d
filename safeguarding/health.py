"""/healthz: database, Redis, a live Celery worker, and the deadline engine's lag. 200 when all pass,
503 otherwise. The JSON form also reports the lag figures even when healthy."""

import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from health_check.views import HealthCheckView
from redis.asyncio import Redis as AsyncRedis


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
