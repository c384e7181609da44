# ctest consumer.statemachine: the replicated state machine example (examples/statemachine),
# built outside the tree against `cmake --install` of this one (with the harness component: its
# planted bug is a fault point, it needs the fault-point WAL), as a user's project is. Its own
# walsim binary runs its scenarios (the ledger passes under power loss; its planted bug is
# caught) and shrinks the bug's first catch to at most 10 ops.
#   cmake -DWAL_BUILD_DIR=... -DEXAMPLE_SOURCE_DIR=... -DWORK_DIR=... -DGENERATOR=...
#         -DCXX=... -DBUILD_TYPE=... [-DSANITIZE=...] -P run_statemachine.cmake
include(${CMAKE_CURRENT_LIST_DIR}/build_against_install.cmake)
build_against_install(${EXAMPLE_SOURCE_DIR} COMPONENTS harness)
set(walsim ${WORK_DIR}/build/statemachine_walsim)

# Both scenarios match their verdict: exit 0.
file(COPY ${EXAMPLE_SOURCE_DIR}/scenarios DESTINATION ${WORK_DIR})
run(${walsim} run ${WORK_DIR}/scenarios --no-progress --report ${WORK_DIR}/report)

# The bug's first catch shrinks to at most 10 ops, and the shrunk file fails on replay.
execute_process(COMMAND ${walsim} run ${WORK_DIR}/scenarios/replay-from-checkpoint.toml
                        --no-progress --report ${WORK_DIR}/report-bug
                OUTPUT_VARIABLE caught RESULT_VARIABLE rc)
string(REGEX MATCH "CAUGHT [^ ]+ seed ([0-9]+)" found "${caught}")
if(NOT found)
  message(FATAL_ERROR "the planted bug was not caught (rc ${rc}):\n${caught}")
endif()
set(seed ${CMAKE_MATCH_1})
execute_process(COMMAND ${walsim} shrink ${WORK_DIR}/scenarios/replay-from-checkpoint.toml
                        --seed ${seed} --out ${WORK_DIR}/replay-from-checkpoint.shrunk.toml
                OUTPUT_VARIABLE shrunk RESULT_VARIABLE rc)
string(REGEX MATCH "shrunk [0-9]+ ops \\+ [0-9]+ faults to ([0-9]+) ops" found "${shrunk}")
if(NOT rc EQUAL 0 OR NOT found OR CMAKE_MATCH_1 GREATER 10)
  message(FATAL_ERROR "shrinking seed ${seed} did not end at <= 10 ops (rc ${rc}):\n${shrunk}")
endif()
message(STATUS "statemachine: planted bug caught at seed ${seed}, shrunk to ${CMAKE_MATCH_1} ops")
execute_process(COMMAND ${walsim} replay
                        ${WORK_DIR}/replay-from-checkpoint.shrunk.toml --seed ${seed}
                RESULT_VARIABLE rc OUTPUT_VARIABLE replayed)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the shrunk repro does not replay as a failure (rc ${rc}):\n${replayed}")
endif()
