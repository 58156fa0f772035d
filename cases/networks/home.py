"""Cross-case alerts on the home page: a new link tied a child of the user's (or, unowned, of their agency's)
to someone or somewhere linked to another open case. The alert's clock says whom to contact, nothing more.
Registered from NetworksConfig.ready(); see safeguarding/accounts/home.py."""

from collections.abc import Mapping

from django.db.models import Q

from cases.networks.clocks import ALERT_SUBJECT, CONTEXT_ACTION_SUBJECT
from safeguarding.accounts.home import HomePage, HomeSection
from safeguarding.deadlines.models import Deadline
from safeguarding.deadlines.policies import PolicyCode
from safeguarding.deadlines.queues import clock_queue
from safeguarding.organisations.access import reads_case_data


def _alerts(page: HomePage) -> Mapping[str, object] | None:
    """Open alert and context-plan clocks owned by the user, or by their agency with no owner (1 query); the
    section is left out when there are none."""
    user = page.actor
    if not reads_case_data(user):
        return None
    assert user.agency is not None
    clocks = Deadline.objects.filter(
        Q(owner=user) | Q(owner__isnull=True, owning_agency_id=user.agency_id),
        local_authority_id=user.agency.local_authority_id,
        subject_type__in=[ALERT_SUBJECT, CONTEXT_ACTION_SUBJECT],
        policy__in=[PolicyCode.NETWORK_ALERT, PolicyCode.CONTEXT_ACTION],
    )
    queue = clock_queue(clocks, user=user, now=page.now)
    if not queue.rows:
        return None
    return {"queue": queue, "person_ids": queue.person_ids}


HOME_SECTIONS = (HomeSection("network_alerts", "home/network_alerts.html", _alerts, order=20),)
