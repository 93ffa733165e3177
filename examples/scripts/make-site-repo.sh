#!/bin/sh
# Makes the example site's git repository and the application that deploys it:
#   examples/scripts/make-site-repo.sh [FOLDER]      (default: ./data/example-repos)
# FOLDER/site.git        a bare repository with index.html (push to it to change the site)
# FOLDER/site-app.json   the application "site" (group site-tier, cartridge site) with that repository
set -eu
folder="$(mkdir -p "${1:-./data/example-repos}" && cd "${1:-./data/example-repos}" && pwd)"
repo="$folder/site.git"
if [ ! -d "$repo" ]; then
  work="$(mktemp -d)"
  git init -q -b main "$work"
  printf '<!doctype html>\n<title>strato example</title>\n<h1>Hello from strato</h1>\n' >"$work/index.html"
  git -C "$work" add index.html
  git -C "$work" -c user.name=strato -c user.email=strato@example.invalid commit -qm "The example site"
  git clone -q --bare "$work" "$repo"
  rm -rf "$work"
fi
cat >"$folder/site-app.json" <<JSON
{
  "applicationId": "site",
  "alias": "site",
  "components": {
    "groups": [
      {
        "name": "site-tier",
        "alias": "site-tier",
        "groupMinInstances": 1,
        "groupMaxInstances": 1,
        "cartridges": [
          {
            "type": "site",
            "cartridgeMin": 2,
            "cartridgeMax": 4,
            "subscribableInfo": {
              "alias": "site",
              "autoscalingPolicy": "moderate",
              "deploymentPolicy": "local-process",
              "artifactRepository": { "privateRepo": false, "repoUrl": "file://$repo" }
            }
          }
        ]
      }
    ]
  }
}
JSON
echo "repository: $repo"
echo "application: $folder/site-app.json"
