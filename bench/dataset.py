"""The benchmark's community, generated as table rows with the denormalised counters computed here.

Seeded, so the same sizes give the same rows. Roughly one thread in ten comes from a weekly chat
(imported posts with speakers, tweet links and reply chains, then members' replies); the rest are
members' threads with Zipf-distributed authors, long-tailed lengths, quotes, edits and deletions.
Two threads are fixed: the newest chat's Q1 (the page a chat's readers hit at lunchtime) and one
thread of `big_thread_posts` posts (its last page is benchmarked).
"""

from __future__ import annotations

import hashlib
import itertools
import random
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone

from bench import content

# A different value makes every cached data set stale: bump it when the rows change.
GENERATOR_VERSION = 1
BENCH_EMAIL = "bench.reader@example.gov.uk"
BENCH_PASSWORD = "bench-reader-password"
# Cheap on purpose (the app's own default is scrypt N=2^17): check_password_hash verifies any method.
FAST_HASH = "pbkdf2:sha256:1000"

END = datetime(2026, 11, 20, 15, 0, tzinfo=timezone.utc)   # a Friday: the newest chat ended an hour ago
START = END - timedelta(days=3 * 365)


@dataclass(frozen=True)
class Sizes:
    """How big a data set is."""

    name: str
    spaces: int
    threads: int
    posts: int
    members: int
    big_thread_posts: int        # the long thread whose last page is benchmarked
    popular_thread_posts: int    # the newest chat's Q1 thread (the 50-post page)
    organisations: int
    speakers: int
    blocks: int                  # distinct rendered markdown blocks that posts are built from
    seed: int = 2011


FULL = Sizes("full", spaces=20, threads=5000, posts=250_000, members=2000, big_thread_posts=1000,
             popular_thread_posts=120, organisations=300, speakers=800, blocks=4000)
SMOKE = Sizes("smoke", spaces=2, threads=20, posts=300, members=50, big_thread_posts=100,
              popular_thread_posts=60, organisations=12, speakers=40, blocks=150)

SPACES = [
    # slug, name, visibility, anonymous posting, weight (share of members' threads)
    ("lgovsm-chat", "#lgovsm chat", "public", False, 0),
    ("between-chats", "Between chats", "public", False, 30),
    ("evangelist-support", "Evangelist support", "private", True, 8),
    ("good-practice", "Good practice", "members", False, 6),
    ("moderators", "Moderators' room", "secret", False, 1),
    ("social-media-policy", "Social media policy", "public", False, 9),
    ("digital-inclusion", "Digital inclusion", "public", False, 6),
    ("customer-services", "Customer services", "public", False, 6),
    ("childrens-services", "Children's services comms", "public", False, 4),
    ("adult-social-care", "Adult social care", "public", False, 3),
    ("environmental-services", "Environmental services", "public", False, 4),
    ("emergencies", "Emergencies and incidents", "public", False, 3),
    ("elections", "Elections and democracy", "public", False, 2),
    ("content-design", "Websites and content design", "public", False, 5),
    ("internal-comms", "Internal comms", "members", False, 3),
    ("voluntary-partners", "Voluntary sector partners", "public", False, 3),
    ("councillors", "Councillors' corner", "members", False, 2),
    ("jobs-training", "Jobs and training", "public", False, 2),
    ("tools-analytics", "Tools and analytics", "public", False, 3),
    ("introductions", "Welcome and introductions", "public", False, 2),
]
CHAT_SPACE, MAIN_SPACE = 0, 1


@dataclass
class Dataset:
    """The rows of every table, and what the benchmark points at."""

    sizes: Sizes
    tables: dict[str, list[dict]]
    targets: dict = field(default_factory=dict)


def fingerprint(sizes: Sizes, extra: bytes = b"") -> str:
    """A short hash of everything the rows depend on (sizes, generator version, and `extra`)."""
    text = repr((GENERATOR_VERSION, asdict(sizes))).encode() + extra
    return hashlib.sha256(text).hexdigest()[:16]


