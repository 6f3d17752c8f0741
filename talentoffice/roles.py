"""The seven roles of the programme as Django groups, kept equal to the matrix in docs/roles.md.

Permissions (what a role may do) live in the groups made here; rows (which objects a role sees)
come from each model's `visible_to`, which reads talentoffice.access. The groups are owned by
this module: `sync_roles` runs after every `migrate` and sets each group's permissions to
exactly what the rules below give, so a permission added by hand in the admin is taken away
again. Change the rules here, and docs/roles.md with them.

Rules are written over app labels and model names rather than as a list of every permission,
so that a model another app adds later falls into the right groups without an edit here.
"""

from dataclasses import dataclass

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS, transaction

# The apps whose records make up the programme.
PROGRAMME_APPS = frozenset({"talentoffice", "partners", "assistants", "cases", "steering"})

# Records that the district keeps for the audit trail: staff change them but never delete them.
RECORD_MODELS = frozenset(
    {
        "partners.partner",
        "partners.agreement",
        "assistants.assistant",
        "assistants.dispatch",
        "assistants.shift",
        "cases.case",
        "cases.resident",
        "cases.enterprise",
        "cases.visit",
        "cases.followup",
    }
)

# Who may see what is an administrator's decision, not a staff member's.
ACCESS_MODELS = frozenset({"talentoffice.streetcoordinator"})

# Outside the programme: logins and groups, lock-outs (django-axes), the audit trail
# (django-auditlog), the admin's own log and the periodic-task schedule.
ADMINISTRATION_APPS = frozenset({"auth", "axes", "auditlog", "admin", "django_celery_beat"})

DISTRICT_ADMINISTRATOR = "District administrator"
DISTRICT_STAFF = "District staff"
STREET_COORDINATOR = "Street coordinator"
READ_ONLY_VIEWER = "Read-only viewer"
ASSISTANT = "Assistant"
PARTNER_MANAGER = "Partner manager"
# A partner contact who reads the portal but keeps no keys or webhooks and proposes nothing.
PARTNER_VIEWER = "Partner viewer"

# Permissions that name no row: the rows come from visible_to (a street, an assistant's own, a
# partner's own). A permission whose model does not exist (yet) is skipped.
STREET_COORDINATOR_PERMISSIONS = frozenset(
    {
        "talentoffice.view_street",
        "talentoffice.view_community",
        "assistants.view_servicepoint",
        "assistants.view_assistant",
        "assistants.view_dispatch",
        "assistants.view_shift",
        "assistants.view_unavailability",
        "cases.view_servicecategory",
        "cases.view_serviceitem",
        "cases.view_case",
        "cases.view_visit",
    }
)
ASSISTANT_PERMISSIONS = frozenset(
    {
        "assistants.view_servicepoint",
        "assistants.view_shift",
        "assistants.view_swaprequest",
        "assistants.add_swaprequest",
        "assistants.view_unavailability",
        "assistants.add_unavailability",
        "cases.view_servicecategory",
        "cases.view_serviceitem",
        "cases.view_case",
        "cases.view_visit",
        "cases.add_visit",
        "cases.view_followup",
        "cases.add_followup",
    }
)
PARTNER_MANAGER_PERMISSIONS = frozenset(
    {
        "partners.view_partner",
        "partners.view_agreement",
        "partners.view_partnercontact",
        "assistants.view_assistant",
        "assistants.add_assistant",
        "assistants.change_assistant",
        "assistants.view_dispatch",
        "assistants.view_servicepoint",
        "assistants.view_shift",
        "cases.view_servicecategory",
        "cases.view_serviceitem",
        "cases.view_case",
        "cases.view_visit",
    }
)

PARTNER_VIEWER_PERMISSIONS = frozenset(
    permission for permission in PARTNER_MANAGER_PERMISSIONS if ".view_" in permission
)


@dataclass(frozen=True)
class Role:
    """One row of the role matrix: a group, whether its members use the admin, its permissions."""

    name: str
    is_staff: bool
    # Given (app_label, model, codename), True when the role holds that permission.
    grants: object

    def holds(self, app_label: str, model: str, codename: str) -> bool:
        return self.grants(app_label, model, codename)


def _administrator(app_label, model, codename):
    # The permissions of permissions and content types are Django's own bookkeeping.
    if model in {"permission", "contenttype"}:
        return False
    return app_label in PROGRAMME_APPS or app_label in ADMINISTRATION_APPS


def _staff(app_label, model, codename):
    key = f"{app_label}.{model}"
    if app_label == "auth":
        # To link an assistant or a partner contact to an existing login.
        return codename == "view_user"
    if app_label not in PROGRAMME_APPS:
        return False
    if key in ACCESS_MODELS:
        return codename == f"view_{model}"
    return not (key in RECORD_MODELS and codename == f"delete_{model}")


def _viewer(app_label, model, codename):
    # Only the plain view permission: never a special one such as seeing unmasked personal data.
    return app_label in PROGRAMME_APPS and codename == f"view_{model}"


def _listed(permissions):
    def grants(app_label, model, codename):
        return f"{app_label}.{codename}" in permissions

    return grants


ROLES = (
    Role(DISTRICT_ADMINISTRATOR, is_staff=True, grants=_administrator),
    Role(DISTRICT_STAFF, is_staff=True, grants=_staff),
    Role(STREET_COORDINATOR, is_staff=True, grants=_listed(STREET_COORDINATOR_PERMISSIONS)),
    Role(READ_ONLY_VIEWER, is_staff=True, grants=_viewer),
    Role(ASSISTANT, is_staff=False, grants=_listed(ASSISTANT_PERMISSIONS)),
    Role(PARTNER_MANAGER, is_staff=False, grants=_listed(PARTNER_MANAGER_PERMISSIONS)),
    Role(PARTNER_VIEWER, is_staff=False, grants=_listed(PARTNER_VIEWER_PERMISSIONS)),
)
ROLES_BY_NAME = {role.name: role for role in ROLES}


def sync_roles(*, using=DEFAULT_DB_ALIAS, apps=global_apps):
    """Create the role groups if missing and set each one's permissions to the rules' answer."""
    # post_migrate reaches this app before later apps made their permissions: make them all now
    # (create_permissions only adds what is missing).
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=apps)
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    permissions = list(
        permission_model.objects.using(using).values_list(
            "pk", "content_type__app_label", "content_type__model", "codename"
        )
    )
    with transaction.atomic(using=using):
        for role in ROLES:
            group, _created = group_model.objects.using(using).get_or_create(name=role.name)
            group.permissions.set(
                [
                    pk
                    for pk, app_label, model, codename in permissions
                    if role.holds(app_label, model, codename)
                ]
            )


def sync_roles_after_migrate(sender, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs):
    """post_migrate receiver: keep the groups equal to the matrix after every migrate and flush."""
    if sender.label != "talentoffice":
        return
    sync_roles(using=using, apps=apps)


def grant_role(user, role_name: str, *, street=None):
    """Give a login one role: its group, admin access or not, and a street for a coordinator."""
    # Imported here: this module is loaded while the app registry is still being populated.
    from django.contrib.auth.models import Group

    from .models import StreetCoordinator

    role = ROLES_BY_NAME[role_name]
    if (role_name == STREET_COORDINATOR) != (street is not None):
        raise ValueError("A street coordinator needs a street, and only a coordinator has one.")
    with transaction.atomic():
        user.is_staff = role.is_staff
        user.save(update_fields=["is_staff"])
        user.groups.add(Group.objects.get(name=role.name))
        if street is not None:
            StreetCoordinator.objects.update_or_create(user=user, defaults={"street": street})
    return user
