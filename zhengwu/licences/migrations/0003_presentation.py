# Issue 11 item 3: the short verification token, the kept offline compact code, 亮证 codes.

import django.db.models.deletion
from django.db import migrations, models

import zhengwu.licences.models


def tokens_fill(apps, schema_editor):
    Licence = apps.get_model("licences", "Licence")
    for licence in Licence.objects.filter(verify_token__isnull=True).only("pk"):
        licence.verify_token = zhengwu.licences.models.verify_token_new()
        licence.save(update_fields=["verify_token"])


class Migration(migrations.Migration):

    dependencies = [
        ("licences", "0002_status_trust"),
    ]

    operations = [
        migrations.AddField(
            model_name="licence",
            name="verify_token",
            field=models.CharField(editable=False, max_length=16, null=True,
                                   verbose_name="核验码"),
        ),
        migrations.RunPython(tokens_fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="licence",
            name="verify_token",
            field=models.CharField(default=zhengwu.licences.models.verify_token_new,
                                   editable=False, max_length=16, null=True, unique=True,
                                   verbose_name="核验码"),
        ),
        migrations.AddField(
            model_name="licence",
            name="compact_code",
            field=models.TextField(blank=True, editable=False, verbose_name="离线核验码"),
        ),
        migrations.CreateModel(
            name="LicencePresentation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True,
                                           serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("code_hash", models.CharField(max_length=64, unique=True,
                                               verbose_name="出示码摘要")),
                ("holder_name", models.CharField(max_length=200, verbose_name="持证人姓名")),
                ("expires_at", models.DateTimeField(db_index=True, verbose_name="失效时间")),
                ("ended", models.BooleanField(default=False, verbose_name="已作废")),
                ("licence", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                              related_name="presentations",
                                              to="licences.licence",
                                              verbose_name="电子证照")),
            ],
            options={
                "verbose_name": "亮证码",
                "verbose_name_plural": "亮证码",
                "ordering": ["-created_at", "-id"],
            },
        ),
    ]
