from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    """Every safeguarding clock: policies, calendars, the sweep that records breaches, and the outbox."""

    name = "safeguarding.deadlines"
    label = "deadlines"
    verbose_name = "Deadlines"
