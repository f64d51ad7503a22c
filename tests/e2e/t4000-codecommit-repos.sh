#!/bin/bash
# CodeCommit repositories through the AWS CLI and boto3: create (name,
# description and tag rules), get, batch get, list (sorting, paging),
# rename, describe, tag, delete, and who may do each.
. "$(dirname "$0")/lib.sh"
start_server

ok "create-repository MyDemoRepo" admin codecommit create-repository \
	--repository-name MyDemoRepo --repository-description "My demonstration repository" \
	--tags Team=Saanvi,Stage=dev
expect_eq "repositoryName" "$(out_get repositoryMetadata.repositoryName)" MyDemoRepo
expect_eq "accountId" "$(out_get repositoryMetadata.accountId)" "$ACCOUNT"
expect_eq "Arn" "$(out_get repositoryMetadata.Arn)" "arn:aws:codecommit:us-east-1:$ACCOUNT:MyDemoRepo"
expect_eq "cloneUrlHttp" "$(out_get repositoryMetadata.cloneUrlHttp)" "$ENDPOINT/v1/repos/MyDemoRepo"
out_get repositoryMetadata.cloneUrlSsh | grep -q "^ssh://127.0.0.1:$SSH_PORT/v1/repos/MyDemoRepo$" &&
	pass "cloneUrlSsh" || fail "cloneUrlSsh"
expect_eq "description" "$(out_get repositoryMetadata.repositoryDescription)" \
	"My demonstration repository"
ID=$(out_get repositoryMetadata.repositoryId)
echo "$ID" | grep -qE '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' &&
	pass "repositoryId is a UUID" || fail "repositoryId is a UUID"
[ -z "$(out_get repositoryMetadata.defaultBranch)" ] &&
	pass "an empty repository has no default branch" ||
	fail "an empty repository has no default branch"
[ -d "$T/data/repos/$ACCOUNT/$ID.git" ] && pass "the repository is on disk by id" ||
	fail "the repository is on disk by id"
git --git-dir "$T/data/repos/$ACCOUNT/$ID.git" rev-parse --is-bare-repository 2>/dev/null |
	grep -q true && pass "... as a bare Git repository" || fail "... as a bare Git repository"

# name, description and tag rules
fails_with "the same name again" RepositoryNameExistsException admin codecommit \
	create-repository --repository-name MyDemoRepo
for bad in "x y" "a/b" "name.git" "NAME.GIT" ".." "." "a%b" "$(printf 'a%.0s' $(seq 101))"; do
	fails_with "name '${bad:0:20}' is refused" InvalidRepositoryNameException admin codecommit \
		create-repository --repository-name "$bad"
done
ok "a name of 100 characters" admin codecommit create-repository \
	--repository-name "$(printf 'b%.0s' $(seq 100))"
ok "names are case-sensitive" admin codecommit create-repository --repository-name mydemorepo
fails_with "a description over 1000 characters" InvalidRepositoryDescriptionException admin \
	codecommit create-repository --repository-name D1 \
	--repository-description "$(printf 'd%.0s' $(seq 1001))"
fails_with "an aws: tag" InvalidSystemTagUsageException admin codecommit create-repository \
	--repository-name T1 --tags aws:x=1
fails_with "a tag key over 128 characters" InvalidTagsMapException admin codecommit \
	create-repository --repository-name T2 --tags "$(printf 'k%.0s' $(seq 129))=v"
tags=$(for i in $(seq 51); do printf 'k%d=v,' "$i"; done)
fails_with "51 tags" TooManyTagsException admin codecommit create-repository \
	--repository-name T3 --tags "${tags%,}"
ok "nothing was created by the refused calls" admin codecommit list-repositories
for n in D1 T1 T2 T3; do
	grep -q "\"$n\"" "$T/out" && fail "$n was not created" || pass "$n was not created"
done

# get, batch get
ok "get-repository" admin codecommit get-repository --repository-name MyDemoRepo
expect_eq "get-repository returns the same id" "$(out_get repositoryMetadata.repositoryId)" "$ID"
fails_with "a missing repository" RepositoryDoesNotExistException admin codecommit \
	get-repository --repository-name Nope
ok "batch-get-repositories" admin codecommit batch-get-repositories \
	--repository-names MyDemoRepo Nope mydemorepo
expect_eq "two found" "$($PY -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["repositories"]))' "$T/out")" 2
expect_eq "one not found" "$(out_get repositoriesNotFound.0)" Nope
fails_with "more than 25 names" MaximumRepositoryNamesExceededException admin codecommit \
	batch-get-repositories --repository-names $(seq -f 'r%g' 26)

# list: sorting and paging (boto3 follows nextToken; 1000 per page)
for n in Zeta alpha Mid; do
	aws_as admin codecommit create-repository --repository-name "$n" || fail "create $n"
	sleep 1
done
ok "list-repositories" admin codecommit list-repositories --sort-by repositoryName --order ascending
expect_eq "sorted by name (byte order)" \
	"$($PY -c 'import json,sys; print(" ".join(r["repositoryName"] for r in json.load(open(sys.argv[1]))["repositories"] if len(r["repositoryName"]) < 20))' "$T/out")" \
	"Mid MyDemoRepo Zeta alpha mydemorepo"
ok "list by last modified, newest first" admin codecommit list-repositories \
	--sort-by lastModifiedDate --order descending
