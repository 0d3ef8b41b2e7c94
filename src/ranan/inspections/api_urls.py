from django.urls import path

from ranan.inspections import api

urlpatterns = [
    path("checklists/", api.ChecklistList.as_view(), name="api-checklist-list"),
    path("checklists/<int:pk>/", api.ChecklistDetail.as_view(), name="api-checklist"),
    path("visits/", api.VisitList.as_view(), name="api-visit-list"),
    path("visits/prefill/", api.VisitPrefillView.as_view(), name="api-visit-prefill"),
    path("visits/<int:pk>/", api.VisitDetail.as_view(), name="api-visit"),
    path("plans/", api.PlanList.as_view(), name="api-plan-list"),
    path("plans/<int:pk>/", api.PlanDetail.as_view(), name="api-plan"),
    path("unreached/", api.UnreachedView.as_view(), name="api-unreached"),
    path("work-list/", api.WorkListView.as_view(), name="api-work-list"),
    path("measures/", api.MeasureView.as_view(), name="api-measures"),
    path("measures/<int:pk>/void/", api.MeasureVoidView.as_view(), name="api-measure-void"),
    path("referrals/", api.ReferralList.as_view(), name="api-referrals"),
    path("referrals/<int:pk>/", api.ReferralDetail.as_view(), name="api-referral"),
    path("referrals/<int:pk>/accept/", api.ReferralAnswer.as_view(), {"action": "accept"},
         name="api-referral-accept"),
    path("referrals/<int:pk>/close/", api.ReferralAnswer.as_view(), {"action": "close"},
         name="api-referral-close"),
]
