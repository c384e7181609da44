# The programs that run the simulator (walsim, the test executables, the sim_* benchmarks)
# allocate with jemalloc. An explored crash state copies maps of inodes, pending writes and
# oracle entries, and glibc's malloc and free were over a quarter of explore()'s time
# (bench/RESULTS.md, "The allocator"). jemalloc also gives a block by its request's size class
# alone, where glibc may hand out a larger chunk depending on the heap's history: RocksDB sizes
# its memtables with malloc_usable_size, so a seed's flushes no longer depend on that history.
# Not under a sanitizer or libFuzzer (they bring their own allocator), and never in a library:
# a program that links wal::walsim keeps its own allocator.
set(WAL_JEMALLOC OFF)
if(NOT WAL_SANITIZE AND NOT WAL_FUZZ)
  pkg_check_modules(JEMALLOC REQUIRED IMPORTED_TARGET jemalloc)
  set(WAL_JEMALLOC ON)
endif()

function(wal_simulator_allocator target)
  if(WAL_JEMALLOC)
    target_link_libraries(${target} PRIVATE PkgConfig::JEMALLOC)
  endif()
endfunction()
