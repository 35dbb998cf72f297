#!/usr/bin/env python3
"""kabar's end-to-end load benchmark; run through scripts/bench/run.sh, which builds kabar,
prepares the virtual environment, starts the broker and generates the corpus.

On one broker and one input topic, in one run: kabar's passthrough (its own consumer and
producer, no enrichment: the ceiling), kabar at full speed, two kabar instances in one group,
kabar at half its full speed with a burst of ten times that rate, and the Python reference
pipeline. Throughput comes from the output messages' timestamps (first to last), latency from
each input message's timestamp to its output's (matched by key), memory from /proc VmHWM,
readiness from polling /healthz and /readyz. Writes report.json and report.md.
"""

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from confluent_kafka import Consumer, KafkaException, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

CLK_TCK = os.sysconf("SC_CLK_TCK")
HERE = Path(__file__).resolve().parent


def log(message):
    print(f"bench: {message}", file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(sorted_values, fraction):
    if not sorted_values:
        return None
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


class Process:
    """A child process whose memory and CPU time are read from /proc."""

    def __init__(self, argv, env, log_path):
        self.log = open(log_path, "ab")
        self.started = time.monotonic()
        self.popen = subprocess.Popen(argv, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.pid = self.popen.pid

    def status(self, field):
        try:
            with open(f"/proc/{self.pid}/status", encoding="ascii") as status:
                for line in status:
                    if line.startswith(field + ":"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return None

    def cpu_seconds(self):
        try:
            with open(f"/proc/{self.pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / CLK_TCK
        except OSError:
            return None

    def stop(self):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(60)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        self.log.close()


class Bench:
    def __init__(self, args):
        self.args = args
        self.brokers = args.brokers
        self.admin = AdminClient({"bootstrap.servers": self.brokers})
        self.out = Path(args.out)
        self.kabar = args.kabar
        self.meta = None  # a consumer for metadata and watermarks, made on first use

    # --- Kafka helpers -------------------------------------------------------------------------

    def create_topics(self, *names):
        futures = self.admin.create_topics(
            [NewTopic(n, num_partitions=self.args.partitions, replication_factor=1) for n in names]
        )
        for future in futures.values():
            future.result()
        for name in names:  # wait until every partition has a leader
            self.watermark_total([name])

    def watermarks(self, consumer, topic, partition):
        """(low, high) offsets; retried while a new topic's leaders are being elected."""
        for attempt in range(100):
            try:
                return consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
            except KafkaException:
                if attempt == 99:
                    raise
                time.sleep(0.1)
        return (0, 0)

    def partitions(self, consumer, topic):
        for _ in range(100):
            partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
            if partitions and all(p.leader >= 0 for p in partitions.values()):
                return sorted(partitions)
            time.sleep(0.1)
        raise SystemExit(f"topic {topic} has no leader")

    def watermark_total(self, topics):
        if self.meta is None:
            self.meta = Consumer({"bootstrap.servers": self.brokers, "group.id": "bench-watermarks"})
        total = 0
        for topic in topics:
            for p in self.partitions(self.meta, topic):
                low, high = self.watermarks(self.meta, topic, p)
                total += high - low
        return total

    def read_back(self, topics):
        """(key, timestamp ms) of every message of `topics`, read from the beginning to the end."""
        consumer = Consumer({
            "bootstrap.servers": self.brokers,
            "group.id": f"bench-read-{time.monotonic_ns()}",
            "enable.auto.commit": False,
            "fetch.max.bytes": 64 << 20,
        })
        records, assignment, remaining = [], [], {}
        for topic in topics:
            for p in self.partitions(consumer, topic):
                low, high = self.watermarks(consumer, topic, p)
                if high > low:
                    assignment.append(TopicPartition(topic, p, low))
                    remaining[(topic, p)] = high
        consumer.assign(assignment)
        deadline = time.monotonic() + 600
        while remaining and time.monotonic() < deadline:
            for message in consumer.consume(num_messages=10000, timeout=1.0):
                if message.error():
                    continue
                records.append((message.key(), message.timestamp()[1]))
                key = (message.topic(), message.partition())
                if key in remaining and message.offset() + 1 >= remaining[key]:
                    del remaining[key]
        consumer.close()
        return records

    # --- kabar runs ----------------------------------------------------------------------------

    def kabar_env(self, name, input_topic, out_topic, dlq, port, passthrough):
        routes = self.out / f"routes-{name}.toml"
        routes.write_text(f'[[route]]\ntopic = "{out_topic}"\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("KABAR_")}
        env.update({
            "KABAR_KAFKA_BROKERS": self.brokers,
            "KABAR_KAFKA_INPUT_TOPICS": input_topic,
            "KABAR_KAFKA_GROUP_ID": f"bench-{name}",
            "KABAR_KAFKA_DEAD_LETTER_TOPIC": dlq,
            "KABAR_PIPELINE_ROUTES_FILE": str(routes),
            "KABAR_HTTP_LISTEN": f"127.0.0.1:{port}",
            "KABAR_LOG_LEVEL": "warn",
        })
        if passthrough:
            env["KABAR_PIPELINE_PASSTHROUGH_TOPIC"] = out_topic
        for setting in self.args.kabar_client:
            prop, _, value = setting.partition("=")
            env["KABAR_KAFKA_CLIENT_" + prop.upper().replace(".", "_")] = value
        return env

    def run_kabar(self, name, input_topic, expected, instances=1, passthrough=False, during=None):
        """Runs kabar until `expected` outputs (or dead letters) are on the broker."""
        out_topic, dlq = f"bench.{name}.out", f"bench.{name}.dlq"
        self.create_topics(out_topic, dlq)
        log(f"{name}: {instances} instance(s), {expected} article(s) from {input_topic}")
        procs, ports = [], []
        for i in range(instances):
            port = free_port()
            env = self.kabar_env(name, input_topic, out_topic, dlq, port, passthrough)
            procs.append(Process([self.kabar, "run"], env, self.out / f"kabar-{name}-{i}.log"))
            ports.append(port)
        healthy, ready = [None] * instances, [None] * instances
        deadline = time.monotonic() + 60
        while None in ready and time.monotonic() < deadline:
            for i, (proc, port) in enumerate(zip(procs, ports)):
                if proc.popen.poll() is not None:
                    raise SystemExit(f"kabar exited early; see {proc.log.name}")
                for path, seen in (("healthz", healthy), ("readyz", ready)):
                    if seen[i] is None and http_ok(port, path):
                        seen[i] = time.monotonic() - proc.started
            time.sleep(0.005)
        if None in ready:
            raise SystemExit(f"kabar not ready within 60 s; see {self.out}")
        cpu_start = [p.cpu_seconds() for p in procs]
        wall_start = time.monotonic()
        extra = {}
        worker = None
        sampling, samples, process_samples = threading.Event(), [], []
        if during:
            worker = threading.Thread(target=lambda: extra.update(during(procs)))
            worker.start()
            # Whether kabar had the CPUs when it needed them, second by second.
            threading.Thread(target=sample_scheduler,
                             args=(procs[0].pid, self.args.broker_pid, sampling, samples),
                             daemon=True).start()
            # And who else had them: every process, once a second.
            threading.Thread(target=sample_processes, args=(sampling, process_samples),
                             daemon=True).start()
        deadline = time.monotonic() + self.args.timeout
        done = 0
        while time.monotonic() < deadline:
            done = self.watermark_total([out_topic, dlq])
            if done >= expected and (worker is None or not worker.is_alive()):
                if all(in_flight(port) == 0 for port in ports):
                    break
            time.sleep(0.25)
        cpu = sum(p.cpu_seconds() - c for p, c in zip(procs, cpu_start))
        wall = time.monotonic() - wall_start
        peak = [p.status("VmHWM") for p in procs]
        sampling.set()
        for proc in procs:
            proc.stop()
        if worker:
            worker.join()
        if done < expected:
            log(f"{name}: only {done} of {expected} outputs before the timeout")
        records = self.read_back([out_topic, dlq])
        stamps = [ts for _, ts in records]
        span = (max(stamps) - min(stamps)) / 1000 if len(stamps) > 1 else 0.0
        keys = {k for k, _ in records}
        result = {
            "name": name,
            "instances": instances,
            "articles": len(keys),
            "outputs": len(records),
            "dead_letters": self.watermark_total([dlq]),
            "seconds": span,
            "throughput": len(keys) / span if span else None,
            "cpu_seconds": cpu,
            "cores_used": cpu / wall if wall else None,
            "per_cpu_second": len(keys) / cpu if cpu else None,
            "peak_rss_bytes": max(p or 0 for p in peak),
            "healthz_seconds": max(healthy),
            "readyz_seconds": max(ready),
            "records": records,
        }
        result.update(extra)
        if samples:
            result["scheduler_by_second"] = per_second_scheduler(samples)
        if len(process_samples) > 1:
            labels = {p.pid: "kabar (service)" for p in procs}
            if self.args.broker_pid:
                labels[self.args.broker_pid] = "broker"
            result["cpu_by_process"] = top_processes(process_samples, labels)
        log(f"{name}: {result['throughput'] or 0:.0f} articles/s, "
            f"peak RSS {result['peak_rss_bytes'] / 2**20:.0f} MiB, ready {result['readyz_seconds']:.3f} s")
        return result

    def produce(self, topic, path, rate=0.0):
        argv = [self.kabar, "produce", topic, str(path), "--brokers", self.brokers]
        if rate:
            argv += ["--rate", f"{rate:.1f}"]
        started = time.monotonic()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        return time.monotonic() - started

    def corpus(self, path, start, count):
        with open(path, "wb") as out:
            subprocess.run([self.args.corpus_bin, "--start", str(start), "--count", str(count)],
                           check=True, stdout=out)

    def input_stamps(self, topic):
        return {k: ts for k, ts in self.read_back([topic])}

    # --- scenarios -----------------------------------------------------------------------------

    def run(self):
        a = self.args
        results = {"config": {k: v for k, v in vars(a).items()}, "machine": machine()}
        self.create_topics("bench.raw", "bench.rate")
        corpus = self.out / "corpus.jsonl"
        self.corpus(corpus, 0, a.articles)
        log(f"loading {a.articles} articles into bench.raw ({corpus.stat().st_size / 2**20:.0f} MiB)")
        seconds = self.produce("bench.raw", corpus)
        log(f"loaded in {seconds:.1f} s ({a.articles / seconds:,.0f} articles/s)")
        results["load"] = {"articles": a.articles, "seconds": seconds,
                           "bytes": corpus.stat().st_size}
        corpus.unlink()

        runs = []
        for i in range(a.repeats):
            runs.append(self.run_kabar(f"passthrough-{i}", "bench.raw", a.articles, passthrough=True))
            runs.append(self.run_kabar(f"kabar-{i}", "bench.raw", a.articles))
        runs.append(self.run_kabar("two-instances", "bench.raw", a.articles, instances=2))

        full = median_of(runs, "kabar-")
        rate = max(1.0, round(full / 2))
        steady_count = int(rate * a.steady_seconds)
        burst_rate = 10 * rate
        burst_count = int(burst_rate * a.burst_seconds)
        steady_file, burst_file = self.out / "steady.jsonl", self.out / "burst.jsonl"
        self.corpus(steady_file, 10_000_000, steady_count)
        self.corpus(burst_file, 20_000_000, burst_count)

        warm_up_count = min(500, steady_count)
        warm_up_file = self.out / "warm-up.jsonl"
        self.corpus(warm_up_file, 30_000_000, warm_up_count)

        def feed(procs):
            # Until the group has its partitions and the first articles went through, latency
            # says nothing about steady state: warm up, then measure.
            self.produce("bench.rate", warm_up_file, rate)
            deadline = time.monotonic() + 60
            while (self.watermark_total(["bench.half-speed.out", "bench.half-speed.dlq"])
                   < warm_up_count and time.monotonic() < deadline):
                time.sleep(0.1)
            produced = self.produce("bench.rate", steady_file, rate)
            before_burst = max(p.status("VmHWM") or 0 for p in procs)
            burst = self.produce("bench.rate", burst_file, burst_rate)
            return {"steady_produce_seconds": produced, "burst_produce_seconds": burst,
                    "peak_rss_before_burst_bytes": before_burst}

        log(f"half speed: {rate:.0f}/s for {a.steady_seconds} s, then {burst_rate:.0f}/s "
            f"for {a.burst_seconds} s")
        half = self.run_kabar("half-speed", "bench.rate", warm_up_count + steady_count + burst_count,
                              during=feed)
        half["rate"] = rate
        half["burst_rate"] = burst_rate
        inputs = self.input_stamps("bench.rate")
        steady_keys = {f"bench-{10_000_000 + i:08d}".encode() for i in range(steady_count)}
        burst_keys = {f"bench-{20_000_000 + i:08d}".encode() for i in range(burst_count)}
        for label, keys in (("steady", steady_keys), ("burst", burst_keys)):
            latencies = sorted(ts - inputs[k] for k, ts in half["records"] if k in keys and k in inputs)
            half[f"{label}_latency_ms"] = {
                "p50": percentile(latencies, 0.50), "p95": percentile(latencies, 0.95),
                "p99": percentile(latencies, 0.99), "max": latencies[-1] if latencies else None,
                "count": len(latencies),
            }
        # Steady-state latency second by second (by input time): shows warm-up or stalls.
        by_second = {}
        for k, ts in half["records"]:
            if k in steady_keys and k in inputs:
                by_second.setdefault(inputs[k] // 1000, []).append(ts - inputs[k])
        scheduler = half.pop("scheduler_by_second", {})
        half["steady_latency_by_second_ms"] = [
            {"second": i, "count": len(v), "p50": percentile(sorted(v), 0.5),
             "p99": percentile(sorted(v), 0.99), **scheduler.get(second, {})}
            for i, (second, v) in enumerate(sorted(by_second.items()))
        ]
        seconds_p99 = [x["p99"] for x in half["steady_latency_by_second_ms"] if x["count"] > 100]
        half["steady_latency_ms"]["median_of_per_second_p99"] = (
            statistics.median(seconds_p99) if seconds_p99 else None)
        half["steady_latency_ms"]["seconds_with_p99_under_50ms"] = (
            sum(1 for v in seconds_p99 if v <= 50) / len(seconds_p99) if seconds_p99 else None)
        # The tail against CPU contention: how the per-second p99 ranks against the time kabar's
        # and the broker's threads spent waiting for a CPU in that second. (A backlog carries
        # latency into later seconds, so this says little once kabar falls behind.)
        rows = [x for x in half["steady_latency_by_second_ms"] if x["count"] > 100
                and x.get("kabar_run_queue_wait_seconds") is not None]
        p99s = [x["p99"] for x in rows]
        for who in ("kabar", "broker"):
            waits = [x[f"{who}_run_queue_wait_seconds"] for x in rows]
            half["steady_latency_ms"][f"p99_vs_{who}_wait_correlation"] = (
                rank_correlation(p99s, waits) if any(waits) else None)
        burst_inputs = sorted(ts for k, ts in inputs.items() if k in burst_keys)
        if len(burst_inputs) > 1:
            half["burst_achieved_rate"] = len(burst_inputs) / max(
                0.001, (burst_inputs[-1] - burst_inputs[0]) / 1000)
        runs.append(half)
        for path in (steady_file, burst_file, warm_up_file):
            path.unlink()

        results["python"] = self.run_python() if not a.skip_python else None
        for run in runs:
            run.pop("records", None)
        results["runs"] = runs
        results["load_average_end"] = os.getloadavg()
        results["summary"] = summarize(results)
        (self.out / "report.json").write_text(json.dumps(results, indent=2))
        (self.out / "report.md").write_text(markdown(results))
        print(markdown(results))

    def run_python(self):
        self.create_topics("bench.python.out")
        log(f"python reference pipeline on the first {self.args.python_articles} articles")
        env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
        completed = subprocess.run(
            [self.args.python, str(HERE / "python_pipeline.py"), "--brokers", self.brokers,
             "--input", "bench.raw", "--output", "bench.python.out", "--group", "bench-python",
             "--max", str(self.args.python_articles)],
            check=True, capture_output=True, text=True, env=env)
        (self.out / "python.log").write_text(completed.stderr)
        result = json.loads(completed.stdout.strip().splitlines()[-1])
        result["throughput"] = result["articles"] / result["wall_seconds"]
        result["per_cpu_second"] = result["articles"] / result["cpu_seconds"]
        log(f"python: {result['throughput']:.1f} articles/s, "
            f"{result['per_cpu_second']:.1f} per CPU second")
        return result


def http_ok(port, path):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def schedstat(pid):
    """(CPU ns, run-queue wait ns) of a process, summed over its threads (/proc/<pid>/task)."""
    cpu = wait = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return None
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat", encoding="ascii") as stat:
                ran, waited = stat.read().split()[:2]
            cpu += int(ran)
            wait += int(waited)
        except (OSError, ValueError):
            pass
    return cpu, wait


def machine_ticks():
    """(all, idle) CPU ticks of the machine since boot (/proc/stat)."""
    with open("/proc/stat", encoding="ascii") as stat:
        ticks = [int(v) for v in stat.readline().split()[1:]]
    return sum(ticks), ticks[3] + ticks[4]


def sample_scheduler(pid, broker_pid, stop, samples):
    """Every 100 ms until `stop`: wall time, kabar's and the broker's schedstat (the broker's
    (0, 0) when its pid is not known), the machine's ticks."""
    while not stop.wait(0.1):
        stat = schedstat(pid)
        if stat is None:
            return
        broker = (schedstat(broker_pid) if broker_pid else None) or (0, 0)
        samples.append((time.time(), stat, broker, machine_ticks()))


def process_ticks():
    """{pid: (command name, CPU ticks used so far)} of every process on the machine."""
    ticks = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as stat:
                text = stat.read()
        except OSError:
            continue
        # The command name is in parentheses and may itself hold spaces or parentheses.
        name, rest = text[text.index("(") + 1:text.rindex(")")], text[text.rindex(")") + 2:].split()
        ticks[int(pid)] = (name, int(rest[11]) + int(rest[12]))  # utime + stime
    return ticks


def sample_processes(stop, samples):
    """Every second until `stop`: every process's CPU ticks, to say who had the CPUs."""
    samples.append((time.time(), process_ticks()))
    while not stop.wait(1.0):
        samples.append((time.time(), process_ticks()))


def top_processes(samples, labels, top=6):
    """CPU seconds per command name over the sampled span, the busiest first (processes that
    started or ended within it count from their first or to their last sample); `labels`
    names known pids apart from others of the same command (the kabar service from `kabar
    produce`)."""
    hz = os.sysconf("SC_CLK_TCK")
    used = {}
    for (_, before), (_, after) in zip(samples, samples[1:]):
        for pid, (name, ticks) in after.items():
            previous = before.get(pid)
            if previous and previous[0] == name:
                name = labels.get(pid, name)
                used[name] = used.get(name, 0) + (ticks - previous[1]) / hz
    span = samples[-1][0] - samples[0][0] if len(samples) > 1 else 0
    return {"seconds": round(span, 1),
            "cpu_seconds": {name: round(cpu, 2) for name, cpu in
                            sorted(used.items(), key=lambda item: -item[1])[:top] if cpu > 0}}


def per_second_scheduler(samples):
    """Per wall-clock second: kabar's and the broker's CPU seconds and their threads' run-queue
    wait in seconds (time runnable but not running), and the share of the machine's CPUs that
    were busy."""
    seconds = {}
    for before, after in zip(samples, samples[1:]):
        total = seconds.setdefault(int(before[0]), [0] * 6)
        for i, (old, new) in enumerate(zip((*before[1], *before[2], *before[3]),
                                           (*after[1], *after[2], *after[3]))):
            total[i] += new - old
    return {second: {"kabar_cpu_seconds": c / 1e9, "kabar_run_queue_wait_seconds": w / 1e9,
                     "broker_cpu_seconds": bc / 1e9, "broker_run_queue_wait_seconds": bw / 1e9,
                     "machine_busy": 1 - idle / ticks if ticks else None}
            for second, (c, w, bc, bw, ticks, idle) in seconds.items()}


def rank_correlation(xs, ys):
    """Spearman's rank correlation (ties broken by order), or None."""
    if len(xs) < 3:
        return None

    def ranks(values):
        order = sorted(range(len(values)), key=values.__getitem__)
        result = [0] * len(values)
        for rank, index in enumerate(order):
            result[index] = rank
        return result

    rx, ry = ranks(xs), ranks(ys)
    mean = (len(xs) - 1) / 2
    cov = sum((a - mean) * (b - mean) for a, b in zip(rx, ry))
    var = sum((a - mean) ** 2 for a in rx)
    return cov / var if var else None


def in_flight(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            for line in response.read().decode().splitlines():
                if line.startswith("kabar_in_flight_articles "):
                    return float(line.split()[1])
    except OSError:
        pass
    return 0


def median_of(runs, prefix, field="throughput"):
    values = [r[field] for r in runs if r["name"].startswith(prefix) and r[field]]
    return statistics.median(values) if values else 0.0


def machine():
    model = ""
    try:
        for line in open("/proc/cpuinfo", encoding="ascii", errors="replace"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        memory = int(meminfo.readline().split()[1]) * 1024
    return {"cpus": os.cpu_count(), "cpu_model": model, "memory_bytes": memory,
            "kernel": os.uname().release, "load_average": os.getloadavg()}


def summarize(results):
    runs = results["runs"]
    kabar = median_of(runs, "kabar-")
    passthrough = median_of(runs, "passthrough-")
    two = median_of(runs, "two-instances")
    kabar_cpu = median_of(runs, "kabar-", "per_cpu_second")
    half = next(r for r in runs if r["name"] == "half-speed")
    python = results.get("python") or {}
    cpus = results["machine"]["cpus"] or 1
    summary = {
        "kabar_articles_per_second": kabar,
        "passthrough_articles_per_second": passthrough,
        "kabar_vs_passthrough": kabar / passthrough if passthrough else None,
        "two_instances_vs_one": two / kabar if kabar else None,
        "kabar_per_cpu_second": kabar_cpu,
        "half_speed_p99_ms": half["steady_latency_ms"]["p99"],
        "peak_rss_bytes": max(r["peak_rss_bytes"] for r in runs
                              if r["name"].startswith(("kabar-", "passthrough-"))),
        "peak_rss_half_speed_before_burst_bytes": half.get("peak_rss_before_burst_bytes"),
        "peak_rss_with_burst_bytes": half["peak_rss_bytes"],
        "healthz_seconds_median": statistics.median(r["healthz_seconds"] for r in runs),
        "readyz_seconds_median": statistics.median(r["readyz_seconds"] for r in runs),
    }
    if python:
        summary["python_articles_per_second"] = python["throughput"]
        summary["python_per_cpu_second"] = python["per_cpu_second"]
        summary["kabar_vs_python_per_core"] = kabar_cpu / python["per_cpu_second"]
        summary["kabar_vs_python_per_core_wall"] = (kabar / cpus) / python["throughput"]
    return summary


def fmt(value, digits=0, scale=1.0, suffix=""):
    if value is None:
        return "-"
    return f"{value / scale:,.{digits}f}{suffix}"


def markdown(results):
    s = results["summary"]
    m = results["machine"]
    mib = 2**20
    lines = [
        f"Machine: {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_bytes'] / 2**30:.0f} GiB, "
        f"load average (1 min) {m['load_average'][0]:.1f} at the start, "
        f"{results['load_average_end'][0]:.1f} at the end. "
        f"{results['config']['articles']:,} articles, {results['config']['partitions']} partitions, "
        f"{results['config']['repeats']} repeat(s) (medians)."
        + (f" librdkafka overrides for kabar: {', '.join(results['config']['kabar_client'])}."
           if results["config"].get("kabar_client") else ""),
        "",
        "| run | articles/s | articles per CPU-second | CPUs used | peak RSS | ready (/healthz, /readyz) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results["runs"]:
        lines.append(
            f"| {r['name']} | {fmt(r['throughput'])} | {fmt(r['per_cpu_second'])} | "
            f"{fmt(r['cores_used'], 2)} | {fmt(r['peak_rss_bytes'], 0, mib, ' MiB')} | "
            f"{r['healthz_seconds']:.3f} s, {r['readyz_seconds']:.3f} s |")
    p = results.get("python")
    if p:
        lines.append(f"| python reference ({p['articles']} articles) | {fmt(p['throughput'], 1)} | "
                     f"{fmt(p['per_cpu_second'], 1)} | {fmt(p['cpu_seconds'] / p['wall_seconds'], 2)} | "
                     f"{fmt(p['peak_rss_bytes'], 0, mib, ' MiB')} | "
                     f"{p['load_seconds']:.1f} s model load |")
    half = next(r for r in results["runs"] if r["name"] == "half-speed")
    st, bu = half["steady_latency_ms"], half["burst_latency_ms"]
    lines += [
        "",
        "| measure | value | target |",
        "| --- | ---: | --- |",
        f"| kabar / passthrough throughput | {fmt(s['kabar_vs_passthrough'], 2)} | >= 0.70 |",
        f"| kabar / Python per core (per CPU-second) | {fmt(s.get('kabar_vs_python_per_core'), 1)} | >= 50 |",
        f"| kabar / Python per core (wall, kabar over {m['cpus']} CPUs) | "
        f"{fmt(s.get('kabar_vs_python_per_core_wall'), 1)} | |",
        f"| two instances / one | {fmt(s['two_instances_vs_one'], 2)} | reported |",
        f"| latency at half speed ({half['rate']:.0f}/s) p50 / p95 / p99 | "
        f"{fmt(st['p50'])} / {fmt(st['p95'])} / {fmt(st['p99'])} ms | p99 <= 50 ms |",
        f"| half speed: median of the per-second p99s; seconds with p99 <= 50 ms | "
        f"{fmt(st.get('median_of_per_second_p99'))} ms; "
        f"{fmt(st.get('seconds_with_p99_under_50ms'), 0, 0.01, '%')} | |",
        f"| half speed: rank correlation of the per-second p99 with the run-queue wait of "
        f"kabar's / the broker's threads | {fmt(st.get('p99_vs_kabar_wait_correlation'), 2)} / "
        f"{fmt(st.get('p99_vs_broker_wait_correlation'), 2)} | |",
        f"| half speed: CPU seconds by process over {fmt(half.get('cpu_by_process', {}).get('seconds'))} s "
        f"(top {len(half.get('cpu_by_process', {}).get('cpu_seconds', {}))}) | "
        + (", ".join(f"{name} {cpu:.1f}" for name, cpu in
                     half.get("cpu_by_process", {}).get("cpu_seconds", {}).items()) or "n/a")
        + " | |",
        f"| latency in the burst ({half['burst_rate']:.0f}/s asked, "
        f"{fmt(half.get('burst_achieved_rate'))}/s produced) p50 / p99 | "
        f"{fmt(bu['p50'])} / {fmt(bu['p99'])} ms | |",
        f"| peak RSS, full speed | {fmt(s['peak_rss_bytes'], 0, mib, ' MiB')} | <= 200 MB |",
        f"| peak RSS, half speed before / after the burst | "
        f"{fmt(s['peak_rss_half_speed_before_burst_bytes'], 0, mib)} / "
        f"{fmt(s['peak_rss_with_burst_bytes'], 0, mib, ' MiB')} | bounded |",
        f"| start to /healthz (pipeline built), median | {s['healthz_seconds_median'] * 1000:.0f} ms | <= 1 s |",
        f"| start to /readyz (broker reached), median | {s['readyz_seconds_median'] * 1000:.0f} ms | |",
    ]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--kabar", required=True, help="the kabar binary")
    parser.add_argument("--corpus-bin", required=True, help="the bench_corpus example binary")
    parser.add_argument("--python", default=sys.executable, help="interpreter of the reference")
    parser.add_argument("--out", required=True, help="directory for logs and the report")
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--kabar-client", action="append", default=[], metavar="PROPERTY=VALUE",
                        help="a librdkafka property for every kabar run, passthrough included "
                             "(repeatable; e.g. enable.idempotence=true to compare producer settings)")
    parser.add_argument("--repeats", type=int, default=3,
                        help="passthrough and full-speed runs, alternated; medians are reported")
    parser.add_argument("--steady-seconds", type=float, default=60)
    parser.add_argument("--burst-seconds", type=float, default=5)
    parser.add_argument("--python-articles", type=int, default=2000)
    parser.add_argument("--skip-python", action="store_true")
    parser.add_argument("--broker-pid", type=int,
                        help="the broker's process, to sample its CPU during the half-speed run")
    parser.add_argument("--timeout", type=float, default=900, help="per run, seconds")
    args = parser.parse_args()
    Path(args.out).mkdir(parents=True, exist_ok=True)
    Bench(args).run()


if __name__ == "__main__":
    main()
