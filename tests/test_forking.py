"""gunicorn serves a preloaded app: the master compiles every template once and each forked worker drops the
database connections it inherited (quiz/infra/forking.py), so no two processes ever share a connection."""
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from quiz.infra.extensions import db
from quiz.infra.forking import compile_templates, forget_inherited_connections

ROOT = Path(__file__).resolve().parent.parent


def test_every_template_is_compiled_before_the_fork(app):
    count = compile_templates(app)
    on_disk = [p for p in (ROOT / "templates").rglob("*") if p.suffix in (".html", ".txt", ".xml", ".svg")]
    assert count == len(on_disk) > 50
    assert len(app.jinja_env.cache) >= count


def test_a_forked_worker_opens_its_own_connection(app):
    with app.app_context():
        db.engine.dispose()  # the test's own connections closed first: only the drop itself is under test
    forget_inherited_connections(app)
    with app.app_context():
        assert db.engine.pool.checkedin() == 0
        assert db.session.execute(text("SELECT 1")).scalar() == 1
        db.session.remove()


def test_the_gunicorn_configuration_preloads_threaded_workers():
    code = ("import runpy; c = runpy.run_path('gunicorn.conf.py'); "
            "print(c['preload_app'], c['worker_class'], c['threads'] > 1, callable(c['post_fork']), callable(c['when_ready']))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN_")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "gthread", "True", "True", "True"]
