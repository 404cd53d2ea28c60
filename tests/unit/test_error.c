#include "error.h"
#include "t.h"
#include <errno.h>

static int fails_with_enoent(ph_error_t *err)
{
	return ph_error_make(err, ENOENT, "open `%s`", "/nope");
}

int main(void)
{
	ph_error_t err = NULL;
	CHECK(fails_with_enoent(&err) < 0);
	CHECK(err->status == ENOENT);
	CHECK_STR(err->msg, "open `/nope`: No such file or directory");
	CHECK(ph_error_wrap(&err, "load profile `%s`", "p") < 0);
	CHECK_STR(err->msg, "load profile `p`: open `/nope`: No such file or directory");
	CHECK(err->status == ENOENT);
	ph_error_free(&err);
	CHECK(err == NULL);
	CHECK(ph_error_make(&err, 0, "plain") < 0);
	CHECK_STR(err->msg, "plain");
	ph_error_t other = NULL;
	ph_error_move(&other, &err);
	CHECK(err == NULL);
	CHECK_STR(other->msg, "plain");
	ph_error_free(&other);
	T_DONE();
}
