/// Where a 3-D zoo's scenes come from.
public enum SceneSourceKind: String, Sendable, Codable, CaseIterable {
    /// Furniture models from Sweet Home 3D `.sh3f` archives, rendered into scenes here.
    case sweethome3d
    /// A folder of NeRF-synthetic scene folders (`transforms.json` + PNGs), e.g. OmniObject3D renders.
    case scenes
}
