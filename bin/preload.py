#!/usr/bin/env python3
"""Loads KEYS keys (key-0 .. key-N-1) of VALUE_BYTES bytes into a samza-kv node via /v1/batch."""
import base64, json, sys, urllib.request

base, keys, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
value = base64.b64encode(b"v" * size).decode()
for start in range(0, keys, 1000):
    ops = [{"op": "put", "key": f"key-{i}", "value": value} for i in range(start, min(keys, start + 1000))]
    request = urllib.request.Request(base + "/v1/batch", json.dumps({"ops": ops}).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        results = json.load(response)["results"]
        bad = [r for r in results if r["status"] >= 300]
        if bad:
            sys.exit(f"preload failed: {bad[0]}")
