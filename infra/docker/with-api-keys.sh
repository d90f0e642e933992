#!/bin/sh
# The quota service's entry in docker-compose: API_KEYS from the environment (.env) when set,
# else the keys the api-keys service made into the shared volume.
set -eu
keys_file=/app/.secrets/api-keys.env
if [ -z "${API_KEYS:-}" ]; then
  if [ ! -r "$keys_file" ]; then
    echo "image-credits: API_KEYS is unset and $keys_file cannot be read" >&2
    exit 78
  fi
  API_KEYS="$(sed -n 's/^API_KEYS=//p' "$keys_file")"
  export API_KEYS
fi
exec "$@"
