"""The OpenAPI contract: every error answer documented, descriptions in English and Chinese.

Field and parameter descriptions are English msgids. The schema is generated in English and
`bilingual_descriptions` then puts the zh-hans translation of every description beside it, so
one schema serves both languages whatever the caller's Accept-Language.
"""

from django.utils import translation
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .serializers import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Invalid request: see error.fields. / 请求无效：见 error.fields。",
    "401": "Missing, unknown, expired or revoked API key. / 缺少密钥，或密钥无效、已过期、已吊销。",
    "403": "Not allowed (e.g. IP allowlist). / 无权访问（例如 IP 白名单不符）。",
    "404": "Not found for this partner. / 本机构下不存在该对象。",
    "409": (
        "Conflicts with the object's state or an earlier Idempotency-Key. "
        "/ 与对象状态或先前的幂等键冲突。"
    ),
    "413": "Request body too large. / 请求体过大。",
    "415": "Unsupported media type: send JSON. / 不支持的类型：请发送 JSON。",
    "429": "Too many requests: wait Retry-After seconds. / 请求过多：请在 Retry-After 秒后重试。",
}
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# The headers that go with two of the error answers.
ERROR_HEADERS = [
    OpenApiParameter(
        "WWW-Authenticate",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description='Bearer realm="api"',
        response=[401],
    ),
    OpenApiParameter(
        "Retry-After",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        description="seconds",
        response=[429],
    ),
]


def error_answers(method: str) -> dict:
    """The documented error answers of an operation with this HTTP method, in one shape.

    For `extend_schema(responses={...})`, which replaces the responses the schema class gives:
    `responses={201: VisitSerializer, **error_answers("POST")}`.
    """
    codes = ["400", "401", "403", "404", "429"]
    if method.upper() in WRITE_METHODS:
        codes += ["409", "413", "415"]
    return {
        code: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code])
        for code in codes
    }


class PartnerAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the documented error answers of every operation."""

    def get_response_serializers(self):
        serializers = super().get_response_serializers()
        if not isinstance(serializers, dict):
            # The success code drf-spectacular gives a single serializer.
            if self.method == "DELETE":
                serializers = {"204": None}
            elif self.method == "POST" and getattr(self.view, "action", None) == "create":
                serializers = {"201": serializers}
            else:
                serializers = {"200": serializers}
        return error_answers(self.method) | {str(code): s for code, s in serializers.items()}

    def get_override_parameters(self):
        return [*super().get_override_parameters(), *ERROR_HEADERS]


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "partner_api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "tok_<prefix>_<secret>",
            "description": "A partner API key, issued by district staff. / 区人才办发放的密钥。",
        }


def _bilingual(text: str) -> str:
    with translation.override("zh-hans"):
        chinese = translation.gettext(text)
    return text if chinese == text or not chinese else f"{text} / {chinese}"


def bilingual_descriptions(result, generator, request, public):
    """drf-spectacular post-processing hook: "English / 中文" in every description."""

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "description" and isinstance(value, str):
                    node[key] = _bilingual(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(result.get("paths", {}))
    walk(result.get("components", {}).get("schemas", {}))
    return result
