#!/usr/bin/env bash
# Prints a signed HS256 JWT (Supabase-compatible) for calling the local services.
#   deploy/local/token.sh [role] [user-id] [lifetime-seconds]
#   role: authenticated (a user, default) or service_role (an operator)
# Uses AUTH_JWT_SECRET, defaulting to the local development secret the services use in %dev.
set -euo pipefail

role="${1:-authenticated}"
sub="${2:-00000000-0000-4000-8000-000000000001}"
lifetime="${3:-3600}"
secret="${AUTH_JWT_SECRET:-local-development-secret-at-least-32-bytes!!}"

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

now=$(date +%s)
header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
payload=$(printf '{"sub":"%s","role":"%s","iat":%d,"exp":%d}' "$sub" "$role" "$now" "$((now + lifetime))" | b64url)
signature=$(printf '%s.%s' "$header" "$payload" | openssl dgst -binary -sha256 -hmac "$secret" | b64url)
printf '%s.%s.%s\n' "$header" "$payload" "$signature"
