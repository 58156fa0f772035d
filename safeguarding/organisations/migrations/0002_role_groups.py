from django.db import migrations

ROLE_GROUP_NAMES = [
    "role:mash_practitioner",
    "role:mash_manager",
    "role:urgent_response_worker",
    "role:panel_chair",
    "role:panel_member",
    "role:agency_practitioner",
    "role:agency_manager",
    "role:auditor",
    "role:system_administrator",
]


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLE_GROUP_NAMES:
        Group.objects.get_or_create(name=name)


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUP_NAMES).delete()


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
