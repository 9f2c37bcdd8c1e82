"""12345 政务服务便民热线 (issue 13, measures 26–28): work orders (工单) from every channel,
routed by a versioned rule table and a trained text classifier, handled to a closed loop on
working-day limits (受理、派单、签收、办理、答复、回访、办结), with 三率, the 营商环境 desk and
an Open311 GeoReport v2 API — all on the process engine (ADR 0013, docs/hotline.md).
"""
