"""The API's JSON parser: DRF's, with a limit on how deeply a body may nest.

Python's json module parses nested arrays and objects by recursion, so a small body of a few
thousand `[` exhausts the stack and the request dies with a server error. No request the API
documents nests more than a few levels, so anything deeper than MAX_DEPTH is refused with a
400 before the JSON is parsed at all. The depth is measured by a flat scan of the bytes, which
cannot itself recurse.
"""

import io
import re

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32

# A JSON string, escapes included: brackets inside one do not nest anything.
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_OPENING = frozenset(b"[{")
_CLOSING = frozenset(b"]}")
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"[]{}")


def json_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings skipped)."""
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for byte in brackets:
        if byte in _OPENING:
            depth += 1
            deepest = max(deepest, depth)
        elif byte in _CLOSING:
            depth -= 1
    return deepest


class DepthLimitedJSONParser(JSONParser):
    """DRF's JSONParser, refusing bodies nested deeper than MAX_DEPTH with a 400."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if json_depth(raw) > MAX_DEPTH:
            raise ParseError(
                _("The JSON body is nested more than %(limit)d levels deep.") % {"limit": MAX_DEPTH}
            )
        return super().parse(io.BytesIO(raw), media_type, parser_context)
