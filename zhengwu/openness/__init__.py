"""政务公开 (issue 14 §2): 依申请公开 requests on the legal limits of the 政府信息公开条例, the
主动公开 column, 互动交流 and the 政务新媒体 registry.

Built: the limits (`limits`, pure, over the official calendar) and the request process on the
engine (`workflow`, `services`, pages and API); see docs/openness.md.
"""
