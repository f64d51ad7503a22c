#!/bin/sh
# quickstart.sh - the first run: initialise ./data (once), then serve on
# 127.0.0.1:8080 (and Git over SSH on 127.0.0.1:2222) with the embedded
# defaults (SQLite, local disk).  `make run`
# calls this after installing the packages and building.
set -eu
cd "$(dirname "$0")/.."
DATA=${DATA:-./data}
LISTEN=${LISTEN:-127.0.0.1:8080}
SSH_LISTEN=${SSH_LISTEN:-127.0.0.1:2222}
PROFILE=${PROFILE:-commitd}

if [ ! -f "$DATA/commitd.db" ]; then
	./commitd init --data-dir "$DATA" --write-profile "$PROFILE"
	cat <<MSG

Next steps (in another terminal):

  aws --profile $PROFILE --endpoint-url http://$LISTEN sts get-caller-identity
  aws --profile $PROFILE --endpoint-url http://$LISTEN iam create-user --user-name Sonali
  aws --profile $PROFILE --endpoint-url http://$LISTEN iam attach-user-policy \\
      --user-name Sonali --policy-arn arn:aws:iam::aws:policy/AWSCodeCommitPowerUser
  aws --profile $PROFILE --endpoint-url http://$LISTEN iam create-service-specific-credential \\
      --user-name Sonali --service-name codecommit.amazonaws.com
  aws --profile $PROFILE --endpoint-url http://$LISTEN codecommit create-repository \\
      --repository-name MyDemoRepo
  git clone http://$LISTEN/v1/repos/MyDemoRepo   # as Sonali-at-ACCOUNT, the password above

Or over SSH: upload a public key, and use its id (APKA...) as the SSH user:

  aws --profile $PROFILE --endpoint-url http://$LISTEN iam upload-ssh-public-key \
      --user-name Sonali --ssh-public-key-body file://\$HOME/.ssh/id_ed25519.pub
  git clone ssh://APKA...@${SSH_LISTEN%:*}:${SSH_LISTEN##*:}/v1/repos/MyDemoRepo

Or with codecommit:// URLs and no Python: \`make install-tools\`, add
"endpoint_url = http://$LISTEN" to [profile $PROFILE] in ~/.aws/config, then

  git clone codecommit://$PROFILE@MyDemoRepo

The profile '$PROFILE' was written to your AWS CLI files.  Stop the server with Ctrl-C.

MSG
fi
exec ./commitd serve --data-dir "$DATA" --listen "$LISTEN" --ssh-listen "$SSH_LISTEN"
