"""``manage.py render_notice [--inspection ID] [--as-of YYYY-MM-DD] --output PATH``: draft the notice to a file."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.utils import timezone

from rectify.chinese import chinese_date
from rectify.ledger.models import Inspection
from rectify.reports.notice.docx import render_docx
from rectify.reports.notice.draft import build_notice_draft

OUTPUT_SUFFIXES = (".docx", ".html")


class Command(BaseCommand):
    help = "根据台账起草整改进展情况通报，输出为 .docx（公文格式）或 .html。"

    def add_arguments(self, parser):
        parser.add_argument("--inspection", type=int, help="巡视轮次编号（只有一个巡视轮次时可省略）")
        parser.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--output", required=True, help="输出文件，扩展名 .docx 或 .html")

    def handle(self, *args, **options):
        output = Path(options["output"])
        suffix = output.suffix.lower()
        if suffix not in OUTPUT_SUFFIXES:
            raise CommandError(
                f"不支持的输出格式“{output.suffix or '无扩展名'}”：输出文件的扩展名应为 .docx 或 .html。"
            )
        as_of = self._as_of(options["as_of"])
        inspection = self._inspection(options["inspection"])
        draft = build_notice_draft(inspection=inspection, as_of=as_of)
        if suffix == ".docx":
            content = render_docx(draft)
        else:
            content = render_to_string("reports/notice/standalone.html", {"draft": draft}).encode("utf-8")
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"无法写入 {output}：{exc.strerror or exc}") from exc
        if not draft.completed_count and not draft.open_count:
            self.stdout.write(
                self.style.WARNING(
                    "注意：截至该日台账中还没有整改事项（日期早于事项录入或导入台账的日期），通报第二、三部分为“无”。"
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成“{inspection}”截至{chinese_date(as_of)}的通报：{output}"
                f"（已完成 {draft.completed_count} 项，未完成或长期整改 {draft.open_count} 项）"
            )
        )

    @staticmethod
    def _as_of(text: str | None) -> datetime.date:
        if not text:
            return timezone.localdate()
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"日期“{text}”格式不正确，应为 YYYY-MM-DD，如 2023-12-18。") from None

    @staticmethod
    def _inspection(pk: int | None) -> Inspection:
        if pk is not None:
            try:
                return Inspection.objects.get(pk=pk)
            except Inspection.DoesNotExist:
                raise CommandError(f"没有编号为 {pk} 的巡视轮次。") from None
        inspections = list(Inspection.objects.order_by("id"))
        if not inspections:
            raise CommandError("数据库中还没有巡视轮次。")
        if len(inspections) > 1:
            listing = "\n".join(f"  {i.pk}  {i}" for i in inspections)
            raise CommandError(f"有多个巡视轮次，请用 --inspection 指定编号：\n{listing}")
        return inspections[0]
