from django.apps import AppConfig


class DepartmentsConfig(AppConfig):
    name = "zhengwu.departments"
    label = "departments"
    verbose_name = "部门"
