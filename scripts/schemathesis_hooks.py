"""schemathesis' hooks for scripts/api-conformance.sh.

A name (a key's, a person's, a service account's description too) may not hold a code point that Unicode marks invisible, format,
private use or unassigned, in any plane. The document's patterns say so for the Basic
Multilingual Plane only: the OpenAPI tools compile patterns without ECMAScript's Unicode
mode, where a class cannot name a code point above U+FFFF (the fields' descriptions say
it). So that schemathesis does not send such a name as valid data, bodies with a name above
U+FFFF are left out.
"""

import schemathesis

NAME_FIELDS = ("name", "fullName", "description")


@schemathesis.hook
def filter_body(context, body):
    if not isinstance(body, dict):
        return True
    return not any(
        isinstance(body.get(field), str) and any(ord(c) > 0xFFFF for c in body[field]) for field in NAME_FIELDS
    )
