# WAL_COVERAGE=ON (the `coverage` preset, `make coverage`: docs/coverage.md) instruments every
# target for gcov: gcc's --coverage at compile and link. WAL_COVERAGE is also a compile
# definition, so that a forked child that leaves through _exit() (walsim's sweep workers and
# isolated runs) writes its counters first with __gcov_dump(): gcov writes them at exit(),
# and _exit() skips that. Code outside this build never sees the definition.
option(WAL_COVERAGE "Instrument every target for gcov line and branch coverage (gcc)" OFF)
if(WAL_COVERAGE)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    message(FATAL_ERROR "WAL_COVERAGE needs g++ (gcov); the compiler is ${CMAKE_CXX_COMPILER_ID}")
  endif()
  add_compile_options(--coverage)
  add_link_options(--coverage)
  add_compile_definitions(WAL_COVERAGE)
endif()
