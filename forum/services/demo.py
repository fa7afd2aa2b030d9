"""The demo community: spaces, members across sectors, and threads, one of them from a chat."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from forum.models import (Chat, ChatHost, LibraryEntry, LibraryTag, Member, Post, ProposedQuestion, QuestionVote,
                          Space, SpaceMembership, Speaker, Thread, chat_tags)
from forum.services import accounts, library, posting
from forum.services.spaces import create_space

DEMO_PASSWORD = "afterchat-demo"
ADMIN_EMAIL = "admin@afterchat.example.org"
MEMBER_EMAIL = "sam.patel@staffordshire.example.gov.uk"

SPACES = [
    ("lgovsm-chat", "lgovsm chat", "public", False,
     "Threads from the weekly #lgovsm chat, one per question, carried on between chats."),
    ("between-chats", "Between chats", "public", False,
     "Questions, ideas and news from members, any day of the week."),
    ("good-practice", "Good practice", "members", False,
     "Write-ups of what worked, for members to borrow and adapt."),
    ("evangelist-support", "Evangelist support", "private", True,
     "A private space for people pushing social media inside organisations that resist it."),
]

MEMBERS = [
    # name, email, sector, organisation, job role, role
    ("Alex Morgan", ADMIN_EMAIL, "local_government", "Afterchat", "Community host", "admin"),
    ("Sam Patel", MEMBER_EMAIL, "local_government", "Staffordshire County Council", "Digital communications officer", "member"),
    ("Jo Williams", "jo.williams@leeds.example.gov.uk", "local_government", "Leeds City Council", "Social media manager", "moderator"),
    ("Priya Shah", "priya@voluntary-action.example.org", "voluntary", "Voluntary Action Kent", "Communications lead", "member"),
    ("Tom O'Neill", "tom.oneill@bristol.example.gov.uk", "local_government", "Bristol City Council", "Web manager", "member"),
    ("Cllr Rhian Davies", "rhian.davies@cardiff.example.gov.uk", "councillor", "Cardiff Council", "Councillor", "member"),
    ("Mel Brown", "mel@age-uk-york.example.org", "voluntary", "Age UK York", "Volunteer coordinator", "member"),
    ("Kwame Mensah", "kwame.mensah@nhs.example.net", "public_sector", "NHS Lothian", "Engagement officer", "member"),
    ("Fiona Grant", "fiona.grant@fife.example.gov.uk", "local_government", "Fife Council", "Customer services lead", "member"),
    ("Dan Hughes", "dan@civic-tools.example.com", "partner", "Civic Tools Ltd", "Product manager", "member"),
    ("Helen Clarke", "helen.clarke@uni.example.ac.uk", "research", "University of Birmingham", "Researcher", "member"),
    ("Aisha Begum", "aisha.begum@towerhamlets.example.gov.uk", "local_government", "Tower Hamlets Council", "Children's services comms", "member"),
]

CHAT_START = datetime(2026, 11, 13, 13, 0, tzinfo=timezone.utc)  # Friday 1pm, UK winter time
QUESTION = "Q1 How do you support the social media evangelists in your organisation? #lgovsm"
ANSWERS = [
    ("jowilliams_lgov", "Jo Williams", "A1 We run a monthly drop-in over lunch. Anyone who posts for a service can come and ask anything. #lgovsm"),
    ("priya_vak", "Priya Shah", "A1 Peer support matters most: a WhatsApp group of the six people who actually post for us. #lgovsm"),
    ("tomoneill", "Tom O'Neill", "A1 Honestly? We don't yet. They find each other by accident. Keen to steal ideas here #lgovsm"),
    ("fionagrant_fife", "Fiona Grant", "A1 A one-page guide on what they can post without sign-off made the biggest difference #lgovsm"),
    ("kwame_m", "Kwame Mensah", "A1 Giving them credit in the staff newsletter when a post does well. Recognition costs nothing #lgovsm"),
    ("digital_dee", "Dee Roberts", "A1 We pair each new evangelist with someone in the comms team for their first month #lgovsm"),
    ("melbrown_york", "Mel Brown", "A1 For volunteers it's about confidence. We practise replies to tricky comments together #lgovsm"),
    ("cllr_rhian", "Cllr Rhian Davies", "A1 Members can help too: I share and thank officers' posts so they know someone senior noticed #lgovsm"),
    ("aisha_th", "Aisha Begum", "A1 In children's services we have a clear escalation route, so people aren't scared of getting it wrong #lgovsm"),
    ("dan_civictools", "Dan Hughes", "A1 Tools help less than people think. Time in the diary helps more #lgovsm"),
    ("helenclarke_res", "Helen Clarke", "A1 Our research found evangelists burn out when they're the only one. Networks like this one matter #lgovsm"),
    ("sampatel_staffs", "Sam Patel", "A1 We're starting a champions network in January; I'll report back on how it goes #lgovsm"),
]


def accounts_with_roles() -> list[tuple[str, str, str]]:
    """Every demo account as (name, email, what it can do), for `flask forum demo` and the README."""
    roles = {"admin": "admin", "moderator": "moderator", "member": "member"}
    hosts = {"Jo Williams": "host of Evangelist support and of the chats"}
    return [(name, email, ", ".join(filter(None, [roles[role], hosts.get(name)])))
            for name, email, _sector, _organisation, _job, role in MEMBERS]


def is_loaded(db: Session) -> bool:
    """Has the demo community been loaded here?"""
    return db.scalar(select(Member.id).where(Member.email == ADMIN_EMAIL)) is not None


def is_empty(db: Session) -> bool:
    """Has the forum no spaces and no members at all?"""
    return db.scalar(select(Space.id).limit(1)) is None and db.scalar(select(Member.id).limit(1)) is None


def load(db: Session, password_method: str) -> bool:
    """Create the demo community unless it is already there; say whether anything was created."""
    if is_loaded(db):
        return False
    spaces = {slug: create_space(db, slug=slug, name=name, visibility=vis, description=desc, anonymous_posting=anon)
              for slug, name, vis, anon, desc in SPACES}
    for position, space in enumerate(spaces.values()):
        space.position = position
    password_hash = accounts.hash_password(DEMO_PASSWORD, password_method)
    members = {}
    for name, email, sector, organisation, job, role in MEMBERS:
        member = Member(
            display_name=name, name_key=accounts.normalise_name(name), email=email, password_hash=password_hash,
            role=role, state="approved", sector=sector, job_role=job, email_confirmed_at=CHAT_START,
            approved_at=CHAT_START,
            organisation=accounts.find_organisation(db, organisation),
        )
        db.add(member)
        members[name] = member
    db.flush()
    for name in ("Sam Patel", "Priya Shah", "Tom O'Neill"):
        db.add(SpaceMembership(space_id=spaces["evangelist-support"].id, member_id=members[name].id))
    db.add(SpaceMembership(space_id=spaces["evangelist-support"].id, member_id=members["Jo Williams"].id, role="host"))
    db.flush()
    _chat(db, spaces["lgovsm-chat"], members)
    _threads(db, spaces, members)
    return True


def _chat(db: Session, space: Space, members: dict[str, Member]) -> None:
    """A chat whose first question came in as an import: a dozen answers from speakers on X."""
    chat = Chat(title="#lgovsm 13 November 2026", hashtag="#lgovsm", space_id=space.id, starts_at=CHAT_START,
                status="imported")
    db.add(chat)
    db.flush()
    db.add(ChatHost(chat_id=chat.id, member_id=members["Jo Williams"].id))
    # Its topic (#20): the chat was about communications.
    db.execute(insert(chat_tags).values(chat_id=chat.id, tag_id=db.scalar(
        select(LibraryTag.id).where(LibraryTag.slug == "communications"))))
    _next_chat(db, space, members)
    thread = posting.new_thread(db, space, "Q1: How do you support the social media evangelists in your organisation?",
                                CHAT_START, chat_id=chat.id, question_number=1)
    host = _speaker(db, "lgovsm", "LGovSM", None)
    first = _imported(db, thread, space, chat, host, QUESTION, CHAT_START + timedelta(minutes=2), "1856812004120000001")
    thread.first_post_id = first.id
    for index, (handle, name, text) in enumerate(ANSWERS):
        speaker = _speaker(db, handle, name, members.get(name))
        when = CHAT_START + timedelta(minutes=3 + index * 1.5)
        _imported(db, thread, space, chat, speaker, text, when, str(1856812004120000002 + index), reply_to=first.id if index % 4 == 0 else None)
    posting.reply(db, thread=thread, space=space, author=members["Tom O'Neill"],
                  body="Following up from Friday: Fiona, would you share that one-page guide? "
                       "Our legal team would like to see how you worded the sign-off rules.")
    posting.reply(db, thread=thread, space=space, author=members["Fiona Grant"],
                  body="Happy to. The short version:\n\n1. Facts about services: post them.\n"
                       "2. Anything about policy or a councillor: ask comms first.\n"
                       "3. A complaint in the replies: thank them and move it to a private channel.\n\n"
                       "The whole guide is at https://www.example.gov.uk/social-media-guide")


def _next_chat(db: Session, space: Space, members: dict[str, Member]) -> None:
    """Next Friday's chat, with questions members have proposed and voted on."""
    today = datetime.now(timezone.utc)
    friday = (today + timedelta(days=(4 - today.weekday()) % 7 or 7)).replace(hour=13, minute=0, second=0, microsecond=0)
    chat = Chat(title="#lgovsm: who decides what we post?", hashtag="#lgovsm", space_id=space.id, starts_at=friday,
                description="Sign-off, trust and speed: how your organisation decides what goes out.")
    db.add(chat)
    db.flush()
    db.add(ChatHost(chat_id=chat.id, member_id=members["Jo Williams"].id))
    proposals = [("Priya Shah", "Who signs off a post in your organisation, and how long does it take?", 3),
                 ("Tom O'Neill", "Have you ever had a post pulled after it went out? What happened next?", 2),
                 ("Mel Brown", "How do volunteers fit into your sign-off rules?", 1)]
    voters = list(members.values())
    for name, text, votes in proposals:
        question = ProposedQuestion(chat_id=chat.id, member_id=members[name].id, text=text, vote_count=votes)
        db.add(question)
        db.flush()
        for voter in voters[:votes]:
            db.add(QuestionVote(question_id=question.id, member_id=voter.id))


