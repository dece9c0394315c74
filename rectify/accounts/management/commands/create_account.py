"""Create one account in one role from the command line (the first office account, for instance)."""

import getpass
import os
import sys

from django.core.management.base import BaseCommand, CommandError

from rectify.accounts import services
from rectify.accounts.roles import Role

PASSWORD_VARIABLE = "RECTIFY_ACCOUNT_PASSWORD"
# A role by its Chinese name (纪工委工作人员) or its code name (discipline_office).
ROLES = {**{role.value: role for role in Role}, **{role.name.lower(): role for role in Role}}


class Command(BaseCommand):
    help = (
        "创建一个账户并授予一个角色；初始密码取自环境变量 RECTIFY_ACCOUNT_PASSWORD，未设置时提示输入。"
        "该用户首次登录须修改密码。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument(
            "--role", required=True, help="角色：" + "、".join(f"{r.value}（{r.name.lower()}）" for r in Role)
        )
        parser.add_argument("--department", default="", help="所属部门名称（部门联络员必填；须为已有部门）")
        parser.add_argument(
            "--unit",
            default="",
            help="所属单位（全称或简称）：账户只能看到该单位及其下级单位；纪工委工作人员不指定即为巡察办，可查看全部单位",
        )
        parser.add_argument("--full-name", default="", help="姓名")

    def handle(self, *args, username, role, department, unit, full_name, **options):
        if role not in ROLES:
            raise CommandError(f"未知角色“{role}”。可选：" + "、".join(ROLES))
        password = os.environ.get(PASSWORD_VARIABLE) or self._prompt()
        try:
            user = services.create_account(
                username=username,
                role=ROLES[role],
                password=password,
                department=department,
                unit=unit,
                full_name=full_name,
                via="命令行 manage.py create_account",
            )
        except services.AccountError as error:
            raise CommandError("".join(error.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(f"已创建账户 {user.username}（{ROLES[role].value}），首次登录须修改密码。")
        )

    def _prompt(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(f"未设置环境变量 {PASSWORD_VARIABLE}，且无法交互输入密码，未创建账户。")
        password = getpass.getpass("初始密码：")
        if password != getpass.getpass("再次输入初始密码："):
            raise CommandError("两次输入的密码不一致，未创建账户。")
        return password
