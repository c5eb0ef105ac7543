import CHDF5
import Foundation

/// A thin HDF5 wrapper: datasets of Float32, Int64, UInt8 and UTF-8 strings (chunked, deflated),
/// attributes, and row-range reads. Files it writes are ordinary HDF5 that h5py reads.
public final class HDF5File {
    public enum Mode: Sendable { case read, readWrite, create }

    public let path: String
    private let file: hid_t
    private var closed = false
    /// The longest fixed-length string attribute read (bytes).
    static let maximumStringBytes = 1 << 24

    private static let silenced: Bool = {
        H5Eset_auto2(0, nil, nil)   // errors become Swift errors, not stderr noise
        return true
    }()

    /// Opens (`read`, `readWrite`) or creates, replacing any file there (`create`).
    public init(path: String, mode: Mode) throws(FormatError) {
        _ = Self.silenced
        self.path = path
        switch mode {
        case .create:
            file = H5Fcreate(path, chdf5_acc_trunc(), 0, 0)
            if file < 0 { throw .unwritable(path: path, reason: "HDF5 could not create the file") }
        case .read, .readWrite:
            guard FileManager.default.fileExists(atPath: path) else { throw .unreadable(path: path, reason: "no such file") }
            file = H5Fopen(path, mode == .read ? chdf5_acc_rdonly() : chdf5_acc_rdwr(), 0)
            if file < 0 {
                throw H5Fis_hdf5(path) > 0 ? .invalid(path: path, reason: "HDF5 could not open the file (damaged or locked)")
                                          : .invalid(path: path, reason: "not an HDF5 file, or it is truncated")
            }
        }
    }

    deinit { if !closed { H5Fclose(file) } }

    /// Flushes everything written so far to disk.
    public func flush() { H5Fflush(file, H5F_SCOPE_GLOBAL) }

    /// Closes the file, failing when HDF5 cannot write what it still holds (a full disk, say).
    public func close() throws(FormatError) {
        guard !closed else { return }
        closed = true
        let flushed = H5Fflush(file, H5F_SCOPE_GLOBAL)
        let status = H5Fclose(file)
        if flushed < 0 || status < 0 { throw .unwritable(path: path, reason: "HDF5 could not finish writing the file (disk full?)") }
    }

    // MARK: - Writing

    public func write(_ name: String, floats: [Float], shape: [Int], compress: Bool = true) throws(FormatError) {
        try writeRaw(name, chdf5_native_float(), floats, shape, compress)
    }

    public func write(_ name: String, ints: [Int64], shape: [Int], compress: Bool = true) throws(FormatError) {
        try writeRaw(name, chdf5_native_int64(), ints, shape, compress)
    }

    public func write(_ name: String, bytes: [UInt8], shape: [Int], compress: Bool = true) throws(FormatError) {
        try writeRaw(name, chdf5_native_uint8(), bytes, shape, compress)
    }

    /// A 1-D dataset of variable-length UTF-8 strings (h5py reads them as `str`/`bytes`).
    public func write(_ name: String, strings: [String]) throws(FormatError) {
        let type = Self.stringType()
        defer { H5Tclose(type) }
        var dims = [hsize_t(strings.count)]
        let space = H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        let ds = try createDataset(name, type, space, chunk: nil)
        defer { H5Dclose(ds) }
        let cStrings = strings.map { strdup($0) }
        defer { cStrings.forEach { free($0) } }
        let status = cStrings.withUnsafeBufferPointer { H5Dwrite(ds, type, 0, 0, 0, $0.baseAddress) }
        if status < 0 { throw .unwritable(path: path, reason: "writing strings '\(name)' failed") }
    }

    /// Sets a string attribute on the object (group or dataset) at `object` ("/" for the file).
    public func setAttribute(_ key: String, _ value: String, on object: String = "/") throws(FormatError) {
        let type = Self.stringType()
        defer { H5Tclose(type) }
        try withAttribute(key, on: object, type: type) { (attr) throws(FormatError) in
            var p: UnsafeMutablePointer<CChar>? = strdup(value)
            defer { free(p) }
            if H5Awrite(attr, type, &p) < 0 { throw .unwritable(path: path, reason: "writing attribute '\(key)' failed") }
        }
    }

    public func setAttribute(_ key: String, _ value: Double, on object: String = "/") throws(FormatError) {
        try withAttribute(key, on: object, type: chdf5_native_double()) { (attr) throws(FormatError) in
            var v = value
            if H5Awrite(attr, chdf5_native_double(), &v) < 0 { throw .unwritable(path: path, reason: "writing attribute '\(key)' failed") }
        }
    }

