#!/usr/bin/env python3
"""kabar's fault-injection suite: real broker, real kabar, real faults; counts loss and duplicates.

Scenarios (each over --articles inputs, in each delivery mode):
  kill          kill -9 of kabar at random moments, --kills times, restarting it each time
  broker-stop   the broker stopped for --broker-down seconds mid-run, then restarted

For every run it reports inputs lost (must be 0), duplicates (must be 0 in exactly-once mode;
counted in at-least-once mode) and the time to recover (from the fault's end to the next output).
Results go to stdout and, with --write-docs, to docs/reliability.md.

    scripts/chaos/run.sh                       # both scenarios, both modes, 100,000 articles
    scripts/chaos/run.sh --articles 20000 --kills 5 --scenarios kill

Not part of CI (minutes per run); the normal suite has the short versions (tests/kafka.rs).
Still to come: rebalances under load and a three-broker cluster with a broker killed.
"""

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from confluent_kafka import Consumer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
KAFKA = os.path.join(ROOT, "deploy", "kafka", "kafka-local.sh")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(message):
    print(f"chaos: {message}", file=sys.stderr, flush=True)


class Broker:
    """A local broker whose data survives stop/start (KAFKA_DATA_DIR)."""

    def __init__(self, workdir):
        self.port = free_port()
        self.env = dict(
            os.environ,
            KAFKA_PORT=str(self.port),
            KAFKA_CONTROLLER_PORT=str(free_port()),
            KAFKA_DATA_DIR=os.path.join(workdir, "kafka-data"),
        )
        self.bootstrap = f"127.0.0.1:{self.port}"

    def start(self):
        subprocess.run(["bash", KAFKA, "start"], env=self.env, check=True, stdout=subprocess.DEVNULL)

    def stop(self):
        subprocess.run(["bash", KAFKA, "stop"], env=self.env, check=False, stdout=subprocess.DEVNULL)


class Kabar:
    def __init__(self, binary, broker, input_topic, output_topic, group, mode, workdir):
        self.binary, self.broker, self.mode = binary, broker, mode
        routes = os.path.join(workdir, f"routes-{output_topic}.toml")
        with open(routes, "w") as handle:
            handle.write(f'[[route]]\ntopic = "{output_topic}"\n')
        self.http = f"127.0.0.1:{free_port()}"
        self.args = [binary, "run", "--brokers", broker.bootstrap, "--input-topics", input_topic,
                     "--group-id", group, "--routes", routes, "--http-addr", self.http]
        self.env = dict(os.environ, KABAR_LOG_LEVEL="warn", KABAR_KAFKA_DELIVERY=mode,
                        KABAR_KAFKA_DEAD_LETTER_TOPIC=f"{output_topic}.dlq",
                        KABAR_KAFKA_TRANSACTIONAL_ID=f"{group}-txn")
        self.log = open(os.path.join(workdir, f"kabar-{output_topic}.log"), "ab")
        self.process = None

    def start(self):
        self.process = subprocess.Popen(self.args, env=self.env, stdout=self.log, stderr=self.log)

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def terminate(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.kill()


def end_offsets(bootstrap, topic, partitions):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"chaos-wm-{time.time()}",
                         "isolation.level": "read_committed"})
    total = 0
    for p in range(partitions):
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
        total += high
    consumer.close()
    return total


def read_ids(bootstrap, topic, partitions):
    """Every article id on the topic, committed data only (exactly-once readers' view)."""
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"chaos-read-{time.time()}",
                         "auto.offset.reset": "earliest", "enable.auto.commit": False,
                         "isolation.level": "read_committed"})
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    ids, idle_since = [], time.monotonic()
    while time.monotonic() - idle_since < 5:
        batch = consumer.consume(1000, timeout=0.5)
        if batch:
            idle_since = time.monotonic()
        for message in batch:
            if message.error():
                continue
            ids.append(json.loads(message.value())["id"])
    consumer.close()
    return ids


def wait_for_progress(bootstrap, topic, partitions, before, timeout=300):
    """Seconds until the topic grows past `before` (the recovery time), or None."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if end_offsets(bootstrap, topic, partitions) > before:
            return time.monotonic() - started
        time.sleep(0.2)
    return None


def wait_for_all(bootstrap, group, input_topic, partitions, timeout):
    """True once kabar's group has committed the end of every input partition."""
    target = end_offsets(bootstrap, input_topic, partitions)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": group})
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            committed = consumer.committed(
                [TopicPartition(input_topic, p) for p in range(partitions)], timeout=10)
            if sum(max(tp.offset, 0) for tp in committed) >= target:
                return True
            time.sleep(1)
    finally:
        consumer.close()
    return False


