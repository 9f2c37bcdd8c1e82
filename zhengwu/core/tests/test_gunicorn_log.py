"""The web server's access log: what a client sends can never start a log line of its own."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from zhengwu.core.gunicorn_log import AccessLogger, escape
from zhengwu.core.management.commands.serve import ACCESS_LOG_FORMAT, gunicorn_argv


@pytest.mark.parametrize(("raw", "shown"), [
    ("/probe\n9.9.9.9 forged line", "/probe\\x0a9.9.9.9 forged line"),
    ("/a\r\nb", "/a\\x0d\\x0ab"),
    ("/nul\x00here", "/nul\\x00here"),
    ("/esc\x1b[31m\x7f", "/esc\\x1b[31m\\x7f"),
    ('agent" "forged', 'agent\\" \\"forged'),
    ("back\\slash", "back\\\\slash"),
    ("/办事指南", "/办事指南"),
])
def test_escape_makes_control_characters_visible(raw, shown):
    assert escape(raw) == shown


def _line(path: str, agent: str = "curl/8") -> list[str]:
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", ACCESS_LOG_FORMAT)
    logger = AccessLogger(cfg)
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))

    logger.access_log.handlers = [Keep()]
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path,
               "QUERY_STRING": "id=110105194912310021", "SERVER_PROTOCOL": "HTTP/1.1",
               "REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": agent}
    response = SimpleNamespace(status="404 Not Found", sent=12, headers=[])
    request = SimpleNamespace(headers=[("USER-AGENT", agent)])
    logger.access(response, request, environ, dt.timedelta(milliseconds=3))
    return records


def test_a_newline_in_the_path_cannot_forge_a_log_line():
    records = _line("/probe\n9.9.9.9 forged line\x00", agent="x\r\ny")
    assert len(records) == 1
    line = records[0]
    assert "\n" not in line and "\r" not in line and "\x00" not in line
    assert '"GET /probe\\x0a9.9.9.9 forged line\\x00 HTTP/1.1" 404 12 3ms "x\\x0d\\x0ay"' in line
    # The query string (which may hold an ID number) is still never logged.
    assert "110105" not in line


PROBE_APP = '''
def app(environ, start_response):
    start_response("404 Not Found", [("Content-Type", "text/plain")])
    return [b"no"]
'''


def test_the_server_zhengwu_serve_starts_writes_one_escaped_line(tmp_path):
    """End to end: the command line of `zhengwu serve`, a real gunicorn, a raw request."""
    (tmp_path / "probe_app.py").write_text(PROBE_APP)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    argv = gunicorn_argv("probe_app:app", host="127.0.0.1", port=str(port), workers="1")
    server = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
                    conn.sendall(b"GET /probe%0A9.9.9.9%20forged%20line%00?id=110105194912310021"
                                 b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    conn.recv(1024)
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
    finally:
        server.terminate()
        out, _ = server.communicate(timeout=20)
    lines = [line for line in out.splitlines() if line]
    assert len(lines) == 1, lines
    assert '"GET /probe\\x0a9.9.9.9 forged line\\x00 HTTP/1.1" 404' in lines[0]
    assert "110105" not in lines[0]


def test_a_chinese_path_is_logged_as_chinese():
    # WSGI gives the path's UTF-8 bytes read as Latin-1.
    records = _line("/办事指南/".encode().decode("latin-1"))
    assert '"GET /办事指南/ HTTP/1.1"' in records[0]
