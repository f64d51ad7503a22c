/*
 * store_int.h - private to src/store: the migration list.
 */
#ifndef STORE_INT_H
#define STORE_INT_H

#include <stddef.h>

extern const char *const store_migrations[];
extern const size_t store_nmigrations;

#endif
