"""/healthz: database, Redis and a live Celery worker. 200 when all pass, 503 otherwise."""

import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
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
    )

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response: HttpResponse = await super().get(request, *args, **kwargs)
        # Load balancers and orchestrators read 503 as "take me out of rotation"; the library answers 500.
        if response.status_code == 500:
            response.status_code = 503
        return response
