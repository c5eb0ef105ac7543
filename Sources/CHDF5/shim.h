#include <hdf5.h>
// HDF5's type ids and flags are macros that expand to calls or mutable globals, which Swift cannot
// import (or Swift 6 rejects as shared mutable state). These wrappers expose what the project uses.
static inline hid_t    chdf5_native_float(void)   { return H5T_NATIVE_FLOAT; }
static inline hid_t    chdf5_native_int64(void)   { return H5T_NATIVE_INT64; }
static inline hid_t    chdf5_native_int32(void)   { return H5T_NATIVE_INT32; }
static inline hid_t    chdf5_native_uint8(void)   { return H5T_NATIVE_UINT8; }
static inline hid_t    chdf5_native_double(void)  { return H5T_NATIVE_DOUBLE; }
static inline hid_t    chdf5_c_s1(void)           { return H5T_C_S1; }
static inline unsigned chdf5_acc_trunc(void)      { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_acc_excl(void)       { return H5F_ACC_EXCL; }
static inline unsigned chdf5_acc_rdonly(void)     { return H5F_ACC_RDONLY; }
static inline unsigned chdf5_acc_rdwr(void)       { return H5F_ACC_RDWR; }
static inline hid_t    chdf5_p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t    chdf5_p_file_access(void)  { return H5P_FILE_ACCESS; }
static inline hid_t    chdf5_p_link_create(void)  { return H5P_LINK_CREATE; }
static inline size_t   chdf5_variable(void)       { return H5T_VARIABLE; }
