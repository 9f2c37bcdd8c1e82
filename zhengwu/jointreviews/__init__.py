"""联合审查: joint site surveys, drawing reviews and completion acceptances of engineering
projects, with absent departments recorded as no objection (缺席默认) [16][20]."""
