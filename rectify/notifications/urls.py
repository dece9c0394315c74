from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.channels, name="channels"),
    path("test/", views.send_test, name="send-test"),
]