    public func setAttribute(_ key: String, _ value: Int, on object: String = "/") throws(FormatError) {
        try withAttribute(key, on: object, type: chdf5_native_int64()) { (attr) throws(FormatError) in
            var v = Int64(value)
            if H5Awrite(attr, chdf5_native_int64(), &v) < 0 { throw .unwritable(path: path, reason: "writing attribute '\(key)' failed") }
        }
    }

    /// Sets a one-dimensional attribute of doubles (h5py reads it as an array).
    public func setAttribute(_ key: String, _ values: [Double], on object: String = "/") throws(FormatError) {
        let obj = H5Oopen(file, object, 0)
        if obj < 0 { throw .unwritable(path: path, reason: "no object '\(object)' for attribute '\(key)'") }
        defer { H5Oclose(obj) }
        if H5Aexists(obj, key) > 0 { H5Adelete(obj, key) }
        var dims = [hsize_t(values.count)]
        let space = H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        let attr = H5Acreate2(obj, key, chdf5_native_double(), space, 0, 0)
        if attr < 0 { throw .unwritable(path: path, reason: "creating attribute '\(key)' failed") }
        defer { H5Aclose(attr) }
        if H5Awrite(attr, chdf5_native_double(), values) < 0 { throw .unwritable(path: path, reason: "writing attribute '\(key)' failed") }
    }

    /// Removes the dataset or group at `name` (its space is reclaimed only when the file is rewritten).
    public func remove(_ name: String) throws(FormatError) {
        if H5Ldelete(file, name, 0) < 0 { throw .unwritable(path: path, reason: "cannot remove '\(name)'") }
    }

    // MARK: - Reading

    /// Whether a dataset or group exists at `name`.
    public func exists(_ name: String) -> Bool {
        var prefix = ""
        for part in name.split(separator: "/") {
            prefix += "/" + part
            if H5Lexists(file, prefix, 0) <= 0 { return false }
        }
        return true
    }

    /// The shape of a dataset.
    public func shape(_ name: String) throws(FormatError) -> [Int] {
        let ds = try open(name)
        defer { H5Dclose(ds) }
        return datasetShape(ds)
    }

    /// A whole Float32 dataset (or rows `rows` of its first axis) and its shape.
    public func readFloats(_ name: String, rows: Range<Int>? = nil) throws(FormatError) -> (values: [Float], shape: [Int]) {
        try readRaw(name, chdf5_native_float(), rows, zero: Float(0))
    }

    public func readInts(_ name: String, rows: Range<Int>? = nil) throws(FormatError) -> (values: [Int64], shape: [Int]) {
        try readRaw(name, chdf5_native_int64(), rows, zero: Int64(0))
    }

    public func readBytes(_ name: String, rows: Range<Int>? = nil) throws(FormatError) -> (values: [UInt8], shape: [Int]) {
        try readRaw(name, chdf5_native_uint8(), rows, zero: UInt8(0))
    }

