from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "safeguarding.organisations"
    label = "organisations"
    verbose_name = "Local authorities, agencies and users"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from safeguarding.organisations.access import permission_ids_forget

        post_migrate.connect(_sync_role_permissions, dispatch_uid="organisations.sync_role_permissions")
        # Permission rows are recreated when a test database is flushed: cached ids must go with them.
        post_migrate.connect(permission_ids_forget, dispatch_uid="organisations.permission_ids_forget")


def _sync_role_permissions(sender: AppConfig, **kwargs: object) -> None:
    # Run once, after the last app's migrations (and so after every permission row exists).
    from django.apps import apps

    # post_migrate is only sent for apps with a models module.
    if sender.label != [config for config in apps.get_app_configs() if config.models_module][-1].label:
        return
    from safeguarding.organisations.services import role_permissions_sync

    role_permissions_sync()
