"""The start-up check that the personal-data keys are the ones that wrote the database.

A restored backup started with newly generated keys would otherwise run: every page showing
an ID number would fail, and search by ID number would silently find nothing. The check runs
with `manage.py check`, before `runserver` and `migrate` (the release step that runs before
the web and worker processes start); it writes the canary when the database has none yet.
"""

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core import checks
from django.db import DatabaseError

from . import crypto

TAG = "personal_data"
KNOWN_VALUE = "talentoffice key canary"
GENERATE = (
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


def malformed_keys() -> list[checks.Error]:
    """Each entry of PERSONAL_DATA_KEYS that is not a Fernet key, named by position only."""
    errors = []
    for position, key in enumerate(settings.PERSONAL_DATA_KEYS, start=1):
        try:
            Fernet(key)
        except ValueError:
            errors.append(
                checks.Error(
                    f"PERSONAL_DATA_KEYS entry {position} is not a Fernet key "
                    "(44 characters of url-safe base64).",
                    hint=f"Generate a key with: {GENERATE}",
                    id="talentoffice.E101",
                )
            )
    return errors


@checks.register(TAG)
def check_personal_data_keys(app_configs=None, databases=None, **kwargs) -> list[checks.Error]:
    """Refuse keys that are malformed, or that do not open and hash the stored canary.

    The canary is read only when the check is run for a database (`migrate`, `check
    --database default`), as Django's own database checks are: a plain `check` or a worker's
    start reads no table.
    """
    errors = malformed_keys()
    if errors or not databases:
        return errors
    from .models import KeyCanary

    try:
        canary = KeyCanary.objects.order_by("pk").first()
        if canary is None:
            write_canary()
            return []
    except DatabaseError:
        # Before the first migrate there is no table yet; migrate writes the canary.
        return []
    return canary_errors(canary)


def canary_errors(canary) -> list[checks.Error]:
    errors = []
    try:
        opened = crypto.fernet().decrypt(canary.token.encode()).decode()
    except InvalidToken:
        opened = None
    if opened != KNOWN_VALUE:
        errors.append(
            checks.Error(
                "PERSONAL_DATA_KEYS do not decrypt the database's key canary: this database "
                "was written with another encryption key (a restore started with new keys?).",
                hint=(
                    "Put the key that wrote the database back into PERSONAL_DATA_KEYS (from the "
                    "environment file of the backup). To rotate, list the new key first and the "
                    "old one after it, run `manage.py reencrypt_residents`, then drop the old key."
                ),
                id="talentoffice.E102",
            )
        )
    if crypto.lookup_hash(KNOWN_VALUE) != canary.lookup_hash:
        errors.append(
            checks.Error(
                "PERSONAL_DATA_HASH_KEY is not the hash key that wrote the database: search by "
                "ID number would find nothing.",
                hint=(
                    "Put the original PERSONAL_DATA_HASH_KEY back (from the environment file of "
                    "the backup). The hash key is never rotated: every stored hash depends on it."
                ),
                id="talentoffice.E103",
            )
        )
    if not errors and not opens_with_first_key(canary.token):
        # Opened by an older key: after a rotation the canary follows the newest key, so that
        # dropping the old key later does not trip the check.
        canary.token = crypto.encrypt(KNOWN_VALUE)
        canary.save(update_fields=["token"])
    return errors


def opens_with_first_key(token: str) -> bool:
    try:
        Fernet(settings.PERSONAL_DATA_KEYS[0]).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def write_canary():
    """Write the canary with the current keys, once, when the database has none."""
    from .models import KeyCanary

    if not malformed_keys() and not KeyCanary.objects.exists():
        KeyCanary.objects.create(
            token=crypto.encrypt(KNOWN_VALUE), lookup_hash=crypto.lookup_hash(KNOWN_VALUE)
        )


def write_canary_after_migrate(sender, using="default", **kwargs):
    """post_migrate: a new database gets its canary with the keys that will write its rows.

    A migration run back to before the canary's table (a data migration's test, a flush on
    the way) has no table to write to yet; the next migrate forward writes it.
    """
    from django.db import connections

    from .models import KeyCanary

    if sender.name != "talentoffice":
        return
    if KeyCanary._meta.db_table in connections[using].introspection.table_names():
        write_canary()
