"""Personal data and the audit trail.

Environment:
  PERSONAL_DATA_KEYS            comma-separated Fernet keys, newest first; required in production
  PERSONAL_DATA_HASH_KEY        key of the exact-lookup hash; required in production
  PERSONAL_DATA_REVEAL_MINUTES  how long a logged "show in full" lasts
  RESIDENT_RETENTION_DAYS       residents are anonymized this long after their last case closed
"""

import base64
import hashlib

from django.core.exceptions import ImproperlyConfigured

from talentoffice.env import env_int, env_list, env_str

from .base import PRODUCTION, SECRET_KEY

# The audit trail: django-auditlog, models registered in talentoffice.audit, the actor and
# address taken by its middleware; the correlation ID is the request's ID.
AUDITLOG_DISABLE_REMOTE_ADDR = False
AUDITLOG_CID_GETTER = "talentoffice.audit.current_cid"
# Resident ID numbers are stored encrypted (Fernet): the first key encrypts, all decrypt, so a new
# key is put first and the old one kept until `manage.py reencrypt_residents` ran. The hash key
# never changes once data exists. Development derives both from SECRET_KEY.
PERSONAL_DATA_KEYS = env_list("PERSONAL_DATA_KEYS")
PERSONAL_DATA_HASH_KEY = env_str("PERSONAL_DATA_HASH_KEY")
if PRODUCTION and not (PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY):
    raise ImproperlyConfigured(
        "PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY must be set when DJANGO_ENV=production"
    )
if not PERSONAL_DATA_KEYS:
    PERSONAL_DATA_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"fernet:{SECRET_KEY}".encode()).digest()).decode()
    ]
PERSONAL_DATA_HASH_KEY = (
    PERSONAL_DATA_HASH_KEY or hashlib.sha256(f"lookup:{SECRET_KEY}".encode()).hexdigest()
)
PERSONAL_DATA_REVEAL_MINUTES = env_int("PERSONAL_DATA_REVEAL_MINUTES", 10)
# The cases stay after anonymization, for the programme's figures.
RESIDENT_RETENTION_DAYS = env_int("RESIDENT_RETENTION_DAYS", 3 * 365)
