#!/bin/sh
# Companion of curl-retry.json: a plain-HTTP client written with curl. It sends one Converse
# request with the Bedrock API key that `bedrock-scenario exec` exports, and retries it itself
# (up to 3 attempts, no sleep: the point is the request count) while the answer is a 429.
#   build/bin/bedrock-scenario exec scenarios/exec/curl-retry.json -- sh scenarios/exec/curl-retry.sh
url="$AWS_ENDPOINT_URL_BEDROCK_RUNTIME/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
body='{"messages":[{"role":"user","content":[{"text":"Hello from curl"}]}],"inferenceConfig":{"maxTokens":100}}'
for attempt in 1 2 3; do
    status=$(curl -s -o /dev/null -w '%{http_code}' -H "authorization: Bearer $AWS_BEARER_TOKEN_BEDROCK" \
        -H 'content-type: application/json' -d "$body" "$url")
    echo "attempt $attempt: HTTP $status"
    [ "$status" = 200 ] && exit 0
    [ "$status" = 429 ] || exit 1
done
exit 1
