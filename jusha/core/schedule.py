"""The periodic schedule the worker runs: (name, every N seconds, dotted path of a job).
N may be a fraction: the worker then wakes that often (the log sequencer, twice a second).

Jobs are plain service functions taking no arguments; each is safe to run twice at once
(two workers) and to be interrupted, because each does its writes in short transactions.
"""

PERIODIC_JOBS: list[tuple[str, float, str]] = [
    ("settle paid gifts in batches", 0.5, "jusha.giving.settle.gifts_settle_due"),
    ("expire payment intents", 60, "jusha.giving.services.donations_expire_stale"),
    ("settle refunds their provider has not confirmed", 60, "jusha.giving.services.refunds_settle_pending"),
    ("charge monthly pledges due, retry failed charges, ask about unanswered ones", 600, "jusha.pledges.charging.pledges_charge_due"),
    ("grant cause funds by their rule", 86400, "jusha.funds.services.funds_grant_all"),
    ("reconcile the payment providers' daily statements", 3600, "jusha.payments.statements.statements_reconcile_due"),
    ("close ended fundraising", 300, "jusha.projects.services.projects_close_ended"),
    ("purge idempotency keys", 3600, "jusha.core.services.idempotency_purge"),
    ("purge gift device and network hashes after 90 days", 3600, "jusha.matching.services.gift_contexts_purge"),
    ("create delivery batches missed", 60, "jusha.fulfilment.services.batches_create_all_due"),
    ("flag late delivery batches", 300, "jusha.fulfilment.services.batches_flag_overdue"),
    ("give idle matching pool chunks back", 10, "jusha.matching.chunks.chunks_return_idle"),
    ("purge found or withdrawn missing-person cases' private fields", 3600, "jusha.missing.services.cases_purge_closed"),
    ("re-sync partner feeds of missing persons", 300, "jusha.missing.services.feeds_resync_due"),
    ("open the gift of each sponsorship month due that no monthly pledge pays", 3600, "jusha.sponsorship.services.sponsorships_charge_due"),
    ("pause sponsorships whose payments failed three months in a row", 3600, "jusha.sponsorship.services.sponsorships_check_payments"),
    ("give back sponsorship places whose first month was not paid", 300, "jusha.sponsorship.services.sponsorships_settle_pending"),
    ("open follow-up cases for sponsorship reports long overdue", 3600, "jusha.sponsorship.casework.sponsorships_check_reports"),
    ("log sequencer", 0.5, "jusha.transparency.services.log_sequence"),
    ("log witnesses", 10, "jusha.transparency.services.log_witness_collect"),
    ("escalate urgent crisis cases unclaimed for 15 minutes", 60, "jusha.crisis.services.cases_escalate"),
    ("poll crisis connectors", 60, "jusha.crisis.connectors.connectors_poll"),
    ("crisis daily bulletin", 86400, "jusha.crisis.services.bulletin_send"),
    ("purge closed crisis cases", 3600, "jusha.crisis.services.cases_purge"),
    ("compute every organisation's credibility rating", 86400, "jusha.ratings.services.ratings_compute_all"),
    ("community notifications: the daily digest email", 86400, "jusha.community.notifications.digest_send"),
    ("remind volunteers the day before their shift", 900, "jusha.volunteering.services.signups_remind_due"),
    ("send due webhook deliveries (retries with backoff)", 10, "jusha.alliance.services.deliveries_send_due"),
    ("send due ActivityPub deliveries (retries with backoff)", 10, "jusha.alliance.federation.activity_deliveries_send_due"),
    ("purge settled webhook deliveries after 30 days", 3600, "jusha.alliance.services.deliveries_purge"),
    ("purge seen ActivityPub activities after 30 days", 3600, "jusha.alliance.federation.inbox_seen_purge"),
    ("sync partner platforms' calendars and projects", 3600, "jusha.alliance.partners.partners_sync"),
]
