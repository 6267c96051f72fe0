# Sourced by build-all.sh in LMDB's unpacked source before build(), for
# cross builds only (the x86_64 prefix's stamp is its recipe's alone).
# A kernel without robust futex lists (qemu-user, where the aarch64 build is
# tested: set_robust_list is ENOSYS, and musl then refuses
# PTHREAD_MUTEX_ROBUST) gets LMDB's plain process-shared mutexes instead of
# no environment at all. Real kernels have robust lists: nothing changes there.
cross_prep() {
	local f=libraries/liblmdb/mdb.c
	sed -i 's/^\t\tif (!rc) rc = pthread_mutexattr_setrobust(&mattr, PTHREAD_MUTEX_ROBUST);$/\t\tif (!rc \&\& (rc = pthread_mutexattr_setrobust(\&mattr, PTHREAD_MUTEX_ROBUST)) == ENOSYS) rc = 0;/' "$f"
	grep -q 'PTHREAD_MUTEX_ROBUST)) == ENOSYS) rc = 0;' "$f"
}
