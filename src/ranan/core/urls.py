from django.contrib.auth import views as auth_views
from django.urls import path

from ranan.core import views, views_auth

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views_auth.LoginView.as_view(), name="login"),
    path("login/verify/", views_auth.otp_verify, name="otp-verify"),
    path("account/security/", views_auth.account_security, name="account-security"),
    path("account/security/enrol/", views_auth.otp_enrol, name="otp-enrol"),
    path("account/security/recovery-codes/", views_auth.recovery_codes, name="otp-recovery-codes"),
    path("account/password/", views_auth.password_change, name="password-change"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.switch_language, name="switch-language"),
    path("areas/", views.jurisdiction_list, name="jurisdiction-list"),
    path("areas/<int:pk>/", views.jurisdiction_list, name="jurisdiction-detail"),
    path("areas/<int:parent_pk>/new/", views.jurisdiction_create, name="jurisdiction-create"),
    path("areas/<int:pk>/edit/", views.jurisdiction_edit, name="jurisdiction-edit"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_edit, name="organisation-edit"),
    path("accounts/", views.account_list, name="account-list"),
    path("accounts/new/", views.account_create, name="account-create"),
    path("accounts/<int:pk>/", views.account_edit, name="account-edit"),
    path("audit/", views.audit_list, name="audit-list"),
    path("audit/export/", views.audit_export, name="audit-export"),
    path("outbox/", views.outbox, name="outbox"),
]
