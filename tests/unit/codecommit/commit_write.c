/*
 * tests of src/codecommit/commit_write.c: a commit made through the API moves
 * its branch only by compare-and-swap, so a push (or another API call) that
 * moved or created the branch meanwhile is never overwritten.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "codecommit/cc_git.h"
#include "unit.h"

struct fixture {
	char tmp[64];
	struct arena *ar;
	struct principal who;
	struct aws_call c;
	struct cc_git g;
	struct cc_author a;
};

static int setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	git_libgit2_init();
	snprintf(f->tmp, sizeof(f->tmp), "/tmp/cc-unit.XXXXXX");
	if (mkdtemp(f->tmp) == NULL || (f->ar = arena_new()) == NULL)
		return -1;
	f->g.dir = arena_printf(f->ar, "%s/r.git", f->tmp);
	snprintf(f->g.repo.name, sizeof(f->g.repo.name), "demo");
	f->c.ar = f->ar;
	f->c.now = 1700000000;
	f->c.caller = &f->who;
	f->a.name = "Unit Test";
	f->a.email = "unit@example.com";
	return git_repository_init(&f->g.r, f->g.dir, 1);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void teardown(struct fixture *f)
{
	git_repository_free(f->g.r);
	arena_free(f->ar);
	nftw(f->tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS); /* the test's own mkdtemp directory */
	git_libgit2_shutdown();
}

/* a commit with one file on top of parent (NULL: a root commit), not on any branch */
static void make_commit(git_oid *out, struct fixture *f, const char *content, git_commit *parent)
{
	git_treebuilder *tb = NULL;
	git_signature *sig = NULL;
	git_tree *tree = NULL;
	const git_commit *parents[1] = {parent};
	git_oid blob, tid;

	git_blob_create_from_buffer(&blob, f->g.r, content, strlen(content));
	git_treebuilder_new(&tb, f->g.r, NULL);
	git_treebuilder_insert(NULL, tb, "f.txt", &blob, GIT_FILEMODE_BLOB);
	git_treebuilder_write(&tid, tb);
	git_tree_lookup(&tree, f->g.r, &tid);
	git_signature_new(&sig, "Other", "other@example.com", 1700000000, 0);
	git_commit_create(out, f->g.r, NULL, sig, sig, NULL, content, tree, parent ? 1 : 0, parents);
	git_signature_free(sig);
	git_tree_free(tree);
	git_treebuilder_free(tb);
}

static void set_branch(struct fixture *f, const char *ref, const git_oid *id)
{
	git_reference *r = NULL;

	git_reference_create(&r, f->g.r, ref, id, 1, "test");
	git_reference_free(r);
}

static bool branch_is(struct fixture *f, const char *ref, const git_oid *id)
{
	git_oid now;

	return git_reference_name_to_id(&now, f->g.r, ref) == 0 && git_oid_equal(&now, id);
}

void test_codecommit_commit_write__moves_the_branch_from_its_tip(void)
{
	struct fixture f;
	struct cc_target t;
	struct err e = ERR_INIT;
	git_oid a, made;
	git_commit *ca = NULL;
	char hex[GIT_OID_HEXSZ + 1];

	REQUIRE(setup(&f) == 0);
	make_commit(&a, &f, "a", NULL);
	set_branch(&f, "refs/heads/main", &a);
	git_oid_tostr(hex, sizeof(hex), &a);
	CHECK_INT(cc_target_get(&t, &f.g, &f.c, "main", hex, false, &e), 0);
	CHECK(t.exists);
	CHECK_INT(cc_commit_write(&made, &f.g, &f.c, &t, git_tree_id(t.base), &f.a, "next", &e), 0);
	CHECK(branch_is(&f, "refs/heads/main", &made));
	CHECK(git_commit_lookup(&ca, f.g.r, &made) == 0 && git_commit_parentcount(ca) == 1 &&
	      git_oid_equal(git_commit_parent_id(ca, 0), &a));
	git_commit_free(ca);
	cc_target_release(&t);
	teardown(&f);
}

