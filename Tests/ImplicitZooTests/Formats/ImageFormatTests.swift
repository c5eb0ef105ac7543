import Testing
import Foundation
import Formats

@Suite struct ImageFormatTests {
    @Test(arguments: [1, 2, 3, 4])
    func pngRoundTrips(_ channels: Int) throws {
        let pixels = (0..<(5 * 3 * channels)).map { UInt8(($0 * 37) % 256) }
        let image = Image(width: 5, height: 3, channels: channels, pixels: pixels)
        #expect(try PNG.decode(PNG.encode(image), path: "memory") == image)
    }

    @Test func readsPaletteAnd16BitFilesMadeByPillow() throws {
        let palette = try PNG.read(fixture("palette.png"))
        #expect(palette.channels == 4 && palette.width == 4 && palette.height == 3)
        #expect(Array(palette.pixels[0..<8]) == [255, 0, 0, 255, 0, 255, 0, 255])
        #expect(palette.pixels[11] == 128 && palette.pixels[15] == 0)
        let grey = try PNG.read(fixture("grey16.png"))
        #expect(grey.channels == 1 && grey.pixels == [0, 3, 255, 128, 1, 2])
    }

    @Test func damagedPNGsNameTheFile() throws {
        let dir = TemporaryDirectory()
        let good = PNG.encode(Image(width: 4, height: 4, channels: 3, pixels: [UInt8](repeating: 9, count: 48)))
        let truncated = dir.write("cut.png", Array(good.prefix(good.count - 20)))
        #expect(throws: FormatError.self) { try PNG.read(truncated) }
        do { _ = try PNG.read(truncated) } catch { #expect(error.description.contains("cut.png")) }
        var flipped = good
        flipped[40] ^= 0xFF
        let corrupt = dir.write("bad.png", flipped)
        do { _ = try PNG.read(corrupt); Issue.record("a corrupt PNG was accepted") } catch {
            #expect(error.description.contains("bad.png") && error.description.contains("CRC"))
        }
        let text = dir.write("text.png", Array("hello".utf8))
        #expect(throws: FormatError.invalid(path: text, reason: "not a PNG file (bad signature)")) { try PNG.read(text) }
    }

    /// Two CC-0 textures of the Sweet Home 3D furniture package (BlendSwap-CC-0: the emergency sign,
    /// baseline; the Osaka chair's wood, progressive); reference values read with Pillow 12.
    @Test func decodesBaselineAndProgressiveJPEGsAsPillowDoes() throws {
        for (name, size, mean, corner) in [("sign.jpg", (366, 128), SIMD3<Double>(89.754, 158.097, 125.816), [35, 126, 83] as [UInt8]),
                                           ("wood-progressive.jpg", (256, 256), SIMD3(197.106, 172.563, 141.791), [195, 170, 140])] {
            let image = try ImageFile.read(fixture(name))
            #expect(image.width == size.0 && image.height == size.1 && image.channels == 3)
            #expect(Array(image.pixels[0..<3]) == corner, "\(name)")
            var sum = SIMD3<Double>.zero
            for i in stride(from: 0, to: image.pixels.count, by: 3) {
                sum += SIMD3(Double(image.pixels[i]), Double(image.pixels[i + 1]), Double(image.pixels[i + 2]))
            }
            let difference = sum / Double(image.width * image.height) - mean
            #expect((difference * difference).sum().squareRoot() < 0.05, "\(name): mean differs by \(difference)")
        }
    }

    @Test func damagedJPEGsNameTheFile() throws {
        let dir = TemporaryDirectory()
        let good = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fixture("sign.jpg"))))
        for (name, bytes) in [("cut.jpg", Array(good.prefix(good.count / 2))), ("header-only.jpg", Array(good.prefix(200))),
                              ("garbage.jpg", [0xFF, 0xD8] + (0..<500).map { UInt8(($0 * 131) % 256) })] {
            let path = dir.write(name, bytes)
            do { _ = try ImageFile.read(path); Issue.record("\(name) was accepted") } catch {
                #expect(error.description.hasPrefix(path) && error.description.contains("JPEG"), "\(error)")
            }
        }
        let text = dir.write("text.jpg", Array("hello".utf8))
        #expect(throws: FormatError.invalid(path: text, reason: "neither a PNG nor a JPEG image")) { try ImageFile.read(text) }
    }

    @Test func idxRoundTripAndTruncation() throws {
        let dir = TemporaryDirectory()
        let array = IDXArray(dimensions: [2, 3], bytes: [1, 2, 3, 4, 5, 6])
        #expect(try IDXArray.read(dir.write("a.idx", array.encoded)) == array)
        let cut = dir.write("cut.idx", Array(array.encoded.dropLast(2)))
        #expect(throws: FormatError.truncated(path: cut, expected: "6 bytes for dimensions [2, 3], found 4")) { try IDXArray.read(cut) }
    }

    @Test func cifarBatchesParseAndRejectPartialRecords() throws {
        let dir = TemporaryDirectory()
        var record = [UInt8](repeating: 0, count: 3073)
        record[0] = 7
        record[1] = 255          // red of pixel 0
        record[1 + 1024 + 1] = 51 // green of pixel 1
        let path = dir.write("data_batch_1.bin", record + record)
        let cifar = try CIFAR10(files: [path])
        #expect(cifar.labels == [7, 7])
        #expect(cifar.images[0, 0, 0, 0] == 1 && cifar.images[1, 1, 0, 1] == 0.2)
        let cut = dir.write("test_batch.bin", Array(record.prefix(3000)))
        do { _ = try CIFAR10(files: [cut]); Issue.record("accepted a partial record") } catch {
            #expect(error.description.contains("test_batch.bin") && error.description.contains("3,073"))
        }
    }

    @Test func canvasDrawsTextAndLines() {
        var canvas = Canvas(width: 20, height: 10)
        canvas.text("A1", x: 0, y: 0)
        canvas.line(0, 9, 19, 9, color: (255, 0, 0))
        let image = canvas.image
        #expect(image.pixels[(0 * 20 + 1) * 3] == 0)          // top of the A is ink
        #expect(image.pixels[(9 * 20 + 10) * 3 + 1] == 0)     // the line is red
        #expect(image.pixels[(5 * 20 + 15) * 3] == 255)       // background stays white
    }

    /// Rectangles wholly or partly off the canvas draw their visible part, or nothing (a camera
    /// predicted far away once crashed the pose figure here).
    @Test func canvasClipsRectanglesOffItsEdges() {
        var canvas = Canvas(width: 20, height: 10)
        canvas.fill(x: -30, y: 2, width: 5, height: 5, color: (0, 0, 0))
        canvas.fill(x: 2, y: 40, width: 5, height: 5, color: (0, 0, 0))
        canvas.fill(x: 18, y: -3, width: 5, height: 5, color: (0, 0, 0))
        let ink = stride(from: 0, to: canvas.pixels.count, by: 3).filter { canvas.pixels[$0] == 0 }.map { $0 / 3 }
        #expect(ink == [18, 19, 38, 39], "ink at \(ink)")
    }
}
