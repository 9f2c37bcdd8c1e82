"""A draw run on the process engine (issue 15 §1 Done means: "three parties commit and
reveal; the draw's result is recomputed from the published data; the draw's entries are in
the log and their inclusion proofs verify"), and the abort of a draw a party withholds."""

from __future__ import annotations

import base64
import datetime as dt
import json
import secrets
from typing import Any

import pytest
from django.test import Client

from zhengwu.accounts.models import User
from zhengwu.core import clock
from zhengwu.core.errors import InvalidInput
from zhengwu.draws import protocol, services
from zhengwu.draws.models import Draw, DrawStatus, PartyRole
from zhengwu.ledger import merkle
from zhengwu.ledger import services as ledger
from zhengwu.ledger.models import LedgerEntry

AGENCIES = {"91430481MA4L01014X": "耒阳示例建材有限公司", "91430481MA4L010063": "耒阳示例机械制造有限公司",
            "91430481MA4L01022Q": "耒阳示例物流有限公司", "91430481MA4L01030K": "耒阳示例软件有限公司"}


def _open(owner: User) -> Draw:
    now = clock.now()
    return services.draw_open(
        purpose="中介服务项目（测试）随机抽取", ref="test:1", candidates=AGENCIES, count=1,
        parties=[services.PartyIn(PartyRole.OWNER, "项目业主", owner),
                 services.PartyIn(PartyRole.PLATFORM, "平台"),
                 services.PartyIn(PartyRole.SUPERVISOR, "电子监察")],
        commit_due=now + dt.timedelta(days=1), reveal_due=now + dt.timedelta(days=2))


def _api(user: str | None) -> Client:
    client = Client()
    if user:
        client.force_login(User.objects.get(username=user))
    return client


def _move(client: Client, number: str, action: str, value: str) -> Any:
    return client.post(f"/api/v1/draws/{number}/moves", {"action": action, "value": value},
                       content_type="application/json")


def test_three_parties_commit_and_reveal_and_anyone_recomputes_the_draw(db: Any) -> None:
    row = _open(User.objects.get(username="renshe"))
    public = _api(None).get(f"/api/v1/draws/{row.number}").json()
    platform = public["parties"][1]
    assert platform["commitment"] and platform["secret"] == ""  # committed, not shown
    assert public["root"] == protocol.set_root(list(AGENCIES))
    owner_secret, supervisor_secret = secrets.token_hex(32), secrets.token_hex(32)
    owner, supervisor = _api("renshe"), _api("supervisor")
    assert _move(_api("canyin"), row.number, "commit", "ab" * 32).status_code == 403
    assert _move(owner, row.number, "reveal", owner_secret).status_code == 409  # too early
    assert _move(owner, row.number, "commit", "nothex").status_code == 422
    assert _move(owner, row.number, "commit", protocol.commitment(owner_secret)).status_code \
        == 200
    assert _move(owner, row.number, "commit", protocol.commitment(owner_secret)).status_code \
        == 409  # once
    after = _move(supervisor, row.number, "commit", protocol.commitment(supervisor_secret))
    assert after.json()["status"] == DrawStatus.REVEALING
    assert after.json()["parties"][1]["secret"]  # the platform revealed first
    wrong = _move(owner, row.number, "reveal", secrets.token_hex(32))
    assert wrong.status_code == 422 and wrong.json()["code"] == "draw.reveal_mismatch"
    assert _move(owner, row.number, "reveal", owner_secret).status_code == 200
    done = _move(supervisor, row.number, "reveal", supervisor_secret).json()
    assert done["status"] == DrawStatus.DRAWN and len(done["drawn"]) == 1

    # Recomputed from the published data alone, and every step is in the log.
    ids = [c["id"] for c in done["candidates"]]
    assert protocol.verify(ids, done["root"], [p["secret"] for p in done["parties"]],
                           [p["commitment"] for p in done["parties"]], count=done["count"],
                           drawn=done["drawn"])
    kinds = [e["kind"] for e in done["ledger"]]
    assert kinds == ["draw.open", "draw.commit", "draw.commit", "draw.commit", "draw.reveal",
                     "draw.reveal", "draw.reveal", "draw.result"]
    ledger.checkpoint_sign()
    head = _api(None).get("/api/v1/ledger/checkpoint").json()
    for ref in done["ledger"]:
        shown = _api(None).get(f"/api/v1/ledger/entries/{ref['index']}").json()
        content = base64.b64decode(shown["entry"])
        assert json.loads(content)["data"]["draw"] == row.number
        assert merkle.verify_inclusion(merkle.leaf_hash(content), ref["index"], head["size"],
                                       [bytes.fromhex(p) for p in shown["proof"]],
                                       bytes.fromhex(head["root"]))
    result = json.loads(base64.b64decode(_api(None).get(
        f"/api/v1/ledger/entries/{done['ledger'][-1]['index']}").json()["entry"]))
    assert result["data"]["drawn"] == done["drawn"] and result["data"]["seed"] == done["seed"]
    assert list(Draw.objects.get(pk=row.pk).events.values_list("action", flat=True)) == [
        "open", "commit", "commit", "start_reveal", "reveal", "reveal", "finish"]


