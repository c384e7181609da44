# WAL_SANITIZE=address,undefined or thread applies to every target in the build.
if(WAL_SANITIZE)
  add_compile_options(-fsanitize=${WAL_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${WAL_SANITIZE})
endif()
