#!/bin/sh
# Companion of curl-missing-auth.json: a request sent without any Authorization header, the
# mistake of a hand-written client that forgot to sign. Bedrock answers 403; the script prints
# the answer and succeeds when it got one.
#   build/bin/bedrock-scenario exec scenarios/exec/curl-missing-auth.json -- sh scenarios/exec/curl-missing-auth.sh
url="$AWS_ENDPOINT_URL_BEDROCK_RUNTIME/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse"
curl -s -i -H 'content-type: application/json' \
    -d '{"messages":[{"role":"user","content":[{"text":"Hello"}]}]}' "$url" | tr -d '\r' | grep -E '^HTTP/|^x-amzn-ErrorType|^\{' 
