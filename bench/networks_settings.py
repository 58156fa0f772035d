"""Settings for the networks benchmark (bench/networks.py): those of the panels benchmark (production-like, no
worker, no Redis), on a database of its own."""

from bench.panels_settings import *  # noqa: F403
from bench.panels_settings import DATABASES, env

DATABASES["default"]["NAME"] = env("BENCH_NETWORKS_DATABASE_NAME", default="reachable_bench_networks")