def run_scenario(args, broker, corpus, expected_ids, scenario, mode, workdir):
    tag = f"{scenario}.{mode}.{int(time.time())}"
    input_topic, output_topic = f"chaos.{tag}.raw", f"chaos.{tag}.out"
    admin = AdminClient({"bootstrap.servers": broker.bootstrap})
    for future in admin.create_topics([NewTopic(t, args.partitions, 1) for t in
                                       (input_topic, output_topic, f"{output_topic}.dlq")]).values():
        future.result()
    subprocess.run([args.kabar, "produce", input_topic, corpus, "--brokers", broker.bootstrap],
                   check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, KABAR_LOG_LEVEL="warn"))
    kabar = Kabar(args.kabar, broker, input_topic, output_topic, f"chaos-{tag}", mode, workdir)
    recoveries = []
    started = time.monotonic()
    kabar.start()
    random.seed(args.seed)
    if scenario == "kill":
        for _ in range(args.kills):
            time.sleep(random.uniform(0.5, 3.0))
            kabar.kill()
            before = end_offsets(broker.bootstrap, output_topic, args.partitions)
            kabar.start()
            if before >= len(expected_ids):
                continue  # already finished: no progress to wait for
            recoveries.append(wait_for_progress(broker.bootstrap, output_topic, args.partitions, before))
    elif scenario == "broker-stop":
        time.sleep(3)
        broker.stop()
        time.sleep(args.broker_down)
        broker.start()
        before = end_offsets(broker.bootstrap, output_topic, args.partitions)
        if before < len(expected_ids):
            recoveries.append(wait_for_progress(broker.bootstrap, output_topic, args.partitions, before))
        else:
            log("every output was out before the outage: use more --articles")
    finished = wait_for_all(broker.bootstrap, f"chaos-{tag}", input_topic, args.partitions, args.timeout)
    elapsed = time.monotonic() - started
    time.sleep(3)  # let any late duplicate land
    kabar.terminate()
    ids = read_ids(broker.bootstrap, output_topic, args.partitions)
    seen = set(ids)
    lost = len(expected_ids - seen)
    duplicates = len(ids) - len(seen)
    known = [r for r in recoveries if r is not None]
    return {
        "scenario": scenario, "mode": mode, "inputs": len(expected_ids), "finished": finished,
        "lost": lost, "duplicates": duplicates, "faults": len(recoveries),
        "recovery_median_s": round(sorted(known)[len(known) // 2], 2) if known else None,
        "recovery_max_s": round(max(known), 2) if known else None,
        "unrecovered": len(recoveries) - len(known), "seconds": round(elapsed, 1),
    }


def table(results):
    lines = ["| scenario | mode | inputs | lost | duplicates | faults | recovery median / max (s) | run (s) |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        lines.append(f"| {r['scenario']} | {r['mode']} | {r['inputs']:,} | {r['lost']} | {r['duplicates']} | "
                     f"{r['faults']} | {r['recovery_median_s']} / {r['recovery_max_s']} | {r['seconds']} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--broker-down", type=float, default=30.0)
    parser.add_argument("--scenarios", default="kill,broker-stop")
    parser.add_argument("--modes", default="at-least-once,exactly-once")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kabar", default=os.path.join(ROOT, "target", "release", "kabar"))
    parser.add_argument("--corpus-tool", default=os.path.join(ROOT, "target", "release", "examples", "bench_corpus"))
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="kabar-chaos-")
    corpus = os.path.join(workdir, "corpus.jsonl")
    with open(corpus, "w") as handle:
        subprocess.run([args.corpus_tool, "--count", str(args.articles)], check=True, stdout=handle)
    with open(corpus) as handle:
        expected_ids = {json.loads(line)["id"] for line in handle}
    broker = Broker(workdir)
    broker.start()
    results = []
    try:
        for scenario in args.scenarios.split(","):
            for mode in args.modes.split(","):
                log(f"{scenario} / {mode}: {args.articles} articles")
                result = run_scenario(args, broker, corpus, expected_ids, scenario, mode, workdir)
                log(json.dumps(result))
                results.append(result)
    finally:
        broker.stop()
    report = table(results)
    print(report)
    with open(os.path.join(workdir, "results.json"), "w") as handle:
        json.dump(results, handle, indent=2)
    log(f"logs and results in {workdir}")
    if args.write_docs:
        path = os.path.join(ROOT, "docs", "reliability.md")
        with open(path) as handle:
            text = handle.read()
        marker = "<!-- results -->"
        head = text.split(marker)[0]
        with open(path, "w") as handle:
            handle.write(head + marker + "\n\n" + report + "\n")
    bad = [r for r in results if r["lost"] or not r["finished"]
           or (r["mode"] == "exactly-once" and r["duplicates"])]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
