"""The holder's export of a licence: the signed bytes verbatim with the signature.

    {"format": "zhengwu-licence/1",
     "identifier": "1.2.156.3005.2.….001.B",
     "kid": "3f2a…",
     "alg": "SM2-SM3",
     "credential": "<base64 of the signed bytes>",
     "signature": "<base64 of DER (r, s)>"}

The credential travels as base64 of the stored bytes, not as a JSON object: a verifier checks
the signature over exactly those bytes (licences.credential), and an embedded object would
invite re-serialising it.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Final

from zhengwu.licences.models import Licence
from zhengwu.licences.signing import ALGORITHM

FORMAT: Final = "zhengwu-licence/1"


def licence_export(licence: Licence) -> dict[str, Any]:
    return {"format": FORMAT, "identifier": licence.identifier, "kid": licence.kid,
            "alg": ALGORITHM,
            "credential": base64.b64encode(licence.data).decode("ascii"),
            "signature": base64.b64encode(bytes(licence.signature)).decode("ascii")}


def licence_export_bytes(licence: Licence) -> bytes:
    return json.dumps(licence_export(licence), ensure_ascii=False, indent=1).encode("utf-8")
