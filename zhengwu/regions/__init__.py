"""regions: administrative divisions (行政区划) with 12-digit 统计用区划代码."""
