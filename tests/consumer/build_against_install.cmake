# Shared by the consumer scripts (run_consumer.cmake, run_statemachine.cmake): installs the build
# tree into a fresh prefix under WORK_DIR and configures and builds the project in SOURCE_DIR
# against it, as a user's project is, into WORK_DIR/build.
#   build_against_install(SOURCE_DIR [COMPONENTS harness])
# installs what a plain `cmake --install` does (the release wal), then each named component.
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " command "${ARGN}")
    message(FATAL_ERROR "failed (${rc}): ${command}")
  endif()
endfunction()

function(build_against_install SOURCE_DIR)
  cmake_parse_arguments(arg "" "" "COMPONENTS" ${ARGN})
  file(REMOVE_RECURSE ${WORK_DIR})
  set(prefix ${WORK_DIR}/prefix)
  run(${CMAKE_COMMAND} --install ${WAL_BUILD_DIR} --prefix ${prefix})
  foreach(component IN LISTS arg_COMPONENTS)
    run(${CMAKE_COMMAND} --install ${WAL_BUILD_DIR} --component ${component} --prefix ${prefix})
  endforeach()
  # The installed libraries carry the build's sanitizer instrumentation; the project links the
  # same runtime.
  set(flags "")
  if(SANITIZE)
    set(flags -DCMAKE_CXX_FLAGS=-fsanitize=${SANITIZE}
              -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=${SANITIZE})
  endif()
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
      -DCMAKE_BUILD_TYPE=${BUILD_TYPE} -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_PREFIX_PATH=${prefix}
      -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF ${flags})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/build -j 2)
endfunction()
