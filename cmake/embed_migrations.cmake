# Writes a C file holding each migration's SQL as a string, in version order.
# Inputs: OUT (the C file), PREFIX (symbol prefix), FILES (the .sql files,
# separated by "|" so the list survives the shell).
string(REPLACE "|" ";" FILES "${FILES}")
set(body "/* Generated from src/store/migrations by cmake/embed_migrations.cmake. */\n")
string(APPEND body "#include \"store/backends.h\"\n\nconst struct ap_migration ${PREFIX}_migrations[] = {\n")
set(count 0)
foreach(file IN LISTS FILES)
  get_filename_component(name ${file} NAME_WE)
  string(REGEX MATCH "^[0-9]+" version ${name})
  math(EXPR version "${version}")
  file(READ ${file} sql HEX)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" sql "${sql}")
  string(APPEND body "    {${version}, \"${name}\", \"${sql}\"},\n")
  math(EXPR count "${count} + 1")
endforeach()
string(APPEND body "};\n\nconst size_t ${PREFIX}_migration_count = ${count};\n")
file(WRITE ${OUT} "${body}")
