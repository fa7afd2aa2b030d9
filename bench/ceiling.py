"""The ceiling: a minimal Flask app that serves a 50-post page from an in-memory list.

It is served by the same gunicorn settings as the forum and compresses its responses the same way
(Flask-Compress), and it shows the same 50 posts (read once, at start, from the JSON file named by
BENCH_CEILING_POSTS), so the two pages weigh about the same. What it leaves out is the forum's own
work: the database, the ORM, sessions, sign-in, the rate limiter and the full templates. A page's
requests per second divided by the ceiling's is comparable across machines and noisy runs.
"""

from __future__ import annotations

import json
import os
from datetime import datetime

from flask import Flask, render_template
from flask_compress import Compress
from jinja2 import DictLoader

PAGE = """<!doctype html>
<html lang="en-GB">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }} – Afterchat</title><link rel="stylesheet" href="/static/forum.css"></head>
<body>
<header class="header"><a href="/" class="header__name">Afterchat</a></header>
<main id="main-content" class="main">
<h1 class="heading-l">{{ title }}</h1>
<p class="hint">{{ posts|length }} posts</p>
{% for post in posts %}
<article class="post" id="post-{{ post.id }}" aria-labelledby="post-{{ post.id }}-by">
  <header class="post__meta">
    <h3 class="post__author" id="post-{{ post.id }}-by">{{ post.author }}</h3>
    {% if post.organisation %}<span class="post__org">{{ post.organisation }}</span>{% endif %}
    <span class="post__time"><a href="/posts/{{ post.id }}" class="post__permalink"><time datetime="{{ post.created_at.strftime('%Y-%m-%dT%H:%M:%SZ') }}">{{ post.created_at.strftime('%-d %B %Y, %-I:%M%p') }}</time></a></span>
  </header>
  <div class="post__body">{{ post.body_html|safe }}</div>
  <ul class="post__actions"><li><a href="/threads/1/reply?quote={{ post.id }}">Quote<span class="visually-hidden"> this post</span></a></li></ul>
</article>
{% endfor %}
</main>
<footer class="footer"><p>Afterchat: the discussion carries on between chats.</p></footer>
</body>
</html>
"""


def _posts() -> list[dict]:
    with open(os.environ["BENCH_CEILING_POSTS"], encoding="utf-8") as handle:
        posts = json.load(handle)
    for post in posts:
        post["created_at"] = datetime.fromisoformat(post["created_at"])
    return posts


app = Flask(__name__)
app.jinja_loader = DictLoader({"page.html": PAGE})
Compress(app)
POSTS = _posts()


@app.get("/")
def page():
    """The 50 posts, rendered by Jinja through Flask as any page is."""
    return render_template("page.html", title="Q1: a thread from the chat", posts=POSTS)
