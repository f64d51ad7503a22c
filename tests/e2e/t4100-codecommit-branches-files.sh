#!/bin/bash
# Branches, commits and files through the CodeCommit API with the AWS CLI and
# boto3: the first put-file of an empty repository makes its default branch,
# files and binary content round-trip, commits and differences read back,
# CodeCommit's own exceptions for bad input, and what the API wrote is plain
# Git (cloned straight from the data directory).  Branch protection with
# codecommit:References decides PutFile and DeleteBranch per branch.
. "$(dirname "$0")/lib.sh"
start_server

export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$T/gitconfig GIT_TERMINAL_PROMPT=0
: >"$T/gitconfig"
ADMIN=$(json_get "$T/init.json" UserName)
ZERO=0000000000000000000000000000000000000000

# out_py EXPR - a Python expression over the last output (d), printed
out_py() {
	"$PY" -c 'import json, sys, base64; d = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
		"$T/out" "$1"
}
b64() { base64 -w0 "$1"; }
cc() { aws_as admin codecommit "$@"; }

ok "create-repository" admin codecommit create-repository --repository-name demo
RID=$(out_get repositoryMetadata.repositoryId)
DIR=$T/data/repos/$ACCOUNT/$RID.git
expect_eq "an empty repository has no default branch" "$(out_get repositoryMetadata.defaultBranch)" ""
fails_with "get-file in an empty repository" CommitDoesNotExistException admin codecommit get-file \
	--repository-name demo --file-path README.md

# ---- the first file makes the first branch, which becomes the default ----
printf 'hello world\n' >"$T/readme"
ok "put-file into the empty repository" admin codecommit put-file --repository-name demo \
	--branch-name develop --file-path /README.md --file-content "fileb://$T/readme" \
	--commit-message "first commit" --name "Ana Author" --email ana@example.com
C1=$(out_get commitId)
B1=$(out_get blobId)
expect_eq "put-file answers a commit id" "$(echo "$C1" | grep -cE '^[0-9a-f]{40}$')" 1
expect_eq "put-file answers the blob id git computes" "$B1" "$(git hash-object "$T/readme")"
ok "get-repository" admin codecommit get-repository --repository-name demo
expect_eq "the first branch is the default branch" "$(out_get repositoryMetadata.defaultBranch)" develop
ok "get-file (default branch)" admin codecommit get-file --repository-name demo --file-path README.md
expect_eq "get-file gives the content back" "$(out_get fileContent)" "$(b64 "$T/readme")"
expect_eq "get-file: size, mode, blob, commit, path" \
	"$(out_py '(d["fileSize"], d["fileMode"], d["blobId"], d["commitId"], d["filePath"])')" \
	"(12, 'NORMAL', '$B1', '$C1', 'README.md')"

# binary content with NUL bytes, as an executable in a folder
printf 'a\000b\000\377\376\001binary\n' >"$T/bin"
ok "put-file a binary file" admin codecommit put-file --repository-name demo --branch-name develop \
	--file-path data/blob.bin --file-content "fileb://$T/bin" --parent-commit-id "$C1" \
	--file-mode EXECUTABLE
C2=$(out_get commitId)
BB=$(out_get blobId)
ok "get-file the binary file by branch" admin codecommit get-file --repository-name demo \
	--commit-specifier develop --file-path data/blob.bin
expect_eq "binary content with NUL bytes round-trips" "$(out_get fileContent)" "$(b64 "$T/bin")"
expect_eq "the mode is EXECUTABLE" "$(out_get fileMode)" EXECUTABLE
ok "get-file by full reference" admin codecommit get-file --repository-name demo \
	--commit-specifier refs/heads/develop --file-path data/blob.bin
expect_eq "refs/heads/develop is the branch" "$(out_get commitId)" "$C2"
ok "get-file at an older commit" admin codecommit get-file --repository-name demo \
	--commit-specifier "$C1" --file-path README.md
expect_eq "the commit id names that commit" "$(out_get commitId)" "$C1"
fails_with "the binary file did not exist at the first commit" FileDoesNotExistException admin \
	codecommit get-file --repository-name demo --commit-specifier "$C1" --file-path data/blob.bin

