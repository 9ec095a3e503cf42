#!/usr/bin/env python3
"""Writes one HS256 JWT per bench user (ids as seed.sql derives them: md5('bench-user-' || i)::uuid).

usage: tokens.py SECRET USERS > tokens.txt
"""
import base64
import hashlib
import hmac
import json
import sys
import time
import uuid


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


secret, users = sys.argv[1].encode(), int(sys.argv[2])
header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
for i in range(1, users + 1):
    sub = str(uuid.UUID(hashlib.md5(f"bench-user-{i}".encode()).hexdigest()))
    now = int(time.time())
    payload = b64(json.dumps({"sub": sub, "role": "authenticated", "iat": now, "exp": now + 6 * 3600}).encode())
    signature = b64(hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    print(f"{header}.{payload}.{signature}")
