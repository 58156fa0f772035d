"""`make run`: the whole stack on one workstation (`python -m safeguarding.devstack`).

Uses the PostgreSQL and Redis named by DATABASE_URL and REDIS_URL, else the ones on 127.0.0.1 at their usual
ports, else starts self-contained ones from PyPI (the `embedded` extra) with their data under .data/. Then it
migrates, loads the demo data and runs the web server, a Celery worker and Celery beat until Ctrl-C.
"""
