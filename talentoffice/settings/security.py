"""Security: logins, sessions, cookies, HTTPS, Content-Security-Policy.

Environment:
  LOGIN_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES  failed logins before a lock-out, and its length
  SESSION_HOURS                a login session's lifetime
  MOBILE_SESSION_IDLE_MINUTES  a phone session on /m/ ends after this long unused
  SECURE_SSL_REDIRECT          on in production; off when the proxy already redirects
  SECURE_HSTS_SECONDS          HSTS max-age (a year in production)
  TRUST_X_FORWARDED_FOR        believe X-Forwarded-For's first hop (behind our own proxy only)
"""

from datetime import timedelta

from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF

from talentoffice.env import env_bool, env_int

from .base import PRODUCTION

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # Length over composition rules (NIST SP 800-63B); the similarity, common-password and
    # all-digits checks stay.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    "talentoffice.security.LockoutBackend",  # first: refuses locked-out users and clients
    "django.contrib.auth.backends.ModelBackend",
    "mobile.backends.PhoneBackend",  # assistants sign in on /m/ with their phone too
]
# Lock-out (django-axes; roles and hardening in docs/roles.md): after LOGIN_FAILURE_LIMIT failed
# logins for one username, or from one client address, further attempts are refused for
# LOGIN_LOCKOUT_MINUTES. The two counts are separate: guessing many users' passwords from one
# address locks the address; guessing one user's password from many addresses locks the user.
# Counts live in the database, shared by every web process; administrators see and clear them in
# the admin (Access attempts).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "talentoffice.security.login_client_ip"
AXES_USERNAME_CALLABLE = "mobile.backends.login_username"
AXES_LOCKOUT_TEMPLATE = "security/locked_out.html"
# A later success does not wipe earlier failures: an attacker holding one good password must not
# be able to reset the count for the address they guess from.
AXES_RESET_ON_SUCCESS = False
# Behind our own reverse proxy, which overwrites X-Forwarded-For with the address it saw, the
# client is that header's first hop; anywhere else the header is forged.
TRUST_X_FORWARDED_FOR = env_bool("TRUST_X_FORWARDED_FOR", False)
# Sessions: a working day on the staff pages; an hour unused on the phone pages (/m/).
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 12) * 3600
MOBILE_SESSION_IDLE_MINUTES = env_int("MOBILE_SESSION_IDLE_MINUTES", 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
# A load balancer probes /health/ over plain HTTP on the internal network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# Content-Security-Policy: nothing inline, nothing from another host. The admin's few inline
# bits are allowed by exact hash in talentoffice.security.csp_exceptions (documented there).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}
