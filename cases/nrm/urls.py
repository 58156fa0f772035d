from django.urls import URLPattern

app_name = "nrm"
urlpatterns: list[URLPattern] = []
