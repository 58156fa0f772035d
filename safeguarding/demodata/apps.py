from django.apps import AppConfig


class DemoDataConfig(AppConfig):
    """`manage.py load_demo_data` for `make run`. Project wiring, like settings and urls: the one place that
    may import every app (it builds a whole synthetic world), and that no app imports."""

    name = "safeguarding.demodata"
    label = "demodata"
    verbose_name = "Demo data"
