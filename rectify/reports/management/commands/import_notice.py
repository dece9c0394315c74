"""``manage.py import_notice FILE [--unit NAME] [--dry-run]``: a published notice (.txt or .docx) into a new inspection."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent
from rectify.accounts.services import AccountError, find_unit
from rectify.reports.notice.errors import NoticeFormatError
from rectify.reports.notice.importer import import_notice, parse_notice_file


class Command(BaseCommand):
    help = "导入一份已发布的整改进展情况通报（.txt 或 .docx），新建一个巡视轮次及其反馈问题、整改事项和整改措施。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="通报文件（.txt：UTF-8 或 GB18030 编码；.docx）")
        parser.add_argument("--dry-run", action="store_true", help="只解析并显示将导入的内容，不保存")
        parser.add_argument(
            "--unit",
            default="",
            help="新巡视轮次所属单位（全称或简称）；不写则按通报所写的单位，只有一个单位时即该单位",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        unit = None
        if options["unit"]:
            try:
                unit = find_unit(options["unit"])
            except AccountError as error:
                raise CommandError("".join(error.messages)) from None
        try:
            parsed = parse_notice_file(data=path.read_bytes(), filename=path.name)
            if options["dry_run"]:
                self.stdout.write("\n".join(parsed.summary_lines()))
                self.stdout.write(self.style.WARNING("试运行（--dry-run）：未保存任何数据。"))
                return
            result = import_notice(parsed=parsed, unit=unit, file_name=path.name)
        except NoticeFormatError as exc:
            raise CommandError(f"无法导入 {path.name}：{exc}") from exc
        audit.record(
            AuditEvent.Kind.IMPORT,
            username="manage.py",
            obj=result.record,
            detail=f"通报 {path}：新建巡视轮次「{result.inspection}」，整改事项 {result.items} 项",
        )
        self.stdout.write("\n".join(parsed.summary_lines()))
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入巡视轮次“{result.inspection}”（编号 {result.inspection.pk}）：反馈问题 {result.problems} 个，"
                f"整改事项 {result.items} 项（已完成 {result.completed} 项），整改措施 {result.measures} 条。"
            )
        )
