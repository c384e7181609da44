# ctest consumer.find_package: installs the build tree (the release wal and the harness
# component) into a fresh prefix, then configures, builds and runs tests/consumer against it, as
# a user would.
#   cmake -DWAL_BUILD_DIR=... -DCONSUMER_SOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=...
#         -DCXX=... -DBUILD_TYPE=... [-DSANITIZE=...] -P run_consumer.cmake
include(${CMAKE_CURRENT_LIST_DIR}/build_against_install.cmake)
build_against_install(${CONSUMER_SOURCE_DIR} COMPONENTS harness)
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