void test_codecommit_commit_write__a_branch_moved_meanwhile_is_outdated(void)
{
	struct fixture f;
	struct cc_target t;
	struct err e = ERR_INIT;
	git_oid a, b, made;
	git_commit *ca = NULL;
	char hex[GIT_OID_HEXSZ + 1];

	REQUIRE(setup(&f) == 0);
	make_commit(&a, &f, "a", NULL);
	set_branch(&f, "refs/heads/main", &a);
	git_oid_tostr(hex, sizeof(hex), &a);
	REQUIRE(cc_target_get(&t, &f.g, &f.c, "main", hex, false, &e) == 0);
	/* a push lands between the check and the write */
	git_commit_lookup(&ca, f.g.r, &a);
	make_commit(&b, &f, "b", ca);
	set_branch(&f, "refs/heads/main", &b);
	CHECK_INT(cc_commit_write(&made, &f.g, &f.c, &t, git_tree_id(t.base), &f.a, "lost?", &e),
		  CC_ECONFLICT);
	CHECK_STR(e.aws_code, "ParentCommitIdOutdatedException");
	CHECK(branch_is(&f, "refs/heads/main", &b));
	git_commit_free(ca);
	cc_target_release(&t);
	teardown(&f);
}

void test_codecommit_commit_write__a_branch_created_meanwhile_is_outdated(void)
{
	struct fixture f;
	struct cc_target t;
	struct err e = ERR_INIT;
	git_oid a, made, empty;
	git_treebuilder *tb = NULL;

	REQUIRE(setup(&f) == 0);
	/* an empty repository: the first commit needs no parent */
	REQUIRE(cc_target_get(&t, &f.g, &f.c, "main", NULL, false, &e) == 0);
	CHECK(!t.exists && t.parent == NULL);
	make_commit(&a, &f, "pushed", NULL);
	set_branch(&f, "refs/heads/main", &a);
	git_treebuilder_new(&tb, f.g.r, NULL);
	git_treebuilder_write(&empty, tb);
	git_treebuilder_free(tb);
	CHECK_INT(cc_commit_write(&made, &f.g, &f.c, &t, &empty, &f.a, "first", &e), CC_ECONFLICT);
	CHECK_STR(e.aws_code, "ParentCommitIdOutdatedException");
	CHECK(branch_is(&f, "refs/heads/main", &a));
	cc_target_release(&t);
	teardown(&f);
}

void test_codecommit_commit_write__parent_rules(void)
{
	struct fixture f;
	struct cc_target t;
	struct err e = ERR_INIT;
	git_oid a, b;
	git_commit *ca = NULL;
	char ha[GIT_OID_HEXSZ + 1];

	REQUIRE(setup(&f) == 0);
	make_commit(&a, &f, "a", NULL);
	git_commit_lookup(&ca, f.g.r, &a);
	make_commit(&b, &f, "b", ca);
	git_commit_free(ca);
	set_branch(&f, "refs/heads/main", &b);
	git_oid_tostr(ha, sizeof(ha), &a);
	CHECK(cc_target_get(&t, &f.g, &f.c, "main", NULL, false, &e) < 0);
	CHECK_STR(e.aws_code, "ParentCommitIdRequiredException");
	cc_target_release(&t);
	err_clear(&e);
	CHECK(cc_target_get(&t, &f.g, &f.c, "main", ha, false, &e) < 0);
	CHECK_STR(e.aws_code, "ParentCommitIdOutdatedException");
	cc_target_release(&t);
	err_clear(&e);
	CHECK(cc_target_get(&t, &f.g, &f.c, "main", "0000000000000000000000000000000000000000",
			    false, &e) < 0);
	CHECK_STR(e.aws_code, "ParentCommitDoesNotExistException");
	cc_target_release(&t);
	err_clear(&e);
	CHECK(cc_target_get(&t, &f.g, &f.c, "other", NULL, true, &e) < 0);
	CHECK_STR(e.aws_code, "BranchDoesNotExistException");
	cc_target_release(&t);
	err_clear(&e);
	/* a new branch starts from the parent given */
	CHECK_INT(cc_target_get(&t, &f.g, &f.c, "other", ha, false, &e), 0);
	CHECK(!t.exists && t.parent && git_oid_equal(git_commit_id(t.parent), &a));
	cc_target_release(&t);
	teardown(&f);
}
