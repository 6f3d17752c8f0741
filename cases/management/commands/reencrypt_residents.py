"""Re-encrypt residents' ID numbers under the first of PERSONAL_DATA_KEYS (after a key change)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from talentoffice.audit import system_actor

from ...models import Resident

BATCH_SIZE = 500


class Command(BaseCommand):
    help = (
        "After putting a new key first in PERSONAL_DATA_KEYS, re-encrypt every stored ID number "
        "with it; the old key can be removed afterwards."
    )

    def handle(self, *args, **options):
        done = 0
        pks = list(Resident.objects.exclude(id_number_hash="").values_list("pk", flat=True))
        with system_actor("command reencrypt_residents"):
            for start in range(0, len(pks), BATCH_SIZE):
                with transaction.atomic():
                    batch = Resident.objects.select_for_update().filter(
                        pk__in=pks[start : start + BATCH_SIZE]
                    )
                    for resident in batch:
                        # Reading decrypts with whichever key opens it; saving uses the first.
                        resident.save(update_fields=["id_number"])
                        done += 1
        self.stdout.write(f"{done} ID number(s) re-encrypted.")
