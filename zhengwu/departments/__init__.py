"""departments: the bodies that implement service items (部门、乡镇政府、村(居)委会)."""