def test_a_party_that_withholds_aborts_the_draw_and_is_named(db: Any) -> None:
    row = _open(User.objects.get(username="renshe"))
    services.draw_move(number=row.number, user=User.objects.get(username="supervisor"),
                       move=services.DrawMoveIn("commit", protocol.commitment("77" * 32)))
    assert services.overdue_abort(clock.now()) == "逾期中止抽取 0 次"
    assert services.overdue_abort(row.commit_due + dt.timedelta(seconds=1)) == "逾期中止抽取 1 次"
    row.refresh_from_db()
    assert row.status == DrawStatus.ABORTED and row.withheld == [1]  # the owner
    assert not row.parties.filter(held_secret__gt="").exists()
    with pytest.raises(Exception, match=r"已中止|不能"):
        services.draw_move(number=row.number, user=User.objects.get(username="renshe"),
                           move=services.DrawMoveIn("commit", "aa" * 32))


def _open_for(ref: str, owner: User) -> Draw:
    now = clock.now()
    return services.draw_open(
        purpose="中介服务项目（测试）随机抽取", ref=ref, candidates=AGENCIES, count=1,
        parties=[services.PartyIn(PartyRole.OWNER, "项目业主（市人社局）", owner),
                 services.PartyIn(PartyRole.PLATFORM, "平台"),
                 services.PartyIn(PartyRole.SUPERVISOR, "电子监察")],
        commit_due=now + dt.timedelta(days=1), reveal_due=now + dt.timedelta(days=2))


def test_a_party_that_withheld_a_reveal_is_left_out_of_the_redraw(db: Any) -> None:
    """draws.rules: the last to reveal could see the result first and abort it by silence; it
    is left out of every later draw of the same matter, visibly and in the log. Withholding a
    commitment costs nothing of the kind (nothing was known yet)."""
    renshe, supervisor = User.objects.get(username="renshe"), User.objects.get(username="supervisor")
    # Aborted at the commit stage: the owner is a party of the redraw.
    first = _open_for("test:redraw", renshe)
    services.overdue_abort(first.commit_due + dt.timedelta(seconds=1))
    second = _open_for("test:redraw", renshe)
    assert [p.role for p in second.parties.order_by("position")] == [
        "owner", "platform", "supervisor"] and second.excluded == []
    # Aborted at the reveal stage, the owner silent after everyone committed: left out.
    for user, secret in ((renshe, "11" * 32), (supervisor, "22" * 32)):
        services.draw_move(number=second.number, user=user,
                           move=services.DrawMoveIn("commit", protocol.commitment(secret)))
    services.draw_move(number=second.number, user=supervisor,
                       move=services.DrawMoveIn("reveal", "22" * 32))
    services.overdue_abort(second.reveal_due + dt.timedelta(seconds=1))
    second.refresh_from_db()
    assert second.status == DrawStatus.ABORTED and second.withheld == [1]
    third = _open_for("test:redraw", renshe)
    assert [p.role for p in third.parties.order_by("position")] == ["platform", "supervisor"]
    assert third.excluded == [{"draw": second.number, "role": "owner",
                               "label": "项目业主（市人社局）"}]
    public = _api(None).get(f"/api/v1/draws/{third.number}").json()
    assert public["excluded"] == third.excluded
    opened = LedgerEntry.objects.get(ref=f"draws.Draw:{third.pk}", kind="draw.open")
    assert json.loads(bytes(opened.entry))["data"]["excluded"] == third.excluded
    page = _api(None).get(f"/draws/{third.number}/").content.decode()
    assert f"前次抽取 <a href=\"/draws/{second.number}/\">{second.number}</a>" in page
    # Another matter is not affected.
    assert _open_for("test:other", renshe).excluded == []


