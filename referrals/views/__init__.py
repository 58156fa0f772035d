"""Pages for the MASH front door, one module per workflow: intake (search before create), the referral's own
page, custody bookings and the Golden Hour, information gathering, the decision, the urgent response, the Daily
Risk Management meeting and the queues.

Every page that shows a person's data writes one audit row (VIEW on an object page, LIST with the people shown
on a list). Writes go through referrals.services; a refusal is shown in the GOV.UK error summary and nothing
is saved. Reads are scoped to the user by the access layer (referrals.access, organisations.access)."""
