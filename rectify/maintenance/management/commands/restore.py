from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent
from rectify.maintenance.archive import ArchiveError, restore_backup


class Command(BaseCommand):
    help = "用备份文件替换数据库中的全部数据，并恢复上传的文件（只接受用本机 BACKUP_KEY 签名的备份）。"

    def add_arguments(self, parser):
        parser.add_argument("archive", help="backup 命令生成的备份文件")
        parser.add_argument("--yes", action="store_true", help="不再确认，直接覆盖现有数据。")

    def handle(self, *args, archive: str, yes: bool = False, **options):
        if not yes and options.get("interactive", True):
            answer = input("恢复将删除并替换数据库中的全部数据。确定继续吗？请输入 yes：")
            if answer.strip().lower() != "yes":
                raise CommandError("已取消，未做任何修改。")
        try:
            manifest = restore_backup(Path(archive))
        except ArchiveError as error:
            self.failed(archive, str(error))
            raise CommandError(str(error)) from None
        except Exception as error:
            self.failed(archive, f"{type(error).__name__}: {error}")
            raise
        rows = sum(manifest["counts"].values())
        audit.record(
            AuditEvent.Kind.RESTORE, username="manage.py", detail=f"{archive}（备份于 {manifest['created_at']}）"
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"已恢复 {rows} 行数据、{len(manifest['files'])} 个文件（备份于 {manifest['created_at']}）。"
            )
        )

    @staticmethod
    def failed(archive: str, reason: str) -> None:
        audit.record(AuditEvent.Kind.RESTORE_FAILED, username="manage.py", detail=f"{archive}：{reason}")
