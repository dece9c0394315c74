import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rectify.dashboard.reminders import build_digests, render_body
from rectify.dashboard.tasks import daily_reminders


class Command(BaseCommand):
    help = (
        "每日提醒：向联络员、责任领导和纪工委发送整改提醒摘要（每人每天一份），发送临期消息，并按督办等级升级逾期事项。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只显示将发送的提醒，不发送、不记录、不升级。")
        parser.add_argument("--today", help="按指定日期计算预警和督办等级（YYYY-MM-DD），默认今天。")
        parser.add_argument("--queue", action="store_true", help="交给任务队列（db_worker）执行，不在本进程执行。")

    def handle(self, *args, dry_run=False, today=None, queue=False, **options):
        day = self._parse_day(today)
        if queue:
            daily_reminders.enqueue(day.isoformat(), dry_run)
            self.stdout.write(self.style.SUCCESS(f"已将{day.isoformat()}的每日提醒交给任务队列。"))
            return
        summary = daily_reminders.call(day.isoformat(), dry_run)
        for username in summary["sent"]:
            self.stdout.write(f"{'［演练］' if dry_run else ''}{username}：{summary['counts'][username]}项")
        if dry_run and options["verbosity"] > 1:
            for digest in build_digests(day):
                self.stdout.write(render_body(digest, day))
        if summary["skipped"]:
            self.stdout.write(f"今天已提醒过，未重复发送：{'、'.join(summary['skipped'])}")
        if dry_run:
            self.stdout.write(self.style.WARNING(f"演练：将发送 {len(summary['sent'])} 份提醒，未实际发送。"))
            return
        self.stdout.write(
            self.style.SUCCESS(f"已发送 {len(summary['sent'])} 份提醒（其中邮件 {summary['emailed']} 封）。")
        )
        self.stdout.write(f"临期消息 {summary['deadline_notices']} 条。")
        for line in summary["raised"]:
            self.stdout.write(f"督办升级：{line}")
        self.stdout.write(f"本次升级 {len(summary['raised'])} 项督办等级。")

    @staticmethod
    def _parse_day(value: str | None) -> datetime.date:
        if not value:
            return timezone.localdate()
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"无法识别的日期：{value}（应为 YYYY-MM-DD）") from None