# ---- the parent commit rules ----
printf 'changed\n' >"$T/readme2"
fails_with "an existing branch needs a parent commit" ParentCommitIdRequiredException admin \
	codecommit put-file --repository-name demo --branch-name develop --file-path README.md \
	--file-content "fileb://$T/readme2"
fails_with "a parent that is not the tip is outdated" ParentCommitIdOutdatedException admin \
	codecommit put-file --repository-name demo --branch-name develop --file-path README.md \
	--file-content "fileb://$T/readme2" --parent-commit-id "$C1"
fails_with "a parent that does not exist" ParentCommitDoesNotExistException admin codecommit \
	put-file --repository-name demo --branch-name develop --file-path README.md \
	--file-content "fileb://$T/readme2" --parent-commit-id "$ZERO"
fails_with "a parent that is not a commit id" InvalidParentCommitIdException admin codecommit \
	put-file --repository-name demo --branch-name develop --file-path README.md \
	--file-content "fileb://$T/readme2" --parent-commit-id develop
fails_with "the same content again" SameFileContentException admin codecommit put-file \
	--repository-name demo --branch-name develop --file-path README.md \
	--file-content "fileb://$T/readme" --parent-commit-id "$C2"
fails_with "a new branch in a non-empty repository needs a parent" ParentCommitIdRequiredException \
	admin codecommit put-file --repository-name demo --branch-name other --file-path x.txt \
	--file-content "fileb://$T/readme2"

# ---- bad input ----
fails_with "a path with .." InvalidPathException admin codecommit put-file --repository-name demo \
	--branch-name develop --file-path ../evil --file-content "fileb://$T/readme2" --parent-commit-id "$C2"
fails_with "a path through .git" InvalidPathException admin codecommit put-file \
	--repository-name demo --branch-name develop --file-path sub/.GIT/config \
	--file-content "fileb://$T/readme2" --parent-commit-id "$C2"
fails_with "an empty path component" InvalidPathException admin codecommit get-file \
	--repository-name demo --file-path 'data//blob.bin'
fails_with "a file over a folder" FileNameConflictsWithDirectoryNameException admin codecommit \
	put-file --repository-name demo --branch-name develop --file-path data \
	--file-content "fileb://$T/readme2" --parent-commit-id "$C2"
fails_with "a folder over a file" DirectoryNameConflictsWithFileNameException admin codecommit \
	put-file --repository-name demo --branch-name develop --file-path README.md/x \
	--file-content "fileb://$T/readme2" --parent-commit-id "$C2"
fails_with "a bad file mode" InvalidFileModeException admin codecommit put-file \
	--repository-name demo --branch-name develop --file-path new.txt --file-mode WRITABLE \
	--file-content "fileb://$T/readme2" --parent-commit-id "$C2"
fails_with "a bad email" InvalidEmailException admin codecommit put-file --repository-name demo \
	--branch-name develop --file-path new.txt --email 'a <b>' \
	--file-content "fileb://$T/readme2" --parent-commit-id "$C2"
fails_with "an invalid branch name" InvalidBranchNameException admin codecommit create-branch \
	--repository-name demo --branch-name 'bad..name' --commit-id "$C2"
fails_with "a 40-hex branch name" InvalidBranchNameException admin codecommit get-branch \
	--repository-name demo --branch-name "$C2"
fails_with "a missing repository" RepositoryDoesNotExistException admin codecommit get-branch \
	--repository-name nosuch --branch-name develop
fails_with "a missing file" FileDoesNotExistException admin codecommit get-file \
	--repository-name demo --file-path nope.txt
fails_with "a folder is not a file" FileDoesNotExistException admin codecommit get-file \
	--repository-name demo --file-path data
fails_with "a specifier that names nothing" CommitDoesNotExistException admin codecommit get-file \
	--repository-name demo --commit-specifier nosuch --file-path README.md
fails_with "a specifier that is no reference" InvalidCommitException admin codecommit get-file \
	--repository-name demo --commit-specifier 'a..b' --file-path README.md
head -c 6291457 /dev/zero >"$T/big"
fails_with "a file over 6 MB" FileContentSizeLimitExceededException admin codecommit put-file \
	--repository-name demo --branch-name develop --file-path big.bin \
	--file-content "fileb://$T/big" --parent-commit-id "$C2"

