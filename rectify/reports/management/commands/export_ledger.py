"""python manage.py export_ledger [--inspection ID | --unit NAME | --all-units] [--as-of YYYY-MM-DD | --month YYYY-MM] --output PATH"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent
from rectify.accounts.services import AccountError, find_unit
from rectify.chinese import chinese_date
from rectify.ledger.models import Inspection
from rectify.reports.excel.export import rounds_ledger
from rectify.reports.excel.options import ExportOptionError, resolve_as_of, resolve_inspection
from rectify.reports.excel.selectors import rounds_of_units


class Command(BaseCommand):
    help = "导出月度整改台账（Excel）：整改台账、统计、本月变化三张工作表。"

    def add_arguments(self, parser):
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--inspection", help="巡视轮次编号；只有一个巡视轮次时可省略")
        target.add_argument("--unit", help="单位名称或简称：该单位及其下级单位的台账（多个轮次时合为一个工作簿）")
        target.add_argument("--all-units", action="store_true", help="全部单位的台账，合为一个工作簿")
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD（默认今天）")
        when.add_argument("--month", help="月份 YYYY-MM：截至该月最后一天")
        parser.add_argument("--output", required=True, help="输出文件路径（.xlsx）")

    def handle(
        self, *args, inspection=None, unit=None, all_units=False, as_of=None, month=None, output=None, **options
    ):
        scope = None
        try:
            day = resolve_as_of(as_of=as_of, month=month, today=timezone.localdate())
            if unit or all_units:
                scope = find_unit(unit) if unit else None
                rounds = rounds_of_units(Inspection.objects.active(), scope)
                if not rounds:
                    raise ExportOptionError(f"{scope.name if scope else '本系统'}没有巡视轮次，无法导出台账。")
                chosen = (
                    rounds[0]
                    if len(rounds) == 1
                    else f"{scope.name if scope else '各单位'}（{len(rounds)} 个巡视轮次）"
                )
            else:
                rounds = [resolve_inspection(inspection)]
                chosen = rounds[0]
        except (ExportOptionError, AccountError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"输出目录不存在：{path.parent}")
        workbook = rounds_ledger(rounds, day, scope=scope)
        try:
            workbook.save(path)
        except OSError as error:
            raise CommandError(f"无法写入 {path}：{error.strerror or error}") from None
        audit.record(
            AuditEvent.Kind.EXPORT, username="manage.py", detail=f"月度台账：{chosen}，截至{chinese_date(day)}：{path}"
        )
        self.stdout.write(f"已导出 {getattr(chosen, 'name', chosen)} 截至{chinese_date(day)}的整改台账：{path}")
