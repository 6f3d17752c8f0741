"""Background tasks of steering: the monthly digest."""

from celery import shared_task

from . import digest


# Beat queues this on the first morning of each month. A redelivered or repeated run writes
# nothing new: each notification's key holds the month and the recipient.
@shared_task(acks_late=True, ignore_result=True)
def send_monthly_digest() -> int:
    """Send last month's figures to staff, and each partner's own figures to its managers."""
    return digest.send_monthly_digest()


# Beat queues this well inside the snapshots' lifetime. Two runs at once are harmless: each
# writes the same figures over the other's.
@shared_task(acks_late=True, ignore_result=True)
def refresh_dashboard_snapshots() -> int:
    """Recompute the dashboard's usual views so that pages read them instead of the tables."""
    from . import dashboard

    return dashboard.refresh_snapshots()
