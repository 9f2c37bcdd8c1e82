"""惠企政策 and 免申即享 (issue 14 §1): the policy library, benefits whose eligibility is written
as data and decided from an enterprise's facts (explained condition by condition), and grants
made without an application, confirmed by a second member of staff (docs/policies.md).
"""
