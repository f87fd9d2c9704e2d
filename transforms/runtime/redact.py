"""Remove credentials from URLs and messages before they reach logs or tables."""

from __future__ import annotations

import re

# user:password@ in any scheme://, and query parameters that carry secrets.
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)[^/@\s:]+(?::[^/@\s]*)?@")
_SECRET_PARAMS = re.compile(
    r"(?i)([?&;](?:token|access_token|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|"
    r"x-goog-signature|x-goog-credential|key|apikey|api_key|password|secret|sas)=)[^&#\s]*"
)


def redact_url(text: str) -> str:
    """``s3://KEY:SECRET@bucket/a?token=x`` -> ``s3://***@bucket/a?token=***``; works on free text too."""
    text = _USERINFO.sub(lambda m: f"{m.group('scheme')}***@", text)
    return _SECRET_PARAMS.sub(lambda m: f"{m.group(1)}***", text)
