import Foundation

/// The NeRF-synthetic / Blender `transforms.json`: a horizontal field of view and, per frame, an
/// image path and its camera-to-world matrix (OpenGL axes: the camera looks down −z).
public struct SceneTransforms: Codable, Equatable, Sendable {
    public struct Frame: Codable, Equatable, Sendable {
        /// Image path relative to the scene folder, with or without extension.
        public var filePath: String
        /// Camera-to-world, 4 rows of 4.
        public var transformMatrix: [[Float]]

        enum CodingKeys: String, CodingKey {
            case filePath = "file_path"
            case transformMatrix = "transform_matrix"
        }

        public init(filePath: String, transformMatrix: [[Float]]) {
            self.filePath = filePath
            self.transformMatrix = transformMatrix
        }
    }

    public var cameraAngleX: Float
    public var frames: [Frame]

    enum CodingKeys: String, CodingKey {
        case cameraAngleX = "camera_angle_x"
        case frames
    }

    public init(cameraAngleX: Float, frames: [Frame]) {
        self.cameraAngleX = cameraAngleX
        self.frames = frames
    }

    /// Reads and checks a `transforms.json`.
    public static func read(_ path: String) throws(FormatError) -> SceneTransforms {
        let bytes = try FileBytes.read(path)
        let decoded: SceneTransforms
        do {
            decoded = try JSONDecoder().decode(SceneTransforms.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, _) {
            throw .invalid(path: path, reason: "missing key '\(key.stringValue)' (expected camera_angle_x and frames[].file_path, transform_matrix)")
        } catch let DecodingError.dataCorrupted(context) {
            throw .invalid(path: path, reason: "not valid JSON: \(context.debugDescription)")
        } catch {
            throw .invalid(path: path, reason: "not a transforms.json: \(error)")
        }
        for (i, f) in decoded.frames.enumerated() where f.transformMatrix.count != 4 || f.transformMatrix.contains(where: { $0.count != 4 }) {
            throw .invalid(path: path, reason: "frame \(i) transform_matrix is not 4×4")
        }
        guard decoded.cameraAngleX > 0, decoded.cameraAngleX < .pi else {
            throw .invalid(path: path, reason: "camera_angle_x \(decoded.cameraAngleX) is not an angle in (0, π)")
        }
        return decoded
    }

    /// Writes the file atomically, pretty-printed.
    public func write(to path: String) throws(FormatError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try FileBytes.writeAtomically(try encoder.encode(self), to: path)
        } catch let error as FormatError {
            throw error
        } catch {
            throw .unwritable(path: path, reason: "\(error)")
        }
    }
}
