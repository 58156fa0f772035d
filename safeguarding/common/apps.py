from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "safeguarding.common"
    label = "common"
    verbose_name = "Common building blocks"
