# One warning set for every target of ours (not for third-party code).
function(wal_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wimplicit-fallthrough)
  # GCC 12 at -O3 reports -Wrestrict inside libstdc++'s own std::string copies (GCC bug 105329),
  # which no code of ours can avoid.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(WAL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
