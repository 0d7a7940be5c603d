#!/usr/bin/env python3
"""The tests' SMTP server (aiosmtpd): accepts every message on 127.0.0.1 and writes each
one, decoded by Python's e-mail parser, as DIR/<n>.json: {"from", "to", "subject",
"body", "contentType"}. Prints "listening on PORT" once ready; stops when its standard
input closes (the test that started it ended)."""

import email
import email.policy
import itertools
import json
import os
import socket
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        body = message.get_body(("plain",))
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(message["subject"]),
            "body": body.get_content() if body is not None else "",
            "contentType": message.get_content_type(),
        }
        path = os.path.join(self.directory, f"{next(self.numbers)}.json")
        # Written whole, then renamed: a reader never sees half a message.
        with open(path + ".tmp", "w", encoding="utf-8") as file:
            json.dump(record, file, ensure_ascii=False)
        os.rename(path + ".tmp", path)
        return "250 Message accepted for delivery"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    directory = sys.argv[1]
    port = free_port()
    controller = Controller(Sink(directory), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"listening on {port}", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
