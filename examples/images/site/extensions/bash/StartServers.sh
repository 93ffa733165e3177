#!/bin/sh
# The site cartridge's StartServers extension: starts the HTTP server on the member's first port,
# serving the member's copy of the artifact repository (APPLICATION_PATH). The agent checks the
# port before it reports the member Active.
here="$(cd "$(dirname "$0")/../.." && pwd)"
port="${STRATOS_PORTS%%|*}"
root="${STRATOS_APPLICATION_PATH:?APPLICATION_PATH is not set}"
mkdir -p "$root"
nohup node "$here/serve.mjs" "$root" "$port" >>"$here/site-server.log" 2>&1 &
echo $! >"$here/site-server.pid"
echo "site server started on port $port serving $root"
