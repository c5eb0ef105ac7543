import Formats

/// A PNG of rooms beside their label maps (one row per room) and the class colours.
public enum RoomPreview {
    public static func write(_ rooms: [RoomImage], to path: String) throws(FormatError) {
        guard let first = rooms.first else { return }
        let (w, h, gap) = (first.image.width, first.image.height, 4)
        let legendWidth = 110
        var canvas = Canvas(width: 2 * w + 3 * gap + legendWidth, height: max(rooms.count * (h + gap) + gap, RoomClass.allCases.count * 12 + 8))
        for (row, room) in rooms.enumerated() {
            let y = gap + row * (h + gap)
            canvas.draw(values: room.image.pixels.map { Float($0) / 255 }, width: w, height: h, channels: 3, x: gap, y: y)
            for py in 0..<h {
                for px in 0..<w {
                    let label = Int(room.labels[py * w + px])
                    canvas.set(2 * gap + w + px, y + py, RoomClass(rawValue: label)?.color ?? Canvas.white)
                }
            }
        }
        for roomClass in RoomClass.allCases {
            let y = 6 + roomClass.rawValue * 12
            canvas.fill(x: 2 * w + 3 * gap, y: y, width: 8, height: 8, color: roomClass.color)
            canvas.text(roomClass.name, x: 2 * w + 3 * gap + 12, y: y)
        }
        try PNG.write(canvas.image, to: path)
    }
}
