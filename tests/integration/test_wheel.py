"""A built wheel carries the templates, static files and migrations: install it elsewhere and serve a page."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HOST = textwrap.dedent('''
    import forum, sys
    from pathlib import Path
    from flask import Flask
    assert "site-packages" in forum.__file__, forum.__file__
    app = Flask("host", instance_path=sys.argv[1])
    app.config.update(SECRET_KEY="x", FORUM_DATABASE_URL="sqlite:///" + sys.argv[1] + "/f.db")
    forum.Forum(app, url_prefix="/community")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["forum", "upgrade"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    page = client.get("/community/login")
    css = client.get("/community/static/forum/forum.css")
    print(page.status_code, css.status_code, "Sign in" in page.get_data(as_text=True))
''')


def test_wheel_installs_outside_the_checkout_and_serves_a_page(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT)],
                   check=True, cwd=tmp_path)
    wheel = next(wheels.glob("afterchat_forum-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    # The wheel's dependencies come from the test environment; the forum itself only from the wheel.
    deps = Path(sysconfig.get_paths()["purelib"])
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    (site / "test_deps.pth").write_text(str(deps) + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--quiet", str(wheel)], check=True)
    (tmp_path / "inst").mkdir()
    result = subprocess.run([str(python), "-c", HOST, str(tmp_path / "inst")], capture_output=True, text=True,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "200", "True"]
