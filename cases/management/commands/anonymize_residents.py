"""Anonymize residents whose retention period has run out; `--dry-run` only reports them."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from talentoffice.audit import system_actor

from ... import privacy


class Command(BaseCommand):
    help = (
        "Anonymize the name, phone, address and ID number of residents whose last case closed "
        "more than RESIDENT_RETENTION_DAYS ago. Run with --dry-run first to see who."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List who would be anonymized; change nothing."
        )
        parser.add_argument("--limit", type=int, default=None, help="At most this many residents.")

    def handle(self, *args, dry_run=False, limit=None, **options):
        now = timezone.now()
        if dry_run:
            due = privacy.dry_run(now=now, limit=limit)
            for row in due:
                closed = timezone.localtime(row.last_closed_at)
                self.stdout.write(
                    f"would anonymize resident {row.pk} {row.masked_name} "
                    f"(last case closed {closed:%Y-%m-%d})"
                )
            self.stdout.write(
                f"{len(due)} resident(s) would be anonymized "
                f"(retention {settings.RESIDENT_RETENTION_DAYS} days); nothing was changed."
            )
            return
        with system_actor("command anonymize_residents"):
            done = privacy.anonymize_due(now=now, limit=limit)
        self.stdout.write(f"{len(done)} resident(s) anonymized.")
