from pathlib import Path

from django.core.management.base import BaseCommand

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent
from rectify.maintenance.archive import create_backup


class Command(BaseCommand):
    help = "把数据库和上传的文件做成一个一致的备份文件（zip）。"

    def add_arguments(self, parser):
        parser.add_argument("output", help="备份文件路径，如 /backup/rectify-20240101.zip")
        parser.add_argument(
            "--encrypt", action="store_true", help="用 BACKUP_KEY 加密整个备份（AES-256-GCM）；恢复时自动解密。"
        )

    def handle(self, *args, output: str, encrypt: bool = False, **options):
        manifest = create_backup(Path(output), encrypt=encrypt)
        rows = sum(manifest["counts"].values())
        how = "已签名并加密" if encrypt else "已签名，未加密"
        audit.record(
            AuditEvent.Kind.BACKUP,
            username="manage.py",
            detail=f"{output}：{rows} 行，{len(manifest['files'])} 个文件（{how}）",
        )
        self.stdout.write(
            self.style.SUCCESS(f"已备份 {rows} 行数据、{len(manifest['files'])} 个文件到 {output}（{how}）。")
        )
        if manifest["missing_files"]:
            self.stderr.write(f"以下文件在磁盘上不存在，未能备份：{'、'.join(manifest['missing_files'])}")
