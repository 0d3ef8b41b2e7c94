"""Weekly briefings and monthly statements (issue 8)."""

from django.urls import path

from ranan.reports import views_briefing as views

urlpatterns = [
    path("briefings/", views.briefing_list, name="briefing-list"),
    path("briefings/numbering/", views.briefing_numbering, name="briefing-numbering"),
    path("briefings/<int:pk>/", views.briefing_detail, name="briefing-detail"),
    path("briefings/<int:pk>/issue/", views.briefing_issue, name="briefing-issue"),
    path("briefings/<int:pk>.pdf", views.briefing_pdf, name="briefing-pdf"),
    path("briefings/<int:pk>.xlsx", views.briefing_xlsx, name="briefing-xlsx"),
    path("statements/", views.statement_page, name="statement"),
    path("statements/statement.xlsx", views.statement_xlsx, name="statement-xlsx"),
]
