"""Health checks that make a dead beat or a dead worker visible: if clocks sit past due without being
recorded, or escalations sit undelivered, /healthz turns 503 and says how long."""

import dataclasses
from typing import ClassVar

from django.conf import settings
from django.db import connection
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable


def _age_seconds(sql: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    return float(row[0]) if row and row[0] is not None else 0.0


@dataclasses.dataclass
class OverdueClocks(HealthCheck):
    """The oldest running clock past its due time: the sweep (beat) should record it within seconds."""

    measurement_name: ClassVar[str] = "oldest_overdue_running_clock_seconds"
    measurement: float = dataclasses.field(default=0.0, repr=False)

    def run(self) -> None:
        # Served by the partial index on running clocks' due_at.
        self.measurement = _age_seconds(
            "SELECT EXTRACT(EPOCH FROM clock_timestamp() - MIN(due_at)) FROM deadlines_deadline "
            "WHERE status = 'running' AND due_at <= (SELECT clock_timestamp())"
        )
        limit = settings.DEADLINES_HEALTH_MAX_OVERDUE_SECONDS
        if self.measurement > limit:
            raise ServiceUnavailable(
                f"A running clock is {self.measurement:.0f} s past due without a recorded breach: is beat running?"
            )


@dataclasses.dataclass
class UndeliveredOutbox(HealthCheck):
    """The oldest escalation not yet delivered: workers should deliver within seconds."""

    measurement_name: ClassVar[str] = "oldest_undelivered_outbox_seconds"
    measurement: float = dataclasses.field(default=0.0, repr=False)

    def run(self) -> None:
        # Served by the partial index on undelivered outbox rows.
        self.measurement = _age_seconds(
            "SELECT EXTRACT(EPOCH FROM clock_timestamp() - MIN(created_at)) FROM deadlines_outboxmessage "
            "WHERE delivered_at IS NULL"
        )
        limit = settings.DEADLINES_HEALTH_MAX_UNDELIVERED_SECONDS
        if self.measurement > limit:
            raise ServiceUnavailable(
                f"An escalation has waited {self.measurement:.0f} s for delivery: are the workers running?"
            )


@dataclasses.dataclass
class RedisNoEviction(HealthCheck):
    """Redis must never evict keys: an evicted task message is a lost delivery."""

    def run(self) -> None:
        import redis

        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        try:
            policy = client.config_get("maxmemory-policy").get("maxmemory-policy")
        except redis.RedisError as error:
            raise ServiceUnavailable(f"Cannot read Redis configuration: {error}") from error
        finally:
            client.close()
        if policy != "noeviction":
            raise ServiceUnavailable(f"Redis maxmemory-policy is {policy!r}; it must be 'noeviction'")