expect_eq "the newest first" "$(out_get repositories.0.repositoryName)" Mid
fails_with "a bad sortBy" InvalidSortByException admin codecommit list-repositories --sort-by size
fails_with "a bad order" InvalidOrderException admin codecommit list-repositories --order up
"$PY" - "$ENDPOINT" "$T" <<'PYEOF' >"$T/py.out" 2>&1
import boto3, sys
from botocore.exceptions import ClientError
endpoint, t = sys.argv[1], sys.argv[2]
s = boto3.session.Session(profile_name="admin")
cc = s.client("codecommit", endpoint_url=endpoint, region_name="us-east-1")
# paging: 1005 repositories make two pages
for i in range(1000):
    cc.create_repository(repositoryName="p%04d" % i)
first = cc.list_repositories(sortBy="repositoryName")
print("page1", len(first["repositories"]), "nextToken" in first)
second = cc.list_repositories(sortBy="repositoryName", nextToken=first["nextToken"])
print("page2", len(second["repositories"]), "nextToken" in second)
names = [r["repositoryName"] for r in first["repositories"] + second["repositories"]]
print("distinct", len(set(names)) == len(names))
try:
    cc.list_repositories(nextToken="bogus!")
except ClientError as e:
    print("badtoken", e.response["Error"]["Code"])
PYEOF
grep -q "^page1 1000 True$" "$T/py.out" && pass "boto3: a first page of 1000 with a nextToken" ||
	{ cat "$T/py.out" | head -5; fail "boto3: a first page of 1000 with a nextToken"; }
grep -q "^page2 .* False$" "$T/py.out" && pass "boto3: the second page ends the list" ||
	fail "boto3: the second page ends the list"
grep -q "^distinct True$" "$T/py.out" && pass "boto3: no repository twice across pages" ||
	fail "boto3: no repository twice across pages"
grep -q "^badtoken InvalidContinuationTokenException$" "$T/py.out" &&
	pass "a bad nextToken is InvalidContinuationTokenException" ||
	fail "a bad nextToken is InvalidContinuationTokenException"

# rename, describe
ok "update-repository-description" admin codecommit update-repository-description \
	--repository-name MyDemoRepo --repository-description "new words"
ok "get-repository" admin codecommit get-repository --repository-name MyDemoRepo
expect_eq "the description changed" "$(out_get repositoryMetadata.repositoryDescription)" "new words"
fails_with "rename onto an existing name" RepositoryNameExistsException admin codecommit \
	update-repository-name --old-name MyDemoRepo --new-name Zeta
fails_with "rename to a bad name" InvalidRepositoryNameException admin codecommit \
	update-repository-name --old-name MyDemoRepo --new-name "bad name"
ok "update-repository-name" admin codecommit update-repository-name --old-name MyDemoRepo \
	--new-name Renamed
ok "get the renamed repository" admin codecommit get-repository --repository-name Renamed
expect_eq "same id after a rename" "$(out_get repositoryMetadata.repositoryId)" "$ID"
expect_eq "clone URL follows the name" "$(out_get repositoryMetadata.cloneUrlHttp)" \
	"$ENDPOINT/v1/repos/Renamed"
fails_with "the old name is gone" RepositoryDoesNotExistException admin codecommit \
	get-repository --repository-name MyDemoRepo

# tags
ARN=arn:aws:codecommit:us-east-1:$ACCOUNT:Renamed
ok "list-tags-for-resource" admin codecommit list-tags-for-resource --resource-arn "$ARN"
expect_eq "the tags from create" "$(out_get tags.Team) $(out_get tags.Stage)" "Saanvi dev"
ok "tag-resource" admin codecommit tag-resource --resource-arn "$ARN" --tags Stage=prod,Owner=ops
ok "untag-resource" admin codecommit untag-resource --resource-arn "$ARN" --tag-keys Team
ok "list-tags-for-resource" admin codecommit list-tags-for-resource --resource-arn "$ARN"
expect_eq "tags after tag and untag" "$(out_get tags.Team)|$(out_get tags.Stage)|$(out_get tags.Owner)" "|prod|ops"
fails_with "another account's ARN" InvalidResourceArnException admin codecommit \
	list-tags-for-resource --resource-arn arn:aws:codecommit:us-east-1:999999999999:Renamed
fails_with "a missing repository's ARN" RepositoryDoesNotExistException admin codecommit \
	tag-resource --resource-arn "arn:aws:codecommit:us-east-1:$ACCOUNT:Nope" --tags a=b

# who may: the read-only policy lists, but cannot create or delete
ok "create-user Saurabh" admin iam create-user --user-name Saurabh
ok "attach AWSCodeCommitReadOnly" admin iam attach-user-policy --user-name Saurabh \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitReadOnly
ok "access key" admin iam create-access-key --user-name Saurabh
add_profile Saurabh "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
ok "read-only: get-repository" Saurabh codecommit get-repository --repository-name Renamed
fails_with "read-only: create-repository" AccessDeniedException Saurabh codecommit \
	create-repository --repository-name Mine
grep -q "codecommit:CreateRepository" "$T/err" && pass "the refusal names the action" ||
	fail "the refusal names the action"
fails_with "read-only: delete-repository" AccessDeniedException Saurabh codecommit \
	delete-repository --repository-name Renamed

# delete
ok "delete-repository" admin codecommit delete-repository --repository-name Renamed
expect_eq "delete returns the id" "$(out_get repositoryId)" "$ID"
[ -d "$T/data/repos/$ACCOUNT/$ID.git" ] && fail "the files are gone" || pass "the files are gone"
ok "deleting again is not an error" admin codecommit delete-repository --repository-name Renamed
# the CLI prints nothing for an answer without repositoryId
grep -q repositoryId "$T/out" && fail "... and returns no id" || pass "... and returns no id"
finish
