"""Electronic licences (电子证照, issue 11): identifiers, canonical JSON, SM2-signed credentials.

This package starts with its pure foundations (no database): `identifier` (GB/T 36904 证照标识),
`canonical` (RFC 8785 JSON), `signing` (who signs and with which key), `credential` (the signed
envelope) and `openssl_sm2` (a second SM2 implementation that cross-checks core.sm2 in tests).
"""
