from django.urls import path

from .views import agendas, booking, manage

app_name = "bookings"

urlpatterns = [
    path("", agendas.agenda_list, name="index"),
    path("reservation/<uuid:public_id>/", manage.booking_detail, name="booking"),
    path("reservation/<uuid:public_id>/payer/", manage.booking_pay, name="pay"),
    path("reservation/<uuid:public_id>/annuler/", manage.booking_cancel, name="cancel"),
    path("reservation/<uuid:public_id>/deplacer/", manage.booking_move, name="move"),
    path("reservation/<uuid:public_id>/accepter/", manage.booking_accept, name="accept"),
    path("reservation/<uuid:public_id>/refuser/", manage.booking_decline, name="decline"),
    path("reservation/<uuid:public_id>/agenda.ics", manage.booking_ics, name="ics"),
    path("<slug:slug>/", agendas.agenda_detail, name="agenda"),
    path("<slug:slug>/reserver/", booking.book, name="book"),
]
