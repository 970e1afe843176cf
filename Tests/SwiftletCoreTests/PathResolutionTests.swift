import Foundation
import OCI
import Testing
@testable import SwiftletCore

/// Paths from the command line (`--bundle`, `--pid-file`, `--console-socket`) made absolute.
@Suite struct AbsolutePathTests {
    @Test(arguments: [
        ("/", "/"), ("/a/b", "/a/b"), ("/a/b/", "/a/b"), ("//a//b", "/a/b"), ("/a/./b/.", "/a/b"),
        ("/a/../b", "/b"), ("/a/b/../../c", "/c"), ("/..", "/"), ("/../../x", "/x"), ("/a/..", "/"),
        ("/a/.../b", "/a/.../b"), ("/a/..b/c", "/a/..b/c"),
    ])
    func absoluteInput(path: String, expected: String) {
        #expect(Runtime.absolutePath(path) == expected)
    }

    /// Relative paths are resolved against the process's working directory.
    @Test(arguments: [
        ("bundle", ["bundle"]), ("./bundle", ["bundle"]), ("a/b/", ["a", "b"]), ("", []), (".", []),
        ("a/../b", ["b"]),
    ])
    func relativeInput(path: String, appended: [String]) {
        let base = FileManager.default.currentDirectoryPath.split(separator: "/").map(String.init)
        #expect(Runtime.absolutePath(path) == "/" + (base + appended).joined(separator: "/"))
    }

    @Test func parentOfWorkingDirectory() {
        let cwd = FileManager.default.currentDirectoryPath
        let parent = (cwd as NSString).deletingLastPathComponent
        #expect(Runtime.absolutePath("..") == parent)
        #expect(Runtime.absolutePath(String(repeating: "../", count: 64)) == "/")
    }
}

/// process.args[0] resolved the way execvp(3) would, before swiftlet-init runs it (runc reports
/// a missing executable at create time). Exercised against a scratch tree on the host.
@Suite struct ExecutableLookupTests {
    /// tmp/bin/{tool, noexec (0644), dir/}, tmp/other/tool, tmp/rel/sub/tool2.
    final class Tree {
        let root: String

