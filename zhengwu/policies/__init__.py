"""惠企政策 and 免申即享 (issue 14 §1): benefits whose eligibility is written as data and
decided from an enterprise's or person's facts, explained condition by condition.

So far the rule engine only (`eligibility`, pure); the policy library, the facts from the
platform's records, matching and grants come with the rest of issue 14.
"""
