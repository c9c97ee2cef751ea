"""gunicorn settings: `gunicorn -c gunicorn.conf.py wsgi:app` (values from the environment)."""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
# Threads keep connections alive (a phone's 28 requests reuse one) and overlap database waits; the
# app keeps no per-request state outside Flask's contexts (docs/capacity.md measured sync against gthread).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", 4))
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"  # see quiz/infra/forking.py
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 20
keepalive = 5  # deploy/nginx drops idle connections to gunicorn after 4 s, before this closes them
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 5000))  # recycle workers now and then (0: never)
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
control_socket_disable = True  # gunicorn 27 would open ~/.gunicorn otherwise


def _project_app(app):  # type: ignore[no-untyped-def]
    """The app, if it is ours (the benchmarks serve small reference apps with this file too)."""
    return app if getattr(app, "import_name", None) == "quiz" else None


def when_ready(server):  # type: ignore[no-untyped-def]  # gunicorn's hook: the master, before the first fork
    app = _project_app(server.app.wsgi()) if preload_app else None
    if app is not None:
        from quiz.infra.forking import compile_templates, freeze_startup_objects
        compile_templates(app)
        freeze_startup_objects()


def post_fork(server, worker):  # type: ignore[no-untyped-def]  # gunicorn's hook: in each new worker
    app = _project_app(worker.app.wsgi()) if preload_app else None
    if app is not None:
        from quiz.infra.forking import forget_inherited_connections
        forget_inherited_connections(app)
