import Testing
@testable import SwiftletCore

/// Which of a container's processes a checkpoint leaves out, and how the warning names them
/// (Checkpoint/CheckpointOutsiders.swift).
@Suite struct CheckpointOutsidersTests {
    /// 100 is the init; 101 and 102 below it; 200 an exec'd process reparented to the host's init;
    /// 300 below 200; 400 whose parent is unknown (exited between the reads).
    let parents: [Int32: Int32] = [100: 50, 101: 100, 102: 101, 200: 1, 300: 200, 50: 1]

    @Test func keepsOnlyWhatIsNotBelowTheInit() {
        let outside = CheckpointOutsiders.outside([100, 101, 102, 200, 300, 400], root: 100) { parents[$0] }
        #expect(outside == [200, 300, 400])
    }

    @Test func aChainIsBounded() {
        // A pid reused between two reads could point a chain at itself: it ends, counted outside.
        let outside = CheckpointOutsiders.outside([7], root: 100, limit: 16) { _ in 7 }
        #expect(outside == [7])
    }

    @Test func parentPIDAfterTheLastParenthesis() {
        #expect(Sys.parentPID(stat: "4321 (sleep) S 1 4321 4321 0 -1") == 1)
        #expect(Sys.parentPID(stat: "4321 (a) b) c) R 77 4321 4321 0 -1") == 77)
        #expect(Sys.parentPID(stat: "garbage") == nil)
    }

    @Test func namesAreMadePrintable() {
        #expect(CheckpointOutsiders.printable("sleep\n") == "sleep")
        #expect(CheckpointOutsiders.printable("a\u{1b}[2Jb\n") == "a?[2Jb")
        #expect(CheckpointOutsiders.printable("caf\u{e9}") == "caf??")
    }

    @Test func theWarning() {
        #expect(CheckpointOutsiders.warning(id: "c1", [], leaveRunning: false) == nil)
        #expect(CheckpointOutsiders.warning(id: "c1", [(200, "sleep")], leaveRunning: false)
            == "checkpoint: 1 process of container \"c1\" not below its init (started by exec?) is not in the checkpoint: "
            + "200 (sleep); it ends with the container, and restore does not bring it back")
        #expect(CheckpointOutsiders.warning(id: "c1", [(200, "sleep"), (300, "sh")], leaveRunning: true)
            == "checkpoint: 2 processes of container \"c1\" not below its init (started by exec?) are not in the checkpoint: "
            + "200 (sleep), 300 (sh); they keep running, but restore does not bring them back")
    }
}
