#!/usr/bin/env python3
"""Measures the race window of the group's shared near-duplicate index: how long a fingerprint
takes from one instance's decision to another instance's index, and how often two copies
decided by two instances that close together are both answered "first".

    scripts/dedup/race.sh [--port 44092] [--stories 2000] [--rate 200] [--pairs 40]

(race.sh builds kabar in release, prepares the Python environment and calls this.) For each
delivery mode (at least once, exactly once), on its own broker started by
deploy/kafka/kafka-local.sh:

1. Two kabar instances in one group (input with 6 partitions) and the fingerprint topic.
2. Propagation: `--stories` different stories at `--rate` a second; then each instance's
   `kabar_dedup_propagation_seconds` histogram (records of the other instance, from its decision
   to this index holding it), summed over both: count, p50, p99 (interpolated in the buckets,
   as Prometheus' histogram_quantile does).
3. The race itself: `--pairs` pairs of copies of new stories per delay; copy A to partition 0,
   copy B (a near copy of A) `delay` ms later to partition 5, which the other instance consumes.
   A pair is lost to the race when B is answered "first" although A came first.
"""

import argparse
import json
import os
import random
import subprocess
import sys
import time
import urllib.request

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORDS = (
    "pemerintah warga kota desa harga beras minyak banjir jalan sekolah rumah sakit polisi menteri "
    "presiden rapat anggaran pasar petani nelayan hujan angin gempa listrik air bersih jembatan "
    "pelabuhan bandara kereta pajak bank kredit usaha kecil besar baru lama tahun bulan pekan hari "
    "malam pagi siang sore utara selatan timur barat provinsi kabupaten gubernur bupati dewan partai "
    "pemilu suara calon tim pemain pelatih laga gol juara stadion tiket guru murid dokter obat pasien "
    "hutan sungai laut pantai gunung sawah panen pupuk ternak ikan ekspor impor pabrik buruh upah"
).split()
DELAYS_MS = [0, 50, 100, 250, 500, 1000, 2000]


def story(rng, index):
    sentences = []
    for n in range(8):
        words = [rng.choice(WORDS) for _ in range(12)]
        words.insert(6, str(index * 100 + n))
        sentences.append(" ".join(words).capitalize() + ".")
    return "\n\n".join(" ".join(sentences[i : i + 2]) for i in range(0, 8, 2))


def copy_of(text):
    return text.upper().replace(". ", ".  ") + "\n\nNasional | 2 jam yang lalu"


def http_get(address, path):
    try:
        with urllib.request.urlopen(f"http://{address}{path}", timeout=2) as response:
            return response.status, response.read().decode()
    except Exception as error:  # noqa: BLE001 - an endpoint not up yet
        code = getattr(error, "code", None)
        return code, ""


