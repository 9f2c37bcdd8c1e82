"""A small OpenID Provider for the test suite: the provincial 统一身份认证 stand-in.

Its own Django project (settings, urls, a SQLite file in a temporary folder) built on
django-oauth-toolkit's OIDC support: authorization code flow with PKCE required, ID tokens
signed RS256 with a key generated at start, and the claims the platform reads (name, ID
number, whether the ID number is verified). The suite starts it once per session on
127.0.0.1 (fixture.py, `oidc_provider`); the platform talks to it over loopback, as it would
to the real provider. Test-only: django-oauth-toolkit is in requirements/dev.txt.
"""
