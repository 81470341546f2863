# Sourced by jwt.tape (hidden): a practice server whose tokens live 2 s, a token
# from it, and a wait until the token has expired.
keyhole practice --addr 127.0.0.1:8411 --token-ttl 2s >/dev/null 2>&1 &
PRACTICE_PID=$!
sleep 1
TOKEN=$(curl -s -u practice-client:practice-secret -d grant_type=client_credentials \
  http://127.0.0.1:8411/oauth/token | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
sleep 3
expired() { keyhole --curl "curl -H 'Authorization: Bearer $TOKEN' http://127.0.0.1:8411/jwt"; }
