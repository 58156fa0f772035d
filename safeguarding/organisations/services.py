from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from safeguarding.organisations.models import Agency, AgencyType, LocalAuthority, User
from safeguarding.organisations.roles import Role

# Model-level permissions per role. Case data is never granted here: it is reached only through object
# permissions given to agency groups. System administrators manage users and reference data.
ROLE_MODEL_PERMISSIONS: dict[Role, list[str]] = {
    Role.SYSTEM_ADMINISTRATOR: [
        "organisations.view_user",
        "organisations.add_user",
        "organisations.change_user",
        "organisations.view_agency",
        "organisations.add_agency",
        "organisations.change_agency",
        "organisations.view_localauthority",
        "organisations.add_localauthority",
        "organisations.change_localauthority",
        "auth.view_group",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
    ],
}


def role_groups_ensure() -> dict[Role, Group]:
    """Create the role groups if missing. Idempotent; run by a data migration and by the demo loader."""
    return {role: Group.objects.get_or_create(name=Role.group_name(role))[0] for role in Role}


def role_permissions_sync() -> None:
    """Give each role group exactly its model permissions. Runs after every migrate (permissions only
    exist once their models' migrations have run)."""
    groups = role_groups_ensure()
    for role, group in groups.items():
        wanted = ROLE_MODEL_PERMISSIONS.get(role, [])
        permissions = []
        for dotted in wanted:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)


@transaction.atomic
def agency_create(*, local_authority: LocalAuthority, name: str, agency_type: AgencyType) -> Agency:
    group, _ = Group.objects.get_or_create(name=f"agency:{local_authority.gss_code}:{name}"[:150])
    agency = Agency(local_authority=local_authority, name=name, agency_type=agency_type, group=group)
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def user_create(
    *,
    username: str,
    agency: Agency,
    roles: Iterable[Role],
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    job_title: str = "",
    manager: User | None = None,
) -> User:
    roles = list(roles)
    user = User(
        username=username,
        agency=agency,
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=job_title,
        manager=manager,
        # Only system administrators reach the admin site.
        is_staff=Role.SYSTEM_ADMINISTRATOR in roles,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    groups = role_groups_ensure()
    user.groups.add(agency.group, *(groups[role] for role in roles))
    return user
