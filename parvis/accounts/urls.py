from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .family import urlpatterns as family_urlpatterns

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    path("double-authentification/", views.two_factor, name="two_factor"),
    path("", views.account, name="account"),
    path(
        "mot-de-passe/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:account"),
        ),
        name="password_change",
    ),
    path("inscription/", views.sign_up, name="sign_up"),
    path("adresse/", views.email_proof, name="email_proof"),
    path("adresse/<str:token>/", views.email_proof_confirm, name="email_proof_confirm"),
    path("inscription/envoyee/", views.sign_up_done, name="sign_up_done"),
    path("verification/renvoyer/", views.resend_verification, name="resend_verification"),
    path("verification/<str:token>/", views.verify_email, name="verify_email"),
    path("mot-de-passe-oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe-oublie/envoye/",
        views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reinitialiser/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reinitialiser/termine/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
urlpatterns += family_urlpatterns
