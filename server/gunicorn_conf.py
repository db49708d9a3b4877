"""gunicorn settings for production: `make serve`, or
`gunicorn -c python:server.gunicorn_conf 'server:create_app()'`.

Every setting can be overridden with KIEMTRA_* environment variables.
"""
import multiprocessing
import os


bind = os.environ.get("KIEMTRA_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("KIEMTRA_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("KIEMTRA_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"
# Photo uploads from phones on slow links take a while.
timeout = int(os.environ.get("KIEMTRA_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows — rarely: a
# restart costs a second of a worker, and at 200 requests/s a worker of four
# would restart every 40 s with 2,000.
max_requests = 50_000
max_requests_jitter = 5_000
# Each worker builds its own app, so no database connection crosses a fork.
preload_app = False
# Access log as JSON lines, like the app's own log.
accesslog = os.environ.get("KIEMTRA_ACCESS_LOG", "-")
access_log_format = (
    '{"time":"%(t)s","remote":"%(h)s","method":"%(m)s","path":"%(U)s","query":"%(q)s",'
    '"status":%(s)s,"bytes":"%(B)s","duration_ms":%(M)s,"request_id":"%({x-request-id}o)s"}'
)
errorlog = "-"
loglevel = os.environ.get("KIEMTRA_LOG_LEVEL", "info")
forwarded_allow_ips = os.environ.get("KIEMTRA_FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):
    """Refuse to serve while an account still signs in with the demo's published
    password, unless the deployment says it is a demo server (DEMO_SERVER)."""
    from server import create_app
    from server.extensions import db
    from server.services.administration.demo import accounts_with_demo_password

    app = create_app()
    if app.config["DEMO_SERVER"]:
        return
    with app.app_context():
        try:
            exposed = accounts_with_demo_password()
        finally:
            # No database connection may cross the fork into the workers.
            db.session.remove()
            db.engine.dispose()
    if exposed:
        # gunicorn prints a RuntimeError raised here and exits with status 1.
        raise RuntimeError(
            "these active accounts still have the demo password: " + ", ".join(exposed)
            + ". Change their passwords or deactivate them (or set KIEMTRA_DEMO_SERVER=true on a demo server)."
        )
