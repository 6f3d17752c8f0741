"""What a group-chat robot may belong to: each owning app adds its model in its
`AppConfig.ready()` (`robots_may_belong_to(ServicePoint)`), so the core names no app.

Kept apart from the models so that an app's configuration can import it before the models load.
"""

from django.db.models import Q

# (app label, model name) of every model whose rows may own robots.
ROBOT_OWNERS: set[tuple[str, str]] = set()


def robots_may_belong_to(model) -> None:
    """Let group-chat robots belong to rows of this model (called by the owning app)."""
    ROBOT_OWNERS.add((model._meta.app_label, model._meta.model_name))


def robot_owner_types() -> Q:
    """The content types a robot may belong to (the admin's choices)."""
    owners = Q(pk__in=[])
    for app_label, model_name in sorted(ROBOT_OWNERS):
        owners |= Q(app_label=app_label, model=model_name)
    return owners
