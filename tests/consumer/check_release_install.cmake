# ctest consumer.release_install: what a plain `cmake --install` (the production install) puts
# in a fresh prefix is the release WAL only. Fails when the installed libwal.a has a libfiu
# symbol (a fault point compiled in leaves fiu_fail / fiu_failinfo undefined in it; a libfiu
# linked in would define fiu_*) or a bug-zoo mutant's name ("wal/mutant/..."), when a harness
# library or walsim came along, or when the package files that find_package(wal) and
# `pkg-config wal` read mention libfiu.
#   cmake -DWAL_BUILD_DIR=... -DWORK_DIR=... -DNM=... -P check_release_install.cmake
include(${CMAKE_CURRENT_LIST_DIR}/build_against_install.cmake)  # run()
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --install ${WAL_BUILD_DIR} --prefix ${prefix})

set(problems "")
file(GLOB_RECURSE libwal ${prefix}/libwal.a)
if(NOT libwal)
  message(FATAL_ERROR "no libwal.a under ${prefix}")
endif()
execute_process(COMMAND ${NM} -A ${libwal} OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -A ${libwal} failed (${rc})")
endif()
string(REGEX MATCHALL "[^\n]*fiu_[^\n]*" fiu_symbols "${symbols}")
if(fiu_symbols)
  list(JOIN fiu_symbols "\n  " lines)
  string(APPEND problems "libfiu symbols in ${libwal}:\n  ${lines}\n")
endif()
file(STRINGS ${libwal} mutants REGEX "wal/mutant")
if(mutants)
  list(JOIN mutants "\n  " lines)
  string(APPEND problems "bug-zoo mutant points in ${libwal}:\n  ${lines}\n")
endif()

# Nothing of the harness component: it is installed only when asked for by name.
file(GLOB_RECURSE harness_files ${prefix}/libwal_testable.a ${prefix}/libwal_harness.a
     ${prefix}/libwal_sim.a ${prefix}/walHarness*.cmake ${prefix}/walsim)
if(harness_files)
  list(JOIN harness_files "\n  " lines)
  string(APPEND problems "harness files in the default install:\n  ${lines}\n")
endif()

file(GLOB_RECURSE package_files ${prefix}/walConfig*.cmake ${prefix}/walTargets*.cmake
     ${prefix}/wal.pc)
foreach(package_file ${package_files})
  # Code, not comments (which may say there is no libfiu).
  file(STRINGS ${package_file} lines REGEX "^[^#]*(fiu|FIU)")
  if(lines)
    list(JOIN lines "\n  " lines)
    string(APPEND problems "libfiu in ${package_file}:\n  ${lines}\n")
  endif()
endforeach()

if(problems)
  message(FATAL_ERROR "the default install is not the release build:\n${problems}")
endif()
list(LENGTH package_files count)
message(STATUS "release install: ${libwal} has no fiu_ symbol and no wal/mutant string; "
               "${count} package files without libfiu")
