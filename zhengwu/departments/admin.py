from django.contrib import admin

from zhengwu.departments.models import Department


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin[Department]):
    list_display = ("name", "short_name", "kind", "uscc", "region")
    list_filter = ("kind",)
    search_fields = ("name", "short_name", "uscc")
    raw_id_fields = ("region",)