def test_a_draw_is_opened_only_as_it_can_be_run(db: Any) -> None:
    now = clock.now()
    party = [services.PartyIn(PartyRole.PLATFORM, "平台"),
             services.PartyIn(PartyRole.SUPERVISOR, "电子监察")]
    for kwargs in ({"count": 9}, {"count": 0}, {"commit_due": now - dt.timedelta(1)},
                   {"parties": party[:1]}):
        args: dict[str, Any] = {"purpose": "测试", "ref": "", "candidates": AGENCIES,
                                "count": 1, "parties": party,
                                "commit_due": now + dt.timedelta(days=1),
                                "reveal_due": now + dt.timedelta(days=2), **kwargs}
        with pytest.raises(InvalidInput):
            services.draw_open(**args)
    assert not Draw.objects.exists() and ledger.size() == 0


def test_the_page_lets_each_party_commit_and_reveal_and_shows_how_to_recompute(db: Any) -> None:
    row = _open(User.objects.get(username="renshe"))
    anonymous = Client().get(f"/draws/{row.number}/").content.decode()
    assert "如何自行复算" in anonymous and "提交承诺值" not in anonymous
    owner = _api("renshe")
    bad = owner.post(f"/draws/{row.number}/", {"action": "commit", "value": "12"})
    assert bad.status_code == 422 and 'value="12"' in bad.content.decode()  # kept
    made = owner.post(f"/draws/{row.number}/", {"action": "generate"})
    text = made.content.decode()
    assert made.status_code == 200 and 'id="secret-shown"' in text
    secret = text.split('id="secret-shown"')[1].split('<p class="mono">')[1].split("<")[0]
    assert len(secret) == 64
    supervisor_secret = secrets.token_hex(32)
    _api("supervisor").post(f"/draws/{row.number}/", {
        "action": "commit", "value": protocol.commitment(supervisor_secret)})
    wrong = owner.post(f"/draws/{row.number}/", {"action": "reveal", "value": "ab" * 32})
    assert wrong.status_code == 422 and "不符" in wrong.content.decode()
    assert owner.post(f"/draws/{row.number}/", {"action": "reveal", "value": secret}
                      ).status_code == 302
    _api("supervisor").post(f"/draws/{row.number}/", {"action": "reveal",
                                                      "value": supervisor_secret})
    done = Client().get(f"/draws/{row.number}/").content.decode()
    assert "抽取结果" in done and Draw.objects.get(pk=row.pk).status == DrawStatus.DRAWN


def test_the_outside_script_recomputes_a_finished_draw(db: Any) -> None:
    """scripts/verify_draw.py (standard library only) against the published data."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.spec_from_file_location(
        "verify_draw", Path(__file__).resolve().parents[3] / "scripts" / "verify_draw.py")
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    row = _open(User.objects.get(username="renshe"))
    owner_secret, supervisor_secret = secrets.token_hex(32), secrets.token_hex(32)
    for user, secret in (("renshe", owner_secret), ("supervisor", supervisor_secret)):
        services.draw_move(number=row.number, user=User.objects.get(username=user),
                           move=services.DrawMoveIn("commit", protocol.commitment(secret)))
    for user, secret in (("renshe", owner_secret), ("supervisor", supervisor_secret)):
        services.draw_move(number=row.number, user=User.objects.get(username=user),
                           move=services.DrawMoveIn("reveal", secret))
    ledger.checkpoint_sign()
    client, said = Client(), list[str]()
    assert script.verify(row.number, lambda path: client.get(path).json(), said.append)
    assert sum(line.startswith("通过") for line in said) >= 12 and not any(
        line.startswith("不通过") for line in said)
    # A tampered publication is caught: the drawn swapped for another candidate.
    drawn = Draw.objects.get(pk=row.pk).drawn
    Draw.objects.filter(pk=row.pk).update(drawn=[c for c in AGENCIES if c not in drawn][:1])
    assert not script.verify(row.number, lambda path: client.get(path).json(), said.append)
