/* gen/translit: UTF-8 names to the ASCII an email address is made of. Latin
 * letters lose their marks (é->e, ß->ss, æ->ae, đ->d, ı->i), Persian letters get a
 * Latin consonant spelling, spaces and apostrophes vanish, and everything is
 * lowercased; what has no ASCII form is dropped. */
#ifndef UP_GEN_TRANSLIT_H
#define UP_GEN_TRANSLIT_H

#include <stddef.h>

/* Writes at most cap-1 bytes and a NUL; returns the length written. */
size_t up_translit_ascii(const char *utf8, char *out, size_t cap);

#endif
