from django.urls import path

from . import views

app_name = "payments"
urlpatterns = [
    path("factures/", views.invoices, name="invoices"),
    path("factures/payer/", views.invoices_pay, name="pay"),
    path("notification/<slug:regie_code>/", views.notification, name="notification"),
    path("simulateur/<uuid:public_id>/", views.simulator, name="simulator"),
    path("<uuid:public_id>/", views.payment_detail, name="detail"),
    path("<uuid:public_id>/etat/", views.payment_status, name="status"),
    path("<uuid:public_id>/quittance/", views.receipt_download, name="receipt"),
]
