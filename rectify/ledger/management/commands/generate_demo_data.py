"""python manage.py generate_demo_data --items N [--inspections K] [--units U] [--seed S]"""

from django.core.management.base import BaseCommand, CommandError

from rectify.demo.demo_data import default_inspection_count, generate_demo_data


class Command(BaseCommand):
    help = (
        "生成演示（压测）数据：巡视轮次、反馈问题、整改事项、整改措施、整改进展及其变更历史，"
        "部门和责任领导为示例数据。同一随机种子生成的数据相同。请勿在正式数据库上运行。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--items", type=int, required=True, help="整改事项数量")
        parser.add_argument("--inspections", type=int, help="巡视轮次数量（默认每 1000 个事项一个，至少一个）")
        parser.add_argument(
            "--units",
            type=int,
            help="新建的被巡视单位数量：事项和巡视轮次平均分到各单位，各单位有自己的部门和责任领导（默认全部放入第一个单位）",
        )
        parser.add_argument("--seed", type=int, default=0, help="随机种子（默认 0）")

    def handle(self, *args, items, inspections, units, seed, **options):
        if items < 1:
            raise CommandError("整改事项数量必须至少为 1。")
        if units is not None and not 1 <= units <= items:
            raise CommandError("单位数量必须在 1 与整改事项数量之间。")
        inspections = inspections or default_inspection_count(items, units)
        if units is not None and inspections < units:
            raise CommandError(f"巡视轮次数量（{inspections}）不能少于单位数量（{units}）：每个单位至少一个巡视轮次。")
        if not 1 <= inspections <= items:
            raise CommandError("巡视轮次数量必须在 1 与整改事项数量之间。")
        where = f"，分到 {units} 个新单位" if units else ""
        self.stdout.write(f"正在生成 {items} 个整改事项（{inspections} 个巡视轮次{where}，随机种子 {seed}）……")

        def progress(done: int, total: int, seconds: float) -> None:
            self.stdout.write(f"已生成 {done}/{total} 个整改事项（用时 {seconds:.1f} 秒）")
            self.stdout.flush()

        summary = generate_demo_data(items=items, inspections=inspections, units=units, seed=seed, on_progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成演示数据：{f'单位 {summary.units} 个，' if summary.units else ''}巡视轮次 {summary.inspections} 个，反馈问题 {summary.problems} 个，"
                f"整改事项 {summary.items} 个，整改措施 {summary.measures} 条，整改进展 {summary.progress_updates} 条，"
                f"待审核销号申请 {summary.signoffs} 条，历史记录 {summary.history_rows} 条；"
                f"用时 {summary.seconds:.1f} 秒。"
            )
        )
