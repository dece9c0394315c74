import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rectify.accounts.models import AuditEvent

MINIMUM_DAYS = 180


class Command(BaseCommand):
    help = "删除超过保存期限的审计日志（保存期不少于 180 天）。"

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365, help="保存天数，不少于 180，默认 365。")

    def handle(self, *args, days: int, **options):
        if days < MINIMUM_DAYS:
            raise CommandError(f"审计日志须至少保存 {MINIMUM_DAYS} 天，不能只保存 {days} 天。")
        cutoff = timezone.now() - datetime.timedelta(days=days)
        deleted, _ = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"已删除 {deleted} 条 {days} 天以前的审计日志。")