# ---- branches ----
ok "create-branch" admin codecommit create-branch --repository-name demo --branch-name feature/x \
	--commit-id "$C2"
fails_with "create-branch twice" BranchNameExistsException admin codecommit create-branch \
	--repository-name demo --branch-name feature/x --commit-id "$C1"
fails_with "create-branch at a missing commit" CommitDoesNotExistException admin codecommit \
	create-branch --repository-name demo --branch-name y --commit-id "$ZERO"
fails_with "create-branch at a bad commit id" InvalidCommitIdException admin codecommit \
	create-branch --repository-name demo --branch-name y --commit-id develop
ok "get-branch" admin codecommit get-branch --repository-name demo --branch-name feature/x
expect_eq "get-branch names the commit" "$(out_get branch.commitId)/$(out_get branch.branchName)" "$C2/feature/x"
fails_with "get-branch of a missing branch" BranchDoesNotExistException admin codecommit get-branch \
	--repository-name demo --branch-name nosuch
grep -q "nosuch" "$T/err" && pass "the error names the branch" || fail "the error names the branch"
ok "list-branches" admin codecommit list-branches --repository-name demo
expect_eq "list-branches lists both, sorted" "$(out_py 'd["branches"]')" "['develop', 'feature/x']"
ok "update-default-branch" admin codecommit update-default-branch --repository-name demo \
	--default-branch-name feature/x
ok "get-repository after update-default-branch" admin codecommit get-repository --repository-name demo
expect_eq "the default branch moved" "$(out_get repositoryMetadata.defaultBranch)" feature/x
expect_eq "HEAD names it on disk" "$(git --git-dir="$DIR" symbolic-ref HEAD)" refs/heads/feature/x
fails_with "update-default-branch to a missing branch" BranchDoesNotExistException admin codecommit \
	update-default-branch --repository-name demo --default-branch-name nosuch
fails_with "the default branch cannot be deleted" DefaultBranchCannotBeDeletedException admin \
	codecommit delete-branch --repository-name demo --branch-name feature/x
ok "update-default-branch back" admin codecommit update-default-branch --repository-name demo \
	--default-branch-name develop
ok "delete-branch" admin codecommit delete-branch --repository-name demo --branch-name feature/x
expect_eq "delete-branch answers the deleted branch" \
	"$(out_get deletedBranch.branchName) $(out_get deletedBranch.commitId)" "feature/x $C2"
ok "delete-branch of a missing branch is no error" admin codecommit delete-branch \
	--repository-name demo --branch-name feature/x
expect_eq "and answers no deletedBranch" "$(grep -c deletedBranch "$T/out")" 0
fails_with "get-branch after delete-branch" BranchDoesNotExistException admin codecommit get-branch \
	--repository-name demo --branch-name feature/x

# ---- create-commit: put, delete, mode ----
ok "create-commit" admin codecommit create-commit --repository-name demo --branch-name develop \
	--parent-commit-id "$C2" --author-name "Bo Builder" --email bo@example.com \
	--commit-message "add main.c, drop the binary" --cli-binary-format raw-in-base64-out \
	--put-files '[{"filePath": "src/main.c", "fileContent": "int main(void) { return 0; }"},
		{"filePath": "src/run.sh", "fileContent": "echo hi", "fileMode": "EXECUTABLE"}]' \
	--delete-files filePath=data/blob.bin --set-file-modes filePath=README.md,fileMode=EXECUTABLE
C3=$(out_get commitId)
expect_eq "filesAdded" "$(out_py 'sorted(f["absolutePath"] for f in d["filesAdded"])')" "['src/main.c', 'src/run.sh']"
expect_eq "filesDeleted names the blob" "$(out_py '[(f["absolutePath"], f["blobId"]) for f in d["filesDeleted"]]')" "[('data/blob.bin', '$BB')]"
expect_eq "filesUpdated has the mode change" "$(out_py '[(f["absolutePath"], f["fileMode"]) for f in d["filesUpdated"]]')" "[('README.md', 'EXECUTABLE')]"
fails_with "create-commit that changes nothing" NoChangeException admin codecommit create-commit \
	--repository-name demo --branch-name develop --parent-commit-id "$C3" \
	--set-file-modes filePath=README.md,fileMode=EXECUTABLE
