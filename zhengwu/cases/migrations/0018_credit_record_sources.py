"""A 失信记录 from three sources (issue 15 §3): source, type, legal basis, the recording
department, an optional case, the public number, a ref and the transparency-log index.
Existing rows are false commitments: their department is their case's, their number its
number, their log index that of their `credit.record` entry."""

import django.db.models.deletion
from django.db import migrations, models

BASIS = "国办发〔2020〕42号（告知承诺不实）"


def existing_rows(apps, schema_editor):  # type: ignore[no-untyped-def]
    record_model = apps.get_model("cases", "CreditRecord")
    entry_model = apps.get_model("ledger", "LedgerEntry")
    for record in record_model.objects.select_related("case"):
        entry = entry_model.objects.filter(kind="credit.record",
                                           ref=f"cases.CreditRecord:{record.pk}").first()
        record.department_id = record.case.department_id
        record.number = record.case.number
        record.ref = f"cases.Case:{record.case_id}"
        record.basis = BASIS
        record.ledger_index = entry.index if entry is not None else None
        record.save(update_fields=["department", "number", "ref", "basis", "ledger_index"])


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0017_credit_repair'),
        ('departments', '0001_initial'),
        ('ledger', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='creditrecord', name='source',
            field=models.CharField(choices=[('commitment', '告知承诺事后核查'), ('inspection', '双随机抽查'), ('market', '中介超市')], default='commitment', max_length=12, verbose_name='来源'),
        ),
        migrations.AddField(
            model_name='creditrecord', name='kind',
            field=models.CharField(choices=[('false_commitment', '告知承诺不实'), ('inspection_case', '抽查检查立案查处'), ('not_remedied', '责令整改逾期未改正'), ('market_blacklist', '中介机构列入黑名单')], default='false_commitment', max_length=20, verbose_name='类型'),
        ),
        migrations.AddField(
            model_name='creditrecord', name='basis',
            field=models.CharField(blank=True, max_length=300, verbose_name='依据'),
        ),
        migrations.AddField(
            model_name='creditrecord', name='department',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='departments.department', verbose_name='记录部门'),
        ),
        migrations.AddField(
            model_name='creditrecord', name='number',
            field=models.CharField(blank=True, max_length=40, verbose_name='关联编号'),
        ),
        migrations.AddField(
            model_name='creditrecord', name='ref',
            field=models.CharField(blank=True, max_length=80, verbose_name='关联对象'),
        ),
        migrations.AddField(
            model_name='creditrecord', name='ledger_index',
            field=models.PositiveBigIntegerField(blank=True, null=True, verbose_name='透明日志序号'),
        ),
        migrations.AlterField(
            model_name='creditrecord', name='case',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.case'),
        ),
        migrations.RunPython(existing_rows, migrations.RunPython.noop),
    ]
