"""办不成事反映窗口 (issue 12 §5, "no refusal"): a person told that something "can't be done"
opens a ticket (反映单); the responsible department's 首席代表 contacts them and records the
outcome within working-day limits, on the process engine (ADR 0021, docs/unresolved.md).

Named `unresolved` after what the ticket reports — a request left unresolved — rather than
after the window; the pages are under /unresolved/ and the API under /api/v1/unresolved/.
"""