fails_with "create-commit deleting a missing file" FileDoesNotExistException admin codecommit \
	create-commit --repository-name demo --branch-name develop --parent-commit-id "$C3" \
	--delete-files filePath=nope.txt
fails_with "create-commit with two changes of one path" SamePathRequestException admin codecommit \
	create-commit --repository-name demo --branch-name develop --parent-commit-id "$C3" \
	--delete-files filePath=src/main.c --set-file-modes filePath=src/main.c,fileMode=NORMAL
fails_with "create-commit with no changes" FileEntryRequiredException admin codecommit \
	create-commit --repository-name demo --branch-name develop --parent-commit-id "$C3"
fails_with "create-commit on an existing branch needs a parent" ParentCommitIdRequiredException \
	admin codecommit create-commit --repository-name demo --branch-name develop \
	--delete-files filePath=src/main.c

# ---- get-commit, batch-get-commits ----
ok "get-commit" admin codecommit get-commit --repository-name demo --commit-id "$C3"
expect_eq "get-commit: message, author, email, parent" \
	"$(out_py '(d["commit"]["message"], d["commit"]["author"]["name"], d["commit"]["author"]["email"], d["commit"]["parents"], d["commit"]["committer"]["name"])')" \
	"('add main.c, drop the binary', 'Bo Builder', 'bo@example.com', ['$C2'], 'Bo Builder')"
expect_eq "the date is epoch seconds and a zone" \
	"$(out_get commit.author.date | grep -cE '^[0-9]+ [+-][0-9]{4}$')" 1
expect_eq "the tree id is git's" "$(out_get commit.treeId)" "$(git --git-dir="$DIR" rev-parse "$C3^{tree}")"
fails_with "get-commit of a missing commit" CommitIdDoesNotExistException admin codecommit get-commit \
	--repository-name demo --commit-id "$ZERO"
fails_with "get-commit of a bad id" InvalidCommitIdException admin codecommit get-commit \
	--repository-name demo --commit-id abc
ok "batch-get-commits" admin codecommit batch-get-commits --repository-name demo \
	--commit-ids "$C1" "$C3" "$ZERO"
expect_eq "two commits found" "$(out_py 'sorted(c["commitId"] for c in d["commits"])')" "$(
	$PY -c 'import sys; print(sorted(sys.argv[1:]))' "$C1" "$C3")"
expect_eq "the missing one is an error" "$(out_py '[(x["commitId"], x["errorCode"]) for x in d["errors"]]')" \
	"[('$ZERO', 'CommitIdDoesNotExistException')]"
fails_with "batch-get-commits of 101 ids" CommitIdsLimitExceededException admin codecommit \
	batch-get-commits --repository-name demo --commit-ids $(for i in $(seq 101); do echo "$C1"; done)

# ---- get-differences ----
ok "get-differences between two commits" admin codecommit get-differences --repository-name demo \
	--before-commit-specifier "$C2" --after-commit-specifier "$C3"
expect_eq "A, D and M with paths" \
	"$(out_py 'sorted((x["changeType"], (x.get("afterBlob") or x.get("beforeBlob"))["path"]) for x in d["differences"])')" \
	"[('A', 'src/main.c'), ('A', 'src/run.sh'), ('D', 'data/blob.bin'), ('M', 'README.md')]"
expect_eq "the mode change shows in the modes" \
	"$(out_py '[(x["beforeBlob"]["mode"], x["afterBlob"]["mode"]) for x in d["differences"] if x["changeType"] == "M"]')" \
	"[('100644', '100755')]"
ok "get-differences with no before commit" admin codecommit get-differences --repository-name demo \
	--after-commit-specifier develop
expect_eq "everything is added" "$(out_py 'sorted(x["afterBlob"]["path"] for x in d["differences"] if x["changeType"] == "A")')" \
	"['README.md', 'src/main.c', 'src/run.sh']"
ok "get-differences limited to a folder" admin codecommit get-differences --repository-name demo \
	--before-commit-specifier "$C2" --after-commit-specifier "$C3" --after-path src
