"""This module's API routes, included in the api-v1 namespace by safeguarding/api_urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
