"""The claims the test provider vouches for: the person's name, ID number, and whether that
number is verified, released with the `profile` scope (in the ID token and at userinfo)."""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from tests.oidc_provider.people import OP_USERS


class ProvincialValidator(OAuth2Validator):  # type: ignore[misc]
    oidc_claim_scope = {**OAuth2Validator.oidc_claim_scope,
                        "id_number": "profile", "id_number_verified": "profile"}

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        person = OP_USERS.get(request.user.username, {})
        claims: dict[str, Any] = {"name": person.get("name", request.user.username)}
        if person.get("id_number"):
            claims["id_number"] = person["id_number"]
            claims["id_number_verified"] = bool(person.get("verified"))
        return claims
