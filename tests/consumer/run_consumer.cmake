# ctest consumer.find_package: installs the build tree into a fresh prefix, then configures,
# builds and runs tests/consumer against it, as a user would.
#   cmake -DWAL_BUILD_DIR=... -DCONSUMER_SOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=...
#         -DCXX=... -DBUILD_TYPE=... [-DSANITIZE=...] -P run_consumer.cmake
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${command}")
  endif()
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} --install ${WAL_BUILD_DIR} --component dev --prefix ${prefix})

# The installed libraries carry the build's sanitizer instrumentation; the consumer links the
# same runtime.
set(flags "")
if(SANITIZE)
  set(flags -DCMAKE_CXX_FLAGS=-fsanitize=${SANITIZE} -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=${SANITIZE})
endif()
run(${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=${BUILD_TYPE} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF ${flags})
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build -j 2)
run(${WORK_DIR}/build/append_read ${WORK_DIR}/log)
run(${WORK_DIR}/build/append_read_pc ${WORK_DIR}/log-pc)
run(${WORK_DIR}/build/tally_crash_test)
# The user's own walsim: a TOML scenario with target = "tally", its reports, a replay, a listing.
run(${WORK_DIR}/build/tally_walsim run ${CONSUMER_SOURCE_DIR}/tally.toml --no-progress
    --report ${WORK_DIR}/tally-report)
if(NOT EXISTS ${WORK_DIR}/tally-report/summary.json)
  message(FATAL_ERROR "tally_walsim wrote no summary.json")
endif()
run(${WORK_DIR}/build/tally_walsim replay ${CONSUMER_SOURCE_DIR}/tally.toml --seed 7)
run(${WORK_DIR}/build/tally_walsim validate ${CONSUMER_SOURCE_DIR}/tally.toml)
