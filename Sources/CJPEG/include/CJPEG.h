#ifndef CJPEG_H
#define CJPEG_H
#include <stddef.h>

/// A decoded JPEG: 8-bit RGB, row-major; `pixels` is owned by the caller (free with cjpeg_free).
typedef struct {
    int width;
    int height;
    unsigned char *pixels;
    /// libjpeg's message when decoding failed.
    char message[200];
} cjpeg_image;

/// Decodes a JPEG held in memory into RGB through libjpeg-turbo. Returns 0 on success; otherwise
/// nonzero with `message` set. libjpeg's fatal errors return here instead of ending the process.
int cjpeg_decode(const unsigned char *data, size_t size, size_t max_pixels, cjpeg_image *out);

void cjpeg_free(cjpeg_image *image);
#endif
