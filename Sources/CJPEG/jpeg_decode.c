#include "CJPEG.h"
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf escape;
} recoverable_error;

static void fail(j_common_ptr info) {
    recoverable_error *error = (recoverable_error *)info->err;
    longjmp(error->escape, 1);
}

/// Warnings (level −1) are ignored, except that the data ended early: a truncated file is an error,
/// not a picture padded with grey.
static void on_message(j_common_ptr info, int level) {
    if (level < 0 && info->err->msg_code == JWRN_JPEG_EOF) fail(info);
}

int cjpeg_decode(const unsigned char *data, size_t size, size_t max_pixels, cjpeg_image *out) {
    struct jpeg_decompress_struct info;
    recoverable_error error;
    unsigned char *volatile pixels = NULL;
    memset(out, 0, sizeof(*out));
    info.err = jpeg_std_error(&error.base);
    error.base.error_exit = fail;
    error.base.emit_message = on_message;
    if (setjmp(error.escape)) {
        (*info.err->format_message)((j_common_ptr)&info, out->message);
        jpeg_destroy_decompress(&info);
        free(pixels);
        out->pixels = NULL;
        return 1;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg_read_header(&info, TRUE);
    info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&info);
    if (info.output_components != 3 || (size_t)info.output_width * info.output_height > max_pixels) {
        snprintf(out->message, sizeof(out->message), info.output_components != 3 ? "cannot convert to RGB"
                 : "image of %ux%u pixels is larger than allowed", info.output_width, info.output_height);
        jpeg_destroy_decompress(&info);
        return 1;
    }
    size_t row = (size_t)info.output_width * 3;
    pixels = malloc(row * info.output_height);
    if (!pixels) {
        snprintf(out->message, sizeof(out->message), "out of memory");
        jpeg_destroy_decompress(&info);
        return 1;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW target = pixels + row * info.output_scanline;
        jpeg_read_scanlines(&info, &target, 1);
    }
    jpeg_finish_decompress(&info);
    out->width = (int)info.output_width;
    out->height = (int)info.output_height;
    out->pixels = pixels;
    jpeg_destroy_decompress(&info);
    return 0;
}

void cjpeg_free(cjpeg_image *image) {
    free(image->pixels);
    image->pixels = NULL;
}
