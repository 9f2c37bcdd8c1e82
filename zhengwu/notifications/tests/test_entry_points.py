"""The inbox over HTTP: the JSON API, the page, and the admin's "retry now" — each person sees
and marks only their own messages; another's answers 404, never 403."""

import pytest
from django.db import transaction

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.notifications import selectors, services
from zhengwu.notifications.models import Message, OutboxItem, OutboxStatus

pytestmark = pytest.mark.django_db

API = "/api/v1/notifications"


def _deliver(user, title, link="/cases/1/"):
    with transaction.atomic():
        services.notify(recipients=[user], title=title, body="正文", link=link, category="test")
    services.outbox_deliver(now=clock.now())
    return selectors.inbox_for(user).filter(title=title).get()


@pytest.fixture
def inboxes(applicant, clerk):
    return {"mine": [_deliver(applicant, "受理通知"), _deliver(applicant, "补正通知")],
            "theirs": _deliver(clerk, "待办提醒")}


# --- JSON API -------------------------------------------------------------------------------


def test_the_api_lists_only_the_callers_messages(client_for, applicant, inboxes):
    response = client_for(applicant).get(f"{API}/messages")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert {m["id"] for m in body["items"]} == {m.pk for m in inboxes["mine"]}
    assert [m["title"] for m in body["items"]] == ["补正通知", "受理通知"]  # newest first
    assert body["items"][0]["is_read"] is False
    page = client_for(applicant).get(f"{API}/messages?limit=1&offset=1").json()
    assert (page["count"], [m["title"] for m in page["items"]]) == (2, ["受理通知"])


def test_the_api_marks_a_message_read(client_for, applicant, inboxes):
    client = client_for(applicant)
    message = inboxes["mine"][0]
    response = client.post(f"{API}/messages/{message.pk}/read")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    assert client.get(f"{API}/messages/unread-count").json() == {"count": 1}
    unread = client.get(f"{API}/messages?unread=true").json()
    assert [m["title"] for m in unread["items"]] == ["补正通知"]


def test_the_api_answers_404_for_another_persons_message(client_for, applicant, inboxes):
    theirs = inboxes["theirs"]
    response = client_for(applicant).post(f"{API}/messages/{theirs.pk}/read")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client_for(applicant).post(f"{API}/messages/{2**63}/read").status_code == 422


def test_the_api_requires_sign_in(client_for, inboxes):
    assert client_for(None).get(f"{API}/messages").status_code == 401


# --- the inbox page -------------------------------------------------------------------------


def test_the_inbox_page_requires_sign_in(client_for):
    response = client_for(None).get("/notifications/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_inbox_page_shows_own_messages_with_unread_marked(client_for, applicant, inboxes):
    services.message_mark_read(message_id=inboxes["mine"][0].pk, user=applicant)
    response = client_for(applicant).get("/notifications/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "消息中心" in html
    assert "受理通知" in html
    assert "补正通知" in html
    assert "待办提醒" not in html
    assert html.count(">未读<") == 1
    assert "未读消息 <strong>1</strong> 条" in html
    unread_only = client_for(applicant).get("/notifications/?unread=1").content.decode()
    assert "补正通知" in unread_only
    assert "受理通知" not in unread_only


def test_marking_read_on_the_page(client_for, applicant, inboxes):
    client = client_for(applicant)
    first, second = inboxes["mine"]
    response = client.post(f"/notifications/{first.pk}/read/")
    assert (response.status_code, response["Location"]) == (302, "/notifications/")
    response = client.post(f"/notifications/{second.pk}/read/", {"open": "1"})
    assert (response.status_code, response["Location"]) == (302, "/cases/1/")
    assert selectors.unread_count(applicant) == 0


def test_marking_read_with_htmx_returns_the_message_partial(client_for, applicant, inboxes):
    message = inboxes["mine"][0]
    response = client_for(applicant).post(f"/notifications/{message.pk}/read/",
                                          HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="message-{message.pk}"' in html
    assert ">未读<" not in html


def test_the_page_answers_404_for_another_persons_message(client_for, applicant, inboxes):
    theirs = inboxes["theirs"]
    assert client_for(applicant).post(f"/notifications/{theirs.pk}/read/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_touches_only_own_messages(client_for, applicant, clerk, inboxes):
    response = client_for(applicant).post("/notifications/read-all/")
    assert response.status_code == 302
    assert selectors.unread_count(applicant) == 0
    assert selectors.unread_count(clerk) == 1


def test_a_redirect_never_leaves_the_site(client_for, applicant, inboxes):
    message = inboxes["mine"][0]
    response = client_for(applicant).post(f"/notifications/{message.pk}/read/",
                                          {"next": "https://evil.example/"})
    assert response["Location"] == "/notifications/"


# --- admin ----------------------------------------------------------------------------------


def test_the_admin_retries_a_failed_row_now(client, applicant, settings,
                                            django_capture_on_commit_callbacks):
    admin_user = User.objects.create_superuser("notify-admin", password="x-Pass-123456")
    client.force_login(admin_user)
    with transaction.atomic():
        [item] = services.notify(recipients=[applicant], title="t", body="b", category="t")
    OutboxItem.objects.filter(pk=item.pk).update(status=OutboxStatus.FAILED, attempts=10,
                                                 last_error="boom")
    changelist = "/admin/notifications/outboxitem/"
    assert client.get(changelist).status_code == 200
    assert client.get(f"{changelist}{item.pk}/change/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(changelist, {"action": "retry_now",
                                             "_selected_action": [item.pk]})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == OutboxStatus.SENT
    assert Message.objects.filter(outbox_item=item).exists()
    assert client.post(f"{changelist}{item.pk}/delete/").status_code == 403
