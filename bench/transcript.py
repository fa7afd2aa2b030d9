"""A TAGS CSV transcript of a busy one-hour #lgovsm chat, for the import benchmark.

The host LGovSM welcomes people, asks Q1, Q2 and Q3 twenty minutes apart and wraps up; members
answer "A1 ...", reply to each other with @mentions, and retweet ("RT @..."), which the importer
skips. Rows are newest first, as TAGS writes them.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime, timedelta, timezone

from bench import content

HEADER = ["id_str", "from_user", "text", "created_at", "time", "geo_coordinates", "user_lang",
          "in_reply_to_user_id_str", "in_reply_to_screen_name", "from_user_id_str", "in_reply_to_status_id_str",
          "source", "profile_image_url", "user_followers_count", "user_friends_count", "user_location",
          "status_url", "entities_str"]
HOST = ("LGovSM", "100001")


def tags_csv(messages: int, *, seed: int, speakers: list[tuple[str, str]], first_id: int,
             start: datetime = datetime(2026, 11, 27, 13, 0, tzinfo=timezone.utc)) -> bytes:
    """`messages` rows of TAGS CSV; `speakers` are (handle, user id) pairs, the host added as the first."""
    rng = random.Random(seed)
    people = [HOST, *[s for s in speakers if s[0] != HOST[0]]]
    weights = [1 / rank for rank in range(1, len(people))]
    questions = [content.chat_question(rng, n) for n in (1, 2, 3)]
    opening = start - timedelta(minutes=8)
    span = (start + timedelta(minutes=66) - opening).total_seconds()
    stamps = sorted(opening + timedelta(seconds=rng.uniform(0, span)) for _ in range(messages - 5))
    rows: list[dict] = []
    ids: list[tuple[int, str, str]] = []   # (id, handle, user id) of what was said so far

    def add(when: datetime, who: tuple[str, str], text: str, reply: tuple[int, str, str] | None = None) -> None:
        tweet = first_id + len(rows)
        rows.append({
            "id_str": str(tweet), "from_user": who[0], "text": text.replace("&", "&amp;"),
            "created_at": when.strftime("%a %b %d %H:%M:%S +0000 %Y"), "time": "", "geo_coordinates": "",
            "user_lang": "en", "in_reply_to_user_id_str": reply[2] if reply else "",
            "in_reply_to_screen_name": reply[1] if reply else "", "from_user_id_str": who[1],
            "in_reply_to_status_id_str": str(reply[0]) if reply else "", "source": "web", "profile_image_url": "",
            "user_followers_count": str(rng.randint(10, 5000)), "user_friends_count": str(rng.randint(10, 2000)),
            "user_location": "", "status_url": f"http://twitter.com/{who[0]}/statuses/{tweet}", "entities_str": "{}",
        })
        ids.append((tweet, who[0], who[1]))

    add(opening, HOST, "Welcome to #lgovsm! Q1 at 1.02pm, three questions today. Say hello and where you're from")
    asked = [start + timedelta(minutes=2 + 20 * n) for n in range(3)]
    pending = list(enumerate(asked, 1))
    for when in stamps:
        while pending and pending[0][1] <= when:
            number, at = pending.pop(0)
            add(at, HOST, f"Q{number} {questions[number - 1]} #lgovsm")
        current = 3 - len(pending)
        who = people[1 + rng.choices(range(len(people) - 1), weights)[0]]
        roll = rng.random()
        if roll < 0.1 and ids:
            original = rng.choice(ids[-50:])
            text = f"RT @{original[1]}: {content.sentence(rng)} #lgovsm"
            add(when, who, text[:280])
        elif roll < 0.3 and len(ids) > 1:
            parent = rng.choice(ids[-30:])
            add(when, who, f"@{parent[1]} {content.sentence(rng)}"[:280], reply=parent)
        elif current and roll < 0.8:
            add(when, who, f"A{current} {content.sentence(rng)} #lgovsm"[:280])
        else:
            add(when, who, f"{content.sentence(rng)} #lgovsm"[:280])
    for number, at in pending:
        add(at, HOST, f"Q{number} {questions[number - 1]} #lgovsm")
    add(start + timedelta(minutes=67), HOST, "Thanks all! That's a wrap for this week #lgovsm")
    rows.sort(key=lambda row: int(row["id_str"]), reverse=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()
