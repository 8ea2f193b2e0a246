"""The office sets each program's leave policy and board, and the letters' remediation policy,
in the admin. Boards come from `manage.py load_boards` (checked whole), so they are read-only
here; remediation is kept on the trainee's leave page, where access.py decides who sees it."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from rounds.leave.models import Board, LeavePolicy, LetterPolicy


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "per_year_days", "per_training_year_days", "checked_on"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LeavePolicy)
class LeavePolicyAdmin(admin.ModelAdmin):
    list_display = ["program", "board", "vacation_days", "sick_days"]
    list_select_related = ["program", "board"]


admin.site.register(LetterPolicy)
