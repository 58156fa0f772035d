from django.urls import URLPattern

app_name = "education"
urlpatterns: list[URLPattern] = []
