"""Realistic words for the data set: members, organisations, titles and markdown posts, all seeded.

Posts are made of blocks (a paragraph, a list, a quote, a heading, a code block or a table). Each
block is rendered once with the forum's own `markup.render`, and a post joins 1-5 blocks: its source
is the blocks' sources joined by blank lines and its HTML the blocks' HTML joined by newlines, which
is what `render` gives for independent blocks (`check_composition` measures how often that holds).
That keeps 250,000 posts distinct without rendering each one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FIRST_NAMES = """Alex Sam Jo Priya Tom Rhian Mel Kwame Fiona Dan Helen Aisha Chris Sarah James Emma Mohammed Rachel
David Laura Gareth Sian Nicola Paul Claire Mark Ruth Imran Lucy Andrew Kate Ben Hannah Rob Zoe Neil Amy Owen Ffion
Callum Eilidh Niamh Ciaran Deborah Harpreet Tariq Grace Simon Jenny Matt Beth Richard Anna Steve Louise Adam Jess Dave
Carys Iain Morag Connor Leah Yusuf Fatima Ravi Anjali Tomasz Agnieszka Kofi Ama Femi Chloe Liam Megan Rhys Bethan
Stuart Alison Graham Karen Colin Gillian Martin Pauline Keith Lorraine Phil Joanne Tony Wendy Ian Dawn Lee Kerry""".split()
SURNAMES = """Morgan Patel Williams Shah O'Neill Davies Brown Mensah Grant Hughes Clarke Begum Smith Jones Taylor Wilson
Evans Thomas Roberts Johnson Walker Wright Robinson Thompson White Edwards Green Hall Wood Harris Lewis Martin Jackson
Clark Turner Hill Scott Cooper Ward Morris King Watson Baker Harrison Young Allen Mitchell Anderson Campbell Kelly Khan
Ali Hussain Singh Kaur Ahmed Murray Stewart MacDonald Reid Fraser Hamilton Graham Kennedy Doherty Byrne Ryan Lynch
Price Jenkins Owen Lloyd Powell Rees Bennett Carter Phillips Parker Collins Bell Cook Rogers Bailey Murphy Cox Howard
Richardson Wood Marshall Simpson Ellis Chapman Webb Gray Palmer Holmes Mills Knight Lloyd Butler Barnes Fisher Dixon""".split()
PLACES = """Leeds Bristol Cardiff Fife Staffordshire Kent York Birmingham Manchester Liverpool Sheffield Newcastle
Nottingham Leicester Derby Coventry Bradford Wakefield Kirklees Calderdale Barnsley Rotherham Doncaster Wirral Sefton
Stockport Trafford Salford Bolton Wigan Oldham Rochdale Bury Tameside Sunderland Gateshead Durham Northumberland Cumbria
Lancashire Cheshire Shropshire Herefordshire Worcestershire Warwickshire Northamptonshire Lincolnshire Norfolk Suffolk
Essex Hertfordshire Bedford Luton Oxfordshire Buckinghamshire Surrey Hampshire Dorset Devon Cornwall Somerset Wiltshire
Gloucestershire Swindon Reading Brighton Southampton Portsmouth Plymouth Exeter Swansea Newport Wrexham Gwynedd
Powys Conwy Edinburgh Glasgow Aberdeen Dundee Highland Moray Angus Stirling Falkirk Belfast Derry Camden Hackney
Islington Lambeth Southwark Lewisham Greenwich Croydon Barnet Brent Ealing Harrow Hounslow Merton Sutton""".split()
COUNCIL_KINDS = ["City Council", "County Council", "Council", "Borough Council", "District Council"]
CHARITIES = ["Voluntary Action", "Age UK", "Citizens Advice", "Mind", "Community Foundation", "Youth Trust",
             "Food Bank", "Carers Centre", "Housing Association", "Wildlife Trust"]
JOB_ROLES = ["Digital communications officer", "Social media manager", "Communications lead", "Web manager",
             "Customer services lead", "Engagement officer", "Councillor", "Volunteer coordinator",
             "Head of communications", "Content designer", "Press officer", "Service manager",
             "Community development worker", "Policy officer", "Researcher", "Product manager"]
SECTOR_WEIGHTS = [("local_government", 60), ("voluntary", 15), ("councillor", 8), ("public_sector", 8),
                  ("partner", 4), ("research", 3), ("other", 2)]

TOPICS = ["social media policy", "a corporate Facebook page", "the council's X account", "WhatsApp groups",
          "winter gritting updates", "bin collection changes", "school admissions", "adult social care",
          "the budget consultation", "flood warnings", "libraries", "planning applications", "council tax",
          "fostering campaigns", "recruitment posts", "the local elections", "a petition", "accessibility",
          "Alt text", "video captions", "Nextdoor", "LinkedIn", "Instagram stories", "a TikTok pilot",
          "out-of-hours cover", "trolling", "abusive comments", "the comms strategy", "sign-off rules",
          "the press office", "our intranet", "Teams channels", "chatbots", "the website redesign",
          "plain English", "easy read versions", "digital inclusion", "the cost of living campaign",
          "waste and recycling", "road closures", "parking", "the youth service", "public health messages",
          "vaccination clinics", "a major incident", "emergency planning", "archiving posts", "FOI requests",
          "data protection", "councillor accounts", "purdah", "pre-election period", "analytics",
          "evaluation", "engagement rates", "paid promotion", "a hashtag chat", "staff advocates",
          "the chief executive", "senior managers", "IT security", "blocked sites", "mobile phones for staff"]
VERBS = ["tried", "set up", "stopped", "redesigned", "piloted", "reviewed", "scaled back", "rolled out",
         "argued for", "measured", "moved", "handed over", "trained people on", "wrote guidance on"]
OPENERS = ["We", "Our team", "My manager", "Our comms team", "The service", "Our digital team", "I",
           "Our councillors", "The chief exec", "A colleague in housing", "Our volunteers", "Last year we"]
OUTCOMES = ["and it worked better than expected", "which took far longer than planned",
            "and the complaints dropped by half", "but nobody read it", "and engagement doubled",
            "and IT finally unblocked the site", "though sign-off still takes a week",
            "and now three services post for themselves", "which saved us a lot of phone calls",
            "and residents noticed straight away", "but the budget ran out in March",
            "and we learnt a lot about what people actually ask", "and it's now in the corporate plan"]
QUESTIONS = ["Has anyone else {v} {t}?", "How do you handle {t}?", "What would you do about {t}?",
             "Does anyone have a template for {t}?", "Who signs off {t} where you are?",
             "Is {t} worth the effort for a small council?", "Any tips on {t} before we start?"]
REPLIES = ["Thanks, this is really useful.", "Same here!", "+1 to this.", "Great question.",
           "We had exactly the same problem.", "I'll share this with the team.", "Following with interest.",
           "Really helpful thread, thank you all.", "Could you share the guidance?", "Agreed."]
LINKS = ["https://www.gov.uk/guidance/social-media-use", "https://example.gov.uk/comms/strategy",
         "https://www.local.gov.uk/our-support/communications", "https://gds.blog.gov.uk/",
         "https://example.org/report.pdf", "https://www.ncvo.org.uk/help-and-guidance/",
         "https://commscollective.example.org/resources", "https://www.plainenglish.co.uk/"]
HASHTAGS = ["#lgovsm", "#localgov", "#commsnet", "#digitalinclusion", "#charitycomms", "#ukgovcomms"]
CODE_SNIPPETS = [
    ("text", "Dear resident,\nYour bin day is changing from {day}.\nCheck yours at example.gov.uk/bins"),
    ("python", "for post in posts:\n    if post.needs_reply:\n        print(post.url)"),
    ("", "=IF(B2>1000,\"high\",\"normal\")"),
    ("html", "<a href=\"https://example.gov.uk\">Find your bin day</a>"),
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def unique_names(rng: random.Random, count: int) -> list[str]:
    """`count` distinct display names, first name and surname (with an initial where they run out)."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < count:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
        if name.casefold() in seen:
            name = f"{name.split()[0]} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {name.split()[-1]}"
        if name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


