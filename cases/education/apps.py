from django.apps import AppConfig


class EducationConfig(AppConfig):
    """Education status history and school place applications."""

    name = "cases.education"
    label = "education"
    verbose_name = "Education status history and school place applications"
