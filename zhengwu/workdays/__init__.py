"""workdays: the working-day calendar (工作日历) — official 国务院 holiday schedules, admin-entered
later years, and pure deadline arithmetic in working days and half days.
"""
