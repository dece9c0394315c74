"""Synthetic ledgers for demonstrations and benchmarks (``manage.py generate_demo_data``).

The data looks like real rectification ledgers: Chinese problem and item titles composed from
phrase lists, sample departments and leaders, one to five measures per item, progress reports,
every status and every warning light (deadlines past, within the warning window, far ahead, none
for long-term items), and the change history django-simple-history would have recorded, with
dates that tell one story: a '+' record when the item was entered and, for an item that moved on,
a '~' record on the day it did (for a completed item: the day it was signed off). The as-of ledger
and the completion trend read that history.

Speed: 100,000 items make about 1.7 million rows. They are written inside one transaction with
multi-row inserts on the raw database connection (``bulk.BulkWriter``: ``executemany`` on SQLite, ``COPY``
on PostgreSQL), not through ``Model.save()``; primary keys are allocated here, after the largest
existing one, so that history rows can point at their objects without reading ids back. Run it
while nobody else writes to the ledger.

Deterministic: the same ``seed``, sizes and ``today`` give the same rows.
"""

import contextlib
import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from rectify.accounts.models import Department, Leader, Unit
from rectify.accounts.services import create_unit
from rectify.chinese import chinese_date, chinese_number
from rectify.ledger import revision
from rectify.ledger.bulk import BulkWriter
from rectify.ledger.models import (
    Decision,
    Extension,
    FeedbackProblem,
    Inspection,
    Measure,
    Origin,
    ProgressUpdate,
    RectificationItem,
    SignOff,
)
from rectify.ledger.numbering import measure_label

Status = RectificationItem.Status
Kind = RectificationItem.Kind

PROGRESS_EVERY = 10_000

# --- Phrase lists ---------------------------------------------------------------------------------

DEPARTMENTS = [
    "党群工作部",
    "纪工委（监工委）",
    "经济发展局",
    "招商合作局",
    "科技创新局",
    "财政局",
    "自然资源和规划分局",
    "建设管理局",
    "行政审批局",
    "应急管理局",
    "生态环境分局",
    "社会事务局",
    "人力资源和社会保障局",
    "城市管理局",
    "市场监督管理分局",
    "审计局",
    "统计局",
    "商务局",
    "国有资产管理中心",
    "政务服务中心",
    "党政办公室",
    "组织人事部",
    "宣传统战部",
    "高新投公司",
]

LEADERS = [
    ("张某", "党工委书记"),
    ("李某", "党工委副书记、管委会主任"),
    ("王某", "党工委副书记"),
    ("赵某", "党工委委员、纪工委书记、监工委主任"),
    ("刘某", "管委会副主任"),
    ("陈某", "管委会副主任"),
    ("杨某", "党工委委员、组织人事部部长"),
    ("黄某", "党工委委员、宣传统战部部长"),
    ("周某", "管委会副主任"),
    ("吴某", "党工委委员、管委会副主任"),
]

# (inspected unit, responsible unit)
UNITS = [
    ("经济技术开发区", "中共经济技术开发区工作委员会"),
    ("高新技术产业开发区", "中共高新技术产业开发区工作委员会"),
    ("鹤城区", "中共鹤城区委员会"),
    ("市发展和改革委员会", "中共市发展和改革委员会党组"),
    ("市财政局", "中共市财政局党组"),
    ("市住房和城乡建设局", "中共市住房和城乡建设局党组"),
    ("市自然资源和规划局", "中共市自然资源和规划局党组"),
    ("市国有资产监督管理委员会", "中共市国有资产监督管理委员会党委"),
    ("市城市建设投资集团有限公司", "中共市城市建设投资集团有限公司委员会"),
    ("市交通运输局", "中共市交通运输局党组"),
    ("市卫生健康委员会", "中共市卫生健康委员会党组"),
    ("市教育局", "中共市教育局党组"),
]

