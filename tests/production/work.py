"""Work queued from a separate app process in the fault tests, as the web processes queue it:
run with `manage.py shell -c` in the environment of the stack under test, so that the delivery
tasks go to that stack's broker (the test process's own Celery app talks to another Redis)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from talentoffice.notifications import notify


def notify_new_users(*, label: str, count: int) -> None:
    """Notify `count` new users by e-mail; their usernames start with the label."""
    for n in range(count):
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                f"{label}-{n}", email=f"{label}-{n}@example.com"
            )
            notify(
                recipient=user,
                kind="production-test",
                render=lambda n=n: (f"{label} {n}", "a message for the fault tests"),
            )
