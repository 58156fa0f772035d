"""This module's API routes, included in the api-v1 namespace by safeguarding/api_urls.py."""

from django.urls import path

from cases.missing.apis import (
    MissingEpisodeDetailApi,
    MissingEpisodeListCreateApi,
    MissingEpisodeReturnApi,
    MissingEpisodeRhiApi,
)

urlpatterns = [
    path(
        "people/<uuid:person_id>/missing-episodes/",
        MissingEpisodeListCreateApi.as_view(),
        name="missing-episode-list",
    ),
    path(
        "missing-episodes/<uuid:episode_id>/",
        MissingEpisodeDetailApi.as_view(),
        name="missing-episode-detail",
    ),
    path(
        "missing-episodes/<uuid:episode_id>/return/",
        MissingEpisodeReturnApi.as_view(),
        name="missing-episode-return",
    ),
    path(
        "missing-episodes/<uuid:episode_id>/return-home-interview/",
        MissingEpisodeRhiApi.as_view(),
        name="missing-episode-rhi",
    ),
]
