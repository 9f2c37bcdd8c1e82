from django.contrib import admin

from zhengwu.portal.models import Site

admin.site.register(Site)
admin.site.site_header = "政务服务一体化平台 管理后台"
admin.site.site_title = "Zhengwu 管理后台"
