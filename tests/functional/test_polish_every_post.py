"""Every post by email from the thread's or space's own page, beside Watch (#21)."""

from __future__ import annotations

import re

from tests.factories import make_member, make_space, make_thread, submit
from tests.functional.test_mailing_list import deliver, reply, set_member, signed_in, smtp, watch  # noqa: F401

SWITCH = re.compile(r'action="(/watching/\d+/every-post)"')


def switch(client, page_url: str, on: bool):
    """Press the page's every-post button, as a member does; return the page it goes back to."""
    page = client.get(page_url).get_data(as_text=True)
    [action] = SWITCH.findall(page)
    response = submit(client, action, {"every_post": "on" if on else "off", "next": page_url}, form_url=page_url)
    assert response.status_code == 302 and response.headers["Location"].endswith(page_url)
    return client.get(page_url).get_data(as_text=True)


def test_a_thread_page_turns_every_post_by_email_on_and_off(app, smtp):  # noqa: F811
    author, reader = make_member(app, "Jo Williams"), make_member(app, "Sam Patel")
    space = make_space(app)
    thread = make_thread(app, space, author, title="Scheduling tools")
    client = signed_in(app, reader)
    url = f"/threads/{thread.id}"
    assert "every new post" not in client.get(url).get_data(as_text=True)  # not watching: no switch
    watch(client, "thread", thread.id)
    page = switch(client, url, on=True)
    assert "You get every new post in this thread by email." in page and "Stop emailing me every post" in page
    reply(signed_in(app, author), thread.id, "We use the scheduler in our CRM.")
    deliver(app)
    [sent] = smtp.to(reader.email)
    assert sent["Subject"] == "Re: Scheduling tools" and "We use the scheduler in our CRM." in smtp.body(sent)

    page = switch(client, url, on=False)
    assert "Email me every new post in this thread" in page and "You get every new post" not in page
    reply(signed_in(app, author), thread.id, "And a second reply.")
    deliver(app)
    assert "And a second reply." not in "".join(smtp.body(m) for m in smtp.to(reader.email))


def test_a_space_page_turns_every_post_by_email_on(app, smtp):  # noqa: F811
    author, reader = make_member(app), make_member(app)
    space = make_space(app, "comms-chat")
    client = signed_in(app, reader)
    watch(client, "space", space.id)
    page = switch(client, "/spaces/comms-chat", on=True)
    assert "You get every new post in this space by email." in page
    assert "Turn off" in client.get("/watching").get_data(as_text=True)  # the same switch as on /watching


def test_no_switch_for_a_member_who_takes_no_email(app):
    reader = make_member(app)
    space = make_space(app, "comms-chat")
    thread = make_thread(app, space, make_member(app))
    client = signed_in(app, reader)
    watch(client, "thread", thread.id)
    watch(client, "space", space.id)
    assert SWITCH.search(client.get(f"/threads/{thread.id}").get_data(as_text=True))
    set_member(app, reader, email_frequency="none")
    for url in (f"/threads/{thread.id}", "/spaces/comms-chat"):
        page = client.get(url).get_data(as_text=True)
        assert "Stop watching" in page and not SWITCH.search(page)


def test_a_visitor_sees_no_switch_and_a_bad_next_goes_to_watching(app):
    space = make_space(app, "comms-chat")
    thread = make_thread(app, space, make_member(app))
    assert not SWITCH.search(app.test_client().get(f"/threads/{thread.id}").get_data(as_text=True))
    reader = make_member(app)
    client = signed_in(app, reader)
    watch(client, "thread", thread.id)
    page = client.get(f"/threads/{thread.id}").get_data(as_text=True)
    [action] = SWITCH.findall(page)
    response = submit(client, action, {"every_post": "on", "next": "https://evil.example/"},
                      form_url=f"/threads/{thread.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/watching")
