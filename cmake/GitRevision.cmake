# wal_git_revision(<var>): sets <var> to the source tree's git revision for a `--version` line,
# `git describe --always --dirty` taken at configure time (reconfigure to refresh it). Outside
# a git checkout (a release tarball, an install) or without git it is "unknown"; a packager may
# pass -DWAL_GIT_REVISION=<text> to name the revision instead. Self-contained: include it from
# any CMakeLists.txt (walctl's, walsim's) and call the function there.
include_guard(GLOBAL)

set(WAL_GIT_REVISION "" CACHE STRING "git revision printed by --version (empty: ask git)")

function(wal_git_revision out_var)
  if(WAL_GIT_REVISION)
    set(${out_var} "${WAL_GIT_REVISION}" PARENT_SCOPE)
    return()
  endif()
  set(revision "unknown")
  find_package(Git QUIET)
  if(GIT_FOUND AND EXISTS "${PROJECT_SOURCE_DIR}/.git")
    execute_process(COMMAND "${GIT_EXECUTABLE}" describe --always --dirty
                    WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
                    OUTPUT_VARIABLE described OUTPUT_STRIP_TRAILING_WHITESPACE
                    RESULT_VARIABLE failed ERROR_QUIET)
    if(NOT failed AND described)
      set(revision "${described}")
    endif()
  endif()
  set(${out_var} "${revision}" PARENT_SCOPE)
endfunction()
