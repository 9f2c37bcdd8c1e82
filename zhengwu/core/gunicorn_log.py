"""The web server's access log: gunicorn's logger with every client-sent value escaped.

gunicorn writes the request path (PATH_INFO, already %-decoded) and the User-Agent into the
access log as they came: `GET /probe%0A9.9.9.9%20forged` puts a line break into the log and a
forged line after it, and a NUL is written raw. Every string atom is escaped the way Apache
httpd escapes its access log: control characters (C0, DEL, C1) and the Unicode line and
paragraph separators as `\\xNN` / `\\uNNNN`, and `"` and `\\` with a backslash, so one request
is always one line and a quoted field cannot be closed early.

WSGI hands over text as bytes read as Latin-1; values that are valid UTF-8 are written as
the Chinese they are (`/办事指南`, not mojibake), anything else as it came, escaped.

`zhengwu serve` starts gunicorn with `--logger-class zhengwu.core.gunicorn_log.AccessLogger`.
Imported by the gunicorn master before Django starts: no Django here.
"""

from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

_UNSAFE = re.compile('[\x00-\x1f\x7f-\x9f\u2028\u2029"\\\\]')


def _escaped(match: re.Match[str]) -> str:
    char = match.group()
    if char in '"\\':
        return "\\" + char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(value: str) -> str:
    """`value` with control characters made visible and quotes and backslashes escaped."""
    return _UNSAFE.sub(_escaped, value)


def _as_utf8(value: str) -> str:
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


class AccessLogger(Logger):  # type: ignore[misc]  # gunicorn has no type information
    """gunicorn's Logger whose access-log atoms are escaped (ACCESS_LOG_FORMAT is unchanged)."""

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any],
              request_time: Any) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        return {key: escape(_as_utf8(value)) if isinstance(value, str) else value
                for key, value in atoms.items()}
