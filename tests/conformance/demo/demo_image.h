/* The demo guest (tests/conformance/demo/demo.c) as a bzImage in memory. */
#ifndef LGKVM_DEMO_IMAGE_H
#define LGKVM_DEMO_IMAGE_H

extern const unsigned char lgkvm_demo_image[];
extern const unsigned int lgkvm_demo_image_size;

#endif