def organisations(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """`count` distinct organisations as (name, sector)."""
    found: dict[str, tuple[str, str]] = {}
    while len(found) < count:
        place = rng.choice(PLACES)
        if rng.random() < 0.75:
            name, sector = f"{place} {rng.choice(COUNCIL_KINDS)}", "local_government"
        else:
            name, sector = f"{rng.choice(CHARITIES)} {place}", "voluntary"
        found.setdefault(name.casefold(), (name, sector))
    return list(found.values())


def sentence(rng: random.Random) -> str:
    """One sentence of forum talk, with the inline markdown people use."""
    kind = rng.random()
    topic = rng.choice(TOPICS)
    if kind < 0.55:
        text = f"{rng.choice(OPENERS)} {rng.choice(VERBS)} {topic} {rng.choice(OUTCOMES)}."
    elif kind < 0.75:
        text = rng.choice(QUESTIONS).format(v=rng.choice(VERBS), t=topic)
    elif kind < 0.9:
        text = (f"The hardest part of {topic} is {rng.choice(['sign-off', 'time', 'confidence', 'budget', 'IT'])}, "
                f"not the {rng.choice(['tools', 'platform', 'content', 'audience'])}.")
    else:
        text = rng.choice(REPLIES)
    return _decorate(rng, text)


def _decorate(rng: random.Random, text: str) -> str:
    """Add the inline markdown people use: emphasis, links, code, tags and mentions."""
    words = text.split(" ")
    roll = rng.random()
    if roll < 0.12 and len(words) > 3:
        i = rng.randrange(len(words) - 1)
        words[i] = f"**{words[i]}**"
    elif roll < 0.2 and len(words) > 3:
        i = rng.randrange(len(words) - 1)
        words[i] = f"*{words[i]}*"
    text = " ".join(words)
    roll = rng.random()
    if roll < 0.06:
        text += f" See {rng.choice(LINKS)}"
    elif roll < 0.1:
        text += f" There's a [write-up here]({rng.choice(LINKS)})."
    elif roll < 0.12:
        text += " We use `#ourcouncil` as the tag."
    elif roll < 0.16:
        text += f" {rng.choice(HASHTAGS)}"
    elif roll < 0.19:
        text = f"@{rng.choice(FIRST_NAMES).lower()}{rng.randrange(100)} {text}"
    return text


def block(rng: random.Random) -> str:
    """One markdown block, of a kind drawn with the frequencies seen in forum posts."""
    roll = rng.random()
    if roll < 0.58:
        return " ".join(sentence(rng) for _ in range(rng.choice([1, 1, 2, 2, 3, 4])))
    if roll < 0.70:
        return "\n".join(f"- {sentence(rng)}" for _ in range(rng.randint(2, 6)))
    if roll < 0.75:
        return "\n".join(f"{i}. {sentence(rng)}" for i in range(1, rng.randint(3, 6)))
    if roll < 0.85:
        quoted = "\n".join(f"> {sentence(rng)}" for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.6:
            return f"**{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)} wrote:**\n{quoted}"
        return quoted
    if roll < 0.88:
        return f"### {rng.choice(['What we did', 'What worked', 'Lessons', 'Next steps', 'Background'])}\n\n{sentence(rng)}"
    if roll < 0.90:
        language, code = rng.choice(CODE_SNIPPETS)
        return f"```{language}\n{code.format(day=rng.choice(DAYS))}\n```"
    if roll < 0.91:
        rows = "\n".join(f"| {rng.choice(TOPICS)} | {rng.randint(1, 900)} | {rng.choice(['yes', 'no', 'pilot'])} |"
                         for _ in range(rng.randint(2, 5)))
        return f"| Channel | Posts | Kept? |\n| --- | ---: | --- |\n{rows}"
    return rng.choice(REPLIES)


LIST_KINDS = ("- ", "1. ")


def block_kind(source: str) -> str:
    """A coarse kind, so that two blocks that would merge (two lists, two quotes) are never adjacent."""
    if source.startswith("- "):
        return "ul"
    if source.startswith("1. "):
        return "ol"
    if source.startswith(">") or "wrote:**\n>" in source:
        return "quote"
    return "other"


@dataclass
class BlockPool:
    """Rendered blocks to build posts from."""

    sources: list[str]
    htmls: list[str]
    kinds: list[str]

    def post(self, rng: random.Random) -> tuple[str, str]:
        """A post's (source, html): 1-5 blocks, never two that would merge when rendered together."""
        count = rng.choices([1, 2, 3, 4, 5], weights=[34, 30, 20, 10, 6])[0]
        chosen: list[int] = []
        while len(chosen) < count:
            i = rng.randrange(len(self.sources))
            if chosen and (self.kinds[i] == self.kinds[chosen[-1]] != "other" or i == chosen[-1]):
                continue
            chosen.append(i)
        return ("\n\n".join(self.sources[i] for i in chosen), "\n".join(self.htmls[i] for i in chosen))


def _render_all(sources: list[str]) -> list[str]:
    from forum import markup
    return [markup.render(s) for s in sources]


def block_pool(seed: int, size: int, processes: int = 2) -> BlockPool:
    """Make and render `size` distinct blocks (in `processes` processes: rendering is the slow part)."""
    rng = random.Random(seed)
    sources: list[str] = []
    seen: set[str] = set()
    while len(sources) < size:
        source = block(rng)
        if source not in seen:
            seen.add(source)
            sources.append(source)
    if processes > 1 and size >= 1000:
        import multiprocessing
        chunks = [sources[i::processes] for i in range(processes)]
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            parts = pool.map(_render_all, chunks)
        htmls = [""] * size
        for offset, part in enumerate(parts):
            htmls[offset::processes] = part
    else:
        htmls = _render_all(sources)
    return BlockPool(sources, htmls, [block_kind(s) for s in sources])


def check_composition(pool: BlockPool, seed: int, samples: int = 200) -> float:
    """The share of sampled posts whose joined HTML equals `markup.render` of the joined source."""
    from forum import markup
    rng = random.Random(seed)
    same = 0
    for _ in range(samples):
        source, html = pool.post(rng)
        same += markup.render(source) == html
    return same / samples


def title(rng: random.Random) -> str:
    """A thread title."""
    topic = rng.choice(TOPICS)
    return rng.choice([
        f"How do you handle {topic}?", f"{topic.capitalize()}: what works?", f"Advice needed on {topic}",
        f"Our experience with {topic}", f"Guidance on {topic} (templates welcome)", f"Is anyone else struggling with {topic}?",
        f"{topic.capitalize()} after the restructure", f"Sharing: what we learnt from {topic}",
    ])[:200]


def chat_question(rng: random.Random, number: int) -> str:
    """A chat question's words, as a host would ask it."""
    return rng.choice(QUESTIONS).format(v=rng.choice(VERBS), t=rng.choice(TOPICS))
