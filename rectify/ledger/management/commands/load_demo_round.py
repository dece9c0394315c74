"""python manage.py load_demo_round: a demo round dated around today (``make run``, DEBUG only)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from rectify.demo.current_round import load_demo_round


class Command(BaseCommand):
    help = "载入一个日期随今天而定的演示巡视轮次（仅在 DEBUG 开启时；已有则跳过），让每个演示账户都有事可做。"

    def handle(self, *args, **options):
        if not settings.RECTIFY_DEMO_ACCOUNTS:
            self.stdout.write("DEBUG 未开启，未载入演示轮次。")
            return
        inspection = load_demo_round()
        if inspection is None:
            self.stdout.write("已有演示轮次，未重复载入。")
            return
        self.stdout.write(
            self.style.SUCCESS(f"已载入演示轮次「{inspection.name}」：{inspection.items.count()} 个整改事项。")
        )
