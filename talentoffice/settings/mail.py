"""E-mail and notifications.

Environment:
  EMAIL_ENABLED  false turns e-mail off: messages are dropped, and production starts without a
                 mail server (with it on, production refuses the console backend or no EMAIL_HOST)
  EMAIL_BACKEND  console outside production, SMTP in production
  EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS  the SMTP server
  DEFAULT_FROM_EMAIL  the sender address
"""

from talentoffice.env import env_bool, env_int, env_str

from .base import PRODUCTION

EMAIL_ENABLED = env_bool("EMAIL_ENABLED", True)
if not EMAIL_ENABLED:
    EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
else:
    EMAIL_BACKEND = env_str(
        "EMAIL_BACKEND",
        "django.core.mail.backends.smtp.EmailBackend"
        if PRODUCTION
        else "django.core.mail.backends.console.EmailBackend",
    )
# No silent default in production: a mail server nobody named is refused (talentoffice.mailchecks).
EMAIL_HOST = env_str("EMAIL_HOST", "" if PRODUCTION else "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "talentoffice@localhost")