expect_eq "only the folder's files" "$(out_py 'sorted(x["afterBlob"]["path"] for x in d["differences"])')" \
	"['src/main.c', 'src/run.sh']"
fails_with "get-differences of a missing path" PathDoesNotExistException admin codecommit \
	get-differences --repository-name demo --after-commit-specifier develop --after-path nosuch
fails_with "get-differences needs an after commit" CommitRequiredException admin codecommit \
	get-differences --repository-name demo --after-commit-specifier ''

# ---- get-folder, get-blob ----
ok "get-folder of the root" admin codecommit get-folder --repository-name demo --folder-path /
expect_eq "files and folders of the root" "$(out_py '([f["relativePath"] for f in d["files"]], [f["absolutePath"] for f in d["subFolders"]], d["commitId"])')" \
	"(['README.md'], ['src'], '$C3')"
ok "get-folder src" admin codecommit get-folder --repository-name demo --folder-path src
expect_eq "entries have absolute and relative paths and modes" \
	"$(out_py 'sorted((f["absolutePath"], f["relativePath"], f["fileMode"]) for f in d["files"])')" \
	"[('src/main.c', 'main.c', 'NORMAL'), ('src/run.sh', 'run.sh', 'EXECUTABLE')]"
expect_eq "the folder's tree id is git's" "$(out_get treeId)" "$(git --git-dir="$DIR" rev-parse "$C3:src")"
fails_with "get-folder of a missing folder" FolderDoesNotExistException admin codecommit get-folder \
	--repository-name demo --folder-path nosuch
ok "get-blob" admin codecommit get-blob --repository-name demo --blob-id "$BB"
expect_eq "get-blob gives old content back" "$(out_get content)" "$(b64 "$T/bin")"
fails_with "get-blob of a missing blob" BlobIdDoesNotExistException admin codecommit get-blob \
	--repository-name demo --blob-id "$ZERO"
fails_with "get-blob of a commit id" BlobIdDoesNotExistException admin codecommit get-blob \
	--repository-name demo --blob-id "$C3"

# ---- delete-file, keepEmptyFolders ----
ok "delete-file" admin codecommit delete-file --repository-name demo --branch-name develop \
	--file-path README.md --parent-commit-id "$C3"
C4=$(out_get commitId)
expect_eq "delete-file answers the deleted blob" "$(out_get blobId) $(out_get filePath)" "$B1 README.md"
fails_with "the file is gone" FileDoesNotExistException admin codecommit get-file \
	--repository-name demo --file-path README.md
fails_with "delete-file on a missing branch" BranchDoesNotExistException admin codecommit \
	delete-file --repository-name demo --branch-name nosuch --file-path src/main.c \
	--parent-commit-id "$C4"
fails_with "delete-file of a missing file" FileDoesNotExistException admin codecommit delete-file \
	--repository-name demo --branch-name develop --file-path README.md --parent-commit-id "$C4"
ok "delete-file keeping the empty folder" admin codecommit delete-file --repository-name demo \
	--branch-name develop --file-path src/run.sh --parent-commit-id "$C4" --keep-empty-folders
C5=$(out_get commitId)
ok "delete-file leaving a folder empty" admin codecommit delete-file --repository-name demo \
	--branch-name develop --file-path src/main.c --parent-commit-id "$C5" --keep-empty-folders
C6=$(out_get commitId)
ok "get-folder of the kept folder" admin codecommit get-folder --repository-name demo --folder-path src
expect_eq "the folder keeps a .gitkeep" "$(out_py '[f["relativePath"] for f in d["files"]]')" "['.gitkeep']"

# a commit with no name or email: the caller's user name and a blank email, as AWS
ok "put-file with default author" admin codecommit put-file --repository-name demo \
	--branch-name develop --file-path notes/todo.txt --file-content "fileb://$T/readme2" \
	--parent-commit-id "$C6"
C7=$(out_get commitId)
ok "get-commit of it" admin codecommit get-commit --repository-name demo --commit-id "$C7"
expect_eq "author is the IAM user, email blank, message defaulted" \
	"$(out_py '(d["commit"]["author"]["name"], d["commit"]["author"]["email"], d["commit"]["message"])')" \
	"('$ADMIN', '', 'Added notes/todo.txt')"

