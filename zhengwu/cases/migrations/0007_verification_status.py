"""事后核查 runs on the process engine: its state, filled from what was recorded."""

from django.db import migrations, models


def fill(apps, schema_editor):
    Verification = apps.get_model("cases", "Verification")
    Verification.objects.filter(done_at__isnull=False, truthful=True).update(status="confirmed")
    Verification.objects.filter(done_at__isnull=False, truthful=False).update(status="false")


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_case_guard_facts'),
    ]

    operations = [
        migrations.AddField(
            model_name='verification',
            name='overdue_told_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='逾期提醒时间'),
        ),
        migrations.AddField(
            model_name='verification',
            name='status',
            field=models.CharField(choices=[('pending', '待核查'), ('confirmed', '承诺属实'), ('false', '承诺不实')], default='pending', max_length=12, verbose_name='核查状态'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
