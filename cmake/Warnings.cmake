# One warning set for every target of ours (not for third-party code).
function(wal_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wimplicit-fallthrough)
  # GCC 12 at -O3 reports -Wrestrict inside libstdc++'s own std::string copies (GCC bug 105329),
  # which no code of ours can avoid.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  # A unity build includes each .cc into one source, where GCC takes a class defined in a .cc
  # with a member of an anonymous-namespace type for one defined in a header.
  if(CMAKE_UNITY_BUILD AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
  endif()
  if(WAL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# Test code is compiled for the compiler's speed, not its output's: the code under test lives in
# the libraries, built at the build type's level (and sanitizers), while the test files are
# mostly GoogleTest and RapidCheck macros that cost 2-3x as much to compile at -O2 -g as at
# -O0 -g1 (tests/harness/invariants_test.cc: 12.1 s vs 4.4 s). -g1 keeps file:line in every
# failure and sanitizer report. CI's budget is mostly compiling (docs/soak.md).
# A test executable holds a whole folder of test files (tests/CMakeLists.txt), and a unity build
# compiles it as one translation unit: GoogleTest's and RapidCheck's headers and the templates
# every test instantiates are then compiled once per folder. Under ASan, tests/wal, tests/harness
# and tests/walsim (14-17 files each) took ~20% less CPU so than in batches of 8 or 9 files, and
# every build checks that no two files of a folder collide, whatever files are added. The cost:
# an edit recompiles its whole folder; WAL_TEST_UNITY_BATCH=1 compiles test files one by one
# (the libraries stay in unity batches), CMAKE_UNITY_BUILD=OFF everything.
set(WAL_TEST_UNITY_BATCH 0 CACHE STRING "Test files per unity translation unit (0: all of them)")
function(wal_test_code target)
  target_compile_options(${target} PRIVATE -O0 -g1)
  set_target_properties(${target} PROPERTIES UNITY_BUILD_BATCH_SIZE ${WAL_TEST_UNITY_BATCH})
endfunction()