# tags, as git makes them, are commit specifiers; a tag name is no branch
git --git-dir="$DIR" tag v1 "$C1"
ok "get-file at a tag" admin codecommit get-file --repository-name demo --commit-specifier v1 \
	--file-path README.md
expect_eq "the tag's content" "$(out_get fileContent) $(out_get commitId)" "$(b64 "$T/readme") $C1"
fails_with "a tag name is not a branch" BranchNameIsTagNameException admin codecommit put-file \
	--repository-name demo --branch-name v1 --file-path x.txt --file-content "fileb://$T/readme2" \
	--parent-commit-id "$C7"

# a file of exactly 6 MB fits the request body and comes back whole
head -c 6291456 /dev/urandom >"$T/six"
ok "put-file of 6 MB" admin codecommit put-file --repository-name demo --branch-name big \
	--file-path six.bin --file-content "fileb://$T/six" --parent-commit-id "$C7"
ok "get-file of 6 MB" admin codecommit get-file --repository-name demo --commit-specifier big \
	--file-path six.bin
out_py 'd["fileContent"]' | base64 -d >"$T/six.back"
cmp -s "$T/six" "$T/six.back" && pass "6 MB round-trip" || fail "6 MB round-trip"
BIG1=$(out_get commitId)

# moves, copies and a renamed folder (on branch big, so develop's history stays as checked below)
ok "create-commit moving a file" admin codecommit create-commit --repository-name demo \
	--branch-name big --parent-commit-id "$BIG1" \
	--put-files '[{"filePath": "moved/six.bin", "sourceFile": {"filePath": "six.bin", "isMove": true}}]'
BIG2=$(out_get commitId)
expect_eq "a move adds the file and deletes its source, same blob" \
	"$(out_py '[(f["absolutePath"], f["blobId"]) for f in d["filesAdded"] + d["filesDeleted"]]')" \
	"[('moved/six.bin', '$(git hash-object "$T/six")'), ('six.bin', '$(git hash-object "$T/six")')]"
ok "get-commit of the move" admin codecommit get-commit --repository-name demo --commit-id "$BIG2"
expect_eq "a default message says what changed" "$(out_get commit.message)" \
	"Added 1, updated 0 and deleted 1 files"
fails_with "a .gitkeep cannot be moved" RestrictedSourceFileException admin codecommit \
	create-commit --repository-name demo --branch-name big --parent-commit-id "$BIG2" \
	--put-files '[{"filePath": "k", "sourceFile": {"filePath": "src/.gitkeep"}}]'
fails_with "content and a source file" FileContentAndSourceFileSpecifiedException admin codecommit \
	create-commit --repository-name demo --branch-name big --parent-commit-id "$BIG2" \
	--put-files '[{"filePath": "k", "fileContent": "eA==", "sourceFile": {"filePath": "moved/six.bin"}}]'
fails_with "a file and a folder of it" PutFileEntryConflictException admin codecommit \
	create-commit --repository-name demo --branch-name big --parent-commit-id "$BIG2" \
	--put-files '[{"filePath": "k", "fileContent": "eA=="}, {"filePath": "k/l", "fileContent": "eA=="}]'
ok "create-commit renaming a folder and changing its file" admin codecommit create-commit \
	--repository-name demo --branch-name big --parent-commit-id "$BIG2" \
	--cli-binary-format raw-in-base64-out \
	--put-files '[{"filePath": "notes2/todo.txt", "fileContent": "rewritten"}]' \
	--delete-files filePath=notes/todo.txt
ok "get-differences across the renamed folder" admin codecommit get-differences \
	--repository-name demo --before-commit-specifier "$BIG2" --after-commit-specifier big \
	--before-path notes --after-path notes2
expect_eq "one modified file, before and after paths" \
	"$(out_py '[(x["changeType"], x["beforeBlob"]["path"], x["afterBlob"]["path"]) for x in d["differences"]]')" \
	"[('M', 'notes/todo.txt', 'notes2/todo.txt')]"
fails_with "a branch in the way of a new one" BranchNameExistsException admin codecommit \
	create-branch --repository-name demo --branch-name develop/sub --commit-id "$C1"
