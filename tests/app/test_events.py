import asyncio
import json
import os
import uuid

import pytest
import redis
from asgiref.sync import async_to_sync
from django.contrib.auth.models import AnonymousUser

from generations.live.events import VersionChannelManager, current_event_id, event_data, publish
from generations.live.relay import DatabaseRelay, RedisRelay
from generations.live.streams import hub
from orchestrator.stages import ProgressEvent
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db

CONTRACT = {"generation_id", "version", "status", "stage", "message", "progress", "timestamp"}


def test_event_data_carries_the_contract_fields_and_extras(make_version):
    version = make_version(number=1)
    data = event_data(
        version,
        ProgressEvent("file_generated", "processing", "Wrote a.py", 0.62, extra={"file": "a.py"}),
    )
    assert set(data) >= CONTRACT
    assert (data["generation_id"], data["version"], data["file"]) == (
        str(version.generation_id),
        1,
        "a.py",
    )


@pytest.fixture
def channel(make_version):
    return make_version().channel


def test_the_owner_may_read_the_channel(user, channel):
    assert VersionChannelManager().can_read_channel(user, channel)


def test_staff_may_read_any_channel(staff_user, channel):
    assert VersionChannelManager().can_read_channel(staff_user, channel)


@pytest.mark.parametrize("who", ["other", "anonymous", "none"])
def test_others_are_refused(who, other_user, channel):
    reader = {"other": other_user, "anonymous": AnonymousUser(), "none": None}[who]
    assert not VersionChannelManager().can_read_channel(reader, channel)


@pytest.mark.parametrize(
    "forged",
    [
        "version-1",
        "version-../../x",
        "events",
        "",
        "version-00000000-0000-0000-0000-000000000000-1",
    ],
)
def test_guessed_or_forged_channel_names_are_refused(user, staff_user, forged):
    assert not VersionChannelManager().can_read_channel(user, forged)
    assert not VersionChannelManager().can_read_channel(staff_user, forged)


def test_a_version_that_does_not_exist_is_refused_even_to_the_owner(user, make_version):
    version = make_version()
    channel = f"version-{version.generation_id}-7"
    assert not VersionChannelManager().can_read_channel(user, channel)


async def read_stream(response) -> str:
    return b"".join([part async for part in response.streaming_content]).decode()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["other", "anonymous"])
def test_the_stream_is_refused_with_a_stream_error_and_no_events(
    client, other_user, make_version, who
):
    version = make_version()
    publish(version, ProgressEvent("queued", "queued", "secret prompt inside", 0.0))
    if who == "other":
        client.force_login(other_user)
    response = client.get(
        f"/generations/{version.generation_id}/v1/events/?lastEventId={version.channel}:0"
    )
    body = async_to_sync(read_stream)(response)
    assert "event: stream-error" in body
    assert '"condition": "forbidden"' in body
    assert "secret prompt" not in body
    assert "retry: 86400000\n" in body, "the browser must not reconnect every 3 s"


@pytest.mark.django_db(transaction=True)
def test_the_owner_replays_events_after_the_last_event_id(owner_client, make_version):
    version = make_version()
    for stage in ("queued", "iteration_start"):
        publish(version, ProgressEvent(stage, "processing", stage, 0.0))
    publish(version, ProgressEvent("iteration_complete", "completed", "done", 1.0))
    response = owner_client.get(
        f"/generations/{version.generation_id}/v1/events/?lastEventId={version.channel}:1"
    )
    # The stream stays open after replaying; read only what it sends first.
    first = async_to_sync(first_chunk)(response)
    assert '"stage": "queued"' not in first  # id 1 was already seen
    assert '"stage": "iteration_start"' in first
    assert "event: done" in first


async def first_chunk(response, until: str = "event: done") -> str:
    """What an open stream sends until `until` appears (it stays open after)."""
    iterator = aiter(response.streaming_content)
    text = ""
    while until not in text:
        text += (await anext(iterator)).decode()
    await iterator.aclose()
    return text


def test_current_event_id_names_the_channel_and_its_last_event(make_version):
    version = make_version()
    assert current_event_id(version) == f"{version.channel}:0"
    publish(version, ProgressEvent("queued", "queued", "Waiting", 0.0))
    publish(version, ProgressEvent("iteration_start", "processing", "Start", 0.05))
    assert current_event_id(version) == f"{version.channel}:2"


class ImmediateLoop:
    def call_soon_threadsafe(self, function, *args) -> None:
        function(*args)


class StubStream:
    """Stands in for a stream: what the hub hands it is kept in `pushed`, at once."""

    loop = ImmediateLoop()
    user_channel = None

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.pushed = []
        self.queue = self  # the hub calls queue.put_nowait

    def put_nowait(self, events) -> None:
        self.pushed.append(events)


@pytest.fixture
def listening(make_version):
    version = make_version()
    streams = [StubStream(version.channel) for _ in range(3)]
    for stream in streams:
        hub.add(stream)
    yield version, streams
    for stream in streams:
        hub.remove(stream)


