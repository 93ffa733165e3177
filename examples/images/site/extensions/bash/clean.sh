#!/bin/sh
# The site cartridge's clean extension: stops the HTTP server before the member is terminated.
here="$(cd "$(dirname "$0")/../.." && pwd)"
[ -f "$here/site-server.pid" ] && kill "$(cat "$here/site-server.pid")" 2>/dev/null
rm -f "$here/site-server.pid"
echo "site server stopped"