fails_with "put-file to a branch another is in the way of" InvalidBranchNameException admin \
	codecommit put-file --repository-name demo --branch-name big/x --file-path x.txt \
	--file-content "fileb://$T/readme2" --parent-commit-id "$C1"

# ---- plain git sees what the API wrote ----
if git clone -q -b develop "$DIR" "$T/clone" 2>"$T/err"; then pass "git clone of the bare repository"; else fail "git clone of the bare repository"; fi
expect_eq "git log: messages and authors" \
	"$(git -C "$T/clone" log --format='%an <%ae> %s' | sed -n '5,7p')" \
	"Bo Builder <bo@example.com> add main.c, drop the binary
$ADMIN <> Added data/blob.bin
Ana Author <ana@example.com> first commit"
expect_eq "git log: seven commits on develop" "$(git -C "$T/clone" rev-list --count HEAD)" 7
expect_eq "git log: the tip is the API's" "$(git -C "$T/clone" rev-parse HEAD)" "$C7"
cmp -s "$T/clone/notes/todo.txt" "$T/readme2" && pass "the checked-out file is the API's" ||
	fail "the checked-out file is the API's"
[ -f "$T/clone/src/.gitkeep" ] && pass "the .gitkeep is a real file" || fail "the .gitkeep is a real file"
git -C "$T/clone" show "$C2:data/blob.bin" >"$T/bin.git"
cmp -s "$T/bin" "$T/bin.git" && pass "git reads the binary file the API wrote" ||
	fail "git reads the binary file the API wrote"
expect_eq "git sees the executable bit" "$(git -C "$T/clone" ls-tree "$C3" src/run.sh | cut -c1-6)" 100755
if git --git-dir="$DIR" fsck --strict --no-dangling >"$T/err" 2>&1; then pass "git fsck --strict is clean"; else fail "git fsck --strict is clean"; fi

# ---- paging, with boto3: branches and differences ----
for i in $(seq -w 1 120); do echo "create refs/heads/many/b$i $C1"; done |
	git --git-dir="$DIR" update-ref --stdin
ok "list-branches follows nextToken" admin codecommit list-branches --repository-name demo
expect_eq "the CLI got every branch once" "$(out_py 'len(d["branches"]) == len(set(d["branches"])) == 122')" True
"$PY" - "$ENDPOINT" "$ADMIN_KEY" "$ADMIN_SECRET" "$C2" "$C3" >"$T/boto" 2>&1 <<'PYEOF'
import sys, boto3
ep, k, s, c2, c3 = sys.argv[1:6]
cc = boto3.client("codecommit", endpoint_url=ep, region_name="us-east-1",
                  aws_access_key_id=k, aws_secret_access_key=s)
def step(name, ok):
    print(("ok - boto3: " if ok else "not ok - boto3: ") + name)
p1 = cc.list_branches(repositoryName="demo")
step("a page of 100 branches and a token", len(p1["branches"]) == 100 and "nextToken" in p1)
p2 = cc.list_branches(repositoryName="demo", nextToken=p1["nextToken"])
step("the last page has the rest and no token",
     len(p2["branches"]) == 22 and "nextToken" not in p2 and not set(p1["branches"]) & set(p2["branches"]))
try:
    cc.list_branches(repositoryName="demo", nextToken="garbage!")
    step("a bad token is refused", False)
except cc.exceptions.InvalidContinuationTokenException:
    step("a bad token is refused", True)
seen = []
kw = {}
while True:
    r = cc.get_differences(repositoryName="demo", beforeCommitSpecifier=c2,
                           afterCommitSpecifier=c3, MaxResults=1, **kw)
    seen += r["differences"]
    if "NextToken" not in r:
        break
    kw = {"NextToken": r["NextToken"]}
step("get_differences pages one by one", len(seen) == 4)
try:
    cc.get_differences(repositoryName="demo", afterCommitSpecifier=c3, MaxResults=0)
    step("MaxResults 0 is refused", False)
except cc.exceptions.InvalidMaxResultsException:
    step("MaxResults 0 is refused", True)
b = cc.get_blob(repositoryName="demo", blobId=cc.get_file(repositoryName="demo",
                commitSpecifier=c2, filePath="data/blob.bin")["blobId"])["content"]
