"""python manage.py check_ledger: list every broken ledger invariant; exit 1 if there is one."""

from django.core.management.base import BaseCommand, CommandError

from rectify.ledger.invariants import broken_invariants


class Command(BaseCommand):
    help = "检查台账的一致性（销号、延期、完成日期等）；发现问题时逐条列出并以状态 1 退出。"

    def handle(self, *args, **options):
        violations = broken_invariants()
        for violation in violations:
            self.stdout.write(str(violation))
        if violations:
            raise CommandError(f"台账一致性检查未通过：发现 {len(violations)} 处问题。", returncode=1)
        self.stdout.write(self.style.SUCCESS("台账一致性检查通过：未发现问题。"))
