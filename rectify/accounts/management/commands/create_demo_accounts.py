from django.conf import settings
from django.core.management.base import BaseCommand

from rectify.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, create_demo_accounts


class Command(BaseCommand):
    help = "创建演示账户（仅在 DEBUG 开启时）。"

    def handle(self, *args, **options):
        if not settings.RECTIFY_DEMO_ACCOUNTS:
            self.stdout.write("DEBUG 未开启，未创建演示账户。")
            return
        create_demo_accounts()
        names = "、".join(f"{a.username}（{a.role.label}）" for a in DEMO_ACCOUNTS)
        self.stdout.write(self.style.SUCCESS(f"演示账户已就绪：{names}；密码均为 {DEMO_PASSWORD}"))
