# One warning set for every target of ours (not for third-party code).
function(wal_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
                         -Wnon-virtual-dtor -Wimplicit-fallthrough)
  if(WAL_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
