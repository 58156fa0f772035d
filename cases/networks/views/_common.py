"""What the network pages share: a person's or a context's two-hop network as a table of rows (the record) and
as Cytoscape.js elements (the enhancement), with its filters."""

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from cases.networks.access import (
    can_record_links,
)
from cases.networks.forms import (
    NetworkFilterForm,
)
from cases.networks.models import Context, Link, LinkStatus, describe_grading, describe_handling
from cases.networks.selectors import (
    Neighbourhood,
    NodeKey,
    neighbourhood,
)
from safeguarding.organisations.models import User
from safeguarding.people.models import Person


@dataclass(frozen=True)
class _End:
    label: str
    url: str | None
    visible: bool


@dataclass(frozen=True)
class _Row:
    """One link as the table shows it (and the graph draws it)."""

    link: Link
    source: _End
    target: _End
    grading: str
    handling: str
    can_corroborate: bool
    can_confirm: bool


def _grading(link: Link) -> str:
    return describe_grading(link.source_grade, link.information_grade)


def _handling(link: Link) -> str:
    return describe_handling(link.handling_code, link.handling_agency_types, link.handling_conditions)


def _rows(graph: Neighbourhood, *, may_record: bool) -> list[_Row]:
    def end(key: NodeKey) -> _End:
        node = graph.nodes[key]
        return _End(node.label, node.url, node.visible)

    live = (LinkStatus.ALLEGED, LinkStatus.CORROBORATED)
    return [
        _Row(
            link=edge.link,
            source=end(edge.source),
            target=end(edge.target),
            grading=_grading(edge.link),
            handling=_handling(edge.link),
            can_corroborate=may_record and edge.link.status == LinkStatus.ALLEGED,
            can_confirm=may_record and edge.link.status in live,
        )
        for edge in graph.edges
    ]


def _elements(graph: Neighbourhood) -> dict[str, list[dict[str, Any]]]:
    """What network-graph.mjs hands to Cytoscape: the labels are the selector's, so a person the viewer may
    not open is "Known to another agency: contact …" here as everywhere."""
    nodes = [
        {
            "data": {
                "id": node.key,
                "label": node.label,
                "kind": node.kind,
                "url": node.url,
                "visible": node.visible,
                "hops": node.hops,
                "centre": node.key == graph.centre,
            }
        }
        for node in graph.nodes.values()
    ]
    edges = [
        {
            "data": {
                "id": f"l:{edge.link.pk}",
                "source": edge.source,
                "target": edge.target,
                "label": f"{edge.link.get_link_type_display()} ({edge.link.get_status_display().lower()})",
                "status": edge.link.status,
            }
        }
        for edge in graph.edges
    ]
    return {"nodes": nodes, "edges": edges}


def network_context(
    request: HttpRequest, actor: User, *, person: Person | None = None, context: Context | None = None
) -> dict[str, Any]:
    filter_form = NetworkFilterForm(request.GET or None)
    if filter_form.is_bound:
        filter_form.is_valid()  # errors are shown; the network is drawn without the filter in error
    graph = neighbourhood(user=actor, person=person, context=context, filters=filter_form.filters())
    may_record = can_record_links(actor)
    return {
        "graph": graph,
        "rows": _rows(graph, may_record=may_record),
        "elements": _elements(graph),
        "filter_form": filter_form,
        "form": filter_form,  # the error summary's
        "filtered": filter_form.is_bound,
        "may_record": may_record,
        "back": graph.centre,
    }
