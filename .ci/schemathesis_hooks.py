"""Schemathesis hooks for .ci/contract.

A list's `cursor` is an opaque token the server hands out in `next_cursor`; a string the server
did not issue is refused with 400, which no schema can state. The fuzzer therefore does not make
cursors up (the Rust suite tests refused cursors: platform and organisations tests); every other
parameter is generated as the document describes it.
"""
import schemathesis


@schemathesis.hook
def map_query(ctx, query):
    if isinstance(query, dict):
        query.pop("cursor", None)
    return query
