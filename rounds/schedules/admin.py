from django.contrib import admin

from rounds.schedules import models

for model in (
    models.Block,
    models.Rotation,
    models.RotationProgram,
    models.CurriculumRequirement,
    models.VacationRequest,
    models.FixedAssignment,
    models.Preference,
    models.RotationSchedule,
    models.CallSchedule,
    models.CallRequest,
    models.SwapProposal,
):
    admin.site.register(model)