def _speaker(db: Session, handle: str, name: str, member: Member | None) -> Speaker:
    speaker = Speaker(platform="x", speaker_key=handle.lower(), display_name=name, handle=handle,
                      member_id=member.id if member else None)
    db.add(speaker)
    db.flush()
    return speaker


def _imported(db, thread, space, chat, speaker, text, when, message_id, reply_to=None) -> Post:
    post = Post(
        author_id=speaker.member_id, speaker_id=speaker.id, **Post.body_columns(text),
        created_at=when, chat_id=chat.id, source_key=f"x:{message_id}", reply_to_id=reply_to,
        source_url=f"https://x.com/{speaker.handle}/status/{message_id}",
    )
    return posting.add_post(db, thread, space, post)


def _threads(db: Session, spaces: dict[str, Space], members: dict[str, Member]) -> None:
    """Ordinary member threads with replies, in the public, members and private spaces."""
    threads = [
        ("between-chats", "Sam Patel", "Scheduling tools that work behind our firewall?",
         "Our IT team blocks most scheduling sites. What do you use that **works on a locked-down PC**?",
         [("Jo Williams", "We got an exception for one tool by showing IT its security statement."),
          ("Dan Hughes", "Worth asking whether your CRM already has scheduling built in. Many do."),
          ("Sam Patel", "Thanks both: the security statement idea is a good one.")]),
        ("between-chats", "Priya Shah", "Answering comments out of hours",
         "Who answers comments at weekends in your organisation? We have *no* rota and it shows.",
         [("Mel Brown", "We set expectations in the profile: \"We reply Monday to Friday, 9 to 5\"."),
          ("Kwame Mensah", "A weekend rota of four people, one weekend a month each, with time off in lieu.")]),
        ("good-practice", "Fiona Grant", "A one-page social media guide that got past legal",
         "What worked for us in Fife:\n\n- one page, not twenty\n- examples of good posts\n- who to ask, by name",
         [("Aisha Begum", "We adapted this for children's services. Thank you!")]),
        ("evangelist-support", "Tom O'Neill", "My director thinks Twitter is a waste of time",
         "How do I make the case without sounding like I'm just defending my own job?",
         [("Priya Shah", "Bring one concrete example: a service question answered in public that saved a phone call."),
          ("Sam Patel", "Numbers help. Count the enquiries answered on social media in one month.")]),
    ]
    for slug, author, title, body, replies in threads:
        space = spaces[slug]
        thread = posting.start_thread(db, space=space, author=members[author], title=title, body=body)
        for replier, text in replies:
            posting.reply(db, thread=thread, space=space, author=members[replier], body=text)
        if slug == "good-practice":
            _library_entry(db, thread, members)


def _library_entry(db: Session, thread: Thread, members: dict[str, Member]) -> None:
    """Fiona's guide, promoted into the good-practice library."""
    tags = list(db.scalars(select(LibraryTag).where(LibraryTag.slug.in_(["communications", "digital"]))))
    parts = ("Officers were afraid to post without a long sign-off, so services stayed silent.",
             "A one-page guide: what anyone may post, what to check with comms first, and who to ask, by name.",
             "Twice as many services now post each week, and complaints moved to private channels faster.")
    entry = LibraryEntry(title="A one-page social media guide that got past legal", problem=parts[0],
                         approach=parts[1], outcome=parts[2],
                         organisation_id=members["Fiona Grant"].organisation_id, thread_id=thread.id,
                         post_id=thread.first_post_id, created_by_id=members["Jo Williams"].id, tags=tags)
    entry.set_summary(library.summary_source(*parts))
    db.add(entry)
