"""python manage.py export_ledger [--inspection ID] [--as-of YYYY-MM-DD | --month YYYY-MM] --output PATH"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent
from rectify.chinese import chinese_date
from rectify.reports.excel.export import monthly_ledger
from rectify.reports.excel.options import ExportOptionError, resolve_as_of, resolve_inspection


class Command(BaseCommand):
    help = "导出月度整改台账（Excel）：整改台账、统计、本月变化三张工作表。"

    def add_arguments(self, parser):
        parser.add_argument("--inspection", help="巡视轮次编号；只有一个巡视轮次时可省略")
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD（默认今天）")
        when.add_argument("--month", help="月份 YYYY-MM：截至该月最后一天")
        parser.add_argument("--output", required=True, help="输出文件路径（.xlsx）")

    def handle(self, *args, inspection=None, as_of=None, month=None, output=None, **options):
        try:
            day = resolve_as_of(as_of=as_of, month=month, today=timezone.localdate())
            chosen = resolve_inspection(inspection)
        except ExportOptionError as error:
            raise CommandError(str(error)) from None
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"输出目录不存在：{path.parent}")
        workbook = monthly_ledger(chosen, day)
        try:
            workbook.save(path)
        except OSError as error:
            raise CommandError(f"无法写入 {path}：{error.strerror or error}") from None
        audit.record(
            AuditEvent.Kind.EXPORT, username="manage.py", detail=f"月度台账：{chosen}，截至{chinese_date(day)}：{path}"
        )
        self.stdout.write(f"已导出 {chosen.name} 截至{chinese_date(day)}的整改台账：{path}")
