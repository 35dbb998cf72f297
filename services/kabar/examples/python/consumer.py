#!/usr/bin/env python3
"""An example downstream consumer of kabar's topics, in Python.

It subscribes with confluent-kafka and parses every message with classes that protoc generated
from kabar's schema (proto/kabar/v1): proto3 JSON with google.protobuf.json_format.Parse, binary
protobuf with ParseFromString. Unknown fields are rejected in both forms, so a consumer built
from an older schema notices instead of silently dropping data.

Generate the classes first:
    protoc -I proto --python_out=gen proto/kabar/v1/article.proto
    PYTHONPATH=gen python3 consumer.py consume --brokers localhost:9092 --topic news.lang.ind.v1

Subcommands:
    consume   subscribe and print one summary line (JSON) per article
    validate  parse every file of a folder (*.json as proto3 JSON, *.pb as binary)
"""

import argparse
import json
import os
import sys
import time

from google.protobuf import json_format

from kabar.v1 import article_pb2

PROTOBUF = "application/x-protobuf"


class SchemaError(Exception):
    """A message that does not follow kabar.v1.EnrichedArticle."""


def unknown_field_count(message):
    """Unknown fields in a parsed message and every message inside it."""
    try:
        from google.protobuf import unknown_fields  # protobuf >= 4.24

        count = len(unknown_fields.UnknownFieldSet(message))
    except ImportError:  # older protobuf
        count = len(message.UnknownFields())
    for field, value in message.ListFields():
        if field.message_type is None:
            continue
        if field.label == field.LABEL_REPEATED:
            count += sum(unknown_field_count(item) for item in value)
        else:
            count += unknown_field_count(value)
    return count


def parse(payload, content_type):
    """An EnrichedArticle from a message payload, in the encoding its content-type names."""
    article = article_pb2.EnrichedArticle()
    if content_type == PROTOBUF:
        article.ParseFromString(payload)
        unknown = unknown_field_count(article)
        if unknown:
            raise SchemaError(f"{unknown} unknown field(s) in binary message")
    else:
        try:
            json_format.Parse(payload.decode("utf-8"), article)  # rejects unknown fields
        except json_format.ParseError as error:
            raise SchemaError(str(error)) from error
    if not article.id:
        raise SchemaError("article without id")
    return article


def summary(article, encoding):
    return {
        "id": article.id,
        "encoding": encoding,
        "title": article.title,
        "language": article.language.code,
        "entities": [
            {
                "name": e.name,
                "type": article_pb2.EntityType.Name(e.type),
                "wikidata": e.wikidata,
                "mentions": len(e.mentions),
            }
            for e in article.entities
        ],
        "routes": list(article.routes),
    }


def consume(args):
    from confluent_kafka import Consumer, KafkaException

    consumer = Consumer(
        {
            "bootstrap.servers": args.brokers,
            "group.id": args.group or f"python-example-{os.getpid()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": True,
        }
    )
    consumer.subscribe(args.topic)
    seen = 0
    deadline = time.monotonic() + args.timeout
    try:
        while time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                raise KafkaException(message.error())
            headers = dict(message.headers() or [])
            content_type = (headers.get("content-type") or b"application/json").decode()
            article = parse(message.value(), content_type)
            if args.key and (message.key() or b"").decode() != args.key:
                continue
            encoding = "protobuf" if content_type == PROTOBUF else "json"
            print(json.dumps(summary(article, encoding), ensure_ascii=False), flush=True)
            seen += 1
            if args.max and seen >= args.max:
                return 0
    finally:
        consumer.close()
    if args.max:
        print(f"only {seen} of {args.max} article(s) before the timeout", file=sys.stderr)
        return 1
    return 0


def validate(args):
    parsed = 0
    for name in sorted(os.listdir(args.folder)):
        path = os.path.join(args.folder, name)
        with open(path, "rb") as handle:
            payload = handle.read()
        content_type = PROTOBUF if name.endswith(".pb") else "application/json"
        try:
            parse(payload, content_type)
        except Exception as error:  # report which file, then fail
            print(f"{name}: {error}", file=sys.stderr)
            return 1
        parsed += 1
    print(json.dumps({"parsed": parsed}))
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    consume_parser = commands.add_parser("consume", help="subscribe and print articles")
    consume_parser.add_argument("--brokers", required=True)
    consume_parser.add_argument("--topic", required=True, action="append")
    consume_parser.add_argument("--group")
    consume_parser.add_argument("--key", help="only messages with this key")
    consume_parser.add_argument("--max", type=int, default=0, help="stop after N articles")
    consume_parser.add_argument("--timeout", type=float, default=60.0, help="seconds")
    validate_parser = commands.add_parser("validate", help="parse saved messages")
    validate_parser.add_argument("folder")
    args = parser.parse_args()
    try:
        return consume(args) if args.command == "consume" else validate(args)
    except SchemaError as error:
        print(f"schema error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