PROBLEM_TITLES = [
    "贯彻落实党中央决策部署和省委工作要求不够到位",
    "推动高质量发展的责任担当不够",
    "落实全面从严治党主体责任不够到位",
    "落实中央八项规定精神不够严格",
    "领导班子和干部队伍建设存在短板",
    "基层党组织建设较为薄弱",
    "国有资产管理不善",
    "财政资金管理使用不规范",
    "政府投资项目管理不严格",
    "招商引资工作存在短板",
    "防范化解重大风险不够有力",
    "安全生产责任落实不到位",
    "生态环境保护工作存在短板",
    "耕地保护和土地管理不规范",
    "优化营商环境工作有差距",
    "民生领域工作存在薄弱环节",
    "意识形态工作责任制落实不够到位",
    "选人用人工作不够规范",
    "巡视巡察整改和审计整改不到位",
    "权力运行监督制约不够有力",
    "形式主义官僚主义问题仍然存在",
    "政府债务风险防控压力较大",
    "工程建设领域廉洁风险突出",
    "惠民惠农资金监管不严",
]

AREAS = [
    "招商引资项目",
    "政府投资项目",
    "国有资产",
    "专项资金",
    "工程建设项目",
    "产业园区标准厂房",
    "土地出让收入",
    "政府债务",
    "惠民惠农补贴",
    "公务接待",
    "公务用车",
    "干部选拔任用",
    "基层党组织",
    "安全生产隐患",
    "环境信访问题",
    "闲置土地",
    "国有企业经营",
    "审计发现问题",
    "政府采购",
    "保障性住房",
    "污水处理设施",
    "经营权转让费",
    "企业帮扶政策",
    "科技创新平台",
]

SYMPTOMS = [
    "落地率不高",
    "推进缓慢",
    "管理不规范",
    "监管不到位",
    "使用效益不高",
    "底数不清",
    "长期闲置",
    "整改不彻底",
    "制度执行不严",
    "责任落实不到位",
    "资金拨付滞后",
    "台账不健全",
    "审批程序不规范",
    "考核机制不健全",
    "风险防控不力",
    "信息公开不及时",
    "验收把关不严",
    "收缴不及时",
]

TITLE_PREFIXES = ["", "", "", "部分", "个别单位", "一些"]

GOALS = [
    "建立健全长效机制，确保问题整改到位、不反弹。",
    "完成问题清零，形成制度成果。",
    "摸清底数，规范管理，堵塞漏洞。",
    "压实责任，按期完成整改任务并通过验收。",
    "整改到位，相关指标达到省定要求。",
]

MEASURES = [
    "对{area}开展专项清理，逐项建立问题清单、任务清单和责任清单。",
    "制定《{area}管理办法》，从制度上堵塞管理漏洞。",
    "召开专题调度会{n}次，研究解决{area}中的突出问题。",
    "对照反馈意见开展“回头看”，确保整改不反弹、不回潮。",
    "对相关责任人进行提醒谈话{n}人次，压实整改责任。",
    "建立月调度、季通报工作机制，定期通报{area}整改进展。",
    "完成{n}个项目的清理核查，追缴资金{m}万元。",
    "委托第三方机构对{area}开展评估，形成评估报告。",
    "将{area}纳入年度绩效考核，考核结果与评先评优挂钩。",
    "组织业务培训{n}场，提升经办人员业务能力。",
    "建立部门联动机制，明确牵头部门和配合部门职责分工。",
    "完善{area}信息化管理平台，实现全过程动态监管。",
]

