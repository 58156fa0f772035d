"""The network pages: a person's or a context's two-hop network, drawn as a Cytoscape.js graph and, with the
same facts, as a table (the graph is an enhancement; the table is the record); the places and groups, found
before one is added; and a link recorded from a person's network after searching for its other end. Every
page that shows people writes one audit row naming those the viewer could see."""

from cases.networks.views.contexts import (
    context_detail_view,
    context_edit_view,
    context_history_view,
    context_list_view,
    context_plan_view,
)
from cases.networks.views.people import (
    link_add_view,
    link_new_end_view,
    link_status_view,
    person_network_view,
)

__all__ = [
    "context_detail_view",
    "context_edit_view",
    "context_history_view",
    "context_list_view",
    "context_plan_view",
    "link_add_view",
    "link_new_end_view",
    "link_status_view",
    "person_network_view",
]
