"""中介超市 (issue 15 §1, measure [3]): the intermediary-service marketplace."""