def histogram(page, name):
    """Cumulative buckets {le: count} of a histogram in a /metrics page."""
    buckets = {}
    for line in page.splitlines():
        if line.startswith(name + "_bucket{"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            buckets[float("inf") if le == "+Inf" else float(le)] = float(line.rsplit(" ", 1)[1])
    return buckets


def quantile(buckets, q):
    """histogram_quantile: linear interpolation inside the bucket that holds the q-quantile."""
    edges = sorted(buckets)
    total = buckets[edges[-1]] if edges else 0
    if total == 0:
        return float("nan")
    rank = q * total
    previous_edge, previous_count = 0.0, 0.0
    for edge in edges:
        count = buckets[edge]
        if count >= rank:
            if edge == float("inf"):
                return previous_edge
            return previous_edge + (edge - previous_edge) * (rank - previous_count) / max(count - previous_count, 1e-9)
        previous_edge, previous_count = edge, count
    return previous_edge


def run_mode(args, brokers, mode, rng):
    prefix = f"race-{mode}-{int(time.time())}"
    topics = {name: f"{prefix}.{name}" for name in ("raw", "enriched", "dlq", "fingerprints")}
    admin = AdminClient({"bootstrap.servers": brokers})
    new = [
        NewTopic(topics["raw"], 6, 1),
        NewTopic(topics["enriched"], 6, 1),
        NewTopic(topics["dlq"], 1, 1),
        NewTopic(topics["fingerprints"], 6, 1, config={"cleanup.policy": "compact"}),
    ]
    for future in admin.create_topics(new).values():
        future.result()
    routes = os.path.join(args.work, f"{prefix}.routes.toml")
    with open(routes, "w") as handle:
        handle.write(f'[[route]]\ntopic = "{topics["enriched"]}"\n')
    instances = []
    for n in range(2):
        port = args.port + 10 + n + (0 if mode == "at-least-once" else 2)
        env = dict(
            os.environ,
            KABAR_KAFKA_BROKERS=brokers,
            KABAR_KAFKA_INPUT_TOPICS=topics["raw"],
            KABAR_KAFKA_DEAD_LETTER_TOPIC=topics["dlq"],
            KABAR_KAFKA_FINGERPRINT_TOPIC=topics["fingerprints"],
            KABAR_KAFKA_GROUP_ID=prefix,
            KABAR_KAFKA_DELIVERY=mode,
            KABAR_KAFKA_TRANSACTIONAL_ID=f"{prefix}-{n}",
            KABAR_PIPELINE_ROUTES_FILE=routes,
            KABAR_HTTP_LISTEN=f"127.0.0.1:{port}",
            KABAR_LOG_LEVEL="warn",
        )
        log = open(os.path.join(args.work, f"{prefix}-{n}.log"), "w")
        process = subprocess.Popen([args.kabar, "run"], env=env, stdout=log, stderr=log)
        instances.append((process, f"127.0.0.1:{port}"))
    try:
        deadline = time.time() + 120
        for _, address in instances:
            while http_get(address, "/readyz")[0] != 200:
                if time.time() > deadline:
                    sys.exit(f"kabar at {address} never got ready (logs in {args.work})")
                time.sleep(0.2)
        time.sleep(12)  # let the group settle: both instances own partitions
        producer = Producer({"bootstrap.servers": brokers, "linger.ms": 0})
        consumer = Consumer(
            {
                "bootstrap.servers": brokers,
                "group.id": f"{prefix}-reader",
                "auto.offset.reset": "earliest",
                "isolation.level": "read_committed",
            }
        )
        consumer.subscribe([topics["enriched"]])

        # 2. Propagation, at a steady rate.
        interval = 1.0 / args.rate
        started = time.time()
        for index in range(args.stories):
            article = {"id": f"s-{index}", "title": f"Berita {index}", "text": story(rng, index)}
            producer.produce(topics["raw"], json.dumps(article).encode(), key=article["id"])
            producer.poll(0)
            pause = started + (index + 1) * interval - time.time()
            if pause > 0:
                time.sleep(pause)
        producer.flush()
        answers = {}

        def read_until(count, seconds):
            deadline = time.time() + seconds
            while len(answers) < count and time.time() < deadline:
                message = consumer.poll(0.5)
                if message is None or message.error():
                    continue
                article = json.loads(message.value())
                answers[article["id"]] = (article.get("duplicate") or {}).get("of")

        read_until(args.stories, 300)
        time.sleep(3)
        buckets = {}
        for _, address in instances:
            for edge, count in histogram(http_get(address, "/metrics")[1], "kabar_dedup_propagation_seconds").items():
                buckets[edge] = buckets.get(edge, 0) + count
        propagation = (buckets.get(float("inf"), 0), quantile(buckets, 0.5), quantile(buckets, 0.99))

        # 3. Pairs of copies decided by the two instances, `delay` apart.
        race = []
        base = args.stories
        for delay in DELAYS_MS:
            ids = []
            for pair in range(args.pairs):
                index = base + len(race) * args.pairs + pair
                text = story(rng, index)
                first = {"id": f"r-{index}-a", "text": text}
                second = {"id": f"r-{index}-b", "text": copy_of(text)}
                producer.produce(topics["raw"], json.dumps(first).encode(), key=first["id"], partition=0)
                producer.flush()
                time.sleep(delay / 1000)
                producer.produce(topics["raw"], json.dumps(second).encode(), key=second["id"], partition=5)
                producer.flush()
                ids.append((first["id"], second["id"]))
                time.sleep(0.3)
            read_until(len(answers) + 2 * args.pairs, 120)
            lost = sum(1 for a, b in ids if answers.get(b) is None and answers.get(a) is None)
            missing = sum(1 for a, b in ids if a not in answers or b not in answers)
            race.append((delay, lost, missing))
        consumer.close()
        return propagation, race
    finally:
        for process, _ in instances:
            process.terminate()
        for process, _ in instances:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--kabar", default=os.path.join(ROOT, "target", "release", "kabar"))
    parser.add_argument("--port", type=int, default=44092, help="HTTP ports of kabar start 10 above this")
    parser.add_argument("--stories", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--work", default=os.path.join(ROOT, "target", "dedup-race"))
    parser.add_argument("--modes", default="at-least-once,exactly-once")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    rng = random.Random(5)
    print(f"Two kabar instances, one group, 6 input partitions; {args.stories} stories at {args.rate:.0f}/s; "
          f"{args.pairs} pairs of copies per delay. {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.\n")
    print("| delivery | propagation records | p50 | p99 | " + " | ".join(f"both first at {d} ms" for d in DELAYS_MS) + " |")
    print("| --- | ---: | ---: | ---: | " + " | ".join("---:" for _ in DELAYS_MS) + " |")
    for mode in args.modes.split(","):
        (count, p50, p99), race = run_mode(args, args.brokers, mode, rng)
        cells = " | ".join(f"{lost}/{args.pairs}" + (f" ({missing} missing)" if missing else "") for _, lost, missing in race)
        print(f"| {mode} | {count:.0f} | {p50 * 1000:.0f} ms | {p99 * 1000:.0f} ms | {cells} |", flush=True)


if __name__ == "__main__":
    main()
