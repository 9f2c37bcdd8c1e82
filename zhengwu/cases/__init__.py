"""cases: case handling (办件) — submission, one-time supplements, acceptance, review chains,
special procedures, one extension, decisions, 告知承诺, deemed approval (超时默认) and delivery,
with deadlines on the official working-day calendar [3][4][5][6][7][14][25].
"""
