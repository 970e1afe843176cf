import Foundation
import Testing

/// The built CLI answers `--version` like runc (engines call it to identify the runtime).
@Suite struct VersionTests {
    static var binary: String? {
        if let path = ProcessInfo.processInfo.environment["SWIFTLET"], FileManager.default.isExecutableFile(atPath: path) {
            return path
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for candidate in [".build/release/swiftlet", ".build/debug/swiftlet"] {
            let path = root.appendingPathComponent(candidate).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    @Test(.enabled(if: binary != nil, "swiftlet is not built"))
    func versionNamesTheRuntimeAndSpec() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.binary))
        process.arguments = ["--version"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(output.hasPrefix("swiftlet version "))
        #expect(output.contains("spec: 1."))
    }
}
