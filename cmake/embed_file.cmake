# Writes a C file holding one file's bytes as a NUL-terminated string.
# Inputs: IN (the file), OUT (the C file), NAME (the symbol).
file(READ ${IN} content HEX)
string(LENGTH "${content}" hex_len)
math(EXPR len "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" content "${content}")
file(WRITE ${OUT} "/* Generated from ${IN} by cmake/embed_file.cmake. */\n#include <stddef.h>\n\n"
     "const char ${NAME}[] = \"${content}\";\nconst size_t ${NAME}_len = ${len};\n")