        init() throws {
            root = NSTemporaryDirectory() + "swiftlet-lookup-" + UUID().uuidString
            let fm = FileManager.default
            for dir in ["bin/dir", "other", "rel/sub"] {
                try fm.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true)
            }
            for (file, mode) in [("bin/tool", 0o755), ("bin/noexec", 0o644), ("other/tool", 0o755), ("rel/sub/tool2", 0o700),
                                 ("other/noexec", 0o755)] {
                #expect(fm.createFile(atPath: root + "/" + file, contents: Data("#!/bin/sh\n".utf8),
                                      attributes: [.posixPermissions: mode]))
            }
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }
    }

    static func process(_ args: [String]?, env: [String]? = nil, cwd: String = "/") -> OCI.Process {
        OCI.Process(args: args, env: env, cwd: cwd)
    }

    static func failure(_ process: OCI.Process) -> RuntimeError? {
        do {
            _ = try ExecutableLookup.resolve(process)
            return nil
        } catch let error as RuntimeError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test(arguments: [nil, [], [""], ["", "x"]] as [[String]?])
    func emptyArgs(args: [String]?) {
        let error = Self.failure(Self.process(args))
        #expect(error?.description == "process.args: must not be empty")
    }

    @Test func absolutePathIsTakenAsIs() throws {
        let tree = try Tree()
        #expect(try ExecutableLookup.resolve(Self.process([tree.root + "/bin/tool"], env: ["PATH=/nowhere"])) == tree.root + "/bin/tool")
    }

    @Test func absolutePathFailures() throws {
        let tree = try Tree()
        let missing = Self.failure(Self.process([tree.root + "/bin/missing"]))
        #expect(missing?.errno == Errno.ENOENT)
        #expect(missing?.description == "exec: \"\(tree.root)/bin/missing\": no such file or directory")
        let noexec = Self.failure(Self.process([tree.root + "/bin/noexec"]))
        #expect(noexec?.errno == Errno.EACCES)
        #expect(noexec?.description.hasSuffix("permission denied") == true)
        // execve(2) of a directory fails with EACCES too.
        #expect(Self.failure(Self.process([tree.root + "/bin/dir"]))?.errno == Errno.EACCES)
    }

    /// A name with a slash is relative to process.cwd, never searched in PATH.
    @Test func relativeWithSlashUsesCwd() throws {
        let tree = try Tree()
        #expect(try ExecutableLookup.resolve(Self.process(["bin/tool"], env: ["PATH=\(tree.root)/other"], cwd: tree.root))
            == tree.root + "/bin/tool")
        #expect(try ExecutableLookup.resolve(Self.process(["./tool2"], cwd: tree.root + "/rel/sub"))
            == tree.root + "/rel/sub/./tool2")
        #expect(Self.failure(Self.process(["./tool"], env: ["PATH=\(tree.root)/bin"], cwd: tree.root))?.errno == Errno.ENOENT)
    }

    struct SearchCase: Sendable, CustomTestStringConvertible {
        let name: String
        let command: String
        /// PATH value with `@` standing for the tree's root; nil: no PATH variable.
        let path: String?
        let cwd: String
        /// Expected result relative to the tree's root, or nil for "not found".
        let expected: String?
        var testDescription: String { name }
    }

    @Test(arguments: [
        SearchCase(name: "first match wins", command: "tool", path: "@/other:@/bin", cwd: "/", expected: "/other/tool"),
        SearchCase(name: "order matters", command: "tool", path: "@/bin:@/other", cwd: "/", expected: "/bin/tool"),
        SearchCase(name: "skips non-executable", command: "noexec", path: "@/bin:@/other", cwd: "/", expected: "/other/noexec"),
        SearchCase(name: "non-executable only", command: "noexec", path: "@/bin", cwd: "/", expected: nil),
        SearchCase(name: "skips directories", command: "dir", path: "@/bin", cwd: "/", expected: nil),
        SearchCase(name: "empty element is cwd", command: "tool", path: "/nowhere::@/other", cwd: "@/bin", expected: "/bin/./tool"),
        SearchCase(name: "trailing colon is cwd", command: "tool2", path: "/nowhere:", cwd: "@/rel/sub", expected: "/rel/sub/./tool2"),
        SearchCase(name: "relative element", command: "tool2", path: "rel/sub", cwd: "@", expected: "/rel/sub/tool2"),
        SearchCase(name: "empty PATH is cwd", command: "tool", path: "", cwd: "@/bin", expected: "/bin/./tool"),
        SearchCase(name: "missing", command: "nope", path: "@/bin:@/other", cwd: "/", expected: nil),
    ])
    func pathSearch(_ c: SearchCase) throws {
        let tree = try Tree()
        func expand(_ s: String) -> String { s.replacingOccurrences(of: "@", with: tree.root) }
        let env = ["HOME=/root"] + (c.path.map { ["PATH=" + expand($0)] } ?? [])
        let process = Self.process([c.command], env: env, cwd: expand(c.cwd))
        if let expected = c.expected {
            #expect(try ExecutableLookup.resolve(process) == tree.root + expected)
        } else {
            let error = Self.failure(process)
            #expect(error?.errno == Errno.ENOENT)
            #expect(error?.description == "exec: \"\(c.command)\": executable file not found in $PATH")
        }
    }

    /// With several PATH entries the last one counts (as runc, which sets them in order).
    @Test func lastPathVariableWins() throws {
        let tree = try Tree()
        let process = Self.process(["tool"], env: ["PATH=\(tree.root)/bin", "PATHX=1", "PATH=\(tree.root)/other"])
        #expect(try ExecutableLookup.resolve(process) == tree.root + "/other/tool")
    }

    /// Without PATH the default search path is used (here: the host's sh).
    @Test func defaultPath() throws {
        let resolved = try ExecutableLookup.resolve(Self.process(["sh"], env: ["TERM=xterm"]))
        let firstDir = ExecutableLookup.defaultPath.split(separator: ":").first {
            FileManager.default.isExecutableFile(atPath: "\($0)/sh")
        }
        #expect(resolved == "\(firstDir ?? "?")/sh")
        #expect(ExecutableLookup.defaultPath == "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    }
}
