#ifndef CPLATFORM_H
#define CPLATFORM_H

/// Sets flush-to-zero and denormals-are-zero for the calling thread (no-op off x86).
void cplatform_flush_denormals(void);

#endif
