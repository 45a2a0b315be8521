"""`floorpulse edge`: run the agent; `floorpulse edge status`: what its queue holds."""

import json
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from floorpulse.demo.generator import Factory
from floorpulse.edge.agent import EdgeAgent, MqttTarget
from floorpulse.edge.queue import EdgeQueue, Status, WhenFull
from floorpulse.edge.settings import EdgeSettings
from floorpulse.edge.sources import Chunk, follow, from_lines, mqtt, simulate

app = typer.Typer(help="The edge agent: store-and-forward of camera events to FloorPulse.")

Queue = Annotated[Path | None, typer.Option(help="Queue file [FLOORPULSE_EDGE_QUEUE_PATH]")]


@app.callback(invoke_without_command=True)
def edge(
    ctx: typer.Context,
    server: Annotated[str | None, typer.Option(help="FloorPulse URL [..._SERVER_URL]")] = None,
    queue: Queue = None,
    capacity: Annotated[int | None, typer.Option(help="Queue bound, events")] = None,
    when_full: Annotated[WhenFull | None, typer.Option(help="Policy of a full queue")] = None,
    follow_file: Annotated[
        Path | None, typer.Option("--follow", help="Follow this file of JSON lines")
    ] = None,
    mqtt_topic: Annotated[str | None, typer.Option(help="Read this MQTT topic")] = None,
    publish_topic: Annotated[
        str | None,
        typer.Option(help="Publish to this MQTT topic instead of posting [..._PUBLISH_TOPIC]"),
    ] = None,
    simulate_cameras: Annotated[
        int | None, typer.Option("--simulate", help="Simulate N cameras (and workers)")
    ] = None,
    seed: Annotated[int, typer.Option(help="Simulator seed")] = 0,
) -> None:
    """Forward events from stdin (JSON lines), a file, MQTT or the simulator to the server."""
    if ctx.invoked_subcommand:
        return
    settings = _settings(server, queue, capacity, when_full, publish_topic)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    store = EdgeQueue(
        settings.queue_path, capacity=settings.queue_capacity, when_full=settings.when_full
    )
    key = settings.api_key.get_secret_value() if settings.api_key else None
    agent = EdgeAgent(
        store,
        settings.server_url,
        batch_size=settings.batch_size,
        timeout_s=settings.timeout_s,
        api_key=key,
        publish=_target(settings),
    )
    signal.signal(signal.SIGTERM, lambda *_: agent.stop.set())
    chunks, drain = _source(
        settings, store, agent.stop, follow_file, mqtt_topic, simulate_cameras, seed
    )
    typer.echo(
        f"edge agent {store.agent_id}: queue {settings.queue_path} -> {_destination(settings)}"
    )
    try:
        agent.run(chunks, drain=drain)
    except KeyboardInterrupt:
        agent.close()


@app.command()
def status(
    queue: Queue = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Queue depth, oldest queued event, last success and error counts."""
    settings = EdgeSettings()
    path = queue or settings.queue_path
    if not path.exists():
        typer.echo(f"no queue at {path}: the agent has not run here", err=True)
        raise typer.Exit(1)
    store = EdgeQueue(path, capacity=None)  # as the agent last set it
    report = store.status()
    store.close()
    typer.echo(json.dumps(asdict(report)) if as_json else _describe(report))


def _settings(
    server: str | None,
    queue: Path | None,
    capacity: int | None,
    when_full: WhenFull | None,
    publish_topic: str | None = None,
) -> EdgeSettings:
    given = {
        "server_url": server,
        "queue_path": queue,
        "queue_capacity": capacity,
        "when_full": when_full,
        "publish_topic": publish_topic,
    }
    overrides = {key: value for key, value in given.items() if value is not None}
    return EdgeSettings(**overrides)  # type: ignore[arg-type]


def _target(settings: EdgeSettings) -> MqttTarget | None:
    if settings.publish_topic is None:
        return None
    return MqttTarget(settings.mqtt_host, settings.mqtt_port, settings.publish_topic)


def _destination(settings: EdgeSettings) -> str:
    if settings.publish_topic is None:
        return settings.server_url
    return f"mqtt://{settings.mqtt_host}:{settings.mqtt_port}/{settings.publish_topic}"


def _source(
    settings: EdgeSettings,
    store: EdgeQueue,
    stop: threading.Event,
    follow_file: Path | None,
    mqtt_topic: str | None,
    cameras: int | None,
    seed: int,
) -> tuple[Iterator[Chunk], bool]:
    """The chosen source, and whether the agent ends with it (only stdin ends)."""
    chosen = [s for s in (follow_file, mqtt_topic, cameras) if s is not None]
    if len(chosen) > 1:
        raise typer.BadParameter("choose one source: --follow, --mqtt-topic or --simulate")
    if follow_file is not None:
        start = store.position(f"file:{follow_file.resolve()}")
        return follow(follow_file, start, stop), False
    if mqtt_topic is not None:
        return mqtt(settings.mqtt_host, settings.mqtt_port, mqtt_topic, stop), False
    if cameras is not None:
        factory = Factory(workers=cameras, stations=cameras, seed=seed)
        return simulate(factory, datetime.now(UTC), stop), False
    return from_lines(sys.stdin), True


def _describe(report: Status) -> str:
    def when(epoch_us: int | None, otherwise: str) -> str:
        if epoch_us is None:
            return otherwise
        return datetime.fromtimestamp(epoch_us / 1e6, UTC).isoformat()

    counters = ", ".join(f"{name} {value}" for name, value in sorted(report.counters.items()))
    oldest = when(report.oldest_event_us, "none (the queue is empty)")
    if report.oldest_event_us is not None:
        oldest += " (event time)"
    lines = [
        f"queued:        {report.depth} of {report.capacity} events",
        f"oldest queued: {oldest}",
        f"last success:  {when(report.last_success_us, 'never')}",
        f"last error:    {report.last_error or 'none'}",
        f"dead letters:  {report.dead_letters}",
        f"counts:        {counters}",
    ]
    lines += [
        f"camera {camera}: last seq {seqs['last_seq']}, forwarded up to "
        f"{'none yet' if seqs['forwarded_seq'] is None else seqs['forwarded_seq']}"
        for camera, seqs in report.cameras.items()
    ]
    return "\n".join(lines)
