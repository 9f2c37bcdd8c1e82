"""The process engine: one way to run every deadline-bound process (ADR 0013).

A process — a case (办件), a bundle (一件事), a joint review (联合审查), a post-verification
(事后核查) … — is declared as data in a `spec.Process`: its moves (from which states, to which
state, who may make each, its guards, what it does to the clock) and the few functions that are
its own (lock a row in the actor's scope, the actor's roles on it, the audit actor, the event
row). `engine.transition` is the only path that changes a process row's state, and
`engine.refusal` the only predicate that says whether a move may be made: the services make
moves through the first, and the pages and the API show what a person may do next through the
second, so the two cannot disagree.

The package depends on nothing but `zhengwu.core`; processes depend on it, never the reverse.
"""