PROGRESS = [
    "召开专题推进会，研究部署整改工作，明确责任人和完成时限。",
    "已完成问题清单梳理，正在逐项推进整改。",
    "已完成整改措施{k}项，整改进度约{p}%。",
    "已形成制度初稿，正在征求相关部门意见。",
    "已完成现场核查，整改资料正在汇总。",
    "已报送整改佐证材料，申请销号。",
    "整改工作按计划推进，未发现新的问题。",
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"

_INSPECTION_KINDS = [
    Inspection.Kind.INSPECTION,
    Inspection.Kind.EXTENDED,
    Inspection.Kind.SPECIAL,
    Inspection.Kind.PATROL,
    Inspection.Kind.AUDIT,
]

# Statuses and, for open items, where the deadline lies (deadline class), with their weights.
_STATUS_WEIGHTS = [
    (Status.COMPLETED, 42),
    (Status.IN_PROGRESS, 26),
    (Status.ONGOING, 12),
    (Status.PENDING_SIGNOFF, 10),
    (Status.NOT_STARTED, 10),
]
RED, YELLOW, GREEN, NONE = "red", "yellow", "green", "none"
_DEADLINE_WEIGHTS = [(RED, 30), (YELLOW, 15), (GREEN, 50), (NONE, 5)]
# The first items take these, so that even a small ledger shows every status and every light.
_GUARANTEED = [
    (Status.NOT_STARTED, RED),
    (Status.IN_PROGRESS, YELLOW),
    (Status.PENDING_SIGNOFF, GREEN),
    (Status.COMPLETED, None),
    (Status.ONGOING, None),
    (Status.IN_PROGRESS, RED),
    (Status.IN_PROGRESS, NONE),
    (Status.NOT_STARTED, GREEN),
]
_CHANGE_REASONS = {
    Status.IN_PROGRESS: "报告进展",
    Status.PENDING_SIGNOFF: "申请销号",
    Status.COMPLETED: "销号审核通过",
    Status.ONGOING: "认定为长期坚持事项",
}


@dataclass
class DemoSummary:
    inspections: int = 0
    problems: int = 0
    items: int = 0
    measures: int = 0
    progress_updates: int = 0
    signoffs: int = 0
    history_rows: int = 0
    seconds: float = 0.0


ProgressCallback = Callable[[int, int, float], None]


def generate_demo_data(
    *,
    items: int,
    inspections: int | None = None,
    seed: int = 0,
    today: datetime.date | None = None,
    on_progress: ProgressCallback | None = None,
    batch_size: int = 5_000,
) -> DemoSummary:
    """Add ``items`` rectification items spread over ``inspections`` new inspections (default: one
    per thousand items). ``on_progress(done, total, seconds)`` is called every 10,000 items."""
    if items < 1:
        raise ValueError("items must be at least 1")
    inspections = inspections or default_inspection_count(items)
    if not 1 <= inspections <= items:
        raise ValueError("inspections must be between 1 and the number of items")
    started = time.perf_counter()
    with _bulk_load_session(), connection.constraint_checks_disabled(), transaction.atomic():
        unit = _unit()
        generator = _Generator(
            rng=random.Random(seed),
            today=today or timezone.localdate(),
            unit=unit,
            departments=_departments(unit),
            leaders=_leaders(unit),
        )
        summary = generator.run(items, inspections, on_progress, batch_size, started)
        # As loaddata does: the rows went in unchecked (where the database allows), so check them now.
        connection.check_constraints(table_names=[table.db_table for table in generator.writer.tables])
        revision.changed()  # raw inserts send no history signals
    if connection.vendor == "postgresql":
        # What autovacuum would do a little later: statistics for the planner, and (outside a
        # transaction) the visibility map that lets index-only scans skip the table.
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as cursor:
            for table in generator.writer.tables:
                cursor.execute(f"{command} {connection.ops.quote_name(table.db_table)}")
    summary.seconds = time.perf_counter() - started
    return summary


@contextlib.contextmanager
def _bulk_load_session():
    """On SQLite, a larger page cache while loading: index pages of 100,000 items do not fit the
    default 2 MB, and inserting in random key order then costs a read per row."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    previous = connection.connection.execute("PRAGMA cache_size").fetchone()[0]
    connection.connection.execute("PRAGMA cache_size = -262144")  # KiB: 256 MB
    try:
        yield
    finally:
        connection.connection.execute(f"PRAGMA cache_size = {int(previous)}")


def default_inspection_count(items: int) -> int:
    return max(1, items // 1000)


def _unit() -> Unit:
    """The unit the generated rounds go into: the first unit (the seed's), else a new one."""
    return Unit.objects.order_by("path").first() or create_unit(name="演示单位", short_name="演示")


def _departments(unit: Unit) -> list[Department]:
    departments = []
    for order, name in enumerate(DEPARTMENTS, start=1):
        department, _ = Department.objects.get_or_create(
            unit=unit, name=name, defaults={"is_sample": True, "sort_order": order}
        )
        departments.append(department)
    return departments


def _leaders(unit: Unit) -> list[Leader]:
    leaders = []
    for order, (name, position) in enumerate(LEADERS, start=1):
        leader, _ = Leader.objects.get_or_create(
            unit=unit, name=name, position=position, defaults={"is_sample": True, "sort_order": order}
        )
        leaders.append(leader)
    return leaders


# --- Generating ---------------------------------------------------------------------------------


@dataclass
class _InspectionPlan:
    pk: int
    feedback: datetime.date
    body: str
    problems: list[tuple[int, str, int]]  # (pk, title, number of items)


class _Generator:
    def __init__(self, *, rng: random.Random, today: datetime.date, unit: Unit, departments, leaders):
        self.rng = rng
        self.today = today
        self.unit = unit
        self.last_day = today - datetime.timedelta(days=1)  # history never lies in the future
        self.department_ids = [d.pk for d in departments]
        self.leader_ids = [leader.pk for leader in leaders]
        # A few departments and leaders carry most items, as in real ledgers.
        self.department_weights = _cumulative([len(departments) - i + 4 for i in range(len(departments))])
        self.status_weights = _cumulative([w for _s, w in _STATUS_WEIGHTS])
        self.deadline_weights = _cumulative([w for _d, w in _DEADLINE_WEIGHTS])
        self._dates: dict = {}
        self._moments: dict = {}
        self._history_fields: dict = {}
        self.summary = DemoSummary()

        w = self.writer = BulkWriter()
        item_model, item_history = RectificationItem, RectificationItem.history.model
        self.inspections = w.table(Inspection, explicit_pk=True)
        self.inspection_history = w.table(Inspection.history.model)
        self.problems = w.table(FeedbackProblem, explicit_pk=True)
        self.problem_history = w.table(FeedbackProblem.history.model)
        self.items = w.table(item_model, explicit_pk=True)
        self.item_history = w.table(item_history, explicit_pk=True)
        self.item_leaders = w.table(item_model.leaders.through, explicit_pk=True)
        self.item_co_departments = w.table(item_model.co_departments.through, explicit_pk=True)
        self.item_leaders_history = w.table(item_history.historicalrectificationitem_leaders_set.rel.related_model)
        self.item_co_departments_history = w.table(
            item_history.historicalrectificationitem_co_departments_set.rel.related_model
        )
        self.measures = w.table(Measure, explicit_pk=True)
        self.measure_history = w.table(Measure.history.model)
        self.progress = w.table(ProgressUpdate, explicit_pk=True)
        self.progress_history = w.table(ProgressUpdate.history.model)
        self.signoffs = w.table(SignOff, explicit_pk=True)
        self.signoff_history = w.table(SignOff.history.model)
        self.extensions = w.table(Extension, explicit_pk=True)
        self.extension_history = w.table(Extension.history.model)

    # Dates are days; history moments are 10:00 Beijing time on a day. Both are adapted for the
    # database once per distinct day.
    def day(self, value: datetime.date | None):
        if value is None:
            return None
        adapted = self._dates.get(value)
        if adapted is None:
            adapted = self._dates[value] = connection.ops.adapt_datefield_value(value)
        return adapted

    def moment(self, value: datetime.date):
        adapted = self._moments.get(value)
        if adapted is None:
            aware = timezone.make_aware(datetime.datetime.combine(value, datetime.time(10)))
            adapted = self._moments[value] = connection.ops.adapt_datetimefield_value(aware)
        return adapted

    def between(self, first: datetime.date, last: datetime.date) -> datetime.date:
        if last <= first:
            return first
        return first + datetime.timedelta(days=self.rng.randint(0, (last - first).days))

    def run(self, total: int, inspection_count: int, on_progress, batch_size: int, started: float) -> DemoSummary:
        done = 0
        base, extra = divmod(total, inspection_count)
        for index in range(inspection_count):
            plan = self.plan_inspection(index, base + (1 if index < extra else 0))
            number = 0
            for problem_pk, _title, size in plan.problems:
                for _ in range(size):
                    number += 1
                    self.add_item(plan, problem_pk, number, done)
                    done += 1
                    if done % batch_size == 0:
                        self.writer.flush()
                    if on_progress and done % PROGRESS_EVERY == 0:
                        on_progress(done, total, time.perf_counter() - started)
        self.writer.flush()
        self.writer.reset_sequences()
        summary = self.summary
        summary.inspections = self.inspections.count
        summary.problems = self.problems.count
        summary.items = self.items.count
        summary.measures = self.measures.count
        summary.progress_updates = self.progress.count
        summary.signoffs = self.signoffs.count
        summary.history_rows = sum(
            table.count
            for table in (
                self.inspection_history,
                self.problem_history,
                self.item_history,
                self.item_leaders_history,
                self.item_co_departments_history,
                self.measure_history,
                self.progress_history,
                self.signoff_history,
            )
        )
        return summary

    def plan_inspection(self, index: int, size: int) -> _InspectionPlan:
        rng = self.rng
        kind = _INSPECTION_KINDS[index % len(_INSPECTION_KINDS)]
        unit, responsible_unit = rng.choice(UNITS)
        ordinal = chinese_number(rng.randint(1, 15))
        if kind == Inspection.Kind.PATROL:
            deploying, body = "市委", f"市委第{ordinal}巡察组"
        elif kind == Inspection.Kind.AUDIT:
            deploying, body = "省审计厅", f"省审计厅第{ordinal}审计组"
        else:
            deploying, body = "省委", f"省委第{ordinal}巡视组"
        feedback = self.today - datetime.timedelta(days=rng.randint(90, 900))
        onsite_start = feedback - datetime.timedelta(days=rng.randint(100, 160))
        onsite_end = onsite_start + datetime.timedelta(days=rng.randint(30, 80))
        entered = feedback + datetime.timedelta(days=3)
        kind_label = str(kind.label)
        problem_count = min(rng.randint(5, 15), size)
        pk = self.inspections.allocate()
        row = {
            "id": pk,
            "unit_id": self.unit.pk,
            "name": f"{feedback.year}年{body}{kind_label}{unit}",
            "kind": kind.value,
            "deploying_body": deploying,
            "inspecting_body": body,
            "inspected_unit": unit,
            "responsible_unit": responsible_unit,
            "onsite_start": self.day(onsite_start),
            "onsite_end": self.day(onsite_end),
            "feedback_date": self.day(feedback),
            "concentrated_period_end": self.day(feedback + datetime.timedelta(days=180)),
            "plan_title": f"{unit}落实{body}{kind_label}反馈问题整改工作方案",
            "planned_problem_count": problem_count + rng.randint(0, 3),
            "planned_item_count": size + rng.randint(0, max(1, size // 10)),
            "planned_regulation_count": rng.randint(5, 30),
            "created_at": self.moment(entered),
            "updated_at": self.moment(entered),
            "deleted_at": None,
            "deleted_by_id": None,
        }
        self.inspections.add(**row)
        self.inspection_history.add(**row, **self.history_fields(entered, "+"))

        # Split the items over the problems: every problem gets at least one.
        cuts = sorted(rng.sample(range(1, size), problem_count - 1)) if problem_count > 1 else []
        sizes = [b - a for a, b in zip([0, *cuts], [*cuts, size], strict=True)]
        problems = []
        for sequence, (title, count) in enumerate(
            zip(rng.sample(PROBLEM_TITLES, problem_count), sizes, strict=True), start=1
        ):
            problem_pk = self.problems.allocate()
            problem = {
                "id": problem_pk,
                "inspection_id": pk,
                "sequence": sequence,
                "title": title,
                "description": f"{body}反馈：{title}。",
            }
            self.problems.add(**problem)
            self.problem_history.add(**problem, **self.history_fields(entered, "+"))
            problems.append((problem_pk, title, count))
        return _InspectionPlan(pk=pk, feedback=feedback, body=body, problems=problems)

    def history_fields(self, day: datetime.date, kind: str, reason: str | None = None) -> dict:
        """The simple-history bookkeeping columns (no user: the generator is nobody). Shared and
        read-only: callers only unpack it."""
        key = (day, kind, reason)
        fields = self._history_fields.get(key)
        if fields is None:
            fields = self._history_fields[key] = {
                "history_date": self.moment(day),
                "history_type": kind,
                "history_change_reason": reason,
                "history_user_id": None,
            }
        return fields

    def pick_status(self, index: int) -> tuple[str, str | None]:
        if index < len(_GUARANTEED):
            return _GUARANTEED[index]
        rng = self.rng
        status = rng.choices(_STATUS_WEIGHTS, cum_weights=self.status_weights)[0][0]
        if status in (Status.COMPLETED, Status.ONGOING):
            return status, None
        return status, rng.choices(_DEADLINE_WEIGHTS, cum_weights=self.deadline_weights)[0][0]

    def add_item(self, plan: _InspectionPlan, problem_pk: int, number: int, index: int) -> None:
        rng, today, last_day = self.rng, self.today, self.last_day
        status, deadline_class = self.pick_status(index)
        created = plan.feedback + datetime.timedelta(days=rng.randint(3, 10))
        area = rng.choice(AREAS)
        title = f"{rng.choice(TITLE_PREFIXES)}{area}{rng.choice(SYMPTOMS)}"

        # Deadline, completion, and the day of the last change.
        completed_on = None
        if status == Status.COMPLETED:
            completed_on = self.between(created + datetime.timedelta(days=10), last_day)
            deadline = max(completed_on + datetime.timedelta(days=rng.randint(-20, 60)), created)
        elif status == Status.ONGOING or deadline_class == NONE:
            deadline = None
        elif deadline_class == RED:
            deadline = self.between(
                max(created + datetime.timedelta(days=15), today - datetime.timedelta(400)), last_day
            )
        elif deadline_class == YELLOW:
            deadline = today + datetime.timedelta(days=rng.randint(0, 10))
        else:
            deadline = today + datetime.timedelta(days=rng.randint(11, 400))
        if deadline is None:
            kind = Kind.LONG_TERM
        else:
            kind = Kind.IMMEDIATE if rng.random() < 0.2 else Kind.TIME_BOUND
        changed_on = self.change_day(status, created, completed_on)

        # An approved extension: the original deadline was earlier.
        original_deadline = None
        if (
            changed_on is not None
            and deadline is not None
            and status in (Status.IN_PROGRESS, Status.PENDING_SIGNOFF)
            and rng.random() < 0.1
        ):
            earlier = deadline - datetime.timedelta(days=rng.randint(30, 120))
            if earlier > created:
                original_deadline = earlier
        note = ""
        if original_deadline is not None:
            note = f"经批准，完成时限由{chinese_date(original_deadline)}延至{chinese_date(deadline)}。"

        # Measures.
        measure_count = rng.randint(1, 5)
        texts = [
            template.format(area=area, n=rng.randint(2, 12), m=rng.randint(10, 900))
            for template in rng.sample(MEASURES, measure_count)
        ]
        if status in (Status.COMPLETED, Status.PENDING_SIGNOFF):
            done_count = measure_count
        elif status == Status.ONGOING:
            done_count = max(1, measure_count - 1)
        elif status == Status.IN_PROGRESS:
            done_count = rng.randint(0, measure_count - 1)
        else:
            done_count = 0
        done_dates = sorted(
            self.between(created + datetime.timedelta(days=1), changed_on or last_day) for _ in range(done_count)
        )
        summary = ""
        if status in (Status.COMPLETED, Status.ONGOING):
            summary = "".join(f"{measure_label(i)}{text}" for i, text in enumerate(texts, start=1))

        pk = self.items.allocate()
        leader_ids = rng.sample(self.leader_ids, 2 if rng.random() < 0.3 else 1)
        lead_department = rng.choices(self.department_ids, cum_weights=self.department_weights)[0]
        roll = rng.random()
        co_count = 2 if roll < 0.1 else 1 if roll < 0.35 else 0
        co_departments = [d for d in rng.sample(self.department_ids, co_count + 1) if d != lead_department][:co_count]
        version = 1 if changed_on is None else 2
        last_change = changed_on or created
        item = {
            "id": pk,
            "inspection_id": plan.pk,
            "problem_id": problem_pk,
            "number": number,
            "title": title,
            "detail": f"{plan.body}反馈：{title}，相关问题在检查中被多次指出。",
            "goal": rng.choice(GOALS),
            "kind": kind.value,
            "lead_department_id": lead_department,
            "contact_person": f"{rng.choice(SURNAMES)}某",
            "deadline": self.day(deadline),
            "original_deadline": self.day(original_deadline),
            "status": status.value,
            "completed_on": self.day(completed_on),
            "next_review_on": None,
            "summary": summary,
            "note": note,
            "return_count": 1 if status == Status.IN_PROGRESS and rng.random() < 0.05 else 0,
            "version": version,
            "created_at": self.moment(created),
            "updated_at": self.moment(last_change),
        }
        self.items.add(**item)
        leader_rows = [(self.item_leaders.allocate(), leader) for leader in leader_ids]
        co_rows = [(self.item_co_departments.allocate(), department) for department in co_departments]
        for through_pk, leader in leader_rows:
            self.item_leaders.add(id=through_pk, rectificationitem_id=pk, leader_id=leader)
        for through_pk, department in co_rows:
            self.item_co_departments.add(id=through_pk, rectificationitem_id=pk, department_id=department)

        # History: as entered, then (if it moved on) as it stands now.
        entered = {
            **item,
            "deadline": self.day(original_deadline or deadline),
            "original_deadline": None,
            "status": Status.NOT_STARTED.value,
            "completed_on": None,
            "summary": "",
            "note": "",
            "return_count": 0,
            "version": 1,
            "updated_at": self.moment(created),
        }
        records = [(entered, self.history_fields(created, "+"))]
        if changed_on is not None:
            records.append((item, self.history_fields(changed_on, "~", _CHANGE_REASONS[status])))
        for values, history in records:
            history_pk = self.item_history.allocate()
            self.item_history.add(**values, **history, history_id=history_pk)
            for through_pk, leader in leader_rows:
                self.item_leaders_history.add(
                    id=through_pk, rectificationitem_id=pk, leader_id=leader, history_id=history_pk
                )
            for through_pk, department in co_rows:
                self.item_co_departments_history.add(
                    id=through_pk, rectificationitem_id=pk, department_id=department, history_id=history_pk
                )

        for sequence, text in enumerate(texts, start=1):
            measure_pk = self.measures.allocate()
            done_on = done_dates[sequence - 1] if sequence <= done_count else None
            measure = {
                "id": measure_pk,
                "item_id": pk,
                "sequence": sequence,
                "text": text,
                "is_done": done_on is not None,
                "done_on": self.day(done_on),
            }
            self.measures.add(**measure)
            as_entered = {**measure, "is_done": False, "done_on": None}
            self.measure_history.add(**as_entered, **self.history_fields(created, "+"))
            if done_on is not None:
                self.measure_history.add(**measure, **self.history_fields(done_on, "~"))
        self.add_progress(pk, status, created, completed_on or changed_on, measure_count, done_count)
        if status in (Status.PENDING_SIGNOFF, Status.COMPLETED):
            # A completed item was closed by an approved 销号 request (check_ledger's invariant).
            approved = status == Status.COMPLETED
            asked_on = completed_on - datetime.timedelta(days=rng.randint(0, 7)) if approved else changed_on
            signoff = {
                "id": self.signoffs.allocate(),
                "item_id": pk,
                "note": "整改措施已全部落实，佐证材料已上传，申请销号。",
                **self.request_fields(asked_on),
                "decision": (Decision.APPROVED if approved else Decision.PENDING).value,
                "reviewed_at": self.moment(completed_on) if approved else None,
            }
            self.signoffs.add(**signoff)
            self.signoff_history.add(**signoff, **self.history_fields(asked_on, "+"))
        if item["return_count"]:
            # Returned once: its rejected 销号 request, filed and refused before the present status.
            asked_on = self.between(created, changed_on)
            returned = {
                "id": self.signoffs.allocate(),
                "item_id": pk,
                "note": "整改措施已落实，申请销号。",
                **self.request_fields(asked_on),
                "decision": Decision.REJECTED.value,
                "reviewed_at": self.moment(asked_on),
            }
            returned["review_note"] = "佐证材料不足，请补充后再申请。"
            self.signoffs.add(**returned)
            self.signoff_history.add(**returned, **self.history_fields(asked_on, "+"))
        if original_deadline is not None:
            asked_on = self.between(created, changed_on)
            extension = {
                "id": self.extensions.allocate(),
                "item_id": pk,
                "previous_deadline": self.day(original_deadline),
                "requested_deadline": self.day(deadline),
                "reason": "工作量大，需延长整改时间。",
                **self.request_fields(asked_on),
                "decision": Decision.APPROVED.value,
                "reviewed_at": self.moment(asked_on),
            }
            self.extensions.add(**extension)
            self.extension_history.add(**extension, **self.history_fields(asked_on, "+"))

    def request_fields(self, day: datetime.date) -> dict:
        """The columns a 销号 or extension request shares, for one filed (by nobody) on ``day``."""
        return {
            "origin": Origin.REQUEST.value,
            "requested_by_id": None,
            "requested_at": self.moment(day),
            "reviewed_by_id": None,
            "review_note": "",
            "self_reviewed": False,
            "source_name": "",
            "is_sample": False,
        }

    def change_day(self, status: str, created: datetime.date, completed_on: datetime.date | None):
        """The day an item reached its present status (None: never changed since it was entered)."""
        day = datetime.timedelta(days=1)
        if status == Status.COMPLETED:
            return completed_on
        if status == Status.IN_PROGRESS:
            return self.between(created + day, min(created + 90 * day, self.last_day))
        if status == Status.PENDING_SIGNOFF:
            return self.between(max(created + 5 * day, self.today - 30 * day), self.last_day)
        if status == Status.ONGOING:
            return self.between(created + 30 * day, self.last_day)
        return None

    def add_progress(self, item_pk, status, created, until, measure_count, done_count) -> None:
        if status == Status.NOT_STARTED:
            return
        rng = self.rng
        count = rng.randint(1, 2 if status == Status.COMPLETED else 3)
        days = sorted(self.between(created + datetime.timedelta(days=1), until or self.last_day) for _ in range(count))
        for n, day in enumerate(days, start=1):
            if status in (Status.PENDING_SIGNOFF, Status.COMPLETED) and n == count:
                text = PROGRESS[5]
            else:
                text = rng.choice(PROGRESS).format(k=max(1, done_count), p=rng.randint(3, 9) * 10)
            update = {
                "id": self.progress.allocate(),
                "item_id": item_pk,
                "reported_on": self.day(day),
                "text": text,
                "author_id": None,
                "created_at": self.moment(day),
            }
            self.progress.add(**update)
            self.progress_history.add(**update, **self.history_fields(day, "+"))


def _cumulative(weights: list[int]) -> list[int]:
    total, result = 0, []
    for weight in weights:
        total += weight
        result.append(total)
    return result
