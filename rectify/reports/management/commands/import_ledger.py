"""python manage.py import_ledger FILE [--unit NAME] [--inspection ID | --title TITLE] [--dry-run]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent, Unit
from rectify.accounts.services import AccountError, find_unit
from rectify.ledger.models import Inspection
from rectify.reports.excel.errors import listed_errors
from rectify.reports.excel.importer import LedgerImportError, import_ledger
from rectify.reports.excel.planning import CREATE, UNCHANGED, UPDATE, ImportPlan, describe_deadline
from rectify.reports.excel.reader import read_ledger
from rectify.reports.excel.selectors import round_named_by


class Command(BaseCommand):
    help = "导入整改台账（Excel .xlsx、.xls、.ods，或表格形式的 Word .docx）：导入到已有巡视轮次（--inspection），或新建巡视轮次（--title）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="台账文件（.xlsx、.xls、.ods 或 .docx）")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--inspection", help="导入到该编号的巡视轮次（序号相同的事项将被更新）")
        target.add_argument("--title", help="新建巡视轮次，名称为此")
        parser.add_argument(
            "--unit",
            help="单位名称或简称：导入该单位的台账，新建的轮次、部门和责任领导都属于该单位；"
            "不写 --inspection 和 --title 时，导入到文件标题所指的该单位轮次，没有则按文件标题新建",
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查并列出将导入的内容，不保存")

    def handle(self, *args, file, inspection=None, title=None, unit=None, dry_run=False, verbosity=1, **options):
        self.verbosity = verbosity
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        home = _unit(unit) if unit else None
        target = _inspection(inspection) if inspection else None
        if home is not None and target is not None and target.unit_id != home.pk:
            raise CommandError(f"巡视轮次 {target.pk}「{target.name}」属于「{target.unit}」，不属于单位「{home}」。")
        if target is None and not title:
            if home is None:
                raise CommandError(
                    "请用 --inspection 指定巡视轮次，或用 --title 新建巡视轮次（或用 --unit 指定单位）。"
                )
            target, title = self._unit_round(path, home)
        try:
            plan = import_ledger(
                source=path, inspection=target, title=title, unit=home, dry_run=dry_run, file_name=path.name
            )
        except LedgerImportError as error:
            if error.result is not None and self.verbosity > 1:
                self._print_rows(error.result)
            raise CommandError("导入失败，未保存任何内容：\n" + "\n".join(listed_errors(error.messages))) from None
        if dry_run or self.verbosity > 1:
            self._print_rows(plan)
        for note in plan.notes:
            self.stdout.write(f"提示：{note}")
        if target is None and (named := round_named_by(plan.parsed)) is not None and named != plan.inspection:
            self.stdout.write(
                f"提示：文件标题对应已有巡视轮次「{named.name}」（编号 {named.pk}）；"
                f"要更新该轮次而不是新建，请改用 --inspection {named.pk}。"
            )
        self._print_summary(plan, dry_run)
        if not dry_run:
            audit.record(
                AuditEvent.Kind.IMPORT,
                username="manage.py",
                detail=f"台账 {path}：导入到「{plan.inspection}」，新增 {plan.count(CREATE)} 项，更新 {plan.count(UPDATE)} 项",
                obj=plan.record,
            )

    def _unit_round(self, path: Path, unit: Unit) -> tuple[Inspection | None, str | None]:
        """The unit's round the file's title names, else a new round named by the title."""
        try:
            parsed = read_ledger(path)
        except LedgerImportError as error:
            raise CommandError("导入失败，未保存任何内容：\n" + "\n".join(listed_errors(error.messages))) from None
        named = round_named_by(parsed, rounds=Inspection.objects.active().filter(unit=unit))
        if named is not None:
            self.stdout.write(f"按文件标题导入到「{unit}」的巡视轮次「{named.name}」（编号 {named.pk}）。")
            return named, None
        title = (parsed.title or path.stem)[: Inspection._meta.get_field("name").max_length]
        self.stdout.write(f"「{unit}」没有文件标题所指的巡视轮次，新建巡视轮次「{title}」。")
        return None, title

    def _print_rows(self, plan: ImportPlan) -> None:
        for row in plan.rows:
            self.stdout.write(
                f"{row.source.place_label} [{row.action}] {row.number}. {row.title}"
                f" | {row.problem.label} | 措施{len(row.measures)}条"
                f" | {'、'.join(row.leaders)} | {row.lead_department} | {describe_deadline(row)}"
                f" | {row.status_label}" + (f" | 变更：{'、'.join(row.changes)}" if row.changes else "")
            )

    def _print_summary(self, plan: ImportPlan, dry_run: bool) -> None:
        verb = "将" if dry_run else "已"
        self.stdout.write(
            f"{'（试运行，未保存）' if dry_run else ''}{verb}导入到「{plan.inspection_label}」："
            f"新增 {plan.count(CREATE)} 项，更新 {plan.count(UPDATE)} 项，无变化 {plan.count(UNCHANGED)} 项。"
        )
        if plan.new_problems:
            self.stdout.write(f"{verb}新建反馈问题 {len(plan.new_problems)} 个。")
        if plan.new_departments:
            self.stdout.write(f"{verb}新建部门：{'、'.join(plan.new_departments)}")
        if plan.new_leaders:
            self.stdout.write(f"{verb}新建责任领导：{'、'.join(plan.new_leaders)}")
        if not dry_run and plan.inspection is not None:
            self.stdout.write(f"巡视轮次编号：{plan.inspection.pk}")


def _unit(name: str) -> Unit:
    try:
        return find_unit(name)
    except AccountError as error:
        raise CommandError(" ".join(error.messages)) from None


def _inspection(value: str) -> Inspection:
    try:
        return Inspection.objects.active().get(pk=int(value))
    except (ValueError, Inspection.DoesNotExist):
        existing = "\n".join(f"  {i.pk}：{i.name}" for i in Inspection.objects.active().order_by("pk")) or "  （无）"
        raise CommandError(f"没有编号为 {value} 的巡视轮次。现有巡视轮次：\n{existing}") from None
