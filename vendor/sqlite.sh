# SQLite: reads primary_db of real AL2 mirrors and rpmdb.sqlite. Read-only use,
# so threads, extensions, UTF-16, JSON and the like are left out. USE_PREAD:
# one syscall a page read instead of lseek + read.
DEBSRC=sqlite3 DEBVER=3.40.1-2+deb12u2 VERSION=3.40.1
ORIG=sqlite3_3.40.1.orig.tar.xz
SHA256=aaa776260ab4dc976db34aa7891819484c8676b5b2783123ebc6301e2ca5d655
build() {
	# The amalgamation is generated (needs tclsh); build it with the host cc.
	CC=cc CFLAGS=-O1 LDFLAGS= CPPFLAGS= ./configure --disable-tcl --disable-readline \
		--disable-load-extension --disable-threadsafe
	make sqlite3.c
	$CC $CFLAGS -c sqlite3.c -o sqlite3.o \
		-DSQLITE_THREADSAFE=0 -DSQLITE_OMIT_LOAD_EXTENSION -DSQLITE_DEFAULT_MEMSTATUS=0 \
		-DSQLITE_OMIT_DEPRECATED -DSQLITE_OMIT_SHARED_CACHE -DSQLITE_OMIT_PROGRESS_CALLBACK \
		-DSQLITE_OMIT_DECLTYPE -DSQLITE_OMIT_UTF16 -DSQLITE_OMIT_JSON -DSQLITE_DQS=0 \
		-DSQLITE_OMIT_AUTHORIZATION -DSQLITE_OMIT_COMPLETE -DSQLITE_OMIT_GET_TABLE \
		-DSQLITE_MAX_EXPR_DEPTH=0 -DUSE_PREAD \
		-DSQLITE_LIKE_DOESNT_MATCH_BLOBS
	ar rcs libsqlite3.a sqlite3.o
	install -m644 libsqlite3.a "$PREFIX/lib/"
	install -m644 sqlite3.h "$PREFIX/include/"
}
