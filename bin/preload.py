#!/usr/bin/env python3
"""Loads KEYS keys (key-0 .. key-N-1) of VALUE_BYTES bytes into a samza-kv node via /v1/batch.

Puts answered 503 (a partition without a primary for a moment, as during a failover) are sent again
after their Retry-After, for up to a minute, and counted on stderr: a put is idempotent, so a retry
whose first outcome was unknown is safe."""
import base64, json, sys, time, urllib.request

base, keys, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
value = base64.b64encode(b"v" * size).decode()
retried = 0


def put(ops):
    request = urllib.request.Request(base + "/v1/batch", json.dumps({"ops": ops}).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.load(response)["results"]


for start in range(0, keys, 1000):
    ops = [{"op": "put", "key": f"key-{i}", "value": value} for i in range(start, min(keys, start + 1000))]
    deadline = time.monotonic() + 60
    while ops:
        results = put(ops)
        bad = [r for r in results if r["status"] >= 300 and r["status"] != 503]
        if bad:
            sys.exit(f"preload failed: {bad[0]}")
        unavailable = [(op, r) for op, r in zip(ops, results) if r["status"] == 503]
        if unavailable and time.monotonic() > deadline:
            sys.exit(f"preload failed for a minute: {unavailable[0][1]}")
        if unavailable:
            print(f"preload: {len(unavailable)} puts answered 503, retrying: {unavailable[0][1]}", file=sys.stderr)
            retried += len(unavailable)
            time.sleep(max(float(r.get("retry_after", 1)) for _, r in unavailable))
        ops = [op for op, _ in unavailable]
if retried:
    print(f"preload: {retried} puts retried after a 503", file=sys.stderr)
