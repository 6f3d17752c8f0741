"""Partner API and webhooks.

Environment:
  PARTNER_API_RATE                    requests one key (or partner manager) may make
  PARTNER_API_FAILED_KEY_RATE         wrong keys one client address may send before a 429
  PARTNER_API_MAX_BODY_BYTES          larger request bodies answer 413 unread
  PARTNER_WEBHOOK_RETRY_SECONDS       a failed delivery's first retry delay, doubled each time
  PARTNER_WEBHOOK_MAX_ATTEMPTS        tries before a delivery is given up
  PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK plain http:// callbacks to 127.0.0.1; off in production
"""

from django.core.exceptions import ImproperlyConfigured

from talentoffice.env import env_bool, env_int, env_str

from .base import PRODUCTION

# Keys first (their WWW-Authenticate header makes a missing key a 401); a partner manager's
# session serves the browsable API. Every answer, errors included, is partner_api.errors' shape.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "partner_api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["partner_api.permissions.IsPartner"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "partner_api.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON nested deeper than a request can need is refused before it is parsed.
    "DEFAULT_PARSER_CLASSES": [
        "partner_api.parsers.DepthLimitedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["partner_api.throttling.ApiKeyRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "partner_api.pagination.NewestFirstCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "partner_api.schema.PartnerAutoSchema",
    "EXCEPTION_HANDLER": "partner_api.errors.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Counted in the cache, per minute.
PARTNER_API_RATE = env_str("PARTNER_API_RATE", "600/min")
# So that secrets cannot be guessed at the speed of the network.
PARTNER_API_FAILED_KEY_RATE = env_str("PARTNER_API_FAILED_KEY_RATE", "30/min")
PARTNER_API_MAX_BODY_BYTES = env_int("PARTNER_API_MAX_BODY_BYTES", 64 * 1024)
PARTNER_WEBHOOK_RETRY_SECONDS = env_int("PARTNER_WEBHOOK_RETRY_SECONDS", 30)
PARTNER_WEBHOOK_MAX_ATTEMPTS = env_int("PARTNER_WEBHOOK_MAX_ATTEMPTS", 8)
# Loopback callbacks are for tests and development only.
PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK = env_bool(
    "PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK", not PRODUCTION
)
if PRODUCTION and PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK:
    raise ImproperlyConfigured("PARTNER_WEBHOOK_ALLOW_HTTP_LOOPBACK must be off in production")
# The OpenAPI contract at /api/v1/schema/; Swagger UI and Redoc from the sidecar's static files.
SPECTACULAR_SETTINGS = {
    "TITLE": "TalentOffice partner API",
    "DESCRIPTION": (
        "For partner institutions: their assistants, shifts, cases (personal data masked), "
        "visits, scorecard and signed webhooks. Authenticate with `Authorization: Bearer <key>`. "
        "Field descriptions are given in English and Chinese. / 合作机构接口：人员、值班、诉求"
        "（个人信息已脱敏）、走访、绩效与签名回调。"
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "PartnerStatusEnum": "partners.choices.PartnerStatus",
        "AssistantStatusEnum": "assistants.choices.AssistantStatus",
        "ShiftStatusEnum": "assistants.choices.ShiftStatus",
        "ProposalStatusEnum": "partners.choices.ProposalStatus",
        "WebhookDeliveryStatusEnum": "partners.choices.WebhookDeliveryStatus",
        "WebhookEventEnum": "partners.choices.WebhookEvent",
        "SpecialtyEnum": "assistants.choices.Specialty",
    },
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "SCHEMA_PATH_PREFIX_TRIM": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partner_api.schema.bilingual_descriptions",
    ],
}
