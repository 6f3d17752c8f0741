"""Production refuses to start with e-mail that can only fail or only print.

Every notice to staff and assistants that goes by e-mail would otherwise fail in silence: the
console backend prints it where nobody reads, and an SMTP server nobody named refuses it.
Turning e-mail off (EMAIL_ENABLED=false) is a choice the operator makes explicitly.
"""

from django.conf import settings
from django.core import checks

CONSOLE = "django.core.mail.backends.console.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


@checks.register("mail")
def check_email_in_production(app_configs=None, **kwargs) -> list[checks.Error]:
    if not settings.PRODUCTION or not settings.EMAIL_ENABLED:
        return []
    turn_off = "or set EMAIL_ENABLED=false to run without e-mail."
    if settings.EMAIL_BACKEND == CONSOLE:
        return [
            checks.Error(
                "EMAIL_BACKEND is the console backend in production: no e-mail would be sent.",
                hint=f"Unset EMAIL_BACKEND and set EMAIL_HOST to the mail server, {turn_off}",
                id="talentoffice.E201",
            )
        ]
    if settings.EMAIL_BACKEND == SMTP and not settings.EMAIL_HOST:
        return [
            checks.Error(
                "EMAIL_HOST is not set in production: every e-mail delivery would fail.",
                hint=f"Set EMAIL_HOST (and EMAIL_PORT, EMAIL_HOST_USER...), {turn_off}",
                id="talentoffice.E202",
            )
        ]
    return []