step("boto3 get_blob returns raw bytes with NULs", b == b"a\0b\0\xff\xfe\x01binary\n")
def refused(what, exc, **kw):
    try:
        cc.put_file(repositoryName="demo", branchName="develop", filePath="t.txt",
                    fileContent=b"x", parentCommitId=c3, **kw)
        step(what, False)
    except exc:
        step(what, True)
refused("a commit message over 256 KB", cc.exceptions.CommitMessageLengthExceededException,
        commitMessage="m" * (256 * 1024 + 1))
refused("an author name over 1024 characters", cc.exceptions.NameLengthExceededException,
        name="n" * 1025)
PYEOF
while read -r line; do
	case "$line" in
	"ok - "*) pass "${line#ok - }" ;;
	"not ok - "*) fail "${line#not ok - }" ;;
	*) echo "#   $line" ;;
	esac
done <"$T/boto"
expect_eq "boto3 ran every step" "$(grep -c "^ok - boto3" "$T/boto")" 8
fails_with "a branch in the way of a new one, the other way" BranchNameExistsException admin \
	codecommit create-branch --repository-name demo --branch-name many --commit-id "$C1"

# ---- branch protection: Deny PutFile and DeleteBranch on refs/heads/main ----
ok "create-repository guarded" admin codecommit create-repository --repository-name guarded
ok "put-file makes main" admin codecommit put-file --repository-name guarded --branch-name main \
	--file-path README.md --file-content "fileb://$T/readme"
G1=$(out_get commitId)
ok "create-user dev" admin iam create-user --user-name dev
ok "attach AWSCodeCommitPowerUser" admin iam attach-user-policy --user-name dev \
	--policy-arn arn:aws:iam::aws:policy/AWSCodeCommitPowerUser
cat >"$T/deny.json" <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Deny",
    "Action": ["codecommit:GitPush", "codecommit:DeleteBranch", "codecommit:PutFile",
               "codecommit:MergeBranchesByFastForward", "codecommit:MergeBranchesBySquash",
               "codecommit:MergeBranchesByThreeWay", "codecommit:MergePullRequestByFastForward",
               "codecommit:MergePullRequestBySquash", "codecommit:MergePullRequestByThreeWay"],
    "Resource": "arn:aws:codecommit:us-east-1:$ACCOUNT:guarded",
    "Condition": {
      "StringEqualsIfExists": {"codecommit:References": ["refs/heads/main"]},
      "Null": {"codecommit:References": "false"}
    }
  }]
}
EOF
ok "put-user-policy deny main" admin iam put-user-policy --user-name dev --policy-name protect-main \
	--policy-document "file://$T/deny.json"
ok "create-access-key for dev" admin iam create-access-key --user-name dev
add_profile dev "$(out_get AccessKey.AccessKeyId)" "$(out_get AccessKey.SecretAccessKey)"
fails_with "dev cannot put a file on main" AccessDeniedException dev codecommit put-file \
	--repository-name guarded --branch-name main --file-path x.txt \
	--file-content "fileb://$T/readme2" --parent-commit-id "$G1"
grep -q "codecommit:PutFile" "$T/err" && pass "the refusal names the action" || fail "the refusal names the action"
ok "dev can create a feature branch" dev codecommit create-branch --repository-name guarded \
	--branch-name feature --commit-id "$G1"
ok "dev can put a file on the feature branch" dev codecommit put-file --repository-name guarded \
	--branch-name feature --file-path x.txt --file-content "fileb://$T/readme2" --parent-commit-id "$G1"
ok "dev can read main" dev codecommit get-file --repository-name guarded --commit-specifier main \
	--file-path README.md
ok "admin makes feature the default" admin codecommit update-default-branch \
	--repository-name guarded --default-branch-name feature
fails_with "dev cannot delete main" AccessDeniedException dev codecommit delete-branch \
	--repository-name guarded --branch-name main
ok "admin still can" admin codecommit delete-branch --repository-name guarded --branch-name main
ok "dev creates a scratch branch" dev codecommit create-branch \
	--repository-name guarded --branch-name scratch --commit-id "$G1"
ok "dev deletes a branch that is not main" dev codecommit delete-branch --repository-name guarded \
	--branch-name scratch
finish
