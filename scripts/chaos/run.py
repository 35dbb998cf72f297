#!/usr/bin/env python3
"""kabar's fault-injection suite: real brokers, real kabar, real faults; counts loss and duplicates.

Scenarios (each over --articles inputs, published at --rate while kabar runs, in each delivery
mode):
  kill          kill -9 of kabar at random moments, --kills times, restarting it each time
  broker-stop   the broker stopped for --broker-down seconds mid-run, then restarted
  rebalance     instances added to and removed from the group (SIGTERM and kill -9) under load,
                --rebalances membership changes, up to three instances
  broker-kill   a three-broker KRaft cluster (replication factor 3, min.insync.replicas 2):
                kill -9 of the broker coordinating kabar's group mid-run, restarted
                --broker-down seconds later

For every run it reports inputs lost (must be 0), duplicates (must be 0 in exactly-once mode;
counted in at-least-once mode) and the time to recover from each fault: from the fault's end
until the last input partition stalled by it (one with unread input and no committed progress)
commits again. Results go to stdout and, with --write-docs, to docs/reliability.md.

    scripts/chaos/run.sh                       # every scenario, both modes, 100,000 articles
    scripts/chaos/run.sh --articles 20000 --kills 5 --scenarios kill

kabar logs at `warn` into the run's folder; CHAOS_KABAR_LOG_LEVEL sets another filter (e.g.
"info,librdkafka=debug" with KABAR_KAFKA_CLIENT_DEBUG=cgrp to follow the group protocol).

Not part of CI (minutes per run); the normal suite has the short versions (tests/kafka.rs).
"""

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback

from confluent_kafka import Consumer, ConsumerGroupState, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KAFKA_LOCAL = os.path.join(ROOT, "deploy", "kafka", "kafka-local.sh")
KAFKA_CLUSTER = os.path.join(ROOT, "deploy", "kafka", "kafka-cluster.sh")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
CHILDREN = []  # every kabar process started, killed if a run fails


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(message):
    print(f"chaos: {message}", file=sys.stderr, flush=True)


