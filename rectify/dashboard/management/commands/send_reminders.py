import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rectify.dashboard.reminders import build_digests, render_body, send_digests


class Command(BaseCommand):
    help = "向联络员、责任领导和纪工委发送整改提醒摘要（每人每天一份）。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只显示将发送的提醒，不发送、不记录。")
        parser.add_argument("--today", help="按指定日期计算预警（YYYY-MM-DD），默认今天。")

    def handle(self, *args, dry_run=False, today=None, **options):
        day = self._parse_day(today)
        digests = build_digests(day)
        result = send_digests(digests, today=day, dry_run=dry_run)
        for digest in result.sent:
            self.stdout.write(f"{'［演练］' if dry_run else ''}{digest.user.username}：{digest.item_count}项")
            if dry_run and options["verbosity"] > 1:
                self.stdout.write(render_body(digest, day))
        if result.skipped:
            names = "、".join(d.user.username for d in result.skipped)
            self.stdout.write(f"今天已提醒过，未重复发送：{names}")
        if dry_run:
            self.stdout.write(self.style.WARNING(f"演练：将发送 {len(result.sent)} 份提醒，未实际发送。"))
        else:
            self.stdout.write(self.style.SUCCESS(f"已发送 {len(result.sent)} 份提醒（其中邮件 {result.emailed} 封）。"))

    @staticmethod
    def _parse_day(value: str | None) -> datetime.date:
        if not value:
            return timezone.localdate()
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"无法识别的日期：{value}（应为 YYYY-MM-DD）") from None
