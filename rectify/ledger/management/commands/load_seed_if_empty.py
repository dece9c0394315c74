from django.core.management import call_command
from django.core.management.base import BaseCommand

from rectify.accounts.demo import SEED_UNIT_NAME
from rectify.accounts.models import Unit
from rectify.ledger.models import Inspection

SEED_FIXTURE = "seed_huaihua_2023"


class Command(BaseCommand):
    help = "在数据库中尚无巡视轮次时载入示例台账（怀化高新区 2023 年巡视整改通报）。"

    def handle(self, *args, **options):
        if Inspection.objects.exists():
            self.stdout.write("数据库中已有巡视轮次，未载入示例台账。")
            return
        if Unit.objects.exclude(name=SEED_UNIT_NAME).exists():
            # The fixture's unit would take the place of one of yours (same primary key).
            self.stdout.write("数据库中已有其他单位，未载入示例台账。")
            return
        call_command("loaddata", SEED_FIXTURE, verbosity=0)
        self.stdout.write(self.style.SUCCESS("已载入示例台账 seed_huaihua_2023。"))