class Broker:
    """One local broker whose data survives stop/start (KAFKA_DATA_DIR)."""

    replication = 1

    def __init__(self, workdir):
        self.port = free_port()
        self.env = dict(os.environ, KAFKA_PORT=str(self.port), KAFKA_CONTROLLER_PORT=str(free_port()),
                        KAFKA_DATA_DIR=os.path.join(workdir, "kafka-data"))
        self.bootstrap = f"127.0.0.1:{self.port}"

    def start(self):
        subprocess.run(["bash", KAFKA_LOCAL, "start"], env=self.env, check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        subprocess.run(["bash", KAFKA_LOCAL, "stop"], env=self.env, check=False, stdout=subprocess.DEVNULL)


class Cluster:
    """Three combined broker+controller nodes (deploy/kafka/kafka-cluster.sh)."""

    replication = 3

    def __init__(self, workdir):
        self.ports = [free_port() for _ in range(3)]
        self.env = dict(os.environ, KAFKA_CLUSTER_PORTS=",".join(map(str, self.ports)),
                        KAFKA_CLUSTER_CONTROLLER_PORTS=",".join(str(free_port()) for _ in range(3)),
                        KAFKA_CLUSTER_DIR=os.path.join(workdir, "kafka-cluster"))
        self.bootstrap = ",".join(f"127.0.0.1:{p}" for p in self.ports)

    def _run(self, *command, check=True):
        subprocess.run(["bash", KAFKA_CLUSTER, *command], env=self.env, check=check,
                       stdout=subprocess.DEVNULL)

    def start(self, node=None):
        self._run("start", *([str(node)] if node else []))

    def stop(self):
        self._run("stop", check=False)

    def kill(self, node):
        self._run("kill", str(node))


class Kabar:
    """One kabar instance; `slot` names it (its log and, exactly once, its transactional id)."""

    def __init__(self, binary, bootstrap, input_topic, output_topic, group, mode, workdir, slot):
        routes = os.path.join(workdir, f"routes-{output_topic}.toml")
        with open(routes, "w") as handle:
            handle.write(f'[[route]]\ntopic = "{output_topic}"\n')
        self.slot = slot
        self.args = [binary, "run", "--brokers", bootstrap, "--input-topics", input_topic,
                     "--group-id", group, "--routes", routes]
        self.env = dict(os.environ, KABAR_LOG_LEVEL=os.environ.get("CHAOS_KABAR_LOG_LEVEL", "warn"), KABAR_KAFKA_DELIVERY=mode,
                        KABAR_KAFKA_DEAD_LETTER_TOPIC=f"{output_topic}.dlq",
                        KABAR_KAFKA_TRANSACTIONAL_ID=f"{group}-txn-{slot}")
        self.log = open(os.path.join(workdir, f"kabar-{output_topic}-{slot}.log"), "ab")
        self.process = None
        self.wanted = False  # what an orchestrator would keep running
        self.exits = 0  # times it exited on its own and was restarted

    def running(self):
        return self.process is not None and self.process.poll() is None

    def start(self):
        self.wanted = True
        args = self.args + ["--http-addr", f"127.0.0.1:{free_port()}"]
        self.log.write(f"--- chaos: start {time.time():.3f}\n".encode())
        self.log.flush()
        self.process = subprocess.Popen(args, env=self.env, stdout=self.log, stderr=self.log)
        CHILDREN.append(self.process)

    def kill(self):
        self.wanted = False
        if self.running():
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def terminate(self):
        self.wanted = False
        if self.running():
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()


class Monitor(threading.Thread):
    """Samples the group's committed offsets and the input's end offsets, four times a second."""

    def __init__(self, bootstrap, group, topic, partitions):
        super().__init__(daemon=True)
        self.partitions = [TopicPartition(topic, p) for p in range(partitions)]
        self.config = {"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False}
        self.consumer = Consumer(self.config)
        self.samples = []  # (time, [committed], [end])
        self.halt = threading.Event()

    def run(self):
        while not self.halt.is_set():
            try:
                committed = [max(tp.offset, 0) for tp in self.consumer.committed(self.partitions, timeout=2)]
                ends = [self.consumer.get_watermark_offsets(tp, timeout=2)[1] for tp in self.partitions]
                self.samples.append((time.monotonic(), committed, ends))
            except Exception:  # broker away: no sample; a new client looks the coordinator up again
                self.consumer.close()
                self.consumer = Consumer(self.config)
            self.halt.wait(0.25)

    def latest(self):
        return self.samples[-1] if self.samples else (time.monotonic(), [0], [1])

    def backlog(self):
        _, committed, ends = self.latest()
        return sum(e - c for c, e in zip(committed, ends))

    def stop(self):
        self.halt.set()
        self.join()
        self.consumer.close()

    def progressed_after(self, since):
        """True once every partition with unread input at `since` has committed past it."""
        samples = [s for s in self.samples if s[0] >= since]
        if len(samples) < 2:
            return False
        _, c0, e0 = samples[0]
        _, c, _ = samples[-1]
        return all(c[p] > c0[p] for p in range(len(c0)) if c0[p] < e0[p])


class Supervisor(threading.Thread):
    """Restarts an instance that exited on its own, as an orchestrator would (kabar stops on
    errors it cannot handle in-process, e.g. an exactly-once producer fenced or stuck)."""

    def __init__(self, instances):
        super().__init__(daemon=True)
        self.instances, self.halt = instances, threading.Event()
        self.lock = threading.Lock()

    def run(self):
        while not self.halt.wait(1.0):
            with self.lock:
                for kabar in self.instances.values():
                    if kabar.wanted and not kabar.running():
                        log(f"instance {kabar.slot} exited ({kabar.process.returncode}): restarting it")
                        kabar.exits += 1
                        kabar.start()

    def stop(self):
        self.halt.set()
        self.join()

def recover(monitor, admin, group, members, fault_end, timeout=180):
    """Seconds from `fault_end` until the group is stable with `members` members and every input
    partition with unread input has committed progress since then; None after `timeout`."""
    deadline = fault_end + timeout
    stable_at = None
    while time.monotonic() < deadline:
        if stable_at is None:
            try:
                description = admin.describe_consumer_groups([group])[group].result(timeout=5)
                if (description.state == ConsumerGroupState.STABLE
                        and len(description.members) == members):
                    stable_at = time.monotonic()
            except Exception:  # coordinator away: a new client looks it up again
                admin = AdminClient({"bootstrap.servers": monitor.config["bootstrap.servers"]})
        elif monitor.progressed_after(stable_at):
            return time.monotonic() - fault_end
        time.sleep(0.25)
    return None


def read_ids(bootstrap, topic, partitions, field=True):
    """Every article id on the topic, committed data only (exactly-once readers' view)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"chaos-read-{time.time()}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False,
                         "isolation.level": "read_committed"})
    ends = [consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)[1]
            for p in range(partitions)]
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    ids, idle_since = [], time.monotonic()
    while time.monotonic() - idle_since < 10:
        batch = consumer.consume(1000, timeout=0.5)
        if batch:
            idle_since = time.monotonic()
        for message in batch:
            if message.error():
                continue
            ids.append(json.loads(message.value())["id"] if field else message.key().decode())
        positions = consumer.position([TopicPartition(topic, p) for p in range(partitions)])
        if all(tp.offset >= end for tp, end in zip(positions, ends)):
            break
    consumer.close()
    return ids


def group_coordinator(bootstrap, group):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    description = admin.describe_consumer_groups([group])[group].result(timeout=20)
    return description.coordinator.id


def scenario_rate(args, scenario):
    """The input rate: --rate, slower for `kill` so the input outlasts the kills (each one waits
    out the dead member's 10 s session, so about 12 s per kill)."""
    if scenario == "kill":
        return min(args.rate, args.articles / (args.kills * 12.0))
    return args.rate


def run_scenario(args, server, corpus, expected_ids, scenario, mode, workdir):
    tag = f"{scenario}.{mode}.{int(time.time())}"
    group = f"chaos-{tag}"
    input_topic, output_topic = f"chaos.{tag}.raw", f"chaos.{tag}.out"
    admin = AdminClient({"bootstrap.servers": server.bootstrap})
    config = {"min.insync.replicas": "2"} if server.replication > 1 else {}
    for future in admin.create_topics([NewTopic(t, args.partitions, server.replication, config=config)
                                       for t in (input_topic, output_topic, f"{output_topic}.dlq")]).values():
        future.result()
    slots = ["a", "b", "c"] if scenario == "rebalance" else ["a"]
    instances = {slot: Kabar(args.kabar, server.bootstrap, input_topic, output_topic, group, mode,
                             workdir, slot) for slot in slots}
    monitor = Monitor(server.bootstrap, group, input_topic, args.partitions)
    monitor.start()
    producer_log = open(os.path.join(workdir, f"produce-{tag}.log"), "ab")
    rate = scenario_rate(args, scenario)
    producer = subprocess.Popen(
        [args.kabar, "produce", input_topic, corpus, "--brokers", server.bootstrap, "--rate", str(rate)],
        stdout=producer_log, stderr=producer_log, env=dict(os.environ, KABAR_LOG_LEVEL="warn"))
    CHILDREN.append(producer)
    faults = []  # (kind, fault start, fault end, backlog at the fault)
    rng = random.Random(args.seed)
    started = time.monotonic()
    instances["a"].start()
    supervisor = Supervisor(instances)
    supervisor.start()
    time.sleep(5)

    def fault(kind, action, then=None):
        backlog = monitor.backlog()
        began = time.monotonic()
        with supervisor.lock:
            action()
            if then:
                then()
        end = time.monotonic()
        members = sum(1 for kabar in instances.values() if kabar.running())
        recovery = recover(monitor, admin, group, members, end)
        faults.append((kind, began, end, backlog, recovery))
        log(f"{kind}: backlog {backlog}, recovered in {recovery} s")
        return end

    if scenario == "kill":
        kabar = instances["a"]
        for _ in range(args.kills):
            time.sleep(rng.uniform(0.5, 3.0))
            fault("kill -9", kabar.kill, kabar.start)
    elif scenario == "broker-stop":
        fault("broker stop", server.stop, lambda: (time.sleep(args.broker_down), server.start()))
    elif scenario == "rebalance":
        steps = [("start", "b"), ("start", "c"), ("term", "a"), ("start", "a"), ("kill", "b"),
                 ("start", "b"), ("term", "c"), ("kill", "a"), ("start", "a"), ("start", "c"),
                 ("term", "b"), ("term", "c")]
        for what, slot in (steps * (args.rebalances // len(steps) + 1))[:args.rebalances]:
            time.sleep(rng.uniform(2.0, 5.0))
            kabar = instances[slot]
            action = {"start": kabar.start, "term": kabar.terminate, "kill": kabar.kill}[what]
            fault(f"{what} {slot}", action)
        for slot in slots:  # at least one instance to finish with
            if instances[slot].running():
                break
        else:
            instances["a"].start()
    elif scenario == "broker-kill":
        time.sleep(rng.uniform(3.0, 8.0))
        node = group_coordinator(server.bootstrap, group)
        log(f"killing node {node}, the coordinator of {group}")
        end = fault(f"kill -9 broker {node}", lambda: server.kill(node))
        time.sleep(max(0.0, end + args.broker_down - time.monotonic()))
        server.start(node)
    producer.wait()
    produced_ok = producer.returncode == 0
    deadline = time.monotonic() + args.timeout
    finished = False
    while time.monotonic() < deadline and not finished:
        _, committed, _ = monitor.latest()
        finished = sum(committed) >= len(expected_ids)
        time.sleep(1)
    elapsed = time.monotonic() - started
    time.sleep(3)  # let any late duplicate land
    supervisor.stop()
    for kabar in instances.values():
        kabar.terminate()
    monitor.stop()
    with open(os.path.join(workdir, f"offsets-{tag}.jsonl"), "w") as handle:
        for t, committed, ends in monitor.samples:
            handle.write(json.dumps([round(t - started, 2), committed, ends]) + "\n")
    for f in faults:
        log(f"{f[0]} at {f[1] - started:.1f} s, over at {f[2] - started:.1f} s")
    inputs = read_ids(server.bootstrap, input_topic, args.partitions, field=False)
    ids = read_ids(server.bootstrap, output_topic, args.partitions)
    dead = read_ids(server.bootstrap, f"{output_topic}.dlq", args.partitions, field=False)
    seen = set(ids) | set(dead)
    recoveries = [f[4] for f in faults]
    known = [r for r in recoveries if r is not None]
    result = {
        "scenario": scenario, "mode": mode, "inputs": len(expected_ids), "rate": round(rate),
        "inputs_on_topic": len(inputs), "produced_ok": produced_ok, "finished": finished,
        "outputs": len(ids), "dead_letters": len(dead),
        "lost": len(expected_ids - seen), "duplicates": len(ids) + len(dead) - len(seen),
        "faults": len(faults), "mid_stream": sum(1 for f in faults if f[3] > 0),
        "self_exits": sum(kabar.exits for kabar in instances.values()),
        "recovery_median_s": round(statistics.median(known), 2) if known else None,
        "recovery_max_s": round(max(known), 2) if known else None,
        "unrecovered": len(recoveries) - len(known), "seconds": round(elapsed, 1),
        "fault_log": [{"fault": f[0], "at_s": round(f[1] - started, 1), "backlog": f[3],
                       "recovery_s": None if r is None else round(r, 2)} for f, r in zip(faults, recoveries)],
    }
    return result


def table(results, args):
    lines = ["| scenario | mode | articles | input rate (/s) | faults (mid-stream) | lost | duplicates | "
             "recovery median / max (s) | kabar exits | run (s) |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        note = "" if r["finished"] else " (not finished)"
        unrecovered = f" ({r['unrecovered']} not in 180 s)" if r["unrecovered"] else ""
        lines.append(f"| {r['scenario']} | {r['mode']} | {r['inputs']:,}{note} | {r['rate']} | {r['faults']} ({r['mid_stream']}) | "
                     f"{r['lost']} | {r['duplicates']} | {r['recovery_median_s']} / {r['recovery_max_s']}{unrecovered} | "
                     f"{r['self_exits']} | {r['seconds']} |")
    lines.append("")
    lines.append(f"`{' '.join(['scripts/chaos/run.sh'] + sys.argv[1:])}`: {args.articles:,} articles per run, "
                 f"{args.partitions} partitions, seed {args.seed}; "
                 f"{time.strftime('%Y-%m-%d', time.gmtime())}, {os.cpu_count()} cores.")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=1000.0, help="input articles per second")
    parser.add_argument("--partitions", type=int, default=6)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--rebalances", type=int, default=12)
    parser.add_argument("--broker-down", type=float, default=30.0)
    parser.add_argument("--scenarios", default="kill,broker-stop,rebalance,broker-kill")
    parser.add_argument("--modes", default="at-least-once,exactly-once")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kabar", default=os.path.join(TARGET, "release", "kabar"))
    parser.add_argument("--corpus-tool", default=os.path.join(TARGET, "release", "examples", "bench_corpus"))
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="kabar-chaos-")
    log(f"logs and results in {workdir}")
    corpus = os.path.join(workdir, "corpus.jsonl")
    with open(corpus, "w") as handle:
        subprocess.run([args.corpus_tool, "--count", str(args.articles)], check=True, stdout=handle)
    with open(corpus) as handle:
        expected_ids = {json.loads(line)["id"] for line in handle}
    scenarios = args.scenarios.split(",")
    results = []
    for servers, wanted in ((Broker, [s for s in scenarios if s != "broker-kill"]),
                            (Cluster, [s for s in scenarios if s == "broker-kill"])):
        if not wanted:
            continue
        server = servers(workdir)
        server.start()
        try:
            for scenario in wanted:
                for mode in args.modes.split(","):
                    log(f"{scenario} / {mode}: {args.articles} articles")
                    try:
                        result = run_scenario(args, server, corpus, expected_ids, scenario, mode, workdir)
                    except Exception:
                        log(f"{scenario} / {mode} failed:\n{traceback.format_exc()}")
                        for child in CHILDREN:
                            if child.poll() is None:
                                child.kill()
                        raise
                    log(json.dumps({k: v for k, v in result.items() if k != "fault_log"}))
                    results.append(result)
                    with open(os.path.join(workdir, "results.json"), "w") as handle:
                        json.dump(results, handle, indent=2)
        finally:
            server.stop()
    report = table(results, args)
    print(report)
    log(f"logs and results in {workdir}")
    if args.write_docs:
        path = os.path.join(ROOT, "docs", "reliability.md")
        with open(path) as handle:
            text = handle.read()
        # Only what lies between the markers is replaced; sections after them (fuzzing) stay.
        start, end = "<!-- results -->", "<!-- /results -->"
        head = text.split(start)[0]
        tail = text.split(end, 1)[1] if end in text else "\n"
        with open(path, "w") as handle:
            handle.write(head + start + "\n\n" + report + "\n" + end + tail)
    bad = [r for r in results if r["lost"] or not r["finished"] or not r["produced_ok"]
           or r["inputs_on_topic"] != r["inputs"] or (r["mode"] == "exactly-once" and r["duplicates"])]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