    public func readStrings(_ name: String) throws(FormatError) -> [String] {
        let ds = try open(name)
        defer { H5Dclose(ds) }
        let shape = datasetShape(ds)
        guard shape.count == 1 else { throw .invalid(path: path, reason: "dataset '\(name)' has shape \(shape), expected a list of strings") }
        let stored = H5Dget_type(ds)
        defer { H5Tclose(stored) }
        guard H5Tget_class(stored) == H5T_STRING, H5Tis_variable_str(stored) > 0 else {
            throw .invalid(path: path, reason: "dataset '\(name)' does not hold variable-length strings")
        }
        let n = try SizeLimits.elementCount(shape, of: "dataset '\(name)'", in: path)
        let type = Self.stringType()
        defer { H5Tclose(type) }
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: n)
        let status = pointers.withUnsafeMutableBufferPointer { H5Dread(ds, type, 0, 0, 0, $0.baseAddress) }
        if status < 0 { throw .invalid(path: path, reason: "dataset '\(name)' is not a list of strings") }
        let result = pointers.map { $0.map { String(cString: $0) } ?? "" }
        let space = H5Dget_space(ds)
        pointers.withUnsafeMutableBufferPointer { _ = H5Dvlen_reclaim(type, space, 0, $0.baseAddress) }
        H5Sclose(space)
        return result
    }

    /// Whether `object` carries the attribute `key`.
    public func hasAttribute(_ key: String, on object: String = "/") -> Bool {
        H5Aexists_by_name(file, object, key, 0) > 0
    }

    public func stringAttribute(_ key: String, on object: String = "/") throws(FormatError) -> String {
        let attr = try openAttribute(key, on: object, expecting: "a string")
        defer { H5Aclose(attr) }
        let stored = H5Aget_type(attr)
        defer { H5Tclose(stored) }
        guard H5Tget_class(stored) == H5T_STRING else { throw .invalid(path: path, reason: "attribute '\(key)' on '\(object)' is not a string") }
        if H5Tis_variable_str(stored) > 0 {
            let type = Self.stringType()
            defer { H5Tclose(type) }
            var p: UnsafeMutablePointer<CChar>? = nil
            if H5Aread(attr, type, &p) < 0 { throw .invalid(path: path, reason: "attribute '\(key)' is not a string") }
            defer { free(p) }
            return p.map { String(cString: $0) } ?? ""
        }
        let size = H5Tget_size(stored)
        guard size > 0, size <= Self.maximumStringBytes else {
            throw .invalid(path: path, reason: "attribute '\(key)' on '\(object)' is a string of \(size) bytes, more than \(Self.maximumStringBytes)")
        }
        var buffer = [CChar](repeating: 0, count: size + 1)
        if H5Aread(attr, stored, &buffer) < 0 { throw .invalid(path: path, reason: "attribute '\(key)' is not a string") }
        return String(cString: buffer)
    }

    public func doubleAttribute(_ key: String, on object: String = "/") throws(FormatError) -> Double {
        let attr = try openAttribute(key, on: object, expecting: "a number", numeric: true)
        defer { H5Aclose(attr) }
        var v = 0.0
        if H5Aread(attr, chdf5_native_double(), &v) < 0 { throw .invalid(path: path, reason: "attribute '\(key)' is not a number") }
        return v
    }

    public func intAttribute(_ key: String, on object: String = "/") throws(FormatError) -> Int {
        let attr = try openAttribute(key, on: object, expecting: "an integer", numeric: true)
        defer { H5Aclose(attr) }
        var v: Int64 = 0
        if H5Aread(attr, chdf5_native_int64(), &v) < 0 { throw .invalid(path: path, reason: "attribute '\(key)' is not an integer") }
        return Int(v)
    }

    // MARK: - Internals

    private static func stringType() -> hid_t {
        let t = H5Tcopy(chdf5_c_s1())
        H5Tset_size(t, chdf5_variable())
        H5Tset_cset(t, H5T_CSET_UTF8)
        return t
    }

    private func createDataset(_ name: String, _ type: hid_t, _ space: hid_t, chunk: [hsize_t]?) throws(FormatError) -> hid_t {
        let lcpl = H5Pcreate(chdf5_p_link_create())
        H5Pset_create_intermediate_group(lcpl, 1)
        defer { H5Pclose(lcpl) }
        let dcpl = H5Pcreate(chdf5_p_dataset_create())
        defer { H5Pclose(dcpl) }
        if var chunk {
            H5Pset_chunk(dcpl, Int32(chunk.count), &chunk)
            H5Pset_deflate(dcpl, 4)
        }
        let ds = H5Dcreate2(file, name, type, space, lcpl, dcpl, 0)
        if ds < 0 { throw .unwritable(path: path, reason: "creating dataset '\(name)' failed (does it exist already?)") }
        return ds
    }

    private func writeRaw<T>(_ name: String, _ type: hid_t, _ values: [T], _ shape: [Int], _ compress: Bool) throws(FormatError) {
        precondition(values.count == shape.reduce(1, *), "HDF5 write '\(name)': \(values.count) values for shape \(shape)")
        var dims = shape.map { hsize_t($0) }
        let space = H5Screate_simple(Int32(dims.count), &dims, nil)
        defer { H5Sclose(space) }
        let total = shape.reduce(1, *)
        // Chunk by leading rows of about 1 MiB so row-range reads stay cheap.
        var chunk: [hsize_t]? = nil
        if compress, total > 0, !shape.isEmpty {
            let rowElements = Swift.max(1, total / Swift.max(shape[0], 1))
            let rows = Swift.max(1, Swift.min(shape[0], (1 << 18) / rowElements))
            chunk = [hsize_t(rows)] + shape.dropFirst().map { hsize_t($0) }
        }
        let ds = try createDataset(name, type, space, chunk: chunk)
        defer { H5Dclose(ds) }
        let status = total == 0 ? 0 : values.withUnsafeBytes { H5Dwrite(ds, type, 0, 0, 0, $0.baseAddress) }
        if status < 0 { throw .unwritable(path: path, reason: "writing dataset '\(name)' failed") }
    }

    private func open(_ name: String) throws(FormatError) -> hid_t {
        guard exists(name) else { throw .invalid(path: path, reason: "no dataset '\(name)'") }
        let ds = H5Dopen2(file, name, 0)
        if ds < 0 { throw .invalid(path: path, reason: "'\(name)' is not a dataset") }
        return ds
    }

    private func datasetShape(_ ds: hid_t) -> [Int] {
        let space = H5Dget_space(ds)
        defer { H5Sclose(space) }
        let rank = Swift.max(0, Int(H5Sget_simple_extent_ndims(space)))
        var dims = [hsize_t](repeating: 0, count: rank)
        H5Sget_simple_extent_dims(space, &dims, nil)
        return dims.map { Int($0) }
    }

    private func readRaw<T>(_ name: String, _ type: hid_t, _ rows: Range<Int>?, zero: T) throws(FormatError) -> ([T], [Int]) {
        let ds = try open(name)
        defer { H5Dclose(ds) }
        let full = datasetShape(ds)
        let stored = H5Dget_type(ds)
        let typeClass = stored < 0 ? H5T_NO_CLASS : H5Tget_class(stored)
        if stored >= 0 { H5Tclose(stored) }
        guard typeClass == H5T_INTEGER || typeClass == H5T_FLOAT else {
            throw .invalid(path: path, reason: "dataset '\(name)' does not hold numbers")
        }
        _ = try SizeLimits.elementCount(full, of: "dataset '\(name)'", in: path)
        var shape = full
        let fileSpace = H5Dget_space(ds)
        defer { H5Sclose(fileSpace) }
        var memSpace: hid_t = 0
        if let rows {
            guard !full.isEmpty, rows.lowerBound >= 0, rows.upperBound <= full[0] else {
                throw .invalid(path: path, reason: "rows \(rows) are outside dataset '\(name)' of shape \(full)")
            }
            shape[0] = rows.count
            var start = [hsize_t(rows.lowerBound)] + full.dropFirst().map { _ in hsize_t(0) }
            var count = shape.map { hsize_t($0) }
            H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, &start, nil, &count, nil)
            memSpace = H5Screate_simple(Int32(count.count), &count, nil)
        }
        defer { if memSpace != 0 { H5Sclose(memSpace) } }
        var values = [T](repeating: zero, count: try SizeLimits.elementCount(shape, of: "dataset '\(name)'", in: path))
        if !values.isEmpty {
            let status = values.withUnsafeMutableBytes { H5Dread(ds, type, memSpace, rows == nil ? 0 : fileSpace, 0, $0.baseAddress) }
            if status < 0 { throw .invalid(path: path, reason: "reading dataset '\(name)' failed (wrong type or damaged data)") }
        }
        return (values, shape)
    }

    private func withAttribute(_ key: String, on object: String, type: hid_t, _ body: (hid_t) throws(FormatError) -> Void) throws(FormatError) {
        let obj = H5Oopen(file, object, 0)
        if obj < 0 { throw .unwritable(path: path, reason: "no object '\(object)' for attribute '\(key)'") }
        defer { H5Oclose(obj) }
        if H5Aexists(obj, key) > 0 { H5Adelete(obj, key) }
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attr = H5Acreate2(obj, key, type, space, 0, 0)
        if attr < 0 { throw .unwritable(path: path, reason: "creating attribute '\(key)' failed") }
        defer { H5Aclose(attr) }
        try body(attr)
    }

    /// Opens an attribute after checking it holds exactly one value (a scalar or a one-element
    /// array), and for `numeric` that it is an integer or a float, so a read never writes past its buffer.
    private func openAttribute(_ key: String, on object: String, expecting what: String, numeric: Bool = false) throws(FormatError) -> hid_t {
        let obj = H5Oopen(file, object, 0)
        if obj < 0 { throw .invalid(path: path, reason: "no object '\(object)'") }
        defer { H5Oclose(obj) }
        guard H5Aexists(obj, key) > 0 else { throw .invalid(path: path, reason: "no attribute '\(key)' on '\(object)'") }
        let attr = H5Aopen(obj, key, 0)
        if attr < 0 { throw .invalid(path: path, reason: "attribute '\(key)' on '\(object)' cannot be opened") }
        let space = H5Aget_space(attr)
        let points = space < 0 ? -1 : H5Sget_simple_extent_npoints(space)
        if space >= 0 { H5Sclose(space) }
        let type = H5Aget_type(attr)
        let typeClass = type < 0 ? H5T_NO_CLASS : H5Tget_class(type)
        if type >= 0 { H5Tclose(type) }
        guard points == 1, !numeric || typeClass == H5T_INTEGER || typeClass == H5T_FLOAT else {
            H5Aclose(attr)
            throw .invalid(path: path, reason: "attribute '\(key)' on '\(object)' should be a single value, \(what)"
                + (points == 1 ? "" : " (it holds \(points) values)"))
        }
        return attr
    }
}
