"""Gunicorn settings shared by the forum and the ceiling app, so both are served exactly alike.

The bind address and the app come from the command line (bench/server.py).
"""

workers = 2
worker_class = "sync"       # gunicorn's default, as the README's deployment line uses
timeout = 60
graceful_timeout = 5
keepalive = 2
backlog = 2048
accesslog = None            # no per-request logging: it would be part of what is measured
loglevel = "warning"
preload_app = False