def test_the_relay_reads_new_events_once_for_all_streams_of_a_channel(
    listening, django_assert_num_queries
):
    version, streams = listening
    relay = DatabaseRelay(interval=1)
    relay.poll_once()  # first sight: each stream is told to check the database itself
    assert [s.pushed for s in streams] == [[None]] * 3
    assert relay.poll_once() == 0  # nothing new
    for n in (1, 2):
        publish(version, ProgressEvent("iteration_start", "processing", f"step {n}", 0.05))
    with django_assert_num_queries(2):  # the counters, then the channel's new events once
        assert relay.poll_once() == 1
    delivered = [s.pushed[-1] for s in streams]
    assert delivered[0] == delivered[1] == delivered[2]
    assert [json.loads(event.data)["message"] for event in delivered[0]] == ["step 1", "step 2"]


class FakePubSub:
    """Plays a script to RedisRelay._listen: messages, a lost connection, then a stop."""

    def __init__(self, script, relay, subscribed):
        self.script, self.relay, self.subscribed = script, relay, subscribed

    def subscribe(self, channel):
        self.subscribed.append(channel)

    def get_message(self, timeout):
        step = self.script.pop(0)
        if step == "lost":
            raise redis.ConnectionError("connection reset")
        if step == "stop":
            self.relay.stop()
            return None
        return step


def test_the_redis_relay_looks_on_each_hint_and_again_after_resubscribing(monkeypatch):
    hints, subscribed = [], []
    relay = RedisRelay("redis://127.0.0.1:1/0", "iterum:events", lambda: hints.append(1))
    message = {"type": "message", "data": b"version-x-1"}
    script = [None, message, "lost", message, message, {"type": "pong"}, "stop"]

    class FakeClient:
        def pubsub(self, ignore_subscribe_messages):
            assert ignore_subscribe_messages
            return FakePubSub(script, relay, subscribed)

    monkeypatch.setattr(redis.Redis, "from_url", lambda url, **options: FakeClient())
    monkeypatch.setattr(relay._stop, "wait", lambda seconds: None)  # the pause before retrying
    relay._listen()  # returns once stopped
    # a look at each subscription (hints sent before it may be lost), one per message
    assert subscribed == ["iterum:events", "iterum:events"]
    assert len(hints) == 1 + 1 + 1 + 2
    assert script == []


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set")
def test_the_redis_relay_carries_hints_between_processes():
    hints = []
    name = f"iterum-test:{uuid.uuid4()}"
    relay = RedisRelay(os.environ["REDIS_URL"], name, lambda: hints.append(1))
    relay.start()
    try:
        wait_until(lambda: hints, "the relay never looked after subscribing")
        before = len(hints)
        relay.notify("version-x-1")
        wait_until(lambda: len(hints) > before, "the hint never arrived")
        assert len(hints) == before + 1
    finally:
        relay.stop()


def test_a_stream_skips_what_it_has_and_rereads_after_a_gap(monkeypatch):
    from generations.live import streams

    stored = [streams.StoredEvent("c", n, "progress", f'{{"n": {n}}}') for n in range(1, 6)]

    def read(channel, after, limit=500):
        return [event for event in stored if event.id > after]

    monkeypatch.setattr(streams, "read_events", read)

    async def scenario() -> list[int]:
        stream = streams.Stream("c", last_id=1)
        body = streams.serve(stream)
        await anext(body)  # stream-open
        seen = await anext(body)  # catch-up: 2..5
        streams.hub.deliver("c", [stored[3], stored[4]])  # 4 and 5 again: skipped
        stored.extend(streams.StoredEvent("c", n, "progress", "{}") for n in (6, 7))
        streams.hub.deliver("c", [stored[6]])  # 7 without 6: a gap, so the database is read
        seen += await anext(body)
        await body.aclose()
        return [int(line.rsplit(":", 1)[1]) for line in seen.splitlines() if line.startswith("id:")]

    assert asyncio.run(scenario()) == [2, 3, 4, 5, 6, 7]


def test_the_relay_does_nothing_without_streams(django_assert_num_queries):
    relay = DatabaseRelay(interval=1)
    with django_assert_num_queries(0):
        assert relay.poll_once() == 0


@pytest.mark.django_db(transaction=True)
def test_after_logout_a_reconnect_is_refused(owner_client, make_version):
    version = make_version()
    publish(version, ProgressEvent("queued", "queued", "Waiting", 0.0))
    url = f"/generations/{version.generation_id}/v1/events/?lastEventId={version.channel}:0"
    owner_client.post("/accounts/logout/")
    body = async_to_sync(read_stream)(owner_client.get(url))
    assert "event: stream-error" in body
    assert "Waiting" not in body


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "forged",
    [
        "version-{other}-1:0",  # another user's channel, named in the id
        "{channel}:-5",
        "{channel}:999999",
        "not-an-id",
        "{channel}:0,version-{other}-1:0",
    ],
)
def test_forged_last_event_ids_never_reveal_another_channel(
    owner_client, other_user, make_version, make_generation, forged
):
    mine = make_version()
    theirs = make_version(generation=make_generation(owner=other_user, title="Theirs"))
    publish(theirs, ProgressEvent("queued", "queued", "their secret", 0.0))
    publish(mine, ProgressEvent("queued", "queued", "mine", 0.0))
    last_id = forged.format(channel=mine.channel, other=theirs.generation_id)
    response = owner_client.get(
        f"/generations/{mine.generation_id}/v1/events/", {"lastEventId": last_id}
    )
    if response.streaming:
        iterator = aiter(response.streaming_content)

        async def first_part() -> bytes:
            part = await anext(iterator)
            await iterator.aclose()
            return part

        body = async_to_sync(first_part)().decode()
    else:
        body = response.content.decode()
    assert "their secret" not in body
    assert theirs.channel not in body