def thread_lengths(rng: random.Random, count: int, total: int, cap: int) -> list[int]:
    """`count` long-tailed thread lengths (many short threads, a few long ones) that add up to `total`."""
    if count == 0:
        return []
    raw = [rng.lognormvariate(0, 1.1) for _ in range(count)]
    scale = total / sum(raw)
    lengths = [min(cap, max(1, round(x * scale))) for x in raw]
    diff = total - sum(lengths)
    while diff:
        i = rng.randrange(count)
        if diff > 0 and lengths[i] < cap:
            lengths[i] += 1
            diff -= 1
        elif diff < 0 and lengths[i] > 1:
            lengths[i] -= 1
            diff += 1
    return lengths


def _zipf_weights(count: int, exponent: float = 0.9) -> list[float]:
    return list(itertools.accumulate(1 / (rank ** exponent) for rank in range(1, count + 1)))


def generate(sizes: Sizes, pool: content.BlockPool) -> Dataset:
    """Make every row of the data set."""
    from werkzeug.security import generate_password_hash

    from forum.models.accounts import handle_key, normalise_name

    rng = random.Random(sizes.seed)
    tables: dict[str, list[dict]] = {}

    # -- organisations and members -------------------------------------------------------------------
    orgs = content.organisations(rng, sizes.organisations)
    tables["forum_organisation"] = [
        {"id": i, "name": name, "name_key": normalise_name(name), "sector": sector}
        for i, (name, sector) in enumerate(orgs, 1)
    ]
    other_hash = generate_password_hash("not-a-bench-password", method=FAST_HASH)
    names = content.unique_names(rng, sizes.members)
    names[0] = "Bench Reader"
    sectors, sector_weights = zip(*content.SECTOR_WEIGHTS)
    members = []
    for i, name in enumerate(names, 1):
        role = "admin" if i in (2, 3) else "moderator" if 4 <= i < 4 + max(1, sizes.members // 200) else "member"
        state = "approved" if i <= 10 or rng.random() > 0.03 else rng.choice(["pending", "suspended"])
        slug = name.lower().replace(" ", ".").replace("'", "").replace("..", ".")
        members.append({
            "id": i, "email": BENCH_EMAIL if i == 1 else f"{slug}.{i}@example.gov.uk",
            "display_name": name, "name_key": normalise_name(name),
            "password_hash": generate_password_hash(BENCH_PASSWORD, method=FAST_HASH) if i == 1 else other_hash,
            "role": role, "state": state, "sector": rng.choices(sectors, sector_weights)[0],
            "organisation_id": rng.randint(1, len(orgs)) if i == 1 or rng.random() < 0.85 else None,
            "job_role": rng.choice(content.JOB_ROLES), "bio_source": "", "bio_html": "",
            "created_at": START - timedelta(days=rng.randint(0, 900)), "session_version": 1,
        })
        # Columns a newer schema may have; rows are trimmed to the schema's columns when stored.
        members[-1].update(email_confirmed_at=members[-1]["created_at"], approved_at=members[-1]["created_at"])
    tables["forum_member"] = members
    # Everyone approved writes, at Zipf-distributed rates; the bench reader only writes two posts (below).
    posting_members = [m["id"] for m in members if m["state"] == "approved" and m["id"] != 1]
    member_weights = _zipf_weights(len(posting_members))

    # -- spaces and memberships ----------------------------------------------------------------------
    spaces = []
    for i, (slug, name, visibility, anonymous, _weight) in enumerate(SPACES[: sizes.spaces], 1):
        spaces.append({
            "id": i, "slug": slug, "name": name, "description": f"{name}: questions, ideas and what worked.",
            "visibility": visibility, "anonymous_posting": anonymous, "position": i, "created_at": START,
            "thread_count": 0, "post_count": 0, "last_post_at": None, "last_thread_id": None,
        })
    tables["forum_space"] = spaces
    memberships = []
    for space in spaces:
        if space["visibility"] in ("private", "secret"):
            chosen = rng.sample(posting_members[10:], min(len(posting_members) - 10, 150 if space["visibility"] == "private" else 10))
            if space["visibility"] == "private":
                chosen = [1, *chosen]  # the bench reader belongs to the private space
            for n, member_id in enumerate(dict.fromkeys(chosen)):
                memberships.append({"space_id": space["id"], "member_id": member_id,
                                    "role": "host" if n in (1, 2) else "member", "created_at": START})
    tables["forum_space_membership"] = memberships

    # -- speakers and the handles that match some of them to members ----------------------------------
    speakers, handles = [], []
    matched = rng.sample(posting_members, min(len(posting_members), sizes.speakers // 4))
    for i in range(1, sizes.speakers + 1):
        member_id = matched[i - 1] if i <= len(matched) else None
        handle = f"{rng.choice(content.FIRST_NAMES).lower()}_{rng.choice(content.SURNAMES).lower().replace(chr(39), '')}{i}"
        user_id = str(100_000 + i)
        speakers.append({"id": i, "platform": "x", "speaker_key": f"id:{user_id}", "display_name": handle,
                         "handle": handle, "platform_user_id": user_id, "member_id": member_id, "hidden_at": None})
        if member_id is not None:
            handles.append({"id": len(handles) + 1, "member_id": member_id, "platform": "x", "handle": handle,
                            "handle_key": handle_key(handle), "confirmed": True})
    speakers[0].update(handle="LGovSM", display_name="LGovSM", speaker_key="id:100001")  # the host
    tables["forum_speaker"] = speakers
    tables["forum_handle"] = handles
    speaker_weights = _zipf_weights(len(speakers), 1.0)

    # -- threads: lengths, places and times ------------------------------------------------------------
    chats = max(1, sizes.threads // 40)
    chat_threads = chats * 4  # a welcome-and-wrap-up thread and three questions per chat
    plain_threads = sizes.threads - chat_threads - 1
    fixed = sizes.big_thread_posts + sizes.popular_thread_posts
    lengths = thread_lengths(rng, sizes.threads - 2, sizes.posts - fixed, cap=max(2, sizes.big_thread_posts // 2))
    # Thread 0 is the big one, thread 1 the newest chat's Q1; chat threads come first, then members' threads.
    space_ids = [s["id"] for s in spaces]
    plain_space_weights = [SPACES[i][4] for i in range(len(spaces))]
    plans = []  # (space index, kind, chat number, question number, length)
    plans.append((min(MAIN_SPACE, len(spaces) - 1), "plain", None, None, sizes.big_thread_posts))
    plans.append((CHAT_SPACE, "chat", chats - 1, 1, sizes.popular_thread_posts))
    lengths_iter = iter(lengths)
    for chat in range(chats):
        for number in (0, 1, 2, 3):
            if (chat, number) != (chats - 1, 1):
                plans.append((CHAT_SPACE, "chat", chat, number, next(lengths_iter)))
    for _ in range(plain_threads):
        index = rng.choices(range(len(spaces)), plain_space_weights)[0] if sum(plain_space_weights) else 0
        plans.append((index, "plain", None, None, next(lengths_iter)))

    chat_starts = [END - timedelta(hours=2) - timedelta(weeks=chats - 1 - c) for c in range(chats)]
    tables["forum_chat"] = [
        {"id": c + 1, "title": f"#lgovsm {chat_starts[c]:%-d %B %Y}", "hashtag": "#lgovsm",
         "space_id": space_ids[CHAT_SPACE], "starts_at": chat_starts[c], "duration_minutes": 60,
         "status": "imported", "created_at": chat_starts[c] + timedelta(hours=2)}
        for c in range(chats)
    ]
    tables["forum_chat_import"] = [
        {"id": c + 1, "chat_id": c + 1, "format": "tags_csv", "file_sha256": hashlib.sha256(str(c).encode()).hexdigest(),
         "imported_by_id": 2, "created_at": chat_starts[c] + timedelta(hours=2), "summary": {}}
        for c in range(chats)
    ]

    threads, posts = [], []  # posts carry a temporary key (thread index, order) until ids are given
    tweet_ids = itertools.count(1_600_000_000_000_000_000, 7919)
    for t, (space_index, kind, chat, number, length) in enumerate(plans):
        space = spaces[space_index]
        thread_posts = []
        if kind == "chat":
            base = chat_starts[chat]
            title = ("Welcome and wrap-up" if number == 0
                     else f"Q{number}: {content.chat_question(rng, number)}")
            created = base - timedelta(minutes=2) if number == 0 else base + timedelta(minutes=2 + 20 * (number - 1))
            share = 0.35 if t == 1 else rng.uniform(0.6, 0.9)  # the popular thread: members carried it on
            imported = length if number == 0 else max(1, min(length, round(length * share)))
            when, later = created, []
            for n in range(length):
                if n < imported:
                    speaker = speakers[0] if n == 0 else speakers[rng.choices(range(len(speakers)), cum_weights=speaker_weights)[0]]
                    when = when + timedelta(seconds=rng.randint(5, max(6, 1100 // max(1, imported))))
                    tweet = next(tweet_ids)
                    if n == 0 and number:
                        source, html = title.replace(f"Q{number}: ", f"Q{number} ") + " #lgovsm", None
                    else:
                        source, html = _tweet(rng, pool, number)
                    thread_posts.append({
                        "author_id": speaker["member_id"], "speaker_id": speaker["id"], "body_source": source,
                        "body_html": html, "created_at": when, "chat_id": chat + 1, "import_id": chat + 1,
                        "source_key": f"x:{tweet}", "source_url": f"https://twitter.com/{speaker['handle']}/status/{tweet}",
                        "anonymous": False, "deleted_at": None, "hidden_at": None, "edited_at": None, "reply_p": 0.35,
                    })
                else:
                    if n == imported:  # members carry the thread on after the chat, for days or an hour
                        later = _spread(rng, length - imported, when, min(END, when + timedelta(days=rng.expovariate(1 / 6))))
                    when = later[n - imported]
                    thread_posts.append(_member_post(rng, pool, posting_members, member_weights, space, when))
            author_id = speakers[0]["member_id"]
        else:
            title = content.title(rng)
            created = START + timedelta(seconds=rng.uniform(0, (END - START).total_seconds() - 3600))
            # A thread lives for days to months, longer the more it is written in.
            life = timedelta(days=rng.expovariate(1 / 10) * (1 + length / 50))
            times = [created, *_spread(rng, length - 1, created, min(END, created + life))]
            for when in times:
                thread_posts.append(_member_post(rng, pool, posting_members, member_weights, space, when))
            author_id = thread_posts[0]["author_id"]
        threads.append({
            "id": None, "space_id": space["id"], "title": title[:200], "author_id": author_id,
            "created_at": thread_posts[0]["created_at"], "last_post_at": thread_posts[-1]["created_at"],
            "post_count": length, "first_post_id": None, "last_post_id": None,
            "pinned": kind == "plain" and rng.random() < 0.004, "locked": kind == "plain" and rng.random() < 0.01,
            "chat_id": chat + 1 if kind == "chat" else None, "question_number": number,
        })
        for n, post in enumerate(thread_posts):
            post["_key"] = (t, n)
            if n and rng.random() < post.pop("reply_p", 0.12):
                post["_reply"] = (t, rng.randrange(max(0, n - 10), n))
            post.pop("reply_p", None)
        posts.extend(thread_posts)

    # The bench reader wrote two of the replies on the 50-post page: their Edit and Delete links show.
    popular = [p for p in posts if p["_key"][0] == 1 and p["speaker_id"] is None and p["_key"][1] < 50]
    for post in popular[:2]:
        post.update(author_id=1, anonymous=False, deleted_at=None, hidden_at=None)

    # -- ids in time order, then every counter -----------------------------------------------------------
    threads_by_start = sorted(range(len(threads)), key=lambda i: (threads[i]["created_at"], i))
    for new_id, index in enumerate(threads_by_start, 1):
        threads[index]["id"] = new_id
    posts.sort(key=lambda p: (p["created_at"], p["_key"]))
    ids = {}
    for new_id, post in enumerate(posts, 1):
        post["id"] = new_id
        ids[post["_key"]] = new_id
    for post in posts:
        thread = threads[post["_key"][0]]
        post["thread_id"] = thread["id"]
        reply = post.pop("_reply", None)
        post["reply_to_id"] = ids[reply] if reply else None
        post["quote_of_id"] = post["reply_to_id"] if reply and post["speaker_id"] is None and rng.random() < 0.4 else None
    for t, thread in enumerate(threads):
        thread["first_post_id"] = ids[(t, 0)]
        thread["last_post_id"] = ids[(t, thread["post_count"] - 1)]
    for post in posts:
        del post["_key"]
    for space in spaces:
        mine = [t for t in threads if t["space_id"] == space["id"]]
        space["thread_count"] = len(mine)
        space["post_count"] = sum(t["post_count"] for t in mine)
        if mine:
            latest = max(mine, key=lambda t: (t["last_post_at"], t["id"]))
            space["last_post_at"], space["last_thread_id"] = latest["last_post_at"], latest["id"]
    threads.sort(key=lambda t: t["id"])
    tables["forum_thread"] = threads
    tables["forum_post"] = posts
    for post in posts:
        if post["body_html"] is None:
            from forum import markup
            post["body_html"] = markup.render(post["body_source"])

    popular_id, big_id = threads_by_start.index(1) + 1, threads_by_start.index(0) + 1
    page_one = [p for p in posts if p["thread_id"] == popular_id][:50]
    by_member = {m["id"]: m for m in members}
    orgs_by_id = {o["id"]: o["name"] for o in tables["forum_organisation"]}
    speakers_by_id = {s["id"]: s for s in speakers}
    main = spaces[min(MAIN_SPACE, len(spaces) - 1)]
    targets = {
        "space_slug": main["slug"], "space_threads": main["thread_count"],
        "thread_id": popular_id, "thread_posts": sizes.popular_thread_posts,
        "big_thread_id": big_id, "big_thread_posts": sizes.big_thread_posts,
        "member_email": BENCH_EMAIL, "member_password": BENCH_PASSWORD,
        # The ceiling app shows these same 50 posts, so both pages weigh about the same.
        "ceiling_posts": [
            {"author": (by_member[p["author_id"]]["display_name"] if p["author_id"]
                        else speakers_by_id[p["speaker_id"]]["display_name"]),
             "organisation": orgs_by_id.get(by_member[p["author_id"]]["organisation_id"]) if p["author_id"] else None,
             "created_at": p["created_at"].isoformat(), "body_html": p["body_html"], "id": p["id"]}
            for p in page_one
        ],
    }
    return Dataset(sizes, tables, targets)


def _spread(rng: random.Random, count: int, start: datetime, end: datetime) -> list[datetime]:
    """`count` sorted random moments after `start` and before `end`."""
    span = max(1.0, (end - start).total_seconds())
    return sorted(start + timedelta(seconds=rng.uniform(1, span)) for _ in range(count))


def _member_post(rng, pool, posting_members, member_weights, space, when) -> dict:
    source, html = pool.post(rng)
    post = {
        "author_id": posting_members[rng.choices(range(len(posting_members)), cum_weights=member_weights)[0]],
        "speaker_id": None, "body_source": source, "body_html": html, "created_at": when, "chat_id": None,
        "import_id": None, "source_key": None, "source_url": None,
    }
    roll = rng.random()
    post["anonymous"] = bool(space["anonymous_posting"]) and rng.random() < 0.3
    post["deleted_at"] = when + timedelta(hours=1) if roll < 0.004 else None
    post["hidden_at"] = when + timedelta(hours=2) if 0.004 <= roll < 0.006 else None
    post["edited_at"] = when + timedelta(minutes=rng.randint(1, 600)) if 0.006 <= roll < 0.036 else None
    if post["deleted_at"]:
        post["body_source"] = post["body_html"] = ""
    return post


def _tweet(rng, pool, number) -> tuple[str, str]:
    """An imported chat message: a short paragraph block, marked as an answer where the speaker did."""
    for _ in range(50):
        i = rng.randrange(len(pool.sources))
        source, html = pool.sources[i], pool.htmls[i]
        if pool.kinds[i] == "other" and len(source) < 280 and html.startswith("<p>") and source[0].isalpha():
            break
    else:
        source, html = "Thanks everyone #lgovsm", "<p>Thanks everyone #lgovsm</p>"
    if number and rng.random() < 0.6:
        source, html = f"A{number} {source}", f"<p>A{number} {html[3:]}"
    return source, html
