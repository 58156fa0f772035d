"""The panel pages, one module per workflow: panels (series, queue, scheduling), referrals (to a panel),
meetings (the live meeting: agenda, attendance, items, assessment, minutes), actions, pack, figures."""
