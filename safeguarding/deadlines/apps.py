from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    """Every safeguarding clock: policies, calendars, the sweep that records breaches, and the outbox."""

    name = "safeguarding.deadlines"
    label = "deadlines"
    verbose_name = "Deadlines"

    def ready(self) -> None:
        from safeguarding.accounts.home import home_section_register, menu_item_register
        from safeguarding.deadlines.home import HOME_SECTIONS, MENU_ITEMS

        for section in HOME_SECTIONS:
            home_section_register(section)
        for item in MENU_ITEMS:
            menu_item_register(item)
