"""The plan tracks itself (issue 14 §3, 督查督办): the action plan's measures and tasks as data
from the pack, live figures bound to its targets, monthly progress reports and supervisors'
comments, a status per task, the API and the public 营商环境 dashboard."""
